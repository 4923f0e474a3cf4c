// Small byte helpers and named edge assertions (DESIGN.md rule 9), shared by trusted and untrusted code.
// Pure functions only: nothing here holds state or secrets.

/** Thrown by the edge assertions below; `field` names what was wrong so the caller can answer with it. */
export class InvalidInputError extends Error {
  override readonly name = "InvalidInputError";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Asserts `value` is a Uint8Array, of exactly `length` bytes when given. */
export function abytes(value: unknown, length: number | undefined, field: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new InvalidInputError(field, `"${field}" expected bytes, got ${typeof value}`);
  }
  if (length !== undefined && value.length !== length) {
    throw new InvalidInputError(field, `"${field}" expected ${length} bytes, got ${value.length}`);
  }
  return value;
}

/** Asserts a byte length within [min, max]. */
export function abytesRange(value: unknown, min: number, max: number, field: string): Uint8Array {
  const v = abytes(value, undefined, field);
  if (v.length < min || v.length > max) {
    throw new InvalidInputError(field, `"${field}" expected ${min}..${max} bytes, got ${v.length}`);
  }
  return v;
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

/** Strict hex decoding (either case, even length); throws InvalidInputError naming `field`. */
export function fromHex(s: string, field = "hex"): Uint8Array {
  if (!HEX_RE.test(s)) throw new InvalidInputError(field, `"${field}" is not valid hex`);
  return new Uint8Array(Buffer.from(s, "hex"));
}

export function toBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
}

const B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict standard base64 (padded); throws InvalidInputError naming `field`. */
export function fromBase64(s: string, field = "base64"): Uint8Array {
  if (!B64_RE.test(s)) throw new InvalidInputError(field, `"${field}" is not valid base64`);
  return new Uint8Array(Buffer.from(s, "base64"));
}

/** One encoder and one decoder for every call: building them cost more than a short string's coding (~1 µs per
 * TextEncoder). A non-streaming `decode` keeps no state between calls, a failed one included (tested). */
const UTF8_ENCODER = new TextEncoder();
const UTF8_DECODER = new TextDecoder("utf-8", { fatal: true });

export const utf8 = {
  encode: (s: string): Uint8Array => UTF8_ENCODER.encode(s),
  /** Encodes into `out` (no new array): UTF-16 units read and bytes written, as `TextEncoder.encodeInto`. */
  encodeInto: (s: string, out: Uint8Array): { read: number; written: number } =>
    UTF8_ENCODER.encodeInto(s, out),
  /** The length of `s` in UTF-8 (a lone surrogate counts as U+FFFD's 3 bytes, as `encode` writes it). */
  byteLength: (s: string): number => Buffer.byteLength(s, "utf8"),
  /** Fatal decoding: invalid UTF-8 throws instead of producing U+FFFD. */
  decode: (b: Uint8Array): string => UTF8_DECODER.decode(b),
};

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

export function u64be(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, n), false);
  return out;
}

export function u32be(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0, false);
  return out;
}
