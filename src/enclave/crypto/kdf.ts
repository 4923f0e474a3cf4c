// HKDF-SHA256 and the two Secret KDFs built on it (spec secret-protocol §1, §2.2).
import { createHmac } from "node:crypto";
import { abytes, concatBytes, u32be } from "../../util/bytes.js";

/** Secret's KDF salt (the Bitcoin halving block hash), spec §1 `KDF_SALT`. */
export const HKDF_SALT = new Uint8Array(
  Buffer.from("000000000000000000024bead8df69990852c202db0e0097c1a12ea637d7e96d", "hex"),
);

const SEED_INFO = new TextEncoder().encode("seed");
const EMPTY = new Uint8Array(0);

const SHA256_BYTES = 32;
/** RFC 5869 §2.3: L ≤ 255 · HashLen. */
const MAX_HKDF_LENGTH = 255 * SHA256_BYTES;

/**
 * HKDF-SHA256 (RFC 5869) written out over HMAC: for the usual L = 32 (SECRET_KEY_SIZE) this is two HMACs, about
 * 2× faster than `crypto.hkdfSync`, and state encryption derives keys on every contract call.
 */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length = 32): Uint8Array {
  if (!Number.isInteger(length) || length < 1 || length > MAX_HKDF_LENGTH) {
    throw new RangeError(`HKDF length must be 1..${MAX_HKDF_LENGTH}`);
  }
  const prk = createHmac("sha256", salt).update(ikm).digest();
  const out = new Uint8Array(Math.ceil(length / SHA256_BYTES) * SHA256_BYTES);
  let previous: Uint8Array = new Uint8Array(0);
  for (let i = 0; i * SHA256_BYTES < length; i++) {
    const h = createHmac("sha256", prk);
    // Empty parts are skipped: each update is a native call, and T(0) and Secret's info are empty.
    if (previous.length > 0) h.update(previous);
    if (info.length > 0) h.update(info);
    previous = h.update(Uint8Array.of(i + 1)).digest();
    out.set(previous, i * SHA256_BYTES);
  }
  prk.fill(0);
  return length === out.length ? out : out.slice(0, length);
}

/** `Seed::derive_key_from_this(data)`: IKM = seed ‖ data, info = "seed". */
export function deriveFromSeed(seed: Uint8Array, data: Uint8Array): Uint8Array {
  abytes(seed, 32, "seed");
  return hkdfSha256(concatBytes(seed, data), HKDF_SALT, SEED_INFO);
}

/** The derivation table of spec §2.2: derive(seed, n) = HKDF(seed ‖ u32_be(n), info = "seed"). */
export function deriveSeedKey(seed: Uint8Array, n: number): Uint8Array {
  return deriveFromSeed(seed, u32be(n));
}

/** `AESKey::derive_key_from_this(data)`: IKM = key ‖ data, info empty. */
export function deriveFromKey(key: Uint8Array, data: Uint8Array): Uint8Array {
  abytes(key, 32, "key");
  return hkdfSha256(concatBytes(key, data), HKDF_SALT, EMPTY);
}
