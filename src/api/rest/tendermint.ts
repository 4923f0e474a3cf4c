// cosmos.base.tendermint.v1beta1 (node_info, syncing, blocks, validator sets) and cosmos.base.node.v1beta1
// (config, status) in grpc-gateway JSON: snake_case, int64 as strings, bytes as base64, enums by name. These
// differ from CometBFT's own RPC JSON (hex hashes), so api/rpc's renderers are not reused here.
import type { Block } from "cosmjs-types/tendermint/types/block";
import type { BlockID, Commit, Header } from "cosmjs-types/tendermint/types/types";
import { blockIDFlagToJSON } from "cosmjs-types/tendermint/types/validator";
import { toBech32 } from "../../chain/address.js";
import { nsToRfc3339, timestampToNs } from "../../consensus/time.js";
import { toBase64 } from "../../util/bytes.js";
import type { BlockRecord } from "./backend.js";
import { badRequest, notFound } from "./errors.js";
import { VALCONS_PREFIX } from "./params.js";
import { u64Param, type RestRequest } from "./request.js";

/** CometBFT p2p protocol version and the reactor channel bytes it advertises (p2p/node_info.go, v0.38). */
const P2P_PROTOCOL = "8";
const BLOCK_PROTOCOL = "11";
const CHANNELS = Uint8Array.from([0x40, 0x20, 0x21, 0x22, 0x23, 0x30, 0x38, 0x60, 0x61, 0x00]);
const ED25519_PUBKEY_TYPE_URL = "/cosmos.crypto.ed25519.PubKey";

const time = (t: Header["time"]): string => nsToRfc3339(timestampToNs(t));

export function blockIdJson(id: BlockID): Record<string, unknown> {
  return {
    hash: toBase64(id.hash),
    part_set_header: { total: id.partSetHeader.total, hash: toBase64(id.partSetHeader.hash) },
  };
}

function headerJson(h: Header, proposer: string): Record<string, unknown> {
  return {
    version: { block: h.version.block.toString(), app: h.version.app.toString() },
    chain_id: h.chainId,
    height: h.height.toString(),
    time: time(h.time),
    last_block_id: blockIdJson(h.lastBlockId),
    last_commit_hash: toBase64(h.lastCommitHash),
    data_hash: toBase64(h.dataHash),
    validators_hash: toBase64(h.validatorsHash),
    next_validators_hash: toBase64(h.nextValidatorsHash),
    consensus_hash: toBase64(h.consensusHash),
    app_hash: toBase64(h.appHash),
    last_results_hash: toBase64(h.lastResultsHash),
    evidence_hash: toBase64(h.evidenceHash),
    proposer_address: proposer,
  };
}

function commitJson(c: Commit | undefined, height: bigint): Record<string, unknown> {
  return {
    height: (c?.height ?? (height > 0n ? height - 1n : 0n)).toString(),
    round: c?.round ?? 0,
    block_id: c ? blockIdJson(c.blockId) : { hash: "", part_set_header: { total: 0, hash: "" } },
    signatures: (c?.signatures ?? []).map((s) => ({
      block_id_flag: blockIDFlagToJSON(s.blockIdFlag),
      validator_address: toBase64(s.validatorAddress),
      timestamp: time(s.timestamp),
      signature: toBase64(s.signature),
    })),
  };
}

/** tendermint.types.Block (`block`) or the SDK's Block with a bech32 proposer (`sdk_block`). */
export function blockJson(b: Block, sdk: boolean): Record<string, unknown> {
  const proposer = sdk
    ? toBech32(b.header.proposerAddress, VALCONS_PREFIX)
    : toBase64(b.header.proposerAddress);
  return {
    header: headerJson(b.header, proposer),
    data: { txs: b.data.txs.map(toBase64) },
    evidence: { evidence: [] },
    last_commit: commitJson(b.lastCommit, b.header.height),
  };
}

