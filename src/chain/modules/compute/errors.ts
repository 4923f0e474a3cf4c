// Consensus-visible x/compute errors, codespace "compute". Numbers and wording from Secret's
// x/compute/internal/types/errors.go (SN v1.12 through main, unchanged; 2–5 carry an encrypted contract error);
// secretjs parses "<op> contract failed" out of raw_log.
import { registerError } from "../../errors.js";

const CS = "compute";

export const ComputeErrors = {
  InstantiateFailed: registerError(CS, 2, "instantiate contract failed"),
  ExecuteFailed: registerError(CS, 3, "execute contract failed"),
  QueryFailed: registerError(CS, 4, "query contract failed"),
  MigrationFailed: registerError(CS, 5, "migrate contract failed"),
  AccountExists: registerError(CS, 6, "contract account already exists"),
  GasLimit: registerError(CS, 7, "insufficient gas"),
  InvalidGenesis: registerError(CS, 8, "invalid genesis"),
  NotFound: registerError(CS, 9, "not found"),
  InvalidMsg: registerError(CS, 10, "invalid CosmosMsg from the contract"),
  CreateFailed: registerError(CS, 15, "create contract failed"),
  UnknownMsg: registerError(CS, 18, "unknown message from the contract"),
  ReplyFailed: registerError(CS, 19, "reply to contract failed"),
  InvalidEvent: registerError(CS, 21, "invalid event"),
  MaxContractSize: registerError(CS, 31, "max contract size exceeded"),
  // Ours: Secret returns the enclave's update-admin error as it comes (no compute code of its own).
  UpdateAdminFailed: registerError(CS, 102, "update contract admin failed"),
} as const;
