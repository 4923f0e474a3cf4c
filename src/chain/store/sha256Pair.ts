// SHA-256 of exactly one byte ‖ 32 bytes ‖ 32 bytes (the tree's leaf and node inputs) in plain JS: no native
// call per hash. The tree hashes ~30k such inputs per 500-transfer block; this is ~1.5× faster than node:crypto.
// Algorithm: FIPS 180-4 §6.2 (the shared compression, ../../util/sha256Core.ts); a 65-byte message pads to two
// blocks. The second block is fixed but for its first byte (y's last byte), so its 64 schedule words plus
// the round constants are precomputed for each of the 256 values (`SECOND`, 64 KiB) and only its rounds run.
// The table is indexed by data, which is public here (state hashes), unlike the enclave's uses of the core.
import { SHA256_IV, sha256Compress } from "../../util/sha256Core.js";

/** Bit length of the message, in the last word of the padded second block (FIPS 180-4 §5.1.1). */
const MESSAGE_BITS = 65 * 8;

// Module-level state: hashing is synchronous and never re-entered, so one schedule and one state suffice.
const W = new Int32Array(64);
const H = new Int32Array(8);

/** FIPS 180-4 §4.2.2 round constants (as in ../../util/sha256Core.ts, which keeps its own private). */
const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));

/**
 * K[t] + W[t] of the second block for each value of its first byte b: the block is b, 0x80, zeros and the
 * message length (520 bits), so its schedule depends on b alone. Row b at [64 b, 64 b + 64).
 */
const SECOND = ((): Int32Array => {
  const out = new Int32Array(256 * 64);
  const w = new Int32Array(64);
  for (let b = 0; b < 256; b++) {
    w.fill(0);
    w[0] = (b << 24) | 0x800000;
    w[15] = MESSAGE_BITS;
    for (let t = 16; t < 64; t++) {
      const w15 = w[t - 15]!;
      const w2 = w[t - 2]!;
      const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
      const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
      w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0;
    }
    for (let t = 0; t < 64; t++) out[64 * b + t] = (K[t]! + w[t]!) | 0;
  }
  return out;
})();

/** The 64 rounds of a compression whose K[t] + W[t] are SECOND[o + t], added into `h` (as sha256Compress). */
function roundsInto(h: Int32Array, o: number): void {
  let a = h[0]!;
  let b = h[1]!;
  let c = h[2]!;
  let d = h[3]!;
  let e = h[4]!;
  let f = h[5]!;
  let g = h[6]!;
  let hh = h[7]!;
  for (let t = 0; t < 64; t++) {
    const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + (g ^ (e & (f ^ g))) + SECOND[o + t]!) | 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) | (c & (a | b)))) | 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
  h[5] = (h[5]! + f) | 0;
  h[6] = (h[6]! + g) | 0;
  h[7] = (h[7]! + hh) | 0;
}

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
  // Block 2: y[31], the 0x80 terminator, zeros, and the 64-bit message length (precomputed schedule).
  roundsInto(H, 64 * y[yo + 31]!);
  for (let i = 0; i < 8; i++) {
    const v = H[i]!;
    out[oo + 4 * i] = v >>> 24;
    out[oo + 4 * i + 1] = v >>> 16;
    out[oo + 4 * i + 2] = v >>> 8;
    out[oo + 4 * i + 3] = v;
  }
}
