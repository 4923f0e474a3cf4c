// Staking message handlers (SDK v0.50 x/staking/keeper/msg_server.go): parse, stateful checks, keeper call,
// events. runTx adds the baseapp `message` event and msg_index.
import {
  MsgBeginRedelegateResponse,
  MsgUndelegateResponse,
  type MsgBeginRedelegate,
  type MsgCancelUnbondingDelegation,
  type MsgCreateValidator,
  type MsgDelegate,
  type MsgEditValidator,
  type MsgUndelegate,
} from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { ChainError, SdkErrors } from "../../errors.js";
import type { Coin } from "../../tx/coins.js";
import type { Context } from "../../tx/context.js";
import type { MsgResult } from "../../tx/msgRegistry.js";
import { utf8 } from "../../../util/bytes.js";
import { Dec } from "./dec.js";
import { beginRedelegation, cancelUnbonding, delegate, undelegate } from "./delegation.js";
import { StakingErrors } from "./errors.js";
import {
  emitCancelUnbonding,
  emitCreateValidator,
  emitDelegate,
  emitEditValidator,
  emitRedelegate,
  emitUnbond,
} from "./events.js";
import { consAddress, type StakingKeeper } from "./keeper.js";
import {
  DESCRIPTION_LIMITS,
  DO_NOT_MODIFY,
  accAddr,
  consPubKey,
  decField,
  optionalInt,
  positiveCoin,
  valAddr,
  validateCreateValidator,
  validateEditValidator,
} from "./msgs.js";
import { nsToTimestamp } from "./time.js";
import {
  BondStatus,
  sharesFromTokens,
  sharesFromTokensTruncated,
  type Description,
  type Validator,
} from "./types.js";

/** SDK CommissionUpdateTime... a commission may change once per 24 h (x/staking/types/commission.go). */
const COMMISSION_UPDATE_INTERVAL_NS = 24n * 3600n * 1_000_000_000n;

const empty = (typeUrl: string): MsgResult => ({ responseTypeUrl: typeUrl, response: new Uint8Array() });
const coinStr = (c: Coin): string => `${c.amount}${c.denom}`;

function checkDenom(k: StakingKeeper, ctx: Context, c: Coin): void {
  const bond = k.bondDenom(ctx);
  if (c.denom !== bond) {
    throw new ChainError(
      SdkErrors.InvalidRequest,
      `invalid coin denomination: got ${c.denom}, expected ${bond}`,
    );
  }
}

function ensureDescriptionLength(d: Description): void {
  for (const [field, max] of Object.entries(DESCRIPTION_LIMITS)) {
    // Go len(): bytes, not characters.
    const len = utf8.encode(d[field as keyof Description]).length;
    if (len > max)
      throw new ChainError(SdkErrors.InvalidRequest, `invalid ${field} length; got: ${len}, max: ${max}`);
  }
}

function getValidatorOrFail(k: StakingKeeper, ctx: Context, op: Uint8Array): Validator {
  const v = k.getValidator(ctx, op);
  if (v === undefined) throw new ChainError(StakingErrors.NoValidatorFound);
  return v;
}

