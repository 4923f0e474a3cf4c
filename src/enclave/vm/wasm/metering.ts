// Deterministic gas metering and call-stack limiting, injected at upload time (spec consensus-storage-perf
// §3, §4; Secret's algorithm in SN contract-engine/src/wasm3/gas.rs). Each instruction sequence charges
// GAS_PER_INSTRUCTION × its instruction count on entry; memory.grow is charged per page first; every
// function charges its frame against a stack budget. Exhaustion sets an exported flag and traps.
import { analyzeBody, type BodyAnalysis } from "./analyze.js";
import { ByteReader, ByteWriter } from "./bytesio.js";
import { WasmGateError } from "./errors.js";
import { Op, ValType, newInstr, readInstr, type Instr } from "./instructions.js";
import {
  EXPORT_DEPTH_EXCEEDED,
  EXPORT_GAS_EXHAUSTED,
  EXPORT_GAS_LEFT,
  EXPORT_GLOBAL_PREFIX,
  EXPORT_MEMORY,
  EXPORT_MEMORY_BYTES,
  EXPORT_MEMORY_LOW,
  EXPORT_MEMORY_PAGES,
  EXPORT_REUSABLE,
  EXPORT_STACK_LEFT,
  FRAME_OVERHEAD_SLOTS,
  GAS_PER_INSTRUCTION,
  MEMORY_GROW_GAS_PER_PAGE,
  MEMORY_GROW_METER_INSTRUCTIONS,
  RUNTIME_MAX_MEMORY_PAGES,
  STACK_BUDGET_SLOTS,
} from "./limits.js";
import {
  MAX_LOCALS_PER_FUNCTION,
  SectionId,
  type CodeBody,
  type FuncType,
  type WasmModule,
} from "./module.js";
import {
  SCRATCH_LOCALS,
  isMemoryOp,
  localsWithScratch,
  rewriteMemoryOp,
  virtualCopyBody,
  virtualFillBody,
  virtualGlobals,
  virtualGrowBody,
  type VirtualMemory,
} from "./virtualMemory.js";
import { encodeModule, type SectionPayload } from "./writer.js";

/** What body rewriting needs: the added indices and a cache of charge snippets by instruction count. */
interface Kit {
  readonly added: Added;
  /** Set when the module is reusable: memory size virtualized (./virtualMemory.ts). */
  readonly virt: VirtualMemory | undefined;
  /** Guard bytes of memory accesses already rewritten (./virtualMemory.ts rewriteMemoryOp). */
  readonly guards: Map<number, Uint8Array>;
  charge(instructionCount: number): Uint8Array;
  /** One charge for consecutive sequence entries (instruction counts, in order); see `emitMergedCharge`. */
  chargeAll(instructionCounts: readonly number[]): Uint8Array;
}

function makeKit(added: Added, virt: VirtualMemory | undefined): Kit {
  const cache = new Map<string, Uint8Array>();
  const chargeAll = (counts: readonly number[]): Uint8Array => {
    const costs = counts.filter((n) => n > 0).map((n) => GAS_PER_INSTRUCTION * BigInt(n));
    const key = costs.join(",");
    let snippet = cache.get(key);
    if (snippet === undefined) {
      const w = new ByteWriter();
      if (costs.length === 1) emitCharge(w, added, costs[0]!);
      else if (costs.length > 1) emitMergedCharge(w, added, costs);
      snippet = w.finish();
      cache.set(key, snippet);
    }
    return snippet;
  };
  return { added, virt, guards: new Map(), charge: (n) => chargeAll([n]), chargeAll };
}

/** Indices of what the instrumentation adds to the module. */
interface Added {
  gasLeft: number;
  gasExhausted: number;
  stackLeft: number;
  depthExceeded: number;
  growMeter: number;
}

/**
 * Returns the metered module. `analyses` (one per local function, from analyzeBody) may be passed when the
 * caller already has them. The output keeps every original index; it only appends types, globals, one
 * function, exports and a memory maximum of RUNTIME_MAX_MEMORY_PAGES.
 */
