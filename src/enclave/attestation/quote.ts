// Software-TEE quotes and platform certificates (binary layouts in attestation/README.md): a per-platform
// Ed25519 attestation key signs {measurement, report_data, platform id, issued_at}; an authority certifies it.
import { abytes, concatBytes, equalBytes, u64be, utf8 } from "../../util/bytes.js";
import { ed25519PublicKey, ed25519Sign } from "../crypto/ed25519.js";
import { sha256 } from "../crypto/hash.js";
import { hkdfSha256 } from "../crypto/kdf.js";
import { MEASUREMENT_SIZE } from "../measurement.js";
import { PLATFORM_ID_SIZE, PLATFORM_SECRET_SIZE, platformIdOf } from "../sealing.js";
import { AttestationError } from "./verifier.js";

/** spec secret-protocol §3.1: SGX report_data is 64 bytes. */
export const REPORT_DATA_SIZE = 64;
export const ED25519_KEY_SIZE = 32;
export const ED25519_SIG_SIZE = 64;

export const CERTIFICATE_VERSION = 1;
/** version(1) ‖ platform id(16) ‖ attestation pubkey(32) ‖ authority pubkey(32) ‖ authority signature(64). */
export const CERTIFICATE_SIZE = 1 + PLATFORM_ID_SIZE + 32 + 32 + ED25519_SIG_SIZE;

/** Magic of a software quote: cannot collide with a DCAP quote, which starts with u16 LE version 3 or 4. */
export const SOFTWARE_QUOTE_MAGIC = utf8.encode("SWQT");
export const SOFTWARE_QUOTE_VERSION = 1;
/** magic(4) ‖ version u16 ‖ measurement(32) ‖ report_data(64) ‖ platform id(16) ‖ issued_at u64 ns. */
export const QUOTE_BODY_SIZE = 4 + 2 + MEASUREMENT_SIZE + REPORT_DATA_SIZE + PLATFORM_ID_SIZE + 8;
/** body ‖ certificate ‖ signature(64) by the attestation key. */
export const SOFTWARE_QUOTE_SIZE = QUOTE_BODY_SIZE + CERTIFICATE_SIZE + ED25519_SIG_SIZE;

// Signature domains: a certificate signature can never be replayed as a quote signature and vice versa.
export const CERTIFICATE_SIGNING_DOMAIN = utf8.encode("shroud/platform-certificate/v1\0");
export const QUOTE_SIGNING_DOMAIN = utf8.encode("shroud/software-quote/v1\0");
const ATTESTATION_KEY_SALT = utf8.encode("shroud/attestation-key/v1");

/**
 * The development attestation authority. Its secret is derivable by anyone from this public string, so a
 * policy that lists its public key accepts quotes from any machine: for localnets and tests ONLY.
 */
export function devAuthoritySecretKey(): Uint8Array {
  return sha256(utf8.encode("shroud development attestation authority v1 - INSECURE, public secret"));
}

export function devAuthorityPublicKey(): Uint8Array {
  return ed25519PublicKey(devAuthoritySecretKey());
}

/** The platform's Ed25519 attestation secret key, derived from the platform secret (like a quoting enclave's). */
export function deriveAttestationSecretKey(platformSecret: Uint8Array): Uint8Array {
  abytes(platformSecret, PLATFORM_SECRET_SIZE, "platform secret");
  return hkdfSha256(platformSecret, ATTESTATION_KEY_SALT, new Uint8Array(0));
}

export interface PlatformCertificate {
  readonly platformId: Uint8Array;
  readonly attestationPublicKey: Uint8Array;
  readonly authorityPublicKey: Uint8Array;
  readonly signature: Uint8Array;
}

function certificateBody(platformId: Uint8Array, attestationPk: Uint8Array, authorityPk: Uint8Array) {
  return concatBytes(Uint8Array.of(CERTIFICATE_VERSION), platformId, attestationPk, authorityPk);
}

/** The bytes an authority signs for a certificate: domain ‖ certificate without its signature. */
export function certificateSigningBytes(certBody: Uint8Array): Uint8Array {
  return concatBytes(CERTIFICATE_SIGNING_DOMAIN, certBody);
}

/** An authority certifies (platform id, attestation public key). Returns the encoded certificate. */
export function certifyPlatform(
  authoritySecretKey: Uint8Array,
  platformId: Uint8Array,
  attestationPublicKey: Uint8Array,
): Uint8Array {
  abytes(platformId, PLATFORM_ID_SIZE, "platform id");
  abytes(attestationPublicKey, ED25519_KEY_SIZE, "attestation public key");
  const body = certificateBody(platformId, attestationPublicKey, ed25519PublicKey(authoritySecretKey));
  return concatBytes(body, ed25519Sign(certificateSigningBytes(body), authoritySecretKey));
}

