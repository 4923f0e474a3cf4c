// The host functions a Secret contract imports from "env" (SN contract-engine/src/wasm3/mod.rs
// `link_host_functions`; secret-cosmwasm-std imports.rs). Every import follows one recipe (DESIGN.md
// rule 4): charge gas → read regions with a named maximum → call the backend → charge → write back.
// Return conventions are Secret's: 0 = ok, otherwise a region pointer with an error message (address
// functions) or a crypto error code (crypto functions); u64 returns put an error code in the high half
// and a region pointer in the low half.
import { utf8 } from "../../util/bytes.js";
import { VmError } from "./errors.js";
import { HOST_GAS, type GasMeter } from "./gas.js";
import {
  MAX_COUNT_ED25519_BATCH,
  MAX_LENGTH_ABORT,
  MAX_LENGTH_CANONICAL_ADDRESS,
  MAX_LENGTH_DB_KEY,
  MAX_LENGTH_DB_VALUE,
  MAX_LENGTH_DEBUG,
  MAX_LENGTH_ED25519_MESSAGE,
  MAX_LENGTH_HUMAN_ADDRESS,
  MAX_LENGTH_QUERY_CHAIN_REQUEST,
  decodeSections,
  readRegion,
  viewRegion,
  writeRegion,
  writeRegionUtf8,
} from "./memory.js";
import { cryptoImports } from "./cryptoImports.js";
import type { Backend, GasInfo } from "./backend.js";
import type { WasmImports, WasmMemory } from "./webassembly.js";

/** What the imports need from the running instance; filled in once the instance exists. */
export interface HostEnv {
  readonly backend: Backend;
  readonly gas: GasMeter;
  /** Queries may not write (spec secret-protocol §6.3). */
  readonly readonly: boolean;
  /** Receives `debug` output; undefined drops it (Secret only prints with the debug-print feature). */
  readonly debugSink: ((message: string) => void) | undefined;
  memory(): WasmMemory;
  /** Allocates `size` bytes in the contract and returns the Region pointer. */
  allocate(size: number): number;
}

/** Allocates a region in the contract, writes `data` into it and returns the pointer. */
export function writeToContract(
  env: Pick<HostEnv, "allocate" | "memory">,
  data: Uint8Array,
  field: string,
): number {
  const ptr = env.allocate(data.length);
  writeRegion(env.memory(), ptr, data, field);
  return ptr;
}

/** As `writeToContract(env, utf8.encode(text), field)`, encoding straight into the contract's region. */
export function writeUtf8ToContract(
  env: Pick<HostEnv, "allocate" | "memory">,
  text: string,
  field: string,
): number {
  const n = utf8.byteLength(text);
  const ptr = env.allocate(n);
  writeRegionUtf8(env.memory(), ptr, text, n, field);
  return ptr;
}

function read(env: HostEnv, ptr: number, max: number, field: string): Uint8Array {
  return readRegion(env.memory(), ptr >>> 0, max, field);
}

function chargeBackend(env: HostEnv, gas: GasInfo): void {
  env.gas.charge(gas.cost);
}

/** Wraps a backend call so its exceptions become VmError("Backend") (a trap, not a contract error). */
function backendCall<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof VmError) throw e;
    throw new VmError("Backend", `${what} failed: ${e instanceof Error ? e.message : "unknown error"}`);
  }
}

/**
 * The storage imports hand the Storage views of contract memory (no copy per key or value: the Storage copies
 * what it keeps, and the contract does not run during the call); `get`'s value is copied into the contract
 * as it is (it may be the Storage's own array: Storage contract, ./backend.ts).
 */
function storageImports(env: HostEnv) {
  const view = (ptr: number, max: number, field: string) => viewRegion(env.memory(), ptr >>> 0, max, field);
  return {
    db_read(keyPtr: number): number {
      env.gas.charge(HOST_GAS.dbReadBase);
      const key = view(keyPtr, MAX_LENGTH_DB_KEY, "db_read key");
      const { value, gas } = backendCall("db_read", () => env.backend.storage.get(key));
      chargeBackend(env, gas);
      return value === undefined ? 0 : writeToContract(env, value, "db_read value");
    },
    db_write(keyPtr: number, valuePtr: number): void {
      if (env.readonly)
        throw new VmError("UnauthorizedWrite", "contract tried to write to storage during a query");
      env.gas.charge(HOST_GAS.dbWriteBase);
      const key = view(keyPtr, MAX_LENGTH_DB_KEY, "db_write key");
      const value = view(valuePtr, MAX_LENGTH_DB_VALUE, "db_write value");
      // The per-byte pseudo cost of Secret's write cache (SN kv_cache.rs) is charged by the Storage that
      // owns the cache (../encryptedStorage.ts) and refunded by the caller after its flush.
      const { gas } = backendCall("db_write", () => env.backend.storage.set(key, value));
      chargeBackend(env, gas);
    },
    db_remove(keyPtr: number): void {
      if (env.readonly)
        throw new VmError("UnauthorizedWrite", "contract tried to write to storage during a query");
      const key = view(keyPtr, MAX_LENGTH_DB_KEY, "db_remove key");
      const { gas } = backendCall("db_remove", () => env.backend.storage.remove(key));
      chargeBackend(env, gas);
    },
  };
}

