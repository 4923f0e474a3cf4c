// The parameter-change pattern every module follows: a `MsgUpdateParams{authority, params}` whose signer is
// `authority`, accepted only when authority is the gov module account, so only a passed proposal can run it.
import { ChainError, GovErrors } from "../../errors.js";
import { toBech32 } from "../../address.js";
import { GOV_MODULE_ADDRESS } from "./keys.js";

/** The gov module account in bech32 (`secret10d07y265gmmuvt4z0w9aw880jnsr700jc88vt0`: sha256("gov")[:20]). */
export const GOV_AUTHORITY = toBech32(GOV_MODULE_ADDRESS);

/**
 * Call first in a module's MsgUpdateParams handler. Throws gov 13 with the SDK's wording when `authority` is not
 * `expected` (default: the gov module account), as every SDK v0.50 module's UpdateParams does.
 */
export function assertGovAuthority(authority: string, expected: string = GOV_AUTHORITY): void {
  if (authority !== expected) {
    throw new ChainError(
      GovErrors.InvalidSigner,
      `invalid authority; expected ${expected}, got ${authority}`,
    );
  }
}
