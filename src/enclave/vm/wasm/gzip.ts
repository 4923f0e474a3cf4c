// Single-member gzip inflation with Secret's semantics (SN x/compute/internal/keeper/ioutil.go: Go's
// gzip.Reader with Multistream(false) behind io.LimitReader(MaxWasmSize)): only the first member is read and
// anything after its trailer is ignored. Node's gunzip would instead concatenate further members (another
// code hash) or reject trailing bytes, so we parse the RFC 1952 framing ourselves and inflate the raw stream.
import { crc32, inflateRawSync } from "node:zlib";
import { WasmGateError } from "./errors.js";

const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const RESERVED_FLAGS = 0xe0;
const HEADER_LEN = 10;
const TRAILER_LEN = 8;

const bad = (): WasmGateError => new WasmGateError("GZIP", "invalid gzip stream");

/** Offset of the deflate stream after the member header (RFC 1952 §2.3). */
function headerEnd(b: Uint8Array): number {
  if (b.length < HEADER_LEN || b[0] !== 0x1f || b[1] !== 0x8b || b[2] !== 0x08) throw bad();
  const flags = b[3]!;
  if ((flags & RESERVED_FLAGS) !== 0) throw bad();
  let p = HEADER_LEN;
  if (flags & FEXTRA) {
    if (p + 2 > b.length) throw bad();
    p += 2 + (b[p]! | (b[p + 1]! << 8));
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if ((flags & flag) === 0) continue;
    while (p < b.length && b[p] !== 0) p++;
    p++; // the terminating zero
  }
  if (flags & FHCRC) {
    if (p + 2 > b.length) throw bad();
    if ((crc32(b.subarray(0, p)) & 0xffff) !== (b[p]! | (b[p + 1]! << 8))) throw bad();
    p += 2;
  }
  if (p > b.length) throw bad();
  return p;
}

/**
 * Inflates the first gzip member of `b`, producing at most `maxOutput` bytes (more → TOO_LARGE), and checks
 * its CRC-32 and length trailer as Go's reader does.
 */
export function gunzipFirstMember(b: Uint8Array, maxOutput: number): Uint8Array {
  const start = headerEnd(b);
  let out: Uint8Array;
  let consumed: number;
  try {
    const r = inflateRawSync(b.subarray(start), { maxOutputLength: maxOutput, info: true }) as unknown as {
      buffer: Buffer;
      engine: { bytesWritten: number };
    };
    out = new Uint8Array(r.buffer);
    consumed = r.engine.bytesWritten;
  } catch (e) {
    if ((e as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") {
      throw new WasmGateError("TOO_LARGE", "max contract size exceeded");
    }
    throw bad();
  }
  const t = start + consumed;
  if (t + TRAILER_LEN > b.length) throw bad(); // truncated: Go reports io.ErrUnexpectedEOF
  const view = new DataView(b.buffer, b.byteOffset + t, TRAILER_LEN);
  if (view.getUint32(0, true) !== crc32(out) || view.getUint32(4, true) !== out.length % 2 ** 32) throw bad();
  return out;
}
