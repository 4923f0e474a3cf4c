// Double-sign evidence made with a validator's own key: two precommits for the same height and round but
// different block IDs, as CometBFT's DuplicateVoteEvidence (types/evidence.go) in its JSON (cmtjson) form for
// the `broadcast_evidence` RPC. The key signs what two nodes sharing it would sign when they disagree.
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import { rfc3339ToTimestamp } from "../../src/api/rest/cometSource.js";
import { Ed25519Signer, precommitSignBytes } from "../../src/consensus/votes.js";
import type { Localnet } from "./harness.js";

const PRECOMMIT = 2;

interface Key {
  readonly address: string;
  readonly privateKey: Uint8Array;
}

/** Evidence that `key` precommitted two different blocks at `height` (round 0), ready for broadcast_evidence. */
export async function doubleSignEvidence(
  net: Localnet,
  node: number,
  height: number,
  key: Key,
  chainId: string,
): Promise<unknown> {
  const vals = (await net.rpc(node, `/validators?height=${height}&per_page=100`)) as {
    validators: { address: string; voting_power: string }[];
  };
  const index = vals.validators.findIndex((v) => v.address === key.address);
  if (index < 0) throw new Error("the key is not a validator at that height");
  const total = vals.validators.reduce((s, v) => s + BigInt(v.voting_power), 0n);
  const block = (await net.rpc(node, `/block?height=${height}`)) as { block: { header: { time: string } } };
  const time = block.block.header.time;
  const signer = new Ed25519Signer(key.privateKey.slice(0, 32));
  // BlockID.Key order: vote A's block hash must sort before vote B's (DuplicateVoteEvidence.ValidateBasic).
  const vote = (fill: number): Record<string, unknown> => {
    const hash = new Uint8Array(32).fill(fill);
    const partsHash = new Uint8Array(32).fill(0x77);
    const ts: Timestamp = rfc3339ToTimestamp(time);
    const sig = signer.sign(
      precommitSignBytes(chainId, BigInt(height), { hash, partSetHeader: { total: 1, hash: partsHash } }, ts),
    );
    return {
      type: PRECOMMIT,
      height: String(height),
      round: 0,
      block_id: {
        hash: Buffer.from(hash).toString("hex").toUpperCase(),
        parts: { total: 1, hash: Buffer.from(partsHash).toString("hex").toUpperCase() },
      },
      timestamp: time,
      validator_address: key.address,
      validator_index: index,
      signature: Buffer.from(sig).toString("base64"),
      extension: null,
      extension_signature: null,
    };
  };
  return {
    type: "tendermint/DuplicateVoteEvidence",
    value: {
      vote_a: vote(0x11),
      vote_b: vote(0x22),
      // These three fields have no json tags in types/evidence.go: Go's field names are the keys.
      TotalVotingPower: total.toString(),
      ValidatorPower: vals.validators[index]!.voting_power,
      Timestamp: time,
    },
  };
}
