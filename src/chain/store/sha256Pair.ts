// SHA-256 of exactly one byte ‖ 32 bytes ‖ 32 bytes (the tree's leaf and node inputs) in plain JS: no native
// call per hash. The tree hashes ~30k such inputs per 500-transfer block; this is ~1.5× faster than node:crypto.
// Algorithm: FIPS 180-4 §6.2 (the shared compression, ../../util/sha256Core.ts); a 65-byte message pads to two
// blocks.
import { SHA256_IV, sha256Compress } from "../../util/sha256Core.js";

/** Bit length of the message, in the last word of the padded second block (FIPS 180-4 §5.1.1). */
const MESSAGE_BITS = 65 * 8;

// Module-level state: hashing is synchronous and never re-entered, so one schedule and one state suffice.
const W = new Int32Array(64);
const H = new Int32Array(8);

/** Big-endian word of x[o..o+3]. */
const word = (x: Uint8Array, o: number): number =>
  (x[o]! << 24) | (x[o + 1]! << 16) | (x[o + 2]! << 8) | x[o + 3]!;

/**
 * sha256(prefix ‖ x ‖ y) for a byte `prefix` and 32-byte `x`, `y` (the caller guarantees the lengths: the tree
 * only passes its own 32-byte hashes). Returns a new 32-byte array.
 */
export function sha256PrefixPair(prefix: number, x: Uint8Array, y: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  sha256PrefixPairInto(prefix, x, 0, y, 0, out, 0);
  return out;
}

/**
 * sha256(prefix ‖ x[xo, xo+32) ‖ y[yo, yo+32)) written to out[oo, oo+32): the tree's flat node arrays hash
 * in place (no input views or output array per node). `out`'s range may be one of the inputs' ranges: the
 * inputs are read completely before the digest is written.
 */
export function sha256PrefixPairInto(
  prefix: number,
  x: Uint8Array,
  xo: number,
  y: Uint8Array,
  yo: number,
  out: Uint8Array,
  oo: number,
): void {
  H.set(SHA256_IV);
  // Block 1: prefix, x[0..31], y[0..30] — every word straddles one byte to the left.
  W[0] = ((prefix & 0xff) << 24) | (x[xo]! << 16) | (x[xo + 1]! << 8) | x[xo + 2]!;
  for (let i = 1; i < 8; i++) W[i] = word(x, xo + 4 * i - 1);
  W[8] = (x[xo + 31]! << 24) | (y[yo]! << 16) | (y[yo + 1]! << 8) | y[yo + 2]!;
  for (let i = 9; i < 16; i++) W[i] = word(y, yo + 4 * i - 33);
  sha256Compress(H, W);
  // Block 2: y[31], the 0x80 terminator, zeros, and the 64-bit message length.
  W[0] = (y[yo + 31]! << 24) | 0x800000;
  W.fill(0, 1, 15);
  W[15] = MESSAGE_BITS;
  sha256Compress(H, W);
  for (let i = 0; i < 8; i++) {
    const v = H[i]!;
    out[oo + 4 * i] = v >>> 24;
    out[oo + 4 * i + 1] = v >>> 16;
    out[oo + 4 * i + 2] = v >>> 8;
    out[oo + 4 * i + 3] = v;
  }
}
