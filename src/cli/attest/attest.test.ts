// The enclave-home library without a chain: bootstrap, join (quote → the bootstrap enclave's authenticateNewNode
// → initNode), registration at genesis, and every refusal (double bootstrap, joining a member, foreign seeds,
// keys that differ from the chain's, malformed material). Real enclaves in temp folders.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { devAuthorityPublicKey, encodeAttestationPolicy } from "../../enclave/api.js";
import { parsePolicyJson } from "../../chain/modules/registration/params.js";
import { validateGenesis } from "../../chain/app.js";
import { buildDevGenesis } from "../devGenesis.js";
import { fromBase64, toBase64, toHex } from "../../util/bytes.js";
import { CliError } from "../common.js";
import {
  assertJoinMaterial,
  bootstrapEnclaveHome,
  completeJoin,
  createJoiningEnclave,
  enclaveNetworkKeys,
  readAttestationFile,
  registrationPublicKeyOf,
  withEnclaveHome,
  type BootstrapResult,
} from "./enclaveHome.js";
import {
  mergeRegistrationIntoGenesis,
  readRegistrationGenesis,
  registerAtGenesis,
  validatorPublicKeyFromFile,
} from "./genesisJoin.js";

const NOW_NS = 1_790_000_000_000_000_000n;
const SHROUD = new URL("../../../bin/shroud.js", import.meta.url).pathname;

