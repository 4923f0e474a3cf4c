// Minimum gas prices (validator-local, checked at mempool admission) and the required-fee arithmetic.
// Prices are exact decimals held as bigint fractions: no floating point touches an amount.
import { ChainError, SdkErrors } from "../errors.js";
import { assertDenom, type Coin } from "./coins.js";

/** A decimal price per unit of gas, e.g. 0.0125uscrt = { num: 125n, den: 10000n }. */
export interface GasPrice {
  readonly denom: string;
  readonly num: bigint;
  readonly den: bigint;
}

/**
 * Default minimum gas price: 0.0125uscrt, the value Secret Network docs recommend for validators. It must stay at
 * or below secretjs' default 0.1 (spec secretjs-compat §2 "Fee") or default-fee txs would be refused.
 */
export const DEFAULT_MIN_GAS_PRICE = "0.0125uscrt";

const PRICE_RE = /^([0-9]{1,30})(?:\.([0-9]{1,18}))?([a-zA-Z][a-zA-Z0-9/:._-]{2,127})$/;

/** Parses "0.0125uscrt" (SDK DecCoin string, at most 18 decimals). */
export function parseGasPrice(s: string): GasPrice {
  const m = PRICE_RE.exec(s);
  if (m === null) throw new RangeError(`invalid gas price: ${s}`);
  const frac = m[2] ?? "";
  const den = 10n ** BigInt(frac.length);
  return { denom: assertDenom(m[3]), num: BigInt(m[1]! + frac), den };
}

/** Comma-separated list ("0.0125uscrt,0.1stake"); empty string = no minimum. */
export function parseGasPrices(s: string): GasPrice[] {
  return s === "" ? [] : s.split(",").map(parseGasPrice);
}

/** ceil(price * gas) for each configured denom (SDK: requiredFees = ceil(gasPrice * gasLimit)). */
export function requiredFees(prices: readonly GasPrice[], gasLimit: bigint): Coin[] {
  return prices
    .map((p) => ({ denom: p.denom, amount: (p.num * gasLimit + p.den - 1n) / p.den }))
    .filter((c) => c.amount > 0n)
    .sort((a, b) => (a.denom < b.denom ? -1 : a.denom > b.denom ? 1 : 0));
}

/** SDK DeductFeeDecorator in CheckTx: the fee must meet the requirement in at least one denom (IsAnyGTE). */
export function checkMinGasPrice(fee: readonly Coin[], prices: readonly GasPrice[], gasLimit: bigint): void {
  const req = requiredFees(prices, gasLimit);
  if (req.length === 0) return;
  const ok = req.some((r) => (fee.find((c) => c.denom === r.denom)?.amount ?? 0n) >= r.amount);
  if (!ok) {
    const got = fee.map((c) => `${c.amount}${c.denom}`).join(",");
    const need = req.map((c) => `${c.amount}${c.denom}`).join(",");
    throw new ChainError(SdkErrors.InsufficientFee, `insufficient fees; got: ${got} required: ${need}`);
  }
}
