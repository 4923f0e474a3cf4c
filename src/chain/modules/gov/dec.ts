// LegacyDec arithmetic (cosmossdk.io/math legacy_dec.go) on bigint: 18 decimal places, banker's rounding on
// Mul/Quo. Tally results must match the SDK to the last unit, so this reproduces its rounding, not plain math.
import { ChainError, UndefinedErrors } from "../../errors.js";

/** LegacyPrecision = 18: a Dec is an integer count of 10^-18. */
export const DEC_PRECISION = 18;
export const DEC_ONE = 10n ** 18n;
const HALF = DEC_ONE / 2n;
/** cosmossdk.io/math maxDecBitLen = 256 + 60 (maxBitLen + decimal headroom). */
const MAX_DEC_BITS = 316;
const DEC_RE = /^(-?)(\d*)(?:\.(\d+))?$/;

/** A LegacyDec: `raw` is the value × 10^18. */
export type Dec = bigint;

/** LegacyNewDecFromStr: optional "-", digits, optional "." and at most 18 decimals; returns undefined if bad. */
export function tryParseDec(s: string): Dec | undefined {
  if (s.length === 0 || s.length > 200) return undefined;
  const m = DEC_RE.exec(s);
  if (m === null) return undefined;
  const int = m[2] ?? "";
  const frac = m[3] ?? "";
  if (int.length + frac.length === 0 || (s.includes(".") && frac.length === 0)) return undefined;
  if (frac.length > DEC_PRECISION) return undefined;
  const v = BigInt((int === "" ? "0" : int) + frac.padEnd(DEC_PRECISION, "0"));
  if (v.toString(2).length > MAX_DEC_BITS) return undefined;
  return m[1] === "-" ? -v : v;
}

/** Parses a Dec or throws ChainError(undefined 1) naming `field` (SDK returns a plain, unregistered error). */
export function parseDec(s: string, field: string): Dec {
  const d = tryParseDec(s);
  if (d === undefined) throw new ChainError(UndefinedErrors.Internal, `invalid decimal ${field}: '${s}'`);
  return d;
}

/** LegacyDec.String(): always 18 decimals ("0.500000000000000000"). */
export function formatDec(d: Dec): string {
  const neg = d < 0n;
  const abs = neg ? -d : d;
  const s = abs.toString().padStart(DEC_PRECISION + 1, "0");
  const cut = s.length - DEC_PRECISION;
  return `${neg ? "-" : ""}${s.slice(0, cut)}.${s.slice(cut)}`;
}

/** chopPrecisionAndRound: divide by 10^18, round half to even (sign-symmetric). */
function chopRound(x: bigint): bigint {
  if (x < 0n) return -chopRound(-x);
  const q = x / DEC_ONE;
  const r = x % DEC_ONE;
  if (r < HALF) return q;
  if (r > HALF) return q + 1n;
  return q % 2n === 0n ? q : q + 1n;
}

export function decFromInt(i: bigint): Dec {
  return i * DEC_ONE;
}

/** LegacyDec.Mul (banker's rounding). */
export function decMul(a: Dec, b: Dec): Dec {
  return chopRound(a * b);
}

/** LegacyDec.MulInt (exact). */
export function decMulInt(a: Dec, i: bigint): Dec {
  return a * i;
}

/** LegacyDec.Quo: a·10^36 / b truncated, then chopped with banker's rounding. Division by zero is a bug. */
export function decQuo(a: Dec, b: Dec): Dec {
  if (b === 0n) throw new RangeError("decimal division by zero");
  return chopRound((a * DEC_ONE * DEC_ONE) / b);
}

/** LegacyDec.TruncateInt: toward zero. */
export function decTruncate(a: Dec): bigint {
  return a / DEC_ONE;
}

/** LegacyDec.RoundInt: banker's rounding to an integer. */
export function decRoundInt(a: Dec): bigint {
  return chopRound(a);
}
