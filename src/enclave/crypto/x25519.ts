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
import { LinkedMap } from "../../util/linkedMap.js";
import { constantTimeEqual } from "./hash.js";

// DER prefix that wraps a raw 32-byte key as PKCS#8 for OID 1.3.101.110 (X25519).
const PKCS8_PREFIX = new Uint8Array(Buffer.from("302e020100300506032b656e04220420", "hex"));

/**
 * Importing a private key into OpenSSL dominates an X25519 operation (~5x the scalar multiplication), and the
 * enclave uses the same few secrets (the IO key above all) for every message. So imported key objects are kept in
 * a small cache keyed by sha256 of the secret; it lives inside the enclave beside the keychain that holds the
 * same secrets, and holds at most PRIVATE_KEY_CACHE_SIZE of them. Each entry also holds the shared secrets
 * `x25519SharedSecretCached` computed with that key (see there).
 */
const PRIVATE_KEY_CACHE_SIZE = 8;
/**
 * At most this many peer public keys per secret key keep their shared secret (LRU). secretjs derives one
 * X25519 key pair per wallet seed and reuses it for every tx, so a node sees the same senders again and again.
 */
export const SHARED_SECRET_CACHE_SIZE = 1024;

interface PrivateKeyEntry {
  readonly key: KeyObject;
  /** latin1 string of the full 32-byte peer public key → X25519(sk, pk), least recently used first. */
  readonly shared: LinkedMap<string, Uint8Array>;
}
/**
 * Least recently used first. LinkedMaps (../../util/linkedMap.ts): a hit is a Map lookup and a relink, an eviction
 * takes the list's head, so neither slows down on a node that has seen many more senders than the cache holds.
 */
const privateKeyCache = new LinkedMap<string, PrivateKeyEntry>();

/** Inserts `id` (absent) as the most recent entry and evicts the least recently used beyond `max`; returns it. */
function lruSet<V>(map: LinkedMap<string, V>, id: string, value: V, max: number): V | undefined {
  map.set(id, value);
  return map.size <= max ? undefined : map.shift()?.value;
}

function zeroShared(entry: PrivateKeyEntry): void {
  for (const v of entry.shared.values()) v.fill(0);
  entry.shared.clear();
}

/**
 * The secret key of the last lookup (a private copy) and its entry: the IO key is asked for on every message,
 * and a 32-byte constant-time compare (~40 ns) is cheaper than the SHA-256 of the cache id (~1 µs, native).
 */
let last: { readonly sk: Uint8Array; readonly entry: PrivateKeyEntry } | undefined;

function forgetLast(): void {
  last?.sk.fill(0);
  last = undefined;
}

function privateKeyEntry(sk: Uint8Array): PrivateKeyEntry {
  abytes(sk, 32, "x25519 secret key");
  if (last !== undefined && constantTimeEqual(last.sk, sk)) return last.entry;
  const entry = privateKeyEntryById(sk);
  forgetLast();
  last = { sk: new Uint8Array(sk), entry };
  return entry;
}

function privateKeyEntryById(sk: Uint8Array): PrivateKeyEntry {
  const id = createHash("sha256").update(sk).digest("base64");
  const hit = privateKeyCache.getAndTouch(id);
  if (hit) return hit;
  const der = Buffer.from(concatBytes(PKCS8_PREFIX, sk));
  const entry: PrivateKeyEntry = {
    key: createPrivateKey({ key: der, format: "der", type: "pkcs8" }),
    shared: new LinkedMap(),
  };
  der.fill(0);
  const evicted = lruSet(privateKeyCache, id, entry, PRIVATE_KEY_CACHE_SIZE);
  if (evicted !== undefined) zeroShared(evicted);
  if (evicted !== undefined && evicted === last?.entry) forgetLast();
  return entry;
}

function privateKeyObject(sk: Uint8Array): KeyObject {
  return privateKeyEntry(sk).key;
}

/**
 * Forgets every imported secret key and zeroes every cached shared secret. The keychain calls it when its
 * current seed changes (rotation) or it is created or destroyed, so no secret of an old seed outlives it here.
 */
export function clearX25519Caches(): void {
  for (const e of privateKeyCache.values()) zeroShared(e);
  privateKeyCache.clear();
  forgetLast();
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
  return sharedWith(privateKeyObject(sk), pk);
}

function sharedWith(privateKey: KeyObject, pk: Uint8Array): Uint8Array {
  const pub = publicKeyObject(pk);
  try {
    return new Uint8Array(diffieHellman({ privateKey, publicKey: pub }));
  } catch {
    // OpenSSL refuses an all-zero result (a low-order point): nobody honest sends one.
    throw new InvalidInputError("x25519 public key", "x25519 public key is a low-order point");
  }
}

/**
 * As `x25519SharedSecret`, remembering the result per (secret key, full 32-byte public key) in enclave memory
 * (at most SHARED_SECRET_CACHE_SIZE public keys per secret key, LRU). For the IO key only: a repeated sender
 * then skips the public-key import and the scalar multiplication. Low-order keys are not cached (they throw).
 * Returns a copy the caller may zeroize.
 */
export function x25519SharedSecretCached(sk: Uint8Array, pk: Uint8Array): Uint8Array {
  abytes(pk, 32, "x25519 public key");
  const entry = privateKeyEntry(sk);
  const id = Buffer.from(pk.buffer, pk.byteOffset, pk.byteLength).toString("latin1");
  const hit = entry.shared.getAndTouch(id);
  if (hit !== undefined) return hit.slice();
  const secret = sharedWith(entry.key, pk);
  const evicted = lruSet(entry.shared, id, secret.slice(), SHARED_SECRET_CACHE_SIZE);
  evicted?.fill(0);
  return secret;
}

/** How many secret keys and cached shared secrets the caches hold (for tests and diagnostics; no key material). */
export function x25519CacheSizes(): { secretKeys: number; sharedSecrets: number } {
  let sharedSecrets = 0;
  for (const e of privateKeyCache.values()) sharedSecrets += e.shared.size;
  return { secretKeys: privateKeyCache.size, sharedSecrets };
}

/**
 * The peer public keys (hex) whose shared secret with `sk` is cached, least recently used first, without
 * touching either cache (tests; public keys only, no secret leaves).
 */
export function x25519SharedCacheOrder(sk: Uint8Array): string[] {
  abytes(sk, 32, "x25519 secret key");
  const entry = privateKeyCache.get(createHash("sha256").update(sk).digest("base64"));
  return entry === undefined
    ? []
    : [...entry.shared.keys()].map((id) => Buffer.from(id, "latin1").toString("hex"));
}

/** A fresh key pair from the CSPRNG. */
export function x25519GenerateKeyPair(): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const secretKey = new Uint8Array(randomBytes(32));
  return { secretKey, publicKey: x25519PublicKey(secretKey) };
}
