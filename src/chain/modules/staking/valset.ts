// The bonded validator set (SDK x/staking/keeper/val_state_change.go): end-block set updates for CometBFT,
// bond/unbond transitions with their pool moves, jail/unjail, and the end-block maturity queues.
import type { Context } from "../../tx/context.js";
import { compareBytes } from "../../store/memory.js";
import { concatBytes, toHex, u64be } from "../../../util/bytes.js";
import { completeRedelegation, completeUnbonding } from "./delegation.js";
import { consAddress, type StakingKeeper } from "./keeper.js";
import {
  REDELEGATION_QUEUE_PREFIX,
  UNBONDING_QUEUE_PREFIX,
  VALIDATOR_QUEUE_PREFIX,
  splitLp,
  validatorQueueKey,
} from "./keys.js";
import { BondStatus, potentialPower, type Validator, type ValidatorUpdate } from "./types.js";

/** The SDK power index order: power descending, then operator address ascending. */
export function byPowerThenOperator(a: Validator, b: Validator): number {
  const pa = potentialPower(a);
  const pb = potentialPower(b);
  return pa !== pb ? (pa > pb ? -1 : 1) : compareBytes(a.operator, b.operator);
}

/** Candidates for the bonded set, best first (power index order). */
function rankedCandidates(k: StakingKeeper, ctx: Context): Validator[] {
  const vals = [...k.iterateValidators(ctx)].filter((v) => !v.jailed && potentialPower(v) > 0n);
  vals.sort(byPowerThenOperator);
  return vals.slice(0, k.getParams(ctx).maxValidators);
}

function bondValidator(k: StakingKeeper, ctx: Context, v: Validator): Validator {
  if (v.status === BondStatus.Unbonding)
    k.store(ctx).delete(validatorQueueKey(v.unbondingTimeNs, v.operator));
  k.movePoolTokens(ctx, v.status, BondStatus.Bonded, v.tokens);
  const nv: Validator = { ...v, status: BondStatus.Bonded, unbondingHeight: 0n, unbondingTimeNs: 0n };
  k.setValidator(ctx, nv);
  k.hook("afterValidatorBonded", ctx, consAddress(v.consPubKey), v.operator);
  return nv;
}

function beginUnbondingValidator(k: StakingKeeper, ctx: Context, v: Validator): void {
  const t = ctx.blockTimeNs + k.getParams(ctx).unbondingTimeNs;
  k.movePoolTokens(ctx, BondStatus.Bonded, BondStatus.Unbonding, v.tokens);
  k.setValidator(ctx, {
    ...v,
    status: BondStatus.Unbonding,
    unbondingHeight: ctx.blockHeight,
    unbondingTimeNs: t,
  });
  k.store(ctx).set(validatorQueueKey(t, v.operator), new Uint8Array());
}

/**
 * SDK ApplyAndReturnValidatorSetUpdates: bonds the top `maxValidators` non-jailed validators by power, starts
 * unbonding the ones that left, stores the new powers and returns the changes (power 0 = removed), ordered as
 * the new set then the removed ones by operator address.
 */
export function applyValidatorSetUpdates(k: StakingKeeper, ctx: Context): ValidatorUpdate[] {
  const last = new Map(k.lastPowers(ctx).map((e) => [toHex(e.op), e.power]));
  const updates: ValidatorUpdate[] = [];
  let total = 0n;
  for (let v of rankedCandidates(k, ctx)) {
    if (v.status !== BondStatus.Bonded) v = bondValidator(k, ctx, v);
    const power = potentialPower(v);
    const key = toHex(v.operator);
    if (last.get(key) !== power) updates.push({ pubKeyEd25519: v.consPubKey, power });
    k.setLastPower(ctx, v.operator, power);
    last.delete(key);
    total += power;
  }
  for (const key of [...last.keys()].sort()) {
    const v = k.getValidator(ctx, Uint8Array.from(Buffer.from(key, "hex")));
    if (v === undefined) throw new Error("bonded validator missing from state");
    if (v.status === BondStatus.Bonded) beginUnbondingValidator(k, ctx, v);
    k.setLastPower(ctx, v.operator, 0n);
    updates.push({ pubKeyEd25519: v.consPubKey, power: 0n });
  }
  k.setLastTotalPower(ctx, total);
  return updates;
}

/** Keys of a time queue due at `now` (time ≤ now), in order, each with its address parts. */
function dueQueue(k: StakingKeeper, ctx: Context, prefix: Uint8Array, parts: number): Uint8Array[][] {
  const end = concatBytes(prefix, u64be(ctx.blockTimeNs + 1n));
  const out: { key: Uint8Array; addrs: Uint8Array[] }[] = [];
  for (const [key] of k.store(ctx).iterate(prefix, end)) {
    out.push({ key: key.slice(), addrs: splitLp(key.subarray(9), parts) });
  }
  for (const e of out) k.store(ctx).delete(e.key);
  return out.map((e) => e.addrs);
}

/** SDK UnbondAllMatureValidators: unbonding validators whose time has come become unbonded (or are removed). */
export function unbondMatureValidators(k: StakingKeeper, ctx: Context): void {
  for (const [op] of dueQueue(k, ctx, VALIDATOR_QUEUE_PREFIX, 1)) {
    const v = k.getValidator(ctx, op!);
    if (v?.status !== BondStatus.Unbonding) continue;
    k.setValidator(ctx, { ...v, status: BondStatus.Unbonded });
    if (v.delegatorShares.isZero()) k.removeValidator(ctx, v.operator);
  }
}

/** Staking EndBlocker: set updates, then mature validators, unbonding delegations, redelegations. */
export function stakingEndBlock(k: StakingKeeper, ctx: Context): ValidatorUpdate[] {
  const updates = applyValidatorSetUpdates(k, ctx);
  unbondMatureValidators(k, ctx);
  for (const [del, op] of dueQueue(k, ctx, UNBONDING_QUEUE_PREFIX, 2)) completeUnbonding(k, ctx, del!, op!);
  for (const [del, src, dst] of dueQueue(k, ctx, REDELEGATION_QUEUE_PREFIX, 3)) {
    completeRedelegation(k, ctx, del!, src!, dst!);
  }
  return updates;
}

/** SDK Jail: the validator leaves the bonded set at the next end block. */
export function jail(k: StakingKeeper, ctx: Context, cons: Uint8Array): void {
  const v = k.getValidatorByConsAddr(ctx, cons);
  if (v === undefined) throw new Error("jail: no validator for consensus address");
  if (v.jailed) throw new Error("cannot jail already jailed validator");
  k.setValidator(ctx, { ...v, jailed: true });
}

/** SDK Unjail. */
export function unjail(k: StakingKeeper, ctx: Context, op: Uint8Array): void {
  const v = k.getValidator(ctx, op);
  if (v === undefined || !v.jailed) throw new Error("cannot unjail already unjailed validator");
  k.setValidator(ctx, { ...v, jailed: false });
}
