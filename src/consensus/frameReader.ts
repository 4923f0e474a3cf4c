// Reassembles uvarint-length-prefixed ABCI frames from socket chunks. A large frame (a FinalizeBlock of many txs
// arrives in 64 KiB chunks) is copied once when complete, not re-merged with every chunk as before (quadratic in
// its chunk count); small frames in one chunk are not copied at all.
import { concatBytes } from "../util/bytes.js";

/** A uvarint for a length below 2^35 fits in 5 bytes. */
const MAX_UVARINT_BYTES = 5;

/** Reads one uvarint at `offset`; returns [value, bytesRead], or undefined when more bytes are needed. */
export function readUvarint(
  buf: Uint8Array,
  offset: number,
  what = "ABCI frame",
): [number, number] | undefined {
  let value = 0;
  let shift = 0;
  for (let i = 0; i < MAX_UVARINT_BYTES; i++) {
    if (offset + i >= buf.length) return undefined;
    const b = buf[offset + i]!;
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, i + 1];
    shift += 7;
  }
  throw new Error(`${what} length varint too long`);
}

export class FrameReader {
  private chunks: Uint8Array[] = [];
  private have = 0;
  /** Bytes the next frame needs in total (prefix + body) once its prefix is known; 0 = not known yet. */
  private need = 0;

  /**
   * @param maxBody frames announcing a longer body throw (a broken or hostile peer).
   * @param what names the frames in those errors (the tx gossip reuses this reader).
   */
  constructor(
    private readonly maxBody: number,
    private readonly what = "ABCI",
  ) {}

  /**
   * Takes one chunk; returns the bodies of the frames it completed, in order. Bodies are plain Uint8Array views
   * (never Buffer, whose slice/toString differ) of bytes nothing writes to again. Throws on a bad length prefix.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.length === 0) return [];
    this.chunks.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
    this.have += chunk.length;
    if (this.need > 0 && this.have < this.need) return []; // the rest of a known frame: no copy yet
    const buf = this.chunks.length === 1 ? this.chunks[0]! : concatBytes(...this.chunks);
    const out: Uint8Array[] = [];
    let off = 0;
    this.need = 0;
    for (;;) {
      const lv = readUvarint(buf, off, `${this.what} frame`);
      if (lv === undefined) break;
      const [len, n] = lv;
      if (len > this.maxBody) throw new Error(`${this.what} message of ${len} bytes over the limit`);
      if (off + n + len > buf.length) {
        this.need = n + len;
        break;
      }
      out.push(buf.subarray(off + n, off + n + len));
      off += n + len;
    }
    const rest = buf.subarray(off);
    this.chunks = rest.length === 0 ? [] : [rest];
    this.have = rest.length;
    return out;
  }

  /** Bytes received that do not form a complete frame yet. */
  get buffered(): number {
    return this.have;
  }
}