export function handleCreateValidator(k: StakingKeeper, ctx: Context, m: MsgCreateValidator): MsgResult {
  validateCreateValidator(m);
  const op = valAddr(m.validatorAddress);
  const pk = consPubKey(m);
  const value = positiveCoin(m.value, "delegation");
  const rate = decField(m.commission.rate, "rate");
  const params = k.getParams(ctx);
  if (rate.lt(params.minCommissionRate)) {
    throw new ChainError(
      StakingErrors.CommissionLTMinRate,
      `cannot set validator commission to less than minimum rate of ${params.minCommissionRate.toString()}`,
    );
  }
  if (k.getValidator(ctx, op) !== undefined) throw new ChainError(StakingErrors.ValidatorOwnerExists);
  if (k.hasConsAddr(ctx, consAddress(pk))) throw new ChainError(StakingErrors.ValidatorPubKeyExists);
  checkDenom(k, ctx, value);
  const d = m.description;
  const description = {
    moniker: d.moniker,
    identity: d.identity,
    website: d.website,
    securityContact: d.securityContact,
    details: d.details,
  };
  ensureDescriptionLength(description);
  const v: Validator = {
    operator: op,
    consPubKey: pk,
    jailed: false,
    status: BondStatus.Unbonded,
    tokens: 0n,
    delegatorShares: Dec.ZERO,
    description,
    unbondingHeight: 0n,
    unbondingTimeNs: 0n,
    commission: {
      rate,
      maxRate: decField(m.commission.maxRate, "max rate"),
      maxChangeRate: decField(m.commission.maxChangeRate, "max change rate"),
      updateTimeNs: ctx.blockTimeNs,
    },
    minSelfDelegation: optionalInt(m.minSelfDelegation, "minimum self delegation") ?? 1n,
  };
  k.setValidator(ctx, v);
  k.setValidatorByConsAddr(ctx, v);
  k.hook("afterValidatorCreated", ctx, op);
  delegate(k, ctx, op, value.amount, "account", v);
  emitCreateValidator(ctx.events, op, coinStr(value));
  return empty("/cosmos.staking.v1beta1.MsgCreateValidatorResponse");
}

function updateDescription(old: Description, d: Description): Description {
  const pick = (n: string, o: string): string => (n === DO_NOT_MODIFY ? o : n);
  return {
    moniker: pick(d.moniker, old.moniker),
    identity: pick(d.identity, old.identity),
    website: pick(d.website, old.website),
    securityContact: pick(d.securityContact, old.securityContact),
    details: pick(d.details, old.details),
  };
}

function newCommission(k: StakingKeeper, ctx: Context, v: Validator, s: string): Validator["commission"] {
  const rate = decField(s, "commission rate");
  const min = k.getParams(ctx).minCommissionRate;
  if (rate.lt(min)) throw new ChainError(StakingErrors.CommissionLTMinRate);
  const c = v.commission;
  if (ctx.blockTimeNs - c.updateTimeNs < COMMISSION_UPDATE_INTERVAL_NS) {
    throw new ChainError(StakingErrors.CommissionUpdateTime);
  }
  if (rate.isNegative()) throw new ChainError(StakingErrors.CommissionNegative);
  if (rate.gt(c.maxRate)) throw new ChainError(StakingErrors.CommissionGTMaxRate);
  // SDK UpdateValidatorCommission bounds only increases: any decrease within [0, max] is allowed.
  if (rate.sub(c.rate).gt(c.maxChangeRate)) throw new ChainError(StakingErrors.CommissionGTMaxChangeRate);
  return { ...c, rate, updateTimeNs: ctx.blockTimeNs };
}

export function handleEditValidator(k: StakingKeeper, ctx: Context, m: MsgEditValidator): MsgResult {
  validateEditValidator(m);
  const v = getValidatorOrFail(k, ctx, valAddr(m.validatorAddress));
  const description = updateDescription(v.description, m.description);
  ensureDescriptionLength(description);
  const commission = m.commissionRate === "" ? v.commission : newCommission(k, ctx, v, m.commissionRate);
  let minSelf = v.minSelfDelegation;
  const newMin = optionalInt(m.minSelfDelegation, "minimum self delegation");
  if (newMin !== undefined) {
    if (newMin <= v.minSelfDelegation) throw new ChainError(StakingErrors.MinSelfDelegationDecreased);
    if (newMin > v.tokens) throw new ChainError(StakingErrors.SelfDelegationBelowMinimum);
    minSelf = newMin;
  }
  k.setValidator(ctx, { ...v, description, commission, minSelfDelegation: minSelf });
  emitEditValidator(ctx.events, commission.rate.toString(), minSelf.toString());
  return empty("/cosmos.staking.v1beta1.MsgEditValidatorResponse");
}

