// The host functions a Secret Contract may import, per CosmWasm interface, with their wasm signatures.
// One table for the upload check (here) and for the runtime that links them (../imports.ts).
// Names and the per-interface sets: SN cosmwasm/packages/sgx-vm/src/compatability.rs SUPPORTED_IMPORTS_V010 /
// SUPPORTED_IMPORTS_V1. Signatures: SN contract-engine/src/wasm3/mod.rs host_* functions (what the enclave
// links) and the older wasmi resolver in the same enclave; dcap_quote_verify per secret-cosmwasm-std.

export type WasmValType = "i32" | "i64";

export interface HostImport {
  /** Import name in module "env". */
  readonly name: string;
  readonly params: readonly WasmValType[];
  readonly results: readonly WasmValType[];
  /** Accepted at upload only when the chain runs with debug printing enabled (localsecret's `debug-print`). */
  readonly debugOnly?: true;
}

const i32 = "i32";
const i64 = "i64";
const imp = (name: string, params: WasmValType[], results: WasmValType[]): HostImport => ({
  name,
  params,
  results,
});

/** Import module name every Secret import lives in. */
export const IMPORT_MODULE = "env";

/** CosmWasm v1 (`interface_version_8`) imports Secret provides (no iterators: db_scan/db_next are refused). */
export const SECRET_V1_IMPORTS: readonly HostImport[] = [
  imp("db_read", [i32], [i32]),
  imp("db_write", [i32, i32], []),
  imp("db_remove", [i32], []),
  imp("addr_validate", [i32], [i32]),
  imp("addr_canonicalize", [i32, i32], [i32]),
  imp("addr_humanize", [i32, i32], [i32]),
  imp("secp256k1_verify", [i32, i32, i32], [i32]),
  imp("secp256k1_recover_pubkey", [i32, i32, i32], [i64]),
  imp("secp256k1_sign", [i32, i32], [i64]),
  imp("ed25519_verify", [i32, i32, i32], [i32]),
  imp("ed25519_batch_verify", [i32, i32, i32], [i32]),
  imp("ed25519_sign", [i32, i32], [i64]),
  imp("dcap_quote_verify", [i32, i32], [i64]),
  imp("debug", [i32], []),
  imp("query_chain", [i32], [i32]),
  imp("gas_evaporate", [i32], [i32]),
  imp("check_gas", [], [i64]),
];

/** CosmWasm v0.10 (`cosmwasm_vm_version_3`) imports Secret provides. */
export const SECRET_V010_IMPORTS: readonly HostImport[] = [
  imp("db_read", [i32], [i32]),
  imp("db_write", [i32, i32], []),
  imp("db_remove", [i32], []),
  imp("canonicalize_address", [i32, i32], [i32]),
  imp("humanize_address", [i32, i32], [i32]),
  imp("query_chain", [i32], [i32]),
  imp("secp256k1_verify", [i32, i32, i32], [i32]),
  imp("secp256k1_recover_pubkey", [i32, i32, i32], [i64]),
  imp("secp256k1_sign", [i32, i32], [i64]),
  imp("ed25519_verify", [i32, i32, i32], [i32]),
  imp("ed25519_batch_verify", [i32, i32, i32], [i32]),
  imp("ed25519_sign", [i32, i32], [i64]),
  { ...imp("debug_print", [i32], []), debugOnly: true },
];

/** CosmWasm iterator imports: Secret offers no iteration over encrypted state, so these are refused. */
export const ITERATOR_IMPORTS: readonly string[] = ["db_scan", "db_next"];

/** Exports each interface requires (SN compatability.rs REQUIRED_EXPORTS_V010 / REQUIRED_EXPORTS_V1). */
export const REQUIRED_EXPORTS_V1: readonly string[] = [
  "interface_version_8",
  "allocate",
  "deallocate",
  "instantiate",
];
export const REQUIRED_EXPORTS_V010: readonly string[] = [
  "cosmwasm_vm_version_3",
  "query",
  "init",
  "handle",
  "allocate",
  "deallocate",
];

/** Interface marker exports (SN contract-engine/src/cosmwasm_config.rs `api_marker`). */
export const INTERFACE_MARKER_V1 = "interface_version_8";
export const INTERFACE_MARKER_V010 = "cosmwasm_vm_version_3";

/** Export that opts a contract into `env.block.random` (spec §9; SN cosmwasm_config.rs `features::RANDOM`). */
export const EXPORT_REQUIRES_RANDOM = "requires_random";
