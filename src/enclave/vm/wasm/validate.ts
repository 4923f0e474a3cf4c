// Upload-time validation of a Secret Contract (DESIGN.md rule 5): the CosmWasm compatibility checks Secret
// runs when code is stored (SN cosmwasm/packages/sgx-vm/src/compatability.rs, worded as there), plus the
// checks Secret's enclave makes before running it (contract-engine/src/wasm3/), moved to upload time.
import type { BodyAnalysis } from "./analyze.js";
import { WasmGateError } from "./errors.js";
import { ValType } from "./instructions.js";
import {
  EXPORT_MEMORY,
  MAX_UPLOAD_MEMORY_PAGES,
  RESERVED_EXPORT_PREFIX,
  SUPPORTED_FEATURES,
} from "./limits.js";
import type { FuncType, WasmModule } from "./module.js";
import {
  EXPORT_REQUIRES_RANDOM,
  IMPORT_MODULE,
  INTERFACE_MARKER_V010,
  INTERFACE_MARKER_V1,
  ITERATOR_IMPORTS,
  REQUIRED_EXPORTS_V010,
  REQUIRED_EXPORTS_V1,
  SECRET_V010_IMPORTS,
  SECRET_V1_IMPORTS,
  type HostImport,
} from "./secretImports.js";

export type ContractInterface = "v1" | "v010";

/** Largest function table accepted (CosmWasm packages/vm/src/compatibility.rs `TABLE_SIZE_LIMIT`). */
export const MAX_TABLE_ELEMENTS = 2500;

export interface ValidationOptions {
  /** Accept v0.10 `debug_print` (Secret accepts it only in localsecret builds with `debug-print`). */
  readonly allowDebugPrint?: boolean;
}

export interface ContractShape {
  readonly interface: ContractInterface;
  /** The contract exports `requires_random` and so receives `env.block.random` (spec §9). */
  readonly requiresRandom: boolean;
  /** Features named by `requires_<feature>` function exports, sorted. */
  readonly features: readonly string[];
}

const rustList = (xs: readonly string[]): string => `[${xs.map((x) => JSON.stringify(x)).join(", ")}]`;

/** Throws a WasmGateError for the first rule the module breaks; returns what the runtime needs to know. */
export function validateContract(
  mod: WasmModule,
  analyses: readonly BodyAnalysis[],
  opts: ValidationOptions = {},
): ContractShape {
  checkMemory(mod);
  checkTables(mod);
  const features = checkFeatures(mod);
  const iface = detectInterface(mod);
  checkExports(mod, iface);
  checkImports(mod, iface, opts);
  if (mod.start !== undefined) {
    // Secret's enclave refuses these at instantiation (wasm3/validation.rs WasmModuleWithStart); refuse early.
    throw new WasmGateError("START_FUNCTION", "Wasm contract must not have a start function");
  }
  if (analyses.some((a) => a.floatAt >= 0)) {
    throw new WasmGateError("FLOATS", "found floating point operation in module code");
  }
  const requiresRandom = mod.exports.some((e) => e.name === EXPORT_REQUIRES_RANDOM);
  return { interface: iface, requiresRandom, features };
}

function checkMemory(mod: WasmModule): void {
  const defined = mod.memories.length - mod.importedMemoryCount;
  if (defined === 0) throw new WasmGateError("MEMORY", "Wasm contract doesn't have a memory section");
  if (mod.memories.length !== 1)
    throw new WasmGateError("MEMORY", "Wasm contract must contain exactly one memory");
  const mem = mod.memories[0]!;
  if (mem.min > MAX_UPLOAD_MEMORY_PAGES) {
    throw new WasmGateError(
      "MEMORY",
      `Wasm contract memory's minimum must not exceed ${MAX_UPLOAD_MEMORY_PAGES} pages.`,
    );
  }
  if (mem.max !== undefined) {
    throw new WasmGateError(
      "MEMORY",
      "Wasm contract memory's maximum must be unset. The host will set it for you.",
    );
  }
}

function checkTables(mod: WasmModule): void {
  if (mod.tables.length > 1)
    throw new WasmGateError("TOO_LARGE", "Wasm contract must not have more than one table");
  const t = mod.tables[0];
  if (t !== undefined && t.min > MAX_TABLE_ELEMENTS) {
    throw new WasmGateError(
      "TOO_LARGE",
      `Wasm contract's table must not exceed ${MAX_TABLE_ELEMENTS} entries`,
    );
  }
}

