// The CometBFT-style RPC server of the embedded engine (port 26657 by default): URI (GET /method?args) and
// JSON-RPC 2.0 (POST, single or batch) over HTTP, plus websocket `subscribe` at /websocket for NewBlock and
// Tx events — the shapes of CometBFT v0.38 so cosmjs and explorers work unchanged.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { WebSocketServer, type WebSocket } from "ws";
import { RPC_DURING_BLOCK, RPC_METHODS, RpcError, type Call, type RpcContext } from "./handlers.js";
import { subscriptionHub } from "./subscriptions.js";
import type { Json } from "./json.js";

/** Largest JSON-RPC request body accepted (CometBFT's max_body_bytes default is 1 MB; a 2 MiB wasm tx needs more). */
export const MAX_RPC_BODY_BYTES = 8 * 1024 * 1024;

interface JsonRpcRequest {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

/** A JSON-RPC 2.0 response (`id` -1 when the request had none, as CometBFT's URI calls). */
export function reply(
  id: unknown,
  body: { result: Json } | { error: { code: number; message: string; data: string } },
): Json {
  return { jsonrpc: "2.0", id: (id ?? -1) as Json, ...body };
}

export async function callMethod(ctx: RpcContext, id: unknown, method: string, call: Call): Promise<Json> {
  const handler = Object.prototype.hasOwnProperty.call(RPC_METHODS, method) ? RPC_METHODS[method] : undefined;
  if (!handler) return reply(id, { error: { code: -32601, message: "Method not found", data: "" } });
  try {
    if (!RPC_DURING_BLOCK.has(method)) await ctx.engine.idle();
    return reply(id, { result: await handler(ctx, call) });
  } catch (e) {
    if (e instanceof RpcError)
      return reply(id, { error: { code: e.code, message: e.rpcMessage, data: e.data } });
    return reply(id, {
      error: { code: -32603, message: "Internal error", data: e instanceof Error ? e.message : String(e) },
    });
  }
}

async function handleJsonRpc(ctx: RpcContext, body: string): Promise<Json> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return reply(-1, { error: { code: -32700, message: "Parse error", data: "invalid JSON" } });
  }
  const one = async (r: unknown): Promise<Json> => {
    const req = (typeof r === "object" && r !== null ? r : {}) as JsonRpcRequest;
    if (typeof req.method !== "string")
      return reply(req.id, { error: { code: -32600, message: "Invalid Request", data: "missing method" } });
    const params =
      typeof req.params === "object" && req.params !== null && !Array.isArray(req.params)
        ? (req.params as Record<string, unknown>)
        : {};
    return callMethod(ctx, req.id, req.method, { params, viaGet: false });
  };
  if (Array.isArray(parsed)) return Promise.all(parsed.map(one));
  return one(parsed);
}

export function send(res: ServerResponse, status: number, body: Json): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "access-control-allow-origin": "*" });
  res.end(text);
}

/** The request body, or undefined when it is over `max` bytes (the request is then destroyed) or broken. */
export function readBody(req: IncomingMessage, max = MAX_RPC_BODY_BYTES): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on("data", (c: Buffer) => {
      n += c.length;
      if (n > max) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", () => {
      resolve(undefined);
    });
  });
}

async function handleHttp(ctx: RpcContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method === "OPTIONS") {
    res.writeHead(204, {
      "access-control-allow-origin": "*",
      "access-control-allow-headers": "*",
      "access-control-allow-methods": "GET, POST, OPTIONS",
    });
    res.end();
    return;
  }
  if (req.method === "POST") {
    const body = await readBody(req);
    if (body === undefined) {
      send(
        res,
        413,
        reply(-1, { error: { code: -32600, message: "Invalid Request", data: "request body too large" } }),
      );
      return;
    }
    send(res, 200, await handleJsonRpc(ctx, body));
    return;
  }
  const url = new URL(req.url ?? "/", "http://localhost");
  const method = url.pathname.replace(/^\/+/, "");
  if (method === "") {
    send(res, 200, { jsonrpc: "2.0", id: -1, result: { methods: Object.keys(RPC_METHODS).sort() } });
    return;
  }
  const params: Record<string, string> = {};
  for (const [k, v] of url.searchParams) params[k] = v;
  const out = await callMethod(ctx, -1, method, { params, viaGet: true });
  const isError = typeof out === "object" && out !== null && !Array.isArray(out) && "error" in out;
  const notFound = isError && (out.error as { code: number }).code === -32601;
  send(res, notFound ? 404 : isError ? 500 : 200, out);
}

export interface RpcServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** Starts the RPC server on host:port (port 0 picks a free one). */
export async function startRpcServer(ctx: RpcContext, host: string, port: number): Promise<RpcServer> {
  const server = createServer((req, res) => {
    handleHttp(ctx, req, res).catch(() => {
      send(
        res,
        500,
        reply(-1, { error: { code: -32603, message: "Internal error", data: "request failed" } }),
      );
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_RPC_BODY_BYTES });
  const hub = subscriptionHub(ctx);
  server.on("upgrade", (req, socket, head) => {
    if (new URL(req.url ?? "/", "http://localhost").pathname !== "/websocket") {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      hub.attach(ws);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const addr = server.address();
  return {
    server,
    port: typeof addr === "object" && addr ? addr.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        hub.close();
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