function blockReply(rec: BlockRecord): Record<string, unknown> {
  return {
    block_id: blockIdJson(rec.blockId),
    block: blockJson(rec.block, false),
    sdk_block: blockJson(rec.block, true),
  };
}

async function blockAt(req: RestRequest, height: bigint): Promise<Record<string, unknown>> {
  const latest = req.backend.latestHeight();
  if (height > latest) throw badRequest("requested block height is bigger then the chain length");
  const rec = await req.backend.getBlock(height);
  if (rec === undefined) throw notFound(`block ${height} is not available (pruned or not yet produced)`);
  return blockReply(rec);
}

export function latestBlockRoute(req: RestRequest): Promise<unknown> {
  const h = req.backend.latestHeight();
  if (h === 0n) return Promise.reject(notFound("no block has been committed yet"));
  return blockAt(req, h);
}

export function blockByHeightRoute(req: RestRequest): Promise<unknown> {
  const h = u64Param(req, "height");
  if (h === 0n) return Promise.reject(badRequest("height must be greater than 0"));
  return blockAt(req, h);
}

async function validatorSetAt(req: RestRequest, height: bigint): Promise<unknown> {
  if (height > req.backend.latestHeight()) {
    throw badRequest("requested block height is bigger then the chain length");
  }
  const vals = await req.backend.validatorSet(height);
  if (vals === undefined) throw notFound(`validator set at height ${height} is not available`);
  return {
    block_height: height.toString(),
    validators: vals.map((v) => ({
      address: toBech32(v.address, VALCONS_PREFIX),
      pub_key: { "@type": ED25519_PUBKEY_TYPE_URL, key: toBase64(v.pubKey) },
      voting_power: v.power.toString(),
      proposer_priority: "0",
    })),
    pagination: { next_key: null, total: String(vals.length) },
  };
}

export function latestValidatorSetRoute(req: RestRequest): Promise<unknown> {
  return validatorSetAt(req, req.backend.latestHeight());
}

export function validatorSetByHeightRoute(req: RestRequest): Promise<unknown> {
  const h = u64Param(req, "height");
  if (h === 0n) return Promise.reject(badRequest("height must be greater than 0"));
  return validatorSetAt(req, h);
}

export function nodeInfoRoute(req: RestRequest): unknown {
  const f = req.backend.facts;
  return {
    default_node_info: {
      protocol_version: { p2p: P2P_PROTOCOL, block: BLOCK_PROTOCOL, app: "0" },
      default_node_id: f.nodeId,
      listen_addr: f.listenAddr,
      network: f.chainId,
      version: f.cometVersion,
      channels: toBase64(CHANNELS),
      moniker: f.moniker,
      other: { tx_index: "on", rpc_address: f.rpcAddress },
    },
    application_version: {
      name: "shroud",
      app_name: "shroud",
      version: f.appVersion,
      git_commit: "",
      build_tags: "",
      go_version: "",
      build_deps: [],
      cosmos_sdk_version: "v0.50",
    },
  };
}

export function syncingRoute(req: RestRequest): unknown {
  return { syncing: req.backend.syncing() };
}

export function nodeConfigRoute(req: RestRequest): unknown {
  const f = req.backend.facts;
  return {
    minimum_gas_price: f.minimumGasPrice,
    pruning_keep_recent: f.pruningKeepRecent,
    pruning_interval: f.pruningInterval,
    halt_height: f.haltHeight.toString(),
  };
}

export async function nodeStatusRoute(req: RestRequest): Promise<unknown> {
  const height = req.backend.latestHeight();
  const rec = height > 0n ? await req.backend.getBlock(height) : undefined;
  return {
    earliest_store_height: req.backend.earliestHeight().toString(),
    height: height.toString(),
    timestamp: rec === undefined ? null : time(rec.block.header.time),
    app_hash: toBase64(req.backend.latestAppHash()),
    validator_hash: rec === undefined ? "" : toBase64(rec.block.header.validatorsHash),
  };
}
