// The per-block random (spec secret-protocol §9) carried inside the block: stock CometBFT has no header field
// for Secret's EncryptedRandom, so the proposer injects it as the block's first tx (issue 4 §4). This file is the
// chain side: the injected tx's format, the block reference the enclave binds the random to, and the keeper
// that keeps the verified random for the block (compute reads it for env.block.random).
import type { BlockRef } from "../enclave/api.js";
import { concatBytes, equalBytes, u64be, utf8 } from "../util/bytes.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { PrefixStore, type Context } from "./tx/context.js";

/**
 * The injected tx starts with 0xff: a TxRaw can never start with it (field 31, wire type 7 is not a valid
 * protobuf tag), so no user tx can be mistaken for it, and cosmos decoders reject it instead of misreading it.
 */
export const RANDOM_TX_MAGIC = Uint8Array.of(0xff, ...utf8.encode("SHROUD-RANDOM"), 0x01);
/** spec §9: AES-SIV(random_encryption_key, rand(32), AD=[validator_set_hash]) is 48 bytes, the HMAC proof 32. */
export const ENCRYPTED_RANDOM_SIZE = 48;
export const RANDOM_PROOF_SIZE = 32;
export const BLOCK_RANDOM_SIZE = 32;
export const RANDOM_TX_SIZE = RANDOM_TX_MAGIC.length + ENCRYPTED_RANDOM_SIZE + RANDOM_PROOF_SIZE;
/** CometBFT hashes (block, validator set, our app hash) are 32 bytes. */
const HASH_SIZE = 32;

/** What the proposer's and every validator's enclave do (EnclaveHost satisfies this). */
export interface BlockRandomEnclave {
  generateBlockRandom(block: BlockRef): { encrypted: Uint8Array; proof: Uint8Array };
  verifyBlockRandom(block: BlockRef, encrypted: Uint8Array, proof: Uint8Array): Uint8Array;
}

export function isRandomTx(tx: Uint8Array): boolean {
  return (
    tx.length >= RANDOM_TX_MAGIC.length && equalBytes(tx.subarray(0, RANDOM_TX_MAGIC.length), RANDOM_TX_MAGIC)
  );
}

export function encodeRandomTx(encrypted: Uint8Array, proof: Uint8Array): Uint8Array {
  if (encrypted.length !== ENCRYPTED_RANDOM_SIZE || proof.length !== RANDOM_PROOF_SIZE) {
    throw new RangeError("block random: encrypted must be 48 bytes and proof 32");
  }
  return concatBytes(RANDOM_TX_MAGIC, encrypted, proof);
}

/** The two parts of an injected tx, or undefined when `tx` is not exactly one. */
export function decodeRandomTx(tx: Uint8Array): { encrypted: Uint8Array; proof: Uint8Array } | undefined {
  if (!isRandomTx(tx) || tx.length !== RANDOM_TX_SIZE) return undefined;
  const o = RANDOM_TX_MAGIC.length;
  return {
    encrypted: tx.slice(o, o + ENCRYPTED_RANDOM_SIZE),
    proof: tx.slice(o + ENCRYPTED_RANDOM_SIZE),
  };
}

function hash32(b: Uint8Array): Uint8Array {
  return b.length === HASH_SIZE ? b : sha256(b);
}

/**
 * The block the random is bound to. Secret binds it to the block hash, which PrepareProposal cannot know (the
 * hash covers the txs, including this one). We bind it to the previous app hash instead: known identically to
 * the proposer and every validator at Prepare, Process and Finalize, and unique per chain state. The validator
 * set hash is the request's next_validators_hash (AES-SIV AD, as Secret's). Non-32-byte values are hashed.
 */
export function blockRefFor(
  height: bigint,
  lastAppHash: Uint8Array,
  nextValidatorsHash: Uint8Array,
): BlockRef {
  return { height, blockHash: hash32(lastAppHash), validatorSetHash: hash32(nextValidatorsHash) };
}

/** The random's store prefix; 0x01 → u64be(height) ‖ random(32) of the block being executed / last executed. */
export const RANDOM_STORE_PREFIX = utf8.encode("random/");
const CURRENT_KEY = Uint8Array.of(0x01);

/**
 * Keeps the verified random of the current block in state (Secret stores it in plain under compute's
 * 0xFF ‖ u64le(height): it is public once the block runs). Only the latest is kept: contracts see their own
 * block's random only, so history would be dead weight.
 */
export class BlockRandomKeeper {
  set(ctx: Context, height: bigint, random: Uint8Array): void {
    if (random.length !== BLOCK_RANDOM_SIZE) throw new RangeError("block random must be 32 bytes");
    new PrefixStore(ctx.store, RANDOM_STORE_PREFIX).set(CURRENT_KEY, concatBytes(u64be(height), random));
  }

  /** The random of block `ctx.blockHeight`, or undefined when that block has none (no enclave, or none injected). */
  get(ctx: Context): Uint8Array | undefined {
    const b = new PrefixStore(ctx.store, RANDOM_STORE_PREFIX).get(CURRENT_KEY);
    if (b?.length !== 8 + BLOCK_RANDOM_SIZE) return undefined;
    const h = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, false);
    return h === ctx.blockHeight ? b.slice(8) : undefined;
  }
}
