// ABCI 2.0 over gRPC for CometBFT v0.38 (`abci = "grpc"`; proto/tendermint/abci/types.proto `service ABCI`):
// HTTP/2 cleartext, one unary call per request, each body a 5-byte gRPC prefix (compressed flag, u32 BE length)
// ‖ the protobuf Request<Method>; answers carry trailers grpc-status / grpc-message. CometBFT's gRPC client has
// no flush timer (its socket client's spins: docs/BENCHMARKS.md "CometBFT's own floor (session 8, H4)").
// The same app object and the same one-at-a-time guarantee as the socket server (abciServer.ts). HTTP/2 is our
// own (h2.ts): node:http2 cost ~3× the CPU per call.
import {
  RequestApplySnapshotChunk,
  RequestCheckTx,
  RequestCommit,
  RequestEcho,
  RequestExtendVote,
  RequestFinalizeBlock,
  RequestFlush,
  RequestInfo,
  RequestInitChain,
  RequestListSnapshots,
  RequestLoadSnapshotChunk,
  RequestOfferSnapshot,
  RequestPrepareProposal,
  RequestProcessProposal,
  RequestQuery,
  RequestVerifyVoteExtension,
  type Request,
  type Response,
} from "cosmjs-types/tendermint/abci/types";
import type { AbciApplication } from "./abciTypes.js";
import { processAbciCpuMeter, requestKind, type AbciCpuMeter } from "./abciCpu.js";
import {
  MAX_ABCI_MESSAGE_BYTES,
  SerialQueue,
  dispatchNow,
  encodeResponse,
  serveConnections,
  type ListeningServer,
} from "./abciServer.js";
import { H2Connection, type H2Headers, type H2Reply } from "./h2.js";
import { encodeHeaders } from "./hpack.js";

/** gRPC status codes (grpc/doc/statuscodes.md). */
export const GrpcStatus = {
  OK: 0,
  INVALID_ARGUMENT: 3,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
} as const;

/** The gRPC length prefix: 1 byte compressed flag + 4 bytes big-endian length (grpc/doc/PROTOCOL-HTTP2.md). */
const GRPC_PREFIX_BYTES = 5;

/** The service's path prefix: package tendermint.abci, service ABCI (proto/tendermint/abci/types.proto). */
const SERVICE_PATH = "/tendermint.abci.ABCI/";

/** A Request arm's message type: what a unary call's body decodes with. */
interface Decoder {
  decode(input: Uint8Array): unknown;
}
/** RPC method name → the Request oneof arm it carries, that arm's decoder, and its one-arm Request. */
interface Method {
  readonly arm: keyof Request;
  readonly type: Decoder;
  readonly wrap: (value: unknown) => Request;
}
const METHODS: ReadonlyMap<string, Method> = new Map(
  (
    [
      ["Echo", "echo", RequestEcho],
      ["Flush", "flush", RequestFlush],
      ["Info", "info", RequestInfo],
      ["CheckTx", "checkTx", RequestCheckTx],
      ["Query", "query", RequestQuery],
      ["Commit", "commit", RequestCommit],
      ["InitChain", "initChain", RequestInitChain],
      ["ListSnapshots", "listSnapshots", RequestListSnapshots],
      ["OfferSnapshot", "offerSnapshot", RequestOfferSnapshot],
      ["LoadSnapshotChunk", "loadSnapshotChunk", RequestLoadSnapshotChunk],
      ["ApplySnapshotChunk", "applySnapshotChunk", RequestApplySnapshotChunk],
      ["PrepareProposal", "prepareProposal", RequestPrepareProposal],
      ["ProcessProposal", "processProposal", RequestProcessProposal],
      ["ExtendVote", "extendVote", RequestExtendVote],
      ["VerifyVoteExtension", "verifyVoteExtension", RequestVerifyVoteExtension],
      ["FinalizeBlock", "finalizeBlock", RequestFinalizeBlock],
    ] as const
  ).map(([name, arm, type]) => [name, { arm, type, wrap: (value: unknown): Request => ({ [arm]: value }) }]),
);

export interface GrpcServerOptions {
  /** Called with a short description when a call or connection breaks or the app throws (never tx contents). */
  onError?: (message: string) => void;
  /** Largest request message accepted (default MAX_ABCI_MESSAGE_BYTES, the socket server's cap). */
  maxMessageBytes?: number;
  /** The serial queue the calls take (default: a new one); as AbciServerOptions.queue. */
  queue?: SerialQueue;
}

