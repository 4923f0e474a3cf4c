// Consensus-visible x/compute errors, codespace "compute". Numbers and wording from Secret's
// x/compute/internal/types/errors.go (1–10); secretjs parses "<op> contract failed" out of raw_log.
import { registerError } from "../../errors.js";

const CS = "compute";

export const ComputeErrors = {
  CreateFailed: registerError(CS, 1, "create contract failed"),
  AccountExists: registerError(CS, 2, "contract account already exists"),
  InstantiateFailed: registerError(CS, 3, "instantiate contract failed"),
  ExecuteFailed: registerError(CS, 4, "execute contract failed"),
  GasLimit: registerError(CS, 5, "insufficient gas"),
  InvalidGenesis: registerError(CS, 6, "invalid genesis"),
  NotFound: registerError(CS, 7, "not found"),
  QueryFailed: registerError(CS, 8, "query contract failed"),
  InvalidMsg: registerError(CS, 9, "invalid CosmosMsg from the contract"),
  MigrationFailed: registerError(CS, 10, "migrate contract failed"),
  // Shroud-numbered (Secret registers more codes after 10 whose numbers we have not verified): the wording is
  // what secretjs' raw_log regex expects for a failing reply ("reply to contract failed").
  ReplyFailed: registerError(CS, 101, "reply to contract failed"),
  UpdateAdminFailed: registerError(CS, 102, "update contract admin failed"),
  // SN errors.go ErrExceedMaxContractSize (code 31, read from SN main: store-code over params.max_contract_size).
  MaxContractSize: registerError(CS, 31, "max contract size exceeded"),
} as const;