describe("attest: enclave homes", () => {
  let dir: string;
  let boot: BootstrapResult;
  const home = (n: string): string => join(dir, n);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "shroud-attest-"));
    boot = await bootstrapEnclaveHome(home("boot"));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test("init-bootstrap writes the register genesis section with the dev authority and this build", () => {
    const g = readRegistrationGenesis(home("boot"));
    assert.equal(g.node_exch_key.bytes, toBase64(boot.keys.seedExchangePublicKey));
    assert.equal(g.io_exch_key.bytes, toBase64(boot.keys.ioExchangePublicKey));
    assert.notEqual(g.node_exch_key.bytes, g.io_exch_key.bytes);
    assert.deepEqual(g.params.attestation_policy.authority_public_keys, [toHex(devAuthorityPublicKey())]);
    assert.deepEqual(g.params.attestation_policy.allowed_measurements, [toHex(boot.measurement)]);
    assert.deepEqual(g.reg_info, []);
  });

  test("a second bootstrap and a join of a member are refused", async () => {
    await assert.rejects(bootstrapEnclaveHome(home("boot")), (e: unknown) => {
      return e instanceof CliError && /already holds consensus seeds; refusing to bootstrap/.test(e.message);
    });
    await assert.rejects(
      createJoiningEnclave(home("boot")),
      /already holds consensus seeds; nothing to join/,
    );
  });

  test("register at genesis: seeds reach the joining enclave, which derives the network keys", async () => {
    const r = await registerAtGenesis(home("boot"), home("j1"), NOW_NS);
    assert.equal(r.joined.seedCount, 2);
    assert.deepEqual(r.joined.keys, boot.keys);
    assert.deepEqual(await enclaveNetworkKeys(home("j1")), boot.keys);
    const regKey = await registrationPublicKeyOf(home("j1"));
    assert.equal(r.regInfo.node_id, toBase64(regKey));
    assert.equal(fromBase64(r.regInfo.encrypted_seed).length, 96, "2 seeds × 48 bytes (spec §3.3)");
    assert.deepEqual(
      new Uint8Array(readFileSync(join(home("j1"), "attestation.bin"))),
      fromBase64(r.regInfo.certificate),
    );
    const g = readRegistrationGenesis(home("boot"));
    assert.deepEqual(g.reg_info, [r.regInfo]);
    // The chain's own genesis loader accepts the section (master keys, policy, reg_info entry).
    const doc = buildDevGenesis({
      genesisTimeNs: NOW_NS,
      nodeExchKey: boot.keys.seedExchangePublicKey,
      ioExchKey: boot.keys.ioExchangePublicKey,
      authorityPublicKeys: [],
      measurements: [],
    });
    validateGenesis({ ...doc, app_state: { ...doc.app_state, register: g } });
    // A joined enclave refuses a second load.
    await assert.rejects(
      completeJoin(home("j1"), {
        masterPublicKey: boot.keys.seedExchangePublicKey,
        ioPublicKey: boot.keys.ioExchangePublicKey,
        encryptedSeeds: fromBase64(r.regInfo.encrypted_seed),
      }),
      /already holds consensus seeds/,
    );
  });

  test("seeds encrypted to another node are refused; nothing is loaded", async () => {
    const other = readRegistrationGenesis(home("boot")).reg_info[0]!; // j1's, from the test above
    const j3 = await createJoiningEnclave(home("j3"), { nowNs: NOW_NS });
    assert.ok(existsSync(j3.path));
    assert.deepEqual(readAttestationFile(j3.path), j3.quote);
    const material = {
      masterPublicKey: boot.keys.seedExchangePublicKey,
      ioPublicKey: boot.keys.ioExchangePublicKey,
      encryptedSeeds: fromBase64(other.encrypted_seed),
    };
    await assert.rejects(completeJoin(home("j3"), material), /the enclave refused the seeds: .*/);
    assert.equal(await enclaveNetworkKeys(home("j3")), undefined, "nothing loaded after a refusal");
  });

  test("join material is checked for sizes before the enclave sees it", () => {
    const ok = {
      masterPublicKey: new Uint8Array(32),
      ioPublicKey: new Uint8Array(32),
      encryptedSeeds: new Uint8Array(96),
    };
    assertJoinMaterial(ok);
    assert.throws(() => {
      assertJoinMaterial({ ...ok, encryptedSeeds: new Uint8Array(95) });
    }, /multiple of 48/);
    assert.throws(() => {
      assertJoinMaterial({ ...ok, encryptedSeeds: new Uint8Array(0) });
    }, /multiple of 48/);
    assert.throws(() => {
      assertJoinMaterial({ ...ok, encryptedSeeds: new Uint8Array(288) });
    }, /multiple of 48/);
    assert.throws(() => {
      assertJoinMaterial({ ...ok, masterPublicKey: new Uint8Array(31) });
    }, /masterPublicKey/);
    assert.throws(() => {
      assertJoinMaterial({ ...ok, ioPublicKey: new Uint8Array(33) });
    }, /ioPublicKey/);
    assert.throws(() => readAttestationFile(join(dir, "missing.bin")), /no attestation file/);
  });

  test("the bootstrap enclave refuses an expired, future-dated or unknown-authority quote", async () => {
    const j6 = await createJoiningEnclave(home("j6"), { nowNs: NOW_NS });
    const genesisPolicy = parsePolicyJson(readRegistrationGenesis(home("boot")).params.attestation_policy);
    const SEC = 1_000_000_000n;
    const refusal = await withEnclaveHome(home("boot"), (e) => {
      const why = (policy: Uint8Array, nowNs: bigint): string => {
        try {
          e.authenticateNewNode(j6.quote, policy, nowNs);
          return "accepted";
        } catch (err) {
          return err instanceof Error ? err.message : String(err);
        }
      };
      const other = { ...genesisPolicy, authorityPublicKeys: [new Uint8Array(32).fill(3)] };
      return {
        fresh: why(encodeAttestationPolicy(genesisPolicy), NOW_NS + 599n * SEC),
        expired: why(encodeAttestationPolicy(genesisPolicy), NOW_NS + 601n * SEC),
        future: why(encodeAttestationPolicy(genesisPolicy), NOW_NS - 61n * SEC),
        authority: why(encodeAttestationPolicy(other), NOW_NS),
      };
    });
    assert.equal(refusal.fresh, "accepted");
    assert.match(refusal.expired, /attestation rejected \(expired\)/);
    assert.match(refusal.future, /attestation rejected \(issued_in_future\)/);
    assert.match(refusal.authority, /attestation rejected \(unknown_authority\)/);
  });

  test("configure-secret offline (Secret's form: master key + hex seeds) through the CLI", async () => {
    const j7 = await createJoiningEnclave(home("j7"), { nowNs: NOW_NS });
    const policy = encodeAttestationPolicy(
      parsePolicyJson(readRegistrationGenesis(home("boot")).params.attestation_policy),
    );
    const auth = await withEnclaveHome(home("boot"), (e) => e.authenticateNewNode(j7.quote, policy, NOW_NS));
    const cli = (...args: string[]): { code: number; out: string } => {
      const r = spawnSync(process.execPath, [SHROUD, "configure-secret", "--home", home("j7"), ...args], {
        env: { ...process.env, SHROUD_FROM_SOURCE: "1" },
        encoding: "utf8",
      });
      return { code: r.status ?? -1, out: r.stdout + r.stderr };
    };
    const master = toBase64(boot.keys.seedExchangePublicKey);
    assert.match(cli("--master-key", master).out, /--master-key and --encrypted-seed go together/);
    const ok = cli(
      "--master-key",
      master,
      "--encrypted-seed",
      toHex(auth.encryptedSeeds),
      "--io-key",
      toHex(boot.keys.ioExchangePublicKey),
      "--output",
      "json",
    );
    assert.equal(ok.code, 0, ok.out);
    const printed = JSON.parse(ok.out) as Record<string, unknown>;
    assert.equal(printed.io_key_checked, true);
    assert.equal(printed.io_exch_key, toBase64(boot.keys.ioExchangePublicKey));
    assert.deepEqual(await enclaveNetworkKeys(home("j7")), boot.keys);
  });

  test("a chain whose IO key is not the one the seeds derive is reported", async () => {
    const j4 = await createJoiningEnclave(home("j4"), { nowNs: NOW_NS });
    const policy = encodeAttestationPolicy(
      parsePolicyJson(readRegistrationGenesis(home("boot")).params.attestation_policy),
    );
    const auth = await withEnclaveHome(home("boot"), (e) => e.authenticateNewNode(j4.quote, policy, NOW_NS));
    assert.deepEqual(auth.nodePublicKey, j4.registrationPublicKey);
    const wrongIo = new Uint8Array(32).fill(7);
    await assert.rejects(
      completeJoin(home("j4"), {
        masterPublicKey: boot.keys.seedExchangePublicKey,
        ioPublicKey: wrongIo,
        encryptedSeeds: auth.encryptedSeeds,
      }),
      /network keys differ from the chain's registration state/,
    );
  });
});

