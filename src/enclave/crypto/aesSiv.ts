// AES-SIV (RFC 5297) with a 32-byte key, i.e. AES-128-SIV, as Secret Network and secretjs use it
// (spec secret-protocol §1). Why we built it: Node has no SIV mode, and the pure-JS implementations
// (miscreant, @noble/ciphers) are 2-8x slower than composing node:crypto's AES-NI-backed ECB/CBC.
// Output layout: 16-byte synthetic IV (tag) ‖ ciphertext. Associated data is a LIST of strings, each
// a separate S2V input: `[]` (zero strings) and `[empty]` (one empty string) give different tags.
// `AesSivKey` keeps its two OpenSSL contexts for reuse: setting up a cipher (key schedule + context) cost
// more than the AES work itself for the short values of contract state (profile of `npm run bench:vm`).
import { createCipheriv, timingSafeEqual, type Cipher } from "node:crypto";
import { abytes, InvalidInputError } from "../../util/bytes.js";

const BLOCK = 16;
const ZERO_BLOCK = new Uint8Array(BLOCK);
/** RFC 5297 §2.3: the doubling constant for GF(2^128). */
const RB = 0x87;
/** RFC 5297 §2.6: S2V accepts at most 126 AD components besides the plaintext. */
const MAX_AD_COMPONENTS = 126;

/** The error for a tag that does not verify; carries no detail on purpose. */
export class AesSivAuthError extends Error {
  override readonly name = "AesSivAuthError";
  constructor() {
    super("AES-SIV authentication failed");
  }
}

function dbl(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(BLOCK);
  let carry = 0;
  for (let i = BLOCK - 1; i >= 0; i--) {
    const v = b[i]!;
    out[i] = ((v << 1) | carry) & 0xff;
    carry = v >>> 7;
  }
  if (carry) out[BLOCK - 1]! ^= RB;
  return out;
}

function xorInto(dst: Uint8Array, src: Uint8Array, offset: number): void {
  for (let i = 0; i < src.length; i++) dst[offset + i]! ^= src[i]!;
}

function rawCipher(mode: "aes-128-ecb" | "aes-128-cbc", key: Uint8Array): Cipher {
  const c = createCipheriv(mode, key, mode === "aes-128-cbc" ? ZERO_BLOCK : null);
  c.setAutoPadding(false);
  return c;
}

/**
 * CMAC (RFC 4493) over one long-lived CBC context. CBC chains: after a MAC the context's IV is that MAC, so
 * the next message's first block is XORed with it beforehand, which cancels it (E(P1 ⊕ C ⊕ C) = E(P1)): every
 * MAC is then a CBC-MAC from a zero IV, as RFC 4493 requires, without a new context per MAC.
 */
class Cmac {
  private readonly cbc: Cipher;
  private chain = new Uint8Array(BLOCK);
  private readonly k1: Uint8Array;
  private readonly k2: Uint8Array;

  constructor(key: Uint8Array) {
    this.cbc = rawCipher("aes-128-cbc", key);
    const l = this.cbcMac(new Uint8Array(BLOCK)); // L = AES(K, 0^128)
    this.k1 = dbl(l);
    this.k2 = dbl(this.k1);
  }

  /** CBC-MAC from a zero IV of `buf` (whole blocks; consumed: its first block is modified). */
  private cbcMac(buf: Uint8Array): Uint8Array {
    xorInto(buf, this.chain, 0);
    const out = this.cbc.update(buf);
    this.chain = new Uint8Array(out.buffer, out.byteOffset + out.length - BLOCK, BLOCK);
    return this.chain.slice();
  }

  mac(msg: Uint8Array): Uint8Array {
    const n = msg.length === 0 ? 1 : Math.ceil(msg.length / BLOCK);
    const complete = msg.length > 0 && msg.length % BLOCK === 0;
    const buf = new Uint8Array(n * BLOCK);
    buf.set(msg);
    const last = (n - 1) * BLOCK;
    if (complete) {
      xorInto(buf, this.k1, last);
    } else {
      buf[msg.length] = 0x80;
      xorInto(buf, this.k2, last);
    }
    return this.cbcMac(buf);
  }
}

/** 128-bit big-endian increment in place (OpenSSL's CTR mode counts over the whole block). */
function increment(block: Uint8Array): void {
  for (let i = BLOCK - 1; i >= 0; i--) {
    const v = (block[i]! + 1) & 0xff;
    block[i] = v;
    if (v !== 0) return;
  }
}

function checkAd(ad: readonly Uint8Array[]): void {
  if (ad.length > MAX_AD_COMPONENTS) {
    throw new InvalidInputError(
      "associated data",
      `at most ${MAX_AD_COMPONENTS} AD strings, got ${ad.length}`,
    );
  }
}

/**
 * One AES-SIV key with its cipher contexts kept: S2V's CMAC context (first half of the key) and an ECB context
 * for the CTR keystream (second half). Use it when one key seals or opens many messages (a contract call's
 * state); the key bytes themselves are not kept.
 */
