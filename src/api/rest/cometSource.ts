// CometBFT mode: the block/tx half of RestBackend read through a CometBFT v0.38 RPC (JSON-RPC over HTTP), so the
// LCD serves the same answers whether blocks come from the embedded engine or from CometBFT. The app still
// answers module queries, heights and simulation itself: `{...appBackend, ...cometRpcSource(url)}`.
import { isRandomTx } from "../../chain/random.js";
import { mayMatchRandom } from "../rpc/userTxs.js";
import { ResponseCheckTx, type ExecTxResult, type Event } from "cosmjs-types/tendermint/abci/types";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import { Block } from "cosmjs-types/tendermint/types/block";
import type { BlockID, Commit } from "cosmjs-types/tendermint/types/types";
import { blockIDFlagFromJSON } from "cosmjs-types/tendermint/types/validator";
import { GrpcCode, QueryError } from "../../chain/errors.js";
import { MEMPOOL_REFUSALS } from "../../consensus/appMempool.js";
import type { ValidatorInfo } from "../../consensus/header.js";
import { nsToRfc3339, timestampToNs } from "../../consensus/time.js";
import { fromBase64, fromHex, toBase64 } from "../../util/bytes.js";
import type { BlockRecord, RestBackend, TxRecord, TxSearchPage } from "./backend.js";

/** CometBFT caps `per_page` at 100 (rpc/core/env.go maxPerPage). */
const MAX_PER_PAGE = 100;
/** Block times kept for tx timestamps (each needs a `blockchain` call otherwise). */
const TIME_CACHE_SIZE = 1024;

type J = Record<string, unknown>;

/** A JSON-RPC error from CometBFT: code and its `data` text. */
class CometRpcError extends Error {
  constructor(
    readonly code: number,
    readonly data: string,
  ) {
    super(`CometBFT RPC error ${code}: ${data}`);
  }
}

const obj = (v: unknown, what: string): J => {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new Error(`CometBFT RPC: ${what} is not an object`);
  return v as J;
};
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const big = (v: unknown): bigint => BigInt(typeof v === "string" || typeof v === "number" ? v : 0);
const hex = (v: unknown): Uint8Array => fromHex(str(v).toLowerCase(), "hex");
const b64 = (v: unknown): Uint8Array =>
  typeof v === "string" && v !== "" ? fromBase64(v) : new Uint8Array();

/** RFC 3339 with up to nanoseconds ("2026-01-01T00:00:00.123456789Z") → Timestamp. */
export function rfc3339ToTimestamp(s: string): Timestamp {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(s);
  if (!m) throw new Error(`CometBFT RPC: bad time ${s.slice(0, 40)}`);
  const ms = Date.parse(`${m[1] ?? ""}Z`);
  return { seconds: BigInt(ms / 1000), nanos: Number((m[2] ?? "").padEnd(9, "0")) };
}

function eventsOf(v: unknown): Event[] {
  return arr(v).map((e) => {
    const o = obj(e, "event");
    return {
      type: str(o.type),
      attributes: arr(o.attributes).map((a) => {
        const x = obj(a, "attribute");
        return { key: str(x.key), value: str(x.value), index: x.index === true };
      }),
    };
  });
}

function execResult(v: unknown): ExecTxResult {
  const r = obj(v, "tx_result");
  return {
    code: Number(r.code ?? 0),
    data: b64(r.data),
    log: str(r.log),
    info: str(r.info),
    gasWanted: big(r.gas_wanted),
    gasUsed: big(r.gas_used),
    events: eventsOf(r.events),
    codespace: str(r.codespace),
  };
}

function blockId(v: unknown): BlockID {
  const o = obj(v, "block_id");
  const parts = obj(o.parts ?? {}, "parts");
  return { hash: hex(o.hash), partSetHeader: { total: Number(parts.total ?? 0), hash: hex(parts.hash) } };
}

function commitOf(v: unknown): Commit {
  const c = obj(v, "last_commit");
  return {
    height: big(c.height),
    round: Number(c.round ?? 0),
    blockId: blockId(c.block_id),
    signatures: arr(c.signatures).map((s) => {
      const o = obj(s, "signature");
      return {
        blockIdFlag: blockIDFlagFromJSON(o.block_id_flag ?? 0),
        validatorAddress: hex(o.validator_address),
        timestamp: rfc3339ToTimestamp(str(o.timestamp)),
        signature: b64(o.signature),
      };
    }),
  };
}

