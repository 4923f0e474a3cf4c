// An 18-decimal fixed-point number in bigint with the rounding rules of cosmossdk.io/math LegacyDec (the SDK's
// `sdk.Dec`): shares, rates, fractions and reward ratios. Never floats (house rule).

/** LegacyDec precision: 18 decimal places (cosmossdk.io/math dec.go LegacyPrecision). */
export const DEC_PRECISION = 18;
const ONE_RAW = 10n ** 18n;
const HALF = ONE_RAW / 2n;
const DEC_STR_RE = /^(-?)([0-9]+)(?:\.([0-9]{1,18}))?$/;
const ATOMICS_RE = /^-?[0-9]+$/;

/** Banker's rounding of a / ONE_RAW (SDK chopPrecisionAndRound: half to even). */
function chopRound(v: bigint): bigint {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const q = a / ONE_RAW;
  const r = a % ONE_RAW;
  let out = q;
  if (r > HALF || (r === HALF && q % 2n === 1n)) out = q + 1n;
  return neg ? -out : out;
}

/** Division rounded half to even (SDK Quo). */
function divRound(num: bigint, den: bigint): bigint {
  const neg = num < 0n !== den < 0n;
  const n = num < 0n ? -num : num;
  const d = den < 0n ? -den : den;
  const q = n / d;
  const r2 = (n % d) * 2n;
  const out = r2 > d || (r2 === d && q % 2n === 1n) ? q + 1n : q;
  return neg ? -out : out;
}

export class Dec {
  /** The value times 10^18. */
  private constructor(readonly raw: bigint) {}

  static readonly ZERO = new Dec(0n);
  static readonly ONE = new Dec(ONE_RAW);

  static fromRaw(raw: bigint): Dec {
    return new Dec(raw);
  }

  static fromInt(i: bigint): Dec {
    return new Dec(i * ONE_RAW);
  }

  /** Parses "0.05", "1", "-2.5" (SDK LegacyNewDecFromStr); throws RangeError on anything else. */
  static fromString(s: string): Dec {
    const m = DEC_STR_RE.exec(s);
    if (m === null) throw new RangeError(`invalid decimal: ${s}`);
    const frac = (m[3] ?? "").padEnd(DEC_PRECISION, "0");
    const v = BigInt(m[2]!) * ONE_RAW + BigInt(frac === "" ? "0" : frac);
    return new Dec(m[1] === "-" ? -v : v);
  }

  /** Parses the proto (gogoproto customtype) form: the integer atomics; "" is zero (secretjs sends "" for 0). */
  static fromAtomics(s: string): Dec {
    if (s === "") return Dec.ZERO;
    if (!ATOMICS_RE.test(s) || s.length > 100) throw new RangeError(`invalid decimal atomics: ${s}`);
    return new Dec(BigInt(s));
  }

  /** p / q as a Dec rounded half to even. */
  static ratio(p: bigint, q: bigint): Dec {
    return new Dec(divRound(p * ONE_RAW, q));
  }

  add(o: Dec): Dec {
    return new Dec(this.raw + o.raw);
  }

  sub(o: Dec): Dec {
    return new Dec(this.raw - o.raw);
  }

  neg(): Dec {
    return new Dec(-this.raw);
  }

  /** SDK Mul: rounded half to even. */
  mul(o: Dec): Dec {
    return new Dec(chopRound(this.raw * o.raw));
  }

  /** SDK MulTruncate. */
  mulTruncate(o: Dec): Dec {
    return new Dec((this.raw * o.raw) / ONE_RAW);
  }

  mulInt(i: bigint): Dec {
    return new Dec(this.raw * i);
  }

  /** SDK Quo: rounded half to even. */
  quo(o: Dec): Dec {
    if (o.raw === 0n) throw new RangeError("division by zero");
    return new Dec(divRound(this.raw * ONE_RAW, o.raw));
  }

  /** SDK QuoTruncate. */
  quoTruncate(o: Dec): Dec {
    if (o.raw === 0n) throw new RangeError("division by zero");
    return new Dec((this.raw * ONE_RAW) / o.raw);
  }

