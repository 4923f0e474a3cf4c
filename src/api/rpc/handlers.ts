// CometBFT v0.38 RPC methods served by the embedded engine (the subset cosmjs and explorers use). Parameters
// arrive either from a GET query string (strings, optionally quoted; bytes as 0x-hex) or a JSON-RPC POST
// (JSON values; []byte as base64, HexBytes as hex), and are validated before anything runs.
import type { AbciApplication } from "../../consensus/abciTypes.js";
import type { DevEngine } from "../../consensus/dev.js";
import { ed25519Address, sha256 } from "../../consensus/header.js";
import { nsToRfc3339, timestampToNs } from "../../consensus/time.js";
import {
  b64,
  blockIdJson,
  broadcastTxJson,
  EMPTY_TX_RESULT_JSON,
  blockJson,
  blockResultsJson,
  commitJson,
  headerJson,
  hexU,
  pubKeyJson,
  txResultJson,
  unconfirmedTxsJson,
  validatorJson,
  type Json,
} from "./json.js";
import { Block } from "cosmjs-types/tendermint/types/block";
import type { StoredTx } from "../../consensus/blockStore.js";
import { getUserTx, searchUserTxs } from "./userTxs.js";

export interface RpcContext {
  engine: DevEngine;
  app: AbciApplication;
  /** The genesis document as `/genesis` shows it. */
  genesis: Json;
  nodeId: string;
  moniker: string;
  rpcAddress: string;
  /** How long broadcast_tx_commit waits for inclusion (CometBFT's timeout_broadcast_tx_commit, 10 s). */
  broadcastCommitTimeoutMs: number;
}

/** A JSON-RPC error with CometBFT's codes: -32602 invalid params, -32603 internal, -32601 no method. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    readonly rpcMessage: string,
    readonly data: string,
  ) {
    super(data);
  }
}

export const invalid = (data: string) => new RpcError(-32602, "Invalid params", data);
export const internal = (data: string) => new RpcError(-32603, "Internal error", data);

export type Params = Record<string, unknown>;
/** GET values are strings (maybe quoted); POST values are JSON. `viaGet` tells which encoding bytes use. */
export interface Call {
  params: Params;
  viaGet: boolean;
}

function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

export function intParam(c: Call, name: string): bigint | undefined {
  const v = c.params[name];
  if (v === undefined || v === null || v === "") return undefined;
  const s = typeof v === "number" ? String(v) : typeof v === "string" ? unquote(v) : "";
  if (!/^-?\d{1,19}$/.test(s))
    throw invalid(
      `error converting http params to arguments: invalid 64-bit integer encoding "${typeof v === "string" ? v : JSON.stringify(v)}", expected string`,
    );
  return BigInt(s);
}

function strParam(c: Call, name: string): string | undefined {
  const v = c.params[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalid(`${name}: expected a string`);
  return c.viaGet ? unquote(v) : v;
}

/** Bytes: GET takes 0x-hex or a quoted string; POST takes base64 ([]byte) or hex (HexBytes) as `hexInPost` says. */
export function bytesParam(c: Call, name: string, hexInPost: boolean): Uint8Array | undefined {
  const v = strParam(c, name);
  if (v === undefined) return undefined;
  const raw = c.params[name] as string;
  if (c.viaGet) {
    if (/^0x[0-9a-fA-F]*$/.test(v)) return hexBytes(v.slice(2), name);
    if (raw.startsWith('"')) return new TextEncoder().encode(v);
    return hexBytes(v, name);
  }
  if (hexInPost) return hexBytes(v, name);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v)) throw invalid(`${name}: invalid base64`);
  return new Uint8Array(Buffer.from(v, "base64"));
}

function hexBytes(h: string, name: string): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(h)) throw invalid(`${name}: invalid hex`);
  return new Uint8Array(Buffer.from(h, "hex"));
}