export function injectMetering(mod: WasmModule, analyses?: readonly BodyAnalysis[]): Uint8Array {
  const types = [...mod.types];
  const typeIndex = (t: FuncType): number => findOrAddType(types, t);
  const added: Added = {
    gasLeft: mod.globals.length,
    gasExhausted: mod.globals.length + 1,
    stackLeft: mod.globals.length + 2,
    depthExceeded: mod.globals.length + 3,
    growMeter: mod.funcTypes.length,
  };
  const growType = typeIndex({ params: [ValType.i32], results: [ValType.i32] });
  const all = mod.codes.map((code, i) => analyses?.[i] ?? analyzeBody(mod, mod.importedFuncCount + i, code));
  const virt = isReusable(mod, all) ? virtualMemoryFor(mod, added) : undefined;
  const kit = makeKit(added, virt);
  const bodies: Uint8Array[] = mod.codes.map((code, i) => {
    const funcIndex = mod.importedFuncCount + i;
    const ft = mod.types[mod.funcTypes[funcIndex]!]!;
    return meterBody(mod, code, all[i]!, blockTypeFor(ft, typeIndex), kit);
  });
  bodies.push(growMeterBody(kit));
  const addedFuncTypes = [growType];
  if (virt) {
    const rangeType = typeIndex({ params: [ValType.i32, ValType.i32, ValType.i32], results: [] });
    bodies.push(virtualGrowBody(virt), virtualFillBody(virt), virtualCopyBody(virt));
    addedFuncTypes.push(growType, rangeType, rangeType);
  }
  const funcEntries = addedFuncTypes.map((t) => new ByteWriter().u32(t).finish());
  const replaced = new Map<number, SectionPayload>([
    [SectionId.type, appendEntries(mod, SectionId.type, types.slice(mod.types.length).map(encodeFuncType))],
    [SectionId.function, appendEntries(mod, SectionId.function, funcEntries)],
    [SectionId.global, appendEntries(mod, SectionId.global, addedGlobals(mod, virt !== undefined))],
    [SectionId.export, appendEntries(mod, SectionId.export, addedExports(mod, added, virt))],
    [SectionId.code, vectorOfSized(bodies)],
  ]);
  const memory = cappedMemorySection(mod);
  if (memory !== undefined) replaced.set(SectionId.memory, memory);
  return encodeModule(mod, replaced);
}

/**
 * Reusable (../pool.ts) when memory and globals are an instance's whole mutable state: no body changes a
 * table or a segment, the one memory is the module's own, and every body has room for the scratch locals.
 */
function isReusable(mod: WasmModule, analyses: readonly BodyAnalysis[]): boolean {
  if (mod.memories.length !== 1 || mod.importedMemoryCount !== 0) return false;
  if (analyses.some((a) => a.mutatesTablesOrSegments)) return false;
  return analyses.every((a) => a.frameSlots + SCRATCH_LOCALS.length <= MAX_LOCALS_PER_FUNCTION);
}

function virtualMemoryFor(mod: WasmModule, a: Added): VirtualMemory {
  const fn = a.growMeter + 1;
  const g = a.depthExceeded + 2; // after the reusable marker
  const maxPages = Math.max(mod.memories[0]!.min, RUNTIME_MAX_MEMORY_PAGES);
  return { pages: g, bytes: g + 1, low: g + 2, grow: fn, fill: fn + 1, copy: fn + 2, maxPages };
}

function findOrAddType(types: FuncType[], t: FuncType): number {
  const same = (a: readonly number[], b: readonly number[]): boolean =>
    a.length === b.length && a.every((x, i) => x === b[i]);
  const i = types.findIndex((u) => same(u.params, t.params) && same(u.results, t.results));
  if (i >= 0) return i;
  types.push(t);
  return types.length - 1;
}

function encodeFuncType(t: FuncType): Uint8Array {
  const w = new ByteWriter().u8(0x60).u32(t.params.length);
  for (const p of t.params) w.u8(p);
  w.u32(t.results.length);
  for (const r of t.results) w.u8(r);
  return w.finish();
}

/** Block type of the wrapper block that stands in for the function body: the function's results. */
function blockTypeFor(ft: FuncType, typeIndex: (t: FuncType) => number): Uint8Array {
  if (ft.results.length === 0) return Uint8Array.of(0x40);
  if (ft.results.length === 1) return Uint8Array.of(ft.results[0]!);
  return new ByteWriter().sleb(BigInt(typeIndex({ params: [], results: ft.results }))).finish();
}

