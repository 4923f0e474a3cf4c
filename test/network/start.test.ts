// `shroud init` + `shroud start` as real processes with a real CometBFT: blocks and the REST server; CometBFT
// dying stops the node with exit code 1; a restart resumes the same chain (CometBFT's handshake); SIGTERM stops
// cleanly with code 0 and takes CometBFT down; `--abci-only` serves a CometBFT run by someone else; the
// app halting stops the node (exit 2); the `shroud localnet` / `status` / `stop` commands.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AbciSocketClient } from "../chain/abciClient.js";
import { cometbft, runProc as run, SKIP, type Proc } from "./harness.js";
import { cometHeaderTimeSource, rfc3339ToTimestamp } from "../../src/api/rest/cometSource.js";
import { timestampToNs } from "../../src/consensus/time.js";
import { getTomlValue } from "../../src/consensus/cometbft.js";
import { freeNodePortBase, freePort } from "../util/net.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const ENV = { ...process.env, SHROUD_FROM_SOURCE: "1" };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function status(rpc: number): Promise<{ height: number; appHash: string } | undefined> {
  try {
    const r = (await (await fetch(`http://127.0.0.1:${rpc}/status`)).json()) as {
      result: { sync_info: { latest_block_height: string; latest_app_hash: string } };
    };
    return {
      height: Number(r.result.sync_info.latest_block_height),
      appHash: r.result.sync_info.latest_app_hash,
    };
  } catch {
    return undefined;
  }
}

async function waitHeight(rpc: number, h: number, ms: number): Promise<number> {
  const until = Date.now() + ms;
  let seen = -1;
  while (Date.now() < until && seen < h) {
    seen = (await status(rpc))?.height ?? -1;
    await sleep(250);
  }
  return seen;
}

async function blockHash(rpc: number, h: number): Promise<string> {
  const r = (await (await fetch(`http://127.0.0.1:${rpc}/block?height=${h}`)).json()) as {
    result: { block_id: { hash: string } };
  };
  return r.result.block_id.hash;
}

