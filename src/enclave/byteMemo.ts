// Map keys for byte strings, and a bounded memo of pure functions keyed by them (enclave-internal caches of
// public data: addresses, signer keys).

/** Keys up to this length are converted by `String.fromCharCode` (cheaper than a Buffer for short keys). */
const SHORT_KEY = 64;

/** One char per byte: an exact, cheap Map key for a byte string that sorts as the bytes do (unlike UTF-8). */
export function byteString(b: Uint8Array): string {
  if (b.length <= SHORT_KEY) return String.fromCharCode.apply(null, b as unknown as number[]);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
}

const HEX_PAIRS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Lowercase hex, as util/bytes `toHex`, without asking for the array's `.buffer` (a Buffer view of a typed
 * array of ≤ 64 bytes makes V8 move it off its heap: a malloc and a copy; code hashes are 32 bytes).
 */
export function lowerHex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += HEX_PAIRS[x]!;
  return s;
}

/**
 * A memo in two generations: a hit in the old one moves to the young one; when the young one is full it becomes
 * the old one (the previous old one is dropped). At most 2 × `perGeneration` entries, no per-entry bookkeeping.
 */
export class GenerationMemo<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();

  constructor(private readonly perGeneration: number) {}

  get(k: string): V | undefined {
    const v = this.young.get(k);
    if (v !== undefined) return v;
    const o = this.old.get(k);
    if (o !== undefined) this.set(k, o);
    return o;
  }

  set(k: string, v: V): void {
    if (this.young.size >= this.perGeneration) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(k, v);
  }

  get size(): number {
    return this.young.size + this.old.size;
  }
}
