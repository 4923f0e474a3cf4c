// update_admin / clear_admin (spec secret-protocol §6.2; SN contract_operations.rs `update_admin`): the
// current admin must present its proof over the og contract key; the enclave answers the new admin's proof
// (empty new admin = clear: an empty proof). No contract code runs.
import { generateAdminProof, validateAdminProof } from "../contractKey.js";
import type { EnclaveKeys } from "../keys.js";
import { abytes } from "../../util/bytes.js";

export interface UpdateAdminInput {
  readonly ogContractKey: Uint8Array;
  readonly currentAdmin: Uint8Array;
  readonly currentAdminProof: Uint8Array;
  /** Canonical new admin; empty to clear the admin. */
  readonly newAdmin: Uint8Array;
}

/** Returns the new admin proof (empty when clearing); "failed to validate transaction" on a bad proof. */
export function updateAdmin(keys: EnclaveKeys, input: UpdateAdminInput): Uint8Array {
  abytes(input.ogContractKey, 64, "og contract key");
  validateAdminProof(keys, input.currentAdmin, input.ogContractKey, input.currentAdminProof);
  if (input.newAdmin.length === 0) return new Uint8Array();
  return generateAdminProof(keys, input.newAdmin, input.ogContractKey);
}
