// Virtual memory size for reusable instances (../pool.ts). A wasm memory cannot shrink, so an instance whose
// contract grew its memory could not be reset to a fresh instance's size. The metering pass therefore gives a
// reusable module a contract-visible size (`shroud_memory_pages` / `shroud_memory_bytes`): memory.size reads
// it, memory.grow moves it (growing the real memory only when needed), and every load, store, fill and copy is
// checked against it. A reused instance then behaves exactly like a fresh one, traps included.
// Every store, fill and copy also lowers a low-water mark (`shroud_memory_low`, the lowest address written):
// the pool's reset then zeroes only from there up, since nothing below it changed (a Rust contract's 1 MiB
// stack sits below its data and heap and is mostly never touched).
import { ByteReader, ByteWriter } from "./bytesio.js";
import { Op, ValType, type Instr } from "./instructions.js";

/** Indices the rewritten bodies refer to. */
export interface VirtualMemory {
  /** Mutable i32 global: the contract-visible size in pages. */
  readonly pages: number;
  /** Mutable i64 global: the same size in bytes (what bounds checks compare with). */
  readonly bytes: number;
  /** Mutable i32 global: the lowest address a store, fill or copy wrote to (unsigned; -1 = none yet). */
  readonly low: number;
  /** Functions: grow (i32)→i32, fill (i32,i32,i32), copy (i32,i32,i32). */
  readonly grow: number;
  readonly fill: number;
  readonly copy: number;
  /** The memory maximum written by the metering pass; memory.grow beyond it answers -1, as V8 does. */
  readonly maxPages: number;
}

/** Scratch locals added to every body of a virtualized module, in this order (5 locals). */
export const SCRATCH_LOCALS = [ValType.i32, ValType.i32, ValType.i64, ValType.f32, ValType.f64] as const;

const PAGE_SHIFT = 16n;
const I64_EXTEND_I32_U = 0xad;
const I64_ADD = 0x7c;
const I64_GT_U = 0x56;
const I64_SHL = 0x86;
const I32_WRAP_I64 = 0xa7;
const I32_SUB = 0x6b;
const I32_EQ = 0x46;
const I32_LT_U = 0x49;
const MEMORY_SIZE = 0x3f;
const SELECT = 0x1b;
const MEMORY_FILL = 0xfc0b;
const MEMORY_COPY = 0xfc0a;

/** Loads and stores (core spec §5.4.6): access size in bytes and, for stores, the stored value's type. */
const ACCESS = new Map<number, { readonly size: number; readonly store?: number }>([
  [0x28, { size: 4 }],
  [0x29, { size: 8 }],
  [0x2a, { size: 4 }],
  [0x2b, { size: 8 }],
  [0x2c, { size: 1 }],
  [0x2d, { size: 1 }],
  [0x2e, { size: 2 }],
  [0x2f, { size: 2 }],
  [0x30, { size: 1 }],
  [0x31, { size: 1 }],
  [0x32, { size: 2 }],
  [0x33, { size: 2 }],
  [0x34, { size: 4 }],
  [0x35, { size: 4 }],
  [0x36, { size: 4, store: ValType.i32 }],
  [0x37, { size: 8, store: ValType.i64 }],
  [0x38, { size: 4, store: ValType.f32 }],
  [0x39, { size: 8, store: ValType.f64 }],
  [0x3a, { size: 1, store: ValType.i32 }],
  [0x3b, { size: 2, store: ValType.i32 }],
  [0x3c, { size: 1, store: ValType.i64 }],
  [0x3d, { size: 2, store: ValType.i64 }],
  [0x3e, { size: 4, store: ValType.i64 }],
]);

/** True for the instructions `rewriteMemoryOp` replaces or guards. */
export function isMemoryOp(op: number): boolean {
  return ACCESS.has(op) || op === MEMORY_SIZE || op === MEMORY_FILL || op === MEMORY_COPY;
}

/**
 * Replaces the address on the stack by 0xFFFFFFFF when `u64(addr) + k > bytes`, without branches: the access
 * that follows then traps natively ("memory access out of bounds", as in a fresh instance), since no memory
 * reaches 4 GiB. Uses scratch local `a`.
 */
