// Module writer: re-emits a parsed module's sections in canonical order, substituting rebuilt payloads and
// copying the rest verbatim. Custom sections (names, producers, debug info) are dropped: nothing at run
// time reads them, and they only make the compiled artifact larger.
import { ByteWriter } from "./bytesio.js";
import { SectionId, WASM_MAGIC, WASM_VERSION, type WasmModule } from "./module.js";

/** A section's payload (what follows its id and size). */
export type SectionPayload = Uint8Array;

/** Canonical order of the non-custom sections (WebAssembly core spec §5.5.2; data count precedes code). */
const CANONICAL_ORDER: readonly number[] = [
  SectionId.type,
  SectionId.import,
  SectionId.function,
  SectionId.table,
  SectionId.memory,
  SectionId.global,
  SectionId.export,
  SectionId.start,
  SectionId.element,
  SectionId.dataCount,
  SectionId.code,
  SectionId.data,
];

export function encodeModule(mod: WasmModule, replaced: ReadonlyMap<number, SectionPayload>): Uint8Array {
  const w = new ByteWriter().bytes(WASM_MAGIC).bytes(WASM_VERSION);
  for (const id of CANONICAL_ORDER) {
    const payload = replaced.get(id);
    if (payload !== undefined) {
      w.u8(id).sized(payload);
      continue;
    }
    const s = mod.sections.find((x) => x.id === id);
    if (s !== undefined) w.u8(id).sized(mod.bytes.subarray(s.start, s.end));
  }
  return w.finish();
}
