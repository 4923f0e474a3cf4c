// Named assertions for REST path and query parameters (DESIGN rule 9): each kind is checked before any
// handler runs and a failure is a 400 naming the parameter. Handlers then read typed values from QueryArgs.
import { ChainError } from "../../chain/errors.js";
import { BECH32_PREFIX, fromBech32 } from "../../chain/address.js";
import { isValidDenom } from "../../chain/tx/coins.js";
import { fromBase64, fromHex, InvalidInputError } from "../../util/bytes.js";
import { badRequest } from "./errors.js";

/** Bech32 prefixes of validator operator and consensus addresses (SDK Bech32PrefixValAddr/ConsAddr for "secret"). */
export const VALOPER_PREFIX = `${BECH32_PREFIX}valoper`;
export const VALCONS_PREFIX = `${BECH32_PREFIX}valcons`;
/** Largest uint64 (protobuf uint64 fields). */
const MAX_U64 = (1n << 64n) - 1n;
/** Longest free-text parameter (labels, names); Secret labels are far shorter, this only bounds the work. */
const MAX_TEXT_CHARS = 1024;
/** Longest base64 parameter: a smart query is an encrypted JSON message; 1 MiB of base64 is generous. */
const MAX_BASE64_CHARS = 1024 * 1024;

export type ParamKind =
  | "acc" // bech32 account or contract address, prefix "secret"
  | "val" // bech32 validator operator address, prefix "secretvaloper"
  | "cons" // bech32 consensus address, prefix "secretvalcons"
  | "u64" // decimal uint64
  | "denom" // SDK coin denom
  | "b64" // bytes: standard or URL-safe base64 (grpc-gateway runtime.Bytes)
  | "key32" // 32 bytes: 64 hex chars or base64
  | "hash" // 32-byte hash as 64 hex chars (either case)
  | "text" // any non-empty string up to MAX_TEXT_CHARS
  | "bool"; // "true" | "false"

export type ArgValue = string | bigint | Uint8Array | boolean;

