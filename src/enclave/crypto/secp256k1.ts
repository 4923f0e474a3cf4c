// Thin wrappers over @noble/curves secp256k1 with CosmWasm's `secp256k1_verify` /
// `secp256k1_recover_pubkey` rules (cosmwasm-crypto secp256k1.rs): prehashed 32-byte message,
// 64-byte compact r‖s signature, 33- or 65-byte SEC1 public key.
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { abytes, InvalidInputError } from "../../util/bytes.js";

/** CosmWasm `MESSAGE_HASH_MAX_LEN`: the message is a 32-byte digest, never hashed again here. */
export const SECP256K1_HASH_LENGTH = 32;
/** CosmWasm `ECDSA_SIGNATURE_LEN`: compact r‖s. */
export const SECP256K1_SIGNATURE_LENGTH = 64;
/** SEC1 compressed / uncompressed public-key lengths accepted by CosmWasm's `check_pubkey`. */
export const SECP256K1_COMPRESSED_PUBKEY_LENGTH = 33;
export const SECP256K1_UNCOMPRESSED_PUBKEY_LENGTH = 65;

export interface Secp256k1VerifyOptions {
  /**
   * Reject signatures whose s is in the upper half of the order. CosmWasm's contract API normalizes
   * high-S signatures and accepts them ("Non low-S signatures require normalization"), so the default is
   * false; Cosmos SDK tx signatures (secp256k1.PubKey.VerifySignature) reject them: pass true there.
   */
  readonly rejectHighS?: boolean;
}

function checkPubkey(pubkey: Uint8Array): void {
  abytes(pubkey, undefined, "secp256k1 public key");
  const ok =
    (pubkey.length === SECP256K1_COMPRESSED_PUBKEY_LENGTH && (pubkey[0] === 2 || pubkey[0] === 3)) ||
    (pubkey.length === SECP256K1_UNCOMPRESSED_PUBKEY_LENGTH && pubkey[0] === 4);
  if (!ok)
    throw new InvalidInputError("secp256k1 public key", '"secp256k1 public key" has an invalid format');
}

/**
 * Verifies a compact signature over a 32-byte hash. Wrong sizes/formats throw InvalidInputError (CosmWasm
 * returns an error code for those); a well-formed but wrong signature, or a pubkey not on the curve, is false.
 */
export function secp256k1Verify(
  hash: Uint8Array,
  signature: Uint8Array,
  pubkey: Uint8Array,
  opts: Secp256k1VerifyOptions = {},
): boolean {
  abytes(hash, SECP256K1_HASH_LENGTH, "message hash");
  abytes(signature, SECP256K1_SIGNATURE_LENGTH, "secp256k1 signature");
  checkPubkey(pubkey);
  try {
    return secp256k1.verify(signature, hash, pubkey, {
      prehash: false,
      lowS: opts.rejectHighS === true,
      format: "compact",
    });
  } catch {
    // noble throws for r/s out of range or an off-curve key: both are simply "not valid".
    return false;
  }
}

/**
 * Recovers the uncompressed 65-byte public key (CosmWasm returns it uncompressed) from a hash, a compact
 * signature and a recovery id 0..3. Throws InvalidInputError for bad sizes, ids or unrecoverable input.
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
