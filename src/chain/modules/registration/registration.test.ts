// Registration module without an enclave double's shortcuts: params validation, genesis import/export,
// queries' errors, the simulation path (no enclave call), and the enclave's refusal becoming register 2.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryKVStore } from "../../store/memory.js";
import { GasMeter } from "../../gas.js";
import { EventManager, type Context } from "../../tx/context.js";
import { isError } from "../../errors.js";
import { MsgRegistry } from "../../tx/msgRegistry.js";
import { registerSecretMsgTypes } from "../../tx/secretMsgs.js";
import { EnclaveCallError } from "../../../enclave/api.js";
import { toBase64, toHex } from "../../../util/bytes.js";
import { RegistrationErrors } from "./errors.js";
import { exportRegistrationGenesis, initRegistrationGenesis } from "./genesis.js";
import { createRegistrationModule } from "./module.js";
import { handleRaAuthenticate } from "./msgServer.js";
import { parsePolicyJson } from "./params.js";
import { decodeMsgRaAuthenticateResponse } from "./proto.js";
import type { RegistrationEnclave } from "./expectedKeepers.js";

function ctx(simulate = false): Context {
  return {
    store: new MemoryKVStore(),
    gasMeter: new GasMeter(undefined),
    events: new EventManager(),
    chainId: "secretdev-1",
    blockHeight: 5n,
    blockTimeNs: 1_750_000_000_000_000_000n,
    txHash: new Uint8Array(),
    txIndex: 0,
    isCheckTx: false,
    simulate,
  };
}

const KEY = (n: number) => ({ bytes: toBase64(new Uint8Array(32).fill(n)) });
const POLICY = {
  authority_public_keys: [toHex(new Uint8Array(32).fill(7))],
  allowed_measurements: [],
  revoked_platform_ids: [],
  max_age_ns: "600000000000",
  allowed_tcb_statuses: [],
};

function moduleWith(enclave: RegistrationEnclave | undefined) {
  const registry = new MsgRegistry();
  registerSecretMsgTypes(registry);
  return createRegistrationModule(enclave, registry);
}

test("params: exactly five keys, sizes and statuses checked; canonical on export", () => {
  assert.doesNotThrow(() => parsePolicyJson(POLICY));
  for (const bad of [
    { ...POLICY, extra: 1 },
    { ...POLICY, max_age_ns: "0" },
    { ...POLICY, max_age_ns: 5 },
    { ...POLICY, authority_public_keys: ["abcd"] },
    { ...POLICY, allowed_tcb_statuses: ["Great"] },
    { ...POLICY, authority_public_keys: [POLICY.authority_public_keys[0], POLICY.authority_public_keys[0]] },
  ]) {
    assert.throws(() => parsePolicyJson(bad), /attestation|registration params|expected/);
  }
});

test("genesis: keys required and 32 bytes; reg_info with node_id round-trips", () => {
  const m = moduleWith(undefined);
  const c = ctx();
  assert.throws(() => {
    initRegistrationGenesis(c, m.keeper, { io_exch_key: KEY(1) });
  }, /required/);
  assert.throws(() => {
    initRegistrationGenesis(c, m.keeper, {
      node_exch_key: KEY(1),
      io_exch_key: { bytes: toBase64(new Uint8Array(31)) },
    });
  }, /32 bytes/);
  const g = {
    params: { attestation_policy: POLICY },
    reg_info: [
      {
        node_id: toBase64(new Uint8Array(32).fill(9)),
        certificate: "AQI=",
        encrypted_seed: toBase64(new Uint8Array(96)),
      },
    ],
    node_exch_key: KEY(1),
    io_exch_key: KEY(2),
  };
  const c2 = ctx();
  initRegistrationGenesis(c2, m.keeper, g);
  assert.deepEqual(exportRegistrationGenesis(c2, m.keeper), g);
  assert.deepEqual(m.query.txKeyJson(c2), { key: KEY(2).bytes });
  assert.deepEqual(m.query.registrationKeyJson(c2), { key: KEY(1).bytes });
  assert.throws(() => m.query.encryptedSeed(c2, new Uint8Array(32)), /not registered/);
  assert.throws(() => m.query.encryptedSeed(c2, new Uint8Array(5)), /32 bytes/);
});

test("RaAuthenticate: enclave refusal → register 2 with its reason; simulation never calls the enclave", () => {
  let calls = 0;
  const refusing: RegistrationEnclave = {
    authenticateNewNode: () => {
      calls++;
      throw new EnclaveCallError(7, "attestation evidence is too old", 0n);
    },
  };
  const m = moduleWith(refusing);
  const c = ctx();
  initRegistrationGenesis(c, m.keeper, {
    params: { attestation_policy: POLICY },
    node_exch_key: KEY(1),
    io_exch_key: KEY(2),
  });
  const msg = {
    sender: new Uint8Array(20).fill(1),
    certificate: Uint8Array.of(1, 2, 3),
    replaceMachineId: "",
  };
  assert.throws(
    () => handleRaAuthenticate(m.keeper, c, msg),
    (e: unknown) => isError(e, RegistrationErrors.AuthenticateFailed) && /too old/.test((e as Error).message),
  );
  assert.equal(calls, 1);
  const sim = { ...ctx(true), store: c.store };
  const r = handleRaAuthenticate(m.keeper, sim, msg);
  assert.equal(calls, 1, "simulation does not call the enclave");
  assert.equal(decodeMsgRaAuthenticateResponse(r.response).data, `S: ${"00".repeat(32)}`);
  assert.throws(() => handleRaAuthenticate(moduleWith(undefined).keeper, ctx(), msg), /no enclave/);
});

test("RaAuthenticate: stored under the quoted key; a second registration returns the stored seeds", () => {
  const seeds = new Uint8Array(96).fill(0x33);
  const enclave: RegistrationEnclave = {
    authenticateNewNode: () => ({ nodePublicKey: new Uint8Array(32).fill(0x44), encryptedSeeds: seeds }),
  };
  const m = moduleWith(enclave);
  const c = ctx();
  initRegistrationGenesis(c, m.keeper, {
    params: { attestation_policy: POLICY },
    node_exch_key: KEY(1),
    io_exch_key: KEY(2),
  });
  const msg = { sender: new Uint8Array(20).fill(1), certificate: Uint8Array.of(9), replaceMachineId: "" };
  const r = decodeMsgRaAuthenticateResponse(handleRaAuthenticate(m.keeper, c, msg).response);
  assert.equal(r.data, `S: ${"33".repeat(96)}`);
  const events = JSON.parse(r.events) as { type: string; attributes: { key: string; value: string }[] }[];
  assert.deepEqual(
    events[0]!.attributes.map((x) => x.key),
    ["module", "signer", "encrypted_seed", "node_id"],
  );
  assert.deepEqual(m.query.encryptedSeed(c, new Uint8Array(32).fill(0x44)), seeds);
  assert.ok(handleRaAuthenticate(m.keeper, c, msg));
});
