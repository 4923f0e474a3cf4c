// Staking invariants (SDK x/staking/keeper/invariants.go): pool balances equal the tokens their records hold,
// and each validator's delegator shares equal the sum of its delegations' shares. Used by tests and the app's
// optional invariant checks; returns a description of the first violation, or undefined.
import type { Context } from "../../tx/context.js";
import { toHex } from "../../../util/bytes.js";
import { Dec } from "./dec.js";
import type { StakingKeeper } from "./keeper.js";
import { BONDED_POOL_NAME, NOT_BONDED_POOL_NAME } from "./keys.js";
import { BondStatus } from "./types.js";

export function checkStakingInvariants(k: StakingKeeper, ctx: Context): string | undefined {
  let bonded = 0n;
  let notBonded = 0n;
  const shares = new Map<string, Dec>();
  for (const v of k.iterateValidators(ctx)) {
    if (v.tokens < 0n || v.delegatorShares.isNegative()) return `negative tokens or shares at a validator`;
    if (v.status === BondStatus.Bonded) bonded += v.tokens;
    else notBonded += v.tokens;
    shares.set(toHex(v.operator), v.delegatorShares);
  }
  for (const u of k.iterateUnbondings(ctx)) for (const e of u.entries) notBonded += e.balance;
  const bondedBal = k.poolBalance(ctx, BONDED_POOL_NAME);
  if (bondedBal !== bonded) return `bonded pool ${bondedBal} != bonded validator tokens ${bonded}`;
  const nbBal = k.poolBalance(ctx, NOT_BONDED_POOL_NAME);
  if (nbBal !== notBonded) return `not bonded pool ${nbBal} != not bonded tokens ${notBonded}`;
  const sums = new Map<string, Dec>();
  for (const d of k.iterateDelegations(ctx)) {
    if (!d.shares.isPositive()) return "non-positive delegation shares";
    const key = toHex(d.validator);
    if (!shares.has(key)) return "delegation to a missing validator";
    sums.set(key, (sums.get(key) ?? Dec.ZERO).add(d.shares));
  }
  for (const [key, total] of [...shares.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (!(sums.get(key) ?? Dec.ZERO).eq(total)) return `validator ${key} shares != sum of delegation shares`;
  }
  return undefined;
}
