// The attestation policy the chain keeps as governed params: who may certify platforms, which enclave builds
// are allowed, which platforms are revoked, how old a quote may be. Canonical JSON and binary encodings.
import { abytes, concatBytes, fromHex, InvalidInputError, toHex, u64be, utf8 } from "../../util/bytes.js";
import { MEASUREMENT_SIZE } from "../measurement.js";
import { PLATFORM_ID_SIZE } from "../sealing.js";

/** Ed25519 public keys of attestation authorities. */
export const AUTHORITY_KEY_SIZE = 32;
/** Bounds keep a governed param from growing without limit (and a decoder from allocating wildly). */
export const MAX_AUTHORITIES = 16;
export const MAX_MEASUREMENTS = 256;
export const MAX_REVOKED_PLATFORMS = 4096;
/** The statuses Intel's TCB info can report (dcap-qvl `TcbStatus`); only these may be allowed. */
export const DCAP_TCB_STATUSES: readonly string[] = Object.freeze([
  "ConfigurationAndSWHardeningNeeded",
  "ConfigurationNeeded",
  "OutOfDate",
  "OutOfDateConfigurationNeeded",
  "Revoked",
  "SWHardeningNeeded",
  "UpToDate",
]);
/** Binary layout version. */
export const POLICY_VERSION = 1;

export interface AttestationPolicy {
  /** Ed25519 keys whose platform certificates are accepted (software TEE). */
  readonly authorityPublicKeys: readonly Uint8Array[];
  /** Allowed enclave measurements: software code measurement or SGX MRENCLAVE (32 bytes each). */
  readonly allowedMeasurements: readonly Uint8Array[];
  /** Revoked platform ids (16 bytes: software platform id or SGX PPID). */
  readonly revokedPlatformIds: readonly Uint8Array[];
  /** Maximum age of evidence at verification time, in nanoseconds. */
  readonly maxAgeNs: bigint;
  /** DCAP TCB statuses accepted (e.g. ["SWHardeningNeeded", "UpToDate"]). */
  readonly allowedTcbStatuses: readonly string[];
}

function bad(msg: string): InvalidInputError {
  return new InvalidInputError("attestation policy", `attestation policy: ${msg}`);
}

function sortedUnique(list: readonly Uint8Array[], size: number, max: number, name: string): Uint8Array[] {
  if (list.length > max) throw bad(`at most ${max} ${name}`);
  const out = list.map((v) => Uint8Array.from(abytes(v, size, name)));
  out.sort((a, b) => Buffer.compare(a, b));
  for (let i = 1; i < out.length; i++) {
    if (Buffer.compare(out[i - 1]!, out[i]!) === 0) throw bad(`duplicate entry in ${name}`);
  }
  return out;
}

/** Validates every field and returns the canonical form (lists sorted, no duplicates). */
export function normalizePolicy(p: AttestationPolicy): AttestationPolicy {
  if (typeof p.maxAgeNs !== "bigint" || p.maxAgeNs <= 0n || p.maxAgeNs >= 1n << 64n) {
    throw bad("maxAgeNs must be a positive u64");
  }
  const statuses = [...p.allowedTcbStatuses].sort();
  for (let i = 0; i < statuses.length; i++) {
    if (!DCAP_TCB_STATUSES.includes(statuses[i]!)) throw bad(`unknown TCB status`);
    if (i > 0 && statuses[i] === statuses[i - 1]) throw bad("duplicate TCB status");
  }
  return {
    authorityPublicKeys: sortedUnique(
      p.authorityPublicKeys,
      AUTHORITY_KEY_SIZE,
      MAX_AUTHORITIES,
      "authorities",
    ),
    allowedMeasurements: sortedUnique(
      p.allowedMeasurements,
      MEASUREMENT_SIZE,
      MAX_MEASUREMENTS,
      "measurements",
    ),
    revokedPlatformIds: sortedUnique(
      p.revokedPlatformIds,
      PLATFORM_ID_SIZE,
      MAX_REVOKED_PLATFORMS,
      "platforms",
    ),
    maxAgeNs: p.maxAgeNs,
    allowedTcbStatuses: statuses,
  };
}

/** Canonical JSON: fixed key order, lowercase hex, sorted lists, max_age_ns as a decimal string. */
export function encodePolicyJson(p: AttestationPolicy): string {
  const n = normalizePolicy(p);
  return JSON.stringify({
    authority_public_keys: n.authorityPublicKeys.map(toHex),
    allowed_measurements: n.allowedMeasurements.map(toHex),
    revoked_platform_ids: n.revokedPlatformIds.map(toHex),
    max_age_ns: n.maxAgeNs.toString(),
    allowed_tcb_statuses: n.allowedTcbStatuses,
  });
}

const JSON_KEYS = [
  "allowed_measurements",
  "allowed_tcb_statuses",
  "authority_public_keys",
  "max_age_ns",
  "revoked_platform_ids",
];

