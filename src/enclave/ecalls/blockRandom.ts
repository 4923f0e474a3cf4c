// Per-block randomness (spec secret-protocol §9; SN registration/offchain.rs `ecall_generate_random`,
// block-verifier/src/verify/random.rs): the proposer's enclave draws 32 bytes, encrypts them for the header and
// proves them; every enclave verifies the proof and hands the plaintext back to the chain at BeginBlock.
import { randomBytes } from "node:crypto";
import { abytes, concatBytes, u64be } from "../../util/bytes.js";
import { aesSivDecrypt, aesSivEncrypt } from "../crypto/aesSiv.js";
import { constantTimeEqual, hmacSha256, zeroize } from "../crypto/hash.js";
import { decodeFields } from "../channel/codec.js";
import { EnclaveError } from "../errors.js";
import type { EcallTable } from "./index.js";
import { enclaveKeys } from "./state.js";

/** spec §9: 32 random bytes, 48 once AES-SIV'd (16-byte tag), 32-byte HMAC proof. */
export const BLOCK_RANDOM_SIZE = 32;
export const ENCRYPTED_RANDOM_SIZE = 48;
export const RANDOM_PROOF_SIZE = 32;
/** Block and validator-set hashes are SHA-256 (CometBFT). */
const HASH_SIZE = 32;

interface BlockInfo {
  readonly height: bigint;
  readonly blockHash: Uint8Array;
  readonly validatorSetHash: Uint8Array;
}

function readBlockInfo(height: Uint8Array | undefined, blockHash?: Uint8Array, vset?: Uint8Array): BlockInfo {
  const h = abytes(height, 8, "height");
  return {
    height: new DataView(h.buffer, h.byteOffset, 8).getBigUint64(0, false),
    blockHash: abytes(blockHash, HASH_SIZE, "block hash"),
    validatorSetHash: abytes(vset, HASH_SIZE, "validator set hash"),
  };
}

/** proof = HMAC-SHA256(initial_randomness_seed, u64_be(height) ‖ rand ‖ block_hash). */
function proofOf(key: Uint8Array, info: BlockInfo, rand: Uint8Array): Uint8Array {
  return hmacSha256(key, concatBytes(u64be(info.height), rand, info.blockHash));
}

export const blockRandomEcalls: EcallTable = {
  /** fields [height u64, blockHash(32), validatorSetHash(32)] → encrypted(48) ‖ proof(32). */
  generateBlockRandom: (payload, ctx) => {
    const [height, blockHash, vset] = decodeFields(payload, 3, "generateBlockRandom");
    const info = readBlockInfo(height, blockHash, vset);
    const keys = enclaveKeys(ctx.runtime);
    const rand = new Uint8Array(randomBytes(BLOCK_RANDOM_SIZE));
    const encKey = keys.randomEncryptionKey();
    const proofKey = keys.initialRandomnessSeed(keys.seedCount - 1);
    try {
      return concatBytes(aesSivEncrypt(encKey, rand, [info.validatorSetHash]), proofOf(proofKey, info, rand));
    } finally {
      zeroize(rand, encKey, proofKey);
    }
  },

  /**
   * fields [height, blockHash, validatorSetHash, encrypted(48), proof(32)] → the plaintext 32 bytes (public
   * from here on: the chain stores it, spec §9). The proof may come from any of our seeds, newest first.
   */
  verifyBlockRandom: (payload, ctx) => {
    const [height, blockHash, vset, encrypted, proof] = decodeFields(payload, 5, "verifyBlockRandom");
    const info = readBlockInfo(height, blockHash, vset);
    abytes(encrypted, ENCRYPTED_RANDOM_SIZE, "encrypted random");
    abytes(proof, RANDOM_PROOF_SIZE, "random proof");
    const keys = enclaveKeys(ctx.runtime);
    const encKey = keys.randomEncryptionKey();
    let rand: Uint8Array;
    try {
      rand = aesSivDecrypt(encKey, encrypted!, [info.validatorSetHash]);
    } catch {
      throw new EnclaveError("DecryptionError");
    } finally {
      zeroize(encKey);
    }
    for (let i = keys.seedCount - 1; i >= 0; i--) {
      const proofKey = keys.initialRandomnessSeed(i);
      const ok = constantTimeEqual(proofOf(proofKey, info, rand), proof!);
      zeroize(proofKey);
      if (ok) return rand;
    }
    zeroize(rand);
    throw new EnclaveError("FailedTxVerification", "block random proof does not verify");
  },
};
