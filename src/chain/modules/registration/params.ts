// The attestation policy as module params (issue 4 §3: allowed measurements, attestation authorities, revoked
// platforms, max age — governed): its JSON form in genesis/queries and its validation. The enclave's own
// binary encoding (encodeAttestationPolicy, from the enclave door) is what crosses to the enclave.
import { encodeAttestationPolicy, type AttestationPolicy } from "../../../enclave/api.js";
import { fromHex, InvalidInputError, toHex } from "../../../util/bytes.js";

/** The params as they appear in genesis JSON and query answers (hex lists, max_age_ns a decimal string). */
export interface AttestationPolicyJson {
  readonly authority_public_keys: readonly string[];
  readonly allowed_measurements: readonly string[];
  readonly revoked_platform_ids: readonly string[];
  readonly max_age_ns: string;
  readonly allowed_tcb_statuses: readonly string[];
}

export interface RegistrationParamsJson {
  readonly attestation_policy: AttestationPolicyJson;
}

/** Default max evidence age: 10 minutes of block time (a quote is made right before MsgRaAuthenticate). */
export const DEFAULT_MAX_AGE_NS = 600n * 1_000_000_000n;

const KEYS = [
  "allowed_measurements",
  "allowed_tcb_statuses",
  "authority_public_keys",
  "max_age_ns",
  "revoked_platform_ids",
] as const;

function bad(msg: string): InvalidInputError {
  return new InvalidInputError("attestation_policy", `registration params: ${msg}`);
}

function hexList(v: unknown, name: string): Uint8Array[] {
  if (!Array.isArray(v)) throw bad(`${name} must be an array of hex strings`);
  return v.map((h: unknown) => {
    if (typeof h !== "string") throw bad(`${name} must be an array of hex strings`);
    return fromHex(h, name);
  });
}

/** Parses and validates (sizes, limits, duplicates via the enclave's canonical encoder). Throws InvalidInputError. */
export function parsePolicyJson(v: unknown): AttestationPolicy {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw bad("attestation_policy must be an object");
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  if (keys.length !== KEYS.length || keys.some((k, i) => k !== KEYS[i])) {
    throw bad(`attestation_policy must have exactly the keys ${KEYS.join(", ")}`);
  }
  const age = o.max_age_ns;
  if (typeof age !== "string" || !/^[1-9][0-9]{0,19}$/.test(age))
    throw bad("max_age_ns must be a positive integer string");
  const statuses = o.allowed_tcb_statuses;
  if (!Array.isArray(statuses) || statuses.some((s) => typeof s !== "string")) {
    throw bad("allowed_tcb_statuses must be an array of strings");
  }
  const policy: AttestationPolicy = {
    authorityPublicKeys: hexList(o.authority_public_keys, "authority_public_keys"),
    allowedMeasurements: hexList(o.allowed_measurements, "allowed_measurements"),
    revokedPlatformIds: hexList(o.revoked_platform_ids, "revoked_platform_ids"),
    maxAgeNs: BigInt(age),
    allowedTcbStatuses: statuses as string[],
  };
  encodeAttestationPolicy(policy); // the enclave's own rules: sizes, limits, duplicates, known TCB statuses
  return policy;
}

const sortedHex = (l: readonly Uint8Array[]): string[] => l.map(toHex).sort();

/** Canonical JSON form (sorted lists, lowercase hex). */
export function policyToJson(p: AttestationPolicy): AttestationPolicyJson {
  return {
    authority_public_keys: sortedHex(p.authorityPublicKeys),
    allowed_measurements: sortedHex(p.allowedMeasurements),
    revoked_platform_ids: sortedHex(p.revokedPlatformIds),
    max_age_ns: p.maxAgeNs.toString(),
    allowed_tcb_statuses: [...p.allowedTcbStatuses].sort(),
  };
}

/** An empty policy: no authority is trusted, so every registration is refused until governance sets one. */
export const EMPTY_POLICY_JSON: AttestationPolicyJson = Object.freeze({
  authority_public_keys: [],
  allowed_measurements: [],
  revoked_platform_ids: [],
  max_age_ns: DEFAULT_MAX_AGE_NS.toString(),
  allowed_tcb_statuses: [],
});
