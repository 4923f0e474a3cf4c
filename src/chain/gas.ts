// Gas accounting for the untrusted state machine: a bigint gas meter, the KV gas schedule, and a KVStore wrapper
// that charges every read/write to a meter (Cosmos SDK store/gaskv semantics).
import type { KVStore } from "./store/types.js";
import { ChainError, SdkErrors } from "./errors.js";

/** Largest gas limit a tx may declare (SDK uint64 gas; auth MaxGasWanted = 2^63-1). */
export const MAX_GAS_WANTED = (1n << 63n) - 1n;

/**
 * KV gas schedule. These are Secret Network's values, not upstream Cosmos': scrtlabs/cosmos-sdk fork,
 * store/types/gas.go KVGasConfig() (upstream v0.50 has 1000/1000/1000/3/2000/30/30). The lower numbers are why
 * a MsgSend fits secretjs' default 25,000 gas limit (spec secretjs-compat §2 "Fee").
 */
export interface KVGasConfig {
  readonly hasCost: bigint;
  readonly deleteCost: bigint;
  readonly readCostFlat: bigint;
  readonly readCostPerByte: bigint;
  readonly writeCostFlat: bigint;
  readonly writeCostPerByte: bigint;
  readonly iterNextCostFlat: bigint;
}

export const SECRET_KV_GAS_CONFIG: KVGasConfig = Object.freeze({
  hasCost: 100n,
  deleteCost: 100n,
  readCostFlat: 100n,
  readCostPerByte: 1n,
  writeCostFlat: 200n,
  writeCostPerByte: 5n,
  iterNextCostFlat: 5n,
});

/** Tracks gas used against a limit; exceeding it throws ChainError(sdk 11 out of gas). */
export class GasMeter {
  private used = 0n;
  private free = 0;

  /** `limit` undefined = infinite (genesis, begin/end block). */
  constructor(readonly limit: bigint | undefined) {
    if (limit !== undefined && (limit < 0n || limit > MAX_GAS_WANTED)) {
      throw new RangeError(`gas limit ${limit} out of range`);
    }
  }

  get consumed(): bigint {
    return this.used;
  }

  /** Gas left before the limit (0 when past it); undefined for an infinite meter. */
  get remaining(): bigint | undefined {
    if (this.limit === undefined) return undefined;
    return this.used >= this.limit ? 0n : this.limit - this.used;
  }

  /**
   * Charges `amount`. Like the SDK, the charge is recorded before the check, so a tx that runs out reports
   * gas used above its limit.
   */
  consume(amount: bigint, descriptor: string): void {
    if (amount < 0n) throw new RangeError(`negative gas charge for ${descriptor}`);
    if (this.free > 0) return;
    this.used += amount;
    if (this.limit !== undefined && this.used > this.limit) {
      throw new ChainError(
        SdkErrors.OutOfGas,
        `out of gas in location: ${descriptor}; gasWanted: ${this.limit}, gasUsed: ${this.used}`,
      );
    }
  }

  /**
   * Runs `fn` with every charge ignored: for reads whose occurrence depends on node-local state (a code cache
   * miss after a restart), which must cost the same on every node, i.e. nothing.
   */
  uncharged<T>(fn: () => T): T {
    this.free++;
    try {
      return fn();
    } finally {
      this.free--;
    }
  }

  /** Returns unused gas (SDK RefundGas); refunding more than was used is a bug. */
  refund(amount: bigint, descriptor: string): void {
    if (amount < 0n || amount > this.used) throw new RangeError(`invalid gas refund for ${descriptor}`);
    this.used -= amount;
  }

  isPastLimit(): boolean {
    return this.limit !== undefined && this.used > this.limit;
  }
}

/** A KVStore that charges `meter` for each access, per the SDK's gaskv store. */
export class GasKVStore implements KVStore {
  constructor(
    private readonly parent: KVStore,
    private readonly meter: GasMeter,
    private readonly config: KVGasConfig = SECRET_KV_GAS_CONFIG,
  ) {}

  get(key: Uint8Array): Uint8Array | undefined {
    this.meter.consume(this.config.readCostFlat, "ReadFlat");
    const v = this.parent.get(key);
    this.meter.consume(this.config.readCostPerByte * BigInt(key.length), "ReadPerByte");
    if (v !== undefined) this.meter.consume(this.config.readCostPerByte * BigInt(v.length), "ReadPerByte");
    return v;
  }

  has(key: Uint8Array): boolean {
    this.meter.consume(this.config.hasCost, "Has");
    return this.parent.has(key);
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.meter.consume(this.config.writeCostFlat, "WriteFlat");
    this.meter.consume(this.config.writeCostPerByte * BigInt(key.length), "WritePerByte");
    this.meter.consume(this.config.writeCostPerByte * BigInt(value.length), "WritePerByte");
    this.parent.set(key, value);
  }

  delete(key: Uint8Array): void {
    this.meter.consume(this.config.deleteCost, "Delete");
    this.parent.delete(key);
  }

  *iterate(
    start: Uint8Array | undefined,
    end: Uint8Array | undefined,
    reverse = false,
  ): Iterable<[Uint8Array, Uint8Array]> {
    for (const [k, v] of this.parent.iterate(start, end, reverse)) {
      // SDK gaskv charges IterNextCostFlat per step and ValuePerByte/KeyPerByte at the read rate.
      this.meter.consume(this.config.iterNextCostFlat, "IterNextFlat");
      this.meter.consume(this.config.readCostPerByte * BigInt(k.length + v.length), "ValuePerByte");
      yield [k, v];
    }
  }
}
