// Intel SGX DCAP verification through @phala/dcap-qvl (pure JS: Intel root CA pinned, PCK chain + CRLs,
// TCB info, QE identity, quote signature). We add the policy: MRENCLAVE allow-list, TCB statuses, PPID, age.
import { createRequire } from "node:module";
import type { Collateral } from "@phala/dcap-qvl";
import { concatBytes, equalBytes, u32be, utf8 } from "../../util/bytes.js";
import { normalizePolicy, type AttestationPolicy } from "./policy.js";
import { checkPolicy } from "./softwareVerifier.js";
import {
  AttestationError,
  type AttestationRejectReason,
  type AttestationVerifier,
  type VerifiedAttestation,
} from "./verifier.js";

type DcapQvl = typeof import("@phala/dcap-qvl");
let qvl: DcapQvl | undefined;
/** Loaded on first use: the library (and its ASN.1/EC dependencies) costs ~80 ms at worker start otherwise. */
function dcapQvl(): DcapQvl {
  qvl ??= createRequire(import.meta.url)("@phala/dcap-qvl") as DcapQvl;
  return qvl;
}

/** Envelope magic: a DCAP quote plus the collateral it is verified against. */
export const DCAP_EVIDENCE_MAGIC = utf8.encode("DCAP");
/** A v3 SGX quote with its PCK chain is ~5 KiB; collateral (CRLs, TCB info) tens of KiB. Generous bounds. */
export const MAX_DCAP_QUOTE_SIZE = 64 * 1024;
export const MAX_DCAP_COLLATERAL_SIZE = 512 * 1024;
/** The collateral fields dcap-qvl reads (strings; CRLs/signatures as hex strings or byte arrays). */
const COLLATERAL_KEYS = [
  "pck_crl_issuer_chain",
  "root_ca_crl",
  "pck_crl",
  "tcb_info_issuer_chain",
  "tcb_info",
  "tcb_info_signature",
  "qe_identity_issuer_chain",
  "qe_identity",
  "qe_identity_signature",
] as const;
/** SGX PPID length (bytes); platform ids in the policy have the same size. */
const PPID_SIZE = 16;

/** DCAP evidence = "DCAP" ‖ u32be(quote length) ‖ quote ‖ collateral as UTF-8 JSON (dcap-qvl's Collateral). */
export function encodeDcapEvidence(quote: Uint8Array, collateralJson: string): Uint8Array {
  return concatBytes(DCAP_EVIDENCE_MAGIC, u32be(quote.length), quote, utf8.encode(collateralJson));
}

/** Splits and validates the envelope; the collateral must be a JSON object with exactly the known fields. */
export function decodeDcapEvidence(evidence: Uint8Array): { quote: Uint8Array; collateral: Collateral } {
  if (evidence.length < 8 || !equalBytes(evidence.subarray(0, 4), DCAP_EVIDENCE_MAGIC)) {
    throw new AttestationError("malformed", "not DCAP evidence");
  }
  const qlen = new DataView(evidence.buffer, evidence.byteOffset + 4, 4).getUint32(0, false);
  if (qlen > MAX_DCAP_QUOTE_SIZE || 8 + qlen > evidence.length) {
    throw new AttestationError("malformed", "DCAP quote length out of range");
  }
  const rest = evidence.subarray(8 + qlen);
  if (rest.length > MAX_DCAP_COLLATERAL_SIZE) throw new AttestationError("malformed", "collateral too large");
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(rest));
  } catch {
    throw new AttestationError("malformed", "collateral is not UTF-8 JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new AttestationError("malformed", "collateral must be a JSON object");
  }
  const obj = parsed as Record<string, unknown>;
  for (const k of COLLATERAL_KEYS) {
    const v = obj[k];
    const ok = typeof v === "string" || (Array.isArray(v) && v.every((x) => Number.isInteger(x)));
    if (!ok) throw new AttestationError("malformed", `collateral field ${k} missing or of the wrong type`);
  }
  return { quote: evidence.slice(8, 8 + qlen), collateral: parsed as Collateral };
}

/** Collateral outside Intel's validity window keeps the time-related reasons; anything else is a failed check. */
function dcapReason(message: string): AttestationRejectReason {
  if (/expired/i.test(message)) return "expired";
  if (/in the future/i.test(message)) return "issued_in_future";
  return "dcap_verification_failed";
}

/** Earliest issueDate of the TCB info and QE identity, in ns: the evidence's age is counted from it. */
function collateralIssuedAtNs(collateral: Collateral): bigint {
  let earliest: number | undefined;
  for (const doc of [collateral.tcb_info, collateral.qe_identity]) {
    let ms = Number.NaN;
    try {
      const issueDate = (JSON.parse(doc) as { issueDate?: unknown }).issueDate;
      if (typeof issueDate === "string") ms = Date.parse(issueDate);
    } catch {
      // fall through: NaN below
    }
    if (!Number.isFinite(ms)) throw new AttestationError("malformed", "collateral has no valid issueDate");
    earliest = earliest === undefined ? ms : Math.min(earliest, ms);
  }
  return BigInt(earliest!) * 1_000_000n;
}

export class DcapAttestationVerifier implements AttestationVerifier {
  readonly kind = "dcap" as const;

  accepts(evidence: Uint8Array): boolean {
    return evidence.length >= 4 && equalBytes(evidence.subarray(0, 4), DCAP_EVIDENCE_MAGIC);
  }

  verify(evidence: Uint8Array, policy: AttestationPolicy, nowNs: bigint): VerifiedAttestation {
    const p = normalizePolicy(policy);
    const { quote, collateral } = decodeDcapEvidence(evidence);
    if (nowNs < 0n) throw new AttestationError("malformed", "time must be non-negative");
    // dcap-qvl takes whole seconds; flooring is deterministic.
    const nowSecs = Number(nowNs / 1_000_000_000n);
    let report;
    try {
      report = dcapQvl().verify(quote, collateral, nowSecs);
    } catch (e) {
      // dcap-qvl's messages name the failed check (no secrets: quote and collateral are public).
      const why = e instanceof Error ? e.message.slice(0, 200) : "unknown failure";
      throw new AttestationError(dcapReason(why), why);
    }
    const sgx = report.report.asSgx();
    if (sgx === null)
      throw new AttestationError("unsupported_format", "only SGX enclave quotes are accepted");
    if (!p.allowedTcbStatuses.includes(report.status)) {
      throw new AttestationError("tcb_status_not_allowed", `TCB status ${report.status} is not allowed`);
    }
    const ppid = new Uint8Array(report.ppid);
    const platformId = ppid.length === PPID_SIZE ? ppid : new Uint8Array(0);
    const issuedAtNs = collateralIssuedAtNs(collateral);
    const measurement = Uint8Array.from(sgx.mrEnclave);
    checkPolicy(p, measurement, platformId, issuedAtNs, nowNs);
    return {
      kind: "dcap",
      measurement,
      reportData: Uint8Array.from(sgx.reportData),
      platformId,
      issuedAtNs,
      tcbStatus: report.status,
    };
  }
}
