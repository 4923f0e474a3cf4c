// Thin wrappers over @noble/curves ed25519 with CosmWasm's `ed25519_verify` / `ed25519_batch_verify`
// rules (cosmwasm-crypto ed25519.rs, which uses ed25519-zebra, i.e. ZIP-215 validation).
import { ed25519 } from "@noble/curves/ed25519.js";
import { abytes, InvalidInputError } from "../../util/bytes.js";

/** CosmWasm `EDDSA_SIGNATURE_LEN` / `EDDSA_PUBKEY_LEN`. */
export const ED25519_SIGNATURE_LENGTH = 64;
export const ED25519_PUBKEY_LENGTH = 32;

function checkSigAndKey(signature: Uint8Array, pubkey: Uint8Array): void {
  abytes(signature, ED25519_SIGNATURE_LENGTH, "ed25519 signature");
  abytes(pubkey, ED25519_PUBKEY_LENGTH, "ed25519 public key");
}

/** Verifies one signature (ZIP-215 rules, as ed25519-zebra). Bad sizes throw; a bad signature is false. */
export function ed25519Verify(message: Uint8Array, signature: Uint8Array, pubkey: Uint8Array): boolean {
  abytes(message, undefined, "message");
  checkSigAndKey(signature, pubkey);
  try {
    return ed25519.verify(signature, message, pubkey, { zip215: true });
  } catch {
    return false;
  }
}

/**
 * CosmWasm batch semantics: equal-length lists are verified pairwise; one message with n signatures/keys,
 * or n messages/signatures with one key, are broadcast; all three empty is true. Any other shape throws
 * (CosmWasm: "BatchErr"). We verify one by one: same answer as a true batch, without its speed-up.
 */
export function ed25519BatchVerify(
  messages: readonly Uint8Array[],
  signatures: readonly Uint8Array[],
  pubkeys: readonly Uint8Array[],
): boolean {
  const n = signatures.length;
  let msgs = messages;
  let keys = pubkeys;
  if (msgs.length === 1 && n !== 1) msgs = Array.from({ length: n }, () => messages[0]!);
  if (keys.length === 1 && n !== 1) keys = Array.from({ length: n }, () => pubkeys[0]!);
  if (msgs.length !== n || keys.length !== n) {
    throw new InvalidInputError("batch", "mismatched number of messages / signatures / public keys");
  }
  let ok = true;
  for (let i = 0; i < n; i++) {
    // Check every item so sizes are validated even after a failure.
    if (!ed25519Verify(msgs[i]!, signatures[i]!, keys[i]!)) ok = false;
  }
  return ok;
}

/** Signs `message` with a 32-byte secret seed (RFC 8032). */
export function ed25519Sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  abytes(message, undefined, "message");
  abytes(secretKey, 32, "ed25519 secret key");
  return ed25519.sign(message, secretKey);
}

/** The 32-byte public key of a secret seed. */
export function ed25519PublicKey(secretKey: Uint8Array): Uint8Array {
  abytes(secretKey, 32, "ed25519 secret key");
  return ed25519.getPublicKey(secretKey);
}
