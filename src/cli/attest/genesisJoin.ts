// Registering a node at genesis, with no chain running yet (localnets): the bootstrap enclave authenticates the
// joining enclave's quote itself, exactly as MsgRaAuthenticate would (spec secret-protocol §3.2–3.3), the entry
// goes into the `register` genesis section's reg_info, and the joining enclave loads its seeds (§3.5).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeAttestationPolicy, EnclaveCallError } from "../../enclave/api.js";
import type { RegInfoJson } from "../../chain/modules/registration/genesis.js";
import { parsePolicyJson } from "../../chain/modules/registration/params.js";
import { fromBase64, toBase64 } from "../../util/bytes.js";
import { CliError } from "../common.js";
import {
  completeJoin,
  createJoiningEnclave,
  ENCLAVE_HOME_FILES,
  withEnclaveHome,
  type CompleteJoinResult,
  type RegistrationGenesisJson,
} from "./enclaveHome.js";

export interface GenesisRegistration {
  /** The entry added to `<bootstrapHome>/config/registration-genesis.json` reg_info. */
  readonly regInfo: RegInfoJson;
  readonly joined: CompleteJoinResult;
}

/** Reads the register genesis section init-bootstrap wrote. */
export function readRegistrationGenesis(bootstrapHome: string): RegistrationGenesisJson {
  const path = join(bootstrapHome, ENCLAVE_HOME_FILES.registrationGenesis);
  try {
    return JSON.parse(readFileSync(path, "utf8")) as RegistrationGenesisJson;
  } catch (e) {
    throw new CliError(
      `cannot read ${path} (run init-bootstrap first): ${e instanceof Error ? e.message : ""}`,
    );
  }
}

/**
 * Joins the enclave of `joiningHome` to the network bootstrapped in `bootstrapHome` before genesis: its quote
 * (dated `nowNs`, which must be within the policy's max age of `nowNs` here too) is verified by the bootstrap
 * enclave under the genesis policy; the seeds encrypted to it are recorded in reg_info (the file is updated)
 * and loaded into the joining enclave. Both homes' enclaves must be stopped (each is opened here in turn).
 */
export async function registerAtGenesis(
  bootstrapHome: string,
  joiningHome: string,
  nowNs: bigint = BigInt(Date.now()) * 1_000_000n,
): Promise<GenesisRegistration> {
  const genesis = readRegistrationGenesis(bootstrapHome);
  const policy = encodeAttestationPolicy(parsePolicyJson(genesis.params.attestation_policy));
  const joining = await createJoiningEnclave(joiningHome, { nowNs });
  const auth = await withEnclaveHome(bootstrapHome, (enclave) => {
    try {
      return enclave.authenticateNewNode(joining.quote, policy, nowNs, joining.registrationPublicKey);
    } catch (e) {
      if (e instanceof EnclaveCallError) throw new CliError(`the bootstrap enclave refused: ${e.message}`);
      throw e;
    }
  });
  const regInfo: RegInfoJson = {
    node_id: toBase64(auth.nodePublicKey),
    certificate: toBase64(joining.quote),
    encrypted_seed: toBase64(auth.encryptedSeeds),
  };
  const joined = await completeJoin(joiningHome, {
    masterPublicKey: fromBase64(genesis.node_exch_key.bytes, "node_exch_key"),
    ioPublicKey: fromBase64(genesis.io_exch_key.bytes, "io_exch_key"),
    encryptedSeeds: auth.encryptedSeeds,
  });
  const updated: RegistrationGenesisJson = {
    ...genesis,
    reg_info: [...genesis.reg_info.filter((r) => r.node_id !== regInfo.node_id), regInfo],
  };
  writeFileSync(
    join(bootstrapHome, ENCLAVE_HOME_FILES.registrationGenesis),
    JSON.stringify(updated, null, 2) + "\n",
  );
  return { regInfo, joined };
}

/**
 * Writes the register section into a genesis document's `app_state.register` (CometBFT genesis.json), the way
 * Secret's init-bootstrap edits the node's genesis. Other sections are kept as they are.
 */
export function mergeRegistrationIntoGenesis(genesisPath: string, section: RegistrationGenesisJson): void {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(genesisPath, "utf8"));
  } catch (e) {
    throw new CliError(`cannot read genesis ${genesisPath}: ${e instanceof Error ? e.message : ""}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    throw new CliError(`${genesisPath} is not a genesis document (a JSON object)`);
  const g = doc as Record<string, unknown>;
  const appState: unknown = g.app_state ?? {};
  if (typeof appState !== "object" || appState === null || Array.isArray(appState))
    throw new CliError(`${genesisPath}: app_state is not an object`);
  writeFileSync(
    genesisPath,
    JSON.stringify({ ...g, app_state: { ...appState, register: section } }, null, 2) + "\n",
  );
}

/**
 * The ed25519 public key of a CometBFT `priv_validator_key.json` ({pub_key: {type, value: base64}}): Secret's
 * init-enclave binds it into report_data[32..64] unless told not to (spec §3.1).
 */
export function validatorPublicKeyFromFile(path: string): Uint8Array {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new CliError(`cannot read validator key ${path}: ${e instanceof Error ? e.message : ""}`);
  }
  const pk = (doc as { pub_key?: { type?: unknown; value?: unknown } } | null)?.pub_key;
  if (pk?.type !== "tendermint/PubKeyEd25519" || typeof pk.value !== "string")
    throw new CliError(`${path}: expected pub_key of type tendermint/PubKeyEd25519`);
  const key = fromBase64(pk.value, "pub_key");
  if (key.length !== 32) throw new CliError(`${path}: pub_key must be 32 bytes, got ${key.length}`);
  return key;
}