/** The original section's entries (raw bytes after its count) plus `extra` entries, with the new count. */
function appendEntries(mod: WasmModule, id: number, extra: readonly Uint8Array[]): SectionPayload {
  const w = new ByteWriter();
  const s = mod.sections.find((x) => x.id === id);
  let count = 0;
  let raw: Uint8Array = new Uint8Array(0);
  if (s !== undefined) {
    const r = new ByteReader(mod.bytes, s.start, s.end);
    count = r.u32();
    raw = mod.bytes.subarray(r.pos, s.end);
  }
  w.u32(count + extra.length).bytes(raw);
  for (const e of extra) w.bytes(e);
  return w.finish();
}

function vectorOfSized(items: readonly Uint8Array[]): SectionPayload {
  const w = new ByteWriter().u32(items.length);
  for (const e of items) w.sized(e);
  return w.finish();
}

function addedGlobals(mod: WasmModule, reusable: boolean): Uint8Array[] {
  const g = (type: number, init: Uint8Array, mutable = 1): Uint8Array =>
    new ByteWriter().u8(type).u8(mutable).bytes(init).u8(Op.end).finish();
  const out = [
    g(ValType.i64, Uint8Array.of(Op.i64Const, 0)), // gas left: 0 until the runtime sets the limit
    g(ValType.i64, Uint8Array.of(Op.i64Const, 0)), // gas exhausted: the unpaid cost, 0 = not exhausted
    g(ValType.i32, new ByteWriter().u8(Op.i32Const).sleb(BigInt(STACK_BUDGET_SLOTS)).finish()),
    g(ValType.i32, Uint8Array.of(Op.i32Const, 0)), // depth exceeded flag
  ];
  if (reusable) {
    out.push(g(ValType.i32, Uint8Array.of(Op.i32Const, 1), 0)); // the reusable marker
    out.push(...virtualGlobals(mod.memories[0]!.min));
  }
  return out;
}

function addedExports(mod: WasmModule, a: Added, virt: VirtualMemory | undefined): Uint8Array[] {
  const e = (name: string, kind: number, index: number): Uint8Array =>
    new ByteWriter().name(name).u8(kind).u32(index).finish();
  const out = [
    e(EXPORT_GAS_LEFT, 3, a.gasLeft),
    e(EXPORT_GAS_EXHAUSTED, 3, a.gasExhausted),
    e(EXPORT_STACK_LEFT, 3, a.stackLeft),
    e(EXPORT_DEPTH_EXCEEDED, 3, a.depthExceeded),
  ];
  // The runtime reads memory through a fixed export name; Secret does not require the export, so add it.
  if (mod.memories.length > 0 && !mod.exports.some((x) => x.name === EXPORT_MEMORY))
    out.push(e(EXPORT_MEMORY, 2, 0));
  // The contract's own mutable globals (e.g. the stack pointer), so a reused instance can be reset exactly.
  mod.globals.forEach((g, i) => {
    if (g.mutable && i >= mod.importedGlobalCount) out.push(e(`${EXPORT_GLOBAL_PREFIX}${i}`, 3, i));
  });
  if (virt) {
    out.push(e(EXPORT_REUSABLE, 3, a.depthExceeded + 1));
    out.push(e(EXPORT_MEMORY_PAGES, 3, virt.pages), e(EXPORT_MEMORY_BYTES, 3, virt.bytes));
    out.push(e(EXPORT_MEMORY_LOW, 3, virt.low));
  }
  return out;
}

/** Sets a defined memory's maximum to the runtime cap (or to its minimum when that is larger; see cache.ts). */
function cappedMemorySection(mod: WasmModule): SectionPayload | undefined {
  if (mod.memories.length !== 1 || mod.importedMemoryCount !== 0) return undefined;
  const min = mod.memories[0]!.min;
  return new ByteWriter().u32(1).u8(0x01).u32(min).u32(Math.max(min, RUNTIME_MAX_MEMORY_PAGES)).finish();
}

// --- function bodies ------------------------------------------------------------------------------

