// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104) in plain JS, for HKDF on every message (./kdf.ts).
// Why: through node:crypto each HMAC is a new OpenSSL context (algorithm fetch, init) plus 2–4 binding
// calls, ~1.9 µs each in a tight loop and several times that inside a contract call (profile of
// `npm run bench:vm`); here HKDF's seven compressions run with no native call and, for Secret's fixed salt,
// from precomputed HMAC pad states. SHA-256 is add/rotate/xor only (no secret-indexed tables).

/** FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
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
/** FIPS 180-4 §5.3.3: the initial hash value H(0). */
const IV = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
const BLOCK = 64;
export const SHA256_LENGTH = 32;

/** The message schedule, reused (zeroed after each compression). */
const W = new Int32Array(64);

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));

/** One compression of the block b[at..at+64) into the state h (eight words), FIPS 180-4 §6.2.2. */
function compress(h: Int32Array, b: Uint8Array, at: number): void {
  for (let t = 0; t < 16; t++) {
    const i = at + 4 * t;
    W[t] = (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
  }
  for (let t = 16; t < 64; t++) {
    const w15 = W[t - 15]!;
    const w2 = W[t - 2]!;
    const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
    const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
    W[t] = (W[t - 16]! + s0 + W[t - 7]! + s1) | 0;
  }
  let a = h[0]!;
  let bb = h[1]!;
  let c = h[2]!;
  let d = h[3]!;
  let e = h[4]!;
  let f = h[5]!;
  let g = h[6]!;
  let hh = h[7]!;
  for (let t = 0; t < 64; t++) {
    const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t]! + W[t]!) | 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & bb) ^ (a & c) ^ (bb & c))) | 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = bb;
    bb = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + bb) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
  h[5] = (h[5]! + f) | 0;
  h[6] = (h[6]! + g) | 0;
  h[7] = (h[7]! + hh) | 0;
  W.fill(0);
}

/** The working state and block buffer of `hashFrom` (module scratch: nothing allocated per hash). */
const ST = new Int32Array(8);
const BUF = new Uint8Array(BLOCK);

/**
 * SHA-256 of `parts`, starting from `init` (the IV, or an HMAC pad state after `prefixLength` bytes):
 * padding 1 0* ‖ u64be(bit length) (FIPS 180-4 §5.1.1). The scratch state is zeroed afterwards.
 */
function hashFrom(init: Int32Array, prefixLength: number, parts: readonly Uint8Array[]): Uint8Array {
  ST.set(init);
  let used = 0;
  let length = prefixLength;
  for (const data of parts) {
    const n = data.length;
    length += n;
    let i = 0;
    if (used > 0) {
      while (i < n && used < BLOCK) BUF[used++] = data[i++]!;
      if (used < BLOCK) continue;
      compress(ST, BUF, 0);
      used = 0;
    }
    for (; n - i >= BLOCK; i += BLOCK) compress(ST, data, i);
    while (i < n) BUF[used++] = data[i++]!;
  }
  BUF.fill(0, used);
  BUF[used] = 0x80;
  if (used >= BLOCK - 8) {
    compress(ST, BUF, 0);
    BUF.fill(0);
  }
  const bits = length * 8; // < 2^53: high word from a division, low word from the remainder
  const hi = Math.floor(bits / 0x1_0000_0000);
  const lo = bits >>> 0;
  for (let i = 0; i < 4; i++) {
    BUF[BLOCK - 8 + i] = hi >>> (24 - 8 * i);
    BUF[BLOCK - 4 + i] = lo >>> (24 - 8 * i);
  }
  compress(ST, BUF, 0);
  const out = new Uint8Array(SHA256_LENGTH);
  for (let i = 0; i < 8; i++) {
    const w = ST[i]!;
    out[4 * i] = w >>> 24;
    out[4 * i + 1] = w >>> 16;
    out[4 * i + 2] = w >>> 8;
    out[4 * i + 3] = w;
  }
  ST.fill(0);
  BUF.fill(0);
  return out;
}

/** SHA-256 of the concatenated parts. */
export function sha256Js(...parts: readonly Uint8Array[]): Uint8Array {
  return hashFrom(IV, 0, parts);
}

/** The state after one block `b` from the IV (an HMAC pad block). */
function padState(b: Uint8Array): Int32Array {
  ST.set(IV);
  compress(ST, b, 0);
  const s = Int32Array.from(ST);
  ST.fill(0);
  return s;
}

/**
 * An HMAC-SHA256 key as its two pad states (RFC 2104: H(K ⊕ opad ‖ H(K ⊕ ipad ‖ m))): each MAC then costs
 * only the message's and the outer digest's compressions. Holds key-derived state: `wipe()` when done.
 */
export class HmacSha256Key {
  private readonly inner: Int32Array;
  private readonly outer: Int32Array;

  constructor(key: Uint8Array) {
    const k = new Uint8Array(BLOCK);
    k.set(key.length > BLOCK ? sha256Js(key) : key);
    for (let i = 0; i < BLOCK; i++) k[i]! ^= 0x36;
    this.inner = padState(k);
    for (let i = 0; i < BLOCK; i++) k[i]! ^= 0x36 ^ 0x5c;
    this.outer = padState(k);
    k.fill(0);
  }

  mac(...parts: readonly Uint8Array[]): Uint8Array {
    const inner = hashFrom(this.inner, BLOCK, parts);
    const out = hashFrom(this.outer, BLOCK, [inner]);
    inner.fill(0);
    return out;
  }

  wipe(): void {
    this.inner.fill(0);
    this.outer.fill(0);
  }
}