/** Parses the fixed-size certificate layout (no signature check: see softwareVerifier.ts). */
export function decodeCertificate(bytes: Uint8Array): PlatformCertificate {
  if (bytes.length !== CERTIFICATE_SIZE || bytes[0] !== CERTIFICATE_VERSION) {
    throw new AttestationError("malformed", "bad platform certificate layout or version");
  }
  let o = 1;
  const take = (n: number): Uint8Array => bytes.slice(o, (o += n));
  return {
    platformId: take(PLATFORM_ID_SIZE),
    attestationPublicKey: take(32),
    authorityPublicKey: take(32),
    signature: take(ED25519_SIG_SIZE),
  };
}

/** The self-contained identity a platform quotes with. */
export interface PlatformIdentity {
  readonly platformId: Uint8Array;
  readonly attestationSecretKey: Uint8Array;
  readonly certificate: Uint8Array;
}

/** Checks that `certificate` certifies exactly this platform's id and attestation key. */
export function platformIdentity(platformSecret: Uint8Array, certificate: Uint8Array): PlatformIdentity {
  const sk = deriveAttestationSecretKey(platformSecret);
  const cert = decodeCertificate(certificate);
  const platformId = platformIdOf(platformSecret);
  if (
    !equalBytes(cert.platformId, platformId) ||
    !equalBytes(cert.attestationPublicKey, ed25519PublicKey(sk))
  ) {
    throw new AttestationError("malformed", "certificate is for another platform or attestation key");
  }
  return { platformId, attestationSecretKey: sk, certificate: Uint8Array.from(certificate) };
}

/** Development convenience: the platform identity certified by the (insecure) dev authority. */
export function devPlatformIdentity(platformSecret: Uint8Array): PlatformIdentity {
  const sk = deriveAttestationSecretKey(platformSecret);
  const cert = certifyPlatform(devAuthoritySecretKey(), platformIdOf(platformSecret), ed25519PublicKey(sk));
  return platformIdentity(platformSecret, cert);
}

/** Builds report_data (spec §3.1): [0..32] = registration pubkey, [32..64] = operator key or zeros. */
export function buildReportData(publicKey: Uint8Array, operatorKey?: Uint8Array): Uint8Array {
  abytes(publicKey, 32, "report data public key");
  const out = new Uint8Array(REPORT_DATA_SIZE);
  out.set(publicKey, 0);
  if (operatorKey !== undefined) out.set(abytes(operatorKey, 32, "operator key"), 32);
  return out;
}

/** Creates a signed software quote. `issuedAtNs` comes from the caller (the enclave has no clock). */
export function createSoftwareQuote(
  identity: PlatformIdentity,
  measurement: Uint8Array,
  reportData: Uint8Array,
  issuedAtNs: bigint,
): Uint8Array {
  abytes(measurement, MEASUREMENT_SIZE, "measurement");
  abytes(reportData, REPORT_DATA_SIZE, "report data");
  if (issuedAtNs < 0n || issuedAtNs >= 1n << 64n)
    throw new AttestationError("malformed", "issued_at not u64");
  const version = Uint8Array.of(SOFTWARE_QUOTE_VERSION >> 8, SOFTWARE_QUOTE_VERSION & 0xff);
  const body = concatBytes(
    SOFTWARE_QUOTE_MAGIC,
    version,
    measurement,
    reportData,
    identity.platformId,
    u64be(issuedAtNs),
  );
  const signed = concatBytes(body, identity.certificate);
  return concatBytes(
    signed,
    ed25519Sign(concatBytes(QUOTE_SIGNING_DOMAIN, signed), identity.attestationSecretKey),
  );
}

export interface SoftwareQuote {
  readonly version: number;
  readonly measurement: Uint8Array;
  readonly reportData: Uint8Array;
  readonly platformId: Uint8Array;
  readonly issuedAtNs: bigint;
  readonly certificate: Uint8Array;
  /** Everything the attestation key signed (after the domain prefix). */
  readonly signedBytes: Uint8Array;
  readonly signature: Uint8Array;
}

/** Parses the fixed layout; refuses wrong size, magic or version. */
export function decodeSoftwareQuote(bytes: Uint8Array): SoftwareQuote {
  if (bytes.length !== SOFTWARE_QUOTE_SIZE) {
    throw new AttestationError("malformed", `software quote must be ${SOFTWARE_QUOTE_SIZE} bytes`);
  }
  if (!equalBytes(bytes.subarray(0, 4), SOFTWARE_QUOTE_MAGIC)) {
    throw new AttestationError("malformed", "not a software quote");
  }
  const version = (bytes[4]! << 8) | bytes[5]!;
  if (version !== SOFTWARE_QUOTE_VERSION)
    throw new AttestationError("malformed", `unsupported version ${version}`);
  let o = 6;
  const take = (n: number): Uint8Array => bytes.slice(o, (o += n));
  const measurement = take(MEASUREMENT_SIZE);
  const reportData = take(REPORT_DATA_SIZE);
  const platformId = take(PLATFORM_ID_SIZE);
  const issuedAtNs = new DataView(take(8).buffer).getBigUint64(0, false);
  const certificate = take(CERTIFICATE_SIZE);
  const signedBytes = bytes.slice(0, o);
  const signature = take(ED25519_SIG_SIZE);
  return { version, measurement, reportData, platformId, issuedAtNs, certificate, signedBytes, signature };
}
