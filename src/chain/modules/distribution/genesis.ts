// Distribution genesis: params, community pool, withdraw addresses, and per-validator outstanding rewards,
// commission and reward-per-share ratios. Not the SDK's F1 record set (see README): our accounting differs.
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
}

/**
 * Export for a restart at the same state. Pending delegator rewards are not exported as records: export after
 * withdrawing them, or they fold into outstanding rewards that go to the community pool on validator removal.
 */
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
  };
}
