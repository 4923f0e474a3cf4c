// `shroud query …` against a `shroud dev` the test starts: every query command's request (the same code path the
// CLI runs) compared with secretjs' own answer for the same thing, then the real CLI as subprocesses
// (`node bin/shroud.js`, SHROUD_FROM_SOURCE=1): JSON and text output, tx/txs, and one-line errors with a non-zero
// exit for bad input, an unknown tx and an unreachable node. Each subprocess costs ~1.3 s CPU (tsx start), so
// the remaining argument checks and error paths run in process through the same leaf code.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { MsgSubmitProposal, SecretNetworkClient, TxResultCode, Wallet } from "secretjs";
import { startDevChild, type DevChild } from "../e2e/devNode.js";
import { DEV_MNEMONICS } from "../../src/cli/devGenesis.js";
import { CliError } from "../../src/cli/common.js";
import { Command } from "commander";
import { CHAIN_LEAVES, registerQueryCommands } from "../../src/cli/query/index.js";
import { QUERY_GROUPS, type QueryLeaf } from "../../src/cli/query/modules.js";
import { restGet, restUrl } from "../../src/cli/query/rest.js";
import { accountArg, hashArg, registrationKeyArg, uintArg } from "../../src/cli/query/args.js";

const BIN = fileURLToPath(new URL("../../bin/shroud.js", import.meta.url));
const CHAIN_ID = "secretdev-1";
/** Subprocesses at once: each CLI start compiles through tsx (~1.3 s CPU); the machine has 2 shared cores. */
const CLI_CONCURRENCY = 3;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let running = 0;
const waiting: (() => void)[] = [];
async function cli(args: readonly string[]): Promise<Run> {
  if (running >= CLI_CONCURRENCY) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await new Promise<Run>((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        { env: { ...process.env, SHROUD_FROM_SOURCE: "1" }, timeout: 60_000 },
        (err, stdout, stderr) => {
          const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
          resolve({ code, stdout, stderr });
        },
      );
    });
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function leafOf(group: string | undefined, name: string) {
  const leaves = group === undefined ? [] : QUERY_GROUPS.find((g) => g.name === group)?.leaves;
  const leaf = leaves?.find((l) => l.spec.split(" ")[0] === name);
  assert.ok(leaf, `no leaf ${String(group)} ${name}`);
  return leaf;
}

/** What the CLI prints for a module leaf (before formatting): request → GET → pick. */
async function viaCli(
  node: string,
  group: string,
  name: string,
  args: string[],
  opts = {},
): Promise<unknown> {
  const leaf = leafOf(group, name);
  const req = leaf.request(args, opts);
  const body = (await restGet(node, req.path, req.params ?? {})) as Record<string, unknown>;
  return leaf.pick === undefined ? body : leaf.pick(body);
}

const json = (r: Run): unknown => {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
};

