// What the registration module needs from outside (DESIGN.md rule 7): only the enclave's verification ECALL.
// It never sees bank or any other keeper. `EnclaveHost` from src/enclave/api.ts satisfies this structurally.

export interface RegistrationEnclave {
  /**
   * ecall_authenticate_new_node: verifies `evidence` under `policy` (binary attestation policy) at block time
   * `nowNs` and returns the quoted registration key with every seed encrypted to it (spec secret-protocol §3.2–3.3).
   * Throws on refusal; the message is safe to reveal and deterministic across enclaves holding the same seeds.
   */
  authenticateNewNode(
    evidence: Uint8Array,
    policy: Uint8Array,
    nowNs: bigint,
  ): { readonly nodePublicKey: Uint8Array; readonly encryptedSeeds: Uint8Array };
}
