// The wall's own tiny binary codec: big-endian integers and length-prefixed byte strings, nothing else,
// so only bytes and numbers ever cross between host and enclave (DESIGN.md rule 2). Every read is bounds-checked.
import { InvalidInputError } from "../../util/bytes.js";

/** Largest byte string one field may hold: a 2 MiB wasm upload fits many times over; bigger is an attack. */
export const MAX_FIELD_BYTES = 64 * 1024 * 1024;

/** Thrown on malformed or truncated input; `field` names the part that was wrong. */
export class CodecError extends InvalidInputError {}

function checkUint(n: number, max: number, field: string): void {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new CodecError(field, `"${field}" out of range`);
}

/**
 * One 8-byte scratch per isolate for the u64/f64 conversions (DataView's exact IEEE-754 and bigint rules),
 * copied to or from the frame byte by byte. No DataView over a frame: asking a typed array of ≤ 64 bytes for
 * its `.buffer` makes V8 move it off its heap (a malloc and a copy; most OCALL frames are that small).
 */
const SCRATCH = new DataView(new ArrayBuffer(8));
/** V8's `typed_array_max_size_in_heap` (node 20): typed arrays up to this many bytes live on the JS heap. */
const ON_HEAP_MAX = 64;
const SCRATCH_BYTES = new Uint8Array(SCRATCH.buffer);

/** Appends fields into a growing buffer; `finish()` returns exactly the bytes written. */
export class ByteWriter {
  private buf: Uint8Array;
  private len = 0;

  constructor(initialCapacity = 64) {
    this.buf = new Uint8Array(initialCapacity);
  }

  /** Bytes written so far (where the next field starts). */
  get size(): number {
    return this.len;
  }

