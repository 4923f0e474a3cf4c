// One parsed REST request as handlers see it: validated path parameters, the raw query string, the body (POST)
// and the height asked for with `x-cosmos-block-height` (undefined = latest).
import type { RestBackend } from "./backend.js";
import { badRequest } from "./errors.js";
import type { ArgValue } from "./params.js";

export interface RestRequest {
  readonly params: ReadonlyMap<string, ArgValue>;
  readonly query: URLSearchParams;
  readonly body: Uint8Array | undefined;
  readonly height: bigint | undefined;
  readonly backend: RestBackend;
}

export type RestHandler = (req: RestRequest) => unknown;

/** The POST body as a JSON object; anything else is a 400. */
export function jsonBody(req: RestRequest): Record<string, unknown> {
  if (req.body === undefined || req.body.length === 0) throw badRequest("empty request body");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(req.body);
  } catch {
    throw badRequest("request body is not valid UTF-8");
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw badRequest("request body is not valid JSON");
  }
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw badRequest("request body must be a JSON object");
  return v as Record<string, unknown>;
}

/** A string path parameter the router already validated. */
export function strParam(req: RestRequest, name: string): string {
  const v = req.params.get(name);
  if (typeof v !== "string") throw new Error(`route: parameter ${name} missing`);
  return v;
}

export function u64Param(req: RestRequest, name: string): bigint {
  const v = req.params.get(name);
  if (typeof v !== "bigint") throw new Error(`route: parameter ${name} missing`);
  return v;
}
