// AES-128 block encryption (FIPS-197) in plain JS, forward direction only (all AES-SIV needs: CMAC and CTR
// both encrypt). Why: through node:crypto every cipher call costs ~0.5 µs of binding overhead and a fresh
// output Buffer, and a new context ~1.2 µs, while a contract call's SIV work is many 1–20 block operations;
// here a block costs tens of ns with no allocation (measured: ./README.md "JS AES core").
// Classic 32-bit T-table form (four 256-entry tables, 4 KiB, built at load from the S-box math). Table
// lookups are indexed by secret bytes, so this is NOT constant time (cache timing), like @noble/ciphers'
// AES; see ./README.md and SECURITY.md. Checked against OpenSSL on random keys and blocks (aes128.test.ts).

/** FIPS-197: AES-128 has 10 rounds (9 full ones + a last one without MixColumns), so 11 round keys of 4 words. */
export const AES128_ROUND_KEY_WORDS = 44;

const SBOX = new Int32Array(256);
const TE0 = new Int32Array(256);
const TE1 = new Int32Array(256);
const TE2 = new Int32Array(256);
const TE3 = new Int32Array(256);
/** FIPS-197 §5.2 Rcon[i] (in the top byte). */
const RCON = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36];

/** Multiplication by x in GF(2^8) mod x^8 + x^4 + x^3 + x + 1. */
const xtime = (a: number): number => ((a << 1) ^ (a & 0x80 ? 0x11b : 0)) & 0xff;

/** Builds the S-box (FIPS-197 §5.1.1: inverse in GF(2^8), then the affine map) and the T-tables. */
function buildTables(): void {
  // Walk p over the powers of 3 and q over those of 3^-1 (powers of 0xf6) in step, so q = p^-1 each time.
  let p = 1;
  let q = 1;
  SBOX[0] = 0x63;
  do {
    p = p ^ xtime(p); // p *= 3
    q ^= q << 1; // q /= 3 (multiply by 0xf6)
    q ^= q << 2;
    q ^= q << 4;
    q &= 0xff;
    if (q & 0x80) q ^= 0x09;
    const rot = (x: number, s: number): number => ((x << s) | (x >>> (8 - s))) & 0xff;
    SBOX[p] = (q ^ rot(q, 1) ^ rot(q, 2) ^ rot(q, 3) ^ rot(q, 4) ^ 0x63) & 0xff;
  } while (p !== 1);
  for (let x = 0; x < 256; x++) {
    const s = SBOX[x]!;
    const s2 = xtime(s);
    const s3 = s2 ^ s;
    // MixColumns column (2s, s, s, 3s) as a big-endian word, and its byte rotations.
    const t = (s2 << 24) | (s << 16) | (s << 8) | s3;
    TE0[x] = t;
    TE1[x] = (t >>> 8) | (t << 24);
    TE2[x] = (t >>> 16) | (t << 16);
    TE3[x] = (t >>> 24) | (t << 8);
  }
}
buildTables();

const subWord = (w: number): number =>
  (SBOX[w >>> 24]! << 24) |
  (SBOX[(w >>> 16) & 0xff]! << 16) |
  (SBOX[(w >>> 8) & 0xff]! << 8) |
  SBOX[w & 0xff]!;

