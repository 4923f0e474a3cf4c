// Per-message `env.block.random` (spec secret-protocol §9; SN contract-engine/src/random.rs
// `derive_random`): HKDF-SHA256(salt = KDF_SALT, IKM = block_random, info = u64_be(height) ‖
// contract_key(64) ‖ u64_be(msg_counter)). Only for v1 contracts exporting `requires_random`.
import { abytes, concatBytes, u64be } from "../../util/bytes.js";
import { HKDF_SALT, hkdfSha256 } from "../crypto/kdf.js";

export function deriveEnvRandom(
  blockRandom: Uint8Array,
  height: bigint,
  contractKey: Uint8Array,
  msgCounter: bigint,
): Uint8Array {
  abytes(blockRandom, 32, "block random");
  abytes(contractKey, 64, "contract key");
  return hkdfSha256(blockRandom, HKDF_SALT, concatBytes(u64be(height), contractKey, u64be(msgCounter)));
}
