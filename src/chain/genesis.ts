// The genesis document (CometBFT genesis.json with an SDK-like `app_state`): parsing, validation with clear
// errors (a dry run of every module's InitGenesis on a throwaway store), and export of the state at a height.
import { utf8 } from "../util/bytes.js";

/** CometBFT types.MaxChainIDLen. */
export const MAX_CHAIN_ID_LENGTH = 50;

export interface GenesisDoc {
  /** RFC 3339 UTC with up to 9 fraction digits, e.g. "2026-11-26T00:00:00Z". */
  readonly genesis_time: string;
  readonly chain_id: string;
  /** Decimal string, ≥ 1. */
  readonly initial_height: string;
  readonly consensus_params?: unknown;
  readonly app_hash: string;
  readonly app_state: Record<string, unknown>;
}

/** A genesis that cannot be loaded; the message names the field. */
export class GenesisError extends Error {
  override readonly name = "GenesisError";
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Parses RFC 3339 UTC ("Z") into ns since the epoch, without reading a clock. */
export function parseRfc3339Ns(s: string): bigint {
  const m = RFC3339.exec(s);
  if (m === null)
    throw new GenesisError(
      `genesis_time: expected RFC 3339 UTC like 2026-01-01T00:00:00Z, got ${JSON.stringify(s)}`,
    );
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) {
    throw new GenesisError(`genesis_time: out of range: ${s}`);
  }
  const secs = BigInt(daysFromCivil(y, mo, d)) * 86400n + BigInt(h * 3600 + mi * 60 + se);
  return secs * 1_000_000_000n + BigInt((m[7] ?? "").padEnd(9, "0"));
}

/** ns since the epoch → RFC 3339 UTC (for export and the dev genesis). */
export function formatRfc3339Ns(ns: bigint): string {
  const secs = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, "0").replace(/0+$/, "");
  let days = Number(secs / 86400n);
  const rem = Number(secs % 86400n);
  // civil_from_days (Hinnant)
  days += 719468;
  const era = Math.floor(days / 146097);
  const doe = days - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const mo = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (mo <= 2 ? 1 : 0);
  const p2 = (n: number) => String(n).padStart(2, "0");
  const time = `${p2(Math.floor(rem / 3600))}:${p2(Math.floor((rem % 3600) / 60))}:${p2(rem % 60)}`;
  return `${String(y).padStart(4, "0")}-${p2(mo)}-${p2(d)}T${time}${frac === "" ? "" : "." + frac}Z`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `app_state` bytes (InitChain's app_state_bytes) → the JSON object; a clear error otherwise. */
export function parseAppState(bytes: Uint8Array): Record<string, unknown> {
  if (bytes.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(utf8.decode(bytes));
  } catch {
    throw new GenesisError("app_state: not valid UTF-8 JSON");
  }
  if (!isObject(v)) throw new GenesisError("app_state: must be a JSON object");
  return v;
}

/** Parses and checks the document's own fields; module sections are checked by `validateGenesis`. */
export function parseGenesisDoc(text: string): GenesisDoc {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new GenesisError("genesis: not valid JSON");
  }
  if (!isObject(v)) throw new GenesisError("genesis: must be a JSON object");
  const chainId = v.chain_id;
  if (typeof chainId !== "string" || chainId.length === 0 || chainId.length > MAX_CHAIN_ID_LENGTH) {
    throw new GenesisError(
      `chain_id: must be a non-empty string of at most ${MAX_CHAIN_ID_LENGTH} characters`,
    );
  }
  if (typeof v.genesis_time !== "string") throw new GenesisError("genesis_time: must be a string");
  parseRfc3339Ns(v.genesis_time);
  const ih = v.initial_height ?? "1";
  if (typeof ih !== "string" || !/^[1-9][0-9]{0,15}$/.test(ih)) {
    throw new GenesisError("initial_height: must be a positive integer string");
  }
  const appHash = v.app_hash ?? "";
  if (typeof appHash !== "string") throw new GenesisError("app_hash: must be a string");
  if (!isObject(v.app_state)) throw new GenesisError("app_state: must be a JSON object");
  return {
    genesis_time: v.genesis_time,
    chain_id: chainId,
    initial_height: ih,
    ...(v.consensus_params === undefined ? {} : { consensus_params: v.consensus_params }),
    app_hash: appHash,
    app_state: v.app_state,
  };
}
