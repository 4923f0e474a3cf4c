// Blob parameters for better-sqlite3 that do not move small arrays out of the V8 heap. V8 keeps a typed array
// of ≤ 64 bytes inside its heap; better-sqlite3 reads a blob through node::Buffer::Data, which makes V8 give such
// an array an off-heap backing store first (a malloc, an ArrayBuffer extension, sweeping and a free later), once
// per array: ~9 per SNIP-20 transfer in the commit (bucket summaries, one-leaf rows, short keys and values).
/**
 * V8's default `--typed-array-max-size-in-heap` (V8 flag-definitions.h): larger arrays already have an off-heap
 * store, so they are bound as they are.
 */
export const ON_HEAP_MAX_BYTES = 64;

/**
 * One reusable off-heap buffer per statement parameter: `of(b)` copies a short non-empty `b` into it and returns
 * a view valid until the next `of` on this scratch. Safe for blobs because better-sqlite3 binds them with
 * SQLITE_TRANSIENT (SQLite copies the bytes during the statement's run), so the bytes stored are the same.
 * An empty array is passed through: a zero-length view of a real buffer could bind differently from it.
 */
export class BlobScratch {
  // new ArrayBuffer always gets an off-heap backing store, unlike `new Uint8Array(64)`.
  private readonly buf = new Uint8Array(new ArrayBuffer(ON_HEAP_MAX_BYTES));

  of(b: Uint8Array): Uint8Array {
    if (b.length === 0 || b.length > ON_HEAP_MAX_BYTES) return b;
    this.buf.set(b);
    return this.buf.subarray(0, b.length);
  }
}
