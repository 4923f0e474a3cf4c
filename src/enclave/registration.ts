// Bootstrap, new-node registration and the seed exchange (spec secret-protocol §2.1, §3.1–3.5), and seed rotation
// between attested enclaves (§3.6). Plain functions over a Keychain and bytes, for the registration ECALLs.
import { abytes, concatBytes, equalBytes, utf8 } from "../util/bytes.js";
import { aesSivDecrypt, aesSivEncrypt } from "./crypto/aesSiv.js";
import { sha256, zeroize } from "./crypto/hash.js";
import { deriveFromKey, deriveSeedKey, hkdfSha256 } from "./crypto/kdf.js";
import { x25519PublicKey, x25519SharedSecret } from "./crypto/x25519.js";
import { EnclaveError } from "./errors.js";
import {
  DERIVE_ORDER,
  Keychain,
  MAX_SEEDS,
  MIN_SEEDS_FOR_ROTATION,
  randomSecret,
  type NetworkPublicKeys,
} from "./keychain.js";
import { MEASUREMENT_SIZE } from "./measurement.js";
import { PLATFORM_SECRET_SIZE } from "./sealing.js";
import { DcapAttestationVerifier } from "./attestation/dcapVerifier.js";
import type { AttestationPolicy } from "./attestation/policy.js";
import { buildReportData, createSoftwareQuote, type PlatformIdentity } from "./attestation/quote.js";
import { SoftwareAttestationVerifier } from "./attestation/softwareVerifier.js";
import {
  AttestationError,
  verifyAttestation,
  type AttestationVerifier,
  type VerifiedAttestation,
} from "./attestation/verifier.js";

/** spec §3.3: SINGLE_ENCRYPTED_SEED_SIZE = 32-byte seed + 16-byte SIV tag (SN ffi-types/src/lib.rs). */
export const SINGLE_ENCRYPTED_SEED_SIZE = 48;
/** Both verifiers; which one runs is decided by the evidence format. */
export const DEFAULT_VERIFIERS: readonly AttestationVerifier[] = Object.freeze([
  new SoftwareAttestationVerifier(),
  new DcapAttestationVerifier(),
]);

/** `ecall_init_bootstrap` (spec §2.1): fresh genesis + current seeds and a registration key. */
export function initBootstrap(): { keychain: Keychain } & NetworkPublicKeys {
  const keychain = Keychain.bootstrap();
  return {
    keychain,
    seedExchangePublicKey: keychain.seedExchangePublicKey(),
    ioExchangePublicKey: keychain.ioExchangePublicKey(),
  };
}

/** A registration quote (spec §3.1): report_data = registration pubkey ‖ operator key (or zeros). */
export function createRegistrationQuote(
  keychain: Keychain,
  identity: PlatformIdentity,
  measurement: Uint8Array,
  nowNs: bigint,
  operatorKey?: Uint8Array,
): Uint8Array {
  const reportData = buildReportData(keychain.registrationPublicKey(), operatorKey);
  return createSoftwareQuote(identity, measurement, reportData, nowNs);
}

/**
 * spec §3.3 `encrypt_seed`: K = X25519(derive(current seed, 1), node pk) used raw as the AES-SIV key;
 * each seed (genesis first) → AES-SIV(K, seed, AD = [node pk]), 48 bytes each. Deterministic.
 */
export function encryptSeedsForNode(keychain: Keychain, nodePublicKey: Uint8Array): Uint8Array {
  abytes(nodePublicKey, 32, "node public key");
  const sk = keychain.seedExchangeSecretKey();
  const k = x25519SharedSecret(sk, nodePublicKey);
  const seeds = keychain.exportSeeds();
  try {
    return concatBytes(...seeds.map((s) => aesSivEncrypt(k, s, [nodePublicKey])));
  } finally {
    zeroize(sk, k, ...seeds);
  }
}

/**
 * Legacy `ecall_get_genesis_seed` (spec §3.3): only seed[0], under the seed-exchange key derived from seed[0]
 * (derive(genesis, 1)), same AES-SIV form as above. 48 bytes.
 */
export function encryptGenesisSeedForNode(keychain: Keychain, nodePublicKey: Uint8Array): Uint8Array {
  abytes(nodePublicKey, 32, "node public key");
  const [genesis, ...rest] = keychain.exportSeeds();
  zeroize(...rest);
  if (genesis === undefined) throw new EnclaveError("InternalError", "keychain holds no consensus seed");
  const sk = deriveSeedKey(genesis, DERIVE_ORDER.seedExchange);
  const k = x25519SharedSecret(sk, nodePublicKey);
  try {
    return aesSivEncrypt(k, genesis, [nodePublicKey]);
  } finally {
    zeroize(sk, k, genesis);
  }
}

