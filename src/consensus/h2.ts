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
  H2Error,
  MAX_FRAME_BYTES,
  MAX_WINDOW,
  PREFACE,
  Setting,
} from "./h2Frames.js";

class ConnectionError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** A finished request: its headers and whole body. */
export interface H2Request {
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Uint8Array;
}

/**
 * How the handler answers a request (exactly once; answers to cancelled streams are dropped). Header blocks come
 * HPACK-encoded (hpack.ts encodeHeaders): a server's answers repeat, so they are encoded once.
 */
export interface H2Reply {
  /** HEADERS (`head`) + DATA (body, if any) + the trailers block with END_STREAM. */
  send(head: Uint8Array, body: Uint8Array, trailers: Uint8Array): void;
  /** One HEADERS frame with END_STREAM (a trailers-only gRPC answer, or a bare HTTP status). */
  sendHeadersOnly(head: Uint8Array): void;
}

export interface H2Options {
  /** A request body above this is answered by `onTooLarge` and its data discarded. */
  readonly maxBodyBytes: number;
  readonly onRequest: (req: H2Request, reply: H2Reply) => void;
  readonly onTooLarge: (headers: ReadonlyMap<string, string>, reply: H2Reply) => void;
  readonly onError: (message: string) => void;
}

interface Stream {
  headers?: Map<string, string>;
  chunks: Uint8Array[];
  size: number;
  /** Body over the limit: data dropped, already answered. */
  dropped: boolean;
  sendWindow: number;
  /** DATA not yet sent for lack of window; then the trailers block. */
  pending?: { data: Uint8Array; trailers: Uint8Array };
}

