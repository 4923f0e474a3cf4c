// A memo of compute's stored JSON records (code info, contract info, contract key) decoded from their bytes:
// every execute read and JSON-parsed all three (and base64-decoded the key) on the main thread, per tx.
// A pure-function memo keyed by the stored bytes themselves, so a hit is exactly the decode of equal input.

/** Bound on remembered contents per memo (cleared whole when full): a node's hot contracts fit easily. */
export const DECODE_MEMO_MAX = 1024;

const latin1Slice = (
  Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }
).latin1Slice;

/**
 * `decode(bytes)` remembered by the identity of the bytes object (stores hand out the value they hold and never
 * change it in place, so one object always decodes alike) and, for equal bytes in another object (a committed
 * read after the block that wrote them), by content. The decoded value must be immutable: `decode` returns it
 * frozen, and callers only read it (byte fields are shared and must not be written).
 */
export class DecodeMemo<T> {
  private readonly byObject = new WeakMap<Uint8Array, T>();
  private readonly byContent = new Map<string, T>();

  constructor(
    private readonly decode: (b: Uint8Array) => T,
    private readonly max: number = DECODE_MEMO_MAX,
  ) {}

  get(b: Uint8Array): T {
    const seen = this.byObject.get(b);
    if (seen !== undefined) return seen;
    const id = latin1Slice.call(b, 0, b.length);
    let v = this.byContent.get(id);
    if (v === undefined) {
      v = this.decode(b); // throws before anything is remembered
      if (this.byContent.size >= this.max) this.byContent.clear();
      this.byContent.set(id, v);
    }
    this.byObject.set(b, v);
    return v;
  }
}
