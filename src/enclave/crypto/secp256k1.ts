// secp256k1: verify by libsecp256k1, native (./nativeSecp256k1.ts, ~40 µs) where its addon loads and as
// WebAssembly otherwise (~200 µs; the contract API's prehashed 32-byte message and tx signatures over sha256 of the
// message; both far faster than @noble/curves, kept as the reference); recover and sign by @noble/curves: 64-byte
// compact r‖s, SEC1 public keys. Input
// rules follow Secret's enclave, which uses libsecp256k1 (SN contract-engine/src/wasm3/mod.rs host_secp256k1_verify).
import { secp256k1 } from "@noble/curves/secp256k1.js";
import {
  isPoint as libsecpIsPoint,
  pointCompress as libsecpPointCompress,
  verify as libsecpVerify,
} from "tiny-secp256k1-v2";
import { abytes, fromHex, InvalidInputError, toHex } from "../../util/bytes.js";
import { LinkedMap } from "../../util/linkedMap.js";
import { sha256 } from "./hash.js";
import { enterNativeSecp256k1, leaveNativeSecp256k1, type NativeSecp256k1 } from "./nativeSecp256k1.js";

/** CosmWasm `MESSAGE_HASH_MAX_LEN`: the message is a 32-byte digest, never hashed again here. */
export const SECP256K1_HASH_LENGTH = 32;
/** CosmWasm `ECDSA_SIGNATURE_LEN`: compact r‖s. */
export const SECP256K1_SIGNATURE_LENGTH = 64;
/** SEC1 compressed / uncompressed public-key lengths accepted by CosmWasm's `check_pubkey`. */
export const SECP256K1_COMPRESSED_PUBKEY_LENGTH = 33;
export const SECP256K1_UNCOMPRESSED_PUBKEY_LENGTH = 65;

export interface Secp256k1VerifyOptions {
  /**
   * Reject signatures whose s is in the upper half of the order. Upstream CosmWasm's `secp256k1_verify`
   * normalizes high-S and accepts it (the default here); Secret's enclave (libsecp256k1 `verify_ecdsa`) and
   * Cosmos SDK tx signatures reject it: pass true for both of those.
   */
  readonly rejectHighS?: boolean;
}

const CURVE_N = secp256k1.Point.CURVE().n;
const HALF_N = CURVE_N >> 1n;
const be32 = (x: bigint): Uint8Array => fromHex(x.toString(16).padStart(64, "0"));
const CURVE_N_BYTES = be32(CURVE_N);
const HALF_N_BYTES = be32(HALF_N);