/** One HTTP/2 connection: call serve(socket). */
export class H2Connection {
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
  private out: Buffer[] = [];
  private closed = false;

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
    try {
      if (!this.prefaceSeen) {
        if (this.buf.length < PREFACE.length) {
          if (!PREFACE.subarray(0, this.buf.length).equals(this.buf))
            throw new ConnectionError(H2Error.PROTOCOL_ERROR, "bad preface");
          return;
        }
        if (!this.buf.subarray(0, PREFACE.length).equals(PREFACE))
          throw new ConnectionError(H2Error.PROTOCOL_ERROR, "not an HTTP/2 client preface");
        this.prefaceSeen = true;
        this.buf = this.buf.subarray(PREFACE.length);
      }
      let off = 0;
      while (this.buf.length - off >= FRAME_HEADER_BYTES) {
        const len = this.buf.readUIntBE(off, 3);
        if (len > MAX_FRAME_BYTES) throw new ConnectionError(H2Error.FRAME_SIZE_ERROR, "frame too large");
        if (this.buf.length - off < FRAME_HEADER_BYTES + len) break;
        const type = this.buf[off + 3]!;
        const flags = this.buf[off + 4]!;
        const stream = this.buf.readUInt32BE(off + 5) & 0x7fffffff;
        const payload = this.buf.subarray(off + FRAME_HEADER_BYTES, off + FRAME_HEADER_BYTES + len);
        off += FRAME_HEADER_BYTES + len;
        this.onFrame(type, flags, stream, payload);
      }
      // Keep the unparsed tail in its own buffer: request bodies hold views of the old one.
      this.buf = off === this.buf.length ? Buffer.alloc(0) : Buffer.from(this.buf.subarray(off));
    } catch (e) {
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
        if ((flags & Flag.ACK) === 0)
          this.queue(frameHeader(8, FrameType.PING, Flag.ACK, 0), Buffer.from(payload));
        return;
      case FrameType.WINDOW_UPDATE:
        this.onWindowUpdate(stream, payload);
        return;
      case FrameType.RST_STREAM:
        this.streams.delete(stream);
        return;
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

  /** Strips padding (PADDED flag) and the priority fields (PRIORITY flag, HEADERS only). */
  private static body(flags: number, payload: Buffer, priority: boolean): Buffer {
    let start = 0;
    let end = payload.length;
    if (flags & Flag.PADDED) {
      if (payload.length < 1) throw new ConnectionError(H2Error.PROTOCOL_ERROR, "bad padding");
      end -= payload[0]!;
      start = 1;
    }
    if (priority && flags & Flag.PRIORITY) start += 5;
    if (end < start) throw new ConnectionError(H2Error.PROTOCOL_ERROR, "bad padding");
    return payload.subarray(start, end);
  }

  private onHeaders(flags: number, stream: number, payload: Buffer): void {
    if (stream === 0 || stream % 2 === 0) throw new ConnectionError(H2Error.PROTOCOL_ERROR, "bad stream id");
    const part = H2Connection.body(flags, payload, true);
    this.continuing = { stream, endStream: (flags & Flag.END_STREAM) !== 0, parts: [part] };
    if (flags & Flag.END_HEADERS) this.endHeaders();
  }

  private onContinuation(flags: number, stream: number, payload: Buffer): void {
    const c = this.continuing;
    if (c === undefined || c.stream !== stream)
      throw new ConnectionError(H2Error.PROTOCOL_ERROR, "unexpected CONTINUATION");
    c.parts.push(payload);
    if (c.parts.reduce((n, p) => n + p.length, 0) > 256 * 1024)
      throw new ConnectionError(H2Error.PROTOCOL_ERROR, "header block too large");
    if (flags & Flag.END_HEADERS) this.endHeaders();
  }

  /** A complete header block: a new request, or trailers of one in progress (which end it). */
  private endHeaders(): void {
    const c = this.continuing!;
    this.continuing = undefined;
    const fields: HeaderList = this.decoder.decode(
      c.parts.length === 1 ? c.parts[0]! : Buffer.concat(c.parts),
    );
    const existing = this.streams.get(c.stream);
    if (existing !== undefined) {
      if (!c.endStream) throw new ConnectionError(H2Error.PROTOCOL_ERROR, "trailers without END_STREAM");
      this.finish(c.stream, existing);
      return;
    }
    if (c.stream <= this.lastStreamId) {
      // A closed stream: the peer reused an id (protocol error) — or this stream was reset by us.
      throw new ConnectionError(H2Error.PROTOCOL_ERROR, "stream id not increasing");
    }
    this.lastStreamId = c.stream;
    const headers = new Map<string, string>();
    for (const [n, v] of fields) if (!headers.has(n)) headers.set(n, v);
    const s: Stream = { headers, chunks: [], size: 0, dropped: false, sendWindow: this.peerInitialWindow };
    this.streams.set(c.stream, s);
    if (c.endStream) this.finish(c.stream, s);
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
    const data = H2Connection.body(flags, payload, false);
    if (!s.dropped) {
      s.size += data.length;
      if (s.size > this.opts.maxBodyBytes) {
        s.dropped = true;
        s.chunks = [];
        this.opts.onTooLarge(s.headers!, this.replyFor(stream));
      } else s.chunks.push(data);
    }
    if (flags & Flag.END_STREAM) this.finish(stream, s);
  }

  /** The request is complete (END_STREAM): hand it over, unless it was already answered. */
  private finish(id: number, s: Stream): void {
    if (s.dropped) {
      if (s.pending === undefined) this.streams.delete(id);
      return;
    }
    const body = s.chunks.length === 1 ? s.chunks[0]! : Buffer.concat(s.chunks);
    s.chunks = [];
    this.opts.onRequest({ headers: s.headers!, body }, this.replyFor(id));
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

  private replyFor(id: number): H2Reply {
    return new StreamReply(this, id);
  }

  /** Whether stream `id` can still be answered (not reset, not answered, connection open). For StreamReply. */
  isOpen(id: number): boolean {
    return !this.closed && this.streams.has(id);
  }

  /** HEADERS, then DATA and trailers as the windows allow. For StreamReply (once per stream). */
  answer(id: number, head: Uint8Array, body: Uint8Array, trailers: Uint8Array): void {
    const s = this.streams.get(id)!;
    this.queue(frameHeader(head.length, FrameType.HEADERS, Flag.END_HEADERS, id), head);
    s.pending = { data: body, trailers };
    this.sendPending(id, s);
  }

  /** One HEADERS frame ending the stream. For StreamReply (once per stream). */
  answerHeadersOnly(id: number, head: Uint8Array): void {
    this.queue(frameHeader(head.length, FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, id), head);
    this.closeStream(id);
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
    delete s.pending;
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

  /** Frames finished in one event-loop turn leave in one write (as the socket server's answers do). */
  private queue(...parts: Uint8Array[]): void {
    if (this.closed) return;
    for (const p of parts) this.out.push(p as Buffer);
    if (this.out.length === parts.length)
      setImmediate(() => {
        this.flush();
      });
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

/** The answer handle of one stream: the first call wins, later ones and answers to reset streams are dropped. */
class StreamReply implements H2Reply {
  private answered = false;

  constructor(
    private readonly conn: H2Connection,
    private readonly id: number,
  ) {}

  private take(): boolean {
    if (this.answered || !this.conn.isOpen(this.id)) return false;
    this.answered = true;
    return true;
  }

  send(head: Uint8Array, body: Uint8Array, trailers: Uint8Array): void {
    if (this.take()) this.conn.answer(this.id, head, body, trailers);
  }

  sendHeadersOnly(head: Uint8Array): void {
    if (this.take()) this.conn.answerHeadersOnly(this.id, head);
  }
}