export interface AuthenticateResult {
  /** report_data[0..32]: the joining node's registration public key. */
  readonly nodePublicKey: Uint8Array;
  /** 48 bytes per seed, genesis first (spec §3.3). */
  readonly encryptedSeeds: Uint8Array;
  readonly attestation: VerifiedAttestation;
}

/**
 * `ecall_authenticate_new_node` (spec §3.2): verify the evidence under `policy` at `nowNs`, then encrypt
 * every seed to report_data[0..32]. When the caller names the node key it expects (the chain takes it from
 * the tx), a quote carrying another key is refused: a replayed quote cannot register a different key.
 */
export function authenticateNewNode(
  keychain: Keychain,
  evidence: Uint8Array,
  policy: AttestationPolicy,
  nowNs: bigint,
  options: { verifiers?: readonly AttestationVerifier[]; expectedNodePublicKey?: Uint8Array } = {},
): AuthenticateResult {
  const attestation = verifyAttestation(evidence, policy, nowNs, options.verifiers ?? DEFAULT_VERIFIERS);
  const nodePublicKey = attestation.reportData.slice(0, 32);
  const expected = options.expectedNodePublicKey;
  if (
    expected !== undefined &&
    !equalBytes(abytes(expected, 32, "expected node public key"), nodePublicKey)
  ) {
    throw new AttestationError("report_data_mismatch", "quote is bound to a different registration key");
  }
  return { nodePublicKey, encryptedSeeds: encryptSeedsForNode(keychain, nodePublicKey), attestation };
}

/** What Go's `getSizedEncSeed` sends: one length byte (low byte of u16 LE(len)) ‖ encrypted seeds (spec §3.5). */
export function sizeEncryptedSeeds(encryptedSeeds: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(encryptedSeeds.length & 0xff), encryptedSeeds);
}

/**
 * `ecall_init_node` (spec §3.5): `blob` = length byte ‖ 48-byte chunks (len % 48 == 1). Each chunk is
 * decrypted with K = X25519(registration sk, master pk), AD = [own registration pk]; seeds are appended in
 * order. The loaded current seed must then yield `masterPublicKey` as its seed-exchange key.
 */
export function initNode(
  keychain: Keychain,
  masterPublicKey: Uint8Array,
  blob: Uint8Array,
): NetworkPublicKeys {
  abytes(masterPublicKey, 32, "master public key");
  abytes(blob, undefined, "encrypted seeds");
  const count = (blob.length - 1) / SINGLE_ENCRYPTED_SEED_SIZE;
  if (blob.length % SINGLE_ENCRYPTED_SEED_SIZE !== 1 || count < 1 || count > MAX_SEEDS) {
    throw new EnclaveError("InvalidInput", "encrypted seeds: expected 1 length byte + 1..4 × 48 bytes");
  }
  if (blob[0] !== ((blob.length - 1) & 0xff)) {
    throw new EnclaveError("InvalidInput", "encrypted seeds: length byte does not match");
  }
  if (keychain.seedCount !== 0) throw new EnclaveError("InvalidInput", "node already holds consensus seeds");
  const sk = keychain.registrationSecretKey();
  const ownPk = keychain.registrationPublicKey();
  const k = x25519SharedSecret(sk, masterPublicKey);
  const seeds: Uint8Array[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const chunk = blob.subarray(1 + i * 48, 1 + (i + 1) * 48);
      seeds.push(aesSivDecrypt(k, chunk, [ownPk]));
    }
    const candidate = Keychain.fromSeeds(seeds);
    const ok = equalBytes(candidate.seedExchangePublicKey(), masterPublicKey);
    candidate.destroy();
    if (!ok) throw new EnclaveError("DecryptionError", "seeds do not match the network master key");
    for (const s of seeds) keychain.appendSeed(s);
  } catch (e) {
    if (e instanceof EnclaveError) throw e;
    throw new EnclaveError("DecryptionError", "encrypted seeds do not authenticate");
  } finally {
    zeroize(sk, k, ...seeds);
  }
  return {
    seedExchangePublicKey: keychain.seedExchangePublicKey(),
    ioExchangePublicKey: keychain.ioExchangePublicKey(),
  };
}

// --- seed rotation between attested enclaves (spec §3.6 `ecall_migration_op`) ---

const MIGRATION_KEY_SALT = utf8.encode("shroud/migration-key/v1");
const ROTATION_EXPORT_INFO = utf8.encode("shroud/rotation-seed-export/v1");
/** report_data[32..64] of a migration quote: marks it so a registration quote can never serve as one. */
export const MIGRATION_REPORT_TAG = sha256(utf8.encode("shroud/migration-quote/v1"));
/** exporter migration pk(32) ‖ AES-SIV(seed) (48). */
export const EXPORTED_ROTATION_SEED_SIZE = 32 + 48;

/**
 * The enclave's migration X25519 secret: HKDF(platform secret, info = measurement), stable per (machine,
 * enclave build) like SN's key from the `migrate.*.kdk` seal keys; never stored, never leaves the enclave.
 */