function emitCheck(w: ByteWriter, v: VirtualMemory, a: number, k: bigint): void {
  w.u8(Op.localSet).u32(a).u8(Op.i32Const).sleb(-1n).u8(Op.localGet).u32(a);
  w.u8(Op.localGet).u32(a).u8(I64_EXTEND_I32_U).u8(Op.i64Const).sleb(k).u8(I64_ADD);
  w.u8(Op.globalGet).u32(v.bytes).u8(I64_GT_U).u8(SELECT);
}

/**
 * Writes the guarded form of a memory instruction (`isMemoryOp`). `scratch` is the index of the first scratch
 * local. Returns true when the original instruction must still be copied after what was written. `cache`
 * (one per module) keeps the guard bytes by scratch index, opcode and offset: snip20 has ~50,000 accesses.
 */
export function rewriteMemoryOp(
  w: ByteWriter,
  v: VirtualMemory,
  src: Uint8Array,
  ins: Instr,
  scratch: number,
  cache: Map<number, Uint8Array>,
): boolean {
  if (ins.op === MEMORY_SIZE) {
    w.u8(Op.globalGet).u32(v.pages);
    return false;
  }
  if (ins.op === MEMORY_FILL || ins.op === MEMORY_COPY) {
    w.u8(Op.call).u32(ins.op === MEMORY_FILL ? v.fill : v.copy);
    return false;
  }
  const offset = memArgOffset(src, ins.start + 1);
  // < 2^53: scratch < 2^16 (locals ≤ 50,000), opcode 0x28–0x3e < 2^6, offset < 2^32.
  const id = (scratch * 64 + ins.op) * 0x1_0000_0000 + offset;
  let guard = cache.get(id);
  if (guard === undefined) {
    guard = accessGuard(v, ins.op, offset, scratch);
    cache.set(id, guard);
  }
  w.bytes(guard);
  return true;
}

/** The offset of a memarg at `at` (alignment u32, offset u32; both already validated by the reader). */
function memArgOffset(src: Uint8Array, at: number): number {
  let i = at;
  while (src[i]! & 0x80) i++; // skip the alignment
  i++;
  let value = 0;
  let scale = 1;
  for (;;) {
    const b = src[i++]!;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return value;
    scale *= 128;
  }
}

/** The bytes that go before a load or store (see `emitCheck`; stores park their value meanwhile). */
function accessGuard(v: VirtualMemory, op: number, offset: number, scratch: number): Uint8Array {
  const acc = ACCESS.get(op)!;
  const k = BigInt(offset) + BigInt(acc.size);
  const w = new ByteWriter();
  if (acc.store === undefined) {
    emitCheck(w, v, scratch, k);
    return w.finish();
  }
  const val = scratch + SCRATCH_LOCALS.indexOf(acc.store, 1);
  w.u8(Op.localSet).u32(val);
  emitCheck(w, v, scratch, k);
  emitLowMark(w, v, scratch);
  w.u8(Op.localGet).u32(val);
  return w.finish();
}

/**
 * `if (u32(local p) < u32(low)) low = p`: the address before its offset, so never above the bytes written
 * (an out-of-range address only lowers the mark, harmlessly, before its access traps). Stack-neutral.
 */
function emitLowMark(w: ByteWriter, v: VirtualMemory, p: number): void {
  w.u8(Op.localGet).u32(p).u8(Op.globalGet).u32(v.low).u8(I32_LT_U);
  w.u8(Op.if).u8(0x40).u8(Op.localGet).u32(p).u8(Op.globalSet).u32(v.low).u8(Op.end);
}

