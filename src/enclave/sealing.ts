// Sealing: binds secrets to (this machine, this enclave code) like SGX MRENCLAVE sealing. The key is HKDF of a
// per-machine platform secret and the enclave measurement; AES-SIV with the header as associated data.
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { randomBytes } from "node:crypto";
import { threadId } from "node:worker_threads";
import { abytes, concatBytes, equalBytes, utf8 } from "../util/bytes.js";
import { aesSivDecrypt, aesSivEncrypt } from "./crypto/aesSiv.js";
import { sha256, zeroize } from "./crypto/hash.js";
import { hkdfSha256 } from "./crypto/kdf.js";
import { EnclaveError } from "./errors.js";
import { Keychain } from "./keychain.js";
import { MEASUREMENT_SIZE } from "./measurement.js";

/** The per-machine root secret (the software stand-in for the CPU's sealing fuse key). */
export const PLATFORM_SECRET_SIZE = 32;
/** Platform ids are 16 bytes, like an SGX PPID. */
export const PLATFORM_ID_SIZE = 16;
/** Owner read/write only: anything looser lets other local users read every sealed secret. */
export const PLATFORM_SECRET_FILE_MODE = 0o600;

const SEAL_MAGIC = utf8.encode("SHRDSEAL");
/** Version of the sealed envelope below; bump on any layout change. */
export const SEAL_FORMAT_VERSION = 1;
/** magic(8) ‖ version u16 ‖ measurement(32) ‖ platform id(16) ‖ ciphertext length u32. */
export const SEAL_HEADER_SIZE = 8 + 2 + MEASUREMENT_SIZE + PLATFORM_ID_SIZE + 4;
/** AES-SIV tag length (spec secret-protocol §1). */
const SIV_TAG_SIZE = 16;
/** Upper bound on a sealed payload: the keychain state is a few hundred bytes. */
export const MAX_SEALED_PAYLOAD = 1 << 20;

// Domain-separated HKDF inputs: a sealing key must never equal any other key derived from the platform secret.
const SEAL_SALT = utf8.encode("shroud/seal-key/v1");
const PLATFORM_ID_DOMAIN = utf8.encode("shroud/platform-id/v1");

function unsealError(detail: string): EnclaveError {
  return new EnclaveError("FailedUnseal", detail);
}

/**
 * Reads the platform secret from `path`, creating it (32 random bytes, mode 0600) on the first run. Creation
 * writes a temp file, fsyncs it and hard-links it into place, so the file appears whole or not at all and two
 * racing starts agree on one secret. Refuses a file of the wrong size or one readable by group/others.
 */
export function loadOrCreatePlatformSecret(path: string): Uint8Array {
  if (!existsSync(path)) createPlatformSecretFile(path);
  const st = statSync(path);
  if ((st.mode & 0o077) !== 0) {
    throw new EnclaveError("FailedUnseal", "platform secret file must not be readable by group or others");
  }
  const secret = new Uint8Array(readFileSync(path));
  if (secret.length !== PLATFORM_SECRET_SIZE) {
    throw new EnclaveError("FailedUnseal", `platform secret file must hold ${PLATFORM_SECRET_SIZE} bytes`);
  }
  return secret;
}

function createPlatformSecretFile(path: string): void {
  // One name per thread: isolates of one process (the main enclave and its verify lane) may start together.
  const tmp = `${path}.${process.pid}.${threadId}.tmp`;
  const secret = new Uint8Array(randomBytes(PLATFORM_SECRET_SIZE));
  try {
    const fd = openSync(tmp, "w", PLATFORM_SECRET_FILE_MODE);
    try {
      writeSync(fd, secret);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    linkSync(tmp, path); // exclusive: fails with EEXIST if another start won the race
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") {
      throw new EnclaveError("FailedSeal", "cannot create the platform secret file");
    }
  } finally {
    zeroize(secret);
    rmSync(tmp, { force: true });
  }
}

/** The public id of a platform: sha256(domain ‖ platform secret)[0..16]. Goes into quotes and seal headers. */
export function platformIdOf(platformSecret: Uint8Array): Uint8Array {
  abytes(platformSecret, PLATFORM_SECRET_SIZE, "platform secret");
  return sha256(PLATFORM_ID_DOMAIN, platformSecret).slice(0, PLATFORM_ID_SIZE);
}

/** Sealing key = HKDF-SHA256(ikm = platform secret, salt = "shroud/seal-key/v1", info = measurement). */
export function deriveSealingKey(platformSecret: Uint8Array, measurement: Uint8Array): Uint8Array {
  abytes(platformSecret, PLATFORM_SECRET_SIZE, "platform secret");
  abytes(measurement, MEASUREMENT_SIZE, "measurement");
  return hkdfSha256(platformSecret, SEAL_SALT, measurement);
}

