// The distribution keeper: the only code touching distribution's store prefix. Fee/inflation allocation to
// validators (commission + per-share rewards), the community pool, withdrawals, and the staking hooks that
// settle a delegation's rewards whenever its shares change.
import type { KVStore } from "../../store/types.js";
import { PrefixStore, prefixEnd, type Context } from "../../tx/context.js";
import { ChainError, SdkErrors } from "../../errors.js";
import { toBech32 } from "../../address.js";
import { coinsToString, type Coin } from "../../tx/coins.js";
import { utf8 } from "../../../util/bytes.js";
import { FEE_COLLECTOR_NAME } from "../auth/keys.js";
import { Dec, addDecCoins, subDecCoins, truncateDecCoins, type DecCoin } from "../staking/dec.js";
import type { StakingHooks } from "../staking/expectedKeepers.js";
import { DistributionErrors } from "./errors.js";
import { emitCommission, emitRewards, emitWithdrawCommission, emitWithdrawRewards } from "./events.js";
import type {
  DistributionAccountKeeper,
  DistributionBankKeeper,
  DistributionStakingKeeper,
} from "./expectedKeepers.js";
import {
  COMMISSION_PREFIX,
  FEE_POOL_KEY,
  MODULE_NAME,
  OUTSTANDING_PREFIX,
  PARAMS_KEY,
  STORE_PREFIX,
  commissionKey,
  outstandingKey,
  ratioKey,
  startKey,
  withdrawAddrKey,
} from "./keys.js";

export interface DistributionParams {
  readonly communityTax: Dec;
  readonly withdrawAddrEnabled: boolean;
}

/** SDK v0.50 DefaultParams: 2% community tax, withdraw addresses enabled (proposer rewards are gone). */
export const DEFAULT_DISTRIBUTION_PARAMS: DistributionParams = Object.freeze({
  communityTax: Dec.fromString("0.02"),
  withdrawAddrEnabled: true,
});

/** One entry of CometBFT's decided_last_commit: consensus address and power. */
export interface VoteWeight {
  readonly address: Uint8Array;
  readonly power: bigint;
}

export function encodeDecCoins(cs: readonly DecCoin[]): Uint8Array {
  return utf8.encode(JSON.stringify(cs.map((c) => [c.denom, c.amount.toAtomics()])));
}

export function decodeDecCoins(b: Uint8Array | undefined): DecCoin[] {
  if (b === undefined) return [];
  const arr = JSON.parse(utf8.decode(b)) as [string, string][];
  return arr.map(([denom, a]) => ({ denom, amount: Dec.fromAtomics(a) }));
}

/** DecCoins × d, truncated (SDK MulDecTruncate). */
export function mulDecTruncate(cs: readonly DecCoin[], d: Dec): DecCoin[] {
  return addDecCoins(cs.map((c) => ({ denom: c.denom, amount: c.amount.mulTruncate(d) })));
}

/** min(a, b) per denom of `a` (SDK DecCoins.Intersect). */
function intersect(a: readonly DecCoin[], b: readonly DecCoin[]): DecCoin[] {
  return addDecCoins(
    a.map((c) => ({
      denom: c.denom,
      amount: Dec.min(c.amount, b.find((x) => x.denom === c.denom)?.amount ?? Dec.ZERO),
    })),
  );
}

export const toDecCoins = (cs: readonly Coin[]): DecCoin[] =>
  cs.map((c) => ({ denom: c.denom, amount: Dec.fromInt(c.amount) }));

export class DistributionKeeper implements StakingHooks {
  constructor(
    private readonly bank: DistributionBankKeeper,
    private readonly ak: DistributionAccountKeeper,
    readonly staking: DistributionStakingKeeper,
    private readonly prefix: Uint8Array = STORE_PREFIX,
  ) {}

  private store(ctx: Context): KVStore {
    return new PrefixStore(ctx.store, this.prefix);
  }

  // ---- params, pools, records --------------------------------------------------------------------------------

  getParams(ctx: Context): DistributionParams {
    const b = this.store(ctx).get(PARAMS_KEY);
    if (b === undefined) return DEFAULT_DISTRIBUTION_PARAMS;
    const o = JSON.parse(utf8.decode(b)) as [string, boolean];
    return { communityTax: Dec.fromAtomics(o[0]), withdrawAddrEnabled: o[1] };
  }

