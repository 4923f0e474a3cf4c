// Coins as the chain handles them: denom + bigint amount, validated and kept sorted by denom (SDK sdk.Coins).
// Amounts never touch floating point (house rule); arithmetic refuses to go negative.
import { ChainError, SdkErrors } from "../errors.js";

export interface Coin {
  readonly denom: string;
  readonly amount: bigint;
}

/** Wire form (proto/JSON): amount as a decimal string. */
export interface CoinWire {
  readonly denom: string;
  readonly amount: string;
}

/** cosmos-sdk types/coin.go reDnmString: `[a-zA-Z][a-zA-Z0-9/:._-]{2,127}`. */
const DENOM_RE = /^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/;
/** math.Int is capped at 256 bits (cosmossdk.io/math MaxBitLen). */
export const MAX_AMOUNT = (1n << 256n) - 1n;
const AMOUNT_RE = /^[0-9]{1,78}$/;

export function isValidDenom(denom: string): boolean {
  return DENOM_RE.test(denom);
}

/** Validates a denom; throws ChainError(sdk 10 invalid coins). */
export function assertDenom(denom: unknown, field = "denom"): string {
  if (typeof denom !== "string" || !DENOM_RE.test(denom)) {
    throw new ChainError(SdkErrors.InvalidCoins, `invalid denom in ${field}: ${String(denom)}`);
  }
  return denom;
}

/** Parses a wire amount: decimal digits only, at most 256 bits. */
export function parseAmount(s: unknown, field = "amount"): bigint {
  if (typeof s !== "string" || !AMOUNT_RE.test(s)) {
    throw new ChainError(SdkErrors.InvalidCoins, `invalid amount in ${field}: ${String(s)}`);
  }
  const v = BigInt(s);
  if (v > MAX_AMOUNT) throw new ChainError(SdkErrors.InvalidCoins, `amount out of range in ${field}`);
  return v;
}

export function parseCoin(c: CoinWire, field = "coin"): Coin {
  return { denom: assertDenom(c.denom, field), amount: parseAmount(c.amount, field) };
}

/**
 * Parses a coin list and enforces sdk.Coins.Validate: sorted by denom, no duplicates, every amount positive.
 * An empty list is valid (zero coins).
 */
export function parseCoins(list: readonly CoinWire[], field = "coins"): Coin[] {
  const out = list.map((c) => parseCoin(c, field));
  for (let i = 0; i < out.length; i++) {
    const c = out[i]!;
    if (c.amount <= 0n)
      throw new ChainError(SdkErrors.InvalidCoins, `coin ${c.amount}${c.denom} amount is not positive`);
    const prev = out[i - 1];
    if (prev !== undefined && !(prev.denom < c.denom)) {
      const why = prev.denom === c.denom ? "duplicate denomination" : "denomination is not sorted";
      throw new ChainError(SdkErrors.InvalidCoins, `${why} ${c.denom} in ${field}`);
    }
  }
  return out;
}

/** sdk.Coins.String(): "10uscrt,5stake" (coins already sorted). */
export function coinsToString(coins: readonly Coin[]): string {
  // One coin (a fee, a send) without the array of strings and the join: the same string.
  if (coins.length === 1) return `${coins[0]!.amount}${coins[0]!.denom}`;
  return coins.map((c) => `${c.amount}${c.denom}`).join(",");
}

export function coinsToWire(coins: readonly Coin[]): CoinWire[] {
  return coins.map((c) => ({ denom: c.denom, amount: c.amount.toString() }));
}

/** Sorted, merged sum of coin lists (zero amounts dropped). */
export function addCoins(...lists: readonly (readonly Coin[])[]): Coin[] {
  const sums: Record<string, bigint> = Object.create(null) as Record<string, bigint>;
  for (const list of lists) for (const c of list) sums[c.denom] = (sums[c.denom] ?? 0n) + c.amount;
  return Object.keys(sums)
    .sort()
    .map((denom) => ({ denom, amount: sums[denom]! }))
    .filter((c) => c.amount !== 0n);
}

/** True when `a` holds at least `b` of every denom in `b`. */
export function coinsGte(a: readonly Coin[], b: readonly Coin[]): boolean {
  return b.every((need) => (a.find((c) => c.denom === need.denom)?.amount ?? 0n) >= need.amount);
}
