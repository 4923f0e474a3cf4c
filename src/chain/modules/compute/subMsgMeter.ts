// The meter of a sub-message with its own `gas_limit`, made to see what SN's meter sees (SN layers the gas meter
// above the sub-message's cache: every write and every read of a pending key is charged inside the limit), while
// its caller is still billed as every sub-message is billed here (writes when the cache is committed).
import { ChainError, SdkErrors } from "../../errors.js";
import { GasMeter, SECRET_KV_GAS_CONFIG, type KVGasConfig } from "../../gas.js";
import type { KVStore } from "../../store/types.js";

/** A saved count (prefetch probes put it back: a probe is not a read the sub-call made). */
export interface CountMark {
  readonly reads: bigint;
  readonly writes: bigint;
}

/**
 * `consumed` is what the caller is billed (reads moved from the caller's meter, VM and instance gas), exactly as
 * before. On top, it counts toward the limit what SN's meter would also have charged by now but Shroud charges
 * elsewhere or not at all: the sub-call's writes and deletes (charged to the caller when the cache is committed)
 * and its reads of keys pending in a cache (free here). `remaining`, the out-of-gas check and `isPastLimit` use
 * `consumed + counted`, so the enclave's VM limit and the limit decision are SN's.
 */
export class SubMsgMeter extends GasMeter {
  private countedReads = 0n;
  private countedWrites = 0n;
  private freeDepth = 0;
  /** > 0 while a nested limited sub-message runs: its accesses count on its own meter (SN: a separate meter). */
  nested = 0;

  constructor(readonly cap: bigint) {
    super(cap);
  }

  /** Reads and writes counted toward the limit only. */
  get counted(): bigint {
    return this.countedReads + this.countedWrites;
  }

  get countedReadGas(): bigint {
    return this.countedReads;
  }

  /** What SN's meter would show as consumed. */
  get seen(): bigint {
    return this.consumed + this.counted;
  }

  override get remaining(): bigint {
    const s = this.seen;
    return s >= this.cap ? 0n : this.cap - s;
  }

  override consume(amount: bigint, descriptor: string): void {
    super.consume(amount, descriptor);
    if (this.freeDepth === 0) this.check(descriptor);
  }

  /**
   * The number path (GasKVStore charges through it) must see the limit as `consume` does. Today only the tx's
   * root meter gets number charges (sub-call reads reach this meter through `consume`); this keeps it so.
   */
  override consumeSmall(amount: number, descriptor: string): void {
    super.consumeSmall(amount, descriptor);
    if (this.freeDepth === 0) this.check(descriptor);
  }

  override uncharged<T>(fn: () => T): T {
    this.freeDepth++;
    try {
      return super.uncharged(fn);
    } finally {
      this.freeDepth--;
    }
  }

  override isPastLimit(): boolean {
    return this.seen > this.cap;
  }

  /** Counts `amount` toward the limit (not billed); past the limit it throws the SDK out of gas, as a charge would. */
  count(kind: "read" | "write", amount: bigint, descriptor: string): void {
    if (this.freeDepth > 0 || this.nested > 0 || amount === 0n) return;
    if (kind === "read") this.countedReads += amount;
    else this.countedWrites += amount;
    this.check(descriptor);
  }

  mark(): CountMark {
    return { reads: this.countedReads, writes: this.countedWrites };
  }

  restore(m: CountMark): void {
    this.countedReads = m.reads;
    this.countedWrites = m.writes;
  }

  private check(descriptor: string): void {
    const s = this.seen;
    if (s > this.cap)
      throw new ChainError(
        SdkErrors.OutOfGas,
        `out of gas in location: ${descriptor}; gasWanted: ${this.cap}, gasUsed: ${s}`,
      );
  }
}

/**
 * The limited sub-call's store, above its cache: each write and delete is counted at SN's KV price as it happens
 * (SN gaskv over the cache), and so is each read the layers below answered without charging anything (a key
 * pending in this or an enclosing cache; SN charges every read). Iteration passes through uncounted (contracts
 * cannot iterate on Secret; a module's iteration of pending keys is the one thing not counted).
 */
export class CountingStore implements KVStore {
  constructor(
    private readonly inner: KVStore,
    private readonly meter: SubMsgMeter,
    private readonly config: KVGasConfig = SECRET_KV_GAS_CONFIG,
  ) {}

  get(key: Uint8Array): Uint8Array | undefined {
    const before = this.meter.consumed;
    const v = this.inner.get(key);
    if (this.meter.consumed === before) {
      const bytes = BigInt(key.length + (v === undefined ? 0 : v.length));
      this.meter.count("read", this.config.readCostFlat + this.config.readCostPerByte * bytes, "ReadFlat");
    }
    return v;
  }

  has(key: Uint8Array): boolean {
    const before = this.meter.consumed;
    const v = this.inner.has(key);
    if (this.meter.consumed === before) this.meter.count("read", this.config.hasCost, "Has");
    return v;
  }

  set(key: Uint8Array, value: Uint8Array): void {
    const bytes = BigInt(key.length + value.length);
    this.meter.count("write", this.config.writeCostFlat + this.config.writeCostPerByte * bytes, "WriteFlat");
    this.inner.set(key, value);
  }

  delete(key: Uint8Array): void {
    this.meter.count("write", this.config.deleteCost, "Delete");
    this.inner.delete(key);
  }

  iterate(
    start: Uint8Array | undefined,
    end: Uint8Array | undefined,
    reverse = false,
  ): Iterable<[Uint8Array, Uint8Array]> {
    return this.inner.iterate(start, end, reverse);
  }
}
