// AES-SIV (RFC 5297) with a 32-byte key, i.e. AES-128-SIV, as Secret Network and secretjs use it
// (spec secret-protocol §1). Why we built it: Node has no SIV mode. An ephemeral key's short inputs (a tx
// key's: one message's input and outputs) run on our JS AES (./sivJs.ts, ./aes128.ts: no native call, no
// allocation, but table-based, so not constant time); everything else on node:crypto's AES-NI ECB/CBC contexts.
// Long-lived keys (state keys, sealing, registration, block random) never touch the JS AES: a cache-timing
// observer gets at most a few messages under any key it could attack.
// Output layout: 16-byte synthetic IV (tag) ‖ ciphertext. Associated data is a LIST of strings, each
// a separate S2V input: `[]` (zero strings) and `[empty]` (one empty string) give different tags.
import { createCipheriv, type Cipher } from "node:crypto";
import { abytes, InvalidInputError } from "../../util/bytes.js";
import { constantTimeEqual } from "./hash.js";
import { JsSiv } from "./sivJs.js";

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

/** dbl() of RFC 5297 §2.3 in place, without a branch on the (secret) top bit. */
function dblInPlace(b: Uint8Array): void {
  const carry = b[0]! >>> 7;
  for (let i = 0; i < BLOCK - 1; i++) b[i] = ((b[i]! << 1) | (b[i + 1]! >>> 7)) & 0xff;
  b[BLOCK - 1] = ((b[BLOCK - 1]! << 1) & 0xff) ^ (RB & -carry);
}

function dbl(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(BLOCK);
  out.set(b);
  dblInPlace(out);
  return out;
}

/** dst[at..at+16) ^= src[0..16). */
function xorBlock(dst: Uint8Array, at: number, src: Uint8Array): void {
  for (let i = 0; i < BLOCK; i++) dst[at + i]! ^= src[i]!;
}

/** Length of a CMAC input after padding: whole blocks, at least one. */
function paddedLength(len: number): number {
  return len === 0 ? BLOCK : Math.ceil(len / BLOCK) * BLOCK;
}

/** Scratch space for S2V's padded input and CTR's counter blocks, reused so that sealing a short value
 * allocates no intermediate arrays (a typed array over 64 bytes lives off V8's heap and costs ~0.5–1 µs to
 * create and collect: it was most of the JS time of a state value's SIV). Zeroed after each use. */
let scratch = new Uint8Array(4096);
const SCRATCH_MAX = 1 << 20;

function borrow(n: number): Uint8Array {
  if (n > scratch.length) {
    if (n > SCRATCH_MAX) return new Uint8Array(n);
    let size = scratch.length;
    while (size < n) size *= 2;
    scratch = new Uint8Array(size);
  }
  return scratch.subarray(0, n);
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
  private readonly chain = new Uint8Array(BLOCK);
  /** RFC 4493's first subkey: the CMAC of one complete block B is E(B ⊕ k1) (`AesSivKey.sealAllNative`). */
  readonly k1: Uint8Array;
  private readonly k2: Uint8Array;

  constructor(key: Uint8Array) {
    this.cbc = rawCipher("aes-128-cbc", key);
    const l = this.cbcMac(new Uint8Array(BLOCK)); // L = AES(K, 0^128)
    this.k1 = dbl(l);
    this.k2 = dbl(this.k1);
  }

  /** CBC-MAC from a zero IV of `buf` (whole blocks; consumed: its first block is modified). */
  private cbcMac(buf: Uint8Array): Uint8Array {
    xorBlock(buf, 0, this.chain);
    const out = this.cbc.update(buf);
    const last = out.length - BLOCK;
    for (let i = 0; i < BLOCK; i++) this.chain[i] = out[last + i]!;
    return this.chain.slice();
  }

  /**
   * CMAC of the first `len` bytes of `buf`, whose length is `paddedLength(len)` and whose bytes past `len`
   * are zero: applies the padding and subkey in place (consumed), then one CBC pass.
   */
  finish(buf: Uint8Array, len: number): Uint8Array {
    const last = buf.length - BLOCK;
    if (len > 0 && len % BLOCK === 0) {
      xorBlock(buf, last, this.k1);
    } else {
      buf[len] = 0x80;
      xorBlock(buf, last, this.k2);
    }
    return this.cbcMac(buf);
  }

  mac(msg: Uint8Array): Uint8Array {
    const buf = borrow(paddedLength(msg.length));
    buf.set(msg);
    buf.fill(0, msg.length);
    try {
      return this.finish(buf, msg.length);
    } finally {
      buf.fill(0);
    }
  }
}