function heightOrLatest(ctx: RpcContext, c: Call): bigint {
  const latest = ctx.engine.height;
  const h = intParam(c, "height") ?? latest;
  if (h <= 0n) throw invalid(`height must be greater than 0, but got ${h}`);
  if (h > latest)
    throw internal(`height ${h} must be less than or equal to the current blockchain height ${latest}`);
  const base = ctx.engine.store.baseHeight();
  if (h < base) throw internal(`height ${h} is not available, lowest height is ${base}`);
  return h;
}

function txJson(t: StoredTx): Json {
  return {
    hash: hexU(t.hash),
    height: t.height.toString(),
    index: t.index,
    tx_result: txResultJson(t.result),
    tx: b64(t.tx),
  };
}

function status(ctx: RpcContext): Json {
  const e = ctx.engine;
  const h = e.height;
  const latest = h > 0n ? e.store.getBlock(h) : undefined;
  const base = e.store.baseHeight();
  const earliest = base > 0n ? e.store.getBlock(base) : undefined;
  const own = e.validatorSet.find((v) => Buffer.compare(v.pubKey, e.validatorPublicKey) === 0);
  const chainId =
    typeof ctx.genesis === "object" && ctx.genesis && "chain_id" in ctx.genesis ? ctx.genesis.chain_id : "";
  return {
    node_info: {
      protocol_version: {
        p2p: "8",
        block: "11",
        app: latest ? latest.block.header.version.app.toString() : "0",
      },
      id: ctx.nodeId,
      // We run no p2p layer; cosmjs requires these to be non-empty, so they name the RPC listener and
      // CometBFT's v0.38 channel set.
      listen_addr: ctx.rpcAddress,
      network: chainId,
      version: "0.38.25",
      channels: "40202122233038606100",
      moniker: ctx.moniker,
      other: { tx_index: "on", rpc_address: ctx.rpcAddress },
    },
    sync_info: {
      latest_block_hash: latest ? hexU(latest.blockId.hash) : "",
      latest_app_hash: hexU(e.appHash),
      latest_block_height: h.toString(),
      latest_block_time: latest
        ? nsToRfc3339(timestampToNs(latest.block.header.time))
        : "1970-01-01T00:00:00Z",
      earliest_block_hash: earliest ? hexU(earliest.blockId.hash) : "",
      earliest_app_hash: earliest ? hexU(earliest.block.header.appHash) : "",
      earliest_block_height: base.toString(),
      earliest_block_time: earliest
        ? nsToRfc3339(timestampToNs(earliest.block.header.time))
        : "1970-01-01T00:00:00Z",
      catching_up: false,
    },
    validator_info: {
      address: hexU(ed25519Address(e.validatorPublicKey)),
      pub_key: pubKeyJson(e.validatorPublicKey),
      voting_power: (own?.power ?? 0n).toString(),
    },
  };
}

function block(ctx: RpcContext, c: Call): Json {
  const b = ctx.engine.store.getBlock(heightOrLatest(ctx, c))!;
  return { block_id: blockIdJson(b.blockId), block: blockJson(b.block) };
}

function blockByHash(ctx: RpcContext, c: Call): Json {
  const hash = bytesParam(c, "hash", false) ?? new Uint8Array();
  const b = ctx.engine.store.getBlockByHash(hash);
  if (!b) return { block_id: { hash: "", parts: { total: 0, hash: "" } }, block: null };
  return { block_id: blockIdJson(b.blockId), block: blockJson(b.block) };
}

function blockchain(ctx: RpcContext, c: Call): Json {
  const last = ctx.engine.height;
  const base = ctx.engine.store.baseHeight();
  let max = intParam(c, "maxHeight") ?? last;
  if (max > last) max = last;
  let min = intParam(c, "minHeight") ?? 1n;
  if (min < base) min = base;
  if (max - min >= 20n) min = max - 19n; // CometBFT returns at most 20 block metas
  if (min > max && last > 0n) throw invalid(`min height ${min} can't be greater than max height ${max}`);
  const metas: Json[] = [];
  for (let h = max; h >= min && h > 0n; h--) {
    const b = ctx.engine.store.getBlock(h)!;
    metas.push({
      block_id: blockIdJson(b.blockId),
      block_size: Block.encode(b.block).finish().length.toString(),
      header: headerJson(b.block.header),
      num_txs: b.block.data.txs.length.toString(),
    });
  }
  return { last_height: last.toString(), block_metas: metas };
}

