// The gatekeeper's public surface for the VM runtime and the compute ECALLs: prepare uploaded code, cache
// compiled modules, and the names/limits the runtime must agree on. Everything else here is internal.
export { prepareCode, uncompressCode, isGzip, type PreparedCode } from "./prepare.js";
export {
  CompiledCodeCache,
  compileMetered,
  DEFAULT_CACHE_LIMITS,
  type CacheLimits,
  type CacheStats,
  type CompilableCode,
} from "./cache.js";
export { WasmGateError, type WasmGateErrorCode } from "./errors.js";
export {
  EXPORT_DEPTH_EXCEEDED,
  EXPORT_GAS_EXHAUSTED,
  EXPORT_GAS_LEFT,
  EXPORT_GLOBAL_PREFIX,
  EXPORT_MEMORY,
  EXPORT_MEMORY_BYTES,
  EXPORT_MEMORY_PAGES,
  EXPORT_REUSABLE,
  EXPORT_STACK_LEFT,
  FRAME_OVERHEAD_SLOTS,
  GAS_PER_INSTRUCTION,
  MAX_UPLOAD_MEMORY_PAGES,
  MAX_WASM_SIZE,
  MEMORY_GROW_GAS_PER_PAGE,
  RUNTIME_MAX_MEMORY_PAGES,
  STACK_BUDGET_SLOTS,
  SUPPORTED_FEATURES,
} from "./limits.js";
export {
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
  type WasmValType,
} from "./secretImports.js";
export type { ContractInterface, ValidationOptions } from "./validate.js";
