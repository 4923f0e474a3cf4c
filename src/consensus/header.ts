// CometBFT v0.38 block header hashing and the hashes that feed it (types/block.go Header.Hash,
// types/tx.go Txs.Hash, types/results.go, types/validator_set.go), so that the embedded engine's blocks carry
// the same kinds of hashes a CometBFT network would. Field order and the gogoproto wrapper encodings follow
// `cdcEncode` in types/encoding_helper.go.
import { createHash, hash } from "node:crypto";
import { BinaryWriter } from "cosmjs-types/binary";
import { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { PublicKey } from "cosmjs-types/tendermint/crypto/keys";
import { BlockID, type Header } from "cosmjs-types/tendermint/types/types";
import { Consensus } from "cosmjs-types/tendermint/version/types";
import { digestBytes, merkleRoot, rootOfLeafHashes } from "./merkle.js";
import { int64Size, varintSize } from "./resultsCodec.js";

/**
 * sha256 of the parts' concatenation as a new 32-byte array. One part (a tx's hash: twice per tx in the dev
 * engine) takes node's one-shot digest as a latin1 string: no Hash object, no off-heap 32-byte digest.
 */
export function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return digestBytes(hash("sha256", parts[0]!, "binary"));
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
  const n = results.length;
  if (n === 0) return merkleRoot([]);
  // Each leaf is hashed from one reused buffer (0x00 ‖ encoding): no array per result (a transfer's result
  // data is over 64 bytes, so each would be an off-heap backing store).
  const level = Buffer.allocUnsafe(n * 32);
  for (let i = 0; i < n; i++) {
    const r = results[i]!;
    const size = 1 + deterministicResultSize(r);
    if (leafScratch.length < size)
      leafScratch = Buffer.allocUnsafeSlow(Math.max(size, 2 * leafScratch.length));
    leafScratch[0] = 0;
    encodeDeterministicResult(r, leafScratch, 1);
    level.write(hash("sha256", leafScratch.subarray(0, size), "binary"), i * 32, 32, "latin1");
  }
  return rootOfLeafHashes(level, n);
}

/** resultsHash's leaf input (grown on demand; a contract's large result data keeps it larger). */
let leafScratch = Buffer.allocUnsafeSlow(512);

type DeterministicResult = Pick<ExecTxResult, "code" | "data" | "gasWanted" | "gasUsed">;

/** Writes `v` as an int64 varint at out[o…); returns the offset after it. */
function putInt64Varint(out: Uint8Array, o: number, v: bigint): number {
  if (v >= 0n && v <= 0x1f_ffff_ffff_ffffn) {
    let n = Number(v);
    while (n >= 0x80) {
      out[o++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    out[o++] = n;
    return o;
  }
  let u = BigInt.asUintN(64, v);
  while (u >= 0x80n) {
    out[o++] = Number(u & 0x7fn) | 0x80;
    u >>= 7n;
  }
  out[o++] = Number(u);
  return o;
}

function putVarint(out: Uint8Array, o: number, n: number): number {
  while (n >= 0x80) {
    out[o++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  out[o++] = n;
  return o;
}

/** Size of ExecTxResult{code, data, gas_wanted, gas_used} encoded (encodeDeterministicResult). */
function deterministicResultSize(r: DeterministicResult): number {
  const code = r.code >>> 0;
  const len = r.data.length;
  return (
    (code === 0 ? 0 : 1 + varintSize(code)) +
    (len === 0 ? 0 : 1 + varintSize(len) + len) +
    (r.gasWanted === 0n ? 0 : 1 + int64Size(r.gasWanted)) +
    (r.gasUsed === 0n ? 0 : 1 + int64Size(r.gasUsed))
  );
}

/**
 * ExecTxResult{code, data, gas_wanted, gas_used} written at out[at…) as cosmjs-types encodes `fromPartial` of
 * those four fields (zero fields omitted; header.test.ts checks it against cosmjs-types with the process's int64
 * fix): no message object, no writer. Returns the offset after it.
 */
function encodeDeterministicResult(r: DeterministicResult, out: Uint8Array, at: number): number {
  let o = at;
  const code = r.code >>> 0;
  if (code !== 0) {
    out[o++] = 0x08;
    o = putVarint(out, o, code);
  }
  const data = r.data;
  if (data.length !== 0) {
    out[o++] = 0x12;
    o = putVarint(out, o, data.length);
    out.set(data, o);
    o += data.length;
  }
  if (r.gasWanted !== 0n) {
    out[o++] = 0x28;
    o = putInt64Varint(out, o, r.gasWanted);
  }
  if (r.gasUsed !== 0n) {
    out[o++] = 0x30;
    o = putInt64Varint(out, o, r.gasUsed);
  }
  return o;
}

/** ExecTxResult's deterministic fields encoded as a new array (what resultsHash hashes for each leaf). */
export function deterministicResultBytes(r: DeterministicResult): Uint8Array {
  const out = new Uint8Array(deterministicResultSize(r));
  encodeDeterministicResult(r, out, 0);
  return out;
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