export function handleDelegate(k: StakingKeeper, ctx: Context, m: MsgDelegate): MsgResult {
  const del = accAddr(m.delegatorAddress, "delegator");
  const op = valAddr(m.validatorAddress);
  const amount = positiveCoin(m.amount, "delegation");
  const v = getValidatorOrFail(k, ctx, op);
  checkDenom(k, ctx, amount);
  const shares = delegate(k, ctx, del, amount.amount, "account", v);
  emitDelegate(ctx.events, op, del, coinStr(amount), shares.toString());
  return empty("/cosmos.staking.v1beta1.MsgDelegateResponse");
}

/** SDK ValidateUnbondAmount: the shares `amt` tokens are worth, capped at the delegation's shares. */
export function validateUnbondAmount(
  k: StakingKeeper,
  ctx: Context,
  del: Uint8Array,
  op: Uint8Array,
  amt: bigint,
): Dec {
  const v = getValidatorOrFail(k, ctx, op);
  const d = k.getDelegation(ctx, del, op);
  if (d === undefined) throw new ChainError(StakingErrors.NoDelegation);
  if (v.tokens === 0n) throw new ChainError(StakingErrors.InsufficientShares);
  const shares = sharesFromTokens(v, amt);
  if (sharesFromTokensTruncated(v, amt).gt(d.shares)) {
    throw new ChainError(SdkErrors.InvalidRequest, "invalid shares amount");
  }
  return shares.gt(d.shares) ? d.shares : shares;
}

export function handleUndelegate(k: StakingKeeper, ctx: Context, m: MsgUndelegate): MsgResult {
  const del = accAddr(m.delegatorAddress, "delegator");
  const op = valAddr(m.validatorAddress);
  const amount = positiveCoin(m.amount, "shares");
  const shares = validateUnbondAmount(k, ctx, del, op, amount.amount);
  checkDenom(k, ctx, amount);
  const [completion, paid] = undelegate(k, ctx, del, op, shares);
  const out = { denom: amount.denom, amount: paid };
  emitUnbond(ctx.events, op, del, coinStr(out), completion);
  const response = MsgUndelegateResponse.encode({
    completionTime: nsToTimestamp(completion),
    amount: { denom: out.denom, amount: out.amount.toString() },
  }).finish();
  return { responseTypeUrl: "/cosmos.staking.v1beta1.MsgUndelegateResponse", response };
}

export function handleBeginRedelegate(k: StakingKeeper, ctx: Context, m: MsgBeginRedelegate): MsgResult {
  const del = accAddr(m.delegatorAddress, "delegator");
  const src = valAddr(m.validatorSrcAddress, "source validator");
  const dst = valAddr(m.validatorDstAddress, "destination validator");
  const amount = positiveCoin(m.amount, "shares");
  const shares = validateUnbondAmount(k, ctx, del, src, amount.amount);
  checkDenom(k, ctx, amount);
  const completion = beginRedelegation(k, ctx, del, src, dst, shares);
  emitRedelegate(ctx.events, src, dst, del, coinStr(amount), completion);
  const response = MsgBeginRedelegateResponse.encode({ completionTime: nsToTimestamp(completion) }).finish();
  return { responseTypeUrl: "/cosmos.staking.v1beta1.MsgBeginRedelegateResponse", response };
}

export function handleCancelUnbonding(
  k: StakingKeeper,
  ctx: Context,
  m: MsgCancelUnbondingDelegation,
): MsgResult {
  const del = accAddr(m.delegatorAddress, "delegator");
  const op = valAddr(m.validatorAddress);
  const amount = positiveCoin(m.amount, "amount");
  if (m.creationHeight <= 0n) throw new ChainError(SdkErrors.InvalidRequest, "invalid height");
  getValidatorOrFail(k, ctx, op);
  checkDenom(k, ctx, amount);
  cancelUnbonding(k, ctx, del, op, m.creationHeight, amount.amount);
  emitCancelUnbonding(ctx.events, op, del, coinStr(amount), m.creationHeight);
  return empty("/cosmos.staking.v1beta1.MsgCancelUnbondingDelegationResponse");
}
