// Bounds-checked byte reader and growable writer for the wasm binary format (LEB128 per the WebAssembly
// core spec §5.2.2). Every read checks the remaining length first, so garbage input fails with a coded
// MALFORMED error at a byte offset instead of a RangeError or an oversized allocation.
import { malformed } from "./errors.js";

const UTF8_FATAL = new TextDecoder("utf-8", { fatal: true });

export class ByteReader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  u8(): number {
    if (this.pos >= this.end) throw malformed(this.pos, "unexpected end");
    return this.buf[this.pos++]!;
  }

  bytes(n: number): Uint8Array {
    if (n < 0 || n > this.remaining) throw malformed(this.pos, `length ${n} exceeds remaining bytes`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Unsigned LEB128 of at most 32 bits (≤ 5 bytes; unused high bits of the last byte must be 0). */
  u32(): number {
    const at = this.pos;
    let result = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.u8();
      if (i === 4 && (b & 0xf0) !== 0) throw malformed(at, "u32 LEB out of range");
      result += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) return result;
    }
    throw malformed(at, "u32 LEB too long");
  }

  /** Signed LEB128 of at most `bits` bits, as a bigint (used for i32/i64 constants and s33 block types). */
  sleb(bits: 32 | 33 | 64): bigint {
    const at = this.pos;
    const maxBytes = Math.ceil(bits / 7);
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < maxBytes; i++) {
      const b = this.u8();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) {
        if (i === maxBytes - 1) checkLastSignedByte(b, bits, at);
        if (b & 0x40) result -= 1n << shift;
        return result;
      }
    }
    throw malformed(at, `s${bits} LEB too long`);
  }

  /** Skips a signed LEB of at most `bits` bits, checking it like `sleb` without building its value. */
  skipSleb(bits: 32 | 64): void {
    const at = this.pos;
    const maxBytes = Math.ceil(bits / 7);
    for (let i = 0; i < maxBytes; i++) {
      const b = this.u8();
      if ((b & 0x80) === 0) {
        if (i === maxBytes - 1) checkLastSignedByte(b, bits, at);
        return;
      }
    }
    throw malformed(at, `s${bits} LEB too long`);
  }

  /** A vector length: each element takes at least one byte, so a count above the remaining bytes is garbage. */
  count(what: string): number {
    const at = this.pos;
    const n = this.u32();
    if (n > this.remaining) throw malformed(at, `${what} count ${n} exceeds remaining bytes`);
    return n;
  }

  name(): string {
    const at = this.pos;
    const raw = this.bytes(this.u32());
    try {
      return UTF8_FATAL.decode(raw);
    } catch {
      throw malformed(at, "name is not valid UTF-8");
    }
  }
}

/** The final byte of a maximal-length signed LEB may only carry sign-extension bits beyond `bits`. */
function checkLastSignedByte(b: number, bits: number, at: number): void {
  const usedBits = bits - 7 * (Math.ceil(bits / 7) - 1); // payload bits the last byte may use
  const rest = (b & 0x7f) >> (usedBits - 1); // the sign bit and everything above it
  const allOnes = (1 << (8 - usedBits)) - 1;
  if (rest !== 0 && rest !== allOnes) throw malformed(at, `s${bits} LEB out of range`);
}

export class ByteWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  get length(): number {
    return this.len;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(b: number): this {
    this.reserve(1);
    this.buf[this.len++] = b & 0xff;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  u32(n: number): this {
    let v = n >>> 0;
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v !== 0) b |= 0x80;
      this.u8(b);
    } while (v !== 0);
    return this;
  }

  sleb(n: bigint): this {
    let v = n;
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
      this.u8(done ? b : b | 0x80);
      if (done) return this;
    }
  }

  name(s: string): this {
    const raw = new TextEncoder().encode(s);
    return this.u32(raw.length).bytes(raw);
  }

  /** Appends `content` as a length-prefixed blob (sections, code bodies). */
  sized(content: Uint8Array): this {
    return this.u32(content.length).bytes(content);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
