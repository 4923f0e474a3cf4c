// Readers for constant expressions and element/data segments (WebAssembly core spec §5.5.12, §5.5.14,
// bulk-memory and reference-types encodings). The gatekeeper never changes segments; it only has to walk them.
import { type ByteReader } from "./bytesio.js";
import { WasmGateError, malformed } from "./errors.js";
import { Op, newInstr, readInstr } from "./instructions.js";

/** Constant expressions (§3.3.10): a short instruction sequence ending in `end`; we only need to skip it. */
export function skipConstExpr(s: ByteReader): void {
  const instr = newInstr();
  for (let n = 0; n < 64; n++) {
    readInstr(s, instr);
    if (instr.op === Op.end) return;
    if (instr.op === Op.block || instr.op === Op.loop || instr.op === Op.if) break;
  }
  throw malformed(s.pos, "bad constant expression");
}

/** Element segments, all eight encodings of the bulk-memory/reference-types proposals (§5.5.12). */
export function readElementSegment(s: ByteReader): void {
  const at = s.pos;
  const flags = s.u32();
  if (flags > 7) throw malformed(at, "bad element segment flags");
  const passiveOrDeclared = (flags & 1) !== 0;
  const explicitTable = (flags & 2) !== 0;
  const usesExprs = (flags & 4) !== 0;
  if (!passiveOrDeclared && explicitTable) s.u32(); // table index
  if (!passiveOrDeclared) skipConstExpr(s); // offset
  if (passiveOrDeclared || explicitTable) {
    const kindAt = s.pos;
    const k = s.u8(); // elemkind 0x00, or a reftype when expressions are used
    if (usesExprs ? k !== 0x70 && k !== 0x6f : k !== 0x00) throw malformed(kindAt, "bad element kind");
  }
  const n = s.count("element");
  for (let i = 0; i < n; i++) {
    if (usesExprs) skipConstExpr(s);
    else s.u32();
  }
}

export function readDataSegment(s: ByteReader): void {
  const at = s.pos;
  const flags = s.u32();
  if (flags === 2) {
    if (s.u32() !== 0) throw new WasmGateError("UNSUPPORTED_FEATURE", "multiple memories are not supported");
  } else if (flags !== 0 && flags !== 1) throw malformed(at, "bad data segment flags");
  if (flags !== 1) skipConstExpr(s);
  s.bytes(s.u32());
}