/** One message for `AesSivKey.sealAllInto`: tag ‖ ciphertext go to out[at..]; AD given as their CMACs. */
export interface SealJob {
  readonly plaintext: Uint8Array;
  readonly adMacs: readonly Uint8Array[];
  readonly out: Uint8Array;
  readonly at: number;
}

/** Writes `n` counter blocks Q, Q+1, … (Q = V with bits 31 and 63 cleared) at `at`; returns the end offset. */
function putCounters(counters: Uint8Array, at: number, v: Uint8Array, n: number): number {
  const q = new Uint8Array(BLOCK); // a copy even when `v` is a Buffer (whose slice() is a view)
  q.set(v);
  q[8]! &= 0x7f;
  q[12]! &= 0x7f;
  for (let i = 0; i < n; i++) {
    counters.set(q, at + i * BLOCK);
    increment(q);
  }
  return at + n * BLOCK;
}

/** 128-bit big-endian increment in place (OpenSSL's CTR mode counts over the whole block). */
function increment(block: Uint8Array): void {
  for (let i = BLOCK - 1; i >= 0; i--) {
    const v = (block[i]! + 1) & 0xff;
    block[i] = v;
    if (v !== 0) return;
  }
}

/**
 * Writes `n` counter blocks at `at` from the tag at tag[tagAt..+16): Q (bits 31 and 63 cleared), Q+1, … as
 * `putCounters`. Q's low 32-bit word is below 2^31 after the clear, so adding n − 1 < 2^31 never carries out of
 * it (RFC 5297 §2.5's reason for the clear): each block is Q's first 12 bytes ‖ u32be(low word + i).
 */
function putCountersFrom(
  counters: Uint8Array,
  at: number,
  tag: Uint8Array,
  tagAt: number,
  n: number,
): number {
  if (n === 0) return at;
  for (let i = 0; i < 12; i++) counters[at + i] = tag[tagAt + i]!;
  counters[at + 8]! &= 0x7f;
  const low =
    ((tag[tagAt + 12]! & 0x7f) << 24) | (tag[tagAt + 13]! << 16) | (tag[tagAt + 14]! << 8) | tag[tagAt + 15]!;
  for (let b = 0; b < n; b++) {
    const q = at + b * BLOCK;
    if (b > 0) for (let i = 0; i < 12; i++) counters[q + i] = counters[at + i]!;
    const w = low + b; // < 2^32: n is far below 2^31
    counters[q + 12] = w >>> 24;
    counters[q + 13] = w >>> 16;
    counters[q + 14] = w >>> 8;
    counters[q + 15] = w;
  }
  return at + n * BLOCK;
}

/** S2V's running D in `sealAllNative` (zeroed after each batch). */
const S2V_D = new Uint8Array(BLOCK);
/** CMAC input of a long message in `sealAllNative` (its own: `borrow`'s scratch holds the batch). */
const LONG_SCRATCH = new Uint8Array(4096);

function checkAd(ad: readonly Uint8Array[]): void {
  if (ad.length > MAX_AD_COMPONENTS) {
    throw new InvalidInputError(
      "associated data",
      `at most ${MAX_AD_COMPONENTS} AD strings, got ${ad.length}`,
    );
  }
}

/**
 * node:crypto's contexts for one key: S2V's CMAC (CBC, first half), the CTR keystream (ECB, second half) and,
 * for keys that are not ephemeral, the first half as ECB too (a batch's one-block CMACs in one call).
 */
interface NativeSiv {
  readonly cmac: Cmac;
  readonly ecb: Cipher;
  readonly macEcb: Cipher | undefined;
}

/** node:crypto contexts for a 32-byte SIV key: CMAC under its first half, CTR (as ECB) under its second. */
function nativeOf(key: Uint8Array, macEcb: boolean): NativeSiv {
  const half = key.subarray(0, 16);
  return {
    cmac: new Cmac(half),
    ecb: rawCipher("aes-128-ecb", key.subarray(16, 32)),
    macEcb: macEcb ? rawCipher("aes-128-ecb", half) : undefined,
  };
}

