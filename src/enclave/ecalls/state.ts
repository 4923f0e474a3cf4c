// The enclave's long-lived state inside the worker: platform secret, measurement, platform identity and the
// keychain, unsealed from the data dir at start and sealed back after every change (spec §2.1 "seals
// everything"; layout in ../sealing.ts). Lives in a runtime slot; never crosses the wall.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { zeroize } from "../crypto/hash.js";
import { EnclaveError } from "../errors.js";
import { Keychain } from "../keychain.js";
import type { EnclaveKeys } from "../keys.js";
import { enclaveMeasurement } from "../measurement.js";
import {
  decodeSealedState,
  encodeSealedState,
  loadOrCreatePlatformSecret,
  readSealedFile,
  seal,
  unseal,
  writeSealedFile,
  type SealedState,
} from "../sealing.js";
import { devPlatformIdentity, platformIdentity, type PlatformIdentity } from "../attestation/quote.js";
import type { EnclaveRuntime } from "./index.js";

/** The sealed keychain file in the data dir (SN keeps one sealed `data-<mr_enclave>.bin`, spec §2.2). */
export const SEALED_STATE_FILE = "enclave-state.sealed";
/** Owner-only data dir: it holds sealed blobs only, but nobody else has reason to list it. */
const DATA_DIR_MODE = 0o700;
const SLOT = "enclaveState";

export interface EnclaveState {
  readonly platformSecret: Uint8Array;
  readonly measurement: Uint8Array;
  /**
   * The identity quotes are signed with. A stored authority certificate is used when present; otherwise the
   * development authority certifies this platform (localnets only; see attestation/quote.ts).
   */
  readonly identity: PlatformIdentity;
  readonly keychain: Keychain;
  readonly sealedPath: string;
}

function keychainFrom(state: SealedState): Keychain {
  const keychain = Keychain.fromSeeds(state.seeds, state.registrationSecretKey);
  if (state.rotationSeed !== undefined) keychain.setRotationSeed(state.rotationSeed);
  return keychain;
}

/** Called once at worker start: load or create the platform secret and unseal the keychain if present. */
export function openEnclaveState(runtime: EnclaveRuntime): void {
  mkdirSync(runtime.dataDir, { recursive: true, mode: DATA_DIR_MODE });
  const platformSecret = loadOrCreatePlatformSecret(runtime.platformSecretPath);
  const measurement = enclaveMeasurement();
  const sealedPath = join(runtime.dataDir, SEALED_STATE_FILE);
  const sealed = readSealedFile(sealedPath);
  let keychain = Keychain.fromSeeds([]);
  let certificate: Uint8Array | undefined;
  if (sealed !== undefined) {
    const plain = unseal(platformSecret, measurement, sealed);
    try {
      const state = decodeSealedState(plain);
      keychain = keychainFrom(state);
      certificate = state.platformCertificate;
      zeroize(...state.seeds);
    } finally {
      zeroize(plain);
    }
  }
  const identity =
    certificate === undefined
      ? devPlatformIdentity(platformSecret)
      : platformIdentity(platformSecret, certificate);
  const state: EnclaveState = { platformSecret, measurement, identity, keychain, sealedPath };
  runtime.slots.set(SLOT, state);
}

export function enclaveState(runtime: EnclaveRuntime): EnclaveState {
  const state = runtime.slots.get(SLOT) as EnclaveState | undefined;
  if (state === undefined) throw new EnclaveError("InternalError", "enclave state not opened");
  return state;
}

/** The keys IO/contract code needs; refuses until bootstrap or initNode gave the enclave its seeds. */
export function enclaveKeys(runtime: EnclaveRuntime): EnclaveKeys {
  const { keychain } = enclaveState(runtime);
  if (keychain.seedCount === 0) throw new EnclaveError("InvalidInput", "enclave holds no consensus seed yet");
  return keychain;
}

/** Seals the current keychain to the data dir (atomic replace). Call after every keychain change. */
export function persistEnclaveState(state: EnclaveState): void {
  const { keychain } = state;
  const seeds = keychain.exportSeeds();
  const registrationSecretKey = keychain.hasRegistrationKey ? keychain.registrationSecretKey() : undefined;
  const rotationSeed = keychain.hasRotationSeed ? keychain.rotationSeed() : undefined;
  const plain = encodeSealedState({
    seeds,
    ...(registrationSecretKey === undefined ? {} : { registrationSecretKey }),
    ...(rotationSeed === undefined ? {} : { rotationSeed }),
    platformCertificate: state.identity.certificate,
  });
  try {
    writeSealedFile(state.sealedPath, seal(state.platformSecret, state.measurement, plain));
  } finally {
    zeroize(plain, ...seeds, ...(registrationSecretKey ? [registrationSecretKey] : []));
    if (rotationSeed !== undefined) zeroize(rotationSeed);
  }
}
