// Key-management ECALLs (bootstrap, registration, network keys, rotation, health) wrapping the keychain,
// sealing and attestation modules. The wiring to those modules lands as they do; see src/enclave/README.md.
import { u32be } from "../../util/bytes.js";
import type { EcallTable, EnclaveRuntime } from "./index.js";

/** Version of the ECALL wire format answered by `health` (bump on any incompatible frame change). */
export const WIRE_VERSION = 1;

/** Called once at worker start: load or create the platform secret and unseal the keychain if present. */
export function openEnclaveState(_runtime: EnclaveRuntime): void {
  // wired to keychain/sealing below
}

export const registrationEcalls: EcallTable = {
  /** health: u32 wire version ‖ u32 seed count (0 until bootstrap/initNode). */
  health: () => {
    return new Uint8Array([...u32be(WIRE_VERSION), ...u32be(0)]);
  },
};
