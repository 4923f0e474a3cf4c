// The tx service routes (cosmos.tx.v1beta1.Service over grpc-gateway, SDK v0.50): broadcast, get by hash,
// event search, simulate. Shapes and quirks: spec secretjs-compat §1 (broadcast/polling/search) and §3
// (tx_response fields secretjs decodes).
import { isRandomTx } from "../../chain/random.js";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import type { ResponseCheckTx } from "cosmjs-types/tendermint/abci/types";
import { txResponseJson, txToJson } from "../../chain/tx/json.js";
import type { TxResult } from "../../chain/tx/runTx.js";
import { sha256 } from "../../consensus/header.js";
import { toBase64, toHex } from "../../util/bytes.js";
import type { TxRecord } from "./backend.js";
import { badRequest, Grpc, notFound, RestError } from "./errors.js";
import { parseBase64, parsePagination, parseU64 } from "./params.js";
import { jsonBody, strParam, u64Param, type RestRequest } from "./request.js";
import { blockIdJson, blockJson } from "./tendermint.js";

/** CometBFT's tx_search caps `per_page` at 100 (rpc/core/env.go maxPerPage); SDK query.DefaultLimit is 100. */
export const MAX_SEARCH_LIMIT = 100;
const DEFAULT_SEARCH_LIMIT = 100;

/** cosmos.tx.v1beta1.BroadcastMode numbers. */
const BROADCAST_MODES: Readonly<Record<string, number>> = {
  BROADCAST_MODE_UNSPECIFIED: 0,
  BROADCAST_MODE_BLOCK: 1,
  BROADCAST_MODE_SYNC: 2,
  BROADCAST_MODE_ASYNC: 3,
};

/** Compute messages whose simulation Secret refuses: the enclave needs the user's real signature (spec §4.2). */
const UNSIMULATABLE: Readonly<Record<string, string>> = {
  "/secret.compute.v1beta1.MsgInstantiateContract": "instantiate",
  "/secret.compute.v1beta1.MsgExecuteContract": "execute",
};

/** `tx_response` of a stored tx, rendered by chain/tx's txResponseJson from the ABCI result. */
export function txResponseOf(req: RestRequest, rec: TxRecord): Record<string, unknown> {
  const decoded = req.backend.decodeTx(rec.tx);
  const r = rec.result;
  const result: TxResult = {
    code: r.code,
    codespace: r.codespace,
    log: r.log,
    gasWanted: r.gasWanted,
    gasUsed: r.gasUsed,
    events: r.events.map((e) => ({
      type: e.type,
      attributes: e.attributes.map((a) => ({ key: a.key, value: a.value, index: a.index })),
    })),
    data: r.data,
    tx: decoded,
  };
  const json = txResponseJson(result, { height: rec.height, timestamp: rec.timestamp });
  return { ...json, txhash: toHex(rec.hash).toUpperCase() };
}

/** GET /cosmos/tx/v1beta1/txs/{hash}: `tx not found: HASH` (gRPC NotFound, 404) until it is in a block. */
export async function getTxRoute(req: RestRequest): Promise<unknown> {
  const hash = strParam(req, "hash");
  const rec = await req.backend.getTx(Buffer.from(hash, "hex"));
  if (rec === undefined) throw notFound(`tx not found: ${hash}`);
  const decoded = req.backend.decodeTx(rec.tx);
  return { tx: decoded === undefined ? null : txToJson(decoded), tx_response: txResponseOf(req, rec) };
}

function optQuery(q: URLSearchParams, name: string): string | undefined {
  const v = q.get(name);
  return v === null || v === "" ? undefined : v;
}

