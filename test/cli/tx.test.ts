// `shroud tx …` and `shroud query compute …` run as the real CLI against a `shroud dev` child: bank send from
// the file keyring, counter store → instantiate → execute (decrypted data and wasm events) → smart query →
// `query compute tx` decrypting one's own tx (and not someone else's), a contract error's exit code, a
// delegation with --gas auto, and bad input (bech32, coins, JSON, files, chain id, unreachable node).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startDevChild, type DevChild } from "../e2e/devNode.js";
import { MNEMONIC_A, MNEMONIC_B } from "../util/localSecret.js";

const BIN = fileURLToPath(new URL("../../bin/shroud.js", import.meta.url));
// contracts/build/counter.wasm: provenance in contracts/testdata/README.md; messages in contracts/README.md.
const COUNTER = fileURLToPath(new URL("../../contracts/build/counter.wasm", import.meta.url));
const ADDRESS_A = "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03";
const PASS = "tx test passphrase";
const ADDRESS_B = "secret1fc3fzy78ttp0lwuujw7e52rhspxn8uj52zfyne";
const RECIPIENT = "secret1an3uyrshhm3qm2kq687wgyce8zppr6tqmsw8ch";

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: string[], input = "", passphrase?: string): Promise<Run> {
  const env: Record<string, string | undefined> = { ...process.env, SHROUD_FROM_SOURCE: "1" };
  delete env.SHROUD_KEYRING_PASSPHRASE;
  if (passphrase !== undefined) env.SHROUD_KEYRING_PASSPHRASE = passphrase;
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdin.end(input);
  return new Promise((resolve) => {
    child.on("close", (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

function assertUserError(r: Run, pattern: RegExp): void {
  assert.notEqual(r.code, 0, r.stdout);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
}

interface TxOut {
  txhash: string;
  code: number;
  gas_used: number;
  messages: { type: string; input?: unknown; data?: unknown; code_id?: string; contract_address?: string }[];
  events: { msg: number; type: string; attributes: { key: string; value: string }[] }[];
}

function ok(r: Run): TxOut {
  assert.equal(r.code, 0, r.stderr + r.stdout);
  return JSON.parse(r.stdout) as TxOut;
}

function wasmAttr(tx: TxOut, key: string): string | undefined {
  return tx.events.find((e) => e.type === "wasm")?.attributes.find((a) => a.key === key)?.value;
}

describe("shroud tx / query compute (real CLI against shroud dev)", { timeout: 300_000 }, () => {
  let node: DevChild;
  let home = "";
  let contract = "";
  let executeHash = "";
  const conn = (): string[] => ["--home", home, "--keyring-backend", "test", "--node", node.rest];
  const tx = (...a: string[]): Promise<Run> => run(["tx", ...a, ...conn(), "--yes", "--output", "json"]);
  const q = (...a: string[]): Promise<Run> => run(["query", "compute", ...a, ...conn(), "--output", "json"]);

  before(async () => {
    home = mkdtempSync(join(tmpdir(), "shroud-cli-tx-"));
    const keys = (name: string, m: string) =>
      run(["keys", "add", name, "--recover", "--home", home, "--keyring-backend", "test"], m + "\n");
    const fileKey = run(["keys", "add", "b-file", "--recover", "--home", home], MNEMONIC_B + "\n", PASS);
    const [n, a, b, f] = await Promise.all([
      startDevChild(50),
      keys("a", MNEMONIC_A),
      keys("b", MNEMONIC_B),
      fileKey,
    ]);
    node = n;
    assert.equal(f.code, 0, f.stderr);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
  });

  after(async () => {
    const code = await node.stop();
    rmSync(home, { recursive: true, force: true });
    assert.equal(code, 0, node.output());
  });

  async function balance(addr: string): Promise<bigint> {
    const r = await fetch(`${node.rest}/cosmos/bank/v1beta1/balances/${addr}/by_denom?denom=uscrt`);
    return BigInt(((await r.json()) as { balance: { amount: string } }).balance.amount);
  }

  let codeId = "";
  let encryptedInput = "";

  // Independent invocations run in parallel (each CLI start costs ~1.3 s of CPU); different signers never race.
  test("bank send (file keyring, b) ∥ compute store (a) ∥ bad input rejected before any tx", async () => {
    const before = await balance(RECIPIENT);
    const beforeB = await balance(ADDRESS_B);
    const sendArgs = ["tx", "bank", "send", "b-file", RECIPIENT, "1234uscrt", "--fees", "5000uscrt"];
    const bogus = ADDRESS_A; // a valid address: the errors below must come before any lookup
    const [send, store, ...bad] = await Promise.all([
      run([...sendArgs, "--home", home, "--node", node.rest, "--yes", "--output", "json"], "", PASS),
      tx("compute", "store", COUNTER, "--from", "a", "--gas", "3000000"),
      tx("bank", "send", "a", "secret1notbech32", "1uscrt"),
      tx("bank", "send", "a", RECIPIENT, "12"),
      tx("compute", "execute", bogus, "{bad json", "--from", "a"),
      tx("compute", "store", "/no/such.wasm", "--from", "a"),
      tx("compute", "execute", bogus, '{"increment":{}}', "--from", "a", "--gas", "auto"),
      tx("bank", "send", "a", RECIPIENT, "1uscrt", "--chain-id", "not-this-chain"),
      run([
        "tx",
        "bank",
        "send",
        "a",
        RECIPIENT,
        "1uscrt",
        "--home",
        home,
        "--node",
        "http://127.0.0.1:9",
        "--yes",
      ]),
    ]);
    const out = ok(send);
    assert.match(out.txhash, /^[0-9A-F]{64}$/);
    assert.equal(out.code, 0);
    assert.ok(out.gas_used > 0);
    assert.match(send.stderr, /waiting for tx [0-9A-F]{12}… to be included/);
    assert.equal(await balance(RECIPIENT), before + 1234n);
    assert.equal(await balance(ADDRESS_B), beforeB - 1234n - 5000n);

    assert.match(store.stderr, /uploading 138\.6 KiB…/);
    codeId = ok(store).messages[0]?.code_id ?? "";
    assert.match(codeId, /^[1-9][0-9]*$/);

    const expected = [
      /invalid bech32 address/,
      /invalid coin "12"/,
      /execute message: invalid JSON/,
      /file not found/,
      /--gas auto is not available here/,
      /wrong chain id: --chain-id is not-this-chain but the node .* runs secretdev-1/,
      /cannot reach the node at http:\/\/127\.0\.0\.1:9/,
    ];
    bad.forEach((r, n) => {
      assertUserError(r, expected[n]!);
    });
  });

  test("compute instantiate → execute: address, decrypted data and wasm events", async () => {
    const inst = ok(
      await tx(
        "compute",
        "instantiate",
        codeId,
        '{"count":5}',
        "--label",
        "cli-counter",
        "--from",
        "a",
        "--gas",
        "300000",
      ),
    );
    contract = inst.messages[0]?.contract_address ?? "";
    assert.match(contract, /^secret1/);
    assert.equal(wasmAttr(inst, "count"), "5");
    assert.equal(wasmAttr(inst, "owner"), ADDRESS_A);
    const exec = ok(
      await tx("compute", "execute", contract, '{"increment":{}}', "--from", "a", "--gas", "300000"),
    );
    executeHash = exec.txhash;
    const [e0] = exec.messages;
    assert.ok(e0 !== undefined);
    assert.deepEqual(e0.input, { increment: {} });
    assert.deepEqual(e0.data, { count: 6 });
    assert.equal(wasmAttr(exec, "action"), "increment");
    assert.equal(wasmAttr(exec, "count"), "6");
  });

  test("query, own-tx decryption, contract errors, delegate --gas auto (in parallel)", async () => {
    const vals = (await (await fetch(`${node.rest}/cosmos/staking/v1beta1/validators`)).json()) as {
      validators: { operator_address: string }[];
    };
    const valoper = vals.validators[0]?.operator_address ?? "";
    const wasmOut = join(home, "downloaded.wasm");
    const [query, mine, theirs, failed, badQuery, delegate, code] = await Promise.all([
      q("query", contract, '{"get_count":{}}'),
      q("tx", executeHash, "--from", "a"),
      q("tx", executeHash, "--from", "b"),
      run([
        "tx",
        "compute",
        "execute",
        contract,
        '{"reset":{"count":0}}',
        "--from",
        "b",
        ...conn(),
        "--yes",
        "--gas",
        "300000",
      ]),
      q("query", contract, '{"nope":{}}'),
      tx("staking", "delegate", valoper, "1000000uscrt", "--from", "a", "--gas", "auto"),
      q("code", codeId, wasmOut),
    ]);
    assert.equal(query.code, 0, query.stderr);
    assert.deepEqual(JSON.parse(query.stdout), { count: 6 });
    const m = ok(mine);
    const [m0] = m.messages;
    assert.ok(m0 !== undefined);
    assert.deepEqual(m0.input, { increment: {} });
    assert.deepEqual(m0.data, { count: 6 });
    assert.equal(wasmAttr(m, "count"), "6");
    const t = ok(theirs);
    assert.equal(
      typeof (t.messages[0]?.input as { encrypted?: unknown }).encrypted,
      "string",
      "b cannot decrypt a's input",
    );
    assert.notEqual(wasmAttr(t, "count"), "6");
    assertUserError(failed, /failed with code \d+: .*unauthorized: only the owner may reset/);
    assert.match(failed.stdout, /code: [1-9]/);
    assertUserError(badQuery, /^Error: query failed: .*unknown variant `nope`/);
    const d = ok(delegate);
    assert.match(delegate.stderr, /estimated gas: \d+ × 1\.3 = \d+/);
    assert.equal(d.code, 0);
    const del = await fetch(
      `${node.rest}/cosmos/staking/v1beta1/validators/${valoper}/delegations/${ADDRESS_A}`,
    );
    assert.equal(del.status, 200);
    assert.equal(code.code, 0, code.stderr);
    assert.deepEqual(readFileSync(wasmOut), readFileSync(COUNTER));
    encryptedInput = (t.messages[0]?.input as { encrypted: string }).encrypted;
  });

  test("query compute decrypt: the sender opens its own encrypted input, others cannot", async () => {
    const [mine, theirs] = await Promise.all([
      q("decrypt", encryptedInput, "--from", "a"),
      q("decrypt", encryptedInput, "--from", "b"),
    ]);
    assert.equal(mine.code, 0, mine.stderr);
    assert.match(
      (JSON.parse(mine.stdout) as { decrypted: string }).decrypted,
      /^[0-9a-f]{64}\{"increment":\{\}\}$/,
    );
    assertUserError(theirs, /cannot decrypt: not encrypted by b/);
  });
});
