// The node's RPC front in app-mempool mode (`shroud start --mempool app`): it serves the public RPC address
// (config.toml's rpc.laddr) while CometBFT's own RPC listens on an inner address only the node uses. The mempool
// methods CometBFT cannot answer with its `nop` mempool — broadcast_tx_async|sync|commit, check_tx,
// unconfirmed_txs, num_unconfirmed_txs — are answered here from the node's AppMempool, in CometBFT v0.38's shapes
// and with its errors (rpc/core/mempool.go); every other method, path and upgrade goes to CometBFT unchanged:
// URI calls and JSON-RPC bodies byte for byte, websocket messages one by one (a client may send our methods over
// the websocket too, cosmjs' WebsocketClient does), and a JSON-RPC batch mixing both is answered in order.
import { createHash } from "node:crypto";
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { connect as netConnect } from "node:net";
import type { Duplex } from "node:stream";
import type { ExecTxResult, ResponseCheckTx } from "cosmjs-types/tendermint/abci/types";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import type { Refusal, SubmitResult } from "../../consensus/appMempool.js";
import { bytesParam, internal, invalid, RpcError, unconfirmedLimit, type Call } from "./handlers.js";
import {
  broadcastTxJson,
  EMPTY_TX_RESULT_JSON,
  hexU,
  txResultJson,
  unconfirmedTxsJson,
  type Json,
} from "./json.js";
import { reply, send } from "./server.js";

/** What the front needs of the node's mempool (src/consensus/appMempool.ts AppMempool). */
export interface FrontMempool {
  submitTx(tx: Uint8Array): Promise<SubmitResult> | SubmitResult;
  precheck(tx: Uint8Array): Refusal | undefined;
  refusalError(refusal: Refusal, tx: Uint8Array): string;
  check(tx: Uint8Array): Promise<ResponseCheckTx> | ResponseCheckTx;
  head(limit: number): Uint8Array[];
  readonly size: number;
  readonly sizeBytes: number;
}

/** A block the node executed and committed: its txs and their results (the feed broadcast_tx_commit waits on). */
export interface CommittedBlock {
  readonly height: bigint;
  readonly txs: readonly Uint8Array[];
  readonly results: readonly ExecTxResult[];
}

interface Inclusion {
  readonly height: bigint;
  readonly result: ExecTxResult;
}

/**
 * broadcast_tx_commit's waiters, by tx hash: `committed(block)` (called after each block's Commit) resolves the
 * waiters of the block's txs. Hashes a block's txs only while someone waits.
 */
export class CommitWaiters {
  private readonly waiting = new Map<string, Set<(i: Inclusion) => void>>();
  private n = 0;

  /** Waiters now. */
  get count(): number {
    return this.n;
  }

  /**
   * Starts waiting for `hash` at once (before the tx is submitted, so its block cannot be missed); `done`
   * resolves with its inclusion or undefined after `timeoutMs`; `cancel` stops waiting.
   */
  wait(hash: Uint8Array, timeoutMs: number): { done: Promise<Inclusion | undefined>; cancel(): void } {
    const key = hexU(hash);
    let settle: (i: Inclusion | undefined) => void = () => undefined;
    const done = new Promise<Inclusion | undefined>((resolve) => (settle = resolve));
    let set = this.waiting.get(key);
    if (set === undefined) {
      set = new Set();
      this.waiting.set(key, set);
    }
    const waiter = (i: Inclusion): void => {
      cancel();
      settle(i);
    };
    set.add(waiter);
    this.n++;
    const timer = setTimeout(() => {
      cancel();
      settle(undefined);
    }, timeoutMs);
    let active = true;
    const cancel = (): void => {
      if (!active) return;
      active = false;
      clearTimeout(timer);
      const s = this.waiting.get(key);
      s?.delete(waiter);
      if (s !== undefined && s.size === 0) this.waiting.delete(key);
      this.n--;
    };
    return { done, cancel };
  }

  committed(b: CommittedBlock): void {
    if (this.n === 0) return;
    b.txs.forEach((tx, i) => {
      const set = this.waiting.get(hexU(sha256(tx)));
      const result = b.results[i];
      if (set === undefined || result === undefined) return;
      for (const w of [...set]) w({ height: b.height, result });
    });
  }
}

const sha256 = (b: Uint8Array): Uint8Array => createHash("sha256").update(b).digest();

