// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104) in plain JS, for HKDF on every message (./kdf.ts).
// Why: through node:crypto each HMAC is a new OpenSSL context (algorithm fetch, init) plus 2–4 binding
// calls, ~1.9 µs each in a tight loop and several times that inside a contract call (profile of
// `npm run bench:vm`); here HKDF's seven compressions run with no native call and, for Secret's fixed salt,
// from precomputed HMAC pad states. SHA-256 is add/rotate/xor only (no secret-indexed tables).
import { SHA256_IV, sha256Compress } from "../../util/sha256Core.js";

const BLOCK = 64;
export const SHA256_LENGTH = 32;

/** The message schedule, reused (zeroed after each compression). */
const W = new Int32Array(64);

/** One compression of the block b[at..at+64) into the state h (eight words): ../../util/sha256Core.ts. */
function compress(h: Int32Array, b: Uint8Array, at: number): void {
  for (let t = 0; t < 16; t++) {
    const i = at + 4 * t;
    W[t] = (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
  }
  sha256Compress(h, W);
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
  return hashFrom(SHA256_IV, 0, parts);
}

/** The state after one block `b` from the IV (an HMAC pad block). */
function padState(b: Uint8Array): Int32Array {
  ST.set(SHA256_IV);
  compress(ST, b, 0);
  const s = ST.slice(); // (Int32Array.from walks an iterator: ~5x slower for 8 words)
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
