// AES-SIV's two building blocks in plain JS over ./aes128.ts, for short inputs: CMAC (RFC 4493, with S2V's
// "xorend" applied on the fly) and the SIV counter mode (RFC 5297 §2.6). ./aesSiv.ts picks these or its
// node:crypto contexts by input size; both give the same bytes. Working state lives in module scratch
// arrays (zeroed after each use), so an operation allocates only its 16-byte result.
import { AES128_ROUND_KEY_WORDS, encryptWords, expandKey128Into, loadWord, storeWord } from "./aes128.js";

const BLOCK = 16;
/** RFC 5297 §2.3: the doubling constant for GF(2^128). */
const RB = 0x87;

/** The AES state being worked on (four big-endian words). */
const st = new Int32Array(4);
/** The last one or two blocks of a CMAC input, copied so they can be padded / XORed in place. */
const tail = new Uint8Array(2 * BLOCK);

/** b[to..to+4) = dbl(b[from..from+4)) over big-endian words, without a branch on the secret top bit. */
function dblWords(b: Int32Array, from: number, to: number): void {
  const w0 = b[from]!;
  const w1 = b[from + 1]!;
  const w2 = b[from + 2]!;
  const w3 = b[from + 3]!;
  b[to] = (w0 << 1) | (w1 >>> 31);
  b[to + 1] = (w1 << 1) | (w2 >>> 31);
  b[to + 2] = (w2 << 1) | (w3 >>> 31);
  b[to + 3] = (w3 << 1) ^ (RB & -(w0 >>> 31));
}

/** st ^= the block at b[at..at+16). */
function absorb(b: Uint8Array, at: number): void {
  st[0] = st[0]! ^ loadWord(b, at);
  st[1] = st[1]! ^ loadWord(b, at + 4);
  st[2] = st[2]! ^ loadWord(b, at + 8);
  st[3] = st[3]! ^ loadWord(b, at + 12);
}

/** The two AES-128 key schedules of one AES-SIV key (first half: CMAC, second half: CTR) and CMAC's subkeys. */
export class JsSiv {
  private readonly rkMac: Int32Array;
  private readonly rkCtr: Int32Array;
  /** CMAC subkeys K1 (words 0..3) and K2 (words 4..7), RFC 4493 §2.3. */
  private readonly sub = new Int32Array(8);

  /** `key`: the 32-byte AES-SIV key (validated by the caller). */
  constructor(key: Uint8Array) {
    // Both schedules in one array (one backing store per key instead of two: a tx key is made per tx).
    const rk = new Int32Array(2 * AES128_ROUND_KEY_WORDS);
    this.rkMac = rk.subarray(0, AES128_ROUND_KEY_WORDS);
    this.rkCtr = rk.subarray(AES128_ROUND_KEY_WORDS);
    expandKey128Into(this.rkMac, key, 0);
    expandKey128Into(this.rkCtr, key, BLOCK);
    st.fill(0);
    encryptWords(this.rkMac, st); // L = AES(K, 0^128)
    dblWords(st, 0, 0);
    this.sub.set(st);
    dblWords(this.sub, 0, 4);
    st.fill(0);
  }

  /** The key bytes (from the round keys' first words), for building node:crypto contexts of the same key. */
  keyBytes(): Uint8Array {
    const k = new Uint8Array(2 * BLOCK);
    for (let i = 0; i < 4; i++) {
      storeWord(k, 4 * i, this.rkMac[i]!);
      storeWord(k, BLOCK + 4 * i, this.rkCtr[i]!);
    }
    return k;
  }

  /**
   * CMAC of `m`; with `d` (16 bytes, m.length ≥ 16), CMAC of `m xorend d` (S2V's last step), without
   * building that string.
   */
  cmac(m: Uint8Array, d?: Uint8Array): Uint8Array {
    const n = m.length;
    // Whole blocks before `a` come straight from m; the rest (1–16 bytes, or 16–31 with d) goes via `tail`.
    const a = d === undefined ? (n === 0 ? 0 : ((n - 1) >> 4) << 4) : ((n - BLOCK) >> 4) << 4;
    const rk = this.rkMac;
    st.fill(0);
    for (let i = 0; i < a; i += BLOCK) {
      absorb(m, i);
      encryptWords(rk, st);
    }
    const tl = n - a;
    for (let i = 0; i < tl; i++) tail[i] = m[a + i]!;
    if (d !== undefined) for (let i = 0; i < BLOCK; i++) tail[tl - BLOCK + i]! ^= d[i]!;
    let off = 0;
    if (tl > BLOCK) {
      absorb(tail, 0);
      encryptWords(rk, st);
      off = BLOCK;
    }
    const rem = tl - off;
    let s = 0; // complete last block: K1
    if (rem < BLOCK) {
      tail[off + rem] = 0x80; // padding 10*, with K2
      s = 4;
    }
    absorb(tail, off);
    const sub = this.sub;
    for (let i = 0; i < 4; i++) st[i] = st[i]! ^ sub[s + i]!;
    encryptWords(rk, st);
    tail.fill(0);
    const out = new Uint8Array(BLOCK);
    for (let i = 0; i < 4; i++) storeWord(out, 4 * i, st[i]!);
    st.fill(0);
    return out;
  }

  /**
   * SIV's CTR: counter Q = V with bits 31 and 63 cleared, 128-bit big-endian increment (as OpenSSL's CTR);
   * writes data ⊕ keystream to out[at..].
   */
  ctr(v: Uint8Array, data: Uint8Array, out: Uint8Array, at: number): void {
    let q0 = loadWord(v, 0);
    let q1 = loadWord(v, 4);
    let q2 = loadWord(v, 8) & 0x7fffffff;
    let q3 = loadWord(v, 12) & 0x7fffffff;
    const len = data.length;
    const rk = this.rkCtr;
    for (let i = 0; i < len; i += BLOCK) {
      st[0] = q0;
      st[1] = q1;
      st[2] = q2;
      st[3] = q3;
      encryptWords(rk, st);
      if (len - i >= BLOCK) {
        for (let w = 0; w < 4; w++) storeWord(out, at + i + 4 * w, loadWord(data, i + 4 * w) ^ st[w]!);
      } else {
        for (let j = 0; i + j < len; j++)
          out[at + i + j] = data[i + j]! ^ (st[j >> 2]! >>> (24 - ((j & 3) << 3)));
      }
      q3 = (q3 + 1) | 0;
      if (q3 === 0) {
        q2 = (q2 + 1) | 0;
        if (q2 === 0) {
          q1 = (q1 + 1) | 0;
          if (q1 === 0) q0 = (q0 + 1) | 0;
        }
      }
    }
    st.fill(0);
  }

  /** Zeroes the key schedules and subkeys (the key is unusable afterwards). */
  wipe(): void {
    this.rkMac.fill(0);
    this.rkCtr.fill(0);
    this.sub.fill(0);
  }
}
