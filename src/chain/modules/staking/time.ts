// Block-time rendering for events and JSON without reading the clock (the time is always the block's).

/** Go time.RFC3339 (whole seconds, "Z"), as the SDK renders completion_time in events. */
export function rfc3339Seconds(ns: bigint): string {
  return `${new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19)}Z`;
}

/** protojson Timestamp: RFC 3339 with 0, 3, 6 or 9 fractional digits. */
export function rfc3339Json(ns: bigint): string {
  const base = new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19);
  const n = ns % 1_000_000_000n;
  if (n === 0n) return `${base}Z`;
  let frac = n.toString().padStart(9, "0");
  while (frac.length > 3 && frac.endsWith("000")) frac = frac.slice(0, -3);
  return `${base}.${frac}Z`;
}

/** google.protobuf.Timestamp fields. */
export function nsToTimestamp(ns: bigint): { seconds: bigint; nanos: number } {
  return { seconds: ns / 1_000_000_000n, nanos: Number(ns % 1_000_000_000n) };
}
