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
}

/** One char per byte: an exact Map key (short keys without a Buffer, ./encryptedStorage.ts). */
const idOf = byteString;

/** One ECALL's prefetch: answers reads from the set while their charge fits the shadow of the host's gas. */
export class PrefetchSession implements PrefetchLedger {
  private readonly byKey = new Map<string, number>();
  private shadow: bigint | undefined;
  private pending: number[] = [];
  private stopped = false;
  /** Reads answered from the set (each a round trip saved). */
  hits = 0;

  constructor(private readonly set: PrefetchSet) {
    this.shadow = set.remaining;
    set.entries.forEach((e, i) => {
      // A key sent twice keeps its first entry: the host's two answers would have to agree anyway.
      const id = idOf(e.key);
      if (!this.byKey.has(id)) this.byKey.set(id, i);
    });
  }

  /** readDb(key) from the set, or undefined when the key is not there or its charge does not fit. */
  read(key: Uint8Array): { value: Uint8Array | undefined } | undefined {
    const i = this.lookup(key);
    if (i === undefined) return undefined;
    const e = this.set.entries[i]!;
    if (!this.fits(e.charge)) return undefined;
    this.consume(i, e.charge);
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
    const i = this.lookup(key);
    if (i === undefined) return undefined;
    const first = this.set.entries[i]!;
    if (first.value !== undefined) {
      if (!this.fits(first.charge)) return undefined;
      this.consume(i, first.charge);
      return { value: first.value.slice(), fromFallback: false };
    }
    const j = this.lookup(fallbackKey);
    if (j === undefined) return undefined;
    const second = this.set.entries[j]!;
    if (!this.fits(first.charge + second.charge)) return undefined;
    this.consume(i, first.charge);
    this.consume(j, second.charge);
    return { value: second.value?.slice(), fromFallback: true };
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

  private lookup(key: Uint8Array): number | undefined {
    return this.stopped ? undefined : this.byKey.get(idOf(key));
  }

  /** The host's meter fails when used > limit: a charge fits while it is at most the remaining gas. */
  private fits(charge: bigint): boolean {
    return this.shadow === undefined || charge <= this.shadow;
  }

  private consume(index: number, charge: bigint): void {
    if (this.shadow !== undefined) this.shadow -= charge;
    this.pending.push(index);
    this.hits++;
  }
}
