// Renders blocks, results and validators in CometBFT v0.38's RPC JSON: int64 as decimal strings, hashes and
// addresses as uppercase hex, tx/data bytes as base64, empty Go slices as null. Shapes were checked against a
// real CometBFT v0.38.25 (test/api/testdata/cometbft-0.38.25).
import type {
  Event,
  ExecTxResult,
  ResponseCheckTx,
  ResponseFinalizeBlock,
} from "cosmjs-types/tendermint/abci/types";
import type { Block } from "cosmjs-types/tendermint/types/block";
import type { BlockID, Commit, Header } from "cosmjs-types/tendermint/types/types";
import type { ValidatorInfo } from "../../consensus/header.js";
import { nsToRfc3339, timestampToNs } from "../../consensus/time.js";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export const hexU = (b: Uint8Array): string => Buffer.from(b).toString("hex").toUpperCase();
export const b64 = (b: Uint8Array): string => Buffer.from(b).toString("base64");
/** Go's []byte in JSON: base64, or null when empty. */
const b64OrNull = (b: Uint8Array): string | null => (b.length === 0 ? null : b64(b));
/** Go renders a nil slice as null. */
const listOrNull = <T>(xs: readonly T[], f: (x: T) => Json): Json[] | null =>
  xs.length === 0 ? null : xs.map(f);

export function blockIdJson(id: BlockID): Json {
  return { hash: hexU(id.hash), parts: { total: id.partSetHeader.total, hash: hexU(id.partSetHeader.hash) } };
}

export function headerJson(h: Header): Json {
  return {
    version: { block: h.version.block.toString(), app: h.version.app.toString() },
    chain_id: h.chainId,
    height: h.height.toString(),
    time: nsToRfc3339(timestampToNs(h.time)),
    last_block_id: blockIdJson(h.lastBlockId),
    last_commit_hash: hexU(h.lastCommitHash),
    data_hash: hexU(h.dataHash),
    validators_hash: hexU(h.validatorsHash),
    next_validators_hash: hexU(h.nextValidatorsHash),
    consensus_hash: hexU(h.consensusHash),
    app_hash: hexU(h.appHash),
    last_results_hash: hexU(h.lastResultsHash),
    evidence_hash: hexU(h.evidenceHash),
    proposer_address: hexU(h.proposerAddress),
  };
}

export function commitJson(c: Commit | undefined, height: bigint): Json {
  if (!c) {
    return {
      height: height.toString(),
      round: 0,
      block_id: { hash: "", parts: { total: 0, hash: "" } },
      signatures: [],
    };
  }
  return {
    height: c.height.toString(),
    round: c.round,
    block_id: blockIdJson(c.blockId),
    signatures: c.signatures.map((s) => ({
      block_id_flag: s.blockIdFlag,
      validator_address: hexU(s.validatorAddress),
      timestamp: nsToRfc3339(timestampToNs(s.timestamp)),
      signature: s.signature.length ? b64(s.signature) : null,
    })),
  };
}

export function blockJson(b: Block): Json {
  return {
    header: headerJson(b.header),
    data: { txs: b.data.txs.map(b64) },
    evidence: { evidence: [] },
    last_commit: commitJson(b.lastCommit, b.header.height - 1n),
  };
}

export function eventJson(e: Event): Json {
  return {
    type: e.type,
    attributes: e.attributes.map((a) => ({ key: a.key, value: a.value, index: a.index })),
  };
}

export function txResultJson(r: ExecTxResult | ResponseCheckTx): Json {
  return {
    code: r.code,
    data: b64OrNull(r.data),
    log: r.log,
    info: r.info,
    gas_wanted: r.gasWanted.toString(),
    gas_used: r.gasUsed.toString(),
    events: r.events.map(eventJson),
    codespace: r.codespace,
  };
}

export function blockResultsJson(height: bigint, r: ResponseFinalizeBlock): Json {
  return {
    height: height.toString(),
    txs_results: listOrNull(r.txResults, txResultJson),
    finalize_block_events: listOrNull(r.events, eventJson),
    validator_updates: listOrNull(r.validatorUpdates, (u) => ({
      pub_key: { type: "tendermint/PubKeyEd25519", value: b64(u.pubKey.ed25519 ?? new Uint8Array()) },
      power: u.power.toString(),
    })),
    consensus_param_updates: null,
    app_hash: b64(r.appHash),
  };
}

export function pubKeyJson(pk: Uint8Array): Json {
  return { type: "tendermint/PubKeyEd25519", value: b64(pk) };
}

export function validatorJson(v: ValidatorInfo): Json {
  return {
    address: hexU(v.address),
    pub_key: pubKeyJson(v.pubKey),
    voting_power: v.power.toString(),
    proposer_priority: "0",
  };
}

/** broadcast_tx_sync / _async's ResultBroadcastTx (data and hash as uppercase hex, as HexBytes renders). */
export function broadcastTxJson(
  checkTx: Pick<ResponseCheckTx, "code" | "data" | "log" | "codespace">,
  hash: Uint8Array,
): Json {
  return {
    code: checkTx.code,
    data: hexU(checkTx.data),
    log: checkTx.log,
    codespace: checkTx.codespace,
    hash: hexU(hash),
  };
}

/** An empty ExecTxResult (broadcast_tx_commit's tx_result when CheckTx refused the tx). */
export const EMPTY_TX_RESULT_JSON: Json = {
  code: 0,
  data: null,
  log: "",
  info: "",
  gas_wanted: "0",
  gas_used: "0",
  events: [],
  codespace: "",
};

/**
 * unconfirmed_txs / num_unconfirmed_txs's ResultUnconfirmedTxs: `txs` are the listed ones (null for
 * num_unconfirmed_txs, as a nil slice), `total` / `totalBytes` the whole mempool's.
 */
export function unconfirmedTxsJson(
  txs: readonly Uint8Array[] | undefined,
  total: number,
  totalBytes: number,
): Json {
  return {
    n_txs: (txs === undefined ? total : txs.length).toString(),
    total: total.toString(),
    total_bytes: totalBytes.toString(),
    txs: txs === undefined || txs.length === 0 ? null : txs.map(b64),
  };
}