export function deriveMigrationSecretKey(platformSecret: Uint8Array, measurement: Uint8Array): Uint8Array {
  abytes(platformSecret, PLATFORM_SECRET_SIZE, "platform secret");
  abytes(measurement, MEASUREMENT_SIZE, "measurement");
  return hkdfSha256(platformSecret, MIGRATION_KEY_SALT, measurement);
}

/** A migration quote: report_data = migration pk ‖ MIGRATION_REPORT_TAG. */
export function createMigrationQuote(
  identity: PlatformIdentity,
  measurement: Uint8Array,
  migrationSecretKey: Uint8Array,
  nowNs: bigint,
): Uint8Array {
  const reportData = buildReportData(x25519PublicKey(migrationSecretKey), MIGRATION_REPORT_TAG);
  return createSoftwareQuote(identity, measurement, reportData, nowNs);
}

function verifyMigrationPeer(
  evidence: Uint8Array,
  policy: AttestationPolicy,
  nowNs: bigint,
  verifiers: readonly AttestationVerifier[] | undefined,
): Uint8Array {
  const a = verifyAttestation(evidence, policy, nowNs, verifiers ?? DEFAULT_VERIFIERS);
  if (!equalBytes(a.reportData.subarray(32), MIGRATION_REPORT_TAG)) {
    throw new AttestationError("report_data_mismatch", "not a migration quote");
  }
  return a.reportData.slice(0, 32);
}

function rotationKey(mySk: Uint8Array, peerPk: Uint8Array): Uint8Array {
  const shared = x25519SharedSecret(mySk, peerPk);
  try {
    return deriveFromKey(shared, ROTATION_EXPORT_INFO);
  } finally {
    zeroize(shared);
  }
}

/** `generate`: a fresh rotation seed held pending in the keychain (needs 2..3 seeds, none pending). */
export function generateRotationSeed(keychain: Keychain): void {
  const n = keychain.seedCount;
  if (n < MIN_SEEDS_FOR_ROTATION || n >= MAX_SEEDS) {
    throw new EnclaveError("InvalidInput", `rotation needs 2..3 existing seeds, keychain holds ${n}`);
  }
  if (keychain.hasRotationSeed) throw new EnclaveError("InvalidInput", "a rotation seed is already pending");
  const seed = randomSecret();
  keychain.setRotationSeed(seed);
  zeroize(seed);
}

/**
 * `export`: encrypt the pending rotation seed to an attested peer's migration key:
 * out = my migration pk ‖ AES-SIV(K, seed, AD = [my pk, peer pk]), K = HKDF(X25519(my sk, peer pk)).
 */
export function exportRotationSeed(
  keychain: Keychain,
  migrationSecretKey: Uint8Array,
  peerEvidence: Uint8Array,
  policy: AttestationPolicy,
  nowNs: bigint,
  verifiers?: readonly AttestationVerifier[],
): Uint8Array {
  const peerPk = verifyMigrationPeer(peerEvidence, policy, nowNs, verifiers);
  const myPk = x25519PublicKey(migrationSecretKey);
  const k = rotationKey(migrationSecretKey, peerPk);
  const seed = keychain.rotationSeed();
  try {
    return concatBytes(myPk, aesSivEncrypt(k, seed, [myPk, peerPk]));
  } finally {
    zeroize(k, seed);
  }
}

/** `import`: the exporter must be attested too, and its quote must carry the pk the export names. */
export function importRotationSeed(
  keychain: Keychain,
  migrationSecretKey: Uint8Array,
  exporterEvidence: Uint8Array,
  exported: Uint8Array,
  policy: AttestationPolicy,
  nowNs: bigint,
  verifiers?: readonly AttestationVerifier[],
): void {
  abytes(exported, EXPORTED_ROTATION_SEED_SIZE, "exported rotation seed");
  const exporterPk = verifyMigrationPeer(exporterEvidence, policy, nowNs, verifiers);
  if (!equalBytes(exported.subarray(0, 32), exporterPk)) {
    throw new AttestationError("report_data_mismatch", "export was made by a different migration key");
  }
  const myPk = x25519PublicKey(migrationSecretKey);
  const k = rotationKey(migrationSecretKey, exporterPk);
  let seed: Uint8Array;
  try {
    seed = aesSivDecrypt(k, exported.subarray(32), [exporterPk, myPk]);
  } catch {
    throw new EnclaveError("DecryptionError", "exported rotation seed does not authenticate");
  } finally {
    zeroize(k);
  }
  keychain.setRotationSeed(seed);
  zeroize(seed);
}

/** `apply`: the pending seed becomes the current one (new IO key); returns the new network public keys. */
export function applyRotationSeed(keychain: Keychain): NetworkPublicKeys {
  keychain.applyRotationSeed();
  return keychain.networkPublicKeys(keychain.seedCount - 1);
}