/** The 32-byte big-endian number at `b[at..at+32]` compared with `ref`: -1, 0 or 1. */
function compare32(b: Uint8Array, at: number, ref: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const d = b[at + i]! - ref[i]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

function isZero32(b: Uint8Array, at: number): boolean {
  for (let i = 0; i < 32; i++) if (b[at + i] !== 0) return false;
  return true;
}

function badKey(): InvalidInputError {
  return new InvalidInputError("secp256k1 public key", '"secp256k1 public key" is not a valid SEC1 point');
}

/**
 * Parses a SEC1 key as libsecp256k1 does (SN host_secp256k1_verify): 02/03 (33 B), 04 (65 B) and hybrid
 * 06/07 (65 B, the prefix parity must match y). Returns it as 33/65 bytes noble accepts; throws if the
 * format is wrong or the point is not on the curve (both are errors, not "invalid signature", in Secret).
 */
function parsePubkey(pubkey: Uint8Array): Uint8Array {
  abytes(pubkey, undefined, "secp256k1 public key");
  const p = pubkey[0];
  let key = pubkey;
  if (pubkey.length === SECP256K1_UNCOMPRESSED_PUBKEY_LENGTH && (p === 6 || p === 7)) {
    if ((pubkey[64]! & 1) !== p - 6) throw badKey();
    key = Uint8Array.from(pubkey);
    key[0] = 4;
  } else if (
    !(pubkey.length === SECP256K1_COMPRESSED_PUBKEY_LENGTH && (p === 2 || p === 3)) &&
    !(pubkey.length === SECP256K1_UNCOMPRESSED_PUBKEY_LENGTH && p === 4)
  ) {
    throw badKey();
  }
  try {
    secp256k1.Point.fromBytes(key).assertValidity();
  } catch {
    throw badKey();
  }
  return key;
}

/**
 * The reference verify in pure JS (@noble/curves): a compact signature over a 32-byte hash. Errors (throw
 * InvalidInputError): wrong sizes, a key that is malformed or off the curve, r or s ≥ n (libsecp256k1
 * `from_compact` overflow). Merely wrong signatures, including r or s = 0, return false. The libsecp256k1 paths
 * below must give its verdicts and errors exactly (seeded property test, secp256k1.test.ts); production uses them.
 */
export function secp256k1VerifyNoble(
  hash: Uint8Array,
  signature: Uint8Array,
  pubkey: Uint8Array,
  opts: Secp256k1VerifyOptions = {},
): boolean {
  abytes(hash, SECP256K1_HASH_LENGTH, "message hash");
  abytes(signature, SECP256K1_SIGNATURE_LENGTH, "secp256k1 signature");
  const key = parsePubkey(pubkey);
  const r = BigInt("0x" + toHex(signature.subarray(0, 32)));
  const s = BigInt("0x" + toHex(signature.subarray(32)));
  if (r >= CURVE_N || s >= CURVE_N) {
    throw new InvalidInputError("secp256k1 signature", '"secp256k1 signature" has r or s out of range');
  }
  if (r === 0n || s === 0n) return false;
  try {
    return secp256k1.verify(signature, hash, key, {
      prehash: false,
      lowS: opts.rejectHighS === true,
      format: "compact",
    });
  } catch {
    return false;
  }
}

/** Valid SEC1 keys already parsed by libsecp256k1 (one per distinct signer key); bounds memory only. */
export const SECP256K1_KEY_CACHE_MAX = 4096;
/**
 * Valid keys seen before, by their SEC1 bytes: a compressed key maps to its uncompressed 65-byte form (the
 * same point: libsecp256k1 then skips the square root that decompresses it on every verify, ~10% of a verify
 * here), any other to undefined (used as given). The arrays never leave this file: libsecp256k1's `verify`
 * copies them into its own memory. Oldest insertion first (a LinkedMap: ../../util/linkedMap.ts).
 */
const validKeys = new LinkedMap<string, Uint8Array | undefined>();

/** The parsed-key cache's SEC1 keys (hex), oldest first (tests; public keys only). */
export function secp256k1KeyCacheOrder(): string[] {
  return [...validKeys.keys()].map((id) => Buffer.from(id, "latin1").toString("hex"));
}

/** SEC1 format check (as parsePubkey) with hybrid 06/07 rewritten to 04; the curve check is libsecp256k1's. */
function sec1Form(pubkey: Uint8Array): Uint8Array {
  abytes(pubkey, undefined, "secp256k1 public key");
  const p = pubkey[0];
  if (pubkey.length === SECP256K1_COMPRESSED_PUBKEY_LENGTH && (p === 2 || p === 3)) return pubkey;
  if (pubkey.length !== SECP256K1_UNCOMPRESSED_PUBKEY_LENGTH) throw badKey();
  if (p === 4) return pubkey;
  if ((p !== 6 && p !== 7) || (pubkey[64]! & 1) !== p - 6) throw badKey();
  const key = Uint8Array.from(pubkey);
  key[0] = 4;
  return key;
}

/** The key as libsecp256k1 verifies it fastest (a valid compressed key uncompressed); throws like parsePubkey. */
function checkedKey(pubkey: Uint8Array): Uint8Array {
  const key = sec1Form(pubkey);
  const id = Buffer.from(key.buffer, key.byteOffset, key.length).toString("latin1");
  const known = validKeys.get(id);
  if (known !== undefined) return known;
  if (validKeys.has(id)) return key;
  const full = parseKey(key, enterNativeSecp256k1());
  // Bounded, oldest insertion evicted first (a hit moves nothing); a LinkedMap, so a full cache evicts in constant
  // time (a Map's `keys().next()` walked the slots its earlier evictions left: 0.1 → 1.5 µs at 4,096 keys).
  if (validKeys.size >= SECP256K1_KEY_CACHE_MAX) validKeys.shift();
  validKeys.set(id, full);
  return full ?? key;
}

/**
 * The curve check of a SEC1-form key (02/03/04) by libsecp256k1: native when `addon` is given (its native
 * section is closed here), else wasm. Returns the uncompressed form of a compressed key, undefined for a
 * 65-byte one (used as given); throws badKey for a point off the curve.
 */
function parseKey(key: Uint8Array, addon: NativeSecp256k1 | undefined): Uint8Array | undefined {
  if (addon === undefined) {
    if (!libsecpIsPoint(key)) throw badKey();
    return key.length === SECP256K1_COMPRESSED_PUBKEY_LENGTH ? libsecpPointCompress(key, false) : undefined;
  }
  const full = new Uint8Array(SECP256K1_UNCOMPRESSED_PUBKEY_LENGTH);
  let status: number;
  try {
    status = addon.publicKeyConvert(full, key);
  } finally {
    leaveNativeSecp256k1();
  }
  if (status !== 0) throw badKey();
  return key.length === SECP256K1_COMPRESSED_PUBKEY_LENGTH ? full : undefined;
}

/** n − s of a high-S signature's s (big-endian, 0 < s < n): the low-S twin libsecp256k1 verifies. */
function lowS(signature: Uint8Array): Uint8Array {
  const out = Uint8Array.from(signature);
  let borrow = 0;
  for (let i = 31; i >= 0; i--) {
    const d = CURVE_N_BYTES[i]! - signature[32 + i]! - borrow;
    out[32 + i] = d & 0xff;
    borrow = d < 0 ? 1 : 0;
  }
  return out;
}

/**
 * Verifies a compact signature over sha256(`message`) (Cosmos tx signatures) with libsecp256k1 compiled to
 * libsecp256k1 (the library Secret's enclave uses): its native addon where it loads (./nativeSecp256k1.ts), else
 * its WebAssembly build (`tiny-secp256k1` 2.x, installed as `tiny-secp256k1-v2`). The same
 * verdicts and errors as `secp256k1VerifyNoble(sha256(…), …)`: throws InvalidInputError for a wrong signature size,
 * a malformed or off-curve key, or r/s ≥ n; returns false for r or s = 0, high-S when `rejectHighS`, and any
 * signature that does not verify.
 */
export function secp256k1VerifySha256(
  message: Uint8Array,
  signature: Uint8Array,
  pubkey: Uint8Array,
  opts: Secp256k1VerifyOptions = {},
): boolean {
  abytes(message, undefined, "message");
  return verifyLibsecp(() => sha256(message), signature, pubkey, opts);
}

/**
 * Verifies a compact signature over a 32-byte hash (the VM's `secp256k1_verify` import), with libsecp256k1
 * (native or WebAssembly, as secp256k1VerifySha256): the verdicts and errors of `secp256k1VerifyNoble` (wrong sizes, a malformed or off-curve key and
 * r or s ≥ n throw InvalidInputError; any other bad signature, r or s = 0 included, is false).
 */
export function secp256k1Verify(
  hash: Uint8Array,
  signature: Uint8Array,
  pubkey: Uint8Array,
  opts: Secp256k1VerifyOptions = {},
): boolean {
  abytes(hash, SECP256K1_HASH_LENGTH, "message hash");
  return verifyLibsecp(() => hash, signature, pubkey, opts);
}

/** The shared checks (in the reference's order: signature size, key, r/s range) and the library call. */
function verifyLibsecp(
  hash: () => Uint8Array,
  signature: Uint8Array,
  pubkey: Uint8Array,
  opts: Secp256k1VerifyOptions,
): boolean {
  abytes(signature, SECP256K1_SIGNATURE_LENGTH, "secp256k1 signature");
  const key = checkedKey(pubkey);
  if (!signatureInRange(signature, opts)) return false;
  return verifyChecked(hash(), key, signature, opts, enterNativeSecp256k1());
}

/**
 * The reference's r/s checks on the big-endian bytes (no hex string and bigint per verify): throws for r or s ≥ n;
 * false for r or s = 0 and for high-S when `rejectHighS`.
 */
function signatureInRange(signature: Uint8Array, opts: Secp256k1VerifyOptions): boolean {
  if (compare32(signature, 0, CURVE_N_BYTES) >= 0 || compare32(signature, 32, CURVE_N_BYTES) >= 0) {
    throw new InvalidInputError("secp256k1 signature", '"secp256k1 signature" has r or s out of range');
  }
  if (isZero32(signature, 0) || isZero32(signature, 32)) return false;
  return !(opts.rejectHighS === true && compare32(signature, 32, HALF_N_BYTES) > 0);
}

/** The curve check itself: native when `addon` is given (its native section is closed here), else wasm. */
function verifyChecked(
  digest: Uint8Array,
  key: Uint8Array,
  signature: Uint8Array,
  opts: Secp256k1VerifyOptions,
  addon: NativeSecp256k1 | undefined,
): boolean {
  if (addon !== undefined) {
    // libsecp256k1 verifies low-S only: a high-S signature is checked as its low-S twin (CosmWasm's rule).
    const sig = compare32(signature, 32, HALF_N_BYTES) > 0 ? lowS(signature) : signature;
    try {
      return addon.ecdsaVerify(sig, digest, key) === 0;
    } finally {
      leaveNativeSecp256k1();
    }
  }
  try {
    // strict = false normalizes a high-S signature first (libsecp256k1 verifies low-S only).
    return libsecpVerify(digest, key, signature, opts.rejectHighS === true);
  } catch {
    return false;
  }
}

/**
 * secp256k1Verify on a chosen backend, without the key cache (the property test compares both backends with the
 * reference, key parsing included). "native" throws when the addon does not load on this thread.
 */
export function secp256k1VerifyOn(
  backend: "native" | "wasm",
  hash: Uint8Array,
  signature: Uint8Array,
  pubkey: Uint8Array,
  opts: Secp256k1VerifyOptions = {},
): boolean {
  const take = (): NativeSecp256k1 | undefined => {
    if (backend === "wasm") return undefined;
    const addon = enterNativeSecp256k1();
    if (addon === undefined) throw new Error("the native secp256k1 addon is not available on this thread");
    return addon;
  };
  abytes(hash, SECP256K1_HASH_LENGTH, "message hash");
  abytes(signature, SECP256K1_SIGNATURE_LENGTH, "secp256k1 signature");
  const key = sec1Form(pubkey);
  const full = parseKey(key, take());
  if (!signatureInRange(signature, opts)) return false;
  return verifyChecked(hash, full ?? key, signature, opts, take());
}

/**
 * Recovers the uncompressed 65-byte public key from a hash, a compact signature and a recovery id 0..3
 * (CosmWasm answers with this form; Secret's enclave compresses it to 33 bytes, see vm/cryptoImports.ts). Throws InvalidInputError for bad sizes, ids or unrecoverable input.
 */
export function secp256k1RecoverPubkey(
  hash: Uint8Array,
  signature: Uint8Array,
  recoveryId: number,
): Uint8Array {
  abytes(hash, SECP256K1_HASH_LENGTH, "message hash");
  abytes(signature, SECP256K1_SIGNATURE_LENGTH, "secp256k1 signature");
  if (!Number.isInteger(recoveryId) || recoveryId < 0 || recoveryId > 3) {
    throw new InvalidInputError("recovery param", '"recovery param" must be 0..3');
  }
  try {
    // (r, s, v) and (r, n-s, v^1) recover the same key, so high-S needs no normalization here.
    const sig = secp256k1.Signature.fromBytes(signature, "compact").addRecoveryBit(recoveryId);
    return sig.recoverPublicKey(hash).toBytes(false);
  } catch {
    throw new InvalidInputError("secp256k1 signature", '"secp256k1 signature" cannot be recovered');
  }
}

/** Signs a 32-byte hash (RFC 6979 deterministic k, low-S). Returns the compact signature and recovery id. */
export function secp256k1Sign(
  hash: Uint8Array,
  secretKey: Uint8Array,
): { signature: Uint8Array; recoveryId: number } {
  abytes(hash, SECP256K1_HASH_LENGTH, "message hash");
  abytes(secretKey, 32, "secp256k1 secret key");
  const rec = secp256k1.sign(hash, secretKey, { prehash: false, lowS: true, format: "recovered" });
  // noble's "recovered" format puts the recovery byte first.
  return { signature: rec.slice(1), recoveryId: rec[0]! };
}

/** The 33-byte compressed public key of a secret key. */
export function secp256k1PublicKey(secretKey: Uint8Array, compressed = true): Uint8Array {
  abytes(secretKey, 32, "secp256k1 secret key");
  return secp256k1.getPublicKey(secretKey, compressed);
}
