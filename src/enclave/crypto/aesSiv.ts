// AES-SIV (RFC 5297) with a 32-byte key, i.e. AES-128-SIV, as Secret Network and secretjs use it
// (spec secret-protocol §1). Why we built it: Node has no SIV mode, and the pure-JS implementations
// (miscreant, @noble/ciphers) are 2-8x slower than composing node:crypto's AES-NI-backed ECB/CBC/CTR.
// Output layout: 16-byte synthetic IV (tag) ‖ ciphertext. Associated data is a LIST of strings, each
// a separate S2V input: `[]` (zero strings) and `[empty]` (one empty string) give different tags.
import { createCipheriv, timingSafeEqual } from "node:crypto";
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

function aesBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  const c = createCipheriv("aes-128-ecb", key, null);
  c.setAutoPadding(false);
  return new Uint8Array(c.update(block));
}

/** CMAC (RFC 4493) keyed with the already-derived subkeys of `key`. */
class Cmac {
  private readonly k1: Uint8Array;
  private readonly k2: Uint8Array;
  constructor(private readonly key: Uint8Array) {
    const l = aesBlock(key, ZERO_BLOCK);
    this.k1 = dbl(l);
    this.k2 = dbl(this.k1);
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
    const c = createCipheriv("aes-128-cbc", this.key, ZERO_BLOCK);
    c.setAutoPadding(false);
    const out = c.update(buf);
    return new Uint8Array(out.subarray(out.length - BLOCK));
  }
}

function s2v(macKey: Uint8Array, ad: readonly Uint8Array[], plaintext: Uint8Array): Uint8Array {
  const cmac = new Cmac(macKey);
  let d = cmac.mac(ZERO_BLOCK);
  for (const a of ad) {
    d = dbl(d);
    xorInto(d, cmac.mac(a), 0);
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
  return cmac.mac(t);
}

function ctr(encKey: Uint8Array, v: Uint8Array, data: Uint8Array): Uint8Array {
  const q = Uint8Array.from(v);
  q[8]! &= 0x7f; // RFC 5297 §2.6: clear the 31st and 63rd bits of the counter
  q[12]! &= 0x7f;
  const c = createCipheriv("aes-128-ctr", encKey, q);
  return new Uint8Array(c.update(data));
}

function checkArgs(key: Uint8Array, ad: readonly Uint8Array[]): void {
  abytes(key, 32, "aes-siv key");
  if (ad.length > MAX_AD_COMPONENTS) {
    throw new InvalidInputError(
      "associated data",
      `at most ${MAX_AD_COMPONENTS} AD strings, got ${ad.length}`,
    );
  }
}

/** Encrypts: returns tag(16) ‖ ciphertext. */
export function aesSivEncrypt(key: Uint8Array, plaintext: Uint8Array, ad: readonly Uint8Array[]): Uint8Array {
  checkArgs(key, ad);
  const v = s2v(key.subarray(0, 16), ad, plaintext);
  const out = new Uint8Array(BLOCK + plaintext.length);
  out.set(v);
  out.set(ctr(key.subarray(16, 32), v, plaintext), BLOCK);
  return out;
}

/** Decrypts tag(16) ‖ ciphertext; throws AesSivAuthError on a bad tag or short input. */
export function aesSivDecrypt(key: Uint8Array, sealed: Uint8Array, ad: readonly Uint8Array[]): Uint8Array {
  checkArgs(key, ad);
  if (sealed.length < BLOCK) throw new AesSivAuthError();
  const v = sealed.subarray(0, BLOCK);
  const plaintext = ctr(key.subarray(16, 32), v, sealed.subarray(BLOCK));
  const expected = s2v(key.subarray(0, 16), ad, plaintext);
  if (!timingSafeEqual(expected, v)) {
    plaintext.fill(0);
    throw new AesSivAuthError();
  }
  return plaintext;
}

/** The AD that Secret's enclave means by `None`: one empty string (spec §1). Use it for all client-facing crypto. */
export const AD_ONE_EMPTY: readonly Uint8Array[] = Object.freeze([new Uint8Array(0)]);
/** Zero AD strings: used only for state key names (spec §6.3). */
export const AD_NONE: readonly Uint8Array[] = Object.freeze([]);
