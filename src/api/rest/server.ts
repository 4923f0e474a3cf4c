// The secretjs-compatible REST (LCD) server over node:http: normalises the path (repeated slashes, trailing
// slash, trailing "?"), answers CORS preflights, reads `x-cosmos-block-height`, bounds request bodies, routes,
// and turns every failure into grpc-gateway error JSON (spec secretjs-compat §1, §5).
import "../../chain/cosmjsInt64.js"; // before any encode: cosmjs-types writes (u)int64 in [2^31, 2^32) wrongly
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { MAX_TX_BYTES } from "../../chain/tx/decode.js";
import { toBase64 } from "../../util/bytes.js";
import type { RestBackend } from "./backend.js";
import { badRequest, Grpc, RestError, toErrorReply } from "./errors.js";
import { parsePagination, parseParam, QueryArgs, type ArgValue, type ParamKind } from "./params.js";
import type { RestHandler, RestRequest } from "./request.js";
import { Router, normalisePath } from "./router.js";
import { MODULE_ROUTES, type ModuleRoute } from "./routes.js";
import {
  blockByHeightRoute,
  latestBlockRoute,
  latestValidatorSetRoute,
  nodeConfigRoute,
  nodeInfoRoute,
  nodeStatusRoute,
  syncingRoute,
  validatorSetByHeightRoute,
} from "./tendermint.js";
import { blockWithTxsRoute, broadcastRoute, getTxRoute, searchTxsRoute, simulateRoute } from "./tx.js";

/** Largest body: a MAX_TX_BYTES tx in base64 (4/3 larger) plus room for the JSON around it. */
export const MAX_BODY_BYTES = Math.ceil((MAX_TX_BYTES * 4) / 3) + 64 * 1024;
/** The height header (SDK grpctypes.GRPCBlockHeightHeader). */
const HEIGHT_HEADER = "x-cosmos-block-height";
/** Where grpc-gateway forwards the height the SDK answered at. */
const HEIGHT_REPLY_HEADER = "grpc-metadata-x-cosmos-block-height";
const MAX_INT64 = (1n << 63n) - 1n;

export interface RestServer {
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

export interface RestServerOptions {
  /** Called with unexpected exceptions (answered as a bare 500); the app may log them. */
  onInternalError?: (e: unknown) => void;
}

/** Builds the route table: tx/tendermint/node routes plus every module route of routes.ts. */
export function buildRouter(): Router<RestHandler> {
  const router = new Router<RestHandler>();
  const tx = "/cosmos/tx/v1beta1";
  const tm = "/cosmos/base/tendermint/v1beta1";
  router
    .add("POST", `${tx}/txs`, broadcastRoute)
    .add("GET", `${tx}/txs`, searchTxsRoute)
    .add("GET", `${tx}/txs/{hash:hash}`, getTxRoute)
    .add("POST", `${tx}/simulate`, simulateRoute)
    .add("GET", `${tx}/txs/block/{height:u64}`, blockWithTxsRoute)
    .add("GET", `${tm}/node_info`, nodeInfoRoute)
    .add("GET", `${tm}/syncing`, syncingRoute)
    .add("GET", `${tm}/blocks/latest`, latestBlockRoute)
    .add("GET", `${tm}/blocks/{height:u64}`, blockByHeightRoute)
    .add("GET", `${tm}/validatorsets/latest`, latestValidatorSetRoute)
    .add("GET", `${tm}/validatorsets/{height:u64}`, validatorSetByHeightRoute)
    .add("GET", "/cosmos/base/node/v1beta1/config", nodeConfigRoute)
    .add("GET", "/cosmos/base/node/v1beta1/status", nodeStatusRoute);
  for (const m of MODULE_ROUTES) router.add("GET", m.pattern, moduleHandler(m));
  return router;
}

function queryArgs(m: ModuleRoute, req: RestRequest): QueryArgs {
  const values = new Map<string, ArgValue>(req.params);
  for (const [name, spec] of Object.entries(m.query ?? {})) {
    const required = spec.endsWith("!");
    const kind = (required ? spec.slice(0, -1) : spec) as ParamKind;
    const raw = req.query.get(name);
    if (raw === null || raw === "") {
      if (required) throw badRequest(`${name}: required`);
      continue;
    }
    values.set(name, parseParam(kind, name, raw));
  }
  return new QueryArgs(values, m.paged === true ? parsePagination(req.query) : undefined);
}

/** SDK baseapp createQueryContext: a future height, or one below the earliest kept state, is refused. */
function checkHeight(req: RestRequest): void {
  if (req.height === undefined) return;
  if (req.height > req.backend.latestHeight()) {
    throw badRequest("cannot query with height in the future; please provide a valid height");
  }
  if (req.height < req.backend.earliestHeight()) {
    throw badRequest(`failed to load state at height ${req.height}; version does not exist`);
  }
}

function moduleHandler(m: ModuleRoute): RestHandler {
  return async (req) => {
    const args = queryArgs(m, req);
    const handler = req.backend.queries.get(m.method);
    if (handler === undefined) {
      throw new RestError(
        Grpc.Unimplemented,
        `unknown method ${m.method.split("/").pop() ?? ""} for service ${m.method.split("/")[1] ?? ""}`,
      );
    }
    checkHeight(req);
    return await handler({ args, height: req.height });
  };
}

function parseHeightHeader(v: string | string[] | undefined): bigint | undefined {
  if (v === undefined) return undefined;
  const s = Array.isArray(v) ? (v[0] ?? "") : v;
  if (!/^\d{1,19}$/.test(s) || BigInt(s) > MAX_INT64) {
    throw badRequest(
      `invalid height header ${JSON.stringify(s.slice(0, 40))}: expected a non-negative integer`,
    );
  }
  const h = BigInt(s);
  return h === 0n ? undefined : h;
}

function readBody(req: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    // Made only when needed: an Error captures its stack (~40 µs of a broadcast's CPU when made per request).
    const tooLarge = (): RestError =>
      new RestError(Grpc.ResourceExhausted, `request body larger than ${MAX_BODY_BYTES} bytes`, 413);
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > MAX_BODY_BYTES) {
      req.resume();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on("end", () => {
      if (size > MAX_BODY_BYTES) reject(tooLarge());
      else resolve(new Uint8Array(Buffer.concat(chunks)));
    });
    req.on("error", () => {
      reject(badRequest("request body could not be read"));
    });
  });
}

