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
