// A bounded cache of decoded txs keyed by sha256 of their bytes, so one tx is decoded once, not again in
// PrepareProposal, FinalizeBlock and compute's txOf after CheckTx. Consensus-safe: decoding is a pure function.
import { hash } from "node:crypto";
import { decodeTx, decodeTxHashed, MAX_TX_BYTES, type DecodedTx } from "./decode.js";
import type { MsgRegistry } from "./msgRegistry.js";
import { LinkedMap } from "../../util/linkedMap.js";

/** Default bounds: above CometBFT's default mempool (5,000 txs) and a few blocks; ~64 MiB of raw tx bytes. */
export const TX_CACHE_DEFAULT_MAX_ENTRIES = 16_384;
export const TX_CACHE_DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Deep-freezes the decoded tx (objects and arrays; byte arrays cannot be frozen), so a shared cached value
 * cannot be changed by one caller under another: an attempted write throws instead of silently diverging.
 */
export function deepFreeze<T>(v: T): T {
  if (typeof v !== "object" || v === null || ArrayBuffer.isView(v) || Object.isFrozen(v)) return v;
  // Arrays by index and objects by for-in over their own properties: what Object.keys lists, without the
  // array of keys it allocates for each of a tx's ~40 objects.
  if (Array.isArray(v)) for (let i = 0; i < v.length; i++) deepFreeze(v[i] as unknown);
  else {
    const o = v as Record<string, unknown>;
    for (const k in o) if (Object.hasOwn(o, k)) deepFreeze(o[k]);
  }
  return Object.freeze(v);
}

/**
 * Remembers successfully decoded txs (failures are decoded again: they are cheap and rare). Eviction is
 * first-in-first-out by entry count and total raw bytes (a tx lives from CheckTx to its block, then ages out).
 * A hit also compares the bytes, so the returned tx is always exactly the decode of `raw`.
 */
export class DecodedTxCache {
  /** Oldest first; a LinkedMap, so an eviction costs the same on a node that has run for days (../../util/linkedMap.ts). */
  private readonly entries = new LinkedMap<string, DecodedTx>();
  /**
   * The same txs by the identity of the bytes they were asked for, with their cache key: FinalizeBlock looks
   * one tx up 3–5 times (verify-/prepare-ahead, txOf, runTx, the block-gas check) through the very array of the
   * request, and each lookup hashed the tx again. A hit still compares the bytes (the caller may have changed
   * them since) and requires the entry to be still cached, so hits, misses and bounds are as without it.
   */
  private byObject = new WeakMap<Uint8Array, { readonly tx: DecodedTx; readonly id: string }>();
  private bytes = 0;
  private hitCount = 0;
  private missCount = 0;

  constructor(
    readonly registry: MsgRegistry,
    readonly maxEntries: number = TX_CACHE_DEFAULT_MAX_ENTRIES,
    readonly maxBytes: number = TX_CACHE_DEFAULT_MAX_BYTES,
  ) {
    for (const [name, n] of [
      ["maxEntries", maxEntries],
      ["maxBytes", maxBytes],
    ] as const) {
      if (!Number.isSafeInteger(n) || n < 0)
        throw new RangeError(`"${name}" must be a non-negative safe integer`);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get stats(): { hits: number; misses: number } {
    return { hits: this.hitCount, misses: this.missCount };
  }

  /** decodeTx(raw, registry), from the cache when seen before; throws exactly as decodeTx does. */
  decode(raw: Uint8Array): DecodedTx {
    return this.lookup(raw, true);
  }

  /**
   * decode(raw), leaving no entry behind. FinalizeBlock's deliver is a tx's last decode (a committed tx never
   * comes back to CheckTx or a proposal: its sequence is used), so keeping it would only hold ~4 KB of decoded
   * objects per tx in the main heap until 16,384 later txs push it out: promoted, marked by every full GC.
   */
  take(raw: Uint8Array): DecodedTx {
    return this.lookup(raw, false);
  }

  private lookup(raw: Uint8Array, keep: boolean): DecodedTx {
    // Sizes first, as decodeTx: bad input never reaches the hash.
    if (!(raw instanceof Uint8Array) || raw.length === 0 || raw.length > MAX_TX_BYTES) {
      return decodeTx(raw, this.registry);
    }
    // The same bytes object as a lookup that found or left this entry, still cached: no hash needed.
    const seen = this.byObject.get(raw);
    if (
      seen !== undefined &&
      this.entries.get(seen.id) === seen.tx &&
      Buffer.compare(seen.tx.raw, raw) === 0
    ) {
      this.hitCount++;
      if (!keep) this.forget(seen.id, seen.tx);
      return seen.tx;
    }
    // One sha256 per call: the key, as node:crypto's "binary" (latin1) string of the digest — no Buffer of its
    // own, off the V8 heap, per look-up: ~0.45 vs ~1.1 µs with the Buffer and its toString — and on a miss the
    // tx hash, made from that string.
    const id = hash("sha256", raw, "binary");
    const hit = this.entries.get(id);
    if (hit !== undefined && Buffer.compare(hit.raw, raw) === 0) {
      this.hitCount++;
      if (keep) this.byObject.set(raw, { tx: hit, id });
      else this.forget(id, hit);
      return hit;
    }
    this.missCount++;
    const tx = deepFreeze(decodeTxHashed(raw, this.registry, Buffer.from(id, "latin1")));
    if (keep && tx.raw.length <= this.maxBytes && this.maxEntries > 0) {
      this.evictFor(tx.raw.length);
      this.entries.set(id, tx);
      this.bytes += tx.raw.length;
      this.byObject.set(raw, { tx, id });
    }
    return tx;
  }

  private forget(id: string, tx: DecodedTx): void {
    this.entries.delete(id);
    this.bytes -= tx.raw.length;
  }

  private evictFor(len: number): void {
    while (this.entries.size >= this.maxEntries || this.bytes + len > this.maxBytes) {
      const oldest = this.entries.shift();
      if (oldest === undefined) return;
      this.bytes -= oldest.value.raw.length;
    }
  }

  clear(): void {
    this.entries.clear();
    this.byObject = new WeakMap();
    this.bytes = 0;
  }
}

const perRegistry = new WeakMap<MsgRegistry, DecodedTxCache>();

/** The process-wide cache of one registry (each app has its own registry, hence its own cache). */
export function txCacheFor(registry: MsgRegistry): DecodedTxCache {
  let c = perRegistry.get(registry);
  if (c === undefined) {
    c = new DecodedTxCache(registry);
    perRegistry.set(registry, c);
  }
  return c;
}

/** decodeTx through the registry's cache: the same result and the same errors as decodeTx. */
export function decodeTxCached(raw: Uint8Array, registry: MsgRegistry): DecodedTx {
  return txCacheFor(registry).decode(raw);
}

/** decodeTxCached for a tx's last use (FinalizeBlock's deliver): the cached entry is dropped. */
export function takeTxCached(raw: Uint8Array, registry: MsgRegistry): DecodedTx {
  return txCacheFor(registry).take(raw);
}
