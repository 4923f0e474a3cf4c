// Wasm module reader: the section structure and the declarations the gatekeeper needs (types, imports,
// functions, tables, memories, globals, exports, start, element/data counts, code bodies). Section payloads
// we never change are kept as byte ranges so the writer can copy them verbatim.
import { ByteReader } from "./bytesio.js";
import { WasmGateError, malformed } from "./errors.js";
import { readValType, type ValTypeByte } from "./instructions.js";
import { readDataSegment, readElementSegment, skipConstExpr } from "./segments.js";

export const WASM_MAGIC = Uint8Array.of(0x00, 0x61, 0x73, 0x6d);
export const WASM_VERSION = Uint8Array.of(0x01, 0x00, 0x00, 0x00);

/** Section ids (§5.5.2) and the order they must appear in (custom sections may appear anywhere). */
export const SectionId = {
  custom: 0,
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  start: 8,
  element: 9,
  code: 10,
  data: 11,
  dataCount: 12,
} as const;
const SECTION_ORDER = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 10, 11]; // position of each id in the required order

export type ExternKind = "func" | "table" | "memory" | "global";
const KIND_BY_BYTE: readonly ExternKind[] = ["func", "table", "memory", "global"];

export interface FuncType {
  readonly params: readonly ValTypeByte[];
  readonly results: readonly ValTypeByte[];
}
export interface Limits {
  readonly min: number;
  readonly max: number | undefined;
}
export interface Import {
  readonly module: string;
  readonly name: string;
  readonly kind: ExternKind;
  /** Type index for functions; undefined otherwise. */
  readonly typeIndex: number | undefined;
}
export interface Export {
  readonly name: string;
  readonly kind: ExternKind;
  readonly index: number;
}
export interface GlobalType {
  readonly type: ValTypeByte;
  readonly mutable: boolean;
}
export interface CodeBody {
  /** Declared locals (after the parameters), in order. */
  readonly localTypes: readonly ValTypeByte[];
  /** Byte range of the whole body entry payload (locals + expression) in the module bytes. */
  readonly start: number;
  readonly end: number;
  /** Offset where the locals declarations end and the instructions begin. */
  readonly exprStart: number;
}
export interface SectionRange {
  readonly id: number;
  /** Payload range (after the id and size). */
  readonly start: number;
  readonly end: number;
}

export interface WasmModule {
  readonly bytes: Uint8Array;
  readonly sections: readonly SectionRange[];
  readonly types: readonly FuncType[];
  readonly imports: readonly Import[];
  /** Type index of every function: imported ones first, then the module's own. */
  readonly funcTypes: readonly number[];
  readonly importedFuncCount: number;
  readonly tables: readonly Limits[];
  /** Every memory, imported ones first; `importedMemoryCount` of them are imports. */
  readonly memories: readonly Limits[];
  readonly importedMemoryCount: number;
  /** Every global, imported ones first. */
  readonly globals: readonly GlobalType[];
  readonly importedGlobalCount: number;
  readonly exports: readonly Export[];
  readonly start: number | undefined;
  readonly elementCount: number;
  readonly dataCount: number;
  readonly codes: readonly CodeBody[];
}

/** Our own limits on declarations, checked while parsing (V8's are higher; these keep allocation bounded). */
export const MAX_LOCALS_PER_FUNCTION = 50_000; // V8's kV8MaxWasmFunctionLocals
export const MAX_PARAMS = 1_000; // V8's kV8MaxWasmFunctionParams

interface Builder {
  types: FuncType[];
  imports: Import[];
  funcTypes: number[];
  importedFuncCount: number;
  tables: Limits[];
  memories: Limits[];
  importedMemoryCount: number;
  globals: GlobalType[];
  importedGlobalCount: number;
  exports: Export[];
  start: number | undefined;
  elementCount: number;
  dataCount: number;
  declaredDataCount: number | undefined;
  codes: CodeBody[];
}

