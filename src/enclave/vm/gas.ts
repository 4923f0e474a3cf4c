// VM gas: one meter shared by the injected wasm metering (exported mutable i64 globals) and the host
// imports. Host costs are Secret's (spec consensus-storage-perf §3; SN contract-engine/src/gas.rs
// `WasmCosts::default`, READ_BASE_GAS/WRITE_BASE_GAS, utils/src/kv_cache.rs). Units are VM gas
// (1000 VM gas = 1 SDK gas, SN x/compute GasMultiplier).
import { VmError } from "./errors.js";
import { isWasmGlobal, type WasmGlobal, type WasmInstance } from "./webassembly.js";

/** Host-call costs in VM gas. */
export const HOST_GAS = Object.freeze({
  /** SN gas.rs READ_BASE_GAS, charged before every db_read. */
  dbReadBase: 1_000n,
  /** SN gas.rs WRITE_BASE_GAS, charged before every db_write. */
  dbWriteBase: 2_000n,
  /** external_canonicalize_address / external_humanize_address / external_addr_validate. */
  addrCanonicalize: 8_192n,
  addrHumanize: 8_192n,
  addrValidate: 8_192n,
  secp256k1Verify: 98_304n,
  secp256k1RecoverPubkey: 98_304n,
  ed25519Verify: 73_728n,
  ed25519BatchVerifyBase: 5_000n,
  ed25519BatchVerifyEach: 70_000n,
  secp256k1Sign: 100_000n,
  ed25519Sign: 75_000n,
  /** external_dcap_quote_verify. */
  dcapQuoteVerify: 100_000n,
  /** external_check_gas_used. */
  checkGas: 8_192n,
  /** external_minimum_gas_evaporate: gas_evaporate charges max(n * 1000, this). */
  minimumGasEvaporate: 8_000n,
  /** SN wasm3/mod.rs host_gas_evaporate GAS_MULTIPLIER (cosmwasm gas : sdk gas). */
  evaporateMultiplier: 1_000n,
  /** query_chain charges this when the request is not valid JSON (SN query_chain.rs: 500). */
  invalidQueryRequest: 500n,
});

/**
 * Names of the exported i64 globals written by the metering pass. The first name is the metering
 * module's (src/enclave/vm/wasm); the second is Secret's (SN wasm3/gas.rs EXPORT_GAS_LIMIT, …) so a
 * module instrumented either way is metered.
 */
export const GAS_LEFT_GLOBALS = ["shroud_gas_left", "gas_limit"] as const;
export const GAS_EXHAUSTED_GLOBALS = ["shroud_gas_exhausted", "gas_limit_exhausted"] as const;

const U64_MAX = (1n << 64n) - 1n;

function findGlobal(instance: WasmInstance, names: readonly string[]): WasmGlobal | undefined {
  for (const n of names) {
    const g = instance.exports[n];
    if (isWasmGlobal(g)) return g;
  }
  return undefined;
}

/**
 * The gas meter of one contract call. With metering globals it reads and writes them (wasm code and host
 * imports draw from the same counter); without them (a raw, uninstrumented module) only host costs count.
 */
export class GasMeter {
  private left: bigint;
  private exhausted = 0n;
  private leftGlobal: WasmGlobal | undefined;
  private exhaustedGlobal: WasmGlobal | undefined;

  constructor(readonly limit: bigint) {
    if (limit < 0n || limit > U64_MAX) throw new VmError("OutOfGas", "gas limit out of range");
    this.left = limit;
  }

  /** Binds the meter to an instance's metering globals (if any) and writes the limit into them. */
  attach(instance: WasmInstance): void {
    this.leftGlobal = findGlobal(instance, GAS_LEFT_GLOBALS);
    this.exhaustedGlobal = findGlobal(instance, GAS_EXHAUSTED_GLOBALS);
    this.setLeft(this.left);
    if (this.exhaustedGlobal) this.exhaustedGlobal.value = 0n;
  }

  /** True when the module carries metering globals (wasm instructions are metered). */
  get metered(): boolean {
    return this.leftGlobal !== undefined;
  }

  remaining(): bigint {
    if (this.leftGlobal) this.left = BigInt.asUintN(64, this.leftGlobal.value as bigint);
    return this.left;
  }

  private setLeft(v: bigint): void {
    this.left = v;
    if (this.leftGlobal) this.leftGlobal.value = BigInt.asIntN(64, v);
  }

  /** Charges `amount`; on shortfall records it as exhausted and throws OutOfGas. */
  charge(amount: bigint): void {
    const left = this.remaining();
    if (amount > left) {
      this.exhausted = amount;
      if (this.exhaustedGlobal) this.exhaustedGlobal.value = BigInt.asIntN(64, amount);
      throw new VmError("OutOfGas", "out of gas");
    }
    this.setLeft(left - amount);
  }

  /** True when the wasm metering or a host charge ran out. */
  isExhausted(): boolean {
    if (this.exhausted !== 0n) return true;
    return this.exhaustedGlobal !== undefined && (this.exhaustedGlobal.value as bigint) !== 0n;
  }

  /** Gas used so far; the whole limit after an out-of-gas. */
  used(): bigint {
    if (this.isExhausted()) return this.limit;
    return this.limit - this.remaining();
  }
}