function commit(ctx: RpcContext, c: Call): Json {
  const h = heightOrLatest(ctx, c);
  const b = ctx.engine.store.getBlock(h)!;
  return {
    signed_header: {
      header: headerJson(b.block.header),
      commit: commitJson(ctx.engine.store.getSeenCommit(h), h),
    },
    canonical: true,
  };
}

function validators(ctx: RpcContext, c: Call): Json {
  const h = heightOrLatest(ctx, c);
  const vals = ctx.engine.validatorSet;
  const page = Number(intParam(c, "page") ?? 1n);
  const perPage = Math.min(100, Math.max(1, Number(intParam(c, "per_page") ?? 30n)));
  const slice = vals.slice((page - 1) * perPage, page * perPage);
  return {
    block_height: h.toString(),
    validators: slice.map(validatorJson),
    count: slice.length.toString(),
    total: vals.length.toString(),
  };
}

function tx(ctx: RpcContext, c: Call): Json {
  const hash = bytesParam(c, "hash", false);
  if (!hash) throw invalid("missing hash");
  const t = getUserTx(ctx.engine.store, hash);
  if (!t) throw internal(`tx (${hexU(hash)}) not found`);
  return txJson(t);
}

function txSearch(ctx: RpcContext, c: Call): Json {
  const query = strParam(c, "query");
  if (!query) throw invalid("missing query");
  const page = Number(intParam(c, "page") ?? 1n);
  const perPage = Math.min(100, Math.max(1, Number(intParam(c, "per_page") ?? 30n)));
  if (page < 1) throw invalid(`page should be within [1, ...] range, given ${page}`);
  const orderBy = strParam(c, "order_by") === "desc" ? "desc" : "asc";
  let res;
  try {
    res = searchUserTxs(ctx.engine.store, query, { page, perPage, orderBy });
  } catch (e) {
    throw internal(e instanceof Error ? e.message : String(e));
  }
  return { txs: res.txs.map(txJson), total_count: res.total.toString() };
}

async function broadcast(ctx: RpcContext, c: Call): Promise<Json> {
  const t = bytesParam(c, "tx", false);
  if (!t) throw invalid("missing tx");
  const r = await ctx.engine.broadcastTx(t);
  return broadcastTxJson(r.checkTx, r.hash);
}

async function broadcastCommit(ctx: RpcContext, c: Call): Promise<Json> {
  const t = bytesParam(c, "tx", false);
  if (!t) throw invalid("missing tx");
  const e = ctx.engine;
  const hashOf = sha256(t);
  let onTx: ((ev: { hash: Uint8Array; height: bigint }) => void) | undefined;
  const included = new Promise<{ height: bigint }>((resolve) => {
    onTx = (ev) => {
      if (Buffer.compare(ev.hash, hashOf) === 0) resolve(ev);
    };
  });
  e.on("tx", onTx!);
  try {
    const r = await e.broadcastTx(t);
    if (r.checkTx.code !== 0)
      return {
        check_tx: txResultJson(r.checkTx),
        tx_result: EMPTY_TX_RESULT_JSON,
        hash: hexU(r.hash),
        height: "0",
      };
    const timeout = new Promise<undefined>((resolve) =>
      setTimeout(() => {
        resolve(undefined);
      }, ctx.broadcastCommitTimeoutMs),
    );
    const inc = await Promise.race([included, timeout]);
    if (!inc) throw internal("timed out waiting for tx to be included in a block");
    const stored = e.store.getTx(r.hash)!;
    return {
      check_tx: txResultJson(r.checkTx),
      tx_result: txResultJson(stored.result),
      hash: hexU(r.hash),
      height: inc.height.toString(),
    };
  } finally {
    e.off("tx", onTx!);
  }
}

