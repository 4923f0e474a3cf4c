// REST failures: every non-2xx answer is grpc-gateway's error JSON `{code, message, details: []}` (spec
// secretjs-compat §1: secretjs throws the parsed body and reads `.message`), with the HTTP status grpc-gateway
// derives from the gRPC code. Internal failures never carry a stack trace or a cause.
import { QueryError } from "../../chain/errors.js";

/** gRPC status codes (google.golang.org/grpc/codes). */
export const Grpc = {
  Unknown: 2,
  InvalidArgument: 3,
  NotFound: 5,
  ResourceExhausted: 8,
  FailedPrecondition: 9,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
} as const;

/** grpc-gateway v2 runtime.HTTPStatusFromCode. */
const HTTP_OF_GRPC: Readonly<Record<number, number>> = {
  0: 200,
  1: 499,
  2: 500,
  3: 400,
  4: 504,
  5: 404,
  6: 409,
  7: 403,
  8: 429,
  9: 400,
  10: 409,
  11: 400,
  12: 501,
  13: 500,
  14: 503,
  15: 500,
  16: 401,
};

export function httpStatusOf(grpcCode: number): number {
  return HTTP_OF_GRPC[grpcCode] ?? 500;
}

/** A REST failure: gRPC code, message safe to show, and the HTTP status (derived unless given). */
export class RestError extends Error {
  override readonly name = "RestError";
  readonly httpStatus: number;
  constructor(
    readonly grpcCode: number,
    message: string,
    httpStatus?: number,
  ) {
    super(message);
    this.httpStatus = httpStatus ?? httpStatusOf(grpcCode);
  }
}

export const badRequest = (message: string): RestError => new RestError(Grpc.InvalidArgument, message);
export const notFound = (message: string): RestError => new RestError(Grpc.NotFound, message);

export interface ErrorBody {
  code: number;
  message: string;
  details: never[];
}

/**
 * Longest message of our own errors (they may quote user input). Handler errors (QueryError) are never cut: an
 * encrypted contract error (`encrypted: <b64>: query contract failed`) must reach secretjs whole to decrypt.
 */
const MAX_MESSAGE_CHARS = 65_536;

/** Maps anything thrown while serving to a status and body. Unknown exceptions become a bare 500. */
export function toErrorReply(e: unknown): { status: number; body: ErrorBody } {
  if (e instanceof RestError) {
    const m = e.message.length > MAX_MESSAGE_CHARS ? `${e.message.slice(0, MAX_MESSAGE_CHARS)}…` : e.message;
    return reply(e.httpStatus, e.grpcCode, m);
  }
  if (e instanceof QueryError) return reply(httpStatusOf(e.grpcCode), e.grpcCode, e.message);
  return reply(500, Grpc.Internal, "internal error");
}

function reply(status: number, code: number, message: string): { status: number; body: ErrorBody } {
  return { status, body: { code, message, details: [] } };
}
