// Delegation flows with SDK v0.50 semantics (x/staking/keeper/delegation.go): delegate, unbond, undelegate with
// an unbonding period, redelegate, cancel an unbonding entry, and completion of matured entries.
import { ChainError, SdkErrors } from "../../errors.js";
import type { Context } from "../../tx/context.js";
import { equalBytes } from "../../../util/bytes.js";
import { Dec } from "./dec.js";
import { StakingErrors } from "./errors.js";
import { emitCompleteRedelegation, emitCompleteUnbonding } from "./events.js";
import type { StakingKeeper } from "./keeper.js";
import { redelegationQueueKey, unbondingQueueKey } from "./keys.js";
import {
  BondStatus,
  invalidExRate,
  tokensFromShares,
  type Redelegation,
  type UnbondingDelegation,
  type Validator,
} from "./types.js";

/** Adds tokens and issues shares (SDK AddTokensFromDel): first delegation 1:1, later pro rata (truncated). */
function addTokensFromDel(v: Validator, amount: bigint): [Validator, Dec] {
  const issued = v.delegatorShares.isZero()
    ? Dec.fromInt(amount)
    : v.delegatorShares.mulInt(amount).quoInt(v.tokens);
  return [{ ...v, tokens: v.tokens + amount, delegatorShares: v.delegatorShares.add(issued) }, issued];
}

/**
 * Delegates `amount` to `v` (SDK Delegate). `from` = "account": coins leave `del`'s account; otherwise tokens
 * come from the pool of a validator with status `from` (redelegation). Returns the new shares.
 */
export function delegate(
  k: StakingKeeper,
  ctx: Context,
  del: Uint8Array,
  amount: bigint,
  from: "account" | BondStatus,
  v: Validator,
): Dec {
  if (invalidExRate(v)) throw new ChainError(StakingErrors.DelegatorShareExRateInvalid);
  const existing = k.getDelegation(ctx, del, v.operator);
  if (existing === undefined) k.hook("beforeDelegationCreated", ctx, del, v.operator);
  else k.hook("beforeDelegationSharesModified", ctx, del, v.operator);
  if (from === "account") {
    k.bank.sendCoinsFromAccountToModule(ctx, del, k.poolName(v.status), [
      { denom: k.bondDenom(ctx), amount },
    ]);
  } else {
    k.movePoolTokens(ctx, from, v.status, amount);
  }
  // Re-read: the hooks may not change the validator, but a self-redelegation path could have.
  const cur = k.getValidator(ctx, v.operator) ?? v;
  const [nv, issued] = addTokensFromDel(cur, amount);
  k.setValidator(ctx, nv);
  const shares = (existing?.shares ?? Dec.ZERO).add(issued);
  k.setDelegation(ctx, { delegator: del, validator: v.operator, shares });
  k.hook("afterDelegationModified", ctx, del, v.operator);
  return issued;
}

/** Removes shares from a delegation and its validator; returns the tokens they were worth (SDK Unbond). */
export function unbond(k: StakingKeeper, ctx: Context, del: Uint8Array, op: Uint8Array, shares: Dec): bigint {
  const d = k.getDelegation(ctx, del, op);
  if (d === undefined) throw new ChainError(StakingErrors.NoDelegation);
  if (d.shares.lt(shares)) throw new ChainError(StakingErrors.NotEnoughDelegationShares, d.shares.toString());
  let v = k.getValidator(ctx, op);
  if (v === undefined) throw new ChainError(StakingErrors.NoValidatorFound);
  k.hook("beforeDelegationSharesModified", ctx, del, op);
  const remaining = d.shares.sub(shares);
  const isSelf = equalBytes(del, v.operator);
  if (isSelf && !v.jailed && tokensFromShares(v, remaining).truncateInt() < v.minSelfDelegation) {
    v = { ...v, jailed: true };
    k.setValidator(ctx, v);
  }
  if (remaining.isZero()) k.removeDelegation(ctx, d);
  else {
    k.setDelegation(ctx, { ...d, shares: remaining });
    k.hook("afterDelegationModified", ctx, del, op);
  }
  const amount = shares.eq(v.delegatorShares) ? v.tokens : tokensFromShares(v, shares).truncateInt();
  const nv: Validator = { ...v, tokens: v.tokens - amount, delegatorShares: v.delegatorShares.sub(shares) };
  k.setValidator(ctx, nv);
  if (nv.delegatorShares.isZero() && nv.status === BondStatus.Unbonded) k.removeValidator(ctx, op);
  return amount;
}