function header(measurement: Uint8Array, platformId: Uint8Array, ctLength: number): Uint8Array {
  const h = new Uint8Array(SEAL_HEADER_SIZE);
  const dv = new DataView(h.buffer);
  h.set(SEAL_MAGIC, 0);
  dv.setUint16(8, SEAL_FORMAT_VERSION, false);
  h.set(measurement, 10);
  h.set(platformId, 10 + MEASUREMENT_SIZE);
  dv.setUint32(SEAL_HEADER_SIZE - 4, ctLength, false);
  return h;
}

/** Seals `plaintext` to (platform, measurement): header ‖ AES-SIV(key, plaintext, AD = [header]). */
export function seal(platformSecret: Uint8Array, measurement: Uint8Array, plaintext: Uint8Array): Uint8Array {
  abytes(plaintext, undefined, "sealed payload");
  if (plaintext.length > MAX_SEALED_PAYLOAD) throw new EnclaveError("FailedSeal", "payload too large");
  const key = deriveSealingKey(platformSecret, measurement);
  try {
    const h = header(measurement, platformIdOf(platformSecret), plaintext.length + SIV_TAG_SIZE);
    return concatBytes(h, aesSivEncrypt(key, plaintext, [h]));
  } finally {
    zeroize(key);
  }
}

/** Checks the header field by field so each failure has its own reason; returns the ciphertext. */
function checkHeader(sealed: Uint8Array, measurement: Uint8Array, platformId: Uint8Array): Uint8Array {
  if (sealed.length < SEAL_HEADER_SIZE) throw unsealError("sealed data is truncated");
  if (!equalBytes(sealed.subarray(0, 8), SEAL_MAGIC)) throw unsealError("not a sealed file");
  const dv = new DataView(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const version = dv.getUint16(8, false);
  if (version !== SEAL_FORMAT_VERSION) throw unsealError(`unsupported sealed format version ${version}`);
  if (!equalBytes(sealed.subarray(10, 10 + MEASUREMENT_SIZE), measurement)) {
    throw unsealError("sealed by a different enclave measurement");
  }
  const pid = sealed.subarray(10 + MEASUREMENT_SIZE, 10 + MEASUREMENT_SIZE + PLATFORM_ID_SIZE);
  if (!equalBytes(pid, platformId)) throw unsealError("sealed on a different platform");
  const ctLength = dv.getUint32(SEAL_HEADER_SIZE - 4, false);
  const ct = sealed.subarray(SEAL_HEADER_SIZE);
  if (ct.length < ctLength) throw unsealError("sealed data is truncated");
  if (ct.length > ctLength) throw unsealError("sealed data has trailing bytes");
  if (ctLength < SIV_TAG_SIZE) throw unsealError("sealed data is truncated");
  return ct;
}

/**
 * Unseals what `seal` produced on this platform with this measurement. Truncated, foreign, wrong-version,
 * other-measurement and tampered inputs each fail with EnclaveError("FailedUnseal", reason).
 */
export function unseal(platformSecret: Uint8Array, measurement: Uint8Array, sealed: Uint8Array): Uint8Array {
  abytes(sealed, undefined, "sealed data");
  abytes(measurement, MEASUREMENT_SIZE, "measurement");
  const ct = checkHeader(sealed, measurement, platformIdOf(platformSecret));
  const key = deriveSealingKey(platformSecret, measurement);
  try {
    return aesSivDecrypt(key, ct, [sealed.subarray(0, SEAL_HEADER_SIZE)]);
  } catch {
    throw unsealError("sealed data failed authentication (tampered or corrupted)");
  } finally {
    zeroize(key);
  }
}

/** Writes a sealed blob atomically (temp file, fsync, rename) with mode 0600. */
export function writeSealedFile(path: string, sealed: Uint8Array): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, "w", PLATFORM_SECRET_FILE_MODE);
  try {
    writeSync(fd, sealed);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Reads a sealed blob; undefined when the file does not exist yet. */
export function readSealedFile(path: string): Uint8Array | undefined {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new EnclaveError("FailedUnseal", "cannot read the sealed file");
  }
}

// --- the sealed enclave state (what survives a restart) ---

/** Plaintext layout version of SealedState; unknown versions are refused, never guessed. */
export const SEALED_STATE_VERSION = 1;
const MAX_STATE_FIELD = 4096;

/** Everything an enclave keeps across restarts, as plain bytes (the keychain builds/reads it). */
export interface SealedState {
  /** Consensus seeds, genesis first (0 before initNode/bootstrap, up to 4). */
  readonly seeds: readonly Uint8Array[];
  readonly registrationSecretKey?: Uint8Array;
  /** A generated or imported rotation seed not yet applied (spec §3.6). */
  readonly rotationSeed?: Uint8Array;
  /** The platform's attestation key and its authority certificate (attestation/quote.ts). */
  readonly attestationSecretKey?: Uint8Array;
  readonly platformCertificate?: Uint8Array;
}

// Optional fields as tag ‖ u16 length ‖ bytes, tags strictly ascending (one canonical encoding).
const STATE_TAGS = [
  [1, "registrationSecretKey", 32],
  [2, "rotationSeed", 32],
  [3, "attestationSecretKey", 32],
  [4, "platformCertificate", undefined],
] as const;