  private reserve(n: number): number {
    const need = this.len + n;
    if (need > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    const at = this.len;
    this.len = need;
    return at;
  }

  u8(n: number): this {
    checkUint(n, 0xff, "u8");
    const at = this.reserve(1);
    this.buf[at] = n;
    return this;
  }

  u16(n: number): this {
    checkUint(n, 0xffff, "u16");
    const at = this.reserve(2);
    this.buf[at] = n >>> 8;
    this.buf[at + 1] = n;
    return this;
  }

  u32(n: number): this {
    checkUint(n, 0xffff_ffff, "u32");
    const at = this.reserve(4);
    const b = this.buf;
    b[at] = n >>> 24;
    b[at + 1] = n >>> 16;
    b[at + 2] = n >>> 8;
    b[at + 3] = n;
    return this;
  }

  u64(n: bigint): this {
    if (n < 0n || n > 0xffff_ffff_ffff_ffffn) throw new CodecError("u64", `"u64" out of range`);
    SCRATCH.setBigUint64(0, n, false);
    return this.scratch8();
  }

  /** A JS number as its exact IEEE-754 float64 (big-endian): a host number whose checks the enclave makes. */
  f64(n: number): this {
    SCRATCH.setFloat64(0, n, false);
    return this.scratch8();
  }

  private scratch8(): this {
    const at = this.reserve(8);
    this.buf.set(SCRATCH_BYTES, at);
    return this;
  }

  /** Raw bytes with no length prefix (only as the last field of a frame). */
  raw(b: Uint8Array): this {
    const at = this.reserve(b.length); // reserve first: it may replace this.buf
    this.buf.set(b, at);
    return this;
  }

  /** u32 length prefix, then the bytes. */
  bytes(b: Uint8Array): this {
    if (b.length > MAX_FIELD_BYTES) throw new CodecError("bytes", `"bytes" longer than ${MAX_FIELD_BYTES}`);
    return this.u32(b.length).raw(b);
  }

  /** u8 presence flag (0 absent, 1 present), then `bytes` when present. */
  optBytes(b: Uint8Array | undefined): this {
    return b === undefined ? this.u8(0) : this.u8(1).bytes(b);
  }

  /**
   * The bytes written. A writer sized exactly (every encoder on the ECALL/OCALL path) hands over its buffer
   * without a copy; any later write then reallocates (the buffer is full), so it never changes what it gave.
   */
  finish(): Uint8Array {
    return this.len === this.buf.length ? this.buf : this.buf.slice(0, this.len);
  }
}

/** Reads fields in order; throws CodecError naming `field` on truncation or a bad value. */
export class ByteReader {
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private take(n: number, field: string): number {
    if (n > this.remaining) {
      throw new CodecError(field, `"${field}" truncated: need ${n} bytes, have ${this.remaining}`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(field: string): number {
    return this.buf[this.take(1, field)]!;
  }

  u16(field: string): number {
    const at = this.take(2, field);
    const b = this.buf;
    return (b[at]! << 8) | b[at + 1]!;
  }

  u32(field: string): number {
    const at = this.take(4, field);
    const b = this.buf;
    // The top byte by multiplication: a shift by 24 would make values ≥ 2^31 negative.
    return b[at]! * 0x100_0000 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
  }

  u64(field: string): bigint {
    this.scratch8(field);
    return SCRATCH.getBigUint64(0, false);
  }

  /** A float64 exactly as written (NaN and infinities included: the caller checks the value). */
  f64(field: string): number {
    this.scratch8(field);
    return SCRATCH.getFloat64(0, false);
  }

  /** The next 8 bytes into the scratch (read back at once: nothing runs in between). */
  private scratch8(field: string): void {
    const at = this.take(8, field);
    for (let i = 0; i < 8; i++) SCRATCH_BYTES[i] = this.buf[at + i]!;
  }

  /** A copy of the next `n` bytes (copies, so the caller never aliases a shared buffer). */
  fixed(n: number, field: string): Uint8Array {
    const at = this.take(n, field);
    return this.buf.slice(at, at + n);
  }

  /**
   * The next `n` bytes as a view of the input, no copy: only for input that is already a private copy (a
   * frame body as `Mailbox.receive` returns it); the caller's fields then share its buffer. From an input of
   * ≤ 64 bytes (V8 keeps it on its heap) the field is a copy instead.
   */
  sub(n: number, field: string): Uint8Array {
    const at = this.take(n, field);
    // A short input is copied from: a view would need its `.buffer` (see SCRATCH); a short copy stays on V8's heap.
    return this.buf.length <= ON_HEAP_MAX ? this.buf.slice(at, at + n) : this.buf.subarray(at, at + n);
  }

  bytes(field: string): Uint8Array {
    return this.fixed(this.fieldLength(field), field);
  }

  /** `bytes` as a view of the input (see `sub`). */
  bytesSub(field: string): Uint8Array {
    return this.sub(this.fieldLength(field), field);
  }

  private fieldLength(field: string): number {
    const n = this.u32(field);
    if (n > MAX_FIELD_BYTES) throw new CodecError(field, `"${field}" longer than ${MAX_FIELD_BYTES}`);
    return n;
  }

  optBytes(field: string): Uint8Array | undefined {
    const flag = this.u8(field);
    if (flag === 0) return undefined;
    if (flag !== 1) throw new CodecError(field, `"${field}" has a bad presence flag`);
    return this.bytes(field);
  }

  /** Everything left (the trailing raw field of a frame). */
  rest(field: string): Uint8Array {
    return this.fixed(this.remaining, field);
  }

  /** `rest` as a view of the input (see `sub`). */
  restSub(field: string): Uint8Array {
    return this.sub(this.remaining, field);
  }

  /** Asserts the input was consumed exactly: trailing bytes are a malformed frame, not padding. */
  end(field: string): void {
    if (this.remaining !== 0) throw new CodecError(field, `"${field}" has ${this.remaining} trailing bytes`);
  }
}

/** Packs a list of byte strings (the argument list of a typed ECALL) as u16 count ‖ (u32 len ‖ bytes)*. */
export function encodeFields(fields: readonly Uint8Array[]): Uint8Array {
  const w = new ByteWriter(2 + fields.reduce((n, f) => n + 4 + f.length, 0));
  w.u16(fields.length);
  for (const f of fields) w.bytes(f);
  return w.finish();
}

/** Unpacks exactly `count` fields written by encodeFields; `field` names the ECALL argument list. */
export function decodeFields(data: Uint8Array, count: number, field: string): Uint8Array[] {
  const r = new ByteReader(data);
  const n = r.u16(field);
  if (n !== count) throw new CodecError(field, `"${field}" expected ${count} fields, got ${n}`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) out.push(r.bytes(field));
  r.end(field);
  return out;
}
