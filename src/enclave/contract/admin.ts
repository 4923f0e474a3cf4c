// update_admin / clear_admin (spec secret-protocol §6.2; SN contract_operations.rs `update_admin`): the
// sender must be the current admin (its proof over the og contract key) and must have signed a
// MsgUpdateAdmin / MsgClearAdmin for this contract (or, for a contract admin, sent it with a callback_sig
// over an empty msg and no funds). The answer is the new admin's proof (empty when clearing). No contract
// code runs.
import { generateAdminProof, validateAdminProof } from "../contractKey.js";
import { EnclaveError } from "../errors.js";
import { verifyCallbackSig } from "../io.js";
import type { EnclaveKeys } from "../keys.js";
import { Bech32Api } from "../vm/addressApi.js";
import { abytes, equalBytes } from "../../util/bytes.js";
import { verifyTxBinding, type SigInfo } from "./txSignature.js";

export interface UpdateAdminInput {
  /** bech32 sender of the message (must be the current admin). */
  readonly sender: string;
  /** bech32 contract address. */
  readonly contract: string;
  readonly ogContractKey: Uint8Array;
  readonly currentAdmin: Uint8Array;
  readonly currentAdminProof: Uint8Array;
  /** Canonical new admin; empty to clear the admin. */
  readonly newAdmin: Uint8Array;
  readonly sigInfo?: SigInfo | undefined;
  readonly callbackSig?: Uint8Array | undefined;
}

const api = new Bech32Api();

function canonical(human: string): Uint8Array {
  const r = api.addrCanonicalize(human);
  if (r.canonical === undefined) throw new EnclaveError("InvalidInput", "address");
  return r.canonical;
}

/** Returns the new admin proof (empty when clearing). Bad proof → ValidationFailure; unsigned → FailedTxVerification. */
export function updateAdmin(keys: EnclaveKeys, input: UpdateAdminInput): Uint8Array {
  abytes(input.ogContractKey, 64, "og contract key");
  const sender = canonical(input.sender);
  if (!equalBytes(sender, input.currentAdmin)) throw new EnclaveError("ValidationFailure");
  validateAdminProof(keys, sender, input.ogContractKey, input.currentAdminProof);
  if (input.callbackSig !== undefined) {
    verifyCallbackSig(keys, input.callbackSig, new Uint8Array(), []);
  } else {
    if (input.sigInfo === undefined) throw new EnclaveError("FailedTxVerification");
    verifyTxBinding(input.sigInfo, {
      op: "update_admin",
      senderCanonical: sender,
      senderHuman: input.sender,
      contractCanonical: canonical(input.contract),
      contractHuman: input.contract,
      funds: [],
      message: new Uint8Array(),
      admin: input.sender,
      newAdmin: input.newAdmin.length === 0 ? "" : (api.addrHumanize(input.newAdmin).human ?? ""),
    });
  }
  if (input.newAdmin.length === 0) return new Uint8Array();
  return generateAdminProof(keys, input.newAdmin, input.ogContractKey);
}
