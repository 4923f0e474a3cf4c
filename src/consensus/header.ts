// CometBFT v0.38 block header hashing and the hashes that feed it (types/block.go Header.Hash,
// types/tx.go Txs.Hash, types/results.go, types/validator_set.go), so that the embedded engine's blocks carry
// the same kinds of hashes a CometBFT network would. Field order and the gogoproto wrapper encodings follow
// `cdcEncode` in types/encoding_helper.go.
import { createHash } from "node:crypto";
import { BinaryWriter } from "cosmjs-types/binary";
import { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { PublicKey } from "cosmjs-types/tendermint/crypto/keys";
import { BlockID, type Header } from "cosmjs-types/tendermint/types/types";
import { Consensus } from "cosmjs-types/tendermint/version/types";
import { merkleRoot } from "./merkle.js";

export function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** gogoproto BytesValue / StringValue: field 1, omitted when empty. */
function wrapBytes(b: Uint8Array): Uint8Array {
  if (b.length === 0) return new Uint8Array();
  return BinaryWriter.create().uint32(10).bytes(b).finish();
}

/** gogoproto Int64Value: field 1 varint, omitted when zero. */
function wrapInt64(n: bigint): Uint8Array {
  if (n === 0n) return new Uint8Array();
  return BinaryWriter.create().uint32(8).int64(n).finish();
}

export function headerHash(h: Header): Uint8Array {
  const fields = [
    Consensus.encode(h.version).finish(),
    wrapBytes(new TextEncoder().encode(h.chainId)),
    wrapInt64(h.height),
    Timestamp.encode(h.time).finish(),
    BlockID.encode(h.lastBlockId).finish(),
    wrapBytes(h.lastCommitHash),
    wrapBytes(h.dataHash),
    wrapBytes(h.validatorsHash),
    wrapBytes(h.nextValidatorsHash),
    wrapBytes(h.consensusHash),
    wrapBytes(h.appHash),
    wrapBytes(h.lastResultsHash),
    wrapBytes(h.evidenceHash),
    wrapBytes(h.proposerAddress),
  ];
  return merkleRoot(fields);
}

/** Txs.Hash: Merkle root over sha256 of each tx (pass `hashes` when already computed: the same values). */
export function txsHash(txs: readonly Uint8Array[], hashes?: readonly Uint8Array[]): Uint8Array {
  return merkleRoot(hashes ?? txs.map((t) => sha256(t)));
}

/** LastResultsHash: Merkle root over the deterministic part of each ExecTxResult (code, data, gas). */
export function resultsHash(results: readonly ExecTxResult[]): Uint8Array {
  return merkleRoot(
    results.map((r) =>
      ExecTxResult.encode(
        ExecTxResult.fromPartial({ code: r.code, data: r.data, gasWanted: r.gasWanted, gasUsed: r.gasUsed }),
      ).finish(),
    ),
  );
}

export interface ValidatorInfo {
  /** 20-byte address = sha256(pubkey)[0..20] for ed25519. */
  address: Uint8Array;
  /** 32-byte ed25519 public key. */
  pubKey: Uint8Array;
  power: bigint;
}

/** ValidatorSet.Hash: Merkle root over SimpleValidator{pub_key, voting_power} bytes. */
export function validatorsHash(vals: readonly ValidatorInfo[]): Uint8Array {
  return merkleRoot(
    vals.map((v) => {
      const w = BinaryWriter.create();
      w.uint32(10).bytes(PublicKey.encode(PublicKey.fromPartial({ ed25519: v.pubKey })).finish());
      if (v.power !== 0n) w.uint32(16).int64(v.power);
      return w.finish();
    }),
  );
}

/** ed25519 validator address: the first 20 bytes of sha256(pubkey) (crypto/ed25519). */
export function ed25519Address(pubKey: Uint8Array): Uint8Array {
  return sha256(pubKey).subarray(0, 20);
}
