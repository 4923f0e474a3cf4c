// HTTP/2 streams of the ABCI gRPC server (h2.ts): the handler-facing types and one stream's state — the request
// body being received, then the answer handle whose first call wins.
/**
 * A request's headers. Read-only and possibly shared: grpc-go sends the same fully indexed header block for
 * every call of a method, and those decode once per connection (HpackDecoder.version).
 */
export type H2Headers = ReadonlyMap<string, string>;

/**
 * How the handler answers a request (exactly once; answers to cancelled streams are dropped). Header blocks come
 * HPACK-encoded (hpack.ts encodeHeaders): a server's answers repeat, so they are encoded once.
 */
export interface H2Reply {
  /** HEADERS (`head`) + DATA (body, if any) + the trailers block with END_STREAM. */
  send(head: Uint8Array, body: Uint8Array, trailers: Uint8Array): void;
  /**
   * `send` with the body `0 ‖ u32 BE length ‖ message`: one gRPC message, its 5-byte prefix written into the
   * answer's buffer (no copy of the message into a prefixed buffer first).
   */
  sendMessage(head: Uint8Array, message: Uint8Array, trailers: Uint8Array): void;
  /** One HEADERS frame with END_STREAM (a trailers-only gRPC answer, or a bare HTTP status). */
  sendHeadersOnly(head: Uint8Array): void;
}

export interface H2Options {
  /** A request body above this is answered by `onTooLarge` and its data discarded. */
  readonly maxBodyBytes: number;
  /** A complete request: its headers and whole body. */
  readonly onRequest: (headers: H2Headers, body: Uint8Array, reply: H2Reply) => void;
  readonly onTooLarge: (headers: H2Headers, reply: H2Reply) => void;
  readonly onError: (message: string) => void;
}

/** What a Stream needs of its connection (h2.ts H2Connection). */
export interface StreamOwner {
  isOpen(s: Stream): boolean;
  answer(s: Stream, head: Uint8Array, body: Uint8Array, trailers: Uint8Array, grpcPrefix: boolean): void;
  answerHeadersOnly(s: Stream, head: Uint8Array): void;
}

/** One stream: the request being received, then its answer handle (the first answer wins). */
export class Stream implements H2Reply {
  /** The first DATA chunk; `more` holds the rest when the body came in several frames. */
  body: Uint8Array | undefined = undefined;
  more: Uint8Array[] | undefined = undefined;
  size = 0;
  /** Body over the limit: data dropped, already answered. */
  dropped = false;
  /** Answered (or reset by the peer): later answers are dropped. */
  answered = false;
  /** Handed to onRequest: its answer is one the connection waits for (H2Connection.unanswered). */
  handed = false;
  /** DATA not yet sent for lack of window; then the trailers block. */
  pending: { data: Uint8Array; trailers: Uint8Array } | undefined = undefined;

  constructor(
    private readonly conn: StreamOwner,
    readonly id: number,
    readonly headers: H2Headers,
    public sendWindow: number,
  ) {}

  private take(): boolean {
    if (this.answered || !this.conn.isOpen(this)) return false;
    this.answered = true;
    return true;
  }

  send(head: Uint8Array, body: Uint8Array, trailers: Uint8Array): void {
    if (this.take()) this.conn.answer(this, head, body, trailers, false);
  }

  sendMessage(head: Uint8Array, message: Uint8Array, trailers: Uint8Array): void {
    if (this.take()) this.conn.answer(this, head, message, trailers, true);
  }

  sendHeadersOnly(head: Uint8Array): void {
    if (this.take()) this.conn.answerHeadersOnly(this, head);
  }
}
