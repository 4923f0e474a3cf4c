// X25519 through node:crypto (38 µs per shared secret vs 681 µs for curve25519-js, spec perf §3.1).
// Secrets are used as given; clamping happens inside X25519 (RFC 7748), as with x25519_dalek StaticSecret.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  randomBytes,
  type KeyObject,
} from "node:crypto";
import { abytes, concatBytes, InvalidInputError } from "../../util/bytes.js";

// DER prefix that wraps a raw 32-byte key as PKCS#8 for OID 1.3.101.110 (X25519).
const PKCS8_PREFIX = new Uint8Array(Buffer.from("302e020100300506032b656e04220420", "hex"));

/**
 * Importing a private key into OpenSSL dominates an X25519 operation (~5x the scalar multiplication), and the
 * enclave uses the same few secrets (the IO key above all) for every message. So imported key objects are kept in
 * a small cache keyed by sha256 of the secret; it lives inside the enclave beside the keychain that holds the
 * same secrets, and holds at most PRIVATE_KEY_CACHE_SIZE of them.
 */
const PRIVATE_KEY_CACHE_SIZE = 8;
const privateKeyCache = new Map<string, KeyObject>();

function privateKeyObject(sk: Uint8Array): KeyObject {
  abytes(sk, 32, "x25519 secret key");
  const id = createHash("sha256").update(sk).digest("base64");
  const hit = privateKeyCache.get(id);
  if (hit) {
    privateKeyCache.delete(id); // refresh LRU position
    privateKeyCache.set(id, hit);
    return hit;
  }
  const der = Buffer.from(concatBytes(PKCS8_PREFIX, sk));
  const key = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  der.fill(0);
  privateKeyCache.set(id, key);
  if (privateKeyCache.size > PRIVATE_KEY_CACHE_SIZE) {
    const oldest = privateKeyCache.keys().next().value;
    if (oldest !== undefined) privateKeyCache.delete(oldest);
  }
  return key;
}

function publicKeyObject(pk: Uint8Array): KeyObject {
  abytes(pk, 32, "x25519 public key");
  // JWK import is several times cheaper than DER/SPKI parsing for a raw 32-byte key.
  return createPublicKey({
    key: { kty: "OKP", crv: "X25519", x: Buffer.from(pk).toString("base64url") },
    format: "jwk",
  });
}

/** X25519(sk, 9). */
export function x25519PublicKey(sk: Uint8Array): Uint8Array {
  const der = createPublicKey(privateKeyObject(sk)).export({ format: "der", type: "spki" });
  return new Uint8Array(der.subarray(der.length - 32));
}

/** Raw 32-byte shared secret X25519(sk, pk). Throws InvalidInputError for low-order public keys. */
export function x25519SharedSecret(sk: Uint8Array, pk: Uint8Array): Uint8Array {
  const pub = publicKeyObject(pk);
  try {
    return new Uint8Array(diffieHellman({ privateKey: privateKeyObject(sk), publicKey: pub }));
  } catch {
    // OpenSSL refuses an all-zero result (a low-order point): nobody honest sends one.
    throw new InvalidInputError("x25519 public key", "x25519 public key is a low-order point");
  }
}

/** A fresh key pair from the CSPRNG. */
export function x25519GenerateKeyPair(): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const secretKey = new Uint8Array(randomBytes(32));
  return { secretKey, publicKey: x25519PublicKey(secretKey) };
}
