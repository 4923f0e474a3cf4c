// Cosmos SDK secp256k1 tx-signature verification through libsecp256k1 (native) when it loads, else OpenSSL.
// Semantics of SDK crypto/keys/secp256k1 `VerifySignature`: sha256(sign bytes), 64-byte r‖s, low-S only.
import { createPublicKey, hash, verify, type KeyObject } from "node:crypto";
import { createRequire } from "node:module";
import { LinkedMap } from "../../util/linkedMap.js";

/** Compact r‖s signature length (SDK secp256k1 `VerifySignature`). */
export const COSMOS_SIGNATURE_LENGTH = 64;
/** The only key form a Cosmos secp256k1 PubKey holds (SDK `PubKeySize`). */
export const COSMOS_PUBKEY_LENGTH = 33;
/** Parsed keys kept (both backends' forms): one entry per distinct signer, so this bounds memory, not correctness. */
export const KEY_CACHE_MAX = 4096;

// SubjectPublicKeyInfo header for a 33-byte compressed secp256k1 point (RFC 5480: id-ecPublicKey, OID
// 1.3.132.0.10 secp256k1, BIT STRING of 34 bytes). OpenSSL decompresses and rejects points off the curve.
const SPKI_COMPRESSED_PREFIX = Buffer.from("3036301006072a8648ce3d020106052b8104000a032200", "hex");
// The group order n and ⌊n/2⌋ (SEC 2 §2.4.1), big-endian. SDK crypto/keys/secp256k1 `VerifySignature` returns
// false for r or s ≥ n (overflow on parse) and for s > n/2 (malleable signatures).
const CURVE_N = Buffer.from("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", "hex");
const HALF_N = Buffer.from("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0", "hex");

/** The `secp256k1` package's native entry (its N-API build of libsecp256k1; the JS fallback is not used). */
interface NativeSecp256k1 {
  /** True/false for a parsed signature and key; throws when either does not parse (r or s ≥ n, off-curve key). */
  ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): boolean;
  /** The same point in the other form (`compressed` false: 65 bytes, 04‖x‖y); throws when the key does not parse. */
  publicKeyConvert(pubkey: Uint8Array, compressed: boolean): Uint8Array;
}

/**
 * libsecp256k1 (Bitcoin Core's C library) through the `secp256k1` package's prebuilt N-API addon: ~40 µs per
 * verify vs ~270 µs for OpenSSL on this machine. Its `secp256k1_ecdsa_verify` accepts only low-S signatures, as
 * the SDK does. Undefined when the addon does not load on this platform: OpenSSL then verifies (same verdicts,
 * both property-tested against @noble/curves).
 */
const native: NativeSecp256k1 | undefined = (() => {
  try {
    return createRequire(import.meta.url)("secp256k1/bindings") as NativeSecp256k1;
  } catch {
    return undefined;
  }
})();

/** Which library verifies in this process (benchmarks and tests report it). */
export const SECP256K1_BACKEND: "libsecp256k1" | "openssl" =
  native === undefined ? "openssl" : "libsecp256k1";

/**
 * One signer key's parsed forms, each made on first use: `point` for libsecp256k1 (the 65-byte uncompressed
 * encoding: parsing it checks y² = x³ + 7, while the 33-byte form costs a square root on every verify, ~5 µs of
 * ~50; docs/BENCHMARKS.md "Localnet node host path (session 15, R2)"), `keyObject` for OpenSSL. null: the bytes
 * are not a point on the curve (that key never verifies). undefined: not made yet.
 */
interface ParsedKey {
  point: Uint8Array | null | undefined;
  keyObject: KeyObject | null | undefined;
}

/**
 * Parsed keys by the compressed key's bytes (latin1), oldest insertion first (a hit moves nothing); a LinkedMap,
 * so a full cache evicts in constant time.
 */
const keys = new LinkedMap<string, ParsedKey>();