/** `if gas_left < cost { gas_exhausted = cost; unreachable } gas_left -= cost` (SN wasm3/gas.rs inject_metering). */
function emitCharge(w: ByteWriter, a: Added, cost: bigint): void {
  if (cost === 0n) return;
  w.u8(Op.globalGet).u32(a.gasLeft).u8(Op.i64Const).sleb(cost).u8(0x54); // i64.lt_u
  w.u8(Op.if)
    .u8(0x40)
    .u8(Op.i64Const)
    .sleb(cost)
    .u8(Op.globalSet)
    .u32(a.gasExhausted)
    .u8(Op.unreachable)
    .u8(Op.end);
  w.u8(Op.globalGet).u32(a.gasLeft).u8(Op.i64Const).sleb(cost).u8(0x7d); // i64.sub
  w.u8(Op.globalSet).u32(a.gasLeft);
}

/**
 * Consecutive charges with nothing between them (a sequence opening with `block`s) paid as one: `if gas_left
 * <u sum { the separate charges, in order; unreachable } gas_left -= sum`. The cold arm replays the separate
 * charges, so an out-of-gas leaves `gas_left` and `gas_exhausted` exactly as Secret's separate charges would
 * (one of them must trap, since their sum cannot be paid); the hot path is one check and one subtraction.
 */
function emitMergedCharge(w: ByteWriter, a: Added, costs: readonly bigint[]): void {
  const sum = costs.reduce((x, y) => x + y, 0n);
  w.u8(Op.globalGet).u32(a.gasLeft).u8(Op.i64Const).sleb(sum).u8(0x54); // i64.lt_u
  w.u8(Op.if).u8(0x40);
  for (const c of costs) emitCharge(w, a, c);
  w.u8(Op.unreachable).u8(Op.end);
  w.u8(Op.globalGet).u32(a.gasLeft).u8(Op.i64Const).sleb(sum).u8(0x7d); // i64.sub
  w.u8(Op.globalSet).u32(a.gasLeft);
}

function emitStackEnter(w: ByteWriter, a: Added, slots: number): void {
  w.u8(Op.globalGet).u32(a.stackLeft).u8(Op.i32Const).sleb(BigInt(slots)).u8(0x49); // i32.lt_u
  w.u8(Op.if)
    .u8(0x40)
    .u8(Op.i32Const)
    .u8(1)
    .u8(Op.globalSet)
    .u32(a.depthExceeded)
    .u8(Op.unreachable)
    .u8(Op.end);
  w.u8(Op.globalGet).u32(a.stackLeft).u8(Op.i32Const).sleb(BigInt(slots)).u8(0x6b); // i32.sub
  w.u8(Op.globalSet).u32(a.stackLeft);
}

function emitStackLeave(w: ByteWriter, a: Added, slots: number): void {
  w.u8(Op.globalGet).u32(a.stackLeft).u8(Op.i32Const).sleb(BigInt(slots)).u8(0x6a); // i32.add
  w.u8(Op.globalSet).u32(a.stackLeft);
}

/**
 * Rewrites one body as: stack check; `block (result …)` original body with `return` → `br <to wrapper>`,
 * a charge at the start of every sequence and a grow-meter call before each memory.grow; `end`; stack refund.
 * Branches to the function label now target the wrapper block, which has the same result type.
 * Unchanged instruction runs are copied in one piece; only insertion points break a run.
 *
 * A sequence's charge is emitted just before its first instruction that is not a `block` opener, so a
 * sequence that opens with `block`s (Rust emits `block block block … br_table` for every match) pays its own
 * and those blocks' charges with one check (`emitMergedCharge`): a block is entered unconditionally and nothing
 * runs between the openers, so every instruction, host call, trap and return sees exactly the gas Secret's
 * per-sequence charges leave, and an out-of-gas replays the separate charges (same globals at the trap).
 */
