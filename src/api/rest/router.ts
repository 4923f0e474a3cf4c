// A small path router for the LCD: patterns like `/cosmos/bank/v1beta1/balances/{address:acc}/by_denom` whose
// `{name:kind}` segments are validated by params.ts; `{name:kind*}` takes the rest of the path (denoms with "/").
// Paths are normalised first (repeated slashes collapsed, trailing slash dropped: spec secretjs-compat §1).
import { badRequest, Grpc, RestError } from "./errors.js";
import { parseParam, type ArgValue, type ParamKind } from "./params.js";

export type HttpMethod = "GET" | "POST";

type Segment = { literal: string } | { name: string; kind: ParamKind; rest: boolean };

export interface Route<H> {
  readonly method: HttpMethod;
  readonly pattern: string;
  readonly segments: readonly Segment[];
  readonly literals: number;
  readonly handler: H;
}

const PARAM_SEGMENT = /^\{([a-z_]+):([a-z0-9]+)(\*?)\}$/;

export function compileRoute<H>(method: HttpMethod, pattern: string, handler: H): Route<H> {
  const segments = splitPath(pattern).map((s): Segment => {
    const m = PARAM_SEGMENT.exec(s);
    if (!m) return { literal: s };
    return { name: m[1]!, kind: m[2]! as ParamKind, rest: m[3] === "*" };
  });
  const literals = segments.filter((s) => "literal" in s).length;
  return { method, pattern, segments, literals, handler };
}

/** `//a///b/` → ["a", "b"]. */
export function splitPath(path: string): string[] {
  return path.split("/").filter((s) => s.length > 0);
}

export function normalisePath(path: string): string {
  return "/" + splitPath(path).join("/");
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw badRequest("malformed percent-encoding in the path");
  }
}

/** Whether the literal segments line up (parameters are checked afterwards, so a bad value is a 400, not a 404). */
function shapeMatches(route: Route<unknown>, parts: readonly string[]): boolean {
  const last = route.segments[route.segments.length - 1];
  const rest = last !== undefined && "rest" in last && last.rest;
  if (rest ? parts.length < route.segments.length : parts.length !== route.segments.length) return false;
  return route.segments.every((seg, i) => !("literal" in seg) || seg.literal === parts[i]);
}

export interface Match<H> {
  readonly route: Route<H>;
  readonly params: Map<string, ArgValue>;
}

export class Router<H> {
  private readonly routes: Route<H>[] = [];
  /** Routes without a `*` segment by segment count, and those with one: a request scans only its candidates. */
  private readonly bySize = new Map<number, Route<H>[]>();
  private readonly restRoutes: Route<H>[] = [];
  private readonly order = new Map<Route<H>, number>();

  add(method: HttpMethod, pattern: string, handler: H): this {
    const route = compileRoute(method, pattern, handler);
    this.order.set(route, this.routes.length);
    this.routes.push(route);
    const last = route.segments[route.segments.length - 1];
    if (last !== undefined && "rest" in last && last.rest) this.restRoutes.push(route);
    else {
      const list = this.bySize.get(route.segments.length) ?? [];
      list.push(route);
      this.bySize.set(route.segments.length, list);
    }
    return this;
  }

  /** The routes whose shape fits `parts`, in the order they were added (ties go to the first added). */
  private candidates(parts: readonly string[]): Route<H>[] {
    const sized = (this.bySize.get(parts.length) ?? []).filter((r) => shapeMatches(r, parts));
    const rest = this.restRoutes.filter((r) => shapeMatches(r, parts));
    if (rest.length === 0) return sized;
    return [...sized, ...rest].sort((a, b) => (this.order.get(a) ?? 0) - (this.order.get(b) ?? 0));
  }

  /** Finds the most specific route (most literal segments) and parses its path parameters. */
  match(method: string, path: string): Match<H> {
    const parts = splitPath(path);
    const shaped = this.candidates(parts);
    if (shaped.length === 0) throw new RestError(Grpc.NotFound, "Not Found");
    const same = shaped.filter((r) => r.method === method);
    if (same.length === 0) throw new RestError(Grpc.Unimplemented, "Method Not Allowed", 405);
    const route = same.reduce((best, r) => (r.literals > best.literals ? r : best));
    return { route, params: parsePathParams(route, parts) };
  }

  get size(): number {
    return this.routes.length;
  }
}

function parsePathParams(route: Route<unknown>, parts: readonly string[]): Map<string, ArgValue> {
  const params = new Map<string, ArgValue>();
  route.segments.forEach((seg, i) => {
    if ("literal" in seg) return;
    const raw = seg.rest ? parts.slice(i).map(decodeSegment).join("/") : decodeSegment(parts[i] ?? "");
    params.set(seg.name, parseParam(seg.kind, seg.name, raw));
  });
  return params;
}
