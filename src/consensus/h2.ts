// The server side of HTTP/2 (RFC 9113) that unary gRPC needs, over a plain socket: prior-knowledge h2c, one
// request body per stream, answers as HEADERS + DATA + trailers. Written for the ABCI gRPC server because
// node:http2 cost ~100 µs of CPU per call (a Duplex stream and header objects per call), 3× the socket server's
// per-tx cost (docs/BENCHMARKS.md "gRPC ABCI transport (session 9, G1)"). No server push, no priorities, no
// compression; every connection or protocol error ends the connection with GOAWAY.
import type { Socket } from "node:net";
import { HpackDecoder, HpackError, type HeaderList } from "./hpack.js";
import {
  DEFAULT_WINDOW,
  Flag,
  FRAME_HEADER_BYTES,
  FrameType,
  frameHeader,
  putFrameHeader,
  ConnectionError,
  EMPTY,
  frameBody,
  sameBytes,
  H2Error,
  MAX_FRAME_BYTES,
  MAX_WINDOW,
  PREFACE,
  Setting,
} from "./h2Frames.js";
import { Stream, type H2Headers, type H2Options, type StreamOwner } from "./h2Stream.js";

export type { H2Headers, H2Options, H2Reply } from "./h2Stream.js";

/** The gRPC length prefix: compressed flag + u32 BE length (grpc/doc/PROTOCOL-HTTP2.md). */
const GRPC_PREFIX_BYTES = 5;

