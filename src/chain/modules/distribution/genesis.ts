// Distribution genesis: params, community pool, withdraw addresses, and per-validator outstanding rewards,
// commission, reward-per-share ratios and each delegation's starting ratio. Not the SDK's F1 record set (see
// README): our accounting is per share, so these are the records that carry pending rewards across.
import { fromBech32, toBech32 } from "../../address.js";
import type { Context } from "../../tx/context.js";
import { Dec, type DecCoin } from "../staking/dec.js";
import { VALOPER_PREFIX } from "../staking/keys.js";
import type { DistributionKeeper } from "./keeper.js";

type DecCoinJson = { denom: string; amount: string };
type ValCoins = { validator_address: string; coins: readonly DecCoinJson[] };

export interface DistributionGenesis {
  readonly params?: { community_tax: string; withdraw_addr_enabled: boolean };
  readonly fee_pool?: { community_pool: readonly DecCoinJson[] };
  readonly delegator_withdraw_infos?: readonly { delegator_address: string; withdraw_address: string }[];
  readonly outstanding_rewards?: readonly ValCoins[];
  readonly validator_accumulated_commissions?: readonly ValCoins[];
  readonly reward_ratios?: readonly ValCoins[];
  readonly delegator_starting_infos?: readonly {
    validator_address: string;
    delegator_address: string;
    coins: readonly DecCoinJson[];
  }[];
}

const fromJson = (cs: readonly DecCoinJson[]): DecCoin[] =>
  cs.map((c) => ({ denom: c.denom, amount: Dec.fromString(c.amount) }));
const toJson = (cs: readonly DecCoin[]): DecCoinJson[] =>
  cs.map((c) => ({ denom: c.denom, amount: c.amount.toString() }));

export function initDistributionGenesis(ctx: Context, k: DistributionKeeper, g: DistributionGenesis): void {
  if (g.params !== undefined) {
    k.setParams(ctx, {
      communityTax: Dec.fromString(g.params.community_tax),
      withdrawAddrEnabled: g.params.withdraw_addr_enabled,
    });
  }
  k.setCommunityPool(ctx, fromJson(g.fee_pool?.community_pool ?? []));
  for (const w of g.delegator_withdraw_infos ?? []) {
    k.setWithdrawAddr(ctx, fromBech32(w.delegator_address), fromBech32(w.withdraw_address));
  }
  for (const o of g.outstanding_rewards ?? []) {
    k.setOutstanding(ctx, fromBech32(o.validator_address, "validator", VALOPER_PREFIX), fromJson(o.coins));
  }
  for (const c of g.validator_accumulated_commissions ?? []) {
    k.setCommission(ctx, fromBech32(c.validator_address, "validator", VALOPER_PREFIX), fromJson(c.coins));
  }
  for (const r of g.reward_ratios ?? []) {
    k.setRatio(ctx, fromBech32(r.validator_address, "validator", VALOPER_PREFIX), fromJson(r.coins));
  }
  for (const d of g.delegator_starting_infos ?? []) {
    const op = fromBech32(d.validator_address, "validator", VALOPER_PREFIX);
    k.setStart(ctx, op, fromBech32(d.delegator_address), fromJson(d.coins));
  }
}

/** Export for a restart at the same state: pending rewards survive through ratios and starting ratios. */
export function exportDistributionGenesis(ctx: Context, k: DistributionKeeper): DistributionGenesis {
  const p = k.getParams(ctx);
  return {
    params: { community_tax: p.communityTax.toString(), withdraw_addr_enabled: p.withdrawAddrEnabled },
    fee_pool: { community_pool: toJson(k.getCommunityPool(ctx)) },
    delegator_withdraw_infos: [...k.iterateWithdrawAddrs(ctx)].map(([d, w]) => ({
      delegator_address: toBech32(d),
      withdraw_address: toBech32(w),
    })),
    outstanding_rewards: [...k.iterateOutstanding(ctx)].map(([op, cs]) => ({
      validator_address: toBech32(op, VALOPER_PREFIX),
      coins: toJson(cs),
    })),
    validator_accumulated_commissions: [...k.iterateOutstanding(ctx, true)].map(([op, cs]) => ({
      validator_address: toBech32(op, VALOPER_PREFIX),
      coins: toJson(cs),
    })),
    reward_ratios: [...k.iterateRatios(ctx)].map(([op, cs]) => ({
      validator_address: toBech32(op, VALOPER_PREFIX),
      coins: toJson(cs),
    })),
    delegator_starting_infos: [...k.iterateStarts(ctx)].map(([op, del, cs]) => ({
      validator_address: toBech32(op, VALOPER_PREFIX),
      delegator_address: toBech32(del),
      coins: toJson(cs),
    })),
  };
}
