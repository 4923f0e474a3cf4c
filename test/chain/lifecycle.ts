// The ABCI lifecycle helper of DESIGN.md rule 12: one height as CometBFT drives it (CheckTx → PrepareProposal →
// ProcessProposal → FinalizeBlock → Commit → Info), usable against the in-process app or over the socket.
import assert from "node:assert/strict";
import {
  CheckTxType,
  ResponseProcessProposal_ProposalStatus,
  type RequestFinalizeBlock,
  type ResponseCheckTx,
  type ResponseFinalizeBlock,
} from "cosmjs-types/tendermint/abci/types";
import type { ConsensusParams } from "cosmjs-types/tendermint/types/params";
import type { AbciApplication } from "../../src/consensus/abciTypes.js";
import type { ShroudApp } from "../../src/chain/app.js";
import { formatRfc3339Ns, parseRfc3339Ns, type GenesisDoc } from "../../src/chain/genesis.js";
import { utf8 } from "../../src/util/bytes.js";

/** Fixed validator-set hash and proposer for tests (any 32 / 20 bytes; the app only binds the random to it). */
export const VALSET_HASH = new Uint8Array(32).fill(0x5a);
export const PROPOSER = new Uint8Array(20).fill(0x11);

export interface HeightResult {
  readonly checkTx: ResponseCheckTx[];
  readonly proposed: Uint8Array[];
  readonly finalize: ResponseFinalizeBlock;
}

export async function initChain(app: AbciApplication, g: GenesisDoc): Promise<Uint8Array> {
  const info = await app.info({
    version: "0.38.25",
    blockVersion: 11n,
    p2pVersion: 8n,
    abciVersion: "2.0.0",
  });
  assert.equal(info.lastBlockHeight, 0n);
  const ns = parseRfc3339Ns(g.genesis_time);
  const res = await app.initChain({
    time: { seconds: ns / 1_000_000_000n, nanos: Number(ns % 1_000_000_000n) },
    chainId: g.chain_id,
    validators: [],
    appStateBytes: utf8.encode(JSON.stringify(g.app_state)),
    initialHeight: BigInt(g.initial_height),
  });
  assert.equal(res.appHash.length, 32);
  return res.appHash;
}

/** Runs one height; CheckTx failures stay out of the proposal (as a mempool would). */
export async function runHeight(
  app: AbciApplication,
  height: bigint,
  timeNs: bigint,
  txs: readonly Uint8Array[],
): Promise<HeightResult> {
  const checkTx: ResponseCheckTx[] = [];
  const admitted: Uint8Array[] = [];
  for (const tx of txs) {
    const r = await app.checkTx({ tx, type: CheckTxType.NEW });
    checkTx.push(r);
    if (r.code === 0) admitted.push(tx);
  }
  const time = { seconds: timeNs / 1_000_000_000n, nanos: Number(timeNs % 1_000_000_000n) };
  const common = {
    height,
    time,
    nextValidatorsHash: VALSET_HASH,
    proposerAddress: PROPOSER,
    misbehavior: [],
  };
  const prep = await app.prepareProposal({
    ...common,
    maxTxBytes: 8n * 1024n * 1024n,
    txs: admitted,
    localLastCommit: { round: 0, votes: [] },
  });
  const hash = new Uint8Array(32).fill(Number(height % 256n));
  const proc = await app.processProposal({
    ...common,
    txs: prep.txs,
    proposedLastCommit: { round: 0, votes: [] },
    hash,
  });
  assert.equal(proc.status, ResponseProcessProposal_ProposalStatus.ACCEPT, "own proposal accepted");
  const finalize = await app.finalizeBlock({
    ...common,
    txs: prep.txs,
    decidedLastCommit: { round: 0, votes: [] },
    hash,
  });
  assert.equal(finalize.txResults.length, prep.txs.length);
  await app.commit({});
  const info = await app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" });
  assert.equal(info.lastBlockHeight, height, "Info reports the committed height");
  assert.deepEqual(info.lastBlockAppHash, finalize.appHash, "Info reports the committed app hash");
  return { checkTx, proposed: prep.txs, finalize };
}

/** The FinalizeBlock request of height h carrying `txs` as-is (no proposal step), at `timeOf(g, h)`. */
export function finalizeRequest(g: GenesisDoc, h: bigint, txs: Uint8Array[]): RequestFinalizeBlock {
  const ns = timeOf(g, h);
  return {
    height: h,
    time: { seconds: ns / 1_000_000_000n, nanos: Number(ns % 1_000_000_000n) },
    nextValidatorsHash: VALSET_HASH,
    proposerAddress: PROPOSER,
    misbehavior: [],
    txs,
    decidedLastCommit: { round: 0, votes: [] },
    hash: new Uint8Array(32).fill(Number(h % 256n)),
  };
}

/** Block time of height h in tests: genesis + h seconds. */
export function timeOf(g: GenesisDoc, h: bigint): bigint {
  return parseRfc3339Ns(g.genesis_time) + h * 1_000_000_000n;
}

export { formatRfc3339Ns };

const tsOf = (ns: bigint) => ({ seconds: ns / 1_000_000_000n, nanos: Number(ns % 1_000_000_000n) });

/** A fresh `app` after InitChain (with these consensus params, if any) and an empty committed height 1. */
export function atHeight1(app: ShroudApp, g: GenesisDoc, cp?: ConsensusParams): ShroudApp {
  app.initChain({
    time: tsOf(parseRfc3339Ns(g.genesis_time)),
    chainId: g.chain_id,
    validators: [],
    appStateBytes: utf8.encode(JSON.stringify(g.app_state)),
    initialHeight: 1n,
    ...(cp === undefined ? {} : { consensusParams: cp }),
  });
  app.finalizeBlock({
    height: 1n,
    time: tsOf(timeOf(g, 1n)),
    nextValidatorsHash: VALSET_HASH,
    proposerAddress: PROPOSER,
    misbehavior: [],
    txs: [],
    decidedLastCommit: { round: 0, votes: [] },
    hash: new Uint8Array(32).fill(1),
  });
  app.commit();
  return app;
}
