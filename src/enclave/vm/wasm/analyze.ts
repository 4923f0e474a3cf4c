// First pass over a function body: checks block nesting and index ranges, finds floating-point use the way
// Secret's walrus `has_floats` does, and counts the instructions of every instruction sequence (the
// function body and each block/loop/if/else arm), which is what Secret's metering charges per "block".
import { ByteReader } from "./bytesio.js";
import { malformed } from "./errors.js";
import {
  Op,
  isFloatOp,
  isFloatType,
  newInstr,
  readInstr,
  type Instr,
  type ValTypeByte,
} from "./instructions.js";
import type { CodeBody, WasmModule } from "./module.js";

export interface BodyAnalysis {
  /**
   * Metered instruction count of each instruction sequence, in the order the sequences open in the body:
   * [0] is the function body, then one entry per block/loop/if header and per else.
   */
  readonly seqCounts: readonly number[];
  /** Byte offset of the first floating-point use, or -1. */
  readonly floatAt: number;
  /** Parameters plus declared locals (the frame size charged against the stack budget). */
  readonly frameSlots: number;
  /** True when the body changes a table or a segment, or uses memory.init: instances are then not reusable. */
  readonly mutatesTablesOrSegments: boolean;
}

/**
 * Instructions after which a reset of memory and globals would not give a fresh instance (WebAssembly core spec
 * §5.4.6, §5.4.7): table.set, data.drop, table.init, elem.drop, table.copy, table.grow, table.fill change tables
 * or segments; memory.init is bounds-checked against the real memory size, which the virtual size does not guard.
 */
const TABLE_OR_SEGMENT_MUTATORS: ReadonlySet<number> = new Set([
  0x26, 0xfc08, 0xfc09, 0xfc0c, 0xfc0d, 0xfc0e, 0xfc0f, 0xfc11,
]);

interface Frame {
  readonly seq: number;
  readonly isIf: boolean;
  /** Set after br/br_table/return/unreachable: walrus drops the rest of the sequence as dead code. */
  dead: boolean;
}

/** Instructions that end a sequence's reachable part (walrus `ctx.unreachable()`). */
function endsReachable(op: number): boolean {
  return op === Op.br || op === Op.brTable || op === Op.return || op === Op.unreachable;
}

export function analyzeBody(mod: WasmModule, funcIndex: number, code: CodeBody): BodyAnalysis {
  const type = mod.types[mod.funcTypes[funcIndex]!]!;
  const localTypes: readonly ValTypeByte[] = [...type.params, ...code.localTypes];
  // walrus flags a local function whose parameters are floats, even if they are never read.
  let floatAt = type.params.some(isFloatType) ? code.start : -1;
  const r = new ByteReader(mod.bytes, code.exprStart, code.end);
  const counts: number[] = [0];
  const frames: Frame[] = [{ seq: 0, isIf: false, dead: false }];
  const ins = newInstr();
  let mutates = false;
  while (frames.length > 0) {
    readInstr(r, ins);
    if (TABLE_OR_SEGMENT_MUTATORS.has(ins.op)) mutates = true;
    const top = frames[frames.length - 1]!;
    if (!top.dead && floatAt < 0 && usesFloat(mod, localTypes, ins)) floatAt = ins.start;
    checkIndices(mod, localTypes.length, frames.length, ins);
    switch (ins.op) {
      case Op.nop:
        break; // walrus emits no instruction for nop
      case Op.block:
      case Op.loop:
      case Op.if:
        if (!top.dead) counts[top.seq]!++;
        frames.push({ seq: counts.length, isIf: ins.op === Op.if, dead: false });
        counts.push(0);
        break;
      case Op.else:
        if (!top.isIf) throw malformed(ins.start, "else without if");
        frames.pop();
        frames.push({ seq: counts.length, isIf: false, dead: false });
        counts.push(0);
        break;
      case Op.end:
        frames.pop();
        break;
      default:
        if (!top.dead) counts[top.seq]!++;
        if (endsReachable(ins.op)) top.dead = true;
    }
  }
  if (!r.atEnd()) throw malformed(r.pos, "bytes after the function's final end");
  return {
    seqCounts: counts,
    floatAt,
    frameSlots: localTypes.length,
    mutatesTablesOrSegments: mutates,
  };
}

/** What walrus `block_has_floats` flags: float ops, float locals/globals accessed, float typed select. */
function usesFloat(mod: WasmModule, localTypes: readonly ValTypeByte[], ins: Instr): boolean {
  if (isFloatOp(ins.op)) return true;
  switch (ins.op) {
    case Op.localGet:
    case Op.localSet:
    case Op.localTee: {
      const t = localTypes[ins.imm];
      return t !== undefined && isFloatType(t);
    }
    case Op.globalGet:
    case Op.globalSet: {
      const g = mod.globals[ins.imm];
      return g !== undefined && isFloatType(g.type);
    }
    case Op.selectT:
      for (const t of ins.list) if (isFloatType(t)) return true;
      return false;
    default:
      return false;
  }
}

/** Index checks the instrumentation relies on; full type checking is left to WebAssembly.validate. */
function checkIndices(mod: WasmModule, localCount: number, depth: number, ins: Instr): void {
  const what = badIndex(mod, localCount, depth, ins);
  if (what !== undefined) throw malformed(ins.start, `${what} index out of range`);
}

function badIndex(mod: WasmModule, localCount: number, depth: number, ins: Instr): string | undefined {
  switch (ins.op) {
    case Op.br:
    case Op.brIf:
      return ins.imm >= depth ? "branch depth" : undefined;
    case Op.brTable:
      for (const d of ins.list) if (d >= depth) return "branch depth";
      return undefined;
    case Op.localGet:
    case Op.localSet:
    case Op.localTee:
      return ins.imm >= localCount ? "local" : undefined;
    case Op.globalGet:
    case Op.globalSet:
      return ins.imm >= mod.globals.length ? "global" : undefined;
    case Op.call:
    case Op.refFunc:
      return ins.imm >= mod.funcTypes.length ? "function" : undefined;
    case Op.callIndirect:
      if (ins.imm >= mod.types.length) return "type";
      return ins.imm2 >= mod.tables.length ? "table" : undefined;
    case Op.block:
    case Op.loop:
    case Op.if:
      return ins.imm >= mod.types.length ? "block type" : undefined;
    default:
      return undefined;
  }
}
