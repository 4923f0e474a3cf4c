// The overlays' private copies of keys and values, packed into shared off-heap chunks: one ArrayBuffer per
// SLAB_CHUNK_BYTES of small copies instead of one per copy (each a malloc, sweeping and a free on a V8 helper).

/**
 * Chunk size. A SNIP-20 transfer copies ~3 KiB (16 keys of 25–90 bytes, 8 values of 40–200 bytes, 7 deleted
 * keys), so one chunk serves ~5 transfers; a copy that outlives its block (see `ownedBytes`) pins at most this.
 */
export const SLAB_CHUNK_BYTES = 16 * 1024;

/** Larger copies get their own buffer: a big value must not pin a chunk, nor a chunk's tail go to waste. */
export const SLAB_MAX_COPY_BYTES = 1024;

let chunk = new ArrayBuffer(SLAB_CHUNK_BYTES);
let used = 0;

/**
 * A private copy of `b`: later writes to `b` cannot reach it, and nothing ever writes to it (the chunk is
 * append-only; the overlays hand their copies out read-only). Small copies are views into a shared chunk;
 * an empty array or one over SLAB_MAX_COPY_BYTES is a copy of its own, as before the slab.
 */
export function slabCopy(b: Uint8Array): Uint8Array {
  const n = b.length;
  if (n === 0 || n > SLAB_MAX_COPY_BYTES) return Uint8Array.prototype.slice.call(b);
  if (used + n > SLAB_CHUNK_BYTES) {
    chunk = new ArrayBuffer(SLAB_CHUNK_BYTES);
    used = 0;
  }
  const out = new Uint8Array(chunk, used, n);
  out.set(b);
  used += n;
  return out;
}

/**
 * A new array of `n` bytes for a caller that fills it at once and then hands it on (ownership passing: see
 * `KVStore.setOwned`). Nobody writes it after that fill, so it may live in a shared chunk like a `slabCopy`:
 * a key built here for a store costs no backing store of its own (a `new Uint8Array(n)` over 64 bytes is one)
 * and no second copy in the overlay. Zero-filled; an empty or over SLAB_MAX_COPY_BYTES array owns its buffer.
 */
export function slabAlloc(n: number): Uint8Array {
  if (n === 0 || n > SLAB_MAX_COPY_BYTES) return new Uint8Array(n);
  if (used + n > SLAB_CHUNK_BYTES) {
    chunk = new ArrayBuffer(SLAB_CHUNK_BYTES);
    used = 0;
  }
  const out = new Uint8Array(chunk, used, n);
  used += n;
  return out;
}

/** `a ‖ b` in a new slab array (`slabAlloc`): a prefixed store key, built once. */
export function slabJoin(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = slabAlloc(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * `b` itself when it owns its whole buffer, else an exact-size copy: for holders that keep bytes across
 * blocks (the committed-state read cache), so that one kept slab view does not pin its whole chunk.
 */
export function ownedBytes(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : Uint8Array.prototype.slice.call(b);
}
