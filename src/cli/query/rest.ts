// The one transport of `shroud query`: a GET on the node's REST (LCD) server, its JSON answer, and every failure
// turned into a one-line CliError (unreachable node, the node's own error message, a non-JSON answer).
import { CliError } from "../common.js";

/** How long one query may take before the CLI gives up (a node answers module queries in milliseconds). */
export const QUERY_TIMEOUT_MS = 30_000;

/** Query-string values; undefined entries are left out. */
export type QueryParams = Readonly<Record<string, string | undefined>>;

/** `node` + `path` + the defined `params`, encoded as the gateway expects. */
export function restUrl(node: string, path: string, params: QueryParams = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  const qs = q.toString();
  return `${node.replace(/\/+$/, "")}${path}${qs === "" ? "" : `?${qs}`}`;
}

/** The innermost cause of a fetch failure (`connect ECONNREFUSED …`, `getaddrinfo ENOTFOUND …`). */
function causeOf(e: unknown): string {
  let c: unknown = e;
  while (c instanceof Error && c.cause !== undefined) c = c.cause;
  const m = c instanceof Error ? c.message : String(c);
  // Some fetch implementations wrap the socket error as "request to URL failed, reason: …".
  return /reason: (.*)$/.exec(m)?.[1] ?? m;
}

/**
 * GETs `path` on `node` (at `height` when given) and returns the parsed JSON body; throws CliError with one
 * readable line otherwise.
 */
export async function restGet(
  node: string,
  path: string,
  params: QueryParams = {},
  height?: string,
): Promise<unknown> {
  const url = restUrl(node, path, params);
  // The gateway's way to query state at a height (spec secretjs-compat §1: x-cosmos-block-height).
  const headers: Record<string, string> = height === undefined ? {} : { "x-cosmos-block-height": height };
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(QUERY_TIMEOUT_MS) });
  } catch (e) {
    if (e instanceof DOMException && e.name === "TimeoutError") {
      throw new CliError(`the node at ${node} did not answer within ${QUERY_TIMEOUT_MS / 1000} s`);
    }
    throw new CliError(`cannot reach the node at ${node} (${causeOf(e)}); is it running? (--node <url>)`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new CliError(
      `unexpected answer from ${node} (HTTP ${res.status}, not JSON): is --node a REST server?`,
    );
  }
  if (!res.ok) {
    const message = (body as { message?: unknown } | null)?.message;
    throw new CliError(typeof message === "string" && message !== "" ? message : `HTTP ${res.status}`);
  }
  return body;
}
