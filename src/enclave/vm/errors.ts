// Errors raised by the VM runtime. They stay inside the enclave: the contract layer maps each kind to a
// coded EnclaveError (../errors.ts) before anything crosses the wall. Messages never contain contract data
// beyond what the contract itself chose to report (abort text), which leaves the enclave encrypted.

/** What went wrong, coarse enough for the contract layer to map to Secret's error codes. */
export type VmErrorKind =
  | "OutOfGas" // the metered gas limit was reached (wasm instructions or host calls)
  | "MemoryAccess" // a region pointer or length outside memory, or a region larger than its named max
  | "Allocation" // the contract's allocate() failed or returned an unusable region
  | "UnauthorizedWrite" // db_write/db_remove during a query (spec secret-protocol §6.3)
  | "Aborted" // the contract called abort(msg) (a Rust panic)
  | "RuntimeError" // a wasm trap (unreachable, division by zero, out-of-bounds access, stack overflow)
  | "InvalidWasm" // not a CosmWasm v1 / v0.10 module, a missing export, or an import we do not provide
  | "BadResult" // the contract's result region is not the JSON we expect
  | "Backend"; // the Backend threw (storage/querier failure); detail is the backend's safe message

export class VmError extends Error {
  override readonly name = "VmError";
  constructor(
    readonly kind: VmErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export function isVmError(e: unknown, kind?: VmErrorKind): e is VmError {
  return e instanceof VmError && (kind === undefined || e.kind === kind);
}
