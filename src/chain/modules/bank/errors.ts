// Errors of the bank module, codespace "bank": numbers and wording from cosmos-sdk v0.50 x/bank/types/errors.go.
import { registerError } from "../../errors.js";

const BANK = "bank";
export const BankErrors = {
  NoInputs: registerError(BANK, 2, "no inputs to send transaction"),
  NoOutputs: registerError(BANK, 3, "no outputs to send transaction"),
  InputOutputMismatch: registerError(BANK, 4, "sum inputs != sum outputs"),
  SendDisabled: registerError(BANK, 5, "send transactions are disabled"),
  DenomMetadataNotFound: registerError(BANK, 6, "client denom metadata not found"),
  InvalidKey: registerError(BANK, 7, "invalid key"),
  DuplicateEntry: registerError(BANK, 8, "duplicate entry"),
  MultipleSenders: registerError(BANK, 9, "multiple senders not allowed"),
} as const;