function hexList(v: unknown, name: string): Uint8Array[] {
  if (!Array.isArray(v)) throw bad(`${name} must be an array`);
  return v.map((h: unknown) => {
    if (typeof h !== "string" || h !== h.toLowerCase()) throw bad(`${name} entries must be lowercase hex`);
    return fromHex(h, name);
  });
}

/** Strict JSON decoding: exactly the five keys, right types and sizes. Returns the canonical policy. */
export function decodePolicyJson(json: string): AttestationPolicy {
  let o: unknown;
  try {
    o = JSON.parse(json);
  } catch {
    throw bad("not valid JSON");
  }
  if (typeof o !== "object" || o === null || Array.isArray(o)) throw bad("must be a JSON object");
  const r = o as Record<string, unknown>;
  if (Object.keys(r).sort().join() !== JSON_KEYS.join())
    throw bad(`keys must be exactly ${JSON_KEYS.join()}`);
  const age = r.max_age_ns;
  if (typeof age !== "string" || !/^[1-9][0-9]{0,19}$/.test(age)) throw bad("max_age_ns: decimal string");
  const statuses = r.allowed_tcb_statuses;
  if (!Array.isArray(statuses) || !statuses.every((s) => typeof s === "string")) {
    throw bad("allowed_tcb_statuses must be an array of strings");
  }
  return normalizePolicy({
    authorityPublicKeys: hexList(r.authority_public_keys, "authority_public_keys"),
    allowedMeasurements: hexList(r.allowed_measurements, "allowed_measurements"),
    revokedPlatformIds: hexList(r.revoked_platform_ids, "revoked_platform_ids"),
    maxAgeNs: BigInt(age),
    allowedTcbStatuses: statuses,
  });
}

function u16(n: number): Uint8Array {
  return Uint8Array.of(n >> 8, n & 0xff);
}

/**
 * Binary: version u8 ‖ u16 n ‖ authorities(32·n) ‖ u16 n ‖ measurements(32·n) ‖ u16 n ‖ platform ids(16·n) ‖
 * max_age_ns u64 ‖ u8 n ‖ n × (u8 len ‖ ASCII status). Lists sorted; the encoding is unique.
 */
export function encodePolicyBinary(p: AttestationPolicy): Uint8Array {
  const n = normalizePolicy(p);
  const parts: Uint8Array[] = [Uint8Array.of(POLICY_VERSION)];
  for (const list of [n.authorityPublicKeys, n.allowedMeasurements, n.revokedPlatformIds]) {
    parts.push(u16(list.length), ...list);
  }
  parts.push(u64be(n.maxAgeNs), Uint8Array.of(n.allowedTcbStatuses.length));
  for (const s of n.allowedTcbStatuses) {
    const b = utf8.encode(s);
    parts.push(Uint8Array.of(b.length), b);
  }
  return concatBytes(...parts);
}

/** Strict binary decoding; anything but the canonical encoding of a valid policy is refused. */
export function decodePolicyBinary(bytes: Uint8Array): AttestationPolicy {
  abytes(bytes, undefined, "attestation policy");
  let o = 0;
  const take = (len: number): Uint8Array => {
    if (o + len > bytes.length) throw bad("truncated");
    const v = bytes.slice(o, o + len);
    o += len;
    return v;
  };
  if (take(1)[0] !== POLICY_VERSION) throw bad("unsupported version");
  const list = (size: number): Uint8Array[] => {
    const h = take(2);
    const count = (h[0]! << 8) | h[1]!;
    return Array.from({ length: count }, () => take(size));
  };
  const authorityPublicKeys = list(AUTHORITY_KEY_SIZE);
  const allowedMeasurements = list(MEASUREMENT_SIZE);
  const revokedPlatformIds = list(PLATFORM_ID_SIZE);
  const maxAgeNs = new DataView(take(8).buffer).getBigUint64(0, false);
  const nStatus = take(1)[0]!;
  const allowedTcbStatuses = Array.from({ length: nStatus }, () => {
    const b = take(take(1)[0]!);
    // Statuses are ASCII names; reject other bytes before decoding so bad input stays an InvalidInputError.
    if (!b.every((c) => c >= 0x20 && c < 0x7f)) throw bad("TCB status must be ASCII");
    return utf8.decode(b);
  });
  if (o !== bytes.length) throw bad("trailing bytes");
  const policy = {
    authorityPublicKeys,
    allowedMeasurements,
    revokedPlatformIds,
    maxAgeNs,
    allowedTcbStatuses,
  };
  const canonical = encodePolicyBinary(policy);
  if (Buffer.compare(canonical, bytes) !== 0) throw bad("not in canonical form (unsorted or duplicate)");
  return normalizePolicy(policy);
}

/** True when `list` holds `value` (byte equality). */
export function includesBytes(list: readonly Uint8Array[], value: Uint8Array): boolean {
  return list.some((v) => v.length === value.length && Buffer.compare(v, value) === 0);
}