/** Starts unbonding `shares` (SDK Undelegate); returns [completion time, amount]. */
export function undelegate(
  k: StakingKeeper,
  ctx: Context,
  del: Uint8Array,
  op: Uint8Array,
  shares: Dec,
): [bigint, bigint] {
  const v = k.getValidator(ctx, op);
  if (v === undefined) throw new ChainError(StakingErrors.NoValidatorFound);
  const params = k.getParams(ctx);
  const ubd = k.getUnbonding(ctx, del, op);
  if ((ubd?.entries.length ?? 0) >= params.maxEntries) {
    throw new ChainError(StakingErrors.MaxUnbondingDelegationEntries);
  }
  const amount = unbond(k, ctx, del, op, shares);
  if (v.status === BondStatus.Bonded) k.movePoolTokens(ctx, BondStatus.Bonded, BondStatus.Unbonded, amount);
  const completion = ctx.blockTimeNs + params.unbondingTimeNs;
  addUnbondingEntry(k, ctx, del, op, ctx.blockHeight, completion, amount, ubd);
  return [completion, amount];
}

function addUnbondingEntry(
  k: StakingKeeper,
  ctx: Context,
  del: Uint8Array,
  op: Uint8Array,
  height: bigint,
  completion: bigint,
  amount: bigint,
  ubd: UnbondingDelegation | undefined,
): void {
  const entries = [...(ubd?.entries ?? [])];
  // SDK SetUnbondingDelegationEntry: an entry of the same height and completion time absorbs the new amount.
  const i = entries.findIndex((e) => e.creationHeight === height && e.completionTimeNs === completion);
  if (i >= 0) {
    const e = entries[i]!;
    entries[i] = { ...e, initialBalance: e.initialBalance + amount, balance: e.balance + amount };
  } else {
    entries.push({
      creationHeight: height,
      completionTimeNs: completion,
      initialBalance: amount,
      balance: amount,
    });
  }
  k.setUnbonding(ctx, { delegator: del, validator: op, entries });
  k.store(ctx).set(unbondingQueueKey(completion, del, op), new Uint8Array());
}

/** SDK getBeginInfo: when a redelegation away from `src` completes, and whether it completes at once. */
function beginInfo(ctx: Context, k: StakingKeeper, src: Validator): [bigint, bigint, boolean] {
  if (src.status === BondStatus.Bonded) {
    return [ctx.blockTimeNs + k.getParams(ctx).unbondingTimeNs, ctx.blockHeight, false];
  }
  if (src.status === BondStatus.Unbonded) return [ctx.blockTimeNs, ctx.blockHeight, true];
  return [src.unbondingTimeNs, src.unbondingHeight, false];
}

/** SDK BeginRedelegation: moves shares' tokens from `src` to `dst`; returns the completion time. */
export function beginRedelegation(
  k: StakingKeeper,
  ctx: Context,
  del: Uint8Array,
  srcOp: Uint8Array,
  dstOp: Uint8Array,
  shares: Dec,
): bigint {
  if (equalBytes(srcOp, dstOp)) throw new ChainError(StakingErrors.SelfRedelegation);
  const dst = k.getValidator(ctx, dstOp);
  if (dst === undefined) throw new ChainError(StakingErrors.BadRedelegationDst);
  const src = k.getValidator(ctx, srcOp);
  if (src === undefined) throw new ChainError(StakingErrors.BadRedelegationDst);
  // SDK HasReceivingRedelegation: tokens that arrived at src by redelegation may not move on before maturing.
  for (const r of k.iterateRedelegations(ctx, del)) {
    if (equalBytes(r.dst, srcOp)) throw new ChainError(StakingErrors.TransitiveRedelegation);
  }
  const red = k.getRedelegation(ctx, del, srcOp, dstOp);
  if ((red?.entries.length ?? 0) >= k.getParams(ctx).maxEntries) {
    throw new ChainError(StakingErrors.MaxRedelegationEntries);
  }
  const amount = unbond(k, ctx, del, srcOp, shares);
  if (amount === 0n) throw new ChainError(StakingErrors.TinyRedelegationAmount);
  const dstNow = k.getValidator(ctx, dstOp);
  if (dstNow === undefined) throw new ChainError(StakingErrors.BadRedelegationDst);
  const sharesDst = delegate(k, ctx, del, amount, src.status, dstNow);
  const [completion, height, now] = beginInfo(ctx, k, src);
  if (now) return completion;
  const entry = { creationHeight: height, completionTimeNs: completion, initialBalance: amount, sharesDst };
  const r: Redelegation = {
    delegator: del,
    src: srcOp,
    dst: dstOp,
    entries: [...(red?.entries ?? []), entry],
  };
  k.setRedelegation(ctx, r);
  k.store(ctx).set(redelegationQueueKey(completion, del, srcOp, dstOp), new Uint8Array());
  return completion;
}