export class AesSivKey {
  private readonly cmac: Cmac;
  private readonly ecb: Cipher;
  /** S2V's first step, CMAC(0^128), depends on the key only. */
  private readonly d0: Uint8Array;

  constructor(key: Uint8Array) {
    abytes(key, 32, "aes-siv key");
    this.cmac = new Cmac(key.subarray(0, 16));
    this.ecb = rawCipher("aes-128-ecb", key.subarray(16, 32));
    this.d0 = this.cmac.mac(ZERO_BLOCK);
  }

  /**
   * CMAC of one associated-data string: S2V's input for that AD element. A caller sealing many messages under
   * recurring AD (state values share their key name and salt) computes it once and passes it to `*Macs`.
   */
  adMac(ad: Uint8Array): Uint8Array {
    return this.cmac.mac(ad);
  }

  private s2v(adMacs: readonly Uint8Array[], plaintext: Uint8Array): Uint8Array {
    let d = this.d0;
    for (const m of adMacs) {
      d = dbl(d);
      xorInto(d, m, 0);
    }
    let t: Uint8Array;
    if (plaintext.length >= BLOCK) {
      t = Uint8Array.from(plaintext);
      xorInto(t, d, plaintext.length - BLOCK);
    } else {
      t = dbl(d);
      const padded = new Uint8Array(BLOCK);
      padded.set(plaintext);
      padded[plaintext.length] = 0x80;
      xorInto(t, padded, 0);
    }
    return this.cmac.mac(t);
  }

  /** CTR with counter Q = V with bits 31 and 63 cleared (RFC 5297 §2.6): keystream = ECB(Q, Q+1, …). */
  private ctr(v: Uint8Array, data: Uint8Array): Uint8Array {
    const n = Math.ceil(data.length / BLOCK);
    const out = new Uint8Array(data.length);
    if (n === 0) return out;
    const counters = new Uint8Array(n * BLOCK);
    const q = Uint8Array.from(v);
    q[8]! &= 0x7f;
    q[12]! &= 0x7f;
    for (let i = 0; i < n; i++) {
      counters.set(q, i * BLOCK);
      increment(q);
    }
    const stream = this.ecb.update(counters);
    for (let i = 0; i < data.length; i++) out[i] = data[i]! ^ stream[i]!;
    stream.fill(0);
    return out;
  }

  /** Encrypts: returns tag(16) ‖ ciphertext. */
  encrypt(plaintext: Uint8Array, ad: readonly Uint8Array[]): Uint8Array {
    checkAd(ad);
    return this.encryptMacs(
      plaintext,
      ad.map((a) => this.cmac.mac(a)),
    );
  }

  /** As `encrypt`, with the AD given as their `adMac`s. */
  encryptMacs(plaintext: Uint8Array, adMacs: readonly Uint8Array[]): Uint8Array {
    checkAd(adMacs);
    const v = this.s2v(adMacs, plaintext);
    const out = new Uint8Array(BLOCK + plaintext.length);
    out.set(v);
    out.set(this.ctr(v, plaintext), BLOCK);
    return out;
  }

  /** Decrypts tag(16) ‖ ciphertext; throws AesSivAuthError on a bad tag or short input. */
  decrypt(sealed: Uint8Array, ad: readonly Uint8Array[]): Uint8Array {
    checkAd(ad);
    return this.decryptMacs(
      sealed,
      ad.map((a) => this.cmac.mac(a)),
    );
  }

  /** As `decrypt`, with the AD given as their `adMac`s. */
  decryptMacs(sealed: Uint8Array, adMacs: readonly Uint8Array[]): Uint8Array {
    checkAd(adMacs);
    if (sealed.length < BLOCK) throw new AesSivAuthError();
    const v = sealed.subarray(0, BLOCK);
    const plaintext = this.ctr(v, sealed.subarray(BLOCK));
    const expected = this.s2v(adMacs, plaintext);
    if (!timingSafeEqual(expected, v)) {
      plaintext.fill(0);
      throw new AesSivAuthError();
    }
    return plaintext;
  }
}

/** Encrypts with a one-off key: returns tag(16) ‖ ciphertext. */
export function aesSivEncrypt(key: Uint8Array, plaintext: Uint8Array, ad: readonly Uint8Array[]): Uint8Array {
  abytes(key, 32, "aes-siv key");
  checkAd(ad);
  return new AesSivKey(key).encrypt(plaintext, ad);
}

/** Decrypts tag(16) ‖ ciphertext with a one-off key; throws AesSivAuthError on a bad tag or short input. */
export function aesSivDecrypt(key: Uint8Array, sealed: Uint8Array, ad: readonly Uint8Array[]): Uint8Array {
  abytes(key, 32, "aes-siv key");
  checkAd(ad);
  return new AesSivKey(key).decrypt(sealed, ad);
}

/** The AD that Secret's enclave means by `None`: one empty string (spec §1). Use it for all client-facing crypto. */
export const AD_ONE_EMPTY: readonly Uint8Array[] = Object.freeze([new Uint8Array(0)]);
/** Zero AD strings: used only for state key names (spec §6.3). */
export const AD_NONE: readonly Uint8Array[] = Object.freeze([]);
