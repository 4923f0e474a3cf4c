// Key-management ECALLs (bootstrap, registration, network keys, rotation, health, measurement): thin wrappers
// that decode the payload, call ../registration.ts over the sealed keychain, seal any change, encode the answer.
// Payload and output layouts are tabled in src/enclave/README.md.
import { abytes, concatBytes, u32be } from "../../util/bytes.js";
import { decodeFields } from "../channel/codec.js";
import { EnclaveError } from "../errors.js";
import { decodePolicyBinary, type AttestationPolicy } from "../attestation/policy.js";
import type { NetworkPublicKeys } from "../keychain.js";
import {
  applyRotationSeed,
  authenticateNewNode,
  createMigrationQuote,
  createRegistrationQuote,
  deriveMigrationSecretKey,
  exportRotationSeed,
  generateRotationSeed,
  importRotationSeed,
  initBootstrap,
  initNode,
} from "../registration.js";
import { zeroize } from "../crypto/hash.js";
import type { EcallTable } from "./index.js";
import { enclaveState, persistEnclaveState, type EnclaveState } from "./state.js";

export { openEnclaveState } from "./state.js";

/** Version of the ECALL wire format answered by `health` (bump on any incompatible frame change). */
export const WIRE_VERSION = 1;
/** getAttestationQuote kinds: a registration quote (spec §3.1) or a migration quote (§3.6). */
export const QUOTE_KIND = Object.freeze({ registration: 0, migration: 1 } as const);

/** ECALLs that take no input still check it: anything sent is a malformed call, not something to ignore. */
function noPayload(payload: Uint8Array): void {
  abytes(payload, 0, "payload");
}

function u64Field(b: Uint8Array | undefined, field: string): bigint {
  return new DataView(abytes(b, 8, field).buffer, b!.byteOffset, 8).getBigUint64(0, false);
}

/** Optional 32-byte key: an empty field means "absent". */
function optionalKey(b: Uint8Array | undefined, field: string): Uint8Array | undefined {
  return abytes(b, undefined, field).length === 0 ? undefined : abytes(b, 32, field);
}

/**
 * The policy comes from the chain (consensus-agreed), but the measurement is pinned to our own: an enclave
 * only ever shares seeds with its own code (spec §3.2 MrEnclaveMismatch).
 */
function policyFor(state: EnclaveState, bytes: Uint8Array | undefined): AttestationPolicy {
  const policy = decodePolicyBinary(abytes(bytes, undefined, "attestation policy"));
  return { ...policy, allowedMeasurements: [state.measurement] };
}

const networkKeys = (k: NetworkPublicKeys): Uint8Array =>
  concatBytes(k.seedExchangePublicKey, k.ioExchangePublicKey);

function withMigrationKey<T>(state: EnclaveState, f: (sk: Uint8Array) => T): T {
  const sk = deriveMigrationSecretKey(state.platformSecret, state.measurement);
  try {
    return f(sk);
  } finally {
    zeroize(sk);
  }
}

