// Distribution queries in the grpc-gateway JSON shapes (/cosmos/distribution/v1beta1/...): delegator rewards,
// validator commission and outstanding rewards, community pool, params, withdraw address.
import { ChainError, GrpcCode, QueryError } from "../../errors.js";
import { fromBech32, toBech32 } from "../../address.js";
import type { Context } from "../../tx/context.js";
import { addDecCoins, type DecCoin } from "../staking/dec.js";
import { VALOPER_PREFIX } from "../staking/keys.js";
import type { DistributionKeeper } from "./keeper.js";

type Json = Record<string, unknown>;
const dc = (cs: readonly DecCoin[]): { denom: string; amount: string }[] =>
  cs.map((c) => ({ denom: c.denom, amount: c.amount.toString() }));

function parse(s: string, prefix?: string): Uint8Array {
  try {
    return prefix === undefined ? fromBech32(s) : fromBech32(s, "address", prefix);
  } catch (e) {
    throw new QueryError(GrpcCode.InvalidArgument, e instanceof ChainError ? e.message : "invalid address");
  }
}

export class DistributionQueryServer {
  constructor(private readonly k: DistributionKeeper) {}

  private validator(ctx: Context, s: string): Uint8Array {
    const op = parse(s, VALOPER_PREFIX);
    if (this.k.staking.getValidator(ctx, op) === undefined) {
      throw new QueryError(GrpcCode.NotFound, `validator ${s} does not exist`);
    }
    return op;
  }

  /** GET /cosmos/distribution/v1beta1/delegators/{delegator_address}/rewards */
  delegationTotalRewards(ctx: Context, delAddr: string): Json {
    const del = parse(delAddr);
    const rewards = [...this.k.staking.iterateDelegations(ctx, del)].map((d) => ({
      validator_address: toBech32(d.validator, VALOPER_PREFIX),
      reward: dc(this.k.pendingRewards(ctx, del, d.validator)),
    }));
    const total = addDecCoins(
      ...[...this.k.staking.iterateDelegations(ctx, del)].map((d) =>
        this.k.pendingRewards(ctx, del, d.validator),
      ),
    );
    return { rewards, total: dc(total) };
  }

  /** GET /cosmos/distribution/v1beta1/delegators/{delegator_address}/rewards/{validator_address} */
  delegationRewards(ctx: Context, delAddr: string, valAddr: string): Json {
    const op = this.validator(ctx, valAddr);
    const del = parse(delAddr);
    if (this.k.staking.getDelegation(ctx, del, op) === undefined) {
      throw new QueryError(GrpcCode.NotFound, "delegation does not exist");
    }
    return { rewards: dc(this.k.pendingRewards(ctx, del, op)) };
  }

  /** GET /cosmos/distribution/v1beta1/validators/{validator_address}/commission */
  validatorCommission(ctx: Context, valAddr: string): Json {
    return { commission: { commission: dc(this.k.getCommission(ctx, this.validator(ctx, valAddr))) } };
  }

  /** GET /cosmos/distribution/v1beta1/validators/{validator_address}/outstanding_rewards */
  validatorOutstandingRewards(ctx: Context, valAddr: string): Json {
    return { rewards: { rewards: dc(this.k.getOutstanding(ctx, this.validator(ctx, valAddr))) } };
  }

  /** GET /cosmos/distribution/v1beta1/validators/{validator_address} */
  validatorDistributionInfo(ctx: Context, valAddr: string): Json {
    const op = this.validator(ctx, valAddr);
    const self = new Uint8Array(op);
    return {
      operator_address: toBech32(self),
      self_bond_rewards: dc(this.k.pendingRewards(ctx, self, op)),
      commission: dc(this.k.getCommission(ctx, op)),
    };
  }

  /** GET /cosmos/distribution/v1beta1/delegators/{delegator_address}/validators */
  delegatorValidators(ctx: Context, delAddr: string): Json {
    const ds = [...this.k.staking.iterateDelegations(ctx, parse(delAddr))];
    return { validators: ds.map((d) => toBech32(d.validator, VALOPER_PREFIX)) };
  }

  /**
   * GET /cosmos/distribution/v1beta1/validators/{validator_address}/slashes. Our per-share accounting keeps no
   * slash-event records (README), so the list is always empty.
   */
  validatorSlashes(ctx: Context, valAddr: string): Json {
    this.validator(ctx, valAddr);
    return { slashes: [], pagination: { next_key: null, total: "0" } };
  }

  /** GET /cosmos/distribution/v1beta1/community_pool */
  communityPool(ctx: Context): Json {
    return { pool: dc(this.k.getCommunityPool(ctx)) };
  }

  /** GET /cosmos/distribution/v1beta1/params (proposer rewards are deprecated and always zero in v0.50). */
  params(ctx: Context): Json {
    const p = this.k.getParams(ctx);
    return {
      params: {
        community_tax: p.communityTax.toString(),
        base_proposer_reward: "0.000000000000000000",
        bonus_proposer_reward: "0.000000000000000000",
        withdraw_addr_enabled: p.withdrawAddrEnabled,
      },
    };
  }

  /** GET /cosmos/distribution/v1beta1/delegators/{delegator_address}/withdraw_address */
  withdrawAddress(ctx: Context, delAddr: string): Json {
    return { withdraw_address: toBech32(this.k.getWithdrawAddr(ctx, parse(delAddr))) };
  }
}
