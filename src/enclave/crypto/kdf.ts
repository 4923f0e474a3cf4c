// HKDF-SHA256 and the two Secret KDFs built on it (spec secret-protocol §1, §2.2).
import { hkdfSync } from "node:crypto";
import { abytes, concatBytes, u32be } from "../../util/bytes.js";

/** Secret's KDF salt (the Bitcoin halving block hash), spec §1 `KDF_SALT`. */
export const HKDF_SALT = new Uint8Array(
  Buffer.from("000000000000000000024bead8df69990852c202db0e0097c1a12ea637d7e96d", "hex"),
);

const SEED_INFO = new TextEncoder().encode("seed");
const EMPTY = new Uint8Array(0);

/** HKDF-SHA256 with L = 32 (SECRET_KEY_SIZE). */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length = 32): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", ikm, salt, info, length));
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