/** A Go duration as config.toml writes it ("10s", "1m0s", "500ms", "1.5s") in ms; undefined if unreadable. */
export function goDurationMs(s: string): number | undefined {
  const unit: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  if (s === "0") return 0;
  const parts = [...s.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== s) return undefined;
  return parts.reduce((ms, p) => ms + Number(p[1]) * unit[p[2]!]!, 0);
}

export interface RpcFrontOptions {
  /** Where clients connect (config.toml's rpc.laddr). */
  readonly host: string;
  readonly port: number;
  /** CometBFT's RPC on its inner address, e.g. http://127.0.0.1:26662. */
  readonly upstream: string;
  readonly mempool: FrontMempool;
  readonly commits: CommitWaiters;
  /** config.toml rpc.timeout_broadcast_tx_commit (CometBFT's default 10 s). */
  readonly broadcastCommitTimeoutMs: number;
  /** config.toml rpc.max_body_bytes: the largest request body (and websocket message) taken. */
  readonly maxBodyBytes: number;
  /** config.toml rpc.max_request_batch_size (0 = no limit): larger batches go to CometBFT, which refuses them. */
  readonly maxBatchSize: number;
  /** config.toml rpc.max_subscription_clients: most broadcast_tx_commit calls waiting at once. */
  readonly maxCommitWaiters: number;
  /** How long a proxied call may take before it is answered with an error (default 60 s). */
  readonly upstreamTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface RpcFront {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

/** The methods the front answers, with their parameter names in order (CometBFT's rpc/core/routes.go). */
const FRONT_METHODS: Readonly<Record<string, readonly string[]>> = {
  broadcast_tx_async: ["tx"],
  broadcast_tx_sync: ["tx"],
  broadcast_tx_commit: ["tx"],
  check_tx: ["tx"],
  unconfirmed_txs: ["limit"],
  num_unconfirmed_txs: [],
};

const textOf = (d: RawData): string =>
  (Buffer.isBuffer(d) ? d : Array.isArray(d) ? Buffer.concat(d) : Buffer.from(d)).toString("utf8");

const isFrontMethod = (m: unknown): m is string =>
  typeof m === "string" && Object.prototype.hasOwnProperty.call(FRONT_METHODS, m);

/** Headers that belong to one connection, not to the message (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
]);

function endToEnd(h: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(h)) if (!HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

type JsonRpcId = string | number;
interface Req {
  readonly id: JsonRpcId | undefined;
  readonly method: unknown;
  readonly params: unknown;
}

/** A JSON-RPC request as CometBFT reads one (types.go RPCRequest), or undefined where it would refuse the body. */
function asRequest(v: unknown): Req | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
  const r = v as { id?: unknown; method?: unknown; params?: unknown };
  if (r.id === undefined || r.id === null) return { id: undefined, method: r.method, params: r.params };
  if (typeof r.id === "string") return { id: r.id, method: r.method, params: r.params };
  // Go unmarshals numbers as float64 and truncates the id to an int.
  if (typeof r.id === "number" && Number.isFinite(r.id))
    return { id: Math.trunc(r.id), method: r.method, params: r.params };
  return undefined;
}

const TOO_LARGE = {
  jsonrpc: "2.0",
  error: {
    code: -32600,
    message: "Invalid Request",
    data: "error reading request body: http: request body too large",
  },
};

/**
 * The request body, or undefined past `max` bytes: the rest is read and dropped (a client that sends a large
 * body before it reads the answer gets the answer, not a reset), up to 4·max; past that the request is dropped.
 */
function readLimited(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on("data", (c: Buffer) => {
      n += c.length;
      if (n > 4 * max) req.destroy();
      else if (n <= max) chunks.push(c);
    });
    req.on("end", () => {
      resolve(n > max ? undefined : Buffer.concat(chunks));
    });
    req.on("error", () => {
      resolve(undefined);
    });
    req.on("close", () => {
      resolve(undefined); // no-op once resolved
    });
  });
}