/** `requires_<x>` function exports name features (SN sgx-vm/src/features.rs); unknown ones are refused. */
function checkFeatures(mod: WasmModule): string[] {
  const prefix = "requires_";
  const required = [
    ...new Set(
      mod.exports
        .filter((e) => e.kind === "func" && e.name.startsWith(prefix) && e.name.length > prefix.length)
        .map((e) => e.name.slice(prefix.length)),
    ),
  ].sort();
  const unsupported = required.filter((f) => !SUPPORTED_FEATURES.includes(f));
  if (unsupported.length > 0) {
    const set = `{${unsupported.map((f) => JSON.stringify(f)).join(", ")}}`;
    throw new WasmGateError("FEATURES", `Wasm contract requires unsupported features: ${set}`);
  }
  return required;
}

/** The first interface marker export decides, as in Secret's enclave (wasm3/module_cache.rs analyze_module). */
function detectInterface(mod: WasmModule): ContractInterface {
  for (const e of mod.exports) {
    if (e.name === INTERFACE_MARKER_V1) return "v1";
    if (e.name === INTERFACE_MARKER_V010) return "v010";
  }
  throw new WasmGateError(
    "EXPORTS",
    `Wasm contract doesn't have required export: "${INTERFACE_MARKER_V1}" (CosmWasm v1) or ` +
      `"${INTERFACE_MARKER_V010}" (CosmWasm v0.10)`,
  );
}

function checkExports(mod: WasmModule, iface: ContractInterface): void {
  const required = iface === "v1" ? REQUIRED_EXPORTS_V1 : REQUIRED_EXPORTS_V010;
  for (const name of required) {
    const e = mod.exports.find((x) => x.name === name);
    if (e === undefined) {
      throw new WasmGateError(
        "EXPORTS",
        `Wasm contract doesn't have required export: "${name}". Exports required by VM: ${rustList(required)}.`,
      );
    }
    if (e.kind !== "func")
      throw new WasmGateError("EXPORTS", `Wasm contract export "${name}" must be a function`);
  }
  // The runtime reads memory through the export named "memory" (added when absent); it must be the memory.
  const memory = mod.exports.find((x) => x.name === EXPORT_MEMORY);
  if (memory !== undefined && memory.kind !== "memory") {
    throw new WasmGateError("EXPORTS", `Wasm contract export "${EXPORT_MEMORY}" must be its memory`);
  }
  const reserved = mod.exports.find((x) => x.name.startsWith(RESERVED_EXPORT_PREFIX));
  if (reserved !== undefined) {
    throw new WasmGateError("EXPORTS", `Wasm contract export "${reserved.name}" uses a reserved name`);
  }
}

function checkImports(mod: WasmModule, iface: ContractInterface, opts: ValidationOptions): void {
  const table = (iface === "v1" ? SECRET_V1_IMPORTS : SECRET_V010_IMPORTS).filter(
    (h) => h.debugOnly !== true || opts.allowDebugPrint === true,
  );
  const supported = table.map((h) => `${IMPORT_MODULE}.${h.name}`);
  for (const imp of mod.imports) {
    const full = `${imp.module}.${imp.name}`;
    const host = imp.module === IMPORT_MODULE ? table.find((h) => h.name === imp.name) : undefined;
    if (host === undefined) {
      if (imp.module === IMPORT_MODULE && ITERATOR_IMPORTS.includes(imp.name)) {
        throw new WasmGateError(
          "IMPORTS",
          `Wasm contract requires unsupported import: "${full}". Iterators are not supported: ` +
            "Secret Network offers no iteration over encrypted contract state.",
        );
      }
      throw new WasmGateError(
        "IMPORTS",
        `Wasm contract requires unsupported import: "${full}". Imports supported by VM: ${rustList(supported)}.`,
      );
    }
    if (imp.kind !== "func" || imp.typeIndex === undefined) {
      throw new WasmGateError(
        "IMPORTS",
        `Wasm contract requires non-function import: "${full}". Right now, all supported imports are functions.`,
      );
    }
    checkSignature(full, mod.types[imp.typeIndex]!, host);
  }
}

const typeName = (t: number): string =>
  t === ValType.i32 ? "i32" : t === ValType.i64 ? "i64" : `0x${t.toString(16)}`;
const sig = (params: readonly string[], results: readonly string[]): string =>
  `(${params.join(", ")}) -> (${results.join(", ")})`;

/** Secret's wasm3 refuses to link a host function whose signature differs; we refuse at upload instead. */
function checkSignature(full: string, ft: FuncType, host: HostImport): void {
  const got = sig(ft.params.map(typeName), ft.results.map(typeName));
  const want = sig(host.params, host.results);
  if (got !== want) {
    throw new WasmGateError(
      "IMPORTS",
      `Wasm contract import "${full}" has signature ${got}, expected ${want}`,
    );
  }
}
