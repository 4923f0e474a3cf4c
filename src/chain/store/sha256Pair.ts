// SHA-256 of exactly one byte ‖ 32 bytes ‖ 32 bytes (the tree's leaf and node inputs) in plain JS: no native
// call per hash. The tree hashes ~30k such inputs per 500-transfer block; this is ~1.5× faster than node:crypto.
// Algorithm: FIPS 180-4 §6.2 (constants §4.2.2, initial hash §5.3.3); a 65-byte message pads to two blocks.

/** FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
/** FIPS 180-4 §5.3.3: the initial hash value. */
const IV = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
/** Bit length of the message, in the last word of the padded second block (FIPS 180-4 §5.1.1). */
const MESSAGE_BITS = 65 * 8;

// Module-level state: hashing is synchronous and never re-entered, so one schedule and one state suffice.
const W = new Int32Array(64);
const H = new Int32Array(8);

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));

/** One compression of the block in W[0..15] into H (FIPS 180-4 §6.2.2). */
function compress(): void {
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]!;
    const w2 = W[i - 2]!;
    const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
    const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = H[0]!;
  let b = H[1]!;
  let c = H[2]!;
  let d = H[3]!;
  let e = H[4]!;
  let f = H[5]!;
  let g = H[6]!;
  let h = H[7]!;
  for (let i = 0; i < 64; i++) {
    const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + (g ^ (e & (f ^ g))) + K[i]! + W[i]!) | 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) | (c & (a | b)))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  H[0] = (H[0]! + a) | 0;
  H[1] = (H[1]! + b) | 0;
  H[2] = (H[2]! + c) | 0;
  H[3] = (H[3]! + d) | 0;
  H[4] = (H[4]! + e) | 0;
  H[5] = (H[5]! + f) | 0;
  H[6] = (H[6]! + g) | 0;
  H[7] = (H[7]! + h) | 0;
}

/** Big-endian word of x[o..o+3]. */
const word = (x: Uint8Array, o: number): number =>
  (x[o]! << 24) | (x[o + 1]! << 16) | (x[o + 2]! << 8) | x[o + 3]!;

/**
 * sha256(prefix ‖ x ‖ y) for a byte `prefix` and 32-byte `x`, `y` (the caller guarantees the lengths: the tree
 * only passes its own 32-byte hashes). Returns a new 32-byte array.
 */
export function sha256PrefixPair(prefix: number, x: Uint8Array, y: Uint8Array): Uint8Array {
  H.set(IV);
  // Block 1: prefix, x[0..31], y[0..30] — every word straddles one byte to the left.
  W[0] = ((prefix & 0xff) << 24) | (x[0]! << 16) | (x[1]! << 8) | x[2]!;
  for (let i = 1; i < 8; i++) W[i] = word(x, 4 * i - 1);
  W[8] = (x[31]! << 24) | (y[0]! << 16) | (y[1]! << 8) | y[2]!;
  for (let i = 9; i < 16; i++) W[i] = word(y, 4 * i - 33);
  compress();
  // Block 2: y[31], the 0x80 terminator, zeros, and the 64-bit message length.
  W[0] = (y[31]! << 24) | 0x800000;
  W.fill(0, 1, 15);
  W[15] = MESSAGE_BITS;
  compress();
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = H[i]!;
    out[4 * i] = v >>> 24;
    out[4 * i + 1] = v >>> 16;
    out[4 * i + 2] = v >>> 8;
    out[4 * i + 3] = v;
  }
  return out;
}
