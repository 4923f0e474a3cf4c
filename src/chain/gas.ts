// Gas accounting for the untrusted state machine: a bigint gas meter, the KV gas schedule, and a KVStore wrapper
// that charges every read/write to a meter (Cosmos SDK store/gaskv semantics).
import { deleteHanded, setHanded, type KVStore } from "./store/types.js";
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

/**
 * Largest per-unit charge (and flat cost) GasKVStore charges as a JS number: with lengths below 2^32 a product
 * stays below 2^52, i.e. exact. A larger config falls back to bigint charges.
 */
const NUMBER_COST_MAX = 2 ** 20;
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Tracks gas used against a limit; exceeding it throws ChainError(sdk 11 out of gas). The count is a JS number
 * while it is a safe integer (every real tx: a bigint per charge was ~100 ns and an allocation, ~40 store
 * charges per contract tx) and a bigint past 2^53, so every figure stays exact.
 */
export class GasMeter {
  private usedN = 0;
  /** The count once it passed Number.MAX_SAFE_INTEGER (then usedN is unused); undefined before. */
  private usedB: bigint | undefined;
  /** The limit as a number, or Infinity when there is none or it is past 2^53 (a number count never reaches it). */
  private readonly limitN: number;
  private free = 0;

  /** `limit` undefined = infinite (genesis, begin/end block). */
  constructor(readonly limit: bigint | undefined) {
    if (limit !== undefined && (limit < 0n || limit > MAX_GAS_WANTED)) {
      throw new RangeError(`gas limit ${limit} out of range`);
    }
    this.limitN = limit === undefined || limit > MAX_SAFE_BIG ? Infinity : Number(limit);
  }

  get consumed(): bigint {
    return this.usedB ?? BigInt(this.usedN);
  }

  /** Gas left before the limit (0 when past it); undefined for an infinite meter. */
  get remaining(): bigint | undefined {
    if (this.limit === undefined) return undefined;
    const used = this.consumed;
    return used >= this.limit ? 0n : this.limit - used;
  }

  /**
   * Charges `amount`. Like the SDK, the charge is recorded before the check, so a tx that runs out reports
   * gas used above its limit.
   */
  consume(amount: bigint, descriptor: string): void {
    if (amount < 0n) throw new RangeError(`negative gas charge for ${descriptor}`);
    if (this.free > 0) return;
    if (this.usedB === undefined && amount <= MAX_SAFE_BIG) {
      this.consumeSmall(Number(amount), descriptor);
      return;
    }
    this.consumeBig(amount, descriptor);
  }

  /**
   * consume() for a charge the caller computed as a non-negative safe integer (GasKVStore's schedule): the
   * same count, limit check and message, without a bigint per charge.
   */
  consumeSmall(amount: number, descriptor: string): void {
    if (this.free > 0) return;
    if (this.usedB !== undefined) {
      this.consumeBig(BigInt(amount), descriptor);
      return;
    }
    const used = this.usedN + amount;
    if (used > Number.MAX_SAFE_INTEGER) {
      this.consumeBig(BigInt(amount), descriptor);
      return;
    }
    this.usedN = used;
    if (used > this.limitN) this.outOfGas(descriptor);
  }

  private consumeBig(amount: bigint, descriptor: string): void {
    const used = this.consumed + amount;
    if (used > MAX_SAFE_BIG) this.usedB = used;
    else this.usedN = Number(used);
    if (this.limit !== undefined && used > this.limit) this.outOfGas(descriptor);
  }

  private outOfGas(descriptor: string): never {
    throw new ChainError(
      SdkErrors.OutOfGas,
      `out of gas in location: ${descriptor}; gasWanted: ${this.limit}, gasUsed: ${this.consumed}`,
    );
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
    const used = this.consumed;
    if (amount < 0n || amount > used) throw new RangeError(`invalid gas refund for ${descriptor}`);
    const left = used - amount;
    if (left > MAX_SAFE_BIG) this.usedB = left;
    else {
      this.usedB = undefined;
      this.usedN = Number(left);
    }
  }

  isPastLimit(): boolean {
    return this.limit !== undefined && this.consumed > this.limit;
  }
}

