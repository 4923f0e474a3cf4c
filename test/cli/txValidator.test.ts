// Validator-operator and governance commands of the real CLI against a `shroud dev` child: create-validator
// (consensus key given as base64 and as the SDK JSON form), edit-validator, cancel-unbond, unjail of a validator
// that is not jailed (the chain's error, exit code 1), distribution's withdraw address, commission and community
// pool, and a gov proposal carrying a message in proto JSON
// (snake_case) whose decoded form the node serves back; bad keys, rates and messages refused before any tx.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startDevChild, type DevChild } from "../e2e/devNode.js";
import { addressFromMnemonic, DEV_MNEMONICS } from "../../src/cli/devGenesis.js";
import { fromBech32, toBech32 } from "../../src/chain/address.js";

const BIN = fileURLToPath(new URL("../../bin/shroud.js", import.meta.url));
// Dev account c (LocalSecret's published mnemonic c, src/cli/devGenesis.ts).
const ADDRESS_C = "secret1ajz54hz8azwuy34qwy9fkjnfcrvf0dzswy0lqq";
const VALOPER_C = "secretvaloper1ajz54hz8azwuy34qwy9fkjnfcrvf0dzslrpzdf";
const VALOPER_D = toBech32(fromBech32(addressFromMnemonic(DEV_MNEMONICS.d)), "secretvaloper");
// x/gov's module account (authority of proposal messages): address of sha256("gov")[:20].
const GOV_ADDRESS = "secret10d07y265gmmuvt4z0w9aw880jnsr700jc88vt0";
// Any account address (the test never needs its key) to receive c's rewards.
const PAYEE = "secret1an3uyrshhm3qm2kq687wgyce8zppr6tqmsw8ch";
// A consensus key for the new validator: 32 fixed bytes (an ed25519 public key is any 32 bytes to the chain).
const CONS_KEY = Buffer.alloc(32, 7).toString("base64");

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: string[], input = ""): Promise<Run> {
  const env: Record<string, string | undefined> = { ...process.env, SHROUD_FROM_SOURCE: "1" };
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve) =>
    child.on("close", (code) => {
      resolve({ code, stdout, stderr });
    }),
  );
}

function userError(r: Run, pattern: RegExp): void {
  assert.notEqual(r.code, 0, r.stdout);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
}

function ok(r: Run): { code: number; txhash: string; height?: number } {
  assert.equal(r.code, 0, r.stderr + r.stdout);
  return JSON.parse(r.stdout) as { code: number; txhash: string };
}

