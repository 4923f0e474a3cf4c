// Distribution message types for the tx registry: codecs (cosmjs-types), signers, stateless checks, JSON.
import {
  MsgFundCommunityPool,
  MsgSetWithdrawAddress,
  MsgWithdrawDelegatorReward,
  MsgWithdrawValidatorCommission,
} from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { ChainError, SdkErrors } from "../../errors.js";
import { parseCoins, type CoinWire } from "../../tx/coins.js";
import type { MsgType } from "../../tx/msgRegistry.js";
import { accAddr, valAddr } from "../staking/msgs.js";
import { MODULE_NAME } from "./keys.js";

const coinJson = (c: CoinWire): CoinWire => ({ denom: c.denom, amount: c.amount });

export const MsgSetWithdrawAddressType: MsgType<MsgSetWithdrawAddress> = {
  typeUrl: "/cosmos.distribution.v1beta1.MsgSetWithdrawAddress",
  module: MODULE_NAME,
  decode: (b) => MsgSetWithdrawAddress.decode(b),
  encode: (m) => MsgSetWithdrawAddress.encode(m).finish(),
  signers: (m) => [accAddr(m.delegatorAddress, "delegator")],
  validateBasic: (m) => {
    accAddr(m.delegatorAddress, "delegator");
    accAddr(m.withdrawAddress, "withdraw");
  },
  toJson: (m) => ({ delegator_address: m.delegatorAddress, withdraw_address: m.withdrawAddress }),
  toAmino: (m) => ({
    type: "cosmos-sdk/MsgModifyWithdrawAddress",
    value: { delegator_address: m.delegatorAddress, withdraw_address: m.withdrawAddress },
  }),
};

export const MsgWithdrawDelegatorRewardType: MsgType<MsgWithdrawDelegatorReward> = {
  typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward",
  module: MODULE_NAME,
  decode: (b) => MsgWithdrawDelegatorReward.decode(b),
  encode: (m) => MsgWithdrawDelegatorReward.encode(m).finish(),
  signers: (m) => [accAddr(m.delegatorAddress, "delegator")],
  validateBasic: (m) => {
    accAddr(m.delegatorAddress, "delegator");
    valAddr(m.validatorAddress);
  },
  toJson: (m) => ({ delegator_address: m.delegatorAddress, validator_address: m.validatorAddress }),
  toAmino: (m) => ({
    type: "cosmos-sdk/MsgWithdrawDelegationReward",
    value: { delegator_address: m.delegatorAddress, validator_address: m.validatorAddress },
  }),
};

export const MsgWithdrawValidatorCommissionType: MsgType<MsgWithdrawValidatorCommission> = {
  typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission",
  module: MODULE_NAME,
  decode: (b) => MsgWithdrawValidatorCommission.decode(b),
  encode: (m) => MsgWithdrawValidatorCommission.encode(m).finish(),
  signers: (m) => [valAddr(m.validatorAddress)],
  validateBasic: (m) => {
    valAddr(m.validatorAddress);
  },
  toJson: (m) => ({ validator_address: m.validatorAddress }),
  toAmino: (m) => ({
    type: "cosmos-sdk/MsgWithdrawValCommission",
    value: { validator_address: m.validatorAddress },
  }),
};

export function validateFundCommunityPool(m: MsgFundCommunityPool): void {
  accAddr(m.depositor, "depositor");
  const coins = parseCoins(m.amount, "amount");
  if (coins.length === 0) throw new ChainError(SdkErrors.InvalidCoins, "amount: empty coins");
}

export const MsgFundCommunityPoolType: MsgType<MsgFundCommunityPool> = {
  typeUrl: "/cosmos.distribution.v1beta1.MsgFundCommunityPool",
  module: MODULE_NAME,
  decode: (b) => MsgFundCommunityPool.decode(b),
  encode: (m) => MsgFundCommunityPool.encode(m).finish(),
  signers: (m) => [accAddr(m.depositor, "depositor")],
  validateBasic: validateFundCommunityPool,
  toJson: (m) => ({ amount: m.amount.map(coinJson), depositor: m.depositor }),
  toAmino: (m) => ({
    type: "cosmos-sdk/MsgFundCommunityPool",
    value: { amount: m.amount.map(coinJson), depositor: m.depositor },
  }),
};