async function abciInfo(ctx: RpcContext): Promise<Json> {
  const r = await ctx.app.info({
    version: "0.38.25",
    blockVersion: 11n,
    p2pVersion: 8n,
    abciVersion: "2.0.0",
  });
  return {
    response: {
      data: r.data,
      version: r.version,
      app_version: r.appVersion.toString(),
      last_block_height: r.lastBlockHeight.toString(),
      last_block_app_hash: b64(r.lastBlockAppHash),
    },
  };
}

async function abciQuery(ctx: RpcContext, c: Call): Promise<Json> {
  const path = strParam(c, "path") ?? "";
  const data = bytesParam(c, "data", true) ?? new Uint8Array();
  const height = intParam(c, "height") ?? 0n;
  const proveRaw = c.params.prove;
  const prove = proveRaw === true || proveRaw === "true" || proveRaw === '"true"';
  const r = await ctx.app.query({ path, data, height, prove });
  return {
    response: {
      code: r.code,
      log: r.log,
      info: r.info,
      index: r.index.toString(),
      key: r.key.length ? b64(r.key) : null,
      value: r.value.length ? b64(r.value) : null,
      proofOps: r.proofOps
        ? { ops: r.proofOps.ops.map((o) => ({ type: o.type, key: b64(o.key), data: b64(o.data) })) }
        : null,
      height: r.height.toString(),
      codespace: r.codespace,
    },
  };
}

/** CometBFT's unconfirmed_txs `limit` (rpc/core validatePerPage): 30 when absent or < 1, at most 100. */
export function unconfirmedLimit(c: Call): number {
  const l = intParam(c, "limit");
  if (l === undefined || l < 1n) return 30;
  return l > 100n ? 100 : Number(l);
}

function unconfirmed(ctx: RpcContext, c: Call | undefined): Json {
  const txs = ctx.engine.mempoolTxs();
  const bytes = txs.reduce((n, t) => n + t.length, 0);
  return unconfirmedTxsJson(
    c === undefined ? undefined : txs.slice(0, unconfirmedLimit(c)),
    txs.length,
    bytes,
  );
}

type Handler = (ctx: RpcContext, c: Call) => Json | Promise<Json>;

/**
 * Methods that run during a block: broadcasts (they go to the engine's CheckTx queue) and `health`. Every other
 * method reads the node and waits for the block in progress to end (DevEngine.idle) first.
 */
export const RPC_DURING_BLOCK: ReadonlySet<string> = new Set([
  "health",
  "broadcast_tx_sync",
  "broadcast_tx_async",
  "broadcast_tx_commit",
]);

/** The method table (names as CometBFT's rpc/core/routes.go). */
export const RPC_METHODS: Readonly<Record<string, Handler>> = {
  health: () => ({}),
  status,
  net_info: () => ({ listening: true, listeners: [], n_peers: "0", peers: [] }),
  genesis: (ctx) => ({ genesis: ctx.genesis }),
  blockchain,
  block,
  block_by_hash: blockByHash,
  block_results: (ctx, c) => {
    const h = heightOrLatest(ctx, c);
    return blockResultsJson(h, ctx.engine.store.getBlock(h)!.results);
  },
  commit,
  validators,
  tx,
  tx_search: txSearch,
  broadcast_tx_sync: broadcast,
  broadcast_tx_async: broadcast,
  broadcast_tx_commit: broadcastCommit,
  abci_info: abciInfo,
  abci_query: abciQuery,
  num_unconfirmed_txs: (ctx) => unconfirmed(ctx, undefined),
  unconfirmed_txs: (ctx, c) => unconfirmed(ctx, c),
};
