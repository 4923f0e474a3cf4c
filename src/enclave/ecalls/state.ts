// The enclave's long-lived state inside the worker: platform secret, measurement, platform identity and the
// keychain, unsealed from the data dir at start and sealed back after every change (spec §2.1 "seals
// everything"; layout in ../sealing.ts). Lives in a runtime slot; never crosses the wall.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { EnclaveError } from "../errors.js";
import type { Keychain } from "../keychain.js";
import type { EnclaveKeys } from "../keys.js";
import { enclaveMeasurement } from "../measurement.js";
import { loadOrCreatePlatformSecret, openSealedKeychain, persistKeychain } from "../sealing.js";
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

/** Called once at worker start: load or create the platform secret and unseal the keychain if present. */
export function openEnclaveState(runtime: EnclaveRuntime): void {
  mkdirSync(runtime.dataDir, { recursive: true, mode: DATA_DIR_MODE });
  const platformSecret = loadOrCreatePlatformSecret(runtime.platformSecretPath);
  const measurement = enclaveMeasurement();
  const sealedPath = join(runtime.dataDir, SEALED_STATE_FILE);
  const { keychain, platformCertificate } = openSealedKeychain(platformSecret, measurement, sealedPath);
  const identity =
    platformCertificate === undefined
      ? devPlatformIdentity(platformSecret)
      : platformIdentity(platformSecret, platformCertificate);
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
  persistKeychain(
    state.platformSecret,
    state.measurement,
    state.sealedPath,
    state.keychain,
    state.identity.certificate,
  );
}