/** Parses a wasm binary; throws WasmGateError (MALFORMED / UNSUPPORTED_FEATURE) on anything it cannot read. */
export function parseModule(bytes: Uint8Array): WasmModule {
  const r = new ByteReader(bytes);
  if (bytes.length < 8 || !prefixEquals(bytes, 0, WASM_MAGIC)) throw malformed(0, "missing \\0asm magic");
  if (!prefixEquals(bytes, 4, WASM_VERSION)) throw malformed(4, "unsupported wasm version");
  r.pos = 8;
  const b: Builder = {
    types: [],
    imports: [],
    funcTypes: [],
    importedFuncCount: 0,
    tables: [],
    memories: [],
    importedMemoryCount: 0,
    globals: [],
    importedGlobalCount: 0,
    exports: [],
    start: undefined,
    elementCount: 0,
    dataCount: 0,
    declaredDataCount: undefined,
    codes: [],
  };
  const sections: SectionRange[] = [];
  let lastOrder = 0;
  let declaredFuncCount = 0;
  while (!r.atEnd()) {
    const at = r.pos;
    const id = r.u8();
    const size = r.u32();
    if (size > r.remaining) throw malformed(at, `section ${id} size ${size} exceeds module`);
    const order = SECTION_ORDER.indexOf(id);
    if (order < 0) throw malformed(at, `unknown section id ${id}`);
    if (id !== SectionId.custom) {
      if (order <= lastOrder) throw malformed(at, `section ${id} out of order or duplicated`);
      lastOrder = order;
    }
    const s = new ByteReader(bytes, r.pos, r.pos + size);
    if (id === SectionId.function) declaredFuncCount = readFunctionSection(s, b);
    else readSection(id, s, b);
    if (!s.atEnd()) throw malformed(s.pos, `section ${id} has ${s.remaining} trailing bytes`);
    sections.push({ id, start: r.pos, end: r.pos + size });
    r.pos += size;
  }
  if (b.codes.length !== declaredFuncCount) {
    throw malformed(
      bytes.length,
      `function section declares ${declaredFuncCount} bodies, code has ${b.codes.length}`,
    );
  }
  if (b.declaredDataCount !== undefined && b.declaredDataCount !== b.dataCount) {
    throw malformed(bytes.length, "data count section disagrees with data section");
  }
  return { bytes, sections, ...b };
}

function prefixEquals(bytes: Uint8Array, at: number, expect: Uint8Array): boolean {
  for (let i = 0; i < expect.length; i++) if (bytes[at + i] !== expect[i]) return false;
  return true;
}

function readSection(id: number, s: ByteReader, b: Builder): void {
  switch (id) {
    case SectionId.custom:
      s.name(); // custom section name must be valid UTF-8; the payload is ignored
      s.pos = s.end;
      return;
    case SectionId.type: {
      readTypeSection(s, b);
      return;
    }
    case SectionId.import: {
      readImportSection(s, b);
      return;
    }
    case SectionId.table: {
      repeat(s, "table", () => b.tables.push(readTableType(s)));
      return;
    }
    case SectionId.memory: {
      repeat(s, "memory", () => b.memories.push(readLimits(s)));
      return;
    }
    case SectionId.global: {
      repeat(s, "global", () => {
        b.globals.push(readGlobalType(s));
        skipConstExpr(s);
      });
      return;
    }
    case SectionId.export: {
      readExportSection(s, b);
      return;
    }
    case SectionId.start:
      b.start = checkIndex(s, s.u32(), b.funcTypes.length, "start function");
      return;
    case SectionId.element: {
      repeat(s, "element segment", () => {
        readElementSegment(s);
        b.elementCount++;
      });
      return;
    }
    case SectionId.dataCount:
      b.declaredDataCount = s.u32();
      return;
    case SectionId.code: {
      readCodeSection(s, b);
      return;
    }
    case SectionId.data: {
      repeat(s, "data segment", () => {
        readDataSegment(s);
        b.dataCount++;
      });
      return;
    }
  }
}

function repeat(s: ByteReader, what: string, each: () => void): void {
  const n = s.count(what);
  for (let i = 0; i < n; i++) each();
}

function checkIndex(s: ByteReader, index: number, count: number, what: string): number {
  if (index >= count) throw malformed(s.pos, `${what} index ${index} out of range (${count})`);
  return index;
}

function readTypeSection(s: ByteReader, b: Builder): void {
  repeat(s, "type", () => {
    const at = s.pos;
    if (s.u8() !== 0x60) throw malformed(at, "expected function type (0x60)");
    const params = readValTypes(s, "param");
    const results = readValTypes(s, "result");
    b.types.push({ params, results });
  });
}