describe("attest: genesis and validator-key files", () => {
  const dir = mkdtempSync(join(tmpdir(), "shroud-attest-files-"));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const section = {
    params: {
      attestation_policy: {
        authority_public_keys: [],
        allowed_measurements: [],
        revoked_platform_ids: [],
        max_age_ns: "1",
        allowed_tcb_statuses: [],
      },
    },
    reg_info: [],
    node_exch_key: { bytes: toBase64(new Uint8Array(32).fill(1)) },
    io_exch_key: { bytes: toBase64(new Uint8Array(32).fill(2)) },
  };

  test("the register section replaces app_state.register and keeps the rest", () => {
    const path = join(dir, "genesis.json");
    writeFileSync(
      path,
      JSON.stringify({ chain_id: "x", app_state: { bank: { a: 1 }, register: { old: true } } }),
    );
    mergeRegistrationIntoGenesis(path, section);
    const doc = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    assert.deepEqual(doc, { chain_id: "x", app_state: { bank: { a: 1 }, register: section } });
    writeFileSync(path, "[1]");
    assert.throws(() => {
      mergeRegistrationIntoGenesis(path, section);
    }, /not a genesis document/);
    writeFileSync(path, JSON.stringify({ app_state: 5 }));
    assert.throws(() => {
      mergeRegistrationIntoGenesis(path, section);
    }, /app_state is not an object/);
  });

  test("priv_validator_key.json gives its ed25519 public key; other shapes are refused", () => {
    const path = join(dir, "priv_validator_key.json");
    const pk = new Uint8Array(32).fill(9);
    const file = (pub_key: unknown): void => {
      writeFileSync(path, JSON.stringify({ address: "AB", pub_key, priv_key: {} }));
    };
    file({ type: "tendermint/PubKeyEd25519", value: toBase64(pk) });
    assert.deepEqual(validatorPublicKeyFromFile(path), pk);
    file({ type: "tendermint/PubKeySecp256k1", value: toBase64(pk) });
    assert.throws(() => validatorPublicKeyFromFile(path), /PubKeyEd25519/);
    file({ type: "tendermint/PubKeyEd25519", value: toBase64(new Uint8Array(33)) });
    assert.throws(() => validatorPublicKeyFromFile(path), /32 bytes, got 33/);
    assert.throws(() => validatorPublicKeyFromFile(join(dir, "none.json")), /cannot read validator key/);
  });
});
