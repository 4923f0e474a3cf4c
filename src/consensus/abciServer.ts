// ABCI 2.0 socket server for CometBFT v0.38 (spec consensus-storage-perf §1.1–1.5): each message is
// uvarint(length) ‖ protobuf tendermint.abci.Request/Response. CometBFT opens four connections (query,
// snapshot, mempool, consensus), pipelines requests and matches answers strictly FIFO, Flush included; an
// exception response halts the node, so we send one only for a broken invariant (the app threw).
// One queue over all connections mirrors the Go server's global mutex: each request finishes before the next.
import "../chain/cosmjsInt64.js"; // before any encode: cosmjs-types writes (u)int64 in [2^31, 2^32) wrongly
import { createServer, type Server, type Socket } from "node:net";
import { BinaryWriter } from "cosmjs-types/binary";
import {
  type Request,
  Response,
  ResponseOfferSnapshot_Result,
  ResponseVerifyVoteExtension_VerifyStatus,
} from "cosmjs-types/tendermint/abci/types";
import type { AbciApplication } from "./abciTypes.js";
import { processAbciCpuMeter, requestKind, type AbciCpuMeter } from "./abciCpu.js";
import { encodeCheckTxResponse, encodeFinalizeBlockResponse, withLengthPrefix } from "./resultsCodec.js";
import { FrameReader, readUvarint } from "./frameReader.js";
import { decodeAbciRequest } from "./requestCodec.js";

/** CometBFT's reader caps a message at math.MaxInt32 (libs/protoio); we cap lower: a block of max size plus slack. */
export const MAX_ABCI_MESSAGE_BYTES = 256 * 1024 * 1024;

export interface AbciServerOptions {
  /** Called with a short description when a connection breaks or the app throws (never with tx contents). */
  onError?: (message: string) => void;
  /**
   * The serial queue the requests take (default: a new one). Given, other work that must not run in the middle
   * of an ABCI call (the app-side mempool's CheckTx, appMempool.ts) takes the same queue.
   */
  queue?: SerialQueue;
}

export { readUvarint };

