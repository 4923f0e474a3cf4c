// Cosmos SDK secp256k1 tx-signature verification through OpenSSL (node:crypto), ~5× faster than pure JS.
// Semantics of SDK crypto/keys/secp256k1 `VerifySignature`: sha256(sign bytes), 64-byte r‖s, low-S only.
import { createPublicKey, verify, type KeyObject } from "node:crypto";

/** Compact r‖s signature length (SDK secp256k1 `VerifySignature`). */
export const COSMOS_SIGNATURE_LENGTH = 64;
/** The only key form a Cosmos secp256k1 PubKey holds (SDK `PubKeySize`). */
export const COSMOS_PUBKEY_LENGTH = 33;
/** Parsed keys kept; one entry per distinct signer, so this bounds memory, not correctness. */
export const KEY_CACHE_MAX = 4096;

// SubjectPublicKeyInfo header for a 33-byte compressed secp256k1 point (RFC 5480: id-ecPublicKey, OID
// 1.3.132.0.10 secp256k1, BIT STRING of 34 bytes). OpenSSL decompresses and rejects points off the curve.
const SPKI_COMPRESSED_PREFIX = Buffer.from("3036301006072a8648ce3d020106052b8104000a032200", "hex");
// The group order n and ⌊n/2⌋ (SEC 2 §2.4.1), big-endian. SDK crypto/keys/secp256k1 `VerifySignature` returns
// false for r or s ≥ n (overflow on parse) and for s > n/2 (malleable signatures).
const CURVE_N = Buffer.from("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", "hex");
const HALF_N = Buffer.from("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0", "hex");

const keys = new Map<string, KeyObject | null>();

/** The KeyObject for a compressed key, or null when the bytes are not a point on the curve (cached both ways). */
function keyObject(pubkey: Uint8Array): KeyObject | null {
  const id = Buffer.from(pubkey.buffer, pubkey.byteOffset, pubkey.length).toString("latin1");
  const hit = keys.get(id);
  if (hit !== undefined) return hit;
  let key: KeyObject | null;
  try {
    key = createPublicKey({
      key: Buffer.concat([SPKI_COMPRESSED_PREFIX, pubkey]),
      format: "der",
      type: "spki",
    });
  } catch {
    key = null;
  }
  // Bounded: drop the oldest insertion (Map iterates in insertion order, which is deterministic).
  if (keys.size >= KEY_CACHE_MAX) keys.delete(keys.keys().next().value!);
  keys.set(id, key);
  return key;
}

const isZero = (b: Uint8Array): boolean => b.every((x) => x === 0);

/**
 * True iff `sig` (64-byte r‖s) is a valid low-S ECDSA signature by the 33-byte compressed `pubkey` over
 * sha256(`signBytes`). Never throws: every malformed input is simply "not valid", as in the SDK.
 */
export function verifyCosmosSecp256k1(pubkey: Uint8Array, signBytes: Uint8Array, sig: Uint8Array): boolean {
  if (pubkey.length !== COSMOS_PUBKEY_LENGTH || (pubkey[0] !== 2 && pubkey[0] !== 3)) return false;
  if (sig.length !== COSMOS_SIGNATURE_LENGTH) return false;
  const r = sig.subarray(0, 32);
  const s = sig.subarray(32);
  if (isZero(r) || isZero(s) || Buffer.compare(r, CURVE_N) >= 0) return false;
  // Low-S: OpenSSL accepts either half, the SDK does not (malleability).
  if (Buffer.compare(s, HALF_N) > 0) return false;
  const key = keyObject(pubkey);
  if (key === null) return false;
  try {
    return verify("sha256", signBytes, { key, dsaEncoding: "ieee-p1363" }, sig);
  } catch {
    return false;
  }
}
