// Slashing message handlers: MsgUnjail (SDK v0.50 x/slashing/keeper/msg_server.go).
import type { MsgUnjail } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import type { Context } from "../../tx/context.js";
import type { MsgResult } from "../../tx/msgRegistry.js";
import { valAddr } from "../staking/msgs.js";
import type { SlashingKeeper } from "./keeper.js";

/** Fails with slashing 2, 6, 7, 5 or 4 (see README). */
export function handleUnjail(k: SlashingKeeper, ctx: Context, m: MsgUnjail): MsgResult {
  k.unjail(ctx, valAddr(m.validatorAddr));
  return { responseTypeUrl: "/cosmos.slashing.v1beta1.MsgUnjailResponse", response: new Uint8Array() };
}