  setParams(ctx: Context, p: DistributionParams): void {
    if (p.communityTax.isNegative() || p.communityTax.gt(Dec.ONE))
      throw new RangeError("community tax out of range");
    this.store(ctx).set(
      PARAMS_KEY,
      utf8.encode(JSON.stringify([p.communityTax.toAtomics(), p.withdrawAddrEnabled])),
    );
  }

  private getCoins(ctx: Context, key: Uint8Array): DecCoin[] {
    return decodeDecCoins(this.store(ctx).get(key));
  }

  private setCoins(ctx: Context, key: Uint8Array, cs: readonly DecCoin[]): void {
    if (cs.some((c) => c.amount.isNegative())) throw new Error("negative reward pool (invariant broken)");
    if (cs.length === 0) this.store(ctx).delete(key);
    else this.store(ctx).set(key, encodeDecCoins(cs));
  }

  getCommunityPool(ctx: Context): DecCoin[] {
    return this.getCoins(ctx, FEE_POOL_KEY);
  }

  addToCommunityPool(ctx: Context, cs: readonly DecCoin[]): void {
    this.setCoins(ctx, FEE_POOL_KEY, addDecCoins(this.getCommunityPool(ctx), cs));
  }

  /** Genesis only. */
  setCommunityPool(ctx: Context, cs: readonly DecCoin[]): void {
    this.setCoins(ctx, FEE_POOL_KEY, cs);
  }

  getOutstanding(ctx: Context, op: Uint8Array): DecCoin[] {
    return this.getCoins(ctx, outstandingKey(op));
  }

  setOutstanding(ctx: Context, op: Uint8Array, cs: readonly DecCoin[]): void {
    this.setCoins(ctx, outstandingKey(op), cs);
  }

  getCommission(ctx: Context, op: Uint8Array): DecCoin[] {
    return this.getCoins(ctx, commissionKey(op));
  }

  setCommission(ctx: Context, op: Uint8Array, cs: readonly DecCoin[]): void {
    this.setCoins(ctx, commissionKey(op), cs);
  }

  getRatio(ctx: Context, op: Uint8Array): DecCoin[] {
    return this.getCoins(ctx, ratioKey(op));
  }

  setRatio(ctx: Context, op: Uint8Array, cs: readonly DecCoin[]): void {
    this.setCoins(ctx, ratioKey(op), cs);
  }

  getWithdrawAddr(ctx: Context, del: Uint8Array): Uint8Array {
    return this.store(ctx).get(withdrawAddrKey(del)) ?? del;
  }

  setWithdrawAddr(ctx: Context, del: Uint8Array, to: Uint8Array): void {
    this.store(ctx).set(withdrawAddrKey(del), to);
  }

  *iterateWithdrawAddrs(ctx: Context): Generator<[Uint8Array, Uint8Array]> {
    const p = Uint8Array.of(0x03);
    for (const [k, v] of this.store(ctx).iterate(p, prefixEnd(p))) yield [k.slice(2, 2 + k[1]!), v];
  }

  /** Every validator with outstanding rewards or commission, as [operator, DecCoins] in key order. */
  *iterateOutstanding(ctx: Context, commission = false): Generator<[Uint8Array, DecCoin[]]> {
    const p = commission ? COMMISSION_PREFIX : OUTSTANDING_PREFIX;
    for (const [k, v] of this.store(ctx).iterate(p, prefixEnd(p)))
      yield [k.slice(2, 2 + k[1]!), decodeDecCoins(v)];
  }

  /** Every reward-per-share ratio as [operator, DecCoins] in key order (genesis export). */
  *iterateRatios(ctx: Context): Generator<[Uint8Array, DecCoin[]]> {
    const p = Uint8Array.of(0x05);
    for (const [k, v] of this.store(ctx).iterate(p, prefixEnd(p)))
      yield [k.slice(2, 2 + k[1]!), decodeDecCoins(v)];
  }

  /** Every delegation's starting ratio as [operator, delegator, DecCoins] (genesis export). */
  *iterateStarts(ctx: Context): Generator<[Uint8Array, Uint8Array, DecCoin[]]> {
    const p = Uint8Array.of(0x04);
    for (const [k, v] of this.store(ctx).iterate(p, prefixEnd(p))) {
      const n = k[1]!;
      yield [k.slice(2, 2 + n), k.slice(3 + n, 3 + n + k[2 + n]!), decodeDecCoins(v)];
    }
  }

  setStart(ctx: Context, op: Uint8Array, del: Uint8Array, ratio: readonly DecCoin[]): void {
    this.store(ctx).set(startKey(op, del), encodeDecCoins(ratio));
  }

