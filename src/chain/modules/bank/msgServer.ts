// Bank message handlers: thin (parse, check, call keeper). Events come from the keeper (coin_spent,
// coin_received, transfer, message.sender); runTx adds the baseapp `message` event and msg_index.
import type { MsgMultiSend, MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { ChainError, SdkErrors } from "../../errors.js";
import { toBech32 } from "../../address.js";
import type { Context } from "../../tx/context.js";
import type { MsgResult } from "../../tx/msgRegistry.js";
import type { BankKeeper } from "./keeper.js";
import {
  MSG_MULTI_SEND_RESPONSE_TYPE_URL,
  MSG_SEND_RESPONSE_TYPE_URL,
  parseMsgMultiSend,
  parseMsgSend,
} from "./msgs.js";

function assertNotBlocked(k: BankKeeper, addr: Uint8Array): void {
  if (k.blockedAddr(addr))
    throw new ChainError(SdkErrors.Unauthorized, `${toBech32(addr)} is not allowed to receive funds`);
}

/** MsgSend: fails when addresses/coins are invalid, sends are disabled, the recipient is blocked or funds short. */
export function handleMsgSend(k: BankKeeper, ctx: Context, msg: MsgSend): MsgResult {
  const m = parseMsgSend(msg);
  k.isSendEnabledCoins(ctx, m.amount);
  assertNotBlocked(k, m.to);
  k.sendCoins(ctx, m.from, m.to, m.amount);
  return { responseTypeUrl: MSG_SEND_RESPONSE_TYPE_URL, response: new Uint8Array() };
}

/** MsgMultiSend: as MsgSend, plus exactly one input, ≥1 output and input sum == output sum. */
export function handleMsgMultiSend(k: BankKeeper, ctx: Context, msg: MsgMultiSend): MsgResult {
  const m = parseMsgMultiSend(msg);
  k.isSendEnabledCoins(ctx, m.input.coins);
  for (const o of m.outputs) assertNotBlocked(k, o.address);
  k.inputOutputCoins(ctx, m.input, m.outputs);
  return { responseTypeUrl: MSG_MULTI_SEND_RESPONSE_TYPE_URL, response: new Uint8Array() };
}
