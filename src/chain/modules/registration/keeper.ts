// The registration keeper: the only code that reads or writes the registration store prefix. Master public
// keys (spec secret-protocol §2.1), registered nodes and their encrypted seeds (§3.4), the attestation policy.
import { EnclaveCallError, encodeAttestationPolicy, type AttestationPolicy } from "../../../enclave/api.js";
import { utf8 } from "../../../util/bytes.js";
import { ChainError } from "../../errors.js";
import { PrefixStore, prefixEnd, type Context } from "../../tx/context.js";
import type { KVStore } from "../../store/types.js";
import { RegistrationErrors } from "./errors.js";
import type { RegistrationEnclave } from "./expectedKeepers.js";
import {
  IO_EXCH_MASTER_KEY,
  NODE_EXCH_MASTER_KEY,
  PARAMS_KEY,
  PUBKEY_SIZE,
  REGISTRATION_PREFIX,
  STORE_PREFIX,
  registrationKey,
} from "./keys.js";
import { EMPTY_POLICY_JSON, parsePolicyJson, policyToJson } from "./params.js";
import {
  decodeBytesField1,
  decodeRegistrationNodeInfo,
  encodeBytesField1,
  encodeRegistrationNodeInfo,
  type RegistrationNodeInfo,
} from "./proto.js";

/** spec §3.4: in simulation the enclave is not called and a 32-byte zero placeholder seed is stored. */
const SIMULATION_SEED = new Uint8Array(32);

export type MasterKeyName = "node_exch_key" | "io_exch_key";

export class RegistrationKeeper {
  constructor(
    /** Absent on a node without an enclave (tests of other modules): registrations then fail with register 2. */
    private readonly enclave: RegistrationEnclave | undefined,
    private readonly prefix: Uint8Array = STORE_PREFIX,
  ) {}

  private store(ctx: Context): KVStore {
    return new PrefixStore(ctx.store, this.prefix);
  }

  getParams(ctx: Context): AttestationPolicy {
    const b = this.store(ctx).get(PARAMS_KEY);
    return parsePolicyJson(b === undefined ? EMPTY_POLICY_JSON : JSON.parse(utf8.decode(b)));
  }

  /** Validates, then stores the canonical JSON (gov param changes come through here). */
  setParams(ctx: Context, p: AttestationPolicy): void {
    encodeAttestationPolicy(p);
    this.store(ctx).set(PARAMS_KEY, utf8.encode(JSON.stringify(policyToJson(p))));
  }

  getMasterKey(ctx: Context, name: MasterKeyName): Uint8Array | undefined {
    const b = this.store(ctx).get(name === "node_exch_key" ? NODE_EXCH_MASTER_KEY : IO_EXCH_MASTER_KEY);
    return b === undefined ? undefined : decodeBytesField1(b, "master key");
  }

  setMasterKey(ctx: Context, name: MasterKeyName, key: Uint8Array): void {
    if (key.length !== PUBKEY_SIZE)
      throw new ChainError(RegistrationErrors.Invalid, `${name} must be 32 bytes`);
    this.store(ctx).set(
      name === "node_exch_key" ? NODE_EXCH_MASTER_KEY : IO_EXCH_MASTER_KEY,
      encodeBytesField1(key),
    );
  }

  getRegistration(ctx: Context, nodePubkey: Uint8Array): RegistrationNodeInfo | undefined {
    if (nodePubkey.length !== PUBKEY_SIZE) return undefined;
    const b = this.store(ctx).get(registrationKey(nodePubkey));
    return b === undefined ? undefined : decodeRegistrationNodeInfo(b);
  }

  setRegistration(ctx: Context, nodePubkey: Uint8Array, info: RegistrationNodeInfo): void {
    this.store(ctx).set(registrationKey(nodePubkey), encodeRegistrationNodeInfo(info));
  }

  /** Every registered node, in key (pubkey) order. */
  *iterateRegistrations(ctx: Context): Generator<{ nodePubkey: Uint8Array; info: RegistrationNodeInfo }> {
    const s = this.store(ctx);
    for (const [k, v] of s.iterate(REGISTRATION_PREFIX, prefixEnd(REGISTRATION_PREFIX))) {
      yield { nodePubkey: k.slice(REGISTRATION_PREFIX.length), info: decodeRegistrationNodeInfo(v) };
    }
  }

  /**
   * SN keeper.RegisterNode: the enclave verifies the attestation under the chain's policy at block time and
   * encrypts the seeds to the quoted key; the result is stored under 0x01 ‖ pubkey. A node already registered
   * gets its stored seeds back (the enclave's answer is deterministic, so they are the same bytes).
   */
  registerNode(
    ctx: Context,
    certificate: Uint8Array,
  ): { nodePublicKey: Uint8Array; encryptedSeed: Uint8Array } {
    if (ctx.simulate) {
      const nodePublicKey = new Uint8Array(PUBKEY_SIZE);
      this.setRegistration(ctx, nodePublicKey, { certificate, encryptedSeed: SIMULATION_SEED });
      return { nodePublicKey, encryptedSeed: SIMULATION_SEED };
    }
    if (this.enclave === undefined) {
      throw new ChainError(RegistrationErrors.AuthenticateFailed, "this node has no enclave");
    }
    const policy = encodeAttestationPolicy(this.getParams(ctx));
    let res: { nodePublicKey: Uint8Array; encryptedSeeds: Uint8Array };
    try {
      res = this.enclave.authenticateNewNode(certificate, policy, ctx.blockTimeNs);
    } catch (e) {
      // The enclave's message is safe and deterministic (a code plus a reason); anything else stays out.
      const detail = e instanceof EnclaveCallError ? e.message : "enclave call failed";
      throw new ChainError(RegistrationErrors.AuthenticateFailed, detail);
    }
    const existing = this.getRegistration(ctx, res.nodePublicKey);
    if (existing !== undefined)
      return { nodePublicKey: res.nodePublicKey, encryptedSeed: existing.encryptedSeed };
    this.setRegistration(ctx, res.nodePublicKey, { certificate, encryptedSeed: res.encryptedSeeds });
    return { nodePublicKey: res.nodePublicKey, encryptedSeed: res.encryptedSeeds };
  }
}