function meterBody(
  mod: WasmModule,
  code: CodeBody,
  an: BodyAnalysis,
  blockType: Uint8Array,
  k: Kit,
): Uint8Array {
  const src = mod.bytes;
  const w = new ByteWriter().bytes(
    k.virt ? localsWithScratch(src, code.start, code.exprStart) : src.subarray(code.start, code.exprStart),
  );
  const slots = FRAME_OVERHEAD_SLOTS + an.frameSlots;
  emitStackEnter(w, k.added, slots);
  w.u8(Op.block).bytes(blockType);
  const r = new ByteReader(src, code.exprStart, code.end);
  const ins = newInstr();
  const s = { seq: 0, depth: 0, pending: [an.seqCounts[0]!], copyFrom: code.exprStart }; // depth: blocks open inside the wrapper
  const nextCount = (): number => {
    const count = an.seqCounts[++s.seq];
    if (count === undefined) throw new WasmGateError("METERING", "sequence count mismatch");
    return count;
  };
  while (!r.atEnd()) {
    readInstr(r, ins);
    const op = ins.op;
    if (op === Op.block && s.pending.length > 0) {
      s.depth++;
      s.pending.push(nextCount()); // merged with the charge still pending at its sequence's start
      continue;
    }
    if (s.pending.length > 0) {
      w.bytes(src.subarray(s.copyFrom, ins.start)).bytes(k.chargeAll(s.pending));
      s.copyFrom = ins.start;
      s.pending = [];
    }
    if (op === Op.block || op === Op.loop || op === Op.if || op === Op.else) {
      if (op !== Op.else) s.depth++;
      s.pending = [nextCount()];
    } else if (op === Op.end) {
      if (s.depth-- > 0) continue;
      w.bytes(src.subarray(s.copyFrom, ins.end)); // closes the wrapper block
      emitStackLeave(w, k.added, slots);
      w.u8(Op.end);
      return w.finish();
    } else {
      s.copyFrom = rewriteInstr(w, k, src, ins, s.copyFrom, s.depth, an.frameSlots);
    }
  }
  throw new WasmGateError("METERING", "function body without final end");
}

/**
 * `return` → `br` to the wrapper, a grow-meter call before `memory.grow`, guarded memory accesses (virtualized
 * modules); anything else is left in the pending run. Returns where the pending copy run now starts.
 */
function rewriteInstr(
  w: ByteWriter,
  k: Kit,
  src: Uint8Array,
  ins: Instr,
  copyFrom: number,
  depth: number,
  scratch: number,
): number {
  const op = ins.op;
  if (op === Op.return) {
    w.bytes(src.subarray(copyFrom, ins.start)).u8(Op.br).u32(depth);
    return ins.end;
  }
  if (op === Op.memoryGrow) {
    w.bytes(src.subarray(copyFrom, ins.start)).u8(Op.call).u32(k.added.growMeter);
    if (!k.virt) return ins.start;
    w.u8(Op.call).u32(k.virt.grow);
    return ins.end;
  }
  if (k.virt && isMemoryOp(op)) {
    w.bytes(src.subarray(copyFrom, ins.start));
    return rewriteMemoryOp(w, k.virt, src, ins, scratch, k.guards) ? ins.start : ins.end;
  }
  return copyFrom;
}

/**
 * (pages: i32) -> i32: charges Secret's 28-gas meter-function entry, then pages × 8192 (pages sign-extended
 * as Secret does), and returns `pages` for the memory.grow that follows (SN wasm3/gas.rs create_memory_grow_meter).
 * When that cannot be paid it first charges 6 more (its metered out-of-gas arm), as Secret's output does.
 */
const GROW_METER_OOG_ARM_INSTRUCTIONS = 3;

function growMeterBody(k: Kit): Uint8Array {
  const a = k.added;
  const w = new ByteWriter().u32(1).u32(1).u8(ValType.i64); // one i64 local: the cost
  w.bytes(k.charge(Number(MEMORY_GROW_METER_INSTRUCTIONS)));
  w.u8(Op.localGet).u32(0).u8(0xac); // i64.extend_i32_s
  w.u8(Op.i64Const).sleb(MEMORY_GROW_GAS_PER_PAGE).u8(0x7e); // i64.mul
  w.u8(Op.localSet).u32(1);
  w.u8(Op.globalGet).u32(a.gasLeft).u8(Op.localGet).u32(1).u8(0x54); // i64.lt_u
  w.u8(Op.if).u8(0x40);
  // Secret's walrus pass also meters this function's own out-of-gas arm (3 instructions) before it traps.
  w.bytes(k.charge(GROW_METER_OOG_ARM_INSTRUCTIONS));
  w.u8(Op.localGet).u32(1).u8(Op.globalSet).u32(a.gasExhausted).u8(Op.unreachable).u8(Op.end);
  w.u8(Op.globalGet).u32(a.gasLeft).u8(Op.localGet).u32(1).u8(0x7d).u8(Op.globalSet).u32(a.gasLeft);
  w.u8(Op.localGet).u32(0).u8(Op.end);
  return w.finish();
}
