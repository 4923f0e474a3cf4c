// HKDF-SHA256 and the two Secret KDFs built on it (spec secret-protocol §1, §2.2).
import { abytes, concatBytes, u32be } from "../../util/bytes.js";
import { HmacSha256Key } from "./sha256Js.js";

/** Secret's KDF salt (the Bitcoin halving block hash), spec §1 `KDF_SALT`. */
export const HKDF_SALT = new Uint8Array(
  Buffer.from("000000000000000000024bead8df69990852c202db0e0097c1a12ea637d7e96d", "hex"),
);

const SEED_INFO = new TextEncoder().encode("seed");
const EMPTY = new Uint8Array(0);

const SHA256_BYTES = 32;
/** RFC 5869 §2.3: L ≤ 255 · HashLen. */
const MAX_HKDF_LENGTH = 255 * SHA256_BYTES;

/** The extract step's HMAC key for Secret's fixed (public) salt, as precomputed pad states. */
const SALT_HMAC = new HmacSha256Key(HKDF_SALT);

/**
 * HKDF-SHA256 (RFC 5869) over our JS HMAC (./sha256Js.ts): for the usual L = 32 (SECRET_KEY_SIZE) and
 * `HKDF_SALT` that is seven SHA-256 compressions and no native call; the tx key of every message is derived
 * here (node:crypto's two HMAC contexts cost more than the hashing, see ./README.md).
 */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length = 32): Uint8Array {
  if (!Number.isInteger(length) || length < 1 || length > MAX_HKDF_LENGTH) {
    throw new RangeError(`HKDF length must be 1..${MAX_HKDF_LENGTH}`);
  }
  const extract = salt === HKDF_SALT ? SALT_HMAC : new HmacSha256Key(salt);
  const prk = extract.mac(ikm);
  if (extract !== SALT_HMAC) extract.wipe();
  const expand = new HmacSha256Key(prk);
  prk.fill(0);
  const out = new Uint8Array(Math.ceil(length / SHA256_BYTES) * SHA256_BYTES);
  let previous: Uint8Array = new Uint8Array(0);
  for (let i = 0; i * SHA256_BYTES < length; i++) {
    const t = expand.mac(previous, info, Uint8Array.of(i + 1));
    previous.fill(0);
    previous = t;
    out.set(t, i * SHA256_BYTES);
  }
  previous.fill(0);
  expand.wipe();
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