/**
 * Inputs up to this many blocks run through the JS AES (./sivJs.ts), longer ones through node:crypto (AES-NI):
 * a native call costs ~0.5–0.7 µs plus ~25 ns a block, a JS block ~75 ns (measured, ./README.md). A key
 * that has no native contexts yet waits for longer inputs before building them (~1.2 µs each).
 */
const JS_MAX_BLOCKS = 12;
const JS_MAX_BLOCKS_NO_CONTEXT = 32;

/** Options of `AesSivKey`. */
export interface AesSivKeyOptions {
  /**
   * A single-use key (one tx's input and outputs, derived from a fresh nonce): its short inputs may run on the
   * table-based JS AES. Default false: AES-NI only (constant time), for every key that lives longer.
   */
  readonly ephemeral?: boolean;
}

/**
 * One AES-SIV key, ready for many messages: its AES key schedules in JS (short inputs, no native call) and,
 * built at first need, node:crypto contexts (long inputs). Use it when one key seals or opens many messages
 * (a contract call's state, a tx's input and outputs); the key bytes themselves are not kept apart from the
 * schedules. Every path gives the same bytes (RFC 5297; property-tested against @noble/ciphers).
 */
export class AesSivKey {
  /** JS key schedules: ephemeral keys only. */
  private readonly js: JsSiv | undefined;
  private native: NativeSiv | undefined;
  /** S2V's first step, CMAC(0^128), depends on the key only. */
  private readonly d0: Uint8Array;

  constructor(key: Uint8Array, opts: AesSivKeyOptions = {}) {
    abytes(key, 32, "aes-siv key");
    if (opts.ephemeral === true) {
      this.js = new JsSiv(key);
      this.d0 = this.js.cmac(ZERO_BLOCK);
    } else {
      this.native = nativeOf(key, true);
      this.d0 = this.native.cmac.mac(ZERO_BLOCK);
    }
  }

  /** Whether an input of `bytes` should use the JS AES (ephemeral keys only; see JS_MAX_BLOCKS). */
  private useJs(bytes: number): boolean {
    if (this.js === undefined) return false;
    const max = this.native !== undefined ? JS_MAX_BLOCKS : JS_MAX_BLOCKS_NO_CONTEXT;
    return bytes <= max * BLOCK;
  }

  private nativeSiv(): NativeSiv {
    if (this.native === undefined) {
      // Only an ephemeral key gets here without contexts (its first long input), or a disposed one.
      if (this.js === undefined) throw new Error("AES-SIV key used after dispose()");
      const key = this.js.keyBytes();
      this.native = nativeOf(key, false);
      key.fill(0);
    }
    return this.native;
  }

  /** CMAC of one complete block (S2V's last step for a plaintext under 16 bytes). */
  private cmacBlock(block: Uint8Array): Uint8Array {
    return this.js !== undefined ? this.js.cmac(block) : this.nativeSiv().cmac.mac(block);
  }

  /**
   * CMAC of one associated-data string: S2V's input for that AD element. A caller sealing many messages under
   * recurring AD (state values share their key name and salt) computes it once and passes it to `*Macs`.
   */
  adMac(ad: Uint8Array): Uint8Array {
    return this.useJs(paddedLength(ad.length)) ? this.js!.cmac(ad) : this.nativeSiv().cmac.mac(ad);
  }

  private s2v(adMacs: readonly Uint8Array[], plaintext: Uint8Array): Uint8Array {
    const d = this.d0.slice();
    for (const m of adMacs) {
      dblInPlace(d);
      xorBlock(d, 0, m);
    }
    const len = plaintext.length;
    if (len >= BLOCK) {
      // T = plaintext xorend D, then CMAC(T).
      if (this.useJs(paddedLength(len))) return this.js!.cmac(plaintext, d);
      const buf = borrow(paddedLength(len));
      buf.set(plaintext);
      buf.fill(0, len);
      xorBlock(buf, len - BLOCK, d);
      try {
        return this.nativeSiv().cmac.finish(buf, len);
      } finally {
        buf.fill(0);
      }
    }
    // T = dbl(D) xor pad(plaintext): one complete block.
    dblInPlace(d);
    for (let i = 0; i < len; i++) d[i]! ^= plaintext[i]!;
    d[len]! ^= 0x80;
    const tag = this.cmacBlock(d);
    d.fill(0);
    return tag;
  }

