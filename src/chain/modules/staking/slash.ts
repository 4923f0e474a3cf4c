// Slashing a validator's stake for an infraction (SDK v0.50 x/staking/keeper/slash.go): the validator's tokens,
// unbonding entries and redelegations created at or after the infraction height lose `fraction`; the tokens
// are burned from the pool that holds them. Amounts are Dec Mul (half-even) then truncated, as the SDK.
import type { Context } from "../../tx/context.js";
import { Dec } from "./dec.js";
import { unbond } from "./delegation.js";
import type { StakingKeeper } from "./keeper.js";
import { BondStatus, POWER_REDUCTION, type Validator } from "./types.js";

function slashUnbondings(k: StakingKeeper, ctx: Context, v: Validator, height: bigint, f: Dec): bigint {
  let total = 0n;
  let burn = 0n;
  for (const ubd of [...k.iterateUnbondings(ctx)]) {
    if (Buffer.compare(ubd.validator, v.operator) !== 0) continue;
    const entries = ubd.entries.map((e) => {
      if (e.creationHeight < height || e.completionTimeNs <= ctx.blockTimeNs) return e;
      const amt = Dec.fromInt(e.initialBalance).mul(f).truncateInt();
      total += amt;
      const b = amt < e.balance ? amt : e.balance;
      burn += b;
      return { ...e, balance: e.balance - b };
    });
    k.setUnbonding(ctx, { ...ubd, entries });
  }
  k.burnFromPool(ctx, BondStatus.Unbonded, burn);
  return total;
}

function slashRedelegations(k: StakingKeeper, ctx: Context, v: Validator, height: bigint, f: Dec): bigint {
  let total = 0n;
  for (const r of [...k.iterateRedelegations(ctx)]) {
    if (Buffer.compare(r.src, v.operator) !== 0) continue;
    for (const e of r.entries) {
      if (e.creationHeight < height || e.completionTimeNs <= ctx.blockTimeNs) continue;
      total += Dec.fromInt(e.initialBalance).mul(f).truncateInt();
      const d = k.getDelegation(ctx, r.delegator, r.dst);
      if (d === undefined) continue;
      const shares = Dec.min(f.mul(e.sharesDst), d.shares);
      if (shares.isZero()) continue;
      const dst = k.getValidator(ctx, r.dst);
      if (dst === undefined) continue;
      const burned = unbond(k, ctx, r.delegator, r.dst, shares);
      k.burnFromPool(ctx, dst.status, burned);
    }
  }
  return total;
}

/**
 * SDK Slash: burns up to `power × 10^6 × fraction` tokens, first from unbonding entries and redelegations
 * begun at or after `infractionHeight`, the rest from the validator. Returns the tokens burned from the
 * validator itself (the slash event's burned_coins). A missing or unbonded validator is not slashed.
 */
export function slash(
  k: StakingKeeper,
  ctx: Context,
  cons: Uint8Array,
  infractionHeight: bigint,
  power: bigint,
  fraction: Dec,
): bigint {
  if (fraction.isNegative()) throw new Error("attempted to slash with a negative slash factor");
  const v0 = k.getValidatorByConsAddr(ctx, cons);
  if (v0 === undefined || v0.status === BondStatus.Unbonded) return 0n;
  const amount = Dec.fromInt(power * POWER_REDUCTION)
    .mul(fraction)
    .truncateInt();
  k.hook("beforeValidatorSlashed", ctx, v0.operator, fraction);
  let remaining = amount;
  if (infractionHeight < ctx.blockHeight) {
    remaining -= slashUnbondings(k, ctx, v0, infractionHeight, fraction);
    remaining -= slashRedelegations(k, ctx, v0, infractionHeight, fraction);
  }
  const v = k.getValidator(ctx, v0.operator);
  if (v === undefined) return 0n;
  if (remaining < 0n) remaining = 0n;
  const burn = remaining < v.tokens ? remaining : v.tokens;
  k.setValidator(ctx, { ...v, tokens: v.tokens - burn });
  k.burnFromPool(ctx, v.status, burn);
  return burn;
}