/** One `Error: …` line on stderr, nothing on stdout, exit 1, no stack trace. */
function assertOneLineError(r: Run, includes: string): void {
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^Error: [^\n]+\n$/);
  assert.ok(r.stderr.includes(includes), r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

describe("shroud query against shroud dev", { timeout: 120_000 }, () => {
  let node: DevChild;
  let sj: SecretNetworkClient;
  let a: Wallet;
  const val = new Wallet(DEV_MNEMONICS.validator);
  let valoper = "";
  let sendHash = "";

  before(async () => {
    node = await startDevChild(50);
    a = new Wallet(DEV_MNEMONICS.a);
    sj = new SecretNetworkClient({ url: node.rest, chainId: CHAIN_ID, wallet: a, walletAddress: a.address });
    const opts = { gasLimit: 300_000, broadcastCheckIntervalMs: 100 };
    const send = await sj.tx.bank.send(
      { from_address: a.address, to_address: val.address, amount: [{ denom: "uscrt", amount: "7" }] },
      opts,
    );
    assert.equal(send.code, TxResultCode.Success, send.rawLog);
    sendHash = send.transactionHash;
    const prop = await sj.tx.broadcast(
      [
        new MsgSubmitProposal({
          messages: [],
          initial_deposit: [{ denom: "uscrt", amount: "1000000" }],
          proposer: a.address,
          metadata: "ipfs://shroud-cli-test", // a text proposal needs metadata (SDK v0.50)
          title: "CLI test",
          summary: "a text proposal",
          expedited: false,
        }),
      ],
      opts,
    );
    assert.equal(prop.code, TxResultCode.Success, prop.rawLog);
    const vals = await sj.query.staking.validators({});
    valoper = vals.validators?.[0]?.operator_address ?? "";
    assert.match(valoper, /^secretvaloper1/);
  });

  after(async () => {
    assert.equal(await node.stop(), 0, node.output());
  });

  test("every module query command answers what secretjs answers", async () => {
    const q = sj.query;
    const del = val.address;
    const infos = await q.slashing.signingInfos({});
    const valcons = infos.info?.[0]?.address ?? "";
    assert.match(valcons, /^secretvalcons1/);
    const cases: [string, string, string[], Record<string, string>, () => Promise<unknown>][] = [
      ["bank", "balances", [a.address], {}, () => q.bank.allBalances({ address: a.address })],
      [
        "bank",
        "balances",
        [a.address],
        { denom: "uscrt" },
        () => q.bank.balance({ address: a.address, denom: "uscrt" }),
      ],
      ["bank", "total", [], {}, () => q.bank.totalSupply({})],
      ["bank", "total", [], { denom: "uscrt" }, () => q.bank.supplyOf({ denom: "uscrt" })],
      ["auth", "account", [a.address], {}, () => q.auth.account({ address: a.address })],
      ["auth", "accounts", [], {}, () => q.auth.accounts({})],
      ["auth", "module-accounts", [], {}, () => q.auth.moduleAccounts({})],
      ["staking", "redelegations", [del], {}, () => q.staking.redelegations({ delegator_addr: del })],
      [
        "distribution",
        "validator-outstanding-rewards",
        [valoper],
        {},
        () => q.distribution.validatorOutstandingRewards({ validator_address: valoper }),
      ],
      [
        "distribution",
        "slashes",
        [valoper],
        {},
        () => q.distribution.validatorSlashes({ validator_address: valoper }),
      ],
      ["gov", "deposits", ["1"], {}, () => q.gov.deposits({ proposal_id: "1" })],
      ["slashing", "signing-info", [valcons], {}, () => q.slashing.signingInfo({ cons_address: valcons })],
      ["staking", "validators", [], {}, () => q.staking.validators({})],
      ["staking", "validator", [valoper], {}, () => q.staking.validator({ validator_addr: valoper })],
      ["staking", "delegations", [del], {}, () => q.staking.delegatorDelegations({ delegator_addr: del })],
      [
        "staking",
        "delegation",
        [del, valoper],
        {},
        () => q.staking.delegation({ delegator_addr: del, validator_addr: valoper }),
      ],
      [
        "staking",
        "unbonding-delegations",
        [del],
        {},
        () => q.staking.delegatorUnbondingDelegations({ delegator_addr: del }),
      ],
      ["staking", "pool", [], {}, () => q.staking.pool({})],
      ["staking", "params", [], {}, () => q.staking.params({})],
      [
        "distribution",
        "rewards",
        [del],
        {},
        () => q.distribution.delegationTotalRewards({ delegator_address: del }),
      ],
      [
        "distribution",
        "rewards",
        [del, valoper],
        {},
        () => q.distribution.delegationRewards({ delegator_address: del, validator_address: valoper }),
      ],
      [
        "distribution",
        "commission",
        [valoper],
        {},
        () => q.distribution.validatorCommission({ validator_address: valoper }),
      ],
      ["distribution", "community-pool", [], {}, () => q.distribution.communityPool({})],
      ["distribution", "params", [], {}, () => q.distribution.params({})],
      ["gov", "proposals", [], {}, () => q.gov.proposals({})],
      ["gov", "proposal", ["1"], {}, () => q.gov.proposal({ proposal_id: "1" })],
      ["gov", "votes", ["1"], {}, () => q.gov.votes({ proposal_id: "1" })],
      ["gov", "tally", ["1"], {}, () => q.gov.tallyResult({ proposal_id: "1" })],
      ["mint", "inflation", [], {}, () => q.mint.inflation({})],
      ["mint", "annual-provisions", [], {}, () => q.mint.annualProvisions({})],
      ["mint", "params", [], {}, () => q.mint.params({})],
      ["slashing", "signing-infos", [], {}, () => q.slashing.signingInfos({})],
      ["slashing", "params", [], {}, () => q.slashing.params({})],
      ["registration", "tx-key", [], {}, () => q.registration.txKey({})],
      ["registration", "registration-key", [], {}, () => q.registration.registrationKey({})],
    ];
    for (const [group, name, args, opts, expected] of cases) {
      const got = await viaCli(node.rest, group, name, args, opts);
      assert.deepEqual(got, await expected(), `${group} ${name} ${args.join(" ")}`);
    }
    const gov = (await viaCli(node.rest, "gov", "params", [])) as { params: unknown };
    assert.deepEqual(gov.params, (await q.gov.params({ params_type: "tallying" })).params);
    // Every module leaf is covered above.
    const covered = new Set(
      cases.map(([g, n]) => `${g} ${n}`).concat("gov params", "gov vote", "registration encrypted-seed"),
    );
    for (const g of QUERY_GROUPS) {
      for (const l of g.leaves) assert.ok(covered.has(`${g.name} ${l.spec.split(" ")[0] ?? ""}`), l.spec);
    }
  });

  test("chain leaves (tx, txs, block) and error paths, in process", async () => {
    const chain = (name: string) => {
      const l = CHAIN_LEAVES.find((x) => x.spec.split(" ")[0] === name);
      assert.ok(l);
      return l;
    };
    const get = async (l: QueryLeaf, args: string[], opts = {}) => {
      const req = l.request(args, opts);
      return restGet(node.rest, req.path, req.params ?? {});
    };
    assert.deepEqual(
      await get(chain("block"), ["1"]),
      await sj.query.tendermint.getBlockByHeight({ height: "1" }),
    );
    const latest = (await get(chain("block"), [])) as { block: { header: { height: string } } };
    assert.ok(Number(latest.block.header.height) >= 3);
    const isCliError = (includes: string) => (e: unknown) =>
      e instanceof CliError && e.message.includes(includes);
    await assert.rejects(get(chain("tx"), ["xyz"]), isCliError("invalid tx hash"));
    await assert.rejects(get(chain("txs"), []), isCliError("--query <events> is required"));
    await assert.rejects(
      get(chain("txs"), [], { query: "tx.height>0", limit: "101" }),
      isCliError("at most 100"),
    );
    await assert.rejects(get(chain("block"), ["-1"]), isCliError("invalid height"));
    await assert.rejects(viaCli(node.rest, "gov", "proposal", ["99"]), isCliError("99"));
    // No vote yet (the proposal is in its deposit period): the node's NotFound, passed through.
    await assert.rejects(viaCli(node.rest, "gov", "vote", ["1", a.address]), CliError);
    await assert.rejects(
      viaCli(node.rest, "staking", "validator", [a.address]),
      isCliError("secretvaloper1"),
    );
    // A key no node registered with: the node's own NotFound message, passed through.
    await assert.rejects(viaCli(node.rest, "registration", "encrypted-seed", ["ab".repeat(32)]), CliError);
  });

  /** All subprocess runs, started together so the concurrency pool stays full (each start is ~1.3 s CPU). */
  let runs: Promise<Record<string, Run>> | undefined;
  const subprocesses = (): Promise<Record<string, Run>> => {
    const n = ["--node", node.rest];
    const j = [...n, "--output", "json"];
    const zeros = "0".repeat(64);
    const all: Record<string, string[]> = {
      bal: ["query", "bank", "balances", a.address, "--denom", "uscrt", ...j],
      dlg: ["q", "staking", "delegation", val.address, valoper, ...j],
      acc: ["query", "auth", "account", a.address, ...n],
      past: ["q", "bank", "balances", val.address, "--denom", "uscrt", "--height", "1", ...j],
      tx: ["query", "tx", sendHash.toLowerCase(), ...j],
      txs: ["query", "txs", "--query", `message.sender='${a.address}'`, "--limit", "1", "--page", "1", ...j],
      badAddr: ["query", "bank", "balances", "secret1notanaddress", ...n],
      noTx: ["query", "tx", zeros, ...n],
      down: ["query", "bank", "total", "--node", "http://127.0.0.1:9"],
    };
    runs ??= Promise.all(Object.entries(all).map(async ([k, args]) => [k, await cli(args)] as const)).then(
      (e) => Object.fromEntries(e),
    );
    return runs;
  };
  const run = async (k: string): Promise<Run> => {
    const r = (await subprocesses())[k];
    assert.ok(r, k);
    return r;
  };

  test("CLI subprocess: JSON output equals secretjs; --height; text output is key: value lines", async () => {
    assert.deepEqual(
      json(await run("bal")),
      await sj.query.bank.balance({ address: a.address, denom: "uscrt" }),
    );
    assert.deepEqual(
      json(await run("dlg")),
      await sj.query.staking.delegation({ delegator_addr: val.address, validator_addr: valoper }),
    );
    // --height: the state at block 1, before the test's send of 7uscrt to the validator account.
    const nowVal = await sj.query.bank.balance({ address: val.address, denom: "uscrt" });
    const atOne = await sj.query.bank.balance({ address: val.address, denom: "uscrt" }, [
      ["x-cosmos-block-height", "1"],
    ]);
    assert.equal(BigInt(atOne.balance?.amount ?? "0") + 7n, BigInt(nowVal.balance?.amount ?? "0"));
    assert.deepEqual(json(await run("past")), atOne);
    const acc = await run("acc");
    assert.equal(acc.code, 0, acc.stderr);
    const account = (await sj.query.auth.account({ address: a.address })).account as {
      account_number: string;
    };
    assert.match(acc.stdout, new RegExp(`^  address: ${a.address}$`, "m"));
    assert.match(acc.stdout, new RegExp(`^  account_number: ${account.account_number}$`, "m"));
  });

  test("CLI subprocess: tx and txs", async () => {
    const t = json(await run("tx")) as { tx_response: { txhash: string; height: string } };
    const fromSj = await sj.query.getTx(sendHash);
    assert.equal(t.tx_response.txhash, sendHash);
    assert.equal(t.tx_response.height, String(fromSj?.height));
    const s = json(await run("txs")) as { tx_responses: { txhash: string }[]; total: string };
    assert.equal(s.tx_responses.length, 1);
    assert.equal(s.total, "2");
    const search = await sj.query.txsQuery(`message.sender='${a.address}'`);
    assert.equal(s.tx_responses[0]?.txhash, search[0]?.transactionHash);
  });

  test("CLI subprocess: bad address, unknown tx, unreachable node: one readable line, exit 1", async () => {
    assertOneLineError(await run("badAddr"), `invalid address "secret1notanaddress"`);
    assertOneLineError(await run("noTx"), `tx not found: ${"0".repeat(64).toUpperCase()}`);
    assertOneLineError(await run("down"), "cannot reach the node at http://127.0.0.1:9");
  });

  test("--help lists the commands", () => {
    const query = new Command("query");
    registerQueryCommands(query);
    const help = query.commands.find((c) => c.name() === "staking")?.helpInformation() ?? "";
    for (const c of ["validators", "delegation", "unbonding-delegations", "pool", "params"]) {
      assert.ok(help.includes(c), c);
    }
    const balances = query.commands
      .find((c) => c.name() === "bank")
      ?.commands.find((c) => c.name() === "balances");
    const bh = balances?.helpInformation() ?? "";
    for (const f of ["--denom <denom>", "--height <h>", "--output <format>", "--node <url>"]) {
      assert.ok(bh.includes(f), f);
    }
  });
});

describe("query argument checks", () => {
  test("encrypted-seed key: 32-byte hex/base64, or the key inside a software or DCAP quote", () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
    const hex = Buffer.from(key).toString("hex");
    assert.equal(registrationKeyArg(hex), hex);
    assert.equal(registrationKeyArg(`0x${hex.toUpperCase()}`), hex);
    assert.equal(registrationKeyArg(Buffer.from(key).toString("base64")), hex);
    // Software quote: "SWQT" ‖ version ‖ measurement(32) ‖ report_data(64: key ‖ zeros) ‖ rest.
    const swqt = Buffer.concat([
      Buffer.from("SWQT"),
      Buffer.from([0, 1]),
      Buffer.alloc(32, 9),
      key,
      Buffer.alloc(200),
    ]);
    assert.equal(registrationKeyArg(swqt.toString("hex")), hex);
    // DCAP v3: 48-byte header (version 3 LE), report body with report_data at 320.
    const dcap = Buffer.concat([Buffer.from([3, 0]), Buffer.alloc(48 - 2 + 320, 7), key, Buffer.alloc(600)]);
    assert.equal(registrationKeyArg(dcap.toString("base64")), hex);
    assert.throws(() => registrationKeyArg("ab".repeat(40)), CliError);
    assert.throws(() => registrationKeyArg("not key!"), CliError);
  });

  test("addresses, integers, hashes", () => {
    assert.throws(() => accountArg("secretvaloper1xyz"), /expected a bech32 address secret1/);
    assert.throws(() => uintArg("18446744073709551616", "height"), CliError);
    assert.equal(uintArg("007", "height"), "7");
    assert.equal(hashArg("ab".repeat(32)), "AB".repeat(32));
    assert.equal(restUrl("http://x:1/", "/p", { a: "1 2", b: undefined }), "http://x:1/p?a=1+2");
  });
});