/** Big-endian word of b[at..at+4). */
export function loadWord(b: Uint8Array, at: number): number {
  return (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
}

/** Writes `w` big-endian to b[at..at+4). */
export function storeWord(b: Uint8Array, at: number, w: number): void {
  b[at] = w >>> 24;
  b[at + 1] = w >>> 16;
  b[at + 2] = w >>> 8;
  b[at + 3] = w;
}

/** FIPS-197 §5.2 key expansion of a 16-byte key into 44 big-endian round-key words (secret: zero when done). */
export function expandKey128(key: Uint8Array): Int32Array {
  if (key.length !== 16) throw new RangeError("AES-128 key must be 16 bytes");
  return expandKey128At(key, 0);
}

/**
 * As `expandKey128`, of the 16 bytes at key[at..] (no subarray: a view of a small array makes V8 move it
 * off-heap, a malloc and a copy of the key).
 */
export function expandKey128At(key: Uint8Array, at: number): Int32Array {
  const rk = new Int32Array(AES128_ROUND_KEY_WORDS);
  expandKey128Into(rk, key, at);
  return rk;
}

/**
 * As `expandKey128At`, into `rk` (44 words; a view into a larger array is fine): one allocation can then hold
 * several schedules (each array over 64 bytes is a malloc'ed backing store).
 */
export function expandKey128Into(rk: Int32Array, key: Uint8Array, at: number): void {
  if (!Number.isInteger(at) || at < 0 || key.length - at < 16)
    throw new RangeError("AES-128 key must be 16 bytes");
  if (rk.length !== AES128_ROUND_KEY_WORDS) throw new RangeError("AES-128 round keys must be 44 words");
  for (let i = 0; i < 4; i++) rk[i] = loadWord(key, at + 4 * i);
  for (let i = 4; i < AES128_ROUND_KEY_WORDS; i++) {
    let t = rk[i - 1]!;
    if (i % 4 === 0) t = subWord((t << 8) | (t >>> 24)) ^ (RCON[i / 4 - 1]! << 24);
    rk[i] = rk[i - 4]! ^ t;
  }
}

/**
 * Encrypts the block held as four big-endian words in st[0..4), in place (the caller keeps its working state
 * in one small Int32Array, so nothing is allocated per block). The nine full rounds are written out: ~15%
 * faster than a loop over them in V8 (58 vs 70 ns a block, measured).
 */
export function encryptWords(rk: Int32Array, st: Int32Array): void {
  const T0 = TE0;
  const T1 = TE1;
  const T2 = TE2;
  const T3 = TE3;
  let s0 = st[0]! ^ rk[0]!;
  let s1 = st[1]! ^ rk[1]!;
  let s2 = st[2]! ^ rk[2]!;
  let s3 = st[3]! ^ rk[3]!;
  let t0: number, t1: number, t2: number;
  t0 = T0[s0 >>> 24]! ^ T1[(s1 >>> 16) & 255]! ^ T2[(s2 >>> 8) & 255]! ^ T3[s3 & 255]! ^ rk[4]!;
  t1 = T0[s1 >>> 24]! ^ T1[(s2 >>> 16) & 255]! ^ T2[(s3 >>> 8) & 255]! ^ T3[s0 & 255]! ^ rk[5]!;
  t2 = T0[s2 >>> 24]! ^ T1[(s3 >>> 16) & 255]! ^ T2[(s0 >>> 8) & 255]! ^ T3[s1 & 255]! ^ rk[6]!;
  s3 = T0[s3 >>> 24]! ^ T1[(s0 >>> 16) & 255]! ^ T2[(s1 >>> 8) & 255]! ^ T3[s2 & 255]! ^ rk[7]!;
  s0 = t0;
  s1 = t1;
  s2 = t2;
  t0 = T0[s0 >>> 24]! ^ T1[(s1 >>> 16) & 255]! ^ T2[(s2 >>> 8) & 255]! ^ T3[s3 & 255]! ^ rk[8]!;
  t1 = T0[s1 >>> 24]! ^ T1[(s2 >>> 16) & 255]! ^ T2[(s3 >>> 8) & 255]! ^ T3[s0 & 255]! ^ rk[9]!;
  t2 = T0[s2 >>> 24]! ^ T1[(s3 >>> 16) & 255]! ^ T2[(s0 >>> 8) & 255]! ^ T3[s1 & 255]! ^ rk[10]!;
  s3 = T0[s3 >>> 24]! ^ T1[(s0 >>> 16) & 255]! ^ T2[(s1 >>> 8) & 255]! ^ T3[s2 & 255]! ^ rk[11]!;
  s0 = t0;
  s1 = t1;
  s2 = t2;
  t0 = T0[s0 >>> 24]! ^ T1[(s1 >>> 16) & 255]! ^ T2[(s2 >>> 8) & 255]! ^ T3[s3 & 255]! ^ rk[12]!;
  t1 = T0[s1 >>> 24]! ^ T1[(s2 >>> 16) & 255]! ^ T2[(s3 >>> 8) & 255]! ^ T3[s0 & 255]! ^ rk[13]!;
  t2 = T0[s2 >>> 24]! ^ T1[(s3 >>> 16) & 255]! ^ T2[(s0 >>> 8) & 255]! ^ T3[s1 & 255]! ^ rk[14]!;
  s3 = T0[s3 >>> 24]! ^ T1[(s0 >>> 16) & 255]! ^ T2[(s1 >>> 8) & 255]! ^ T3[s2 & 255]! ^ rk[15]!;
  s0 = t0;
  s1 = t1;
  s2 = t2;
  t0 = T0[s0 >>> 24]! ^ T1[(s1 >>> 16) & 255]! ^ T2[(s2 >>> 8) & 255]! ^ T3[s3 & 255]! ^ rk[16]!;
  t1 = T0[s1 >>> 24]! ^ T1[(s2 >>> 16) & 255]! ^ T2[(s3 >>> 8) & 255]! ^ T3[s0 & 255]! ^ rk[17]!;
  t2 = T0[s2 >>> 24]! ^ T1[(s3 >>> 16) & 255]! ^ T2[(s0 >>> 8) & 255]! ^ T3[s1 & 255]! ^ rk[18]!;
  s3 = T0[s3 >>> 24]! ^ T1[(s0 >>> 16) & 255]! ^ T2[(s1 >>> 8) & 255]! ^ T3[s2 & 255]! ^ rk[19]!;
  s0 = t0;
  s1 = t1;
  s2 = t2;
  t0 = T0[s0 >>> 24]! ^ T1[(s1 >>> 16) & 255]! ^ T2[(s2 >>> 8) & 255]! ^ T3[s3 & 255]! ^ rk[20]!;
  t1 = T0[s1 >>> 24]! ^ T1[(s2 >>> 16) & 255]! ^ T2[(s3 >>> 8) & 255]! ^ T3[s0 & 255]! ^ rk[21]!;
  t2 = T0[s2 >>> 24]! ^ T1[(s3 >>> 16) & 255]! ^ T2[(s0 >>> 8) & 255]! ^ T3[s1 & 255]! ^ rk[22]!;
  s3 = T0[s3 >>> 24]! ^ T1[(s0 >>> 16) & 255]! ^ T2[(s1 >>> 8) & 255]! ^ T3[s2 & 255]! ^ rk[23]!;
  s0 = t0;
  s1 = t1;
  s2 = t2;
  t0 = T0[s0 >>> 24]! ^ T1[(s1 >>> 16) & 255]! ^ T2[(s2 >>> 8) & 255]! ^ T3[s3 & 255]! ^ rk[24]!;
  t1 = T0[s1 >>> 24]! ^ T1[(s2 >>> 16) & 255]! ^ T2[(s3 >>> 8) & 255]! ^ T3[s0 & 255]! ^ rk[25]!;
  t2 = T0[s2 >>> 24]! ^ T1[(s3 >>> 16) & 255]! ^ T2[(s0 >>> 8) & 255]! ^ T3[s1 & 255]! ^ rk[26]!;
  s3 = T0[s3 >>> 24]! ^ T1[(s0 >>> 16) & 255]! ^ T2[(s1 >>> 8) & 255]! ^ T3[s2 & 255]! ^ rk[27]!;
  s0 = t0;
  s1 = t1;
  s2 = t2;
  t0 = T0[s0 >>> 24]! ^ T1[(s1 >>> 16) & 255]! ^ T2[(s2 >>> 8) & 255]! ^ T3[s3 & 255]! ^ rk[28]!;
  t1 = T0[s1 >>> 24]! ^ T1[(s2 >>> 16) & 255]! ^ T2[(s3 >>> 8) & 255]! ^ T3[s0 & 255]! ^ rk[29]!;
  t2 = T0[s2 >>> 24]! ^ T1[(s3 >>> 16) & 255]! ^ T2[(s0 >>> 8) & 255]! ^ T3[s1 & 255]! ^ rk[30]!;
  s3 = T0[s3 >>> 24]! ^ T1[(s0 >>> 16) & 255]! ^ T2[(s1 >>> 8) & 255]! ^ T3[s2 & 255]! ^ rk[31]!;
  s0 = t0;
  s1 = t1;
  s2 = t2;
  t0 = T0[s0 >>> 24]! ^ T1[(s1 >>> 16) & 255]! ^ T2[(s2 >>> 8) & 255]! ^ T3[s3 & 255]! ^ rk[32]!;
  t1 = T0[s1 >>> 24]! ^ T1[(s2 >>> 16) & 255]! ^ T2[(s3 >>> 8) & 255]! ^ T3[s0 & 255]! ^ rk[33]!;
  t2 = T0[s2 >>> 24]! ^ T1[(s3 >>> 16) & 255]! ^ T2[(s0 >>> 8) & 255]! ^ T3[s1 & 255]! ^ rk[34]!;
  s3 = T0[s3 >>> 24]! ^ T1[(s0 >>> 16) & 255]! ^ T2[(s1 >>> 8) & 255]! ^ T3[s2 & 255]! ^ rk[35]!;
  s0 = t0;
  s1 = t1;
  s2 = t2;
  t0 = T0[s0 >>> 24]! ^ T1[(s1 >>> 16) & 255]! ^ T2[(s2 >>> 8) & 255]! ^ T3[s3 & 255]! ^ rk[36]!;
  t1 = T0[s1 >>> 24]! ^ T1[(s2 >>> 16) & 255]! ^ T2[(s3 >>> 8) & 255]! ^ T3[s0 & 255]! ^ rk[37]!;
  t2 = T0[s2 >>> 24]! ^ T1[(s3 >>> 16) & 255]! ^ T2[(s0 >>> 8) & 255]! ^ T3[s1 & 255]! ^ rk[38]!;
  s3 = T0[s3 >>> 24]! ^ T1[(s0 >>> 16) & 255]! ^ T2[(s1 >>> 8) & 255]! ^ T3[s2 & 255]! ^ rk[39]!;
  s0 = t0;
  s1 = t1;
  s2 = t2;
  st[0] = lastRound(s0, s1, s2, s3) ^ rk[40]!;
  st[1] = lastRound(s1, s2, s3, s0) ^ rk[41]!;
  st[2] = lastRound(s2, s3, s0, s1) ^ rk[42]!;
  st[3] = lastRound(s3, s0, s1, s2) ^ rk[43]!;
}

/** SubBytes + ShiftRows of the final round for one output column (no MixColumns). */
function lastRound(a: number, b: number, c: number, d: number): number {
  return (
    (SBOX[a >>> 24]! << 24) |
    (SBOX[(b >>> 16) & 0xff]! << 16) |
    (SBOX[(c >>> 8) & 0xff]! << 8) |
    SBOX[d & 0xff]!
  );
}