/** CometBFT `block` result JSON → the cosmjs-types Block the LCD renders. */
export function blockFromRpc(result: J): BlockRecord {
  const b = obj(result.block, "block");
  const h = obj(b.header, "header");
  const version = obj(h.version, "version");
  const lastCommit = commitOf(b.last_commit);
  const block = Block.fromPartial({
    header: {
      version: { block: big(version.block), app: big(version.app) },
      chainId: str(h.chain_id),
      height: big(h.height),
      time: rfc3339ToTimestamp(str(h.time)),
      lastBlockId: blockId(h.last_block_id),
      lastCommitHash: hex(h.last_commit_hash),
      dataHash: hex(h.data_hash),
      validatorsHash: hex(h.validators_hash),
      nextValidatorsHash: hex(h.next_validators_hash),
      consensusHash: hex(h.consensus_hash),
      appHash: hex(h.app_hash),
      lastResultsHash: hex(h.last_results_hash),
      evidenceHash: hex(h.evidence_hash),
      proposerAddress: hex(h.proposer_address),
    },
    data: { txs: arr(obj(b.data, "data").txs).map(b64) },
    evidence: { evidence: [] },
    ...(lastCommit.height > 0n ? { lastCommit } : {}),
  });
  return { blockId: blockId(result.block_id), block };
}

export type CometSource = Pick<
  RestBackend,
  "getTx" | "searchTxs" | "getBlock" | "validatorSet" | "broadcastTx"
>;

type RpcCall = (method: string, params: J) => Promise<J>;

/** JSON-RPC over HTTP POST to CometBFT; an `error` reply throws CometRpcError. */
function cometRpcCaller(rpcUrl: string): RpcCall {
  let nextId = 1;
  return async (method, params) => {
    const res = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
    });
    const body = obj(await res.json(), "reply");
    if (body.error !== undefined) {
      const e = obj(body.error, "error");
      throw new CometRpcError(Number(e.code ?? 0), str(e.data) || str(e.message));
    }
    return obj(body.result, "result");
  };
}

/**
 * Block time (ns since the epoch) of a height from CometBFT's `header` RPC (v0.38), undefined for a height it
 * does not have (future, pruned). No cache here: callers keep what they need (cli/node rest.ts).
 */
export function cometHeaderTimeSource(rpcUrl: string): (height: bigint) => Promise<bigint | undefined> {
  const call = cometRpcCaller(rpcUrl);
  return async (height) => {
    try {
      const r = await call("header", { height: height.toString() });
      return timestampToNs(rfc3339ToTimestamp(str(obj(r.header, "header").time)));
    } catch (e) {
      if (e instanceof CometRpcError && /height|not found|available/i.test(e.data)) return undefined;
      throw e;
    }
  };
}

/** The block/tx members of RestBackend served from a CometBFT RPC at `rpcUrl` (e.g. http://127.0.0.1:26657). */
export function cometRpcSource(rpcUrl: string): CometSource {
  const times = new Map<bigint, string>();
  const call = cometRpcCaller(rpcUrl);
  const blockTime = async (height: bigint): Promise<string> => {
    const cached = times.get(height);
    if (cached !== undefined) return cached;
    const r = await call("blockchain", { minHeight: height.toString(), maxHeight: height.toString() });
    const meta = obj(arr(r.block_metas)[0], "block_meta");
    const t = nsToRfc3339(timestampToNs(rfc3339ToTimestamp(str(obj(meta.header, "header").time))));
    if (times.size >= TIME_CACHE_SIZE) times.clear();
    times.set(height, t);
    return t;
  };
  const record = async (v: unknown): Promise<TxRecord> => {
    const t = obj(v, "tx");
    const height = big(t.height);
    return {
      hash: hex(t.hash),
      height,
      index: Number(t.index ?? 0),
      tx: b64(t.tx),
      result: execResult(t.tx_result),
      timestamp: await blockTime(height),
    };
  };
  return {
    getTx: async (hash) => {
      try {
        const rec = await record(await call("tx", { hash: toBase64(hash), prove: false }));
        return isRandomTx(rec.tx) ? undefined : rec; // a block random is not a user tx (rpc/userTxs.ts)
      } catch (e) {
        if (e instanceof CometRpcError && /not found/i.test(e.data)) return undefined;
        throw e;
      }
    },
    searchTxs: (query, page) => searchTxs(call, record, query, page),
    getBlock: async (height) => {
      try {
        return blockFromRpc(await call("block", { height: height.toString() }));
      } catch (e) {
        if (e instanceof CometRpcError && /height|not found|available/i.test(e.data)) return undefined;
        throw e;
      }
    },
    validatorSet: async (height) => {
      try {
        const r = await call("validators", { height: height.toString(), per_page: String(MAX_PER_PAGE) });
        return arr(r.validators).map((v): ValidatorInfo => {
          const o = obj(v, "validator");
          return {
            address: hex(o.address),
            pubKey: b64(obj(o.pub_key, "pub_key").value),
            power: big(o.voting_power),
          };
        });
      } catch (e) {
        if (e instanceof CometRpcError && /height|not found|available/i.test(e.data)) return undefined;
        throw e;
      }
    },
    broadcastTx: async (raw) => {
      let r: J;
      try {
        r = await call("broadcast_tx_sync", { tx: toBase64(raw) });
      } catch (e) {
        if (!(e instanceof CometRpcError)) throw e;
        const refusal = mempoolRefusal(e.data);
        if (refusal === undefined) throw e;
        return ResponseCheckTx.fromPartial({ code: refusal, codespace: "sdk", log: e.data });
      }
      return ResponseCheckTx.fromPartial({
        code: Number(r.code ?? 0),
        data: hex(r.data),
        log: str(r.log),
        codespace: str(r.codespace),
      });
    },
  };
}