/** version u8 ‖ seed count u8 ‖ seeds(32 each) ‖ optional fields (tag u8 ‖ len u16 ‖ bytes, ascending). */
export function encodeSealedState(state: SealedState): Uint8Array {
  if (state.seeds.length > 4) throw new EnclaveError("FailedSeal", "too many seeds");
  const parts: Uint8Array[] = [Uint8Array.of(SEALED_STATE_VERSION, state.seeds.length)];
  for (const s of state.seeds) parts.push(abytes(s, 32, "seed"));
  for (const [tag, field, size] of STATE_TAGS) {
    const v = state[field];
    if (v === undefined) continue;
    if ((size !== undefined && v.length !== size) || v.length > MAX_STATE_FIELD) {
      throw new EnclaveError("FailedSeal", `bad ${field} length`);
    }
    parts.push(Uint8Array.of(tag, v.length >> 8, v.length & 0xff), v);
  }
  return concatBytes(...parts);
}

/** Strict inverse of encodeSealedState (wrong version, unknown/duplicate tags, bad sizes all fail). */
export function decodeSealedState(bytes: Uint8Array): SealedState {
  const bad = (why: string): EnclaveError => unsealError(`sealed state: ${why}`);
  if (bytes.length < 2) throw bad("truncated");
  if (bytes[0] !== SEALED_STATE_VERSION) throw bad(`unsupported version ${bytes[0]!}`);
  const count = bytes[1]!;
  if (count > 4) throw bad("too many seeds");
  let o = 2;
  const seeds: Uint8Array[] = [];
  for (let i = 0; i < count; i++, o += 32) {
    if (o + 32 > bytes.length) throw bad("truncated");
    seeds.push(bytes.slice(o, o + 32));
  }
  const out: { -readonly [K in keyof SealedState]: SealedState[K] } = { seeds };
  let lastTag = 0;
  while (o < bytes.length) {
    if (o + 3 > bytes.length) throw bad("truncated");
    const tag = bytes[o]!;
    const len = (bytes[o + 1]! << 8) | bytes[o + 2]!;
    const entry = STATE_TAGS.find(([t]) => t === tag);
    if (entry === undefined || tag <= lastTag) throw bad(`unexpected field tag ${tag}`);
    const [, field, size] = entry;
    if (o + 3 + len > bytes.length) throw bad("truncated");
    if (size !== undefined && len !== size) throw bad(`bad ${field} length`);
    out[field] = bytes.slice(o + 3, o + 3 + len);
    lastTag = tag;
    o += 3 + len;
  }
  return out;
}

// --- keychain persistence: what the worker calls at start and after every key change ---

/** The sealed state of `keychain` (seeds, registration key, pending rotation seed) plus a certificate. */
export function keychainToSealedState(keychain: Keychain, platformCertificate?: Uint8Array): SealedState {
  const state: { -readonly [K in keyof SealedState]: SealedState[K] } = { seeds: keychain.exportSeeds() };
  if (keychain.hasRegistrationKey) state.registrationSecretKey = keychain.registrationSecretKey();
  if (keychain.hasRotationSeed) state.rotationSeed = keychain.rotationSeed();
  if (platformCertificate !== undefined) state.platformCertificate = platformCertificate;
  return state;
}

/** Rebuilds the keychain a sealed state describes. */
export function keychainFromSealedState(state: SealedState): Keychain {
  const kc = Keychain.fromSeeds(state.seeds, state.registrationSecretKey);
  if (state.rotationSeed !== undefined) kc.setRotationSeed(state.rotationSeed);
  return kc;
}

/** Seals the keychain (and optional platform certificate) to `path`, atomically, mode 0600. */
export function persistKeychain(
  platformSecret: Uint8Array,
  measurement: Uint8Array,
  path: string,
  keychain: Keychain,
  platformCertificate?: Uint8Array,
): void {
  const plain = encodeSealedState(keychainToSealedState(keychain, platformCertificate));
  try {
    writeSealedFile(path, seal(platformSecret, measurement, plain));
  } finally {
    zeroize(plain);
  }
}

/**
 * Unseals the keychain at `path`; a missing file gives an empty keychain (a fresh node: no seeds, no
 * registration key). A file that does not unseal is an error, never silently replaced.
 */
export function openSealedKeychain(
  platformSecret: Uint8Array,
  measurement: Uint8Array,
  path: string,
): { keychain: Keychain; platformCertificate?: Uint8Array } {
  const sealed = readSealedFile(path);
  if (sealed === undefined) return { keychain: Keychain.fromSeeds([]) };
  const plain = unseal(platformSecret, measurement, sealed);
  try {
    const state = decodeSealedState(plain);
    const keychain = keychainFromSealedState(state);
    return state.platformCertificate === undefined
      ? { keychain }
      : { keychain, platformCertificate: state.platformCertificate };
  } finally {
    zeroize(plain);
  }
}