export const registrationEcalls: EcallTable = {
  /** () → seedExchangePk(32) ‖ ioExchangePk(32). Refused when the enclave already holds seeds. */
  initBootstrap: (payload, ctx) => {
    noPayload(payload);
    const state = enclaveState(ctx.runtime);
    if (state.keychain.seedCount !== 0) throw new EnclaveError("InvalidInput", "enclave already holds seeds");
    const boot = initBootstrap();
    const seeds = boot.keychain.exportSeeds();
    const regSk = boot.keychain.registrationSecretKey();
    try {
      for (const seed of seeds) state.keychain.appendSeed(seed);
      state.keychain.setRegistrationSecretKey(regSk);
    } finally {
      zeroize(regSk, ...seeds);
      boot.keychain.destroy();
    }
    persistEnclaveState(state);
    return networkKeys(boot);
  },

  /** () → registration pk(32); creates the key pair on first call (ecall_key_gen). */
  generateRegistrationKey: (payload, ctx) => {
    noPayload(payload);
    const state = enclaveState(ctx.runtime);
    if (state.keychain.hasRegistrationKey) return state.keychain.registrationPublicKey();
    const pk = state.keychain.generateRegistrationKey();
    persistEnclaveState(state);
    return pk;
  },

  /** fields [kind u8, nowNs u64, operatorKey 0|32] → quote. */
  getAttestationQuote: (payload, ctx) => {
    const [kind, now, operator] = decodeFields(payload, 3, "getAttestationQuote");
    const state = enclaveState(ctx.runtime);
    const nowNs = u64Field(now, "nowNs");
    const k = abytes(kind, 1, "quote kind")[0];
    if (k === QUOTE_KIND.migration) {
      return withMigrationKey(state, (sk) =>
        createMigrationQuote(state.identity, state.measurement, sk, nowNs),
      );
    }
    if (k !== QUOTE_KIND.registration) throw new EnclaveError("InvalidInput", "quote kind");
    const op = optionalKey(operator, "operator key");
    return createRegistrationQuote(state.keychain, state.identity, state.measurement, nowNs, op);
  },

  /** fields [evidence, policy, nowNs u64, expectedNodePk 0|32] → nodePk(32) ‖ encryptedSeeds(48·k). */
  authenticateNewNode: (payload, ctx) => {
    const [evidence, policy, now, expected] = decodeFields(payload, 4, "authenticateNewNode");
    const state = enclaveState(ctx.runtime);
    const expectedNodePublicKey = optionalKey(expected, "expected node public key");
    const res = authenticateNewNode(
      state.keychain,
      abytes(evidence, undefined, "evidence"),
      policyFor(state, policy),
      u64Field(now, "nowNs"),
      expectedNodePublicKey === undefined ? {} : { expectedNodePublicKey },
    );
    return concatBytes(res.nodePublicKey, res.encryptedSeeds);
  },

  /** fields [masterPk(32), sized encrypted seeds] → seedExchangePk ‖ ioExchangePk. */
  initNode: (payload, ctx) => {
    const [master, blob] = decodeFields(payload, 2, "initNode");
    const state = enclaveState(ctx.runtime);
    const keys = initNode(
      state.keychain,
      abytes(master, 32, "master public key"),
      abytes(blob, undefined, "blob"),
    );
    persistEnclaveState(state);
    return networkKeys(keys);
  },

  /** u32 seed index → seedExchangePk ‖ ioExchangePk of that seed. */
  getNetworkPubkeys: (payload, ctx) => {
    const index = new DataView(abytes(payload, 4, "seed index").buffer, payload.byteOffset).getUint32(0);
    const { keychain } = enclaveState(ctx.runtime);
    if (index >= keychain.seedCount) throw new EnclaveError("InvalidInput", "seed index out of range");
    return networkKeys(keychain.networkPublicKeys(index));
  },

  /** () → (): a fresh pending rotation seed. */
  rotationGenerate: (payload, ctx) => {
    noPayload(payload);
    const state = enclaveState(ctx.runtime);
    generateRotationSeed(state.keychain);
    persistEnclaveState(state);
    return new Uint8Array(0);
  },

  /** fields [peer migration quote, policy, nowNs] → export(80). */
  rotationExport: (payload, ctx) => {
    const [peer, policy, now] = decodeFields(payload, 3, "rotationExport");
    const state = enclaveState(ctx.runtime);
    const p = policyFor(state, policy);
    return withMigrationKey(state, (sk) =>
      exportRotationSeed(
        state.keychain,
        sk,
        abytes(peer, undefined, "peer quote"),
        p,
        u64Field(now, "nowNs"),
      ),
    );
  },

  /** fields [exporter migration quote, export(80), policy, nowNs] → (). */
  rotationImport: (payload, ctx) => {
    const [exporter, exported, policy, now] = decodeFields(payload, 4, "rotationImport");
    const state = enclaveState(ctx.runtime);
    const p = policyFor(state, policy);
    withMigrationKey(state, (sk) => {
      importRotationSeed(
        state.keychain,
        sk,
        abytes(exporter, undefined, "exporter quote"),
        abytes(exported, undefined, "export"),
        p,
        u64Field(now, "nowNs"),
      );
    });
    persistEnclaveState(state);
    return new Uint8Array(0);
  },

  /** () → the new current seed's seedExchangePk ‖ ioExchangePk. */
  rotationApply: (payload, ctx) => {
    noPayload(payload);
    const state = enclaveState(ctx.runtime);
    const keys = applyRotationSeed(state.keychain);
    persistEnclaveState(state);
    return networkKeys(keys);
  },

  /** () → u32 wire version ‖ u32 seed count. */
  health: (payload, ctx) => {
    noPayload(payload);
    const { keychain } = enclaveState(ctx.runtime);
    return concatBytes(u32be(WIRE_VERSION), u32be(keychain.seedCount));
  },

  /** () → this build's measurement (32). */
  getMeasurement: (payload, ctx) => {
    noPayload(payload);
    return Uint8Array.from(enclaveState(ctx.runtime).measurement);
  },
};
