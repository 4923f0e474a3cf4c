// OCALL prefetch, host side: a node-local memory of the store keys each contract's recent ECALLs read, the
// set of (key, current value, read charge) sent with the next ECALL, and the exact charging of the reads the
// enclave answered from it (src/enclave/README.md §5). Results never depend on it: only round trips do.
import { equalBytes } from "../../../util/bytes.js";
import { OcallFailure } from "../../../enclave/api.js";
import { ChainError, SdkErrors } from "../../errors.js";
import type { GasMeter } from "../../gas.js";
import type { KVStore } from "../../store/types.js";
import { SubMsgMeter } from "./subMsgMeter.js";

/** Keys offered per call; a SNIP-20 transfer reads 6 keys (4 of them the same every time). */
export const PREFETCH_MAX_KEYS = 32;
/** Largest value offered (bigger ones are read by OCALL as before). */
export const PREFETCH_MAX_VALUE = 4096;
/** Keys of one call remembered as candidates (a call that reads more keeps its first ones). */
export const PREFETCH_MAX_RECORDED = 256;
/** Contracts remembered; past this the memory starts over (node-local, so any policy is safe). */
export const PREFETCH_MAX_CONTRACTS = 1024;
/** Entries one ECALL's set may reach with peeks (the enclave's MAX_PREFETCH_ENTRIES, src/enclave/channel/frames.ts). */
export const PREFETCH_MAX_ENTRIES = 256;

/** One offered key as it crosses (src/enclave/prefetch.ts PrefetchEntry). */
export interface OfferedRead {
  readonly key: Uint8Array;
  readonly value: Uint8Array | undefined;
  readonly charge: bigint;
}

export interface PrefetchOffer {
  readonly remaining: bigint | undefined;
  readonly entries: readonly OfferedRead[];
}

/** Counters for benches and tests (host view): store reads by OCALL and reads answered from an offer. */
export interface PrefetchStats {
  ocallReads: number;
  prefetchedReads: number;
  offeredKeys: number;
  /** OCALL reads of an offered key (the enclave fell back: its charge did not fit, or the call wrote it). */
  offeredKeyOcallReads: number;
}

const idOf = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");

/** A hot key and how many calls in a row have not read it. */
interface HotKey {
  readonly key: Uint8Array;
  misses: number;
}

/** Per contract: keys read by its last call, and the hot keys to offer next. */
interface ContractReads {
  last: ReadonlyMap<string, Uint8Array>;
  readonly hot: Map<string, HotKey>;
}

/**
 * The keys to offer per contract, in two generations: a key becomes hot once two consecutive calls of the
 * contract read it, and stops being hot when two calls in a row do not (one failing call that stopped early
 * keeps the set). Keys unique to one call (a new holder's balance) are never offered.
 */
export class ReadMemory {
  private readonly byContract = new Map<string, ContractReads>();

  hotKeys(contract: Uint8Array): readonly Uint8Array[] {
    const c = this.byContract.get(idOf(contract));
    return c === undefined ? [] : [...c.hot.values()].map((h) => h.key);
  }

  /** Records the keys one finished call read (OCALL reads and prefetched reads alike). */
  record(contract: Uint8Array, read: ReadonlyMap<string, Uint8Array>): void {
    const id = idOf(contract);
    let c = this.byContract.get(id);
    if (c === undefined) {
      if (this.byContract.size >= PREFETCH_MAX_CONTRACTS) this.byContract.clear();
      c = { last: new Map(), hot: new Map() };
      this.byContract.set(id, c);
    }
    for (const [k, h] of c.hot) {
      if (read.has(k)) h.misses = 0;
      else if (++h.misses >= 2) c.hot.delete(k);
    }
    for (const [k, key] of read) {
      if (c.hot.size >= PREFETCH_MAX_KEYS) break;
      if (!c.hot.has(k) && c.last.has(k)) c.hot.set(k, { key, misses: 0 });
    }
    c.last = read.size <= PREFETCH_MAX_RECORDED ? read : new Map([...read].slice(0, PREFETCH_MAX_RECORDED));
  }
}

/**
 * The current value and the exact read charge of `key`: the read runs through the metered store, the charge
 * is what the meter recorded, and it is refunded at once (the enclave's consumption is charged later by
 * replaying the read). undefined when the read would run out of gas now (it never fits later either).
 */
