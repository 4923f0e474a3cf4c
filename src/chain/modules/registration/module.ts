// The registration module's wiring: keeper over the enclave's authenticateNewNode, the RaAuthenticate handler
// attached to the codec registered by chain/tx/secretMsgs.ts, and the query server.
import type { MsgRegistry } from "../../tx/msgRegistry.js";
import type { RegistrationEnclave } from "./expectedKeepers.js";
import { RegistrationKeeper } from "./keeper.js";
import { MODULE_NAME } from "./keys.js";
import { handleRaAuthenticate } from "./msgServer.js";
import { REGISTRATION_TYPE_URLS, type MsgRaAuthenticate } from "./proto.js";
import { RegistrationQueryServer } from "./queryServer.js";

export interface RegistrationModule {
  readonly name: string;
  readonly keeper: RegistrationKeeper;
  readonly query: RegistrationQueryServer;
}

/** Builds the module; `registry` must already hold Secret's codecs (registerSecretMsgTypes). */
export function createRegistrationModule(
  enclave: RegistrationEnclave | undefined,
  registry: MsgRegistry,
): RegistrationModule {
  const keeper = new RegistrationKeeper(enclave);
  registry.setHandler<MsgRaAuthenticate>(REGISTRATION_TYPE_URLS.RaAuthenticate, (ctx, msg) =>
    handleRaAuthenticate(keeper, ctx, msg),
  );
  return { name: MODULE_NAME, keeper, query: new RegistrationQueryServer(keeper) };
}
