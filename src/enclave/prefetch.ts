// OCALL prefetch, enclave side: store values the host sent with a contract ECALL (the values its readDb would
// have answered) answer the call's reads without a round trip, while a shadow of the host's SDK gas keeps every
// read's charge — and every out-of-gas point — exactly where it would have been (src/enclave/README.md §5).
import { byteString } from "./byteMemo.js";

/** One prefetched store key: its current value (undefined: absent) and the SDK gas the host charges to read it. */
export interface PrefetchEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array | undefined;
  readonly charge: bigint;
}

/** What the host sends with an ECALL: its remaining SDK gas (undefined: no limit) and the entries. */
export interface PrefetchSet {
  readonly remaining: bigint | undefined;
  readonly entries: readonly PrefetchEntry[];
}

/** What the OCALL layer (./ocalls.ts) needs: the charges to send first, and the resync from each answer. */
export interface PrefetchLedger {
  /** Indices of the entries consumed since the last OCALL, in read order; the ledger forgets them. */
  takeCharges(): number[];
  /** The host's remaining SDK gas after it charged them and ran the OCALL. */
  sync(remaining: bigint | undefined): void;
  /** An OCALL failed: answer nothing more from the set (the call is failing anyway). */
  stop(): void;
  /**
   * The host peeked `key` for this call (a `chargedPeek` answer): one more entry, charged by the host's
   * `index` when consumed. A key already in the set keeps its entry.
   */
  offer(key: Uint8Array, value: Uint8Array | undefined, charge: bigint, index: number): void;
}

/** An entry and the index the host charges it by (its place in the ECALL's set, or a peek's own index). */
interface Held extends PrefetchEntry {
  readonly index: number;
}

/** One char per byte: an exact Map key (short keys without a Buffer, ./encryptedStorage.ts). */
const idOf = byteString;

/** One ECALL's prefetch: answers reads from the set while their charge fits the shadow of the host's gas. */
export class PrefetchSession implements PrefetchLedger {
  /** Key → the entry (the set's own entries first, then peeked ones). */
  private readonly byKey = new Map<string, Held>();
  private shadow: bigint | undefined;
  private pending: number[] = [];
  private stopped = false;
  /** Reads answered from the set (each a round trip saved). */
  hits = 0;

  constructor(set: PrefetchSet) {
    this.shadow = set.remaining;
    set.entries.forEach((e, i) => {
      this.add({ key: e.key, value: e.value, charge: e.charge, index: i });
    });
  }

  offer(key: Uint8Array, value: Uint8Array | undefined, charge: bigint, index: number): void {
    if (!this.stopped) this.add({ key, value, charge, index });
  }

  /** readDb(key) from the set, or undefined when the key is not there or its charge does not fit. */
  read(key: Uint8Array): { value: Uint8Array | undefined } | undefined {
    const e = this.lookup(key);
    if (e === undefined) return undefined;
    if (!this.fits(e.charge)) return undefined;
    this.consume(e);
    return { value: e.value?.slice() };
  }

  /**
   * readDbFirst from the set: `key`, then `fallbackKey` when `key` is absent — both charged, in that order.
   * undefined unless every read it needs is in the set and their charges fit together.
   */
  readFirst(
    key: Uint8Array,
    fallbackKey: Uint8Array,
  ): { value: Uint8Array | undefined; fromFallback: boolean } | undefined {
    const first = this.lookup(key);
    if (first === undefined) return undefined;
    if (first.value !== undefined) {
      if (!this.fits(first.charge)) return undefined;
      this.consume(first);
      return { value: first.value.slice(), fromFallback: false };
    }
    const second = this.lookup(fallbackKey);
    if (second === undefined) return undefined;
    if (!this.fits(first.charge + second.charge)) return undefined;
    this.consume(first);
    this.consume(second);
    return { value: second.value?.slice(), fromFallback: true };
  }

  /** Whether `key` is in the set now (an OCALL read of it would be a round trip the set could have saved). */
  holds(key: Uint8Array): boolean {
    return this.lookup(key) !== undefined;
  }

  /** The enclave is about to write or remove `key` through the host: the prefetched value is stale from now. */
  forget(key: Uint8Array): void {
    this.byKey.delete(idOf(key));
  }

  takeCharges(): number[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  sync(remaining: bigint | undefined): void {
    this.shadow = remaining;
  }

  stop(): void {
    this.stopped = true;
  }

  /** A key sent twice keeps its first entry: the host's two answers would have to agree anyway. */
  private add(e: Held): void {
    const id = idOf(e.key);
    if (!this.byKey.has(id)) this.byKey.set(id, e);
  }

  private lookup(key: Uint8Array): Held | undefined {
    return this.stopped ? undefined : this.byKey.get(idOf(key));
  }

  /** The host's meter fails when used > limit: a charge fits while it is at most the remaining gas. */
  private fits(charge: bigint): boolean {
    return this.shadow === undefined || charge <= this.shadow;
  }

  private consume(e: Held): void {
    if (this.shadow !== undefined) this.shadow -= e.charge;
    this.pending.push(e.index);
    this.hits++;
  }
}