export async function startRpcFront(o: RpcFrontOptions): Promise<RpcFront> {
  const up = new URL(o.upstream);
  const upHost = up.hostname;
  const upPort = Number(up.port || 80);
  const upWs = `ws://${up.host}/websocket`;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const upstreamTimeoutMs = o.upstreamTimeoutMs ?? 60_000;
  const m = o.mempool;
  const logErr = (what: string, e: unknown): void => {
    o.log?.(`RPC front: ${what}: ${e instanceof Error ? e.message : String(e)}`);
  };
  const unreachable = (e: unknown): string =>
    `CometBFT's RPC at ${o.upstream} is unreachable: ${e instanceof Error ? e.message : String(e)}`;

  // ---- the mempool methods ----

  const txOf = (c: Call): Uint8Array => bytesParam(c, "tx", false) ?? new Uint8Array();

  async function broadcastSync(c: Call): Promise<Json> {
    const tx = txOf(c);
    const r = await m.submitTx(tx);
    if (r.outcome !== "admitted" && r.outcome !== "rejected") throw internal(m.refusalError(r.outcome, tx));
    return broadcastTxJson(r.answer, sha256(tx));
  }

  function broadcastAsync(c: Call): Json {
    const tx = txOf(c);
    // CometBFT answers its mempool's own refusals at once and does not wait for CheckTx.
    const refusal = m.precheck(tx);
    if (refusal !== undefined) throw internal(m.refusalError(refusal, tx));
    try {
      const p = m.submitTx(tx);
      if (p instanceof Promise)
        p.catch((e: unknown) => {
          logErr("broadcast_tx_async", e);
        });
    } catch (e) {
      logErr("broadcast_tx_async", e);
    }
    return broadcastTxJson({ code: 0, data: new Uint8Array(), log: "", codespace: "" }, sha256(tx));
  }

  async function broadcastCommit(c: Call): Promise<Json> {
    const tx = txOf(c);
    if (o.commits.count >= o.maxCommitWaiters)
      throw internal(`max_subscription_clients ${o.maxCommitWaiters} reached`);
    const hash = sha256(tx);
    const waiting = o.commits.wait(hash, o.broadcastCommitTimeoutMs);
    try {
      const r = await m.submitTx(tx);
      if (r.outcome !== "admitted" && r.outcome !== "rejected")
        throw internal(`error on broadcastTxCommit: ${m.refusalError(r.outcome, tx)}`);
      const checkTx = txResultJson(r.answer);
      if (r.answer.code !== 0)
        return { check_tx: checkTx, tx_result: EMPTY_TX_RESULT_JSON, hash: hexU(hash), height: "0" };
      const inc = await waiting.done;
      if (inc === undefined) throw internal("timed out waiting for tx to be included in a block");
      return {
        check_tx: checkTx,
        tx_result: txResultJson(inc.result),
        hash: hexU(hash),
        height: inc.height.toString(),
      };
    } finally {
      waiting.cancel();
    }
  }

  const handlers: Record<string, (c: Call) => Json | Promise<Json>> = {
    broadcast_tx_async: broadcastAsync,
    broadcast_tx_sync: broadcastSync,
    broadcast_tx_commit: broadcastCommit,
    check_tx: async (c) => txResultJson(await m.check(txOf(c))),
    unconfirmed_txs: (c) => unconfirmedTxsJson(m.head(unconfirmedLimit(c)), m.size, m.sizeBytes),
    num_unconfirmed_txs: () => unconfirmedTxsJson(undefined, m.size, m.sizeBytes),
  };

  /** One of our methods: its JSON-RPC answer (errors as CometBFT codes them). */
  async function answer(id: unknown, method: string, call: Call): Promise<Json> {
    try {
      return reply(id, { result: await handlers[method]!(call) });
    } catch (e) {
      if (e instanceof RpcError)
        return reply(id, { error: { code: e.code, message: e.rpcMessage, data: e.data } });
      return reply(id, {
        error: { code: -32603, message: "Internal error", data: e instanceof Error ? e.message : String(e) },
      });
    }
  }

  /** JSON-RPC params (a map, or an array in the method's order) as a Call; throws CometBFT's -32602. */
  function jsonCall(method: string, params: unknown): Call {
    const names = FRONT_METHODS[method]!;
    if (Array.isArray(params)) {
      if (params.length !== names.length)
        throw invalid(
          `error converting json params to arguments: expected ${names.length} parameters (${JSON.stringify(names)}), got ${params.length} (${JSON.stringify(params)})`,
        );
      return { params: Object.fromEntries(names.map((n, i) => [n, params[i]])), viaGet: false };
    }
    if (typeof params === "object" && params !== null)
      return { params: params as Record<string, unknown>, viaGet: false };
    return { params: {}, viaGet: false };
  }

  async function answerJson(r: Req & { method: string }): Promise<Json> {
    let call: Call;
    try {
      call = jsonCall(r.method, r.params);
    } catch (e) {
      const err = e as RpcError;
      return reply(r.id, { error: { code: err.code, message: err.rpcMessage, data: err.data } });
    }
    return answer(r.id, r.method, call);
  }

  // ---- proxying ----

  function proxyHttp(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer | undefined,
    ids: unknown,
  ): void {
    const fwd = httpRequest(
      {
        host: upHost,
        port: upPort,
        method: req.method,
        path: req.url,
        headers: endToEnd(req.headers),
        agent,
        timeout: upstreamTimeoutMs,
      },
      (ures) => {
        res.writeHead(ures.statusCode ?? 502, endToEnd(ures.headers));
        ures.pipe(res);
        ures.on("error", () => res.destroy());
      },
    );
    fwd.on("timeout", () => fwd.destroy(new Error(`no answer within ${upstreamTimeoutMs} ms`)));
    fwd.on("error", (e) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const err = { error: { code: -32603, message: "Internal error", data: unreachable(e) } };
      if (Array.isArray(ids))
        send(
          res,
          200,
          ids.map((id) => reply(id, err)),
        );
      else send(res, ids === undefined ? 502 : 200, reply(ids ?? -1, err));
    });
    if (body !== undefined) fwd.end(body);
    else req.pipe(fwd);
  }

  /** A JSON-RPC batch of proxied requests sent as one: CometBFT's answers, one per request, in order. */
  async function proxyBatch(reqs: readonly Req[], headers: IncomingHttpHeaders): Promise<Json[]> {
    const body = Buffer.from(
      JSON.stringify(reqs.map((r) => ({ jsonrpc: "2.0", id: r.id, method: r.method, params: r.params }))),
    );
    const fail = (why: string): Json[] =>
      reqs.map((r) => reply(r.id, { error: { code: -32603, message: "Internal error", data: why } }));
    try {
      const text = await new Promise<string>((resolve, reject) => {
        const h = endToEnd(headers);
        delete h["content-length"];
        const fwd = httpRequest(
          {
            host: upHost,
            port: upPort,
            method: "POST",
            path: "/",
            headers: { ...h, "content-type": "application/json", "content-length": String(body.length) },
            agent,
            timeout: upstreamTimeoutMs,
          },
          (ures) => {
            const chunks: Buffer[] = [];
            ures.on("data", (c: Buffer) => chunks.push(c));
            ures.on("end", () => {
              resolve(Buffer.concat(chunks).toString("utf8"));
            });
            ures.on("error", reject);
          },
        );
        fwd.on("timeout", () => fwd.destroy(new Error(`no answer within ${upstreamTimeoutMs} ms`)));
        fwd.on("error", reject);
        fwd.end(body);
      });
      const parsed = JSON.parse(text) as unknown;
      const list = Array.isArray(parsed) ? (parsed as Json[]) : [parsed as Json];
      if (list.length === reqs.length) return list;
      // One answer for the whole batch (e.g. CometBFT refused it): each request gets it.
      const one = list[0] as Record<string, Json>;
      return reqs.map((r): Json => ({ ...one, id: r.id ?? -1 }));
    } catch (e) {
      return fail(unreachable(e));
    }
  }

  async function handlePost(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readLimited(req, o.maxBodyBytes);
    if (body === undefined) {
      if (!res.destroyed) send(res, 400, TOO_LARGE);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      proxyHttp(req, res, body, undefined); // CometBFT answers its own parse error
      return;
    }
    const batch = Array.isArray(parsed);
    const list = batch ? (parsed as unknown[]).map(asRequest) : [asRequest(parsed)];
    const ids = list.map((r) => r?.id);
    const ours = list.some((r) => r !== undefined && r.id !== undefined && isFrontMethod(r.method));
    const tooMany = batch && o.maxBatchSize > 0 && list.length > o.maxBatchSize;
    if (!ours || tooMany || list.some((r) => r === undefined)) {
      proxyHttp(req, res, body, batch ? ids.filter((id) => id !== undefined) : ids[0]);
      return;
    }
    // Requests without an id are notifications: CometBFT neither runs nor answers them.
    const calls = (list as Req[]).filter((r) => r.id !== undefined);
    const out: Json[] = [];
    // In order: consecutive proxied requests go to CometBFT as one batch, ours run one at a time.
    for (let i = 0; i < calls.length;) {
      const r = calls[i]!;
      if (isFrontMethod(r.method)) {
        out.push(await answerJson({ ...r, method: r.method }));
        i++;
        continue;
      }
      let j = i;
      while (j < calls.length && !isFrontMethod(calls[j]!.method)) j++;
      out.push(...(await proxyBatch(calls.slice(i, j), req.headers)));
      i = j;
    }
    if (out.length === 0) {
      res.writeHead(200);
      res.end();
      return;
    }
    send(res, 200, out.length === 1 ? out[0]! : out);
  }

  async function handleUri(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    url: URL,
  ): Promise<void> {
    // CometBFT reads the first value of each parameter (r.URL.Query().Get).
    const params: Record<string, string> = {};
    for (const [k, v] of url.searchParams) if (!(k in params)) params[k] = v;
    req.resume();
    const out = await answer(-1, method, { params, viaGet: true });
    const isError = typeof out === "object" && out !== null && !Array.isArray(out) && "error" in out;
    send(res, isError ? 500 : 200, out);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = url.pathname.slice(1);
    let work: Promise<void>;
    if (url.pathname === "/" && req.method === "POST") work = handlePost(req, res);
    else if (req.method !== "OPTIONS" && isFrontMethod(method)) work = handleUri(req, res, method, url);
    else {
      proxyHttp(req, res, undefined, undefined);
      return;
    }
    work.catch((e: unknown) => {
      logErr("request", e);
      if (!res.headersSent)
        send(
          res,
          500,
          reply(-1, { error: { code: -32603, message: "Internal error", data: "request failed" } }),
        );
      else res.destroy();
    });
  });
  server.on("clientError", (_e, socket) => {
    socket.destroy();
  });

  // ---- websocket ----

  const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxBodyBytes, perMessageDeflate: false });
  const upstreams = new Set<WebSocket>();

  function attach(client: WebSocket): void {
    const upstream = new WebSocket(upWs, { maxPayload: o.maxBodyBytes, perMessageDeflate: false });
    upstreams.add(upstream);
    let open = false;
    let down: string | undefined;
    const queued: { data: RawData; binary: boolean }[] = [];
    const sendClient = (v: Json): void => {
      if (client.readyState === WebSocket.OPEN) client.send(JSON.stringify(v));
    };
    const refuse = (data: RawData, why: string): void => {
      let r: Req | undefined;
      try {
        r = asRequest(JSON.parse(textOf(data)));
      } catch {
        r = undefined;
      }
      if (r?.id !== undefined)
        sendClient(reply(r.id, { error: { code: -32603, message: "Internal error", data: why } }));
    };
    // CometBFT unreachable at connect: the client stays, our methods still work, every proxied call gets an error.
    const fail = (why: string): void => {
      if (down !== undefined) return;
      down = why;
      for (const q of queued.splice(0)) refuse(q.data, why);
    };
    upstream.on("open", () => {
      open = true;
      for (const q of queued.splice(0)) upstream.send(q.data, { binary: q.binary });
    });
    upstream.on("message", (data, binary) => {
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary });
    });
    upstream.on("error", (e) => {
      fail(unreachable(e));
    });
    upstream.on("close", () => {
      upstreams.delete(upstream);
      // Gone after it was up (e.g. restarting): the client's subscriptions are gone too, so it is told by a close.
      if (open) {
        if (client.readyState === WebSocket.OPEN) client.close(1011, "CometBFT closed the connection");
      } else fail(unreachable("connection closed"));
    });
    client.on("message", (data, binary) => {
      let r: Req | undefined;
      if (!binary) {
        try {
          r = asRequest(JSON.parse(textOf(data)));
        } catch {
          r = undefined; // CometBFT answers its own parse error
        }
      }
      if (r !== undefined && isFrontMethod(r.method)) {
        if (r.id === undefined) return; // a notification: CometBFT skips it
        void answerJson({ ...r, method: r.method }).then(sendClient);
        return;
      }
      if (down !== undefined) refuse(data, down);
      else if (open) upstream.send(data, { binary });
      else queued.push({ data, binary });
    });
    client.on("close", () => {
      if (upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
      else upstream.close();
    });
    client.on("error", () => {
      upstream.terminate();
    });
  }

  /** Any other upgrade goes to CometBFT as it came, both ways (CometBFT upgrades only /websocket). */
  function rawUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const fwd = netConnect(upPort, upHost, () => {
      let h = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        h += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
      fwd.write(h + "\r\n");
      if (head.length > 0) fwd.write(head);
      fwd.pipe(socket);
      socket.pipe(fwd);
    });
    fwd.on("error", () => socket.destroy());
    socket.on("error", () => fwd.destroy());
    socket.on("close", () => fwd.destroy());
  }

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(req.url ?? "/", "http://localhost").pathname !== "/websocket") {
      rawUpgrade(req, socket, head);
      return;
    }
    wss.handleUpgrade(req, socket, head, attach);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address();
  return {
    server,
    port: typeof addr === "object" && addr ? addr.port : o.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        for (const u of upstreams) u.terminate();
        wss.close();
        agent.destroy();
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
