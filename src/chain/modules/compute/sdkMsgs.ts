// A contract's staking, distribution, gov and Stargate messages as SDK messages, run from the contract's account
// through the same handlers txs use (SN x/compute/internal/keeper/handler_plugin.go: the Encode*Msg encoders,
// then handleSdkMessage: ValidateBasic, every signer must be the contract, route to the module's handler).
import {
  MsgSetWithdrawAddress,
  MsgWithdrawDelegatorReward,
} from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { MsgVote } from "cosmjs-types/cosmos/gov/v1/tx";
import { MsgBeginRedelegate, MsgDelegate, MsgUndelegate } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { equalBytes, fromBase64 } from "../../../util/bytes.js";
import { fromBech32, toBech32 } from "../../address.js";
import { ChainError, SdkErrors } from "../../errors.js";
import type { Context } from "../../tx/context.js";
import type { MsgRegistry } from "../../tx/msgRegistry.js";
import { VALOPER_PREFIX } from "../staking/keys.js";
import { ComputeErrors } from "./errors.js";
import { isObj, u64Field, type J } from "./json.js";

/** One SDK message: its type URL and protobuf bytes (decoded by the registry, as a tx's messages are). */
interface SdkMsg {
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** SN: sdk.ValAddressFromBech32 → ErrInvalidAddress.Wrap(addr). */
function valoper(v: unknown): string {
  const s = str(v);
  try {
    fromBech32(s, "validator", VALOPER_PREFIX);
  } catch {
    throw new ChainError(SdkErrors.InvalidAddress, s);
  }
  return s;
}

/** SN convertWasmCoinToSdkCoin: the amount must be an integer (`math.NewIntFromString`), else ErrInvalidCoins. */
function coin(v: unknown): { denom: string; amount: string } {
  const c = isObj(v) ? v : {};
  const amount = str(c.amount);
  if (!/^-?[0-9]{1,78}$/.test(amount)) throw new ChainError(SdkErrors.InvalidCoins, amount + str(c.denom));
  return { denom: str(c.denom), amount };
}

function stakingMsgs(sender: string, m: J): SdkMsg[] {
  if (isObj(m.delegate)) {
    const d = m.delegate;
    const msg = { delegatorAddress: sender, validatorAddress: valoper(d.validator), amount: coin(d.amount) };
    return [{ typeUrl: "/cosmos.staking.v1beta1.MsgDelegate", value: MsgDelegate.encode(msg).finish() }];
  }
  if (isObj(m.redelegate)) {
    const d = m.redelegate;
    const msg = {
      delegatorAddress: sender,
      validatorSrcAddress: valoper(d.src_validator),
      validatorDstAddress: valoper(d.dst_validator),
      amount: coin(d.amount),
    };
    return [
      {
        typeUrl: "/cosmos.staking.v1beta1.MsgBeginRedelegate",
        value: MsgBeginRedelegate.encode(msg).finish(),
      },
    ];
  }
  if (isObj(m.undelegate)) {
    const d = m.undelegate;
    const msg = { delegatorAddress: sender, validatorAddress: valoper(d.validator), amount: coin(d.amount) };
    return [{ typeUrl: "/cosmos.staking.v1beta1.MsgUndelegate", value: MsgUndelegate.encode(msg).finish() }];
  }
  if (isObj(m.withdraw)) {
    // v0.10's StakingMsg::Withdraw: set the withdraw address (the recipient, else the contract), then withdraw.
    const d = m.withdraw;
    let recipient = sender;
    if (typeof d.recipient === "string" && d.recipient !== "") {
      try {
        fromBech32(d.recipient, "recipient");
      } catch {
        throw new ChainError(SdkErrors.InvalidAddress, d.recipient);
      }
      recipient = d.recipient;
    }
    const validatorAddress = valoper(d.validator);
    return [
      setWithdrawAddress(sender, recipient),
      {
        typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward",
        value: MsgWithdrawDelegatorReward.encode({ delegatorAddress: sender, validatorAddress }).finish(),
      },
    ];
  }
  throw new ChainError(ComputeErrors.InvalidMsg, "Unknown variant of Staking");
}

function setWithdrawAddress(sender: string, to: string): SdkMsg {
  return {
    typeUrl: "/cosmos.distribution.v1beta1.MsgSetWithdrawAddress",
    value: MsgSetWithdrawAddress.encode({ delegatorAddress: sender, withdrawAddress: to }).finish(),
  };
}

function distributionMsgs(sender: string, m: J): SdkMsg[] {
  if (isObj(m.set_withdraw_address)) return [setWithdrawAddress(sender, str(m.set_withdraw_address.address))];
  if (isObj(m.withdraw_delegator_reward)) {
    const msg = { delegatorAddress: sender, validatorAddress: str(m.withdraw_delegator_reward.validator) };
    return [
      {
        typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward",
        value: MsgWithdrawDelegatorReward.encode(msg).finish(),
      },
    ];
  }
  throw new ChainError(ComputeErrors.UnknownMsg, "unknown variant of Distribution");
}

/** SN VoteOptionMap: cosmwasm's snake_case options → gov v1 options; anything else fails as SN's parse does. */
const VOTE_OPTIONS: Readonly<Record<string, VoteOption>> = {
  yes: VoteOption.VOTE_OPTION_YES,
  abstain: VoteOption.VOTE_OPTION_ABSTAIN,
  no: VoteOption.VOTE_OPTION_NO,
  no_with_veto: VoteOption.VOTE_OPTION_NO_WITH_VETO,
};

function govMsgs(sender: string, m: J): SdkMsg[] {
  if (!isObj(m.vote)) throw new ChainError(ComputeErrors.InvalidMsg, "Unknown variant of Gov");
  const option = VOTE_OPTIONS[str(m.vote.vote)];
  if (option === undefined)
    throw new ChainError(SdkErrors.InvalidRequest, `'${str(m.vote.vote)}' is not a valid vote option`);
  const msg = {
    proposalId: u64Field(m.vote.proposal_id, "proposal_id"),
    voter: sender,
    option,
    metadata: "",
  };
  return [{ typeUrl: "/cosmos.gov.v1.MsgVote", value: MsgVote.encode(msg).finish() }];
}

function stargateMsgs(m: J): SdkMsg[] {
  const typeUrl = str(m.type_url);
  let value: Uint8Array;
  try {
    value = fromBase64(str(m.value), "value");
  } catch {
    throw new ChainError(ComputeErrors.InvalidMsg, `Cannot unpack proto message with type URL: ${typeUrl}`);
  }
  return [{ typeUrl, value }];
}

/** The SDK messages a contract's CosmosMsg of these kinds stands for; undefined for any other kind. */
export function encodeContractSdkMsgs(contract: Uint8Array, msg: J): SdkMsg[] | undefined {
  if (isObj(msg.staking)) return stakingMsgs(toBech32(contract), msg.staking);
  if (isObj(msg.distribution)) return distributionMsgs(toBech32(contract), msg.distribution);
  if (isObj(msg.gov)) return govMsgs(toBech32(contract), msg.gov);
  if (isObj(msg.stargate)) return stargateMsgs(msg.stargate);
  return undefined;
}

/**
 * SN handleSdkMessage for each message in order: decode as a tx's message would be, ValidateBasic, every signer
 * must be the contract ("contract doesn't have permission"), then the module's handler in `ctx`. Returns the
 * first message's response bytes (SN DispatchSubmessages hands `data[0]` to a reply).
 */
export function runContractSdkMsgs(
  registry: MsgRegistry,
  ctx: Context,
  contract: Uint8Array,
  msgs: readonly SdkMsg[],
): Uint8Array | undefined {
  let first: Uint8Array | undefined;
  for (const m of msgs) {
    const type = registry.type(m.typeUrl);
    const handler = registry.handler(m.typeUrl);
    if (type === undefined || handler === undefined)
      throw new ChainError(
        ComputeErrors.InvalidMsg,
        `Cannot unpack proto message with type URL: ${m.typeUrl}`,
      );
    let value: unknown;
    try {
      value = type.decode(m.value);
    } catch {
      throw new ChainError(
        ComputeErrors.InvalidMsg,
        `Cannot unpack proto message with type URL: ${m.typeUrl}`,
      );
    }
    type.validateBasic(value);
    for (const s of type.signers(value))
      if (!equalBytes(s, contract))
        throw new ChainError(SdkErrors.Unauthorized, "contract doesn't have permission");
    const res = handler(ctx, value);
    first ??= res.response;
  }
  return first;
}
