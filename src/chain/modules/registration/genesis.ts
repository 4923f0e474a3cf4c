// Registration genesis in Secret's JSON shape (SN proto/secret/registration/v1beta1/genesis.proto jsontags):
// {reg_info: [{certificate, encrypted_seed}], node_exch_key: {bytes}, io_exch_key: {bytes}} plus Shroud's
// params {attestation_policy}. Master keys come from the bootstrap enclave (spec secret-protocol §2.1).
import { fromBase64, toBase64 } from "../../../util/bytes.js";
import type { Context } from "../../tx/context.js";
import type { RegistrationKeeper } from "./keeper.js";
import { PUBKEY_SIZE } from "./keys.js";
import { EMPTY_POLICY_JSON, parsePolicyJson, policyToJson, type RegistrationParamsJson } from "./params.js";

export interface RegInfoJson {
  readonly node_id: string;
  readonly certificate: string;
  readonly encrypted_seed: string;
}

export interface RegistrationGenesis {
  readonly params?: RegistrationParamsJson;
  /** Secret's entries plus `node_id` (base64 pubkey; Shroud's, so that export → import keeps the state key). */
  readonly reg_info?: readonly RegInfoJson[] | null;
  readonly node_exch_key?: { readonly bytes: string } | null;
  readonly io_exch_key?: { readonly bytes: string } | null;
}

function masterKey(v: { readonly bytes: string } | null | undefined, name: string): Uint8Array | undefined {
  if (v === undefined || v === null) return undefined;
  const b = fromBase64(v.bytes, name);
  if (b.length !== PUBKEY_SIZE) throw new Error(`registration genesis: ${name} must be ${PUBKEY_SIZE} bytes`);
  return b;
}

/** Loads genesis. Both master keys are required: secretjs encrypts to the IO key (the tx key). */
export function initRegistrationGenesis(ctx: Context, k: RegistrationKeeper, g: RegistrationGenesis): void {
  k.setParams(ctx, parsePolicyJson(g.params?.attestation_policy ?? EMPTY_POLICY_JSON));
  const node = masterKey(g.node_exch_key, "node_exch_key");
  const io = masterKey(g.io_exch_key, "io_exch_key");
  if (node === undefined || io === undefined) {
    throw new Error(
      "registration genesis: node_exch_key and io_exch_key are required (run the bootstrap enclave)",
    );
  }
  k.setMasterKey(ctx, "node_exch_key", node);
  k.setMasterKey(ctx, "io_exch_key", io);
  for (const r of g.reg_info ?? []) {
    const id = fromBase64(r.node_id, "reg_info.node_id");
    if (id.length !== PUBKEY_SIZE)
      throw new Error(`registration genesis: node_id must be ${PUBKEY_SIZE} bytes`);
    if (k.getRegistration(ctx, id) !== undefined) throw new Error("registration genesis: duplicate node_id");
    k.setRegistration(ctx, id, {
      certificate: fromBase64(r.certificate, "reg_info.certificate"),
      encryptedSeed: fromBase64(r.encrypted_seed, "reg_info.encrypted_seed"),
    });
  }
}

export function exportRegistrationGenesis(ctx: Context, k: RegistrationKeeper): RegistrationGenesis {
  const node = k.getMasterKey(ctx, "node_exch_key");
  const io = k.getMasterKey(ctx, "io_exch_key");
  return {
    params: { attestation_policy: policyToJson(k.getParams(ctx)) },
    reg_info: [...k.iterateRegistrations(ctx)].map(({ nodePubkey, info }) => ({
      node_id: toBase64(nodePubkey),
      certificate: toBase64(info.certificate),
      encrypted_seed: toBase64(info.encryptedSeed),
    })),
    node_exch_key: node === undefined ? null : { bytes: toBase64(node) },
    io_exch_key: io === undefined ? null : { bytes: toBase64(io) },
  };
}