const GRPC_HEADERS = [
  [":status", "200"],
  ["content-type", "application/grpc"],
] as const;
/** The header blocks every successful answer repeats, encoded once. */
const OK_HEAD = encodeHeaders(GRPC_HEADERS);
const OK_TRAILERS = encodeHeaders([["grpc-status", "0"]]);
const HTTP_STATUS = (code: number): Uint8Array => encodeHeaders([[":status", String(code)]]);

/** Ends a call with no message: trailers-only (grpc/doc/PROTOCOL-HTTP2.md "Trailers-Only"). */
function endWithStatus(reply: H2Reply, status: number, message: string): void {
  reply.sendHeadersOnly(
    encodeHeaders([
      ...GRPC_HEADERS,
      ["grpc-status", String(status)],
      ["grpc-message", encodeURIComponent(message)],
    ]),
  );
}

/**
 * A one-arm Response's inner message, as a view of encodeResponse's bytes: encodeResponse writes
 * `tag ‖ uvarint(len) ‖ body` (the byte-exact CheckTx / FinalizeBlock encoders included); the tag (one or two
 * bytes) and the length are skipped. The HTTP/2 layer writes the gRPC prefix in front (H2Reply.sendMessage).
 */
export function grpcMessageBody(res: Response): Uint8Array {
  const bytes = encodeResponse(res);
  let i = 0;
  while ((bytes[i]! & 0x80) !== 0) i++;
  i++;
  let len = 0;
  for (let shift = 0; ; shift += 7) {
    const b = bytes[i++]!;
    len += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
  }
  if (i + len !== bytes.length) throw new Error("grpcMessage: not a one-arm Response");
  return bytes.subarray(i);
}

/** grpcMessageBody in its 5-byte gRPC prefix (compressed flag 0, u32 BE length): a unary answer's DATA. */
export function grpcMessage(res: Response): Buffer {
  const body = grpcMessageBody(res);
  const out = Buffer.allocUnsafe(GRPC_PREFIX_BYTES + body.length);
  out[0] = 0;
  out.writeUInt32BE(body.length, 1);
  out.set(body, GRPC_PREFIX_BYTES);
  return out;
}

/** The one request message of a unary call's body, or a gRPC status + reason why not. */
export function parseUnaryBody(body: Uint8Array): Uint8Array | { status: number; message: string } {
  if (body.length < GRPC_PREFIX_BYTES)
    return { status: GrpcStatus.INVALID_ARGUMENT, message: "short message" };
  if (body[0] !== 0) {
    const msg = body[0] === 1 ? "compression not supported" : "bad compressed flag";
    return { status: body[0] === 1 ? GrpcStatus.UNIMPLEMENTED : GrpcStatus.INVALID_ARGUMENT, message: msg };
  }
  const len = (body[1]! * 2 ** 24 + (body[2]! << 16)) | (body[3]! << 8) | body[4]!;
  if (GRPC_PREFIX_BYTES + len !== body.length) {
    return { status: GrpcStatus.INVALID_ARGUMENT, message: "a unary call carries exactly one message" };
  }
  // A plain Uint8Array view (never a Buffer, whose slice/toString differ), as frameReader.ts hands out.
  return new Uint8Array(body.buffer, body.byteOffset + GRPC_PREFIX_BYTES, len);
}

interface Ctx {
  readonly app: AbciApplication;
  readonly queue: SerialQueue;
  readonly meter: AbciCpuMeter;
  readonly opts: GrpcServerOptions;
}

/** What a request's headers resolve to: its method, or the answer that refuses it. */
type Route = Method | ((reply: H2Reply) => void);

/** Checks method, content type and path (the same headers object, reused by h2.ts, resolves once). */
function route(headers: H2Headers): Route {
  const path = headers.get(":path") ?? "";
  if (headers.get(":method") !== "POST")
    return (r) => {
      r.sendHeadersOnly(HTTP_STATUS(405));
    };
  if (!(headers.get("content-type") ?? "").startsWith("application/grpc"))
    return (r) => {
      r.sendHeadersOnly(HTTP_STATUS(415));
    };
  const method = path.startsWith(SERVICE_PATH) ? METHODS.get(path.slice(SERVICE_PATH.length)) : undefined;
  return (
    method ??
    ((r) => {
      endWithStatus(r, GrpcStatus.UNIMPLEMENTED, `unknown method ${path}`);
    })
  );
}