/**
 * CometBFT's mempool refuses some txs before the app's CheckTx with an RPC error, not a CheckTx answer: a tx in
 * its cache (one it saw before, committed ones included), a full mempool, a tx too large. The SDK's broadcast
 * answers those as a tx response with its codes 19 / 20 / 21 in codespace sdk (client/broadcast.go
 * CheckCometError matches the same texts); any other RPC error stays an error.
 */
function mempoolRefusal(data: string): number | undefined {
  const t = data.toLowerCase();
  if (t.includes("tx already exists in cache")) return MEMPOOL_REFUSALS.inCache;
  if (t.includes("mempool is full")) return MEMPOOL_REFUSALS.full;
  if (t.includes("tx too large")) return MEMPOOL_REFUSALS.tooLarge;
  return undefined;
}

/** Pages of CometBFT's tx_search read when block randoms must be skipped client-side (the first 1,000 matches). */
const MAX_FILTERED_PAGES = 10;

/**
 * A search on tx.height / tx.hash alone can match block randoms, which CometBFT indexes as txs: read the matches
 * (up to MAX_FILTERED_PAGES pages), drop the randoms, then page here so totals and pages count user txs only.
 */
async function searchSkippingRandoms(
  call: (method: string, params: J) => Promise<J>,
  record: (v: unknown) => Promise<TxRecord>,
  params: (p: number, perPage: number) => J,
  page: TxSearchPage,
): Promise<{ total: number; txs: TxRecord[] }> {
  const raw: unknown[] = [];
  for (let p = 1; p <= MAX_FILTERED_PAGES; p++) {
    const r = await call("tx_search", params(p, MAX_PER_PAGE));
    const got = arr(r.txs);
    raw.push(...got);
    if (got.length < MAX_PER_PAGE || raw.length >= Number(str(r.total_count) || "0")) break;
  }
  const user = raw.filter((t) => !isRandomTx(b64(obj(t, "tx").tx)));
  const from = (page.page - 1) * page.perPage;
  return { total: user.length, txs: await Promise.all(user.slice(from, from + page.perPage).map(record)) };
}

async function searchTxs(
  call: (method: string, params: J) => Promise<J>,
  record: (v: unknown) => Promise<TxRecord>,
  query: string,
  page: TxSearchPage,
): Promise<{ total: number; txs: TxRecord[] }> {
  const params = (p: number, perPage: number): J => ({
    query,
    prove: false,
    page: String(p),
    per_page: String(perPage),
    order_by: page.orderBy,
  });
  try {
    if (mayMatchRandom(query)) return await searchSkippingRandoms(call, record, params, page);
    const r = await call("tx_search", params(page.page, Math.min(page.perPage, MAX_PER_PAGE)));
    const txs = await Promise.all(arr(r.txs).map(record));
    return { total: Number(str(r.total_count) || "0"), txs };
  } catch (e) {
    if (!(e instanceof CometRpcError)) throw e;
    // CometBFT refuses a page past the end; the SDK gateway then shows an empty page with the total.
    if (/page should be within/.test(e.data)) {
      const first = await call("tx_search", params(1, 1));
      return { total: Number(str(first.total_count) || "0"), txs: [] };
    }
    throw new QueryError(GrpcCode.InvalidArgument, e.data);
  }
}
