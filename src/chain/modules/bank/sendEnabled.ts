// MsgSetSendEnabled (cosmos-sdk v0.50 x/bank/keeper/msg_server.go SetSendEnabled): governance sets or clears
// per-denom send flags; signer = authority = the gov module account (gov 13 otherwise, as bank wraps gov's
// ErrInvalidSigner).
import { MsgSetSendEnabled } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { ChainError, SdkErrors } from "../../errors.js";
import { isValidDenom } from "../../tx/coins.js";
import type { Context } from "../../tx/context.js";
import type { MsgRegistry } from "../../tx/msgRegistry.js";
import { registerUpdateParams } from "../gov/authority.js";
import type { BankKeeper } from "./keeper.js";
import { MODULE_NAME } from "./keys.js";

export const MSG_SET_SEND_ENABLED_TYPE_URL = "/cosmos.bank.v1beta1.MsgSetSendEnabled";

const invalid = (detail: string): ChainError => new ChainError(SdkErrors.InvalidRequest, detail);

/** Checks every entry first (nothing is written when one is bad), then sets the flags, then clears. */
export function applySetSendEnabled(k: BankKeeper, ctx: Context, m: MsgSetSendEnabled): void {
  const seen = new Set<string>();
  for (const se of m.sendEnabled) {
    if (seen.has(se.denom)) throw invalid(`duplicate denom entries found for "${se.denom}"`);
    seen.add(se.denom);
    if (!isValidDenom(se.denom)) {
      throw invalid(`invalid SendEnabled denom "${se.denom}": invalid denom: ${se.denom}`);
    }
  }
  for (const d of m.useDefaultFor) {
    if (!isValidDenom(d)) throw invalid(`invalid UseDefaultFor denom "${d}": invalid denom: ${d}`);
  }
  for (const se of m.sendEnabled) k.setSendEnabled(ctx, se.denom, se.enabled);
  for (const d of m.useDefaultFor) k.deleteSendEnabled(ctx, d);
}

export function registerSetSendEnabled(registry: MsgRegistry, k: BankKeeper): void {
  registerUpdateParams<MsgSetSendEnabled>(registry, {
    typeUrl: MSG_SET_SEND_ENABLED_TYPE_URL,
    responseTypeUrl: "/cosmos.bank.v1beta1.MsgSetSendEnabledResponse",
    module: MODULE_NAME,
    decode: (b) => MsgSetSendEnabled.decode(b),
    encode: (m) => MsgSetSendEnabled.encode(m).finish(),
    toJson: (m) => MsgSetSendEnabled.toJSON(m),
    apply: (ctx, m) => {
      applySetSendEnabled(k, ctx, m);
    },
  });
}