  moduleAddress(): Uint8Array {
    return this.ak.getModuleAddress(MODULE_NAME);
  }

  // ---- allocation --------------------------------------------------------------------------------------------

  /** SDK AllocateTokensToValidator: commission at the validator's rate, the rest per share to delegators. */
  allocateTokensToValidator(ctx: Context, op: Uint8Array, tokens: readonly DecCoin[]): void {
    const v = this.staking.getValidator(ctx, op);
    if (v === undefined) throw new Error("allocating to a missing validator");
    const commission = addDecCoins(
      tokens.map((c) => ({ denom: c.denom, amount: c.amount.mul(v.commission.rate) })),
    );
    const shared = subDecCoins(tokens, commission);
    emitCommission(ctx.events, decCoinsString(commission), op);
    this.setCommission(ctx, op, addDecCoins(this.getCommission(ctx, op), commission));
    emitRewards(ctx.events, decCoinsString(tokens), op);
    this.setOutstanding(ctx, op, addDecCoins(this.getOutstanding(ctx, op), tokens));
    if (v.delegatorShares.isZero()) {
      // Nobody to pay: the shared part stays outstanding until the validator is removed (then community pool).
      return;
    }
    const inc = shared.map((c) => ({ denom: c.denom, amount: c.amount.quoTruncate(v.delegatorShares) }));
    this.setRatio(ctx, op, addDecCoins(this.getRatio(ctx, op), inc));
  }

  /**
   * SDK v0.50 AllocateTokens: everything in fee_collector moves here; the community tax goes to the pool, the
   * rest to validators pro rata of their vote power (no proposer bonus since v0.50); leftovers to the pool.
   */
  allocateTokens(ctx: Context, votes: readonly VoteWeight[]): void {
    const feeAddr = this.ak.getModuleAddress(FEE_COLLECTOR_NAME);
    const feesInt = this.bank.getAllBalances(ctx, feeAddr);
    if (feesInt.length > 0)
      this.bank.sendCoinsFromModuleToModule(ctx, FEE_COLLECTOR_NAME, MODULE_NAME, feesInt);
    const fees = toDecCoins(feesInt);
    const total = votes.reduce((s, v) => s + v.power, 0n);
    if (total === 0n) {
      this.addToCommunityPool(ctx, fees);
      return;
    }
    let remaining = fees;
    const feeMultiplier = mulDecTruncate(fees, Dec.ONE.sub(this.getParams(ctx).communityTax));
    for (const vote of votes) {
      const v = this.staking.getValidatorByConsAddr(ctx, vote.address);
      if (v === undefined) continue;
      const reward = mulDecTruncate(feeMultiplier, Dec.fromInt(vote.power).quoTruncate(Dec.fromInt(total)));
      this.allocateTokensToValidator(ctx, v.operator, reward);
      remaining = subDecCoins(remaining, reward);
    }
    this.addToCommunityPool(ctx, remaining);
  }

  // ---- rewards -----------------------------------------------------------------------------------------------

  /** Rewards a delegation has earned since its last settlement (DecCoins, not yet truncated). */
  pendingRewards(ctx: Context, del: Uint8Array, op: Uint8Array): DecCoin[] {
    const d = this.staking.getDelegation(ctx, del, op);
    if (d === undefined) return [];
    const start = this.getCoins(ctx, startKey(op, del));
    const delta = subDecCoins(this.getRatio(ctx, op), start);
    return addDecCoins(delta.map((c) => ({ denom: c.denom, amount: c.amount.mulTruncate(d.shares) })));
  }

  /** Pays a delegation's rewards to its withdraw address; decimal change goes to the community pool. */
  withdrawDelegationRewards(ctx: Context, del: Uint8Array, op: Uint8Array): Coin[] {
    const outstanding = this.getOutstanding(ctx, op);
    const rewards = intersect(this.pendingRewards(ctx, del, op), outstanding);
    const [coins, change] = truncateDecCoins(rewards);
    if (coins.length > 0) {
      this.bank.sendCoinsFromModuleToAccount(ctx, MODULE_NAME, this.getWithdrawAddr(ctx, del), coins);
    }
    this.setOutstanding(ctx, op, subDecCoins(outstanding, rewards));
    this.addToCommunityPool(ctx, change);
    this.store(ctx).delete(startKey(op, del));
    const shown = coins.length > 0 ? coinsToString(coins) : `0${this.staking.bondDenom(ctx)}`;
    emitWithdrawRewards(ctx.events, shown, op, del);
    return coins;
  }

