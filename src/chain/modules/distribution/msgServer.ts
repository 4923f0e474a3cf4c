// Distribution message handlers (SDK v0.50 x/distribution/keeper/msg_server.go): thin wrappers over the keeper.
import {
  MsgWithdrawDelegatorRewardResponse,
  MsgWithdrawValidatorCommissionResponse,
  type MsgFundCommunityPool,
  type MsgSetWithdrawAddress,
  type MsgWithdrawDelegatorReward,
  type MsgWithdrawValidatorCommission,
} from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { ChainError } from "../../errors.js";
import { coinsToWire, parseCoins } from "../../tx/coins.js";
import type { Context } from "../../tx/context.js";
import type { MsgResult } from "../../tx/msgRegistry.js";
import { accAddr, valAddr } from "../staking/msgs.js";
import { DistributionErrors } from "./errors.js";
import { emitSetWithdrawAddress } from "./events.js";
import type { DistributionKeeper } from "./keeper.js";
import { validateFundCommunityPool } from "./msgs.js";

const empty = (typeUrl: string): MsgResult => ({ responseTypeUrl: typeUrl, response: new Uint8Array() });

export function handleSetWithdrawAddress(
  k: DistributionKeeper,
  ctx: Context,
  m: MsgSetWithdrawAddress,
): MsgResult {
  const del = accAddr(m.delegatorAddress, "delegator");
  const to = accAddr(m.withdrawAddress, "withdraw");
  k.setWithdrawAddrChecked(ctx, del, to);
  emitSetWithdrawAddress(ctx.events, to);
  return empty("/cosmos.distribution.v1beta1.MsgSetWithdrawAddressResponse");
}

/** Fails when the validator (distribution 6) or the delegation (distribution 5) does not exist. */
export function handleWithdrawDelegatorReward(
  k: DistributionKeeper,
  ctx: Context,
  m: MsgWithdrawDelegatorReward,
): MsgResult {
  const del = accAddr(m.delegatorAddress, "delegator");
  const op = valAddr(m.validatorAddress);
  if (k.staking.getValidator(ctx, op) === undefined)
    throw new ChainError(DistributionErrors.NoValidatorDistInfo);
  if (k.staking.getDelegation(ctx, del, op) === undefined) {
    throw new ChainError(DistributionErrors.EmptyDelegationDistInfo);
  }
  const coins = k.withdrawDelegationRewards(ctx, del, op);
  k.afterDelegationModified(ctx, del, op);
  const response = MsgWithdrawDelegatorRewardResponse.encode({ amount: coinsToWire(coins) }).finish();
  return { responseTypeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorRewardResponse", response };
}

export function handleWithdrawValidatorCommission(
  k: DistributionKeeper,
  ctx: Context,
  m: MsgWithdrawValidatorCommission,
): MsgResult {
  const coins = k.withdrawValidatorCommission(ctx, valAddr(m.validatorAddress));
  const response = MsgWithdrawValidatorCommissionResponse.encode({ amount: coinsToWire(coins) }).finish();
  return { responseTypeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommissionResponse", response };
}

export function handleFundCommunityPool(
  k: DistributionKeeper,
  ctx: Context,
  m: MsgFundCommunityPool,
): MsgResult {
  validateFundCommunityPool(m);
  k.fundCommunityPool(ctx, parseCoins(m.amount, "amount"), accAddr(m.depositor, "depositor"));
  return empty("/cosmos.distribution.v1beta1.MsgFundCommunityPoolResponse");
}