describe("shroud tx staking/slashing/gov operator commands", { timeout: 300_000 }, () => {
  let node: DevChild;
  let home = "";
  const conn = (): string[] => ["--home", home, "--keyring-backend", "test", "--node", node.rest];
  const tx = (...a: string[]): Promise<Run> => run(["tx", ...a, ...conn(), "--yes", "--output", "json"]);
  const rest = async (path: string): Promise<Record<string, unknown>> =>
    (await (await fetch(node.rest + path)).json()) as Record<string, unknown>;

  before(async () => {
    home = mkdtempSync(join(tmpdir(), "shroud-cli-val-"));
    const add = (name: string, m: string) =>
      run(["keys", "add", name, "--recover", "--home", home, "--keyring-backend", "test"], m + "\n");
    const [n, k, d] = await Promise.all([
      startDevChild(50),
      add("c", DEV_MNEMONICS.c),
      add("d", DEV_MNEMONICS.d),
    ]);
    node = n;
    assert.equal(k.code, 0, k.stderr);
    assert.equal(d.code, 0, d.stderr);
    assert.match(k.stdout + k.stderr, new RegExp(ADDRESS_C));
  });
  after(async () => {
    const code = await node.stop();
    rmSync(home, { recursive: true, force: true });
    assert.equal(code, 0, node.output());
  });

  test("bad consensus keys, rates and missing keys are refused before any tx", async () => {
    const base = ["staking", "create-validator", "--from", "c", "--amount", "1000000uscrt", "--moniker", "x"];
    const [short, json, rate, none] = await Promise.all([
      tx(...base, "--pubkey", "AAAA"),
      tx(...base, "--pubkey", '{"@type":"/cosmos.crypto.secp256k1.PubKey","key":"AAAA"}'),
      tx(...base, "--pubkey", CONS_KEY, "--commission-rate", "1.5"),
      tx(...base),
    ]);
    userError(short, /pubkey: expected the base64 of a 32-byte ed25519 key/);
    userError(json, /pubkey: expected \{"@type":"\/cosmos\.crypto\.ed25519\.PubKey"/);
    userError(rate, /commission-rate: expected a decimal between 0 and 1/);
    userError(none, /--pubkey <key> or --node-home <dir>/);
  });

  test("create-validator → edit-validator → unjail (not jailed) → unbond + cancel-unbond", async () => {
    const keyJson = JSON.stringify({ "@type": "/cosmos.crypto.ed25519.PubKey", key: CONS_KEY });
    const created = ok(
      await tx(
        ...["staking", "create-validator", "--from", "c", "--amount", "5000000uscrt"],
        ...["--moniker", "operator-c", "--pubkey", keyJson, "--commission-rate", "0.05"],
        ...["--website", "https://example.invalid"],
      ),
    );
    assert.equal(created.code, 0);
    const v = (await rest(`/cosmos/staking/v1beta1/validators/${VALOPER_C}`)).validator as {
      description: { moniker: string; website: string };
      commission: { commission_rates: { rate: string } };
      tokens: string;
    };
    assert.equal(v.description.moniker, "operator-c");
    assert.equal(v.description.website, "https://example.invalid");
    assert.equal(v.commission.commission_rates.rate, "0.050000000000000000");
    assert.equal(v.tokens, "5000000");

    ok(await tx("staking", "edit-validator", "--from", "c", "--moniker", "renamed-c"));
    const e = (await rest(`/cosmos/staking/v1beta1/validators/${VALOPER_C}`)).validator as {
      description: { moniker: string; website: string };
    };
    assert.deepEqual(e.description.moniker, "renamed-c");
    assert.equal(e.description.website, "https://example.invalid", "fields not given stay as they were");

    const unjail = await tx("slashing", "unjail", "--from", "c");
    assert.notEqual(unjail.code, 0);
    assert.match(unjail.stderr + unjail.stdout, /not jailed/i);

    const unbond = ok(await tx("staking", "unbond", VALOPER_C, "1000000uscrt", "--from", "c"));
    const ubd = (await rest(`/cosmos/staking/v1beta1/delegators/${ADDRESS_C}/unbonding_delegations`)) as {
      unbonding_responses: { entries: { creation_height: string }[] }[];
    };
    const height = ubd.unbonding_responses[0]?.entries[0]?.creation_height ?? "";
    assert.ok(Number(height) > 0, JSON.stringify(ubd) + unbond.txhash);
    ok(await tx("staking", "cancel-unbond", VALOPER_C, "1000000uscrt", height, "--from", "c"));
    const after = (await rest(`/cosmos/staking/v1beta1/validators/${VALOPER_C}`)).validator as {
      tokens: string;
    };
    assert.equal(after.tokens, "5000000", "the cancelled unbonding is delegated again");

    // Distribution: rewards paid elsewhere, the operator's commission withdrawn, the community pool funded.
    const pool = async (): Promise<number> => {
      const r = (await rest("/cosmos/distribution/v1beta1/community_pool")) as {
        pool: { denom: string; amount: string }[];
      };
      return Number(r.pool.find((c) => c.denom === "uscrt")?.amount ?? "0");
    };
    ok(await tx("distribution", "set-withdraw-addr", PAYEE, "--from", "c"));
    const w = (await rest(`/cosmos/distribution/v1beta1/delegators/${ADDRESS_C}/withdraw_address`)) as {
      withdraw_address: string;
    };
    assert.equal(w.withdraw_address, PAYEE);
    ok(await tx("distribution", "withdraw-rewards", VALOPER_C, "--commission", "--from", "c"));
    const before = await pool();
    ok(await tx("distribution", "fund-community-pool", "7000000uscrt", "--from", "c"));
    assert.ok((await pool()) >= before + 7_000_000, "the pool grew by the funded amount");
  });

  test("create-validator --node-home reads the consensus key CometBFT keeps there", async () => {
    const nodeHome = join(home, "node-d");
    const create = () =>
      tx(
        "staking",
        "create-validator",
        "--from",
        "d",
        "--amount",
        "1000000uscrt",
        "--moniker",
        "d",
        "--node-home",
        nodeHome,
      );
    userError(await create(), /no CometBFT validator key \(run shroud init first\)/);
    // The file `shroud init` (cometbft init) writes: <home>/comet/config/priv_validator_key.json.
    const key = Buffer.alloc(32, 9).toString("base64");
    mkdirSync(join(nodeHome, "comet", "config"), { recursive: true });
    writeFileSync(
      join(nodeHome, "comet", "config", "priv_validator_key.json"),
      JSON.stringify({
        address: "00",
        pub_key: { type: "tendermint/PubKeyEd25519", value: key },
        priv_key: { type: "tendermint/PrivKeyEd25519", value: Buffer.alloc(64).toString("base64") },
      }),
    );
    ok(await create());
    const v = (await rest(`/cosmos/staking/v1beta1/validators/${VALOPER_D}`)).validator as {
      consensus_pubkey: { key: string };
    };
    assert.equal(v.consensus_pubkey.key, key);
  });

  test("submit-proposal with a proto-JSON message: the node decodes and serves it back", async () => {
    const file = join(home, "proposal.json");
    const send = {
      "@type": "/cosmos.bank.v1beta1.MsgSend",
      from_address: GOV_ADDRESS,
      to_address: ADDRESS_C,
      amount: [{ denom: "uscrt", amount: "1" }],
    };
    const proposal = { messages: [send], deposit: "10000000uscrt", title: "Pay c", summary: "one uscrt" };
    writeFileSync(file, JSON.stringify(proposal));
    ok(await tx("gov", "submit-proposal", file, "--from", "c", "--gas", "400000"));
    const list = (await rest("/cosmos/gov/v1/proposals")) as {
      proposals: { id: string; title: string; messages: Record<string, unknown>[] }[];
    };
    const p = list.proposals.find((x) => x.title === "Pay c");
    assert.ok(p !== undefined, JSON.stringify(list));
    assert.deepEqual(p.messages, [send]);

    writeFileSync(
      file,
      JSON.stringify({ ...proposal, messages: [{ "@type": "/secret.nope.v1.MsgX", a: 1 }] }),
    );
    userError(
      await tx("gov", "submit-proposal", file, "--from", "c"),
      /no JSON codec for \/secret\.nope\.v1\.MsgX in this CLI; give it as \{"@type"/,
    );
  });
});
