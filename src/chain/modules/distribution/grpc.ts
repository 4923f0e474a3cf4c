// Distribution gRPC query methods over ABCI Query: protobuf in, the JSON query server's checks, protobuf out.
// DecCoin amounts are LegacyDec atomics, as gogoproto marshals them.
import {
  QueryCommunityPoolResponse,
  QueryDelegationRewardsRequest,
  QueryDelegationRewardsResponse,
  QueryDelegationTotalRewardsRequest,
  QueryDelegationTotalRewardsResponse,
  QueryDelegatorWithdrawAddressRequest,
  QueryDelegatorWithdrawAddressResponse,
  QueryParamsResponse,
  QueryValidatorCommissionRequest,
  QueryValidatorCommissionResponse,
  QueryValidatorOutstandingRewardsRequest,
  QueryValidatorOutstandingRewardsResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/query";
import { fromBech32, toBech32 } from "../../address.js";
import { addDecCoins, type DecCoin } from "../staking/dec.js";
import { decodeRequest, type GrpcHandler } from "../staking/grpc.js";
import { VALOPER_PREFIX } from "../staking/keys.js";
import type { DistributionKeeper } from "./keeper.js";
import type { DistributionQueryServer } from "./queryServer.js";

const D = "/cosmos.distribution.v1beta1.Query/";
const dc = (cs: readonly DecCoin[]): { denom: string; amount: string }[] =>
  cs.map((c) => ({ denom: c.denom, amount: c.amount.toAtomics() }));
const val = (s: string): Uint8Array => fromBech32(s, "validator", VALOPER_PREFIX);

export function distributionGrpc(
  k: DistributionKeeper,
  q: DistributionQueryServer,
): Record<string, GrpcHandler> {
  return {
    [`${D}DelegationRewards`]: (ctx, data) => {
      const r = decodeRequest((b) => QueryDelegationRewardsRequest.decode(b), data);
      q.delegationRewards(ctx, r.delegatorAddress, r.validatorAddress);
      const rewards = k.pendingRewards(ctx, fromBech32(r.delegatorAddress), val(r.validatorAddress));
      return QueryDelegationRewardsResponse.encode({ rewards: dc(rewards) }).finish();
    },
    [`${D}DelegationTotalRewards`]: (ctx, data) => {
      const { delegatorAddress } = decodeRequest((b) => QueryDelegationTotalRewardsRequest.decode(b), data);
      q.delegationTotalRewards(ctx, delegatorAddress);
      const del = fromBech32(delegatorAddress);
      const each = [...k.staking.iterateDelegations(ctx, del)].map((d) => ({
        validatorAddress: toBech32(d.validator, VALOPER_PREFIX),
        reward: k.pendingRewards(ctx, del, d.validator),
      }));
      return QueryDelegationTotalRewardsResponse.encode({
        rewards: each.map((e) => ({ validatorAddress: e.validatorAddress, reward: dc(e.reward) })),
        total: dc(addDecCoins(...each.map((e) => e.reward))),
      }).finish();
    },
    [`${D}ValidatorCommission`]: (ctx, data) => {
      const { validatorAddress } = decodeRequest((b) => QueryValidatorCommissionRequest.decode(b), data);
      q.validatorCommission(ctx, validatorAddress);
      const commission = dc(k.getCommission(ctx, val(validatorAddress)));
      return QueryValidatorCommissionResponse.encode({ commission: { commission } }).finish();
    },
    [`${D}ValidatorOutstandingRewards`]: (ctx, data) => {
      const { validatorAddress } = decodeRequest(
        (b) => QueryValidatorOutstandingRewardsRequest.decode(b),
        data,
      );
      q.validatorOutstandingRewards(ctx, validatorAddress);
      const rewards = dc(k.getOutstanding(ctx, val(validatorAddress)));
      return QueryValidatorOutstandingRewardsResponse.encode({ rewards: { rewards } }).finish();
    },
    [`${D}CommunityPool`]: (ctx) =>
      QueryCommunityPoolResponse.encode({ pool: dc(k.getCommunityPool(ctx)) }).finish(),
    [`${D}Params`]: (ctx) => {
      const p = k.getParams(ctx);
      return QueryParamsResponse.encode({
        params: {
          communityTax: p.communityTax.toAtomics(),
          // Deprecated in v0.50 and always zero, but still wire fields clients decode.
          // eslint-disable-next-line @typescript-eslint/no-deprecated
          baseProposerReward: "0",
          // eslint-disable-next-line @typescript-eslint/no-deprecated
          bonusProposerReward: "0",
          withdrawAddrEnabled: p.withdrawAddrEnabled,
        },
      }).finish();
    },
    [`${D}DelegatorWithdrawAddress`]: (ctx, data) => {
      const { delegatorAddress } = decodeRequest((b) => QueryDelegatorWithdrawAddressRequest.decode(b), data);
      const r = q.withdrawAddress(ctx, delegatorAddress) as { withdraw_address: string };
      return QueryDelegatorWithdrawAddressResponse.encode({ withdrawAddress: r.withdraw_address }).finish();
    },
  };
}