/** The cache entry of a 33-byte compressed key (made empty, the oldest dropped when full). */
function parsedKey(pubkey: Uint8Array): ParsedKey {
  const id = Buffer.from(pubkey.buffer, pubkey.byteOffset, pubkey.length).toString("latin1");
  const hit = keys.get(id);
  if (hit !== undefined) return hit;
  const entry: ParsedKey = { point: undefined, keyObject: undefined };
  // Bounded: drop the oldest insertion.
  if (keys.size >= KEY_CACHE_MAX) keys.shift();
  keys.set(id, entry);
  return entry;
}

/** The 65-byte uncompressed form of a compressed key, or null when the bytes are not a point (cached both ways). */
function uncompressedPoint(lib: NativeSecp256k1, pubkey: Uint8Array): Uint8Array | null {
  const entry = parsedKey(pubkey);
  if (entry.point !== undefined) return entry.point;
  try {
    entry.point = lib.publicKeyConvert(pubkey, false);
  } catch {
    entry.point = null; // x ≥ p or x³ + 7 not a square: ecdsaVerify would throw on the compressed form too
  }
  return entry.point;
}

/** The KeyObject for a compressed key, or null when the bytes are not a point on the curve (cached both ways). */
function keyObject(pubkey: Uint8Array): KeyObject | null {
  const entry = parsedKey(pubkey);
  if (entry.keyObject !== undefined) return entry.keyObject;
  try {
    entry.keyObject = createPublicKey({
      key: Buffer.concat([SPKI_COMPRESSED_PREFIX, pubkey]),
      format: "der",
      type: "spki",
    });
  } catch {
    entry.keyObject = null;
  }
  return entry.keyObject;
}

/** The key cache's keys (hex), oldest first (tests). */
export function keyCacheOrder(): string[] {
  return [...keys.keys()].map((id) => Buffer.from(id, "latin1").toString("hex"));
}

const isZero = (b: Uint8Array): boolean => b.every((x) => x === 0);

/** The SDK's checks before any curve arithmetic: key form, signature length, 0 < r < n, 0 < s ≤ n/2. */
function passesPrechecks(pubkey: Uint8Array, sig: Uint8Array): boolean {
  if (pubkey.length !== COSMOS_PUBKEY_LENGTH || (pubkey[0] !== 2 && pubkey[0] !== 3)) return false;
  if (sig.length !== COSMOS_SIGNATURE_LENGTH) return false;
  const r = sig.subarray(0, 32);
  const s = sig.subarray(32);
  if (isZero(r) || isZero(s) || Buffer.compare(r, CURVE_N) >= 0) return false;
  // Low-S: OpenSSL accepts either half, the SDK does not (malleability).
  return Buffer.compare(s, HALF_N) <= 0;
}

/**
 * True iff `sig` (64-byte r‖s) is a valid low-S ECDSA signature by the 33-byte compressed `pubkey` over
 * sha256(`signBytes`). Never throws: every malformed input is simply "not valid", as in the SDK.
 */
export function verifyCosmosSecp256k1(pubkey: Uint8Array, signBytes: Uint8Array, sig: Uint8Array): boolean {
  if (!passesPrechecks(pubkey, sig)) return false;
  if (native === undefined) return openSslVerify(pubkey, signBytes, sig);
  const point = uncompressedPoint(native, pubkey);
  if (point === null) return false; // not a point on the curve
  try {
    return native.ecdsaVerify(sig, hash("sha256", signBytes, "buffer"), point);
  } catch {
    return false; // not reached: the prechecks leave no signature that fails to parse
  }
}

/** verifyCosmosSecp256k1 through OpenSSL whatever the platform (the fallback, tested everywhere). */
export function verifyCosmosSecp256k1OpenSsl(
  pubkey: Uint8Array,
  signBytes: Uint8Array,
  sig: Uint8Array,
): boolean {
  return passesPrechecks(pubkey, sig) && openSslVerify(pubkey, signBytes, sig);
}

function openSslVerify(pubkey: Uint8Array, signBytes: Uint8Array, sig: Uint8Array): boolean {
  const key = keyObject(pubkey);
  if (key === null) return false;
  try {
    return verify("sha256", signBytes, { key, dsaEncoding: "ieee-p1363" }, sig);
  } catch {
    return false;
  }
}
