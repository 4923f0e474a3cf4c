// Events of the registration module (SecretNetwork x/registration/internal/keeper/msg_server.go RegisterAuth):
// one `message` event with module, signer, encrypted_seed = 0x<hex>, node_id = 0x<hex pubkey>.
import { toHex } from "../../../util/bytes.js";
import type { Event, EventManager } from "../../tx/context.js";
import { MODULE_NAME } from "./keys.js";

export const ATTRIBUTE_SIGNER = "signer";
export const ATTRIBUTE_ENCRYPTED_SEED = "encrypted_seed";
export const ATTRIBUTE_NODE_ID = "node_id";

export function emitRegistered(
  ev: EventManager,
  signer: string,
  encryptedSeed: Uint8Array,
  nodeId: Uint8Array,
): void {
  ev.emit("message", [
    ["module", MODULE_NAME],
    [ATTRIBUTE_SIGNER, signer],
    [ATTRIBUTE_ENCRYPTED_SEED, `0x${toHex(encryptedSeed)}`],
    [ATTRIBUTE_NODE_ID, `0x${toHex(nodeId)}`],
  ]);
}

/** Go's json.Marshal of ABCI events, as RaAuthenticateResponse.events carries them. */
export function eventsJson(events: readonly Event[]): string {
  return JSON.stringify(
    events.map((e) => ({
      type: e.type,
      attributes: e.attributes.map((a) => ({ key: a.key, value: a.value, index: a.index })),
    })),
  );
}
