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

/** An offered key with its read-memory id (the key's bytes as a latin1 string), kept host-side. */
interface OfferedEntry extends OfferedRead {
  readonly id: string;
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
  /** `hot`'s keys and ids in its order, built when first asked after a change (most calls change nothing). */
  view: HotView | undefined;
}

/** A contract's hot keys and their ids (`ids[i]` is `keys[i]` as the memory's string id). */
export interface HotView {
  readonly keys: readonly Uint8Array[];
  readonly ids: readonly string[];
}

const NO_HOT_KEYS: HotView = Object.freeze({ keys: Object.freeze([]), ids: Object.freeze([]) });

/**
 * The keys to offer per contract, in two generations: a key becomes hot once two consecutive calls of the
 * contract read it, and stops being hot when two calls in a row do not (one failing call that stopped early
 * keeps the set). Keys unique to one call (a new holder's balance) are never offered.
 */
export class ReadMemory {
  private readonly byContract = new Map<string, ContractReads>();

  /** The contract's hot keys (the same array until the set changes: callers must not modify it). */
  hotKeys(contract: Uint8Array): readonly Uint8Array[] {
    return this.hot(contract).keys;
  }

  /** The hot keys with their ids (the same object until the set changes: callers must not modify it). */
  hot(contract: Uint8Array): HotView {
    const c = this.byContract.get(idOf(contract));
    if (c === undefined) return NO_HOT_KEYS;
    if (c.view === undefined) {
      const keys: Uint8Array[] = [];
      const ids: string[] = [];
      for (const [id, h] of c.hot) {
        keys.push(h.key);
        ids.push(id);
      }
      c.view = { keys, ids };
    }
    return c.view;
  }

  /** Records the keys one finished call read (OCALL reads and prefetched reads alike). */
  record(contract: Uint8Array, read: ReadonlyMap<string, Uint8Array>): void {
    const id = idOf(contract);
    let c = this.byContract.get(id);
    if (c === undefined) {
      if (this.byContract.size >= PREFETCH_MAX_CONTRACTS) this.byContract.clear();
      c = { last: new Map(), hot: new Map(), view: undefined };
      this.byContract.set(id, c);
    }
    const size = c.hot.size;
    let changed = false;
    for (const [k, h] of c.hot) {
      if (read.has(k)) h.misses = 0;
      else if (++h.misses >= 2) {
        c.hot.delete(k);
        changed = true;
      }
    }
    for (const [k, key] of read) {
      if (c.hot.size >= PREFETCH_MAX_KEYS) break;
      if (!c.hot.has(k) && c.last.has(k)) c.hot.set(k, { key, misses: 0 });
    }
    if (changed || c.hot.size !== size) c.view = undefined;
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

/**
 * Builds the offer of `keys` (values ≤ PREFETCH_MAX_VALUE, charges that fit now); `ids[i]`, when given, is
 * `keys[i]`'s read-memory id (saves PrefetchReads recomputing it).
 */
export function buildOffer(
  meter: GasMeter,
  store: KVStore,
  keys: readonly Uint8Array[],
  ids?: readonly string[],
): PrefetchOffer {
  const entries: OfferedEntry[] = [];
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key === undefined) continue;
    const r = probeRead(meter, store, key);
    if (r === undefined || (r.value !== undefined && r.value.length > PREFETCH_MAX_VALUE)) continue;
    entries.push({ key, value: r.value, charge: r.charge, id: ids?.[i] ?? idOf(key) });
  }
  return { remaining: meter.remaining, entries };
}

/** An offered entry with its id: buildOffer's own entries carry one; any other gets a copy with it. */
function withId(e: OfferedRead): OfferedEntry {
  return "id" in e && typeof e.id === "string" ? (e as OfferedEntry) : { ...e, id: idOf(e.key) };
}

/**
 * One ECALL's store reads as the host answers them: OCALL reads, and the charging of reads the enclave took
 * from the offer — replayed through the same metered store, so the meter sees the same reads in the same order.
 * Both go into `readSet` (for the read memory) and the stats.
 */
export class PrefetchReads {
  /** The offer's entries, then the keys the enclave peeked during the call (charged by index alike). */
  private readonly entries: OfferedEntry[];

  constructor(
    private readonly store: KVStore,
    private readonly stats: PrefetchStats,
    offer: PrefetchOffer | undefined,
    private readonly readSet: Map<string, Uint8Array> | undefined,
  ) {
    // A copy: peeks append to it, and a retried ECALL (code-cache miss) re-encodes the offer as it was.
    this.entries = [];
    if (offer !== undefined) for (const e of offer.entries) this.entries.push(withId(e));
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
    this.entries.push({ key, value: r.value, charge: r.charge, id: idOf(key) });
    return { index: this.entries.length - 1, value: r.value, charge: r.charge };
  }

  ocallRead(key: Uint8Array): Uint8Array | undefined {
    const id = idOf(key);
    this.stats.ocallReads++;
    if (this.isOffered(id)) this.stats.offeredKeyOcallReads++;
    this.readSet?.set(id, key);
    return this.store.get(key);
  }

  /** Whether `id` is in the set (stats only; a linear scan: OCALL reads and entries are few per call). */
  private isOffered(id: string): boolean {
    for (const e of this.entries) if (e.id === id) return true;
    return false;
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
    this.readSet?.set(e.id, e.key);
  }
}
