// Maps VM failures to the enclave's coded errors (../errors.ts). Contract aborts and traps carry no
// secret data in their code, and their text is dropped: it could quote contract state.
import { EnclaveError } from "../errors.js";
import { VmError } from "../vm/errors.js";

export function vmErrorToEnclave(e: unknown): EnclaveError {
  if (e instanceof EnclaveError) return e;
  if (!(e instanceof VmError)) return new EnclaveError("InternalError");
  switch (e.kind) {
    case "OutOfGas":
      return new EnclaveError("OutOfGas");
    case "UnauthorizedWrite":
      return new EnclaveError("UnauthorizedWrite");
    case "InvalidWasm":
      return new EnclaveError("InvalidWasm");
    case "BadResult":
      return new EnclaveError("FailedToDeserialize", "contract result");
    case "Aborted":
      return new EnclaveError("InternalError", "contract panicked");
    case "Backend":
      return new EnclaveError("HostMisbehavior");
    case "MemoryAccess":
    case "Allocation":
    case "RuntimeError":
      return new EnclaveError("InternalError", "contract trapped");
  }
}