  /**
   * CTR with counter Q = V with bits 31 and 63 cleared (RFC 5297 §2.6); writes data ⊕ keystream to out[at..].
   * Natively: keystream = ECB(Q, Q+1, …) in one call.
   */
  private ctr(v: Uint8Array, data: Uint8Array, out: Uint8Array, at: number): void {
    const len = data.length;
    if (len === 0) return;
    if (this.useJs(len)) {
      this.js!.ctr(v, data, out, at);
      return;
    }
    const n = Math.ceil(len / BLOCK);
    const counters = borrow(n * BLOCK);
    putCounters(counters, 0, v, n);
    const stream = this.nativeSiv().ecb.update(counters);
    counters.fill(0);
    for (let i = 0; i < len; i++) out[at + i] = data[i]! ^ stream[i]!;
    stream.fill(0);
  }

  /** Encrypts: returns tag(16) ‖ ciphertext. */
  encrypt(plaintext: Uint8Array, ad: readonly Uint8Array[]): Uint8Array {
    checkAd(ad);
    return this.encryptMacs(
      plaintext,
      ad.map((a) => this.adMac(a)),
    );
  }

  /** As `encrypt`, with the AD given as their `adMac`s. */
  encryptMacs(plaintext: Uint8Array, adMacs: readonly Uint8Array[]): Uint8Array {
    const out = new Uint8Array(BLOCK + plaintext.length);
    this.sealInto(plaintext, adMacs, out, 0);
    return out;
  }

  /** As `encryptMacs`, writing tag ‖ ciphertext to out[at .. at + 16 + plaintext.length) (no extra array). */
  sealInto(plaintext: Uint8Array, adMacs: readonly Uint8Array[], out: Uint8Array, at: number): void {
    this.sealAllInto([{ plaintext, adMacs, out, at }]);
  }

  /**
   * Seals several messages under this key: one S2V pass each, then the CTR keystreams, for many blocks in ONE
   * native ECB call (a contract call's writes are flushed together; the native call, not the AES, is the cost).
   * A key that is not ephemeral also batches the messages' one-block CMACs (`sealAllNative`).
   */
  sealAllInto(jobs: readonly SealJob[]): void {
    const macEcb = this.js === undefined ? this.native?.macEcb : undefined;
    if (macEcb !== undefined) {
      this.sealAllNative(jobs, this.native!, macEcb);
      return;
    }
    const tags: Uint8Array[] = [];
    let blocks = 0;
    for (const j of jobs) {
      checkAd(j.adMacs);
      if (j.out.length - j.at < BLOCK + j.plaintext.length) throw new RangeError("aes-siv output too short");
      const v = this.s2v(j.adMacs, j.plaintext);
      j.out.set(v, j.at);
      tags.push(v);
      blocks += Math.ceil(j.plaintext.length / BLOCK);
    }
    if (blocks === 0) return;
    if (this.useJs(blocks * BLOCK)) {
      jobs.forEach((j, i) => {
        this.js!.ctr(tags[i]!, j.plaintext, j.out, j.at + BLOCK);
      });
      return;
    }
    const counters = borrow(blocks * BLOCK);
    let at = 0;
    jobs.forEach((j, i) => {
      at = putCounters(counters, at, tags[i]!, Math.ceil(j.plaintext.length / BLOCK));
    });
    const stream = this.nativeSiv().ecb.update(counters);
    counters.fill(0);
    at = 0;
    for (const j of jobs) {
      const pt = j.plaintext;
      const o = j.at + BLOCK;
      for (let i = 0; i < pt.length; i++) j.out[o + i] = pt[i]! ^ stream[at + i]!;
      at += Math.ceil(pt.length / BLOCK) * BLOCK;
    }
    stream.fill(0);
  }