/** SDK CancelUnbondingDelegation: re-delegates (part of) the entry created at `height`. */
export function cancelUnbonding(
  k: StakingKeeper,
  ctx: Context,
  del: Uint8Array,
  op: Uint8Array,
  height: bigint,
  amount: bigint,
): void {
  const v = k.getValidator(ctx, op);
  if (v === undefined) throw new ChainError(StakingErrors.NoValidatorFound);
  if (v.jailed) throw new ChainError(StakingErrors.ValidatorJailed);
  const ubd = k.getUnbonding(ctx, del, op);
  if (ubd === undefined) throw new ChainError(StakingErrors.NoUnbondingDelegation);
  const i = ubd.entries.findIndex((e) => e.creationHeight === height);
  const e = ubd.entries[i];
  if (e === undefined) {
    throw new ChainError(SdkErrors.InvalidRequest, "unbonding delegation entry is not found at block height");
  }
  if (e.completionTimeNs <= ctx.blockTimeNs) {
    throw new ChainError(SdkErrors.InvalidRequest, "unbonding delegation is already processed");
  }
  if (e.balance < amount) {
    throw new ChainError(
      SdkErrors.InvalidRequest,
      "amount is greater than the unbonding delegation entry balance",
    );
  }
  delegate(k, ctx, del, amount, BondStatus.Unbonded, v);
  const entries = [...ubd.entries];
  if (e.balance === amount) entries.splice(i, 1);
  else entries[i] = { ...e, balance: e.balance - amount, initialBalance: e.initialBalance - amount };
  k.setUnbonding(ctx, { ...ubd, entries });
}

/** Pays out every matured entry of one unbonding delegation (SDK CompleteUnbonding); returns the amount. */
export function completeUnbonding(k: StakingKeeper, ctx: Context, del: Uint8Array, op: Uint8Array): bigint {
  const ubd = k.getUnbonding(ctx, del, op);
  if (ubd === undefined) return 0n;
  let paid = 0n;
  const keep = ubd.entries.filter((e) => {
    if (e.completionTimeNs > ctx.blockTimeNs) return true;
    paid += e.balance;
    return false;
  });
  if (paid > 0n) {
    k.bank.sendCoinsFromModuleToAccount(ctx, k.poolName(BondStatus.Unbonded), del, [
      { denom: k.bondDenom(ctx), amount: paid },
    ]);
  }
  k.setUnbonding(ctx, { ...ubd, entries: keep });
  emitCompleteUnbonding(ctx.events, paid > 0n ? `${paid}${k.bondDenom(ctx)}` : "", op, del);
  return paid;
}

/** Drops matured entries of one redelegation (SDK CompleteRedelegation); tokens already moved. */
export function completeRedelegation(
  k: StakingKeeper,
  ctx: Context,
  del: Uint8Array,
  src: Uint8Array,
  dst: Uint8Array,
): void {
  const r = k.getRedelegation(ctx, del, src, dst);
  if (r === undefined) return;
  let done = 0n;
  const keep = r.entries.filter((e) => {
    if (e.completionTimeNs > ctx.blockTimeNs) return true;
    done += e.initialBalance;
    return false;
  });
  k.setRedelegation(ctx, { ...r, entries: keep });
  emitCompleteRedelegation(ctx.events, done > 0n ? `${done}${k.bondDenom(ctx)}` : "", src, dst, del);
}