/** Writes an error string into a fresh region; the import returns its pointer (non-zero = error). */
function errorRegion(env: HostEnv, message: string): number {
  return writeToContract(env, utf8.encode(message), "error message");
}

function decodeHuman(env: HostEnv, bytes: Uint8Array): string | number {
  try {
    return utf8.decode(bytes);
  } catch {
    return errorRegion(env, "Input is not valid UTF-8");
  }
}

function addressImports(env: HostEnv) {
  const canonicalize = (srcPtr: number, dstPtr: number): number => {
    env.gas.charge(HOST_GAS.addrCanonicalize);
    const human = decodeHuman(env, read(env, srcPtr, MAX_LENGTH_HUMAN_ADDRESS, "human address"));
    if (typeof human === "number") return human;
    const r = backendCall("addr_canonicalize", () => env.backend.api.addrCanonicalize(human));
    chargeBackend(env, r.gas);
    if (r.canonical === undefined) return errorRegion(env, r.error ?? "invalid address");
    writeRegion(env.memory(), dstPtr >>> 0, r.canonical, "canonical address");
    return 0;
  };
  const humanize = (srcPtr: number, dstPtr: number): number => {
    env.gas.charge(HOST_GAS.addrHumanize);
    const canonical = read(env, srcPtr, MAX_LENGTH_CANONICAL_ADDRESS, "canonical address");
    const r = backendCall("addr_humanize", () => env.backend.api.addrHumanize(canonical));
    chargeBackend(env, r.gas);
    if (r.human === undefined) return errorRegion(env, r.error ?? "invalid address");
    writeRegion(env.memory(), dstPtr >>> 0, utf8.encode(r.human), "human address");
    return 0;
  };
  return {
    addr_validate(srcPtr: number): number {
      env.gas.charge(HOST_GAS.addrValidate);
      const bytes = read(env, srcPtr, MAX_LENGTH_HUMAN_ADDRESS, "human address");
      if (bytes.length === 0) return errorRegion(env, "Input is empty");
      const human = decodeHuman(env, bytes);
      if (typeof human === "number") return human;
      const r = backendCall("addr_validate", () => env.backend.api.addrValidate(human));
      chargeBackend(env, r.gas);
      return r.error === undefined ? 0 : errorRegion(env, r.error);
    },
    addr_canonicalize: canonicalize,
    addr_humanize: humanize,
    // CosmWasm v0.10 names (cosmwasm_vm_version_3), same semantics in Secret.
    canonicalize_address: canonicalize,
    humanize_address: humanize,
  };
}

function miscImports(env: HostEnv) {
  return {
    query_chain(requestPtr: number): number {
      const request = read(env, requestPtr, MAX_LENGTH_QUERY_CHAIN_REQUEST, "query request");
      const r = backendCall("query_chain", () => env.backend.querier.queryRaw(request, env.gas.remaining()));
      chargeBackend(env, r.gas);
      return writeToContract(env, r.result, "query answer");
    },
    debug(msgPtr: number): void {
      // Secret charges nothing for debug and prints only with its debug-print feature.
      if (env.debugSink === undefined) return;
      const bytes = read(env, msgPtr, MAX_LENGTH_DEBUG, "debug message");
      env.debugSink(new TextDecoder().decode(bytes));
    },
    abort(msgPtr: number): never {
      const bytes = read(env, msgPtr, MAX_LENGTH_ABORT, "abort message");
      throw new VmError("Aborted", `contract aborted: ${new TextDecoder().decode(bytes)}`);
    },
    gas_evaporate(amount: number): number {
      // SN wasm3/mod.rs host_gas_evaporate: max(amount * 1000, minimum) VM gas; returns 0.
      const requested = BigInt(amount >>> 0) * HOST_GAS.evaporateMultiplier;
      env.gas.charge(requested > HOST_GAS.minimumGasEvaporate ? requested : HOST_GAS.minimumGasEvaporate);
      return 0;
    },
    check_gas(): bigint {
      // SN host_check_gas_used: charge, then report SDK gas used so far ((limit - remaining) / 1000).
      env.gas.charge(HOST_GAS.checkGas);
      return (env.gas.limit - env.gas.remaining()) / HOST_GAS.evaporateMultiplier;
    },
  };
}

/** Reads ed25519_batch_verify's three section lists (exported for cryptoImports). */
export function readBatch(env: HostEnv, ptrs: readonly [number, number, number]): Uint8Array[][] {
  const max = MAX_LENGTH_ED25519_MESSAGE * 4;
  return ptrs.map((p, i) =>
    decodeSections(read(env, p, max, `batch list ${i}`), MAX_COUNT_ED25519_BATCH, `batch list ${i}`),
  );
}

/** Builds the complete "env" import object (v1 and v0.10 names; a module links what it imports). */
export function buildImports(env: HostEnv): WasmImports {
  const misc = miscImports(env);
  const all: Record<string, (...args: never[]) => unknown> = {
    ...storageImports(env),
    ...addressImports(env),
    ...misc,
    ...cryptoImports(env, (ptr, max, field) => read(env, ptr, max, field)),
    // Secret also links `debug_print` (v0.10-era name) to the same function as `debug`.
    debug_print: (ptr: number) => {
      misc.debug(ptr);
    },
  };
  return { env: all };
}