/** KVGasConfig as numbers, when every cost is at most NUMBER_COST_MAX (else undefined: bigint charges). */
interface NumberCosts {
  readonly has: number;
  readonly delete: number;
  readonly readFlat: number;
  readonly readPerByte: number;
  readonly writeFlat: number;
  readonly writePerByte: number;
  readonly iterNextFlat: number;
}

function numberCosts(c: KVGasConfig): NumberCosts | undefined {
  const all = [
    c.hasCost,
    c.deleteCost,
    c.readCostFlat,
    c.readCostPerByte,
    c.writeCostFlat,
    c.writeCostPerByte,
    c.iterNextCostFlat,
  ];
  if (all.some((v) => v < 0n || v > BigInt(NUMBER_COST_MAX))) return undefined;
  return {
    has: Number(c.hasCost),
    delete: Number(c.deleteCost),
    readFlat: Number(c.readCostFlat),
    readPerByte: Number(c.readCostPerByte),
    writeFlat: Number(c.writeCostFlat),
    writePerByte: Number(c.writeCostPerByte),
    iterNextFlat: Number(c.iterNextCostFlat),
  };
}

const costsMemo = new WeakMap<KVGasConfig, NumberCosts | null>();

function numberCostsOf(c: KVGasConfig): NumberCosts | undefined {
  let n = costsMemo.get(c);
  if (n === undefined) {
    n = numberCosts(c) ?? null;
    costsMemo.set(c, n);
  }
  return n ?? undefined;
}

/**
 * A KVStore that charges `meter` for each access, per the SDK's gaskv store. Charges go as numbers
 * (GasMeter.consumeSmall) when the schedule allows it: the same amounts, in the same order, with the same
 * descriptors (the out-of-gas point and its message are consensus-visible).
 */
export class GasKVStore implements KVStore {
  private readonly n: NumberCosts | undefined;

  constructor(
    private readonly parent: KVStore,
    private readonly meter: GasMeter,
    private readonly config: KVGasConfig = SECRET_KV_GAS_CONFIG,
  ) {
    this.n = numberCostsOf(config);
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const n = this.n;
    if (n === undefined) return this.getBig(key);
    const meter = this.meter;
    meter.consumeSmall(n.readFlat, "ReadFlat");
    const v = this.parent.get(key);
    meter.consumeSmall(n.readPerByte * key.length, "ReadPerByte");
    if (v !== undefined) meter.consumeSmall(n.readPerByte * v.length, "ReadPerByte");
    return v;
  }

  private getBig(key: Uint8Array): Uint8Array | undefined {
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
    this.chargeWrite(key, value);
    this.parent.set(key, value);
  }

  /** `set` with the same charges, handing `owned` bytes on to the parent (KVStore.setOwned). */
  setOwned(key: Uint8Array, value: Uint8Array, owned: number): void {
    this.chargeWrite(key, value);
    setHanded(this.parent, key, value, owned);
  }

  private chargeWrite(key: Uint8Array, value: Uint8Array): void {
    const n = this.n;
    if (n === undefined) {
      this.meter.consume(this.config.writeCostFlat, "WriteFlat");
      this.meter.consume(this.config.writeCostPerByte * BigInt(key.length), "WritePerByte");
      this.meter.consume(this.config.writeCostPerByte * BigInt(value.length), "WritePerByte");
    } else {
      const meter = this.meter;
      meter.consumeSmall(n.writeFlat, "WriteFlat");
      meter.consumeSmall(n.writePerByte * key.length, "WritePerByte");
      meter.consumeSmall(n.writePerByte * value.length, "WritePerByte");
    }
  }

  delete(key: Uint8Array): void {
    this.chargeDelete();
    this.parent.delete(key);
  }

  /** `delete` with the same charge, handing `key` on to the parent (KVStore.deleteOwned). */
  deleteOwned(key: Uint8Array): void {
    this.chargeDelete();
    deleteHanded(this.parent, key);
  }

  private chargeDelete(): void {
    const n = this.n;
    if (n === undefined) this.meter.consume(this.config.deleteCost, "Delete");
    else this.meter.consumeSmall(n.delete, "Delete");
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