/** page/limit (SDK 0.50) win; else `pagination.offset/limit` mapped onto pages. */
function searchPage(q: URLSearchParams): { page: number; perPage: number } {
  const page = optQuery(q, "page");
  const limit = optQuery(q, "limit") ?? optQuery(q, "pagination.limit");
  let perPage = limit === undefined ? DEFAULT_SEARCH_LIMIT : Number(parseU64("limit", limit));
  if (perPage === 0) perPage = DEFAULT_SEARCH_LIMIT;
  perPage = Math.min(perPage, MAX_SEARCH_LIMIT);
  if (page !== undefined) {
    const p = parseU64("page", page);
    if (p > 1_000_000_000n) throw badRequest("page: too large");
    return { page: Math.max(1, Number(p)), perPage };
  }
  const offset = optQuery(q, "pagination.offset");
  const off = offset === undefined ? 0n : parseU64("pagination.offset", offset);
  if (off > 1_000_000_000_000n) throw badRequest("pagination.offset: too large");
  return { page: Number(off / BigInt(perPage)) + 1, perPage };
}

function orderBy(q: URLSearchParams): "asc" | "desc" {
  const o = optQuery(q, "order_by");
  if (o === undefined || o === "ORDER_BY_UNSPECIFIED" || o === "ORDER_BY_ASC" || o === "0" || o === "1") {
    return "asc";
  }
  if (o === "ORDER_BY_DESC" || o === "2") return "desc";
  throw badRequest(`order_by: unknown value ${o.slice(0, 40)}`);
}

/** GET /cosmos/tx/v1beta1/txs?query=…|events=…: `{txs, tx_responses, pagination, total}`. */
export async function searchTxsRoute(req: RestRequest): Promise<unknown> {
  const q = req.query;
  const events = q.getAll("events").filter((e) => e.trim() !== "");
  const query = optQuery(q, "query") ?? events.map((e) => e.trim()).join(" AND ");
  if (query.trim() === "") throw badRequest("query cannot be empty");
  if (query.length > 4096) throw badRequest("query: longer than 4096 characters");
  const { page, perPage } = searchPage(q);
  const found = await req.backend.searchTxs(query, { page, perPage, orderBy: orderBy(q) });
  const decoded = found.txs.map((t) => req.backend.decodeTx(t.tx));
  return {
    txs: decoded.map((d) => (d === undefined ? null : txToJson(d))),
    tx_responses: found.txs.map((t) => txResponseOf(req, t)),
    pagination: { next_key: null, total: String(found.total) },
    total: String(found.total),
  };
}

/** `tx_bytes` (proto name) or `txBytes` (secretjs' camelCase), standard base64, non-empty. */
function txBytesOf(body: Record<string, unknown>): Uint8Array {
  const v = body.tx_bytes ?? body.txBytes;
  if (v === undefined || v === null || v === "") {
    if (body.tx !== undefined) throw badRequest("the tx field is not supported; send tx_bytes");
    throw badRequest("invalid empty tx");
  }
  if (typeof v !== "string") throw badRequest("tx_bytes: expected a base64 string");
  return parseBase64("tx_bytes", v);
}

function broadcastMode(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 3) return v;
  if (typeof v === "string") {
    const n = BROADCAST_MODES[v] ?? (/^[0-3]$/.test(v) ? Number(v) : undefined);
    if (n !== undefined) return n;
  }
  throw badRequest(`mode: unknown broadcast mode ${JSON.stringify(v).slice(0, 60)}`);
}

/** SDK NewResponseFormatBroadcastTx: CheckTx code/log/data; height, gas and events are not known yet. */
function broadcastResponse(
  hash: Uint8Array,
  r: Pick<ResponseCheckTx, "code" | "codespace" | "log" | "data">,
) {
  return {
    tx_response: {
      height: "0",
      txhash: toHex(hash).toUpperCase(),
      codespace: r.codespace,
      code: r.code,
      data: toHex(r.data).toUpperCase(),
      raw_log: r.log,
      logs: [],
      info: "",
      gas_wanted: "0",
      gas_used: "0",
      tx: null,
      timestamp: "",
      events: [],
    },
  };
}

