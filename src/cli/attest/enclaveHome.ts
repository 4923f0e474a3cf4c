// A node's enclave home (`<home>/enclave/`, the layout `shroud dev` uses) through the steps of Secret's node
// lifecycle: bootstrap a new network (spec secret-protocol §2.1), or join one by attestation (§3.1, §3.5).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  devAuthorityPublicKey,
  EnclaveCallError,
  EnclaveHost,
  type NetworkPubkeys,
} from "../../enclave/api.js";
import type { RegInfoJson } from "../../chain/modules/registration/genesis.js";
import { DEFAULT_MAX_AGE_NS } from "../../chain/modules/registration/params.js";
import { abytes, equalBytes, toBase64, toHex } from "../../util/bytes.js";
import { CliError } from "../common.js";

/** Files of an enclave home; `enclave/` and `platform-secret` are the same as `shroud dev`'s (cli/dev.ts). */
export const ENCLAVE_HOME_FILES = Object.freeze({
  enclave: "enclave",
  platformSecret: "platform-secret",
  /** Written by init-bootstrap: the `register` genesis section (Secret: node-master-key.txt + io-master-key.txt). */
  registrationGenesis: join("config", "registration-genesis.json"),
  /** Written by init-enclave: the raw quote bytes (Secret: attestation_combined.bin). */
  attestation: "attestation.bin",
});

/** spec §3.3: one encrypted seed is AES-SIV(32-byte seed) = 48 bytes; the chain stores 48·k. */
export const ENCRYPTED_SEED_SIZE = 48;

export function enclaveDir(home: string): string {
  return join(home, ENCLAVE_HOME_FILES.enclave);
}

/** Starts the enclave of `home` (creating its folder and platform secret on first use). */
export async function openEnclaveHome(home: string): Promise<EnclaveHost> {
  const dir = enclaveDir(home);
  mkdirSync(dir, { recursive: true });
  return EnclaveHost.start({
    dataDir: dir,
    platformSecretPath: join(dir, ENCLAVE_HOME_FILES.platformSecret),
  });
}

/** Runs `f` on the home's enclave and always stops the enclave afterwards. */
export async function withEnclaveHome<T>(home: string, f: (e: EnclaveHost) => T | Promise<T>): Promise<T> {
  const enclave = await openEnclaveHome(home);
  try {
    return await f(enclave);
  } finally {
    await enclave.stop();
  }
}

/** The `app_state.register` genesis section of a new network (registration module README "Genesis"). */
export interface RegistrationGenesisJson {
  readonly params: {
    readonly attestation_policy: {
      readonly authority_public_keys: string[];
      readonly allowed_measurements: string[];
      readonly revoked_platform_ids: string[];
      readonly max_age_ns: string;
      readonly allowed_tcb_statuses: string[];
    };
  };
  readonly reg_info: RegInfoJson[];
  readonly node_exch_key: { readonly bytes: string };
  readonly io_exch_key: { readonly bytes: string };
}

export function registrationGenesisSection(
  keys: NetworkPubkeys,
  measurement: Uint8Array,
  authorityPublicKeys: readonly Uint8Array[],
): RegistrationGenesisJson {
  return {
    params: {
      attestation_policy: {
        authority_public_keys: authorityPublicKeys.map(toHex).sort(),
        allowed_measurements: [toHex(measurement)],
        revoked_platform_ids: [],
        max_age_ns: DEFAULT_MAX_AGE_NS.toString(), // the registration module's default
        allowed_tcb_statuses: [],
      },
    },
    reg_info: [],
    node_exch_key: { bytes: toBase64(keys.seedExchangePublicKey) },
    io_exch_key: { bytes: toBase64(keys.ioExchangePublicKey) },
  };
}

export interface BootstrapResult {
  readonly keys: NetworkPubkeys;
  readonly measurement: Uint8Array;
  readonly genesis: RegistrationGenesisJson;
  /** Where the genesis section was written. */
  readonly path: string;
}

export interface BootstrapOptions {
  /** Authorities the new network's attestation policy trusts (default: the development authority). */
  readonly authorityPublicKeys?: readonly Uint8Array[];
}

function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(value, null, 2) + "\n");
}

/**
 * `init-bootstrap`: the genesis node's enclave makes the consensus seeds (inside, spec §2.1) and we write the
 * network's master public keys and attestation policy as the `register` genesis section. Refuses an enclave that
 * already holds seeds: a second bootstrap would fork the network's keys.
 */
export async function bootstrapEnclaveHome(home: string, o: BootstrapOptions = {}): Promise<BootstrapResult> {
  return withEnclaveHome(home, (enclave) => {
    if (enclave.health().seedCount > 0)
      throw new CliError(
        `the enclave in ${enclaveDir(home)} already holds consensus seeds; refusing to bootstrap`,
      );
    const keys = enclave.initBootstrap();
    const measurement = enclave.getMeasurement();
    const genesis = registrationGenesisSection(
      keys,
      measurement,
      o.authorityPublicKeys ?? [devAuthorityPublicKey()],
    );
    const path = join(home, ENCLAVE_HOME_FILES.registrationGenesis);
    writeJson(path, genesis);
    return { keys, measurement, genesis, path };
  });
}

export interface JoiningEnclave {
  /** The enclave's X25519 registration public key: the chain stores the seeds under it. */
  readonly registrationPublicKey: Uint8Array;
  /** The evidence (software quote; report_data = registration pk ‖ operator key or zeros), spec §3.1. */
  readonly quote: Uint8Array;
  readonly measurement: Uint8Array;
  /** Where the quote was written (raw bytes). */
  readonly path: string;
}