describe("shroud init + start under CometBFT", { skip: SKIP, timeout: 400_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "shroud-start-"));
  const procs: ChildProcess[] = [];
  const start = (args: string[]): Proc => {
    const p = run(process.execPath, ["bin/shroud.js", "start", ...args]);
    procs.push(p.child);
    return p;
  };
  after(() => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  /** `shroud init` (app mempool mode unless `mempool` says otherwise) on a free port block: p2p + 5 free too. */
  const init = async (
    name: string,
    mempool?: "comet",
  ): Promise<{ home: string; rpc: number; abci: number }> => {
    const home = join(dir, name);
    const base = await freeNodePortBase(1, 20_000, 32_000);
    const [p2p, rpc, abci] = [base, base + 1, base + 2];
    execFileSync(
      process.execPath,
      ["bin/shroud.js", "init", name, "--home", home, "--chain-id", "shroud-test-1"].concat([
        "--rpc-port",
        `${rpc}`,
        "--p2p-port",
        `${p2p}`,
        "--abci-port",
        `${abci}`,
        ...(mempool === undefined ? [] : ["--mempool", mempool]),
      ]),
      { cwd: ROOT, env: ENV, stdio: "ignore" },
    );
    return { home, rpc, abci };
  };

  test("blocks + REST; CometBFT dies → exit 1; restart resumes; SIGTERM → exit 0", async () => {
    // CometBFT's mempool: the duplicate below is refused by CometBFT's cache (app mode: appMempool.test.ts).
    const n = await init("n0", "comet");
    const rest = await freePort();
    const first = start(["--home", n.home, "--rest-port", `${rest}`]);
    assert.ok((await waitHeight(n.rpc, 3, 120_000)) >= 3, "CometBFT commits blocks with our app");
    const info = (await (
      await fetch(`http://127.0.0.1:${rest}/cosmos/base/tendermint/v1beta1/node_info`)
    ).json()) as {
      default_node_info: { network: string; default_node_id: string; listen_addr: string };
    };
    assert.equal(info.default_node_info.network, "shroud-test-1");
    // node_info shows CometBFT's own node ID and p2p address (cli/node home.ts nodeIdOf, config.toml).
    const cometStatus = (await (await fetch(`http://127.0.0.1:${n.rpc}/status`)).json()) as {
      result: { node_info: { id: string; listen_addr: string } };
    };
    assert.equal(info.default_node_info.default_node_id, cometStatus.result.node_info.id);
    assert.equal(info.default_node_info.listen_addr, cometStatus.result.node_info.listen_addr);
    const sync = (await (
      await fetch(`http://127.0.0.1:${rest}/cosmos/base/tendermint/v1beta1/syncing`)
    ).json()) as { syncing: boolean };
    assert.equal(sync.syncing, false, "a one-validator chain is never catching up");
    // A tx CometBFT's mempool saw before (its cache keeps committed txs: here block 2's block random) sent again
    // through the REST broadcast: CometBFT refuses it with an RPC error; the answer is the SDK's tx response with
    // code 19 (client/broadcast.go CheckCometError), not an HTTP 500.
    const b2 = (await (await fetch(`http://127.0.0.1:${n.rpc}/block?height=2`)).json()) as {
      result: { block: { data: { txs: string[] | null } } };
    };
    const seen = b2.result.block.data.txs?.[0];
    assert.ok(seen !== undefined, "block 2 carries its block random");
    const again = await fetch(`http://127.0.0.1:${rest}/cosmos/tx/v1beta1/txs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tx_bytes: seen, mode: "BROADCAST_MODE_SYNC" }),
    });
    const againText = await again.text();
    assert.equal(again.status, 200, againText);
    const dup = (
      JSON.parse(againText) as { tx_response: { code: number; codespace: string; raw_log: string } }
    ).tx_response;
    assert.deepEqual([dup.code, dup.codespace], [19, "sdk"], againText);
    assert.match(dup.raw_log, /already exists in cache/);
    const vals = (await (
      await fetch(`http://127.0.0.1:${rest}/cosmos/staking/v1beta1/validators`)
    ).json()) as {
      validators: { status: string }[];
    };
    assert.deepEqual(
      vals.validators.map((v) => v.status),
      ["BOND_STATUS_BONDED"],
    );
    const before = (await status(n.rpc))!;
    const hashBefore = await blockHash(n.rpc, before.height);
    const cometPid = Number(readFileSync(join(n.home, "cometbft.pid"), "utf8"));
    process.kill(cometPid, "SIGKILL");
    assert.equal(await first.exit, 1, "the node stops with a non-zero code when CometBFT exits");
    assert.match(first.out.join(""), /cometbft exited/);

    const rest2 = await freePort();
    const second = start(["--home", n.home, "--rest-port", `${rest2}`]);
    const resumed = await waitHeight(n.rpc, before.height + 2, 150_000);
    assert.ok(resumed >= before.height + 2, `the chain resumes (height ${resumed}): ${second.out.join("")}`);
    assert.equal(await blockHash(n.rpc, before.height), hashBefore, "same chain after the restart");
    // Block times of heights executed before the restart come from CometBFT's `header` RPC (cli/node rest.ts):
    // the source reads this real CometBFT, and a REST query at such a height is answered.
    const blk = (await (await fetch(`http://127.0.0.1:${n.rpc}/block?height=${before.height}`)).json()) as {
      result: { block: { header: { time: string } } };
    };
    assert.equal(
      await cometHeaderTimeSource(`http://127.0.0.1:${n.rpc}`)(BigInt(before.height)),
      timestampToNs(rfc3339ToTimestamp(blk.result.block.header.time)),
    );
    const old = await fetch(`http://127.0.0.1:${rest2}/cosmos/bank/v1beta1/supply`, {
      headers: { "x-cosmos-block-height": String(before.height) },
    });
    assert.equal(old.status, 200, await old.text());
    const pid2 = Number(readFileSync(join(n.home, "cometbft.pid"), "utf8"));
    second.child.kill("SIGTERM");
    assert.equal(await second.exit, 0, "Ctrl-C / SIGTERM: clean stop");
    assert.throws(() => process.kill(pid2, 0), "CometBFT stopped with the node");
  });

  test("--abci-only: a CometBFT run elsewhere drives the app", async () => {
    const n = await init("n1");
    const app = start(["--home", n.home, "--abci-only"]);
    await sleep(300);
    for (let k = 0; k < 40 && !app.out.join("").includes("ABCI only"); k++) await sleep(250);
    // `shroud init`'s default: the app mempool, its gossip at p2p + 5, peers discovered from CometBFT's.
    assert.match(
      app.out.join(""),
      /app mempool: CometBFT mempool\.type = "nop"; tx gossip on .*discovery on/,
    );
    const comet = run(cometbft!, ["node", "--home", join(n.home, "comet")]);
    procs.push(comet.child);
    try {
      assert.ok((await waitHeight(n.rpc, 2, 60_000)) >= 2, "blocks through the external CometBFT");
    } finally {
      comet.child.kill("SIGTERM");
      await comet.exit;
      app.child.kill("SIGTERM");
      assert.equal(await app.exit, 0);
    }
  });

  test("the app halting (an exception on the ABCI socket) stops the node with exit code 2", async () => {
    const n = await init("n2");
    const app = start(["--home", n.home, "--abci-only"]);
    for (let k = 0; k < 80 && !app.out.join("").includes("ABCI only"); k++) await sleep(250);
    // Commit with no FinalizeBlock before it: a broken invariant, the app throws.
    const abci = await AbciSocketClient.connect(n.abci);
    await assert.rejects(abci.commit(), /ABCI exception: Commit without FinalizeBlock/);
    abci.close();
    assert.equal(await app.exit, 2);
    assert.match(app.out.join(""), /the application halted/);
  });

  test("shroud localnet --validators 2 (app mode by default), localnet status, localnet stop (the CLI)", async () => {
    const home = join(dir, "ln");
    // Both nodes' blocks of ports (app mode: the tx gossip +5 and CometBFT's inner RPC +6 too), below the
    // ephemeral range.
    const base = await freeNodePortBase(2, 20_000, 32_000);
    const cli = (args: string[]): Promise<{ code: number | null; out: string }> => {
      const p = run(process.execPath, ["bin/shroud.js", "localnet", ...args, "--home", home]);
      return p.exit.then((code) => ({ code, out: p.out.join("") }));
    };
    try {
      const up = await cli(["--validators", "2", "--base-port", `${base}`]);
      assert.equal(up.code, 0, up.out);
      assert.match(up.out, /node1 +running/);
      await sleep(1_500);
      const st = await cli(["status"]);
      const hashes = [...st.out.matchAll(/running \(pid \d+\) +height \d+ +app hash ([0-9A-F]+) +peers 1/g)];
      assert.equal(hashes.length, 2, st.out);
    } finally {
      const stop = await cli(["stop"]);
      assert.equal(stop.code, 0, stop.out);
    }
    const after = await cli(["status"]);
    assert.equal((after.out.match(/stopped/g) ?? []).length, 2, after.out);
    // A new localnet is in app mode (CometBFT's nop mempool, each node's gossip.json naming the other node); an
    // existing one keeps its mode unless --mempool switches it.
    const modes = (): string[] =>
      ["node0", "node1"].map(
        (n) =>
          getTomlValue(
            readFileSync(join(home, n, "comet", "config", "config.toml"), "utf8"),
            "mempool",
            "type",
          ) ?? "",
      );
    const gossip = JSON.parse(readFileSync(join(home, "node0", "gossip.json"), "utf8")) as {
      peers: string[];
    };
    assert.deepEqual(modes(), ["nop", "nop"]);
    assert.equal(gossip.peers.length, 1);
    assert.equal((await cli(["--create-only"])).code, 0);
    assert.deepEqual(modes(), ["nop", "nop"], "an existing localnet keeps its mode");
    assert.equal((await cli(["--create-only", "--mempool", "comet"])).code, 0);
    assert.deepEqual(modes(), ["flood", "flood"], "--mempool comet switches it");
  });
});