/** The grow function (replaces `memory.grow 0`; the grow meter has already charged the gas). */
export function virtualGrowBody(v: VirtualMemory): Uint8Array {
  const w = new ByteWriter().u32(1).u32(1).u8(ValType.i64); // local 1: the new size in pages (u64)
  w.u8(Op.localGet).u32(0).u8(I64_EXTEND_I32_U);
  w.u8(Op.globalGet).u32(v.pages).u8(I64_EXTEND_I32_U).u8(I64_ADD).u8(Op.localTee).u32(1);
  w.u8(Op.i64Const).sleb(BigInt(v.maxPages)).u8(I64_GT_U);
  w.u8(Op.if).u8(0x40).u8(Op.i32Const).sleb(-1n).u8(Op.return).u8(Op.end);
  // Grow the real memory only past its current size (a reused instance may already have the pages, zeroed).
  w.u8(Op.localGet).u32(1).u8(MEMORY_SIZE).u8(0).u8(I64_EXTEND_I32_U).u8(I64_GT_U);
  w.u8(Op.if).u8(0x40);
  w.u8(Op.localGet).u32(1).u8(I32_WRAP_I64).u8(MEMORY_SIZE).u8(0).u8(I32_SUB);
  w.u8(Op.memoryGrow).u8(0).u8(Op.i32Const).sleb(-1n).u8(I32_EQ);
  w.u8(Op.if).u8(0x40).u8(Op.i32Const).sleb(-1n).u8(Op.return).u8(Op.end);
  w.u8(Op.end);
  w.u8(Op.globalGet).u32(v.pages); // result: the old size
  w.u8(Op.localGet).u32(1).u8(I32_WRAP_I64).u8(Op.globalSet).u32(v.pages);
  w.u8(Op.localGet).u32(1).u8(Op.i64Const).sleb(PAGE_SHIFT).u8(I64_SHL).u8(Op.globalSet).u32(v.bytes);
  return w.u8(Op.end).finish();
}

/** `if (u64(local p) + u64(local n) > bytes) unreachable` */
function emitRangeCheck(w: ByteWriter, v: VirtualMemory, p: number, n: number): void {
  w.u8(Op.localGet).u32(p).u8(I64_EXTEND_I32_U).u8(Op.localGet).u32(n).u8(I64_EXTEND_I32_U).u8(I64_ADD);
  w.u8(Op.globalGet).u32(v.bytes).u8(I64_GT_U);
  w.u8(Op.if).u8(0x40).u8(Op.unreachable).u8(Op.end);
}

/** memory.fill (d, value, n) with the range checked against the visible size first. */
export function virtualFillBody(v: VirtualMemory): Uint8Array {
  const w = new ByteWriter().u32(0);
  emitRangeCheck(w, v, 0, 2);
  emitLowMark(w, v, 0);
  w.u8(Op.localGet).u32(0).u8(Op.localGet).u32(1).u8(Op.localGet).u32(2);
  w.u8(Op.prefixFC)
    .u32(MEMORY_FILL & 0xff)
    .u8(0);
  return w.u8(Op.end).finish();
}

/** memory.copy (d, s, n) with both ranges checked against the visible size first. */
export function virtualCopyBody(v: VirtualMemory): Uint8Array {
  const w = new ByteWriter().u32(0);
  emitRangeCheck(w, v, 0, 2);
  emitRangeCheck(w, v, 1, 2);
  emitLowMark(w, v, 0);
  w.u8(Op.localGet).u32(0).u8(Op.localGet).u32(1).u8(Op.localGet).u32(2);
  w.u8(Op.prefixFC)
    .u32(MEMORY_COPY & 0xff)
    .u8(0)
    .u8(0);
  return w.u8(Op.end).finish();
}

/** The globals a virtualized module appends: pages (i32) and bytes (i64) starting at the minimum, low (i32, -1). */
export function virtualGlobals(minPages: number): Uint8Array[] {
  const g = (type: number, init: Uint8Array): Uint8Array =>
    new ByteWriter().u8(type).u8(1).bytes(init).u8(Op.end).finish();
  return [
    g(ValType.i32, new ByteWriter().u8(Op.i32Const).sleb(BigInt(minPages)).finish()),
    g(
      ValType.i64,
      new ByteWriter()
        .u8(Op.i64Const)
        .sleb(BigInt(minPages) << PAGE_SHIFT)
        .finish(),
    ),
    g(ValType.i32, new ByteWriter().u8(Op.i32Const).sleb(-1n).finish()),
  ];
}

/** Re-encodes a body's local declarations with the scratch locals appended (one group each). */
export function localsWithScratch(src: Uint8Array, start: number, exprStart: number): Uint8Array {
  const r = new ByteReader(src, start, exprStart);
  const groups = r.u32();
  const w = new ByteWriter().u32(groups + SCRATCH_LOCALS.length).bytes(src.subarray(r.pos, exprStart));
  for (const t of SCRATCH_LOCALS) w.u32(1).u8(t);
  return w.finish();
}
