// Decoder for one wasm instruction: the opcode and the immediates the gatekeeper needs (indices, branch
// depths, block types). Covers the MVP, sign extension, bulk memory, saturating truncations (0xFC) and the
// reference-types opcodes LLVM emits; anything else (SIMD, threads, tail calls, exceptions) is refused.
import { type ByteReader } from "./bytesio.js";
import { WasmGateError, malformed } from "./errors.js";

/** Opcode numbers we refer to by name (WebAssembly core spec §5.4). 0xFC sub-opcodes are 0xFC00 + sub. */
export const Op = {
  unreachable: 0x00,
  nop: 0x01,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  brTable: 0x0e,
  return: 0x0f,
  call: 0x10,
  callIndirect: 0x11,
  selectT: 0x1c,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  globalGet: 0x23,
  globalSet: 0x24,
  memoryGrow: 0x40,
  i32Const: 0x41,
  i64Const: 0x42,
  refFunc: 0xd2,
  prefixFC: 0xfc,
} as const;

/** Value type bytes (§5.3.1). */
export const ValType = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
  funcref: 0x70,
  externref: 0x6f,
};
export type ValTypeByte = number;

export function isFloatType(t: ValTypeByte): boolean {
  return t === ValType.f32 || t === ValType.f64;
}

/** Reads a value type, refusing unknown bytes (and v128: SIMD is not supported). */
export function readValType(r: ByteReader): ValTypeByte {
  const at = r.pos;
  const t = r.u8();
  if (t === ValType.v128) throw new WasmGateError("UNSUPPORTED_FEATURE", "SIMD (v128) is not supported");
  if (t === 0x7f || t === 0x7e || t === 0x7d || t === 0x7c || t === 0x70 || t === 0x6f) return t;
  throw malformed(at, `unknown value type 0x${t.toString(16)}`);
}

/** One decoded instruction; reused between reads to avoid allocating per instruction. */
export interface Instr {
  op: number;
  start: number;
  end: number;
  /** First index immediate: branch depth, local/global/function/type/table/data/elem index, or block type. */
  imm: number;
  /** Second index immediate (call_indirect table, table.copy/init source). */
  imm2: number;
  /** br_table targets (default last); typed-select result types. */
  list: number[];
}

export function newInstr(): Instr {
  return { op: 0, start: 0, end: 0, imm: 0, imm2: 0, list: [] };
}

// Immediate shapes, indexed by opcode byte. Built once from ranges so the decoder is a table lookup.
const Imm = {
  Invalid: 0,
  None: 1,
  BlockType: 2,
  Index: 3,
  Index2: 4,
  BrTable: 5,
  SelectT: 6,
  MemArg: 7,
  ZeroByte: 8,
  I32: 9,
  I64: 10,
  F32: 11,
  F64: 12,
  RefType: 13,
  Prefix: 14,
} as const;
type Imm = (typeof Imm)[keyof typeof Imm];
const IMM = new Uint8Array(256); // Imm.Invalid by default
function setRange(from: number, to: number, imm: Imm): void {
  for (let op = from; op <= to; op++) IMM[op] = imm;
}
setRange(0x00, 0x01, Imm.None); // unreachable nop
setRange(0x02, 0x04, Imm.BlockType); // block loop if
IMM[0x05] = Imm.None; // else
IMM[0x0b] = Imm.None; // end
setRange(0x0c, 0x0d, Imm.Index); // br br_if
IMM[0x0e] = Imm.BrTable;
IMM[0x0f] = Imm.None; // return
IMM[0x10] = Imm.Index; // call
IMM[0x11] = Imm.Index2; // call_indirect typeidx tableidx
setRange(0x1a, 0x1b, Imm.None); // drop select
IMM[0x1c] = Imm.SelectT;
setRange(0x20, 0x26, Imm.Index); // local.* global.* table.get table.set
setRange(0x28, 0x3e, Imm.MemArg); // loads and stores
setRange(0x3f, 0x40, Imm.ZeroByte); // memory.size memory.grow (memory 0)
IMM[0x41] = Imm.I32;
IMM[0x42] = Imm.I64;
IMM[0x43] = Imm.F32;
IMM[0x44] = Imm.F64;
setRange(0x45, 0xc4, Imm.None); // numeric, conversions, sign extension
IMM[0xd0] = Imm.RefType;
IMM[0xd1] = Imm.None; // ref.is_null
IMM[0xd2] = Imm.Index; // ref.func
IMM[0xfc] = Imm.Prefix;

/** Proposals we recognise only to refuse with a clear message. */
const UNSUPPORTED_OPS: ReadonlyMap<number, string> = new Map([
  [0x06, "exception handling"],
  [0x07, "exception handling"],
  [0x08, "exception handling"],
  [0x09, "exception handling"],
  [0x0a, "exception handling"],
  [0x12, "tail calls"],
  [0x13, "tail calls"],
  [0x14, "typed function references"],
  [0x15, "typed function references"],
  [0x18, "exception handling"],
  [0x19, "exception handling"],
  [0xfb, "garbage collection"],
  [0xfd, "SIMD"],
  [0xfe, "threads"],
]);

