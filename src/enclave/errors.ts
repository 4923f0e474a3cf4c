// The enclave's coded errors: the only error type that may leave src/enclave (DESIGN.md rule 8).
// Messages use Secret's exact words where Secret has them (SN cosmwasm/enclaves/ffi-types/src/types.rs
// `EnclaveError` Display strings); each carries a stable number so it can cross the wall as bytes/numbers.

/** One entry of the code table: a stable wire number and the safe, secret-free message. */
export interface EnclaveErrorEntry {
  readonly num: number;
  readonly message: string;
}

/**
 * The code table. Append only: numbers are part of the ECALL wire format. Keys follow Secret's
 * `EnclaveError` variant names so logs can be read against the reference.
 */
export const ENCLAVE_ERROR_CODES = Object.freeze({
  // spec secret-protocol §4.2: undecryptable query/migrate input, bad SIV tag on outputs/replies
  DecryptionError: Object.freeze({ num: 1, message: "failed to decrypt data" }),
  EncryptionError: Object.freeze({ num: 2, message: "failed to encrypt data" }),
  // spec §4.2 code-hash prefix check (`validate_basic_msg`)
  ValidationFailure: Object.freeze({ num: 3, message: "failed to validate transaction" }),
  // spec §6.1 `validate_contract_key`, §6.2 proofs
  FailedContractAuthentication: Object.freeze({ num: 4, message: "failed to authenticate secret contract" }),
  // spec §4.2 `verify_params`, §7.2 callback_sig mismatch
  FailedTxVerification: Object.freeze({ num: 5, message: "failed to verify transaction signature" }),
  // spec §6.3: db_write/db_remove during a query
  UnauthorizedWrite: Object.freeze({ num: 6, message: "contract tried to write to storage during a query" }),
  FailedToDeserialize: Object.freeze({ num: 7, message: "failed to deserialize data" }),
  FailedToSerialize: Object.freeze({ num: 8, message: "failed to serialize data" }),
  OutOfGas: Object.freeze({ num: 9, message: "execution ran out of gas" }),
  ExceededRecursionLimit: Object.freeze({ num: 10, message: "depth of nested contract calls exceeded" }),
  HostMisbehavior: Object.freeze({ num: 11, message: "communication with the enclave's host failed" }),
  FailedSeal: Object.freeze({ num: 12, message: "failed to seal data" }),
  FailedUnseal: Object.freeze({ num: 13, message: "failed to unseal data" }),
  InvalidWasm: Object.freeze({ num: 14, message: "tried to load invalid wasm code" }),
  NotImplemented: Object.freeze({ num: 15, message: "function not implemented" }),
  // Shroud's own: an edge assertion failed (sizes/formats). The message names only the field.
  InvalidInput: Object.freeze({ num: 16, message: "invalid input" }),
  InternalError: Object.freeze({ num: 17, message: "internal error during execution" }),
  Unknown: Object.freeze({ num: 18, message: "unknown error" }),
} satisfies Record<string, EnclaveErrorEntry>);

export type EnclaveErrorCode = keyof typeof ENCLAVE_ERROR_CODES;

/**
 * A coded enclave error. `message` is always safe to reveal: the table text, optionally followed by a
 * short safe detail (for InvalidInput, the field name). Never put keys, plaintexts or ciphertext-derived
 * data in `detail`.
 */
export class EnclaveError extends Error {
  override readonly name = "EnclaveError";
  readonly num: number;

  constructor(
    readonly code: EnclaveErrorCode,
    detail?: string,
  ) {
    const base = ENCLAVE_ERROR_CODES[code].message;
    super(detail === undefined ? base : `${base}: ${detail}`);
    this.num = ENCLAVE_ERROR_CODES[code].num;
  }
}

/** Looks a wire number back up (for the host side of the wall); unknown numbers map to "Unknown". */
export function enclaveErrorCodeFromNum(num: number): EnclaveErrorCode {
  for (const [code, entry] of Object.entries(ENCLAVE_ERROR_CODES) as [
    EnclaveErrorCode,
    EnclaveErrorEntry,
  ][]) {
    if (entry.num === num) return code;
  }
  return "Unknown";
}

/** True when `e` is an EnclaveError, optionally of the given code. */
export function isEnclaveError(e: unknown, code?: EnclaveErrorCode): e is EnclaveError {
  return e instanceof EnclaveError && (code === undefined || e.code === code);
}
