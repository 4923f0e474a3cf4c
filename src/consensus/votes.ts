// Precommit sign bytes and block IDs as CometBFT v0.38 computes them (types/vote.go VoteSignBytes →
// CanonicalVote, types/part_set.go), so blocks made by the embedded engine carry real ed25519 commits.
import { createPrivateKey, createPublicKey, sign, type KeyObject } from "node:crypto";
import { BinaryWriter } from "cosmjs-types/binary";
import { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import { Block } from "cosmjs-types/tendermint/types/block";
import { BlockID } from "cosmjs-types/tendermint/types/types";
import { headerHash } from "./header.js";
import { merkleRoot } from "./merkle.js";

/** types/params.go BlockPartSizeBytes. */
export const BLOCK_PART_SIZE_BYTES = 65536;
/** SignedMsgType PRECOMMIT (proto/tendermint/types/types.proto). */
const PRECOMMIT_TYPE = 2;

/** The block ID: header hash plus the part-set header over the proto-encoded block. */
export function blockIdOf(block: Block): BlockID {
  const bytes = Block.encode(block).finish();
  const parts: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; o += BLOCK_PART_SIZE_BYTES)
    parts.push(bytes.subarray(o, o + BLOCK_PART_SIZE_BYTES));
  return BlockID.fromPartial({
    hash: headerHash(block.header),
    partSetHeader: { total: parts.length, hash: merkleRoot(parts) },
  });
}

/**
 * Length-delimited CanonicalVote for a precommit. The dev engine always commits at round 0; a CometBFT block
 * committed after a failed round (a proposal timed out or rejected) carries its commit's round, which is signed.
 */
export function precommitSignBytes(
  chainId: string,
  height: bigint,
  blockId: BlockID,
  time: Timestamp,
  round = 0,
): Uint8Array {
  const w = BinaryWriter.create();
  w.uint32(8).int32(PRECOMMIT_TYPE);
  w.uint32(17).sfixed64(height);
  // round 0 is the proto3 default: omitted (CanonicalVote.round is sfixed64, field 3).
  if (round !== 0) w.uint32(25).sfixed64(BigInt(round));
  const bid = BinaryWriter.create();
  bid.uint32(10).bytes(blockId.hash);
  const psh = BinaryWriter.create();
  if (blockId.partSetHeader.total !== 0) psh.uint32(8).uint32(blockId.partSetHeader.total);
  psh.uint32(18).bytes(blockId.partSetHeader.hash);
  bid.uint32(18).bytes(psh.finish());
  w.uint32(34).bytes(bid.finish());
  w.uint32(42).bytes(Timestamp.encode(time).finish());
  w.uint32(50).string(chainId);
  const body = w.finish();
  return BinaryWriter.create().bytes(body).finish();
}

const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** A validator's ed25519 key from its 32-byte seed. */
export class Ed25519Signer {
  private readonly key: KeyObject;
  readonly publicKey: Uint8Array;
  constructor(seed: Uint8Array) {
    if (seed.length !== 32) throw new Error("ed25519 seed must be 32 bytes");
    this.key = createPrivateKey({
      key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
      format: "der",
      type: "pkcs8",
    });
    const spki = createPublicKey(this.key).export({ format: "der", type: "spki" });
    this.publicKey = new Uint8Array(spki.subarray(spki.length - 32));
  }
  sign(message: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, message, this.key));
  }
}
