// Verifies software-TEE quotes: authority → platform certificate → quote signature, then policy (measurement
// allow-list, revoked platforms, age). Deterministic: time is an argument.
import { concatBytes, equalBytes } from "../../util/bytes.js";
import { ed25519Verify } from "../crypto/ed25519.js";
import { includesBytes, normalizePolicy, type AttestationPolicy } from "./policy.js";
import {
  certificateSigningBytes,
  decodeCertificate,
  decodeSoftwareQuote,
  ED25519_SIG_SIZE,
  QUOTE_SIGNING_DOMAIN,
  SOFTWARE_QUOTE_MAGIC,
} from "./quote.js";
import { AttestationError, type AttestationVerifier, type VerifiedAttestation } from "./verifier.js";

/**
 * How far a quote's issued_at may lie ahead of the verifier's time: the quoting host's clock and the block
 * time of the verifying chain are never exactly equal.
 */
export const MAX_CLOCK_SKEW_NS = 60_000_000_000n;

/** Checks the certificate chain and the quote signature; returns the decoded quote. */
function checkSignatures(evidence: Uint8Array, policy: AttestationPolicy) {
  const q = decodeSoftwareQuote(evidence);
  const cert = decodeCertificate(q.certificate);
  if (!includesBytes(policy.authorityPublicKeys, cert.authorityPublicKey)) {
    throw new AttestationError(
      "unknown_authority",
      "platform certificate is from an authority not in the policy",
    );
  }
  const certBody = q.certificate.subarray(0, q.certificate.length - ED25519_SIG_SIZE);
  if (!ed25519Verify(certificateSigningBytes(certBody), cert.signature, cert.authorityPublicKey)) {
    throw new AttestationError("bad_certificate_signature", "platform certificate signature does not verify");
  }
  if (!equalBytes(cert.platformId, q.platformId)) {
    throw new AttestationError("bad_certificate_signature", "quote platform id differs from its certificate");
  }
  if (
    !ed25519Verify(concatBytes(QUOTE_SIGNING_DOMAIN, q.signedBytes), q.signature, cert.attestationPublicKey)
  ) {
    throw new AttestationError("bad_quote_signature", "quote signature does not verify");
  }
  return q;
}

/** Measurement, revocation and freshness checks shared by both verifiers. */
export function checkPolicy(
  policy: AttestationPolicy,
  measurement: Uint8Array,
  platformId: Uint8Array,
  issuedAtNs: bigint,
  nowNs: bigint,
): void {
  if (!includesBytes(policy.allowedMeasurements, measurement)) {
    throw new AttestationError("measurement_not_allowed", "enclave measurement is not in the allow-list");
  }
  if (platformId.length > 0 && includesBytes(policy.revokedPlatformIds, platformId)) {
    throw new AttestationError("platform_revoked", "platform is revoked");
  }
  if (issuedAtNs > nowNs + MAX_CLOCK_SKEW_NS) {
    throw new AttestationError("issued_in_future", "evidence is dated in the future");
  }
  if (nowNs - issuedAtNs > policy.maxAgeNs) {
    throw new AttestationError("expired", "evidence is older than the policy's max age");
  }
}

export class SoftwareAttestationVerifier implements AttestationVerifier {
  readonly kind = "software" as const;

  accepts(evidence: Uint8Array): boolean {
    return evidence.length >= 4 && equalBytes(evidence.subarray(0, 4), SOFTWARE_QUOTE_MAGIC);
  }

  verify(evidence: Uint8Array, policy: AttestationPolicy, nowNs: bigint): VerifiedAttestation {
    const p = normalizePolicy(policy);
    const q = checkSignatures(evidence, p);
    checkPolicy(p, q.measurement, q.platformId, q.issuedAtNs, nowNs);
    return {
      kind: "software",
      measurement: q.measurement,
      reportData: q.reportData,
      platformId: q.platformId,
      issuedAtNs: q.issuedAtNs,
      tcbStatus: "software",
    };
  }
}