export function writeUvarint(n: number): Uint8Array {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

export function frame(message: Uint8Array): Uint8Array {
  return withLengthPrefix(message);
}

/**
 * A Response holding the app's complete answer as is, in its one arm. fromPartial would deep-copy it (every tx
 * result, event and attribute of a block) and visit every arm; the app's answers are already whole typed
 * messages that nothing changes afterwards, and a missing arm reads as undefined like an unset one.
 */
function withArm<K extends "checkTx" | "finalizeBlock">(arm: K, value: NonNullable<Response[K]>): Response {
  const res = {} as Response;
  res[arm] = value;
  return res;
}

const isThenable = <T>(v: T | Promise<T>): v is Promise<T> =>
  typeof (v as { then?: unknown } | null)?.then === "function";

/** The app's answer wrapped in its Response arm, at once when the app answered synchronously. */
function then<T>(v: T | Promise<T>, wrap: (v: T) => Response): Response | Promise<Response> {
  return isThenable(v) ? v.then(wrap) : wrap(v);
}

/**
 * Dispatches one request to the app and builds the matching response (same oneof arm): synchronously when the
 * app's method returns a value (ShroudApp's all do), a Promise when it returns one. Throws what the app throws.
 */
export function dispatchNow(app: AbciApplication, req: Request): Response | Promise<Response> {
  // The arms in the order the first version tested them (a frame with several arms set answers the same).
  if (req.echo) return Response.fromPartial({ echo: { message: req.echo.message } });
  if (req.flush) return Response.fromPartial({ flush: {} });
  if (req.info) return then(app.info(req.info), (r) => Response.fromPartial({ info: r }));
  if (req.initChain) return then(app.initChain(req.initChain), (r) => Response.fromPartial({ initChain: r }));
  if (req.query) return then(app.query(req.query), (r) => Response.fromPartial({ query: r }));
  if (req.checkTx) return then(app.checkTx(req.checkTx), (r) => withArm("checkTx", r));
  if (req.prepareProposal) {
    return then(app.prepareProposal(req.prepareProposal), (r) =>
      Response.fromPartial({ prepareProposal: r }),
    );
  }
  if (req.processProposal) {
    return then(app.processProposal(req.processProposal), (r) =>
      Response.fromPartial({ processProposal: r }),
    );
  }
  if (req.finalizeBlock)
    return then(app.finalizeBlock(req.finalizeBlock), (r) => withArm("finalizeBlock", r));
  if (req.commit) return then(app.commit(req.commit), (r) => Response.fromPartial({ commit: r }));
  if (req.listSnapshots) return Response.fromPartial({ listSnapshots: { snapshots: [] } });
  if (req.offerSnapshot) {
    return Response.fromPartial({ offerSnapshot: { result: ResponseOfferSnapshot_Result.REJECT } });
  }
  if (req.loadSnapshotChunk) return Response.fromPartial({ loadSnapshotChunk: { chunk: new Uint8Array() } });
  if (req.applySnapshotChunk) return Response.fromPartial({ applySnapshotChunk: {} });
  if (req.extendVote) return Response.fromPartial({ extendVote: { voteExtension: new Uint8Array() } });
  if (req.verifyVoteExtension) {
    return Response.fromPartial({
      verifyVoteExtension: { status: ResponseVerifyVoteExtension_VerifyStatus.ACCEPT },
    });
  }
  throw new Error("unknown ABCI request");
}

/** dispatchNow as a Promise (an app's throw becomes its rejection). */
export async function dispatch(app: AbciApplication, req: Request): Promise<Response> {
  return dispatchNow(app, req);
}

/**
 * Response bytes. CheckTx's answer (every NEW and RECHECK) and FinalizeBlock's (every tx result and event of the
 * block) go through our own encoders, byte-identical to cosmjs-types (resultsCodec.ts); Response.finalize_block
 * is field 21 (abci/types.proto v0.38).
 */
export function encodeResponse(res: Response): Uint8Array {
  if (res.checkTx !== undefined) return encodeCheckTxResponse(res.checkTx); // withArm: the only arm set
  if (res.finalizeBlock === undefined) return Response.encode(res, BinaryWriter.create()).finish();
  const body = encodeFinalizeBlockResponse(res.finalizeBlock);
  const len = writeUvarint(body.length);
  const out = new Uint8Array(2 + len.length + body.length);
  out[0] = 0xaa; // field 21, wire type 2: the tag varint of 21 << 3 | 2 = 170 takes two bytes
  out[1] = 0x01;
  out.set(len, 2);
  out.set(body, 2 + len.length);
  return out;
}

/** `frame(encodeResponse(res))`; a CheckTx answer is written with its length prefix in one buffer. */
export function encodeFrame(res: Response): Uint8Array {
  return res.checkTx !== undefined ? encodeCheckTxResponse(res.checkTx, true) : frame(encodeResponse(res));
}

/** A serial queue shared by all connections (the Go server's global mutex); the gRPC server uses it too. */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  /** Tasks queued or running (a task counts until the microtask after it settles). */
  private pending = 0;
  private readonly settled = (): void => {
    this.pending--;
  };

  run<T>(task: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(task);
    this.tail = result.then(this.settled, this.settled);
    return result;
  }

  /** Nothing queued or running: a `runNow` task would run at once. */
  get idle(): boolean {
    return this.pending === 0;
  }

  /**
   * Runs `task` at once when nothing is queued or running, else after everything queued (as `run`). A task run at
   * once that returns a Promise holds the queue until it settles; one that returns a value or throws was whole
   * before this returns (a synchronous throw is thrown here, a queued task's becomes the Promise's rejection).
   */
  runNow<T>(task: () => T | Promise<T>): T | Promise<T> {
    if (this.pending !== 0) return this.run(async () => task());
    const r = task();
    if (isThenable(r)) {
      this.pending++;
      this.tail = r.then(this.settled, this.settled);
    }
    return r;
  }
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function handleConnection(
  socket: Socket,
  app: AbciApplication,
  queue: SerialQueue,
  opts: AbciServerOptions,
  meter: AbciCpuMeter,
): void {
  const frames = new FrameReader(MAX_ABCI_MESSAGE_BYTES);
  // Responses must leave in request order; chaining per connection keeps FIFO even with async handlers.
  let outTail: Promise<void> = Promise.resolve();
  /** Answers chained on outTail and not yet handed to send: a synchronous answer may go at once only at 0. */
  let chained = 0;
  // Answers finished in one event-loop turn (a RECHECK burst: every pending tx, then Flush) leave in one write:
  // one syscall and one stream write instead of one per answer. Order is kept (the queue is appended in order).
  let unsent: Uint8Array[] = [];
  const flushNow = (): void => {
    if (unsent.length === 0) return;
    const parts = unsent;
    unsent = [];
    if (!socket.destroyed) {
      meter.measure("write", () => socket.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts)));
    }
  };
  const send = (bytes: Uint8Array): void => {
    unsent.push(bytes);
    if (unsent.length === 1) setImmediate(flushNow); // else a write is already scheduled
  };
  const failed = (e: unknown): Response => {
    const msg = errorText(e);
    opts.onError?.(`application error: ${msg}`);
    return Response.fromPartial({ exception: { error: msg } });
  };
  /** `from`: the meter's reading taken when the answer was made (chained readings), else -1. */
  const reply = (kind: string, res: Response, from = -1): void => {
    if (!socket.destroyed) {
      send(
        kind === ""
          ? encodeFrame(res)
          : meter.measure(`encode.${kind}`, () => encodeFrame(res), from < 0 ? undefined : from),
      );
    }
    // An exception makes the node shut down (onError above), which closes this socket within microtasks:
    // it leaves now, with everything before it, so CometBFT sees it.
    if (res.exception !== undefined) flushNow();
  };
  socket.setNoDelay(true);
  socket.on("data", (chunk: Buffer) => {
    // The meter's last reading when it ended the previous frame's encode (-1: none): a request answered at once
    // is metered on 3–4 shared readings (decode start, decode end = handling start, handling end = encode
    // start, encode end = the next frame's decode start) instead of 6 (each a getrusage syscall).
    let at = -1;
    try {
      for (const body of frames.push(chunk)) {
        // As the gRPC server: with the meter off (a node not under the bench) no closures or slot names per
        // request; a request is measured whole or not at all (kind "" = unmeasured).
        const metered = meter.isEnabled;
        let req: Request;
        if (metered) {
          const t0 = at < 0 ? meter.read() : at;
          req = decodeAbciRequest(body);
          at = meter.charge("codec.decode", t0);
        } else req = decodeAbciRequest(body);
        const kind = metered ? requestKind(req) : "";
        // Chained readings only when the task runs now (the queue idle), not later from a stale reading.
        const from = metered && queue.idle ? at : undefined;
        at = -1;
        // A synchronous app (ShroudApp) answers here, with no Promise per request, when nothing is queued
        // before it: the same order and the same one-at-a-time handling as the queued path.
        let answer: Response | Promise<Response>;
        try {
          answer = queue.runNow(
            metered
              ? () => meter.measureNow(kind, () => dispatchNow(app, req), from)
              : () => dispatchNow(app, req),
          );
        } catch (e) {
          // Answered in order on the chained path, as a queued task's throw is.
          answer = Promise.reject(e instanceof Error ? e : new Error(String(e)));
        }
        if (chained === 0 && !isThenable(answer)) {
          // Answered at once: the meter's last reading ended the handling (measureNow's charge).
          reply(kind, answer, from === undefined ? -1 : meter.last);
          if (from !== undefined) at = meter.last;
          continue;
        }
        chained++;
        const pending = answer;
        outTail = outTail.then(async () => {
          let res: Response;
          try {
            res = await pending;
          } catch (e) {
            res = failed(e);
          }
          chained--;
          reply(kind, res);
        });
      }
    } catch (e) {
      opts.onError?.(`bad ABCI frame: ${e instanceof Error ? e.message : String(e)}`);
      socket.destroy();
    }
  });
  socket.on("error", (e) => opts.onError?.(`ABCI connection error: ${e.message}`));
}