export interface JoinOptions {
  /** Quote time (ns); a registration is accepted while block time − this ≤ the policy's max age. */
  readonly nowNs?: bigint;
  /** 32-byte operator key bound into report_data[32..64] (spec §3.1), e.g. the validator's ed25519 key. */
  readonly operatorKey?: Uint8Array;
}

/**
 * `init-enclave`: a joining node's enclave makes (once) its registration key and a quote over it, written raw to
 * `<home>/attestation.bin`. Refuses an enclave that already holds seeds (it is a member already).
 */
export async function createJoiningEnclave(home: string, o: JoinOptions = {}): Promise<JoiningEnclave> {
  if (o.operatorKey !== undefined) abytes(o.operatorKey, 32, "operatorKey");
  return withEnclaveHome(home, (enclave) => {
    if (enclave.health().seedCount > 0)
      throw new CliError(`the enclave in ${enclaveDir(home)} already holds consensus seeds; nothing to join`);
    const registrationPublicKey = enclave.generateRegistrationKey();
    const nowNs = o.nowNs ?? BigInt(Date.now()) * 1_000_000n;
    const quote = enclave.getRegistrationQuote(nowNs, o.operatorKey);
    const path = join(home, ENCLAVE_HOME_FILES.attestation);
    writeFileSync(path, quote);
    return { registrationPublicKey, quote, measurement: enclave.getMeasurement(), path };
  });
}

/** Reads an attestation file written by init-enclave (raw bytes). */
export function readAttestationFile(path: string): Uint8Array {
  if (!existsSync(path)) throw new CliError(`no attestation file at ${path}`);
  const bytes = new Uint8Array(readFileSync(path));
  if (bytes.length === 0) throw new CliError(`attestation file ${path} is empty`);
  return bytes;
}

/** What the chain holds for a joining node (registration queries). */
export interface JoinMaterial {
  /** `RegistrationKey`: the network's seed-exchange master public key (spec §2.1 node_exch_key). */
  readonly masterPublicKey: Uint8Array;
  /** `TxKey`: the network's IO public key; after the join our enclave must derive the same (unchecked if absent). */
  readonly ioPublicKey?: Uint8Array;
  /** `EncryptedSeed(our registration pk)`: 48·k bytes (spec §3.3). */
  readonly encryptedSeeds: Uint8Array;
}

export interface CompleteJoinResult {
  readonly keys: NetworkPubkeys;
  readonly seedCount: number;
}

/** Checks the chain's material before it reaches the enclave (sizes first, spec §3.5 EncryptedKeyGranularity). */
export function assertJoinMaterial(m: JoinMaterial): void {
  abytes(m.masterPublicKey, 32, "masterPublicKey");
  if (m.ioPublicKey !== undefined) abytes(m.ioPublicKey, 32, "ioPublicKey");
  const n = m.encryptedSeeds.length;
  // The enclave takes one length byte in front (Go's getSizedEncSeed), so at most 5 seeds fit (5·48 = 240).
  if (n === 0 || n % ENCRYPTED_SEED_SIZE !== 0 || n > 255)
    throw new CliError(
      `encrypted seeds must be a positive multiple of ${ENCRYPTED_SEED_SIZE} bytes, got ${n}`,
    );
}

/** The join result plus the registration key the seeds were encrypted to. */
export interface JoinedEnclave extends CompleteJoinResult {
  readonly registrationPublicKey: Uint8Array;
}

/**
 * `configure-secret`: with the enclave open once, take its registration key, get the material for it (from the
 * chain, or given), load the seeds (spec §3.5, ecall_init_node) and confirm the enclave now derives the chain's
 * master keys; otherwise the node could not decrypt any tx.
 */
export async function joinWith(
  home: string,
  material: (registrationPublicKey: Uint8Array) => JoinMaterial | Promise<JoinMaterial>,
): Promise<JoinedEnclave> {
  return withEnclaveHome(home, async (enclave) => {
    if (enclave.health().seedCount > 0)
      throw new CliError(`the enclave in ${enclaveDir(home)} already holds consensus seeds`);
    const registrationPublicKey = enclave.generateRegistrationKey();
    const m = await material(registrationPublicKey);
    assertJoinMaterial(m);
    let keys: NetworkPubkeys;
    try {
      keys = enclave.initNode(m.masterPublicKey, m.encryptedSeeds);
    } catch (e) {
      // DecryptionError: the seeds were encrypted to another registration key or under another master key.
      if (e instanceof EnclaveCallError) throw new CliError(`the enclave refused the seeds: ${e.message}`);
      throw e;
    }
    const same =
      equalBytes(keys.seedExchangePublicKey, m.masterPublicKey) &&
      (m.ioPublicKey === undefined || equalBytes(keys.ioExchangePublicKey, m.ioPublicKey));
    if (!same) throw new CliError("the enclave's network keys differ from the chain's registration state");
    return { keys, seedCount: enclave.health().seedCount, registrationPublicKey };
  });
}

/** joinWith for material already in hand (checked for sizes before the enclave starts). */
export async function completeJoin(home: string, m: JoinMaterial): Promise<CompleteJoinResult> {
  assertJoinMaterial(m);
  const { keys, seedCount } = await joinWith(home, () => m);
  return { keys, seedCount };
}

/** The registration public key of a home whose enclave ran init-enclave (stable: the ECALL makes it once). */
export async function registrationPublicKeyOf(home: string): Promise<Uint8Array> {
  return withEnclaveHome(home, (enclave) => enclave.generateRegistrationKey());
}

/** The enclave's current network keys (those of its newest seed), or undefined before it holds seeds. */
export async function enclaveNetworkKeys(home: string): Promise<NetworkPubkeys | undefined> {
  return withEnclaveHome(home, (enclave) => {
    const { seedCount } = enclave.health();
    return seedCount === 0 ? undefined : enclave.getNetworkPubkeys(seedCount - 1);
  });
}
