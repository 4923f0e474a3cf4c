// A Bloom filter over every key of the committed state, so a point read of a key that was never written skips
// SQLite. Contract transfers read keys that do not exist yet on every tx (a new holder's balance, the
// old-format name of each key): ~4 absent reads per SNIP-20 transfer, ~15 µs each in SQLite under WAL.
// "No" answers are exact (every stored key was added); "maybe" answers fall through to SQLite.

/** Filter bits per expected key: with K_HASHES = 8 the false-positive rate stays near 0.05% at capacity. */
const BITS_PER_KEY = 16;
const K_HASHES = 8;
/** Smallest filter: 2^16 bits (8 KiB), room for 4,096 keys before the first regrowth. */
const MIN_BITS_LOG2 = 16;

// The key's two 32-bit FNV-1a hashes with different bases (double hashing derives the K_HASHES probes), left
// in module slots by hashKey() instead of a tuple per call: a chain of filters probes each with the same pair.
let h1 = 0;
let h2 = 0;

function hashKey(key: Uint8Array): void {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ key.length;
  for (let i = 0; i < key.length; i++) {
    const c = key[i]!;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  b ^= b >>> 15;
  h1 = a >>> 0;
  h2 = (b | 1) >>> 0;
}

export class KeyFilter {
  private readonly bits: Uint32Array;
  private readonly mask: number;
  /** Keys added (repeats included: an overestimate, which only makes regrowth earlier). */
  private added = 0;

  /** A filter sized for `expectedKeys` (at least 4,096). */
  constructor(readonly expectedKeys: number) {
    let log2 = MIN_BITS_LOG2;
    while (2 ** log2 < expectedKeys * BITS_PER_KEY && log2 < 31) log2++;
    this.bits = new Uint32Array(2 ** (log2 - 5));
    this.mask = 2 ** log2 - 1;
  }

  /** True when `more` keys would take it past the size it was built for: the owner rebuilds a bigger one. */
  wouldOverfill(more: number): boolean {
    return (this.added + more) * BITS_PER_KEY > this.mask + 1;
  }

  get count(): number {
    return this.added;
  }

  add(key: Uint8Array): void {
    hashKey(key);
    this.addHashed();
  }

  /** False only when `key` was never added. */
  mayContain(key: Uint8Array): boolean {
    hashKey(key);
    return this.mayContainHashed();
  }

  /** add() of the key last given to hashKey(). */
  addHashed(): void {
    for (let i = 0; i < K_HASHES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.mask;
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
    this.added++;
  }

  /** mayContain() of the key last given to hashKey(). */
  mayContainHashed(): boolean {
    for (let i = 0; i < K_HASHES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.mask;
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/**
 * A key filter that grows without reading the keys back: when the newest filter is full, a new one sized for
 * as many keys as all before it together starts taking the adds, and a lookup asks each (newest first). Sizes
 * double, so ~log2(keys / 4,096) filters, each at most at its capacity's false-positive rate (~0.05%).
 * Rebuilding one bigger filter instead meant rescanning every key of `latest` at each doubling: ~1 µs per key,
 * ~16 µs per new key amortized, and a multi-second Commit stall at millions of keys. What it gives up:
 * deleted keys are forgotten only when the owner rebuilds (at open), until then answered "maybe".
 */
export class GrowingKeyFilter {
  private readonly filters: KeyFilter[];

  /** Starts from `first` (a filter already holding keys, e.g. a scan of the table). */
  constructor(first: KeyFilter) {
    this.filters = [first];
  }

  /** The filters, oldest first (tests). */
  get parts(): readonly KeyFilter[] {
    return this.filters;
  }

  get count(): number {
    let n = 0;
    for (const f of this.filters) n += f.count;
    return n;
  }

  /**
   * Adds `key` unless some filter may already hold it. Every Commit adds each key it sets, and most were set
   * before: counted again each time, they made the chain grow by about a filter's worth of bits per set per
   * block (~8 KB per 500-transfer block, without end). A key answered "maybe" keeps that answer (bits are never
   * cleared), so skipping it changes no answer of `mayContain`: the counts stay those of distinct keys (less
   * the rare false positives), and so do the filters' number and size.
   */
  add(key: Uint8Array): void {
    hashKey(key);
    const fs = this.filters;
    for (let i = fs.length - 1; i >= 0; i--) if (fs[i]!.mayContainHashed()) return;
    let f = fs[fs.length - 1]!;
    if (f.wouldOverfill(1)) {
      f = new KeyFilter(Math.max(this.count, f.expectedKeys));
      fs.push(f);
    }
    f.addHashed();
  }

  /** False only when `key` was never added. */
  mayContain(key: Uint8Array): boolean {
    hashKey(key);
    const fs = this.filters;
    for (let i = fs.length - 1; i >= 0; i--) if (fs[i]!.mayContainHashed()) return true;
    return false;
  }
}
