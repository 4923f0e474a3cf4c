// Block time helpers: CometBFT carries time as google.protobuf.Timestamp; the engine keeps nanoseconds (bigint).
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";

export function nsToTimestamp(ns: bigint): Timestamp {
  return { seconds: ns / 1_000_000_000n, nanos: Number(ns % 1_000_000_000n) };
}

export function timestampToNs(t: Timestamp): bigint {
  return t.seconds * 1_000_000_000n + BigInt(t.nanos);
}

/** RFC 3339 with nanoseconds, as CometBFT's JSON renders times ("2026-11-26T05:52:53.123456789Z"). */
export function nsToRfc3339(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const base = new Date(Number(ms)).toISOString().slice(0, 19);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, "0").replace(/0+$/, "");
  return `${base}${frac ? "." + frac : ""}Z`;
}