/**
 * Listens on `tcp://host:port`, `host:port` (host defaults to 127.0.0.1) or `unix:///path`; resolves with the TCP
 * port bound (undefined for a unix socket). Shared by the socket and gRPC servers.
 */
export async function listenAddress(server: Server, address: string): Promise<number | undefined> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if (address.startsWith("unix://")) server.listen(address.slice("unix://".length), resolve);
    else {
      const hp = address.replace(/^tcp:\/\//, "");
      const i = hp.lastIndexOf(":");
      server.listen(Number(hp.slice(i + 1)), hp.slice(0, i) || "127.0.0.1", resolve);
    }
  });
  const addr = server.address();
  return typeof addr === "object" && addr ? addr.port : undefined;
}

/** A listening ABCI server: its port (TCP) and a close that also drops open connections. */
export interface ListeningServer {
  readonly server: Server;
  readonly port: number | undefined;
  close(): Promise<void>;
}

/**
 * Creates a server whose connections go to `onConnection`, listens on `address` and returns it with a close
 * that destroys the connections still open (CometBFT keeps its four open for the node's life).
 */
export async function serveConnections(
  address: string,
  onConnection: (socket: Socket) => void,
): Promise<ListeningServer> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    onConnection(s);
  });
  const port = await listenAddress(server, address);
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Starts serving `app` on `address` (`tcp://host:port`, `host:port` or `unix:///path`). */
export async function startAbciServer(
  app: AbciApplication,
  address: string,
  opts: AbciServerOptions = {},
): Promise<ListeningServer> {
  const queue = opts.queue ?? new SerialQueue();
  const meter = processAbciCpuMeter();
  return serveConnections(address, (s) => {
    handleConnection(s, app, queue, opts, meter);
  });
}
