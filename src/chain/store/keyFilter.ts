// A Bloom filter over every key of the committed state, so a point read of a key that was never written skips
// SQLite. Contract transfers read keys that do not exist yet on every tx (a new holder's balance, the
// old-format name of each key): ~4 absent reads per SNIP-20 transfer, ~15 µs each in SQLite under WAL.
// "No" answers are exact (every stored key was added); "maybe" answers fall through to SQLite.

/** Filter bits per expected key: with K_HASHES = 8 the false-positive rate stays near 0.05% at capacity. */
const BITS_PER_KEY = 16;
const K_HASHES = 8;
/** Smallest filter: 2^16 bits (8 KiB), room for 4,096 keys before the first regrowth. */
const MIN_BITS_LOG2 = 16;

/** Two 32-bit FNV-1a hashes with different bases (double hashing derives the K_HASHES probes). */
function hashes(key: Uint8Array): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ key.length;
  for (let i = 0; i < key.length; i++) {
    const c = key[i]!;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  b ^= b >>> 15;
  return [a >>> 0, (b | 1) >>> 0];
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
    const [h1, h2] = hashes(key);
    for (let i = 0; i < K_HASHES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.mask;
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
    this.added++;
  }

  /** False only when `key` was never added. */
  mayContain(key: Uint8Array): boolean {
    const [h1, h2] = hashes(key);
    for (let i = 0; i < K_HASHES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.mask;
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}
