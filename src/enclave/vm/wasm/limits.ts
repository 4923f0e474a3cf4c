// Every limit and gas constant the gatekeeper applies, with where it comes from (DESIGN.md rule 4).

/** Largest uncompressed code accepted (SN x/compute/internal/types/validation.go `MaxWasmSize`, spec §10). */
export const MAX_WASM_SIZE = 2 * 1024 * 1024;

/** Upload-time cap on the declared memory minimum (SN cosmwasm/packages/sgx-vm/src/compatability.rs `MEMORY_LIMIT`). */
export const MAX_UPLOAD_MEMORY_PAGES = 512;

/**
 * Runtime cap on linear memory: 192 pages = 12 MiB. Secret's enclave rejects a larger initial memory at
 * instantiation and sets the memory maximum to this value (SN contract-engine/src/wasm3/validation.rs
 * `maximum_allowed_pages`, wasm3/mod.rs `new_runtime(.., Some(192))`). We write it into the
 * metered module's memory maximum, so `memory.grow` past it returns -1 deterministically.
 */
export const RUNTIME_MAX_MEMORY_PAGES = 192;

/** VM gas per wasm instruction (SN contract-engine/src/wasm3/gas.rs `instruction_cost` returns 2). */
export const GAS_PER_INSTRUCTION = 2n;

/** VM gas per page passed to `memory.grow` (SN contract-engine/src/gas.rs `WasmCosts::default().grow_mem`). */
export const MEMORY_GROW_GAS_PER_PAGE = 8192n;

/**
 * Instructions in Secret's memory-grow meter function body (SN wasm3/gas.rs `create_memory_grow_meter`: 14
 * walrus instructions). Walrus meters that function like any other, so every `memory.grow` also costs
 * 14 × 2 = 28 gas on Secret; we charge the same.
 */
export const MEMORY_GROW_METER_INSTRUCTIONS = 14n;

/**
 * Deterministic call-stack budget, in 8-byte "slots". Each call charges FRAME_OVERHEAD_SLOTS + params +
 * declared locals on entry and refunds them on exit. Secret's limit is wasm3's 60 KiB interpreter stack
 * (SN wasm3/mod.rs `new_runtime(1024 * 60, ..)`), which we cannot reproduce slot for slot; this budget is
 * our own: measured V8 (Node 20, Liftoff) frames cost about 64 bytes + 8.3 bytes per local, so 32,768 slots
 * stay under ~300 KiB of V8 stack, far below V8's ~984 KiB default, leaving room for host-function frames.
 * A tiny recursive function reaches a depth of about 3,600 before the limit trips.
 */
export const STACK_BUDGET_SLOTS = 32_768;
export const FRAME_OVERHEAD_SLOTS = 8;

/** Features a contract may require through a `requires_<feature>` export (SN app/keepers/keepers.go). */
export const SUPPORTED_FEATURES: readonly string[] = ["ibc3", "random", "stargate", "staking"];

/** Exports the metered module adds; contracts may not use these names. */
export const EXPORT_GAS_LEFT = "shroud_gas_left";
export const EXPORT_GAS_EXHAUSTED = "shroud_gas_exhausted";
export const EXPORT_STACK_LEFT = "shroud_stack_left";
export const EXPORT_DEPTH_EXCEEDED = "shroud_depth_exceeded";
export const EXPORT_MEMORY = "memory";
/**
 * Every mutable global the contract defines is also exported as `shroud_global_<index>` so the runtime can
 * restore it when it reuses an instance (../pool.ts); the contract's own indices and exports are unchanged.
 */
export const EXPORT_GLOBAL_PREFIX = "shroud_global_";
/**
 * Exported (immutable i32 = 1) only when no function body can change an instance's tables or drop a segment
 * (`table.set/grow/fill/copy/init`, `elem.drop`, `data.drop`): then memory + globals are an instance's whole
 * mutable state and the runtime may reset and reuse it.
 */
export const EXPORT_REUSABLE = "shroud_reusable";
/** A reusable module's contract-visible memory size, in pages (i32) and bytes (i64) (./virtualMemory.ts). */
export const EXPORT_MEMORY_PAGES = "shroud_memory_pages";
export const EXPORT_MEMORY_BYTES = "shroud_memory_bytes";
/** A reusable module's lowest written address (i32, unsigned; -1 = nothing written): resets start there. */
export const EXPORT_MEMORY_LOW = "shroud_memory_low";
export const RESERVED_EXPORT_PREFIX = "shroud_";