  /** SDK QuoRoundUp (for positive operands). */
  quoRoundUp(o: Dec): Dec {
    if (o.raw === 0n) throw new RangeError("division by zero");
    const n = this.raw * ONE_RAW;
    const q = n / o.raw;
    return new Dec(n % o.raw === 0n ? q : q + 1n);
  }

  quoInt(i: bigint): Dec {
    return new Dec(this.raw / i);
  }

  /** Integer part, toward zero (SDK TruncateInt). */
  truncateInt(): bigint {
    return this.raw / ONE_RAW;
  }

  /** Rounded half to even (SDK RoundInt). */
  roundInt(): bigint {
    return chopRound(this.raw);
  }

  /** Smallest integer >= value (SDK Ceil().TruncateInt() for positive values). */
  ceilInt(): bigint {
    const q = this.raw / ONE_RAW;
    return this.raw > 0n && this.raw % ONE_RAW !== 0n ? q + 1n : q;
  }

  cmp(o: Dec): number {
    return this.raw < o.raw ? -1 : this.raw > o.raw ? 1 : 0;
  }

  lt(o: Dec): boolean {
    return this.raw < o.raw;
  }

  gt(o: Dec): boolean {
    return this.raw > o.raw;
  }

  lte(o: Dec): boolean {
    return this.raw <= o.raw;
  }

  gte(o: Dec): boolean {
    return this.raw >= o.raw;
  }

  eq(o: Dec): boolean {
    return this.raw === o.raw;
  }

  isZero(): boolean {
    return this.raw === 0n;
  }

  isNegative(): boolean {
    return this.raw < 0n;
  }

  isPositive(): boolean {
    return this.raw > 0n;
  }

  static min(a: Dec, b: Dec): Dec {
    return a.lt(b) ? a : b;
  }

  static max(a: Dec, b: Dec): Dec {
    return a.gt(b) ? a : b;
  }

  /** SDK String(): always 18 decimals, e.g. "0.050000000000000000" (the REST/JSON form). */
  toString(): string {
    const neg = this.raw < 0n;
    const a = neg ? -this.raw : this.raw;
    const s = `${a / ONE_RAW}.${(a % ONE_RAW).toString().padStart(DEC_PRECISION, "0")}`;
    return neg ? `-${s}` : s;
  }

  /** The proto (atomics) form. */
  toAtomics(): string {
    return this.raw.toString();
  }
}

/** A coin with a decimal amount (SDK DecCoin), for reward accounting. */
export interface DecCoin {
  readonly denom: string;
  readonly amount: Dec;
}

/** Sorted merge-add of DecCoin lists; zero entries dropped. */
export function addDecCoins(...lists: readonly (readonly DecCoin[])[]): DecCoin[] {
  const sums = new Map<string, Dec>();
  for (const l of lists) for (const c of l) sums.set(c.denom, (sums.get(c.denom) ?? Dec.ZERO).add(c.amount));
  return [...sums.keys()]
    .sort()
    .map((denom) => ({ denom, amount: sums.get(denom)! }))
    .filter((c) => !c.amount.isZero());
}

/** a − b per denom (may go negative; callers check). */
export function subDecCoins(a: readonly DecCoin[], b: readonly DecCoin[]): DecCoin[] {
  return addDecCoins(
    a,
    b.map((c) => ({ denom: c.denom, amount: c.amount.neg() })),
  );
}

/** Splits DecCoins into whole coins (truncated) and the decimal change (SDK TruncateDecimal). */
export function truncateDecCoins(cs: readonly DecCoin[]): [{ denom: string; amount: bigint }[], DecCoin[]] {
  const whole: { denom: string; amount: bigint }[] = [];
  const change: DecCoin[] = [];
  for (const c of cs) {
    const t = c.amount.truncateInt();
    if (t > 0n) whole.push({ denom: c.denom, amount: t });
    const rest = c.amount.sub(Dec.fromInt(t));
    if (!rest.isZero()) change.push({ denom: c.denom, amount: rest });
  }
  return [whole, change];
}

/** "1.5uscrt,2.0uatom" in the SDK DecCoins.String() form. */
export function decCoinsToString(cs: readonly DecCoin[]): string {
  return cs.map((c) => `${c.amount.toString()}${c.denom}`).join(",");
}
