// The bank module's wiring: keeper over the auth keeper, the message types with their handlers registered in
// the tx registry, the query server, and the send-only view other modules receive.
import type { MsgMultiSend, MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import type { MsgRegistry } from "../../tx/msgRegistry.js";
import { BankKeeper, sendOnlyView, type SendKeeper } from "./keeper.js";
import type { BankAccountKeeper } from "./expectedKeepers.js";
import { MODULE_NAME } from "./keys.js";
import { MsgMultiSendType, MsgSendType } from "./msgs.js";
import { handleMsgMultiSend, handleMsgSend } from "./msgServer.js";
import { BankQueryServer } from "./queryServer.js";
import { registerSetSendEnabled } from "./sendEnabled.js";

export interface BankModule {
  readonly name: string;
  readonly keeper: BankKeeper;
  /** Hand this to compute (and any module that must not mint or burn). */
  readonly sendKeeper: SendKeeper;
  readonly query: BankQueryServer;
}

/** Builds the module and registers MsgSend/MsgMultiSend/MsgSetSendEnabled (codec + handler) in `registry`. */
export function createBankModule(
  ak: BankAccountKeeper,
  blocked: readonly Uint8Array[],
  registry: MsgRegistry,
): BankModule {
  const keeper = new BankKeeper(ak, blocked);
  registry.register<MsgSend>(MsgSendType, (ctx, msg) => handleMsgSend(keeper, ctx, msg));
  registry.register<MsgMultiSend>(MsgMultiSendType, (ctx, msg) => handleMsgMultiSend(keeper, ctx, msg));
  registerSetSendEnabled(registry, keeper);
  return { name: MODULE_NAME, keeper, sendKeeper: sendOnlyView(keeper), query: new BankQueryServer(keeper) };
}