  /**
   * `sealAllInto` for a key that is not ephemeral (state keys: a contract call's writes), with fewer native
   * calls and no per-message arrays. S2V of a message of at most one block ends in the CMAC of ONE block, which
   * is E(T ⊕ k1) (T already a complete block: RFC 4493 with one full block): those blocks of every message
   * go through one ECB call under the CMAC key (a state value's own bytes are mostly one block: balances,
   * counters). Longer messages take one CBC pass each, as `s2v`. Then one ECB call for all keystreams.
   * Same bytes as `s2v` + `ctr` per message (RFC 5297; tests against @noble/ciphers and the ephemeral path).
   */
  private sealAllNative(jobs: readonly SealJob[], nat: NativeSiv, macEcb: Cipher): void {
    let singles = 0;
    let blocks = 0;
    for (const j of jobs) {
      checkAd(j.adMacs);
      const len = j.plaintext.length;
      if (j.out.length - j.at < BLOCK + len) throw new RangeError("aes-siv output too short");
      if (len <= BLOCK) singles++;
      blocks += Math.ceil(len / BLOCK);
    }
    // One scratch: the one-block CMAC inputs first, then the counter blocks (zeroed after use).
    const scratchAt = singles * BLOCK;
    const buf = borrow(scratchAt + blocks * BLOCK);
    const d = S2V_D;
    const k1 = nat.cmac.k1;
    let s = 0;
    for (const j of jobs) {
      d.set(this.d0);
      for (const m of j.adMacs) {
        dblInPlace(d);
        xorBlock(d, 0, m);
      }
      const pt = j.plaintext;
      const len = pt.length;
      if (len > BLOCK) {
        j.out.set(this.cmacLong(nat.cmac, pt, d), j.at);
        continue;
      }
      // T = plaintext ⊕ D (one full block), or dbl(D) ⊕ pad(plaintext); the CMAC input block is T ⊕ k1.
      const at = s * BLOCK;
      if (len < BLOCK) {
        dblInPlace(d);
        d[len]! ^= 0x80;
      }
      for (let i = 0; i < BLOCK; i++) buf[at + i] = d[i]! ^ k1[i]! ^ (i < len ? pt[i]! : 0);
      s++;
    }
    d.fill(0);
    if (singles > 0) {
      const tags = macEcb.update(buf.subarray(0, scratchAt));
      s = 0;
      for (const j of jobs) {
        if (j.plaintext.length > BLOCK) continue;
        const from = s * BLOCK;
        for (let i = 0; i < BLOCK; i++) j.out[j.at + i] = tags[from + i]!;
        s++;
      }
    }
    if (blocks === 0) {
      buf.fill(0);
      return;
    }
    let at = scratchAt;
    for (const j of jobs) at = putCountersFrom(buf, at, j.out, j.at, Math.ceil(j.plaintext.length / BLOCK));
    const stream = nat.ecb.update(buf.subarray(scratchAt));
    buf.fill(0);
    at = 0;
    for (const j of jobs) {
      const pt = j.plaintext;
      const out = j.out;
      const o = j.at + BLOCK;
      for (let i = 0; i < pt.length; i++) out[o + i] = pt[i]! ^ stream[at + i]!;
      at += Math.ceil(pt.length / BLOCK) * BLOCK;
    }
    stream.fill(0);
  }

  /** S2V's last CMAC for a plaintext over one block: CMAC(plaintext xorend D), one CBC pass. */
  private cmacLong(cmac: Cmac, pt: Uint8Array, d: Uint8Array): Uint8Array {
    const len = pt.length;
    const t = LONG_SCRATCH.length >= paddedLength(len) ? LONG_SCRATCH : new Uint8Array(paddedLength(len));
    const buf = t.subarray(0, paddedLength(len));
    buf.set(pt);
    buf.fill(0, len);
    xorBlock(buf, len - BLOCK, d);
    try {
      return cmac.finish(buf, len);
    } finally {
      buf.fill(0);
    }
  }

  /** Decrypts tag(16) ‖ ciphertext; throws AesSivAuthError on a bad tag or short input. */
  decrypt(sealed: Uint8Array, ad: readonly Uint8Array[]): Uint8Array {
    checkAd(ad);
    return this.decryptMacs(
      sealed,
      ad.map((a) => this.adMac(a)),
    );
  }

  /** As `decrypt`, with the AD given as their `adMac`s. */
  decryptMacs(sealed: Uint8Array, adMacs: readonly Uint8Array[]): Uint8Array {
    checkAd(adMacs);
    if (sealed.length < BLOCK) throw new AesSivAuthError();
    const v = sealed.subarray(0, BLOCK);
    const plaintext = new Uint8Array(sealed.length - BLOCK);
    this.ctr(v, sealed.subarray(BLOCK), plaintext, 0);
    const expected = this.s2v(adMacs, plaintext);
    if (!constantTimeEqual(expected, v)) {
      plaintext.fill(0);
      throw new AesSivAuthError();
    }
    return plaintext;
  }

  /** Zeroes the JS key schedules and drops the native contexts (OpenSSL's copies go when collected). */
  dispose(): void {
    this.js?.wipe();
    this.d0.fill(0);
    this.native = undefined;
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