/** JSON with bigint as decimal strings and bytes as base64 (the gateway's encodings). */
function toJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    typeof x === "bigint" ? x.toString() : x instanceof Uint8Array ? toBase64(x) : x,
  );
}

function setCors(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader("access-control-allow-origin", "*");
  res.setHeader("access-control-allow-methods", "GET, POST, OPTIONS");
  const asked = req.headers["access-control-request-headers"];
  res.setHeader(
    "access-control-allow-headers",
    typeof asked === "string" && asked.length < 1024 ? asked : `content-type, ${HEIGHT_HEADER}`,
  );
  res.setHeader("access-control-expose-headers", HEIGHT_REPLY_HEADER);
  res.setHeader("access-control-max-age", "600");
}

function send(res: ServerResponse, status: number, body: unknown, height?: bigint): void {
  const text = toJson(body);
  const headers: Record<string, string | number> = {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  };
  if (height !== undefined) headers[HEIGHT_REPLY_HEADER] = height.toString();
  res.writeHead(status, headers);
  res.end(text);
}

async function serve(
  router: Router<RestHandler>,
  backend: RestBackend,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = req.url ?? "/";
  const qi = url.indexOf("?");
  const path = normalisePath(qi < 0 ? url : url.slice(0, qi));
  const query = new URLSearchParams(qi < 0 ? "" : url.slice(qi + 1));
  const method = req.method === "HEAD" ? "GET" : (req.method ?? "");
  const match = router.match(method, path);
  const height = parseHeightHeader(req.headers[HEIGHT_HEADER]);
  const body = method === "POST" ? await readBody(req) : undefined;
  const params = match.params;
  // Nothing but a broadcast reads the node during a block (it goes to the engine's CheckTx queue).
  if (match.route.handler !== broadcastRoute && backend.idle !== undefined) await backend.idle();
  const result = await match.route.handler({ params, query, body, height, backend });
  send(
    res,
    200,
    result,
    match.route.pattern.startsWith("/cosmos/tx") ? undefined : (height ?? backend.latestHeight()),
  );
}

/** Malformed HTTP never reaches a handler; still answer with the JSON error shape (or just close). */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || err.code === "ECONNRESET") {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === "HPE_HEADER_OVERFLOW";
  const body = JSON.stringify({
    code: tooLarge ? Grpc.ResourceExhausted : Grpc.InvalidArgument,
    message: tooLarge ? "request headers too large" : "malformed HTTP request",
    details: [],
  });
  const status = tooLarge ? "431 Request Header Fields Too Large" : "400 Bad Request";
  socket.end(
    `HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** Starts the LCD on host:port (port 0 = any free port). */
export function startRestServer(
  backend: RestBackend,
  host: string,
  port: number,
  opts: RestServerOptions = {},
): Promise<RestServer> {
  const router = buildRouter();
  const server = createServer((req, res) => {
    setCors(req, res);
    if (req.method === "OPTIONS") {
      res.writeHead(204, { "content-length": 0 });
      res.end();
      return;
    }
    serve(router, backend, req, res).catch((e: unknown) => {
      const reply = toErrorReply(e);
      if (reply.status === 500 && !(e instanceof RestError)) opts.onInternalError?.(e);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      send(res, reply.status, reply.body);
    });
  });
  server.on("clientError", answerClientError);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        server,
        close: () =>
          new Promise<void>((res) => {
            server.close(() => {
              res();
            });
            server.closeAllConnections();
          }),
      });
    });
  });
}