/** Float opcodes (§5.4.7): f32/f64 loads, stores, constants, comparisons, arithmetic, conversions. */
export function isFloatOp(op: number): boolean {
  return (
    op === 0x2a ||
    op === 0x2b ||
    op === 0x38 ||
    op === 0x39 ||
    op === 0x43 ||
    op === 0x44 ||
    (op >= 0x5b && op <= 0x66) ||
    (op >= 0x8b && op <= 0xa6) ||
    (op >= 0xa8 && op <= 0xab) ||
    (op >= 0xae && op <= 0xbf) ||
    (op >= 0xfc00 && op <= 0xfc07) // saturating truncations
  );
}

/** Reads one instruction at `r.pos` into `out`. */
export function readInstr(r: ByteReader, out: Instr): void {
  out.start = r.pos;
  const op = r.u8();
  out.op = op;
  out.imm = 0;
  out.imm2 = 0;
  switch (IMM[op]) {
    case Imm.None:
      break;
    case Imm.BlockType:
      out.imm = readBlockType(r);
      break;
    case Imm.Index:
      out.imm = r.u32();
      break;
    case Imm.Index2:
      out.imm = r.u32();
      out.imm2 = r.u32();
      break;
    case Imm.BrTable:
      readBrTable(r, out);
      break;
    case Imm.SelectT:
      readSelectTypes(r, out);
      break;
    case Imm.MemArg:
      readMemArg(r);
      break;
    case Imm.ZeroByte:
      zeroByte(r, "memory index");
      break;
    case Imm.I32:
      r.skipSleb(32);
      break;
    case Imm.I64:
      r.skipSleb(64);
      break;
    case Imm.F32:
      r.bytes(4);
      break;
    case Imm.F64:
      r.bytes(8);
      break;
    case Imm.RefType:
      readRefType(r);
      break;
    case Imm.Prefix:
      readPrefixFC(r, out);
      break;
    default:
      throw unknownOpcode(op, out.start);
  }
  out.end = r.pos;
}

function unknownOpcode(op: number, at: number): WasmGateError {
  const feature = UNSUPPORTED_OPS.get(op);
  if (feature !== undefined) {
    return new WasmGateError(
      "UNSUPPORTED_FEATURE",
      `${feature} (opcode 0x${op.toString(16)}) is not supported`,
    );
  }
  return malformed(at, `unknown opcode 0x${op.toString(16)}`);
}

/** Block type (§5.4.1): 0x40 empty, a value type, or a non-negative s33 type index. Returns -1 / -type / index. */
function readBlockType(r: ByteReader): number {
  const at = r.pos;
  const b = r.buf[r.pos];
  if (b === 0x40) {
    r.pos++;
    return -1;
  }
  if (b !== undefined && b >= 0x40 && b < 0x80) return -readValType(r);
  const idx = r.sleb(33);
  if (idx < 0n || idx > 0xffffffffn) throw malformed(at, "bad block type");
  return Number(idx);
}

function readBrTable(r: ByteReader, out: Instr): void {
  const n = r.count("br_table target");
  out.list.length = 0;
  for (let i = 0; i <= n; i++) out.list.push(r.u32());
}

function readSelectTypes(r: ByteReader, out: Instr): void {
  const n = r.count("select type");
  out.list.length = 0;
  for (let i = 0; i < n; i++) out.list.push(readValType(r));
}

function readMemArg(r: ByteReader): void {
  const at = r.pos;
  const align = r.u32();
  // Bit 6 of the alignment field selects a memory index (multi-memory); we run exactly one memory.
  if (align >= 64)
    throw new WasmGateError("UNSUPPORTED_FEATURE", `multiple memories are not supported (byte ${at})`);
  r.u32(); // offset (memory32)
}

function zeroByte(r: ByteReader, what: string): void {
  const at = r.pos;
  if (r.u8() !== 0) throw new WasmGateError("UNSUPPORTED_FEATURE", `${what} must be 0 (byte ${at})`);
}

function readRefType(r: ByteReader): void {
  const at = r.pos;
  const t = r.u8();
  if (t !== ValType.funcref && t !== ValType.externref) throw malformed(at, "bad reference type");
}

/** 0xFC prefix (§5.4.7, §5.4.6): saturating truncations, bulk memory and table operations. */
function readPrefixFC(r: ByteReader, out: Instr): void {
  const at = r.pos;
  const sub = r.u32();
  out.op = 0xfc00 + Math.min(sub, 0xff);
  if (sub <= 7) return; // i32/i64.trunc_sat_f32/f64_s/u
  switch (sub) {
    case 8: // memory.init dataidx 0x00
      out.imm = r.u32();
      zeroByte(r, "memory index");
      return;
    case 9: // data.drop dataidx
    case 13: // elem.drop elemidx
    case 15: // table.grow
    case 16: // table.size
    case 17: // table.fill
      out.imm = r.u32();
      return;
    case 10: // memory.copy 0x00 0x00
      zeroByte(r, "memory index");
      zeroByte(r, "memory index");
      return;
    case 11: // memory.fill 0x00
      zeroByte(r, "memory index");
      return;
    case 12: // table.init elemidx tableidx
    case 14: // table.copy tableidx tableidx
      out.imm = r.u32();
      out.imm2 = r.u32();
      return;
    default:
      throw malformed(at, `unknown 0xFC sub-opcode ${sub}`);
  }
}