/** Parses one parameter; throws a 400 RestError naming `name`. */
export function parseParam(kind: ParamKind, name: string, raw: string): ArgValue {
  switch (kind) {
    case "acc":
      return bech32Param(name, raw, BECH32_PREFIX);
    case "val":
      return bech32Param(name, raw, VALOPER_PREFIX);
    case "cons":
      return bech32Param(name, raw, VALCONS_PREFIX);
    case "u64":
      return parseU64(name, raw);
    case "denom":
      if (!isValidDenom(raw)) throw badRequest(`${name}: invalid denom ${clip(raw)}`);
      return raw;
    case "b64":
      return parseBase64(name, raw);
    case "key32":
      return parseKey32(name, raw);
    case "hash":
      if (!/^[0-9a-fA-F]{64}$/.test(raw)) throw badRequest(`${name}: expected a 64-hex-char hash`);
      return raw.toUpperCase();
    case "text":
      if (raw.length === 0 || raw.length > MAX_TEXT_CHARS) {
        throw badRequest(`${name}: expected 1..${MAX_TEXT_CHARS} characters`);
      }
      return raw;
    case "bool":
      if (raw !== "true" && raw !== "false") throw badRequest(`${name}: expected true or false`);
      return raw === "true";
  }
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

function bech32Param(name: string, raw: string, prefix: string): string {
  try {
    fromBech32(raw, name, prefix);
  } catch (e) {
    const why = e instanceof ChainError ? e.message : "invalid address";
    throw badRequest(`${name}: ${clip(why)}`);
  }
  return raw;
}

/** Decimal uint64 without sign, spaces or leading "+" (Go strconv.ParseUint base 10). */
export function parseU64(name: string, raw: string): bigint {
  if (!/^\d{1,20}$/.test(raw)) throw badRequest(`${name}: expected an unsigned integer, got ${clip(raw)}`);
  const v = BigInt(raw);
  if (v > MAX_U64) throw badRequest(`${name}: ${raw} overflows uint64`);
  return v;
}

/** Standard or URL-safe base64 (grpc-gateway tries both). A space is taken as an unescaped "+" in a URL. */
export function parseBase64(name: string, raw: string): Uint8Array {
  if (raw.length > MAX_BASE64_CHARS) throw badRequest(`${name}: longer than ${MAX_BASE64_CHARS} characters`);
  const std = raw.replace(/ /g, "+").replace(/-/g, "+").replace(/_/g, "/");
  const padded = std.length % 4 === 0 ? std : std + "=".repeat(4 - (std.length % 4));
  try {
    return fromBase64(padded, name);
  } catch (e) {
    if (e instanceof InvalidInputError) throw badRequest(`${name}: invalid base64`);
    throw e;
  }
}

function parseKey32(name: string, raw: string): Uint8Array {
  if (/^[0-9a-fA-F]{64}$/.test(raw)) return fromHex(raw.toLowerCase(), name);
  const b = parseBase64(name, raw);
  if (b.length !== 32) throw badRequest(`${name}: expected 32 bytes, got ${b.length}`);
  return b;
}

/** cosmos.base.query.v1beta1.PageRequest as the gateway parses `pagination.*`. */
export interface PageRequest {
  readonly key: Uint8Array | undefined;
  readonly offset: bigint;
  readonly limit: bigint;
  readonly countTotal: boolean;
  readonly reverse: boolean;
}

/** Validated arguments of one request. A getter for a missing required value is a route-table bug (500). */
export class QueryArgs {
  constructor(
    private readonly values: ReadonlyMap<string, ArgValue>,
    readonly pagination?: PageRequest,
  ) {}

  has(name: string): boolean {
    return this.values.has(name);
  }

  private get(name: string): ArgValue {
    const v = this.values.get(name);
    if (v === undefined) throw new Error(`route table: argument ${name} missing`);
    return v;
  }

  str(name: string): string {
    const v = this.get(name);
    if (typeof v !== "string") throw new Error(`route table: argument ${name} is not a string`);
    return v;
  }

  optStr(name: string): string | undefined {
    return this.values.has(name) ? this.str(name) : undefined;
  }

  u64(name: string): bigint {
    const v = this.get(name);
    if (typeof v !== "bigint") throw new Error(`route table: argument ${name} is not a number`);
    return v;
  }

  optU64(name: string): bigint | undefined {
    return this.values.has(name) ? this.u64(name) : undefined;
  }

  bytes(name: string): Uint8Array {
    const v = this.get(name);
    if (!(v instanceof Uint8Array)) throw new Error(`route table: argument ${name} is not bytes`);
    return v;
  }

  optBool(name: string): boolean | undefined {
    if (!this.values.has(name)) return undefined;
    const v = this.get(name);
    if (typeof v !== "boolean") throw new Error(`route table: argument ${name} is not a boolean`);
    return v;
  }
}

/** Reads `pagination.key|offset|limit|count_total|reverse` from a query string. */
export function parsePagination(q: URLSearchParams): PageRequest {
  const opt = (n: string): string | undefined => {
    const v = q.get(n);
    return v === null || v === "" ? undefined : v;
  };
  const key = opt("pagination.key");
  const offset = opt("pagination.offset");
  const limit = opt("pagination.limit");
  const count = opt("pagination.count_total");
  const reverse = opt("pagination.reverse");
  return {
    key: key === undefined ? undefined : parseBase64("pagination.key", key),
    offset: offset === undefined ? 0n : parseU64("pagination.offset", offset),
    limit: limit === undefined ? 0n : parseU64("pagination.limit", limit),
    countTotal: count === undefined ? false : parseParam("bool", "pagination.count_total", count) === true,
    reverse: reverse === undefined ? false : parseParam("bool", "pagination.reverse", reverse) === true,
  };
}