/** `0 ‖ u32 BE length ‖ message` in one buffer. */
function withGrpcPrefix(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(GRPC_PREFIX_BYTES + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  out.set(message, GRPC_PREFIX_BYTES);
  return out;
}

/** An empty read buffer (shared: never written). */
const NO_BYTES = Buffer.alloc(0);

/** A header block at most this long is kept for reuse (grpc-go's indexed request blocks are ~7 bytes). */
const REUSE_BLOCK_BYTES = 64;

/** One HTTP/2 connection: call serve(socket). */
export class H2Connection implements StreamOwner {
  private readonly decoder = new HpackDecoder();
  private readonly streams = new Map<number, Stream>();
  private buf: Buffer = Buffer.alloc(0);
  private prefaceSeen = false;
  private lastStreamId = 0;
  /** A header block in progress (HEADERS without END_HEADERS, then CONTINUATION). */
  private continuing: { stream: number; endStream: boolean; parts: Buffer[] } | undefined;
  private sendConnWindow = DEFAULT_WINDOW;
  private peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxFrame = MAX_FRAME_BYTES;
  private consumed = 0;
  private out: Uint8Array[] = [];
  private closed = false;
  /** Requests handed over and not answered yet: at 0, answers leave at once (see answered()). */
  private unanswered = 0;
  /** Inside onData: answers given meanwhile leave together at its end, not one write each. */
  private inRead = false;
  /** A setImmediate flush is scheduled (at most one at a time). */
  private flushScheduled = false;
  private readonly flushSoon = (): void => {
    this.flushScheduled = false;
    this.flush();
  };
  /** The last reusable header block (a copy), the table version it decoded under, and its headers. */
  private lastBlock: Uint8Array | undefined;
  private lastVersion = -1;
  private lastHeaders: H2Headers | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly opts: H2Options,
  ) {
    socket.setNoDelay(true);
    // Our SETTINGS: the largest stream window (a request body never waits for WINDOW_UPDATE), then the same for
    // the connection window, topped up as bodies are consumed.
    const settings = Buffer.allocUnsafe(6);
    settings.writeUInt16BE(Setting.INITIAL_WINDOW_SIZE, 0);
    settings.writeUInt32BE(MAX_WINDOW, 2);
    this.queue(frameHeader(6, FrameType.SETTINGS, 0, 0), settings);
    this.windowUpdate(0, MAX_WINDOW - DEFAULT_WINDOW);
    socket.on("data", (chunk: Buffer) => {
      this.onData(chunk);
    });
    socket.on("error", (e) => {
      opts.onError(`ABCI gRPC connection error: ${e.message}`);
    });
    socket.on("close", () => {
      this.closed = true;
      this.streams.clear();
    });
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    this.inRead = true;
    try {
      if (!this.prefaceSeen) {
        if (this.buf.length < PREFACE.length) {
          if (!PREFACE.subarray(0, this.buf.length).equals(this.buf))
            throw new ConnectionError(H2Error.PROTOCOL_ERROR, "bad preface");
          this.inRead = false;
          return;
        }
        if (!this.buf.subarray(0, PREFACE.length).equals(PREFACE))
          throw new ConnectionError(H2Error.PROTOCOL_ERROR, "not an HTTP/2 client preface");
        this.prefaceSeen = true;
        this.buf = this.buf.subarray(PREFACE.length);
      }
      let off = 0;
      while (this.buf.length - off >= FRAME_HEADER_BYTES) {
        const b = this.buf;
        const len = (b[off]! << 16) | (b[off + 1]! << 8) | b[off + 2]!;
        if (len > MAX_FRAME_BYTES) throw new ConnectionError(H2Error.FRAME_SIZE_ERROR, "frame too large");
        if (this.buf.length - off < FRAME_HEADER_BYTES + len) break;
        const type = b[off + 3]!;
        const flags = b[off + 4]!;
        const stream = ((b[off + 5]! & 0x7f) << 24) | (b[off + 6]! << 16) | (b[off + 7]! << 8) | b[off + 8]!;
        const payload = b.subarray(off + FRAME_HEADER_BYTES, off + FRAME_HEADER_BYTES + len);
        off += FRAME_HEADER_BYTES + len;
        this.onFrame(type, flags, stream, payload);
      }
      // Keep the unparsed tail in its own buffer: request bodies hold views of the old one.
      this.buf = off === this.buf.length ? NO_BYTES : Buffer.from(this.buf.subarray(off));
      this.inRead = false;
      // What this read's frames queued (answers of a synchronous app, PING and SETTINGS acks, WINDOW_UPDATEs)
      // leaves in one write now when no request waits for its answer, else with the next answer or this turn's
      // setImmediate.
      if (this.out.length > 0) {
        if (this.unanswered === 0) this.flush();
        else this.scheduleFlush();
      }
    } catch (e) {
      this.inRead = false;
      const code =
        e instanceof ConnectionError
          ? e.code
          : e instanceof HpackError
            ? H2Error.COMPRESSION_ERROR
            : H2Error.PROTOCOL_ERROR;
      this.fail(code, e instanceof Error ? e.message : String(e));
    }
  }

  private onFrame(type: number, flags: number, stream: number, payload: Buffer): void {
    if (this.continuing !== undefined && type !== FrameType.CONTINUATION)
      throw new ConnectionError(H2Error.PROTOCOL_ERROR, "expected CONTINUATION");
    switch (type) {
      case FrameType.DATA:
        this.onDataFrame(flags, stream, payload);
        return;
      case FrameType.HEADERS:
        this.onHeaders(flags, stream, payload);
        return;
      case FrameType.CONTINUATION:
        this.onContinuation(flags, stream, payload);
        return;
      case FrameType.SETTINGS:
        this.onSettings(flags, stream, payload);
        return;
      case FrameType.PING:
        if (stream !== 0 || payload.length !== 8)
          throw new ConnectionError(H2Error.PROTOCOL_ERROR, "bad PING");
        if ((flags & Flag.ACK) === 0) {
          const ack = Buffer.allocUnsafe(FRAME_HEADER_BYTES + 8);
          putFrameHeader(ack, 0, 8, FrameType.PING, Flag.ACK, 0);
          ack.set(payload, FRAME_HEADER_BYTES);
          this.queue(ack);
        }
        return;
      case FrameType.WINDOW_UPDATE:
        this.onWindowUpdate(stream, payload);
        return;
      case FrameType.RST_STREAM: {
        const s = this.streams.get(stream);
        this.streams.delete(stream);
        if (s !== undefined) {
          s.answered = true; // the handler's answer, when it comes, is dropped
          this.answered(s);
        }
        return;
      }
      case FrameType.GOAWAY:
        this.flush();
        this.socket.end();
        return;
      case FrameType.PUSH_PROMISE:
        throw new ConnectionError(H2Error.PROTOCOL_ERROR, "PUSH_PROMISE from a client");
      default:
        return; // PRIORITY and unknown frame types are ignored (RFC 9113 §5.5)
    }
  }

  private onHeaders(flags: number, stream: number, payload: Buffer): void {
    if (stream === 0 || stream % 2 === 0) throw new ConnectionError(H2Error.PROTOCOL_ERROR, "bad stream id");
    const part = frameBody(flags, payload, true);
    const endStream = (flags & Flag.END_STREAM) !== 0;
    if (flags & Flag.END_HEADERS) this.endHeaders(stream, endStream, part);
    else this.continuing = { stream, endStream, parts: [part] };
  }

  private onContinuation(flags: number, stream: number, payload: Buffer): void {
    const c = this.continuing;
    if (c === undefined || c.stream !== stream)
      throw new ConnectionError(H2Error.PROTOCOL_ERROR, "unexpected CONTINUATION");
    c.parts.push(payload);
    if (c.parts.reduce((n, p) => n + p.length, 0) > 256 * 1024)
      throw new ConnectionError(H2Error.PROTOCOL_ERROR, "header block too large");
    if (flags & Flag.END_HEADERS) {
      this.continuing = undefined;
      this.endHeaders(c.stream, c.endStream, Buffer.concat(c.parts));
    }
  }

  /** A complete header block: a new request, or trailers of one in progress (which end it). */
  private endHeaders(id: number, endStream: boolean, block: Uint8Array): void {
    const headers = this.decodeBlock(block);
    const existing = this.streams.get(id);
    if (existing !== undefined) {
      if (!endStream) throw new ConnectionError(H2Error.PROTOCOL_ERROR, "trailers without END_STREAM");
      this.finish(existing);
      return;
    }
    if (id <= this.lastStreamId) {
      // A closed stream: the peer reused an id (protocol error) — or this stream was reset by us.
      throw new ConnectionError(H2Error.PROTOCOL_ERROR, "stream id not increasing");
    }
    this.lastStreamId = id;
    const s = new Stream(this, id, headers, this.peerInitialWindow);
    this.streams.set(id, s);
    if (endStream) this.finish(s);
  }

  /**
   * Decodes a header block (the first of repeated fields wins), or reuses the last result: an identical block
   * decodes to the same fields while the dynamic table is as that decoding left it, if it did not change it.
   */
  private decodeBlock(block: Uint8Array): H2Headers {
    const last = this.lastBlock;
    if (last !== undefined && this.decoder.version === this.lastVersion && sameBytes(block, last))
      return this.lastHeaders!;
    const before = this.decoder.version;
    const fields: HeaderList = this.decoder.decode(block);
    const headers = new Map<string, string>();
    for (const [n, v] of fields) if (!headers.has(n)) headers.set(n, v);
    if (this.decoder.version === before && block.length <= REUSE_BLOCK_BYTES) {
      this.lastBlock = Uint8Array.from(block);
      this.lastVersion = before;
      this.lastHeaders = headers;
    }
    return headers;
  }

  private onDataFrame(flags: number, stream: number, payload: Buffer): void {
    this.consumed += payload.length;
    if (this.consumed >= MAX_WINDOW / 2) {
      this.windowUpdate(0, this.consumed); // keep the connection window open
      this.consumed = 0;
    }
    const s = this.streams.get(stream);
    if (s === undefined) {
      if (stream === 0 || stream > this.lastStreamId)
        throw new ConnectionError(H2Error.PROTOCOL_ERROR, "DATA on an idle stream");
      return; // a stream we reset or answered early: its data is discarded
    }
    const data = frameBody(flags, payload, false);
    if (!s.dropped) {
      s.size += data.length;
      if (s.size > this.opts.maxBodyBytes) {
        s.dropped = true;
        s.body = undefined;
        s.more = undefined;
        this.opts.onTooLarge(s.headers, s);
      } else if (s.body === undefined) s.body = data;
      else (s.more ??= []).push(data);
    }
    if (flags & Flag.END_STREAM) this.finish(s);
  }

  /** The request is complete (END_STREAM): hand it over, unless it was already answered. */
  private finish(s: Stream): void {
    if (s.dropped) {
      if (s.pending === undefined) this.streams.delete(s.id);
      return;
    }
    const first = s.body ?? EMPTY;
    const body = s.more === undefined ? first : Buffer.concat([first, ...s.more]);
    s.body = undefined;
    s.more = undefined;
    s.handed = true;
    this.unanswered++;
    this.opts.onRequest(s.headers, body, s);
  }

  private onSettings(flags: number, stream: number, payload: Buffer): void {
    if (stream !== 0 || payload.length % 6 !== 0)
      throw new ConnectionError(H2Error.PROTOCOL_ERROR, "bad SETTINGS");
    if (flags & Flag.ACK) return;
    for (let i = 0; i < payload.length; i += 6) {
      const id = payload.readUInt16BE(i);
      const v = payload.readUInt32BE(i + 2);
      if (id === Setting.INITIAL_WINDOW_SIZE) {
        if (v > MAX_WINDOW) throw new ConnectionError(H2Error.FLOW_CONTROL_ERROR, "window too large");
        for (const s of this.streams.values()) s.sendWindow += v - this.peerInitialWindow;
        this.peerInitialWindow = v;
      } else if (id === Setting.MAX_FRAME_SIZE) {
        if (v < MAX_FRAME_BYTES || v > 2 ** 24 - 1)
          throw new ConnectionError(H2Error.PROTOCOL_ERROR, "bad MAX_FRAME_SIZE");
        this.peerMaxFrame = v;
      }
      // HEADER_TABLE_SIZE bounds the peer's decoder: we never index, so any size is fine. Others: ignored.
    }
    this.queue(frameHeader(0, FrameType.SETTINGS, Flag.ACK, 0));
    this.drainPending();
  }

  private onWindowUpdate(stream: number, payload: Buffer): void {
    if (payload.length !== 4) throw new ConnectionError(H2Error.FRAME_SIZE_ERROR, "bad WINDOW_UPDATE");
    const inc = payload.readUInt32BE(0) & 0x7fffffff;
    if (stream === 0) this.sendConnWindow += inc;
    else {
      const s = this.streams.get(stream);
      if (s !== undefined) s.sendWindow += inc;
    }
    this.drainPending();
  }

  /** Whether stream `s` can still be answered (not reset, not answered, connection open). For Stream. */
  isOpen(s: Stream): boolean {
    return !this.closed && this.streams.get(s.id) === s;
  }

  /**
   * HEADERS, then DATA and trailers as the windows allow. For Stream (once per stream). A body within one frame
   * and the windows (every ABCI answer but multi-MiB ones) leaves as one buffer: three frames, one allocation.
   * `grpcPrefix`: the body is one gRPC message, sent after its 5-byte prefix (flag 0, u32 BE length).
   */
  answer(s: Stream, head: Uint8Array, body: Uint8Array, trailers: Uint8Array, grpcPrefix: boolean): void {
    const pre = grpcPrefix ? GRPC_PREFIX_BYTES : 0;
    const n = pre + body.length;
    if (n > this.peerMaxFrame || n > this.sendConnWindow || n > s.sendWindow) {
      this.queue(frameHeader(head.length, FrameType.HEADERS, Flag.END_HEADERS, s.id), head);
      s.pending = { data: grpcPrefix ? withGrpcPrefix(body) : body, trailers };
      this.sendPending(s.id, s);
      this.answered(s);
      return;
    }
    const out = Buffer.allocUnsafe(3 * FRAME_HEADER_BYTES + head.length + n + trailers.length);
    let o = putFrameHeader(out, 0, head.length, FrameType.HEADERS, Flag.END_HEADERS, s.id);
    out.set(head, o);
    o += head.length;
    if (n > 0) {
      o = putFrameHeader(out, o, n, FrameType.DATA, 0, s.id);
      if (grpcPrefix) {
        out[o] = 0;
        out.writeUInt32BE(body.length, o + 1);
        o += GRPC_PREFIX_BYTES;
      }
      out.set(body, o);
      o += body.length;
      this.sendConnWindow -= n;
      s.sendWindow -= n;
    }
    o = putFrameHeader(out, o, trailers.length, FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, s.id);
    out.set(trailers, o);
    this.queue(out);
    this.closeStream(s.id);
    this.answered(s);
  }

  /**
   * When no handed-over request waits for its answer any more, what is queued leaves now rather than at the
   * turn's setImmediate: CometBFT's gRPC client waits for each answer (RECHECK one tx at a time), and answers
   * finishing together in one turn (concurrent CheckTx NEWs) still leave in one write with the last of them.
   */
  private answered(s: Stream): void {
    if (!s.handed) return;
    s.handed = false;
    if (--this.unanswered === 0 && !this.inRead) this.flush();
  }

  /** One HEADERS frame ending the stream. For Stream (once per stream). */
  answerHeadersOnly(s: Stream, head: Uint8Array): void {
    const flags = Flag.END_HEADERS | Flag.END_STREAM;
    this.queue(frameHeader(head.length, FrameType.HEADERS, flags, s.id), head);
    this.closeStream(s.id);
    this.answered(s);
  }

  /** Sends as much of a stream's answer as the windows allow; the trailers once the data is all out. */
  private sendPending(id: number, s: Stream): void {
    const p = s.pending!;
    while (p.data.length > 0) {
      const n = Math.min(p.data.length, this.peerMaxFrame, this.sendConnWindow, s.sendWindow);
      if (n <= 0) return; // wait for WINDOW_UPDATE
      this.queue(frameHeader(n, FrameType.DATA, 0, id), p.data.subarray(0, n));
      p.data = p.data.subarray(n);
      this.sendConnWindow -= n;
      s.sendWindow -= n;
    }
    const t = p.trailers;
    this.queue(frameHeader(t.length, FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, id), t);
    s.pending = undefined;
    this.closeStream(id);
  }

  private drainPending(): void {
    for (const [id, s] of this.streams) if (s.pending !== undefined) this.sendPending(id, s);
  }

  /** Our side is done: forget the stream unless the client is still sending its body (then DATA is dropped). */
  private closeStream(id: number): void {
    const s = this.streams.get(id);
    if (s === undefined) return;
    s.dropped = true;
    this.streams.delete(id);
  }

  private windowUpdate(stream: number, inc: number): void {
    const p = Buffer.allocUnsafe(4);
    p.writeUInt32BE(inc, 0);
    this.queue(frameHeader(4, FrameType.WINDOW_UPDATE, 0, stream), p);
  }

  /**
   * Frames finished in one event-loop turn leave in one write (as the socket server's answers do): at the end of
   * onData, when the last awaited answer is given, or at the turn's setImmediate (scheduled only for frames
   * queued outside onData: none per call with a synchronous app).
   */
  private queue(a: Uint8Array, b?: Uint8Array): void {
    if (this.closed) return;
    this.out.push(a);
    if (b !== undefined) this.out.push(b);
    if (!this.inRead) this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.flushSoon);
  }

  private flush(): void {
    if (this.out.length === 0 || this.closed || this.socket.destroyed) return;
    const parts = this.out;
    this.out = [];
    this.socket.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
  }

  private fail(code: number, message: string): void {
    this.opts.onError(`ABCI gRPC connection error: ${message}`);
    const p = Buffer.allocUnsafe(8);
    p.writeUInt32BE(this.lastStreamId, 0);
    p.writeUInt32BE(code, 4);
    this.queue(frameHeader(8, FrameType.GOAWAY, 0, 0), p);
    this.flush();
    this.closed = true;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}