/** The routes of the last header objects seen (h2.ts hands the same object for a repeated block). */
const ROUTES = new WeakMap<H2Headers, Route>();

/** A complete request: routes it, then decodes, queues and answers it. */
function onRequest(headers: H2Headers, body: Uint8Array, reply: H2Reply, ctx: Ctx): void {
  let r = ROUTES.get(headers);
  if (r === undefined) {
    r = route(headers);
    ROUTES.set(headers, r);
  }
  if (typeof r === "function") r(reply);
  else answer(reply, r, body, ctx);
}

function answer(reply: H2Reply, method: Method, body: Uint8Array, ctx: Ctx): void {
  const msg = parseUnaryBody(body);
  if (!(msg instanceof Uint8Array)) {
    endWithStatus(reply, msg.status, msg.message);
    return;
  }
  const meter = ctx.meter;
  const metered = meter.isEnabled; // the meter turns on at a SIGUSR2: one call is measured whole or not at all
  let req: Request;
  try {
    const value = metered
      ? meter.measure("codec.decode", () => method.type.decode(msg))
      : method.type.decode(msg);
    req = method.wrap(value);
  } catch (e) {
    endWithStatus(reply, GrpcStatus.INVALID_ARGUMENT, `malformed ${method.arm}: ${errText(e)}`);
    return;
  }
  const kind = metered ? requestKind(req) : "";
  // As the socket server (session 11): a request that finds the queue idle runs at once, and a synchronous app's
  // answer (ShroudApp's always) is sent in this same call, with no Promise, closure chain or microtask per call;
  // an app method that returns a Promise holds the queue until it settles (SerialQueue.runNow).
  let res: Response | Promise<Response>;
  try {
    res = ctx.queue.runNow(
      metered
        ? () => meter.measureNow(kind, () => dispatchNow(ctx.app, req))
        : () => dispatchNow(ctx.app, req),
    );
  } catch (e) {
    failed(reply, e, ctx);
    return;
  }
  if (isThenable(res)) {
    res.then(
      (r) => {
        sendAnswer(reply, r, kind, ctx);
      },
      (e: unknown) => {
        failed(reply, e, ctx);
      },
    );
  } else sendAnswer(reply, res, kind, ctx);
}

/** An app answer out: its message in a gRPC prefix, between the constant header blocks. */
function sendAnswer(reply: H2Reply, res: Response, kind: string, ctx: Ctx): void {
  let body: Uint8Array;
  try {
    body =
      kind === "" ? grpcMessageBody(res) : ctx.meter.measure(`encode.${kind}`, () => grpcMessageBody(res));
  } catch (e) {
    failed(reply, e, ctx); // an answer that cannot be encoded: the app's bug, as a throw
    return;
  }
  reply.sendMessage(OK_HEAD, body, OK_TRAILERS);
}

/** The socket server's Response.exception: CometBFT stops on any error of a consensus call. */
function failed(reply: H2Reply, e: unknown, ctx: Ctx): void {
  ctx.opts.onError?.(`application error: ${errText(e)}`);
  endWithStatus(reply, GrpcStatus.INTERNAL, errText(e));
}

const isThenable = <T>(v: T | Promise<T>): v is Promise<T> =>
  typeof (v as { then?: unknown } | null)?.then === "function";

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Starts serving `app` over gRPC on `address` (`tcp://host:port`, `host:port` or `unix:///path`). */
export async function startAbciGrpcServer(
  app: AbciApplication,
  address: string,
  opts: GrpcServerOptions = {},
): Promise<ListeningServer> {
  const ctx: Ctx = { app, queue: opts.queue ?? new SerialQueue(), meter: processAbciCpuMeter(), opts };
  const onError = (m: string): void => opts.onError?.(m);
  return serveConnections(address, (socket) => {
    new H2Connection(socket, {
      maxBodyBytes: GRPC_PREFIX_BYTES + (opts.maxMessageBytes ?? MAX_ABCI_MESSAGE_BYTES),
      onRequest: (headers, body, reply) => {
        onRequest(headers, body, reply, ctx);
      },
      onTooLarge: (_headers, reply) => {
        endWithStatus(reply, GrpcStatus.RESOURCE_EXHAUSTED, "ABCI message over the limit");
      },
      onError,
    });
  });
}
