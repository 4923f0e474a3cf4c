// The attestation verifier contract: evidence bytes + policy + time in, a verified report (or a coded refusal
// with a reason) out. Deterministic given (evidence, policy, nowNs): no clock, no network, no randomness.
import { EnclaveError } from "../errors.js";
import type { AttestationPolicy } from "./policy.js";

/** Why evidence was refused. Stable strings: they appear in error messages and tests. */
export const ATTESTATION_REJECT_REASONS = Object.freeze([
  "malformed",
  "unsupported_format",
  "unknown_authority",
  "bad_certificate_signature",
  "bad_quote_signature",
  "measurement_not_allowed",
  "platform_revoked",
  "expired",
  "issued_in_future",
  "report_data_mismatch",
  "dcap_verification_failed",
  "tcb_status_not_allowed",
] as const);

export type AttestationRejectReason = (typeof ATTESTATION_REJECT_REASONS)[number];

/**
 * A refused attestation. It is an EnclaveError (code ValidationFailure) so it crosses the wall as a code plus
 * a safe message naming the reason; `reason` is kept for callers inside the enclave and for tests.
 */
export class AttestationError extends EnclaveError {
  constructor(
    readonly reason: AttestationRejectReason,
    detail: string,
  ) {
    super("ValidationFailure", `attestation rejected (${reason}): ${detail}`);
  }
}

/** What a verifier vouches for once every check passed. */
export interface VerifiedAttestation {
  readonly kind: "software" | "dcap";
  /** Software measurement or SGX MRENCLAVE (32 bytes). */
  readonly measurement: Uint8Array;
  /** 64 bytes: [0..32] registration (or migration) public key, [32..64] operator key or zeros (spec §3.1). */
  readonly reportData: Uint8Array;
  /** Software platform id (16 bytes), or the SGX PPID when the PCK certificate carries one (else empty). */
  readonly platformId: Uint8Array;
  /** Software: the quote's issued_at. DCAP: the oldest collateral issue date. */
  readonly issuedAtNs: bigint;
  /** DCAP TCB status ("UpToDate", …); "software" for software quotes. */
  readonly tcbStatus: string;
}

/** One attestation technology. `accepts` is a cheap format sniff; `verify` does every check. */
export interface AttestationVerifier {
  readonly kind: "software" | "dcap";
  accepts(evidence: Uint8Array): boolean;
  verify(evidence: Uint8Array, policy: AttestationPolicy, nowNs: bigint): VerifiedAttestation;
}

/** Tries each verifier whose format matches; unknown formats are refused with "unsupported_format". */
export function verifyAttestation(
  evidence: Uint8Array,
  policy: AttestationPolicy,
  nowNs: bigint,
  verifiers: readonly AttestationVerifier[],
): VerifiedAttestation {
  if (!(evidence instanceof Uint8Array)) throw new AttestationError("malformed", "evidence must be bytes");
  for (const v of verifiers) {
    if (v.accepts(evidence)) return v.verify(evidence, policy, nowNs);
  }
  throw new AttestationError("unsupported_format", "no verifier accepts this evidence format");
}