export function probeRead(
  meter: GasMeter,
  store: KVStore,
  key: Uint8Array,
): { value: Uint8Array | undefined; charge: bigint } | undefined {
  const before = meter.consumed;
  // A limited sub-message's meter also counts reads of cached keys toward its limit (./subMsgMeter.ts): a probe is
  // not a read the call made, so its count is put back too (the replay counts it when the enclave takes it).
  const sub = meter instanceof SubMsgMeter ? meter : undefined;
  const mark = sub?.mark();
  try {
    const value = store.get(key);
    const charge = meter.consumed - before;
    meter.refund(charge, "prefetch probe");
    return { value, charge };
  } catch (e) {
    meter.refund(meter.consumed - before, "prefetch probe");
    if (e instanceof ChainError && e.registered === SdkErrors.OutOfGas) return undefined;
    throw e;
  } finally {
    if (mark !== undefined) sub?.restore(mark);
  }
}

/** Builds the offer of `keys` (values ≤ PREFETCH_MAX_VALUE, charges that fit now). */
export function buildOffer(meter: GasMeter, store: KVStore, keys: readonly Uint8Array[]): PrefetchOffer {
  const entries: OfferedRead[] = [];
  for (const key of keys) {
    const r = probeRead(meter, store, key);
    if (r === undefined || (r.value !== undefined && r.value.length > PREFETCH_MAX_VALUE)) continue;
    entries.push({ key, value: r.value, charge: r.charge });
  }
  return { remaining: meter.remaining, entries };
}

/**
 * One ECALL's store reads as the host answers them: OCALL reads, and the charging of reads the enclave took
 * from the offer — replayed through the same metered store, so the meter sees the same reads in the same order.
 * Both go into `readSet` (for the read memory) and the stats.
 */
export class PrefetchReads {
  private readonly offered: Set<string>;
  /** The offer's entries, then the keys the enclave peeked during the call (charged by index alike). */
  private readonly entries: OfferedRead[];

  constructor(
    private readonly store: KVStore,
    private readonly stats: PrefetchStats,
    offer: PrefetchOffer | undefined,
    private readonly readSet: Map<string, Uint8Array> | undefined,
  ) {
    this.entries = offer === undefined ? [] : [...offer.entries];
    this.offered = new Set(this.entries.map((e) => idOf(e.key)));
  }

  /**
   * A key the enclave predicts it will read (a `chargedPeek` OCALL, src/enclave/README.md §5): probed like an
   * offered key — value and exact charge, refunded — and added to the set; the enclave reports it by index
   * if the call reads it, and `charge` replays the read then. undefined: not offered (no room, too big, or
   * its read would run out of gas now).
   */
  peek(
    meter: GasMeter,
    key: Uint8Array,
  ): { index: number; value: Uint8Array | undefined; charge: bigint } | undefined {
    if (this.entries.length >= PREFETCH_MAX_ENTRIES) return undefined;
    const r = probeRead(meter, this.store, key);
    if (r === undefined || (r.value !== undefined && r.value.length > PREFETCH_MAX_VALUE)) return undefined;
    this.entries.push({ key, value: r.value, charge: r.charge });
    this.offered.add(idOf(key));
    return { index: this.entries.length - 1, value: r.value, charge: r.charge };
  }

  ocallRead(key: Uint8Array): Uint8Array | undefined {
    const id = idOf(key);
    this.stats.ocallReads++;
    if (this.offered.has(id)) this.stats.offeredKeyOcallReads++;
    this.readSet?.set(id, key);
    return this.store.get(key);
  }

  charge(index: number): void {
    const e = this.entries[index];
    if (e === undefined) throw new OcallFailure("no such prefetched read", 0n);
    const v = this.store.get(e.key);
    // Nothing may change a key's value during the call but the call's own writes, which drop it from the
    // enclave's set; a difference is a bug here, never a result.
    if (v === undefined ? e.value !== undefined : e.value === undefined || !equalBytes(v, e.value))
      throw new OcallFailure("prefetched value changed", 0n);
    this.stats.prefetchedReads++;
    this.readSet?.set(idOf(e.key), e.key);
  }
}
