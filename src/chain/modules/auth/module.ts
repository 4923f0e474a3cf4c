// The auth module's wiring: keeper construction with the chain's module-account permissions, query server,
// genesis. Auth registers no messages (see msgServer.ts).
import { AuthKeeper, type ModulePermissions } from "./keeper.js";
import { AuthQueryServer } from "./queryServer.js";
import { FEE_COLLECTOR_NAME, MODULE_NAME } from "./keys.js";
import { Permission } from "./types.js";

/** Module accounts this chain knows today; later modules (mint, staking, distribution, gov) add theirs. */
export const DEFAULT_MODULE_PERMISSIONS: ModulePermissions = Object.freeze({
  [FEE_COLLECTOR_NAME]: [],
  mint: [Permission.Minter],
});

export interface AuthModule {
  readonly name: string;
  readonly keeper: AuthKeeper;
  readonly query: AuthQueryServer;
}

export function createAuthModule(perms: ModulePermissions = DEFAULT_MODULE_PERMISSIONS): AuthModule {
  const keeper = new AuthKeeper(perms);
  return { name: MODULE_NAME, keeper, query: new AuthQueryServer(keeper) };
}
