// Message types of the bank module for the tx registry: codecs (cosmjs-types), signers, stateless checks
// (SDK v0.50 ValidateBasic, now in the msg server) and REST JSON.
import { MsgSend, MsgMultiSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { ChainError, SdkErrors } from "../../errors.js";
import { fromBech32 } from "../../address.js";
import { addCoins, coinsToString, parseCoins, type Coin, type CoinWire } from "../../tx/coins.js";
import type { MsgType } from "../../tx/msgRegistry.js";
import { readerOver } from "../../tx/proto.js";
import { BankErrors } from "./errors.js";
import { MODULE_NAME } from "./keys.js";

export const MSG_SEND_TYPE_URL = "/cosmos.bank.v1beta1.MsgSend";
export const MSG_MULTI_SEND_TYPE_URL = "/cosmos.bank.v1beta1.MsgMultiSend";
export const MSG_SEND_RESPONSE_TYPE_URL = "/cosmos.bank.v1beta1.MsgSendResponse";
export const MSG_MULTI_SEND_RESPONSE_TYPE_URL = "/cosmos.bank.v1beta1.MsgMultiSendResponse";

/** A send's parsed, validated form. */
export interface ParsedSend {
  readonly from: Uint8Array;
  readonly to: Uint8Array;
  readonly amount: Coin[];
}

export interface ParsedMultiSend {
  readonly input: { address: Uint8Array; coins: Coin[] };
  readonly outputs: { address: Uint8Array; coins: Coin[] }[];
}

function addr(s: string, what: string): Uint8Array {
  try {
    return fromBech32(s, what);
  } catch (e) {
    throw new ChainError(
      SdkErrors.InvalidAddress,
      `invalid ${what} address: ${e instanceof Error ? e.message : ""}`,
    );
  }
}

/** Valid, sorted, all-positive, non-empty coins (SDK: !IsValid() || !IsAllPositive() -> invalid coins). */
function positiveCoins(list: readonly CoinWire[], field: string): Coin[] {
  const coins = parseCoins(list, field);
  if (coins.length === 0) throw new ChainError(SdkErrors.InvalidCoins, `${field}: empty coins`);
  return coins;
}

export function parseMsgSend(m: MsgSend): ParsedSend {
  return {
    from: addr(m.fromAddress, "from"),
    to: addr(m.toAddress, "to"),
    amount: positiveCoins(m.amount, "amount"),
  };
}

/** SDK v0.50 MultiSend checks: exactly one input, at least one output, sums equal. */
export function parseMsgMultiSend(m: MsgMultiSend): ParsedMultiSend {
  if (m.inputs.length === 0) throw new ChainError(BankErrors.NoInputs);
  if (m.inputs.length !== 1) throw new ChainError(BankErrors.MultipleSenders);
  if (m.outputs.length === 0) throw new ChainError(BankErrors.NoOutputs);
  const i0 = m.inputs[0]!;
  const input = { address: addr(i0.address, "input"), coins: positiveCoins(i0.coins, "input coins") };
  const outputs = m.outputs.map((o) => ({
    address: addr(o.address, "output"),
    coins: positiveCoins(o.coins, "output coins"),
  }));
  const sum = addCoins(...outputs.map((o) => o.coins));
  if (coinsToString(sum) !== coinsToString(input.coins)) throw new ChainError(BankErrors.InputOutputMismatch);
  return { input, outputs };
}

const coinJson = (c: { denom: string; amount: string }): CoinWire => ({ denom: c.denom, amount: c.amount });

export const MsgSendType: MsgType<MsgSend> = {
  typeUrl: MSG_SEND_TYPE_URL,
  module: MODULE_NAME,
  // readerOver: no copy of the input (both messages hold only strings, so nothing decoded aliases it) and
  // strings through InterningReader (../../tx/internedStrings.ts): the same values and errors as cosmjs-types'.
  decode: (b) => MsgSend.decode(readerOver(b)),
  encode: (m) => MsgSend.encode(m).finish(),
  signers: (m) => [addr(m.fromAddress, "from")],
  validateBasic: (m) => {
    parseMsgSend(m);
  },
  toJson: (m) => ({ from_address: m.fromAddress, to_address: m.toAddress, amount: m.amount.map(coinJson) }),
  toAmino: (m) => ({
    type: "cosmos-sdk/MsgSend",
    value: { from_address: m.fromAddress, to_address: m.toAddress, amount: m.amount.map(coinJson) },
  }),
};

export const MsgMultiSendType: MsgType<MsgMultiSend> = {
  typeUrl: MSG_MULTI_SEND_TYPE_URL,
  module: MODULE_NAME,
  decode: (b) => MsgMultiSend.decode(readerOver(b)),
  encode: (m) => MsgMultiSend.encode(m).finish(),
  // cosmos.msg.v1.signer = "inputs": every input address signs (only one input is allowed).
  signers: (m) => m.inputs.map((i) => addr(i.address, "input")),
  validateBasic: (m) => {
    parseMsgMultiSend(m);
  },
  toJson: (m) => ({
    inputs: m.inputs.map((i) => ({ address: i.address, coins: i.coins.map(coinJson) })),
    outputs: m.outputs.map((o) => ({ address: o.address, coins: o.coins.map(coinJson) })),
  }),
  toAmino: (m) => ({
    type: "cosmos-sdk/MsgMultiSend",
    value: {
      inputs: m.inputs.map((i) => ({ address: i.address, coins: i.coins.map(coinJson) })),
      outputs: m.outputs.map((o) => ({ address: o.address, coins: o.coins.map(coinJson) })),
    },
  }),
};
