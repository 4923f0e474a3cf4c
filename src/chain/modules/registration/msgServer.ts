// Registration message handler: thin (parse, call keeper, emit the event, answer as Secret does).
import { toHex } from "../../../util/bytes.js";
import { toBech32 } from "../../address.js";
import type { Context } from "../../tx/context.js";
import type { MsgResult } from "../../tx/msgRegistry.js";
import { emitRegistered, eventsJson } from "./events.js";
import type { RegistrationKeeper } from "./keeper.js";
import { encodeMsgRaAuthenticateResponse, REGISTRATION_TYPE_URLS, type MsgRaAuthenticate } from "./proto.js";

/**
 * MsgRaAuthenticate (SN msg_server.go RegisterAuth): fails when the certificate is empty (sdk 18, validateBasic)
 * or the enclave refuses the attestation (register 2, with the enclave's reason).
 */
export function handleRaAuthenticate(k: RegistrationKeeper, ctx: Context, msg: MsgRaAuthenticate): MsgResult {
  const { nodePublicKey, encryptedSeed } = k.registerNode(ctx, msg.certificate);
  emitRegistered(ctx.events, toBech32(msg.sender), encryptedSeed, nodePublicKey);
  return {
    responseTypeUrl: REGISTRATION_TYPE_URLS.RaAuthenticateResponse,
    response: encodeMsgRaAuthenticateResponse({
      data: `S: ${toHex(encryptedSeed)}`,
      events: eventsJson(ctx.events.events),
    }),
  };
}
