// HTTP/2 (RFC 9113) wire constants, the 9-byte frame header and small frame helpers, for h2.ts (the ABCI gRPC
// server's HTTP/2).
/** RFC 9113 §3.4: the client's connection preface. */
export const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");
export const FRAME_HEADER_BYTES = 9;
/** RFC 9113 §6.5.2 default SETTINGS_MAX_FRAME_SIZE, which we keep: frames above it are a FRAME_SIZE_ERROR. */
export const MAX_FRAME_BYTES = 16_384;
export const DEFAULT_WINDOW = 65_535;
/** The largest flow-control window (RFC 9113 §6.9.1). */
export const MAX_WINDOW = 2 ** 31 - 1;

export const FrameType = {
  DATA: 0,
  HEADERS: 1,
  PRIORITY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PUSH_PROMISE: 5,
  PING: 6,
  GOAWAY: 7,
  WINDOW_UPDATE: 8,
  CONTINUATION: 9,
} as const;
export const Flag = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;
export const Setting = { HEADER_TABLE_SIZE: 1, INITIAL_WINDOW_SIZE: 4, MAX_FRAME_SIZE: 5 } as const;
/** RFC 9113 §7 error codes we send. */
export const H2Error = {
  NO_ERROR: 0,
  PROTOCOL_ERROR: 1,
  FLOW_CONTROL_ERROR: 3,
  FRAME_SIZE_ERROR: 6,
  CANCEL: 8,
  COMPRESSION_ERROR: 9,
} as const;

/** Writes a frame header into `out` at `off` (RFC 9113 §4.1); returns the offset after it. */
export function putFrameHeader(
  out: Uint8Array,
  off: number,
  len: number,
  type: number,
  flags: number,
  stream: number,
): number {
  out[off] = len >>> 16;
  out[off + 1] = (len >>> 8) & 0xff;
  out[off + 2] = len & 0xff;
  out[off + 3] = type;
  out[off + 4] = flags;
  out[off + 5] = (stream >>> 24) & 0x7f;
  out[off + 6] = (stream >>> 16) & 0xff;
  out[off + 7] = (stream >>> 8) & 0xff;
  out[off + 8] = stream & 0xff;
  return off + FRAME_HEADER_BYTES;
}

/** A frame header: 24-bit length, type, flags, 31-bit stream id (RFC 9113 §4.1). */
export function frameHeader(len: number, type: number, flags: number, stream: number): Buffer {
  const h = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  h.writeUIntBE(len, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(stream, 5);
  return h;
}

/** A connection error: h2.ts answers it with GOAWAY(code) and closes the connection. */
export class ConnectionError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** A frame's content without padding (PADDED flag) and, for HEADERS, the priority fields (PRIORITY flag). */
export function frameBody(flags: number, payload: Buffer, priority: boolean): Buffer {
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

export const EMPTY = new Uint8Array(0);

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