  /** SDK WithdrawValidatorCommission: fails with distribution 7 when there is nothing to withdraw. */
  withdrawValidatorCommission(ctx: Context, op: Uint8Array): Coin[] {
    const commission = this.getCommission(ctx, op);
    if (commission.length === 0) throw new ChainError(DistributionErrors.NoValidatorCommission);
    const [coins, change] = truncateDecCoins(commission);
    this.setCommission(ctx, op, change);
    this.setOutstanding(ctx, op, subDecCoins(this.getOutstanding(ctx, op), toDecCoins(coins)));
    if (coins.length > 0) {
      this.bank.sendCoinsFromModuleToAccount(ctx, MODULE_NAME, this.getWithdrawAddr(ctx, op), coins);
    }
    emitWithdrawCommission(ctx.events, coinsToString(coins));
    return coins;
  }

  fundCommunityPool(ctx: Context, amount: readonly Coin[], from: Uint8Array): void {
    this.bank.sendCoinsFromAccountToModule(ctx, from, MODULE_NAME, amount);
    this.addToCommunityPool(ctx, toDecCoins(amount));
  }

  setWithdrawAddrChecked(ctx: Context, del: Uint8Array, to: Uint8Array): void {
    if (this.bank.blockedAddr(to)) {
      throw new ChainError(
        SdkErrors.Unauthorized,
        `${toBech32(to)} is not allowed to receive external funds`,
      );
    }
    if (!this.getParams(ctx).withdrawAddrEnabled)
      throw new ChainError(DistributionErrors.SetWithdrawAddrDisabled);
    this.setWithdrawAddr(ctx, del, to);
  }

  // ---- staking hooks -----------------------------------------------------------------------------------------

  beforeDelegationSharesModified(ctx: Context, del: Uint8Array, op: Uint8Array): void {
    this.withdrawDelegationRewards(ctx, del, op);
  }

  afterDelegationModified(ctx: Context, del: Uint8Array, op: Uint8Array): void {
    this.store(ctx).set(startKey(op, del), encodeDecCoins(this.getRatio(ctx, op)));
  }

  /** SDK AfterValidatorRemoved: commission to the operator, everything else outstanding to the pool. */
  afterValidatorRemoved(ctx: Context, _cons: Uint8Array, op: Uint8Array): void {
    let outstanding = this.getOutstanding(ctx, op);
    // The commission's decimal change stays inside `outstanding`, which goes to the pool below.
    const [coins] = truncateDecCoins(this.getCommission(ctx, op));
    if (coins.length > 0) {
      outstanding = subDecCoins(outstanding, toDecCoins(coins));
      this.bank.sendCoinsFromModuleToAccount(ctx, MODULE_NAME, this.getWithdrawAddr(ctx, op), coins);
    }
    this.addToCommunityPool(ctx, outstanding);
    this.setOutstanding(ctx, op, []);
    this.setCommission(ctx, op, []);
    this.setRatio(ctx, op, []);
  }
}

export function decCoinsString(cs: readonly DecCoin[]): string {
  return cs.map((c) => `${c.amount.toString()}${c.denom}`).join(",");
}

/**
 * SDK ModuleAccountInvariant: the distribution account holds exactly the whole part of community pool +
 * every validator's outstanding rewards. Returns a description of the violation, or undefined.
 */
export function checkDistributionInvariant(
  k: DistributionKeeper,
  ctx: Context,
  balances: (addr: Uint8Array) => readonly Coin[],
): string | undefined {
  const all = addDecCoins(k.getCommunityPool(ctx), ...[...k.iterateOutstanding(ctx)].map(([, cs]) => cs));
  if (all.some((c) => c.amount.isNegative())) return "negative outstanding rewards";
  const [expected] = truncateDecCoins(all);
  const actual = balances(k.moduleAddress());
  if (coinsToString(expected) !== coinsToString(actual)) {
    return `distribution balance ${coinsToString(actual)} != pool + outstanding ${coinsToString(expected)}`;
  }
  for (const [op, comm] of k.iterateOutstanding(ctx, true)) {
    const out = k.getOutstanding(ctx, op);
    if (subDecCoins(out, comm).some((c) => c.amount.isNegative()))
      return "commission exceeds outstanding rewards";
  }
  return undefined;
}