/** POST /cosmos/tx/v1beta1/txs. BLOCK (removed in SDK 0.50) is served as SYNC, as secretjs expects. */
export async function broadcastRoute(req: RestRequest): Promise<unknown> {
  const body = jsonBody(req);
  const tx = txBytesOf(body);
  const mode = broadcastMode(body.mode);
  if (mode === 0) {
    throw badRequest("unsupported broadcast mode BROADCAST_MODE_UNSPECIFIED; supported: sync, async, block");
  }
  const hash = sha256(tx);
  if (mode === 3) {
    // CometBFT broadcast_tx_async: answer at once; CheckTx runs after (its failure is only visible by polling).
    req.backend.broadcastTx(tx).catch(() => undefined);
    return broadcastResponse(hash, { code: 0, codespace: "", log: "", data: new Uint8Array() });
  }
  return broadcastResponse(hash, await req.backend.broadcastTx(tx));
}

function refuseComputeSimulation(req: RestRequest, tx: Uint8Array): void {
  const decoded = req.backend.decodeTx(tx);
  decoded?.messages.forEach((m, i) => {
    const op = UNSIMULATABLE[m.typeUrl];
    if (op === undefined) return;
    throw new RestError(
      Grpc.Unknown,
      `failed to execute message; message index: ${i}: Execution error: Enclave: failed to verify transaction signature: ${op} contract failed`,
      400,
    );
  });
}

/** POST /cosmos/tx/v1beta1/simulate → `{gas_info, result}`; failures are 400 with the SDK's wording. */
export async function simulateRoute(req: RestRequest): Promise<unknown> {
  const tx = txBytesOf(jsonBody(req));
  refuseComputeSimulation(req, tx);
  const r = await req.backend.simulateTx(tx);
  if (r.code !== 0) {
    const msg = `${r.log} With gas wanted: '${r.gasWanted}' and gas used: '${r.gasUsed}' `;
    throw new RestError(Grpc.Unknown, msg, 400);
  }
  let responses: { typeUrl: string; value: Uint8Array }[] = [];
  try {
    responses = TxMsgData.decode(r.data).msgResponses;
  } catch {
    responses = [];
  }
  return {
    gas_info: { gas_wanted: r.gasWanted.toString(), gas_used: r.gasUsed.toString() },
    result: {
      data: toBase64(r.data),
      log: r.log,
      events: r.events.map((e) => ({
        type: e.type,
        attributes: e.attributes.map((a) => ({ key: a.key, value: a.value, index: a.index })),
      })),
      msg_responses: responses.map((a) => ({ "@type": a.typeUrl, value: toBase64(a.value) })),
    },
  };
}

/** GET /cosmos/tx/v1beta1/txs/block/{height}: the block and its txs, paged by `pagination.offset/limit`. */
export async function blockWithTxsRoute(req: RestRequest): Promise<unknown> {
  const height = u64Param(req, "height");
  const latest = req.backend.latestHeight();
  if (height === 0n) throw badRequest("height must not be less than 1 or greater than the current height");
  if (height > latest) throw badRequest(`requested height ${height} but the latest height is ${latest}`);
  const rec = await req.backend.getBlock(height);
  if (rec === undefined) throw notFound(`block ${height} is not available`);
  const page = parsePagination(req.query);
  // The block's injected random is not a user tx (rpc/userTxs.ts): listed nowhere but in `block.data.txs`.
  const all = rec.block.data.txs.filter((t) => !isRandomTx(t));
  const limit = page.limit === 0n ? BigInt(DEFAULT_SEARCH_LIMIT) : page.limit;
  const from = page.offset > BigInt(all.length) ? all.length : Number(page.offset);
  const to = Math.min(all.length, from + Number(limit > BigInt(all.length) ? BigInt(all.length) : limit));
  const txs = all.slice(from, to).map((raw) => {
    const d = req.backend.decodeTx(raw);
    return d === undefined ? null : txToJson(d);
  });
  return {
    txs,
    block_id: blockIdJson(rec.blockId),
    block: blockJson(rec.block, false),
    pagination: { next_key: null, total: String(all.length) },
  };
}