function readValTypes(s: ByteReader, what: string): ValTypeByte[] {
  const n = s.count(what);
  if (n > MAX_PARAMS)
    throw new WasmGateError("TOO_LARGE", `function type has ${n} ${what}s (max ${MAX_PARAMS})`);
  const out: ValTypeByte[] = [];
  for (let i = 0; i < n; i++) out.push(readValType(s));
  return out;
}

function readImportSection(s: ByteReader, b: Builder): void {
  repeat(s, "import", () => {
    const module = s.name();
    const name = s.name();
    const at = s.pos;
    const kind = KIND_BY_BYTE[s.u8()];
    let typeIndex: number | undefined;
    if (kind === "func") {
      typeIndex = checkIndex(s, s.u32(), b.types.length, "type");
      b.funcTypes.push(typeIndex);
      b.importedFuncCount++;
    } else if (kind === "table") b.tables.push(readTableType(s));
    else if (kind === "memory") {
      b.memories.push(readLimits(s));
      b.importedMemoryCount++;
    } else if (kind === "global") {
      b.globals.push(readGlobalType(s));
      b.importedGlobalCount++;
    } else throw malformed(at, "unknown import kind");
    b.imports.push({ module, name, kind, typeIndex });
  });
}

function readFunctionSection(s: ByteReader, b: Builder): number {
  const n = s.count("function");
  for (let i = 0; i < n; i++) b.funcTypes.push(checkIndex(s, s.u32(), b.types.length, "type"));
  return n;
}

function readLimits(s: ByteReader): Limits {
  const at = s.pos;
  const flags = s.u8();
  if (flags === 0x00) return { min: s.u32(), max: undefined };
  if (flags === 0x01) {
    const min = s.u32();
    const max = s.u32();
    if (max < min) throw malformed(at, "limits maximum below minimum");
    return { min, max };
  }
  if (flags === 0x02 || flags === 0x03)
    throw new WasmGateError("UNSUPPORTED_FEATURE", "shared memory is not supported");
  if (flags >= 0x04 && flags <= 0x07)
    throw new WasmGateError("UNSUPPORTED_FEATURE", "memory64 is not supported");
  throw malformed(at, "bad limits flags");
}

function readTableType(s: ByteReader): Limits {
  const at = s.pos;
  const t = s.u8();
  if (t !== 0x70 && t !== 0x6f) throw malformed(at, "bad table element type");
  return readLimits(s);
}

function readGlobalType(s: ByteReader): GlobalType {
  const type = readValType(s);
  const at = s.pos;
  const m = s.u8();
  if (m > 1) throw malformed(at, "bad global mutability");
  return { type, mutable: m === 1 };
}

function readExportSection(s: ByteReader, b: Builder): void {
  const seen = new Set<string>();
  repeat(s, "export", () => {
    const name = s.name();
    const at = s.pos;
    const kind = KIND_BY_BYTE[s.u8()];
    if (kind === undefined) throw malformed(at, "unknown export kind");
    const index = s.u32();
    if (seen.has(name)) throw malformed(at, `duplicate export "${name}"`);
    seen.add(name);
    b.exports.push({ name, kind, index });
  });
}

function readCodeSection(s: ByteReader, b: Builder): void {
  repeat(s, "code body", () => {
    const size = s.u32();
    if (size > s.remaining) throw malformed(s.pos, "code body exceeds section");
    const start = s.pos;
    const end = start + size;
    const body = new ByteReader(s.buf, start, end);
    const localTypes: ValTypeByte[] = [];
    const groups = body.count("local group");
    for (let i = 0; i < groups; i++) {
      const n = body.u32();
      if (localTypes.length + n > MAX_LOCALS_PER_FUNCTION) {
        throw new WasmGateError("TOO_LARGE", `function declares more than ${MAX_LOCALS_PER_FUNCTION} locals`);
      }
      const t = readValType(body);
      for (let j = 0; j < n; j++) localTypes.push(t);
    }
    b.codes.push({ localTypes, start, end, exprStart: body.pos });
    s.pos = end;
  });
}
