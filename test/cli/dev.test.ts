// `shroud dev`: first block within 2 s of the node being up, a real secretjs-signed MsgSend through the
// embedded engine, restart resuming with the same app hash, --reset, and the real command stopping cleanly on
// Ctrl-C (SIGINT).
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { validateGenesis } from "../../src/chain/app.js";
import type { GenesisDoc } from "../../src/chain/genesis.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { startDev, type DevNode } from "../../src/cli/dev.js";
import { addressFromMnemonic, DEV_MNEMONICS } from "../../src/cli/devGenesis.js";
import { makeSigner } from "../../src/chain/tx/testdata/secretjsSigner.js";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function home(): string {
  const d = mkdtempSync(join(tmpdir(), "shroud-cli-"));
  dirs.push(d);
  return join(d, "dev");
}

/** Nodes still running: stopped after the tests even when an assertion failed midway (else the file hangs). */
const live = new Set<DevNode>();
after(async () => {
  for (const n of live) await n.stop();
});

async function start(h: string, reset = false, verifyLane?: boolean): Promise<DevNode> {
  const node = await startDev({
    home: h,
    reset,
    ...(verifyLane === undefined ? {} : { verifyLane }),
    blockTimeMs: 50,
    host: "127.0.0.1",
    rpcPort: 0,
    restPort: 0,
    faucetPort: 0,
    services: [],
    log: () => undefined,
  });
  live.add(node);
  const stop = node.stop.bind(node);
  return {
    ...node,
    stop: async () => {
      live.delete(node);
      await stop();
    },
  };
}

function q(node: DevNode, path: string, data: Uint8Array): Uint8Array {
  const r = node.app.query({ path, data, height: 0n, prove: false });
  assert.equal(r.code, 0, r.log);
  return r.value;
}
const balanceOf = (node: DevNode, address: string) =>
  BigInt(
    QueryBalanceResponse.decode(
      q(
        node,
        "/cosmos.bank.v1beta1.Query/Balance",
        QueryBalanceRequest.encode({ address, denom: "uscrt" }).finish(),
      ),
    ).balance!.amount,
  );

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("shroud dev", () => {
  test("genesis accounts funded; first block at start; a secretjs MsgSend lands; restart resumes", async () => {
    const h = home();
    const t0 = performance.now();
    const node = await start(h, false, true);
    const firstBlockMs = performance.now() - t0;
    assert.equal(node.engine.height, 1n, "block 1 is produced at start");
    assert.ok(firstBlockMs < 2000, `first block after ${firstBlockMs.toFixed(0)} ms`);
    assert.equal(node.genesis.chain_id, "secretdev-1");
    assert.ok(node.enclave.verdictLane !== undefined, "verifyLane: true starts the lane");
    for (const m of Object.values(DEV_MNEMONICS)) {
      assert.equal(balanceOf(node, addressFromMnemonic(m)), 1_000_000_000_000_000_000n);
    }
    const a = makeSigner(DEV_MNEMONICS.a);
    const b = addressFromMnemonic(DEV_MNEMONICS.b);
    assert.equal(a.address, addressFromMnemonic(DEV_MNEMONICS.a), "our HD derivation = secretjs Wallet's");
    const acc = QueryAccountResponse.decode(
      q(
        node,
        "/cosmos.auth.v1beta1.Query/Account",
        QueryAccountRequest.encode({ address: a.address }).finish(),
      ),
    );
    const accountNumber = Number(BaseAccount.decode(acc.account!.value).accountNumber);
    const { MsgSend } = await import("secretjs");
    const tx = await a.sign(
      [new MsgSend({ from_address: a.address, to_address: b, amount: [{ denom: "uscrt", amount: "1" }] })],
      { accountNumber, sequence: 0, chainId: "secretdev-1" },
    );
    const results: { hash: Uint8Array; index: number; result: { code: number } }[] = [];
    node.engine.on("tx", (e: (typeof results)[number]) => results.push(e));
    const sent = await node.engine.broadcastTx(tx);
    assert.equal(sent.checkTx.code, 0, sent.checkTx.log);
    await waitFor(() => results.some((r) => Buffer.from(r.hash).equals(sent.hash)), 5000);
    const mine = results.find((r) => Buffer.from(r.hash).equals(sent.hash))!;
    assert.equal(mine.result.code, 0);
    assert.equal(mine.index, 1, "after the block random at index 0");
    assert.equal(balanceOf(node, b), 1_000_000_000_000_000_001n);
    assert.equal(
      balanceOf(node, a.address),
      1_000_000_000_000_000_000n - 1n - 2500n,
      "1uscrt + the 2,500 fee",
    );
    const height = node.engine.height;
    const appHash = node.engine.appHash;
    await node.stop();

    const again = await start(h);
    assert.equal(again.enclave.verdictLane, undefined, "no verify lane by default");
    assert.equal(again.engine.height, height, "restart resumes at the same height");
    assert.deepEqual(again.engine.appHash, appHash);
    assert.deepEqual(
      again.app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" }).lastBlockAppHash,
      appHash,
    );
    assert.equal(balanceOf(again, b), 1_000_000_000_000_000_001n);
    await again.stop();

    // `shroud export` of the stopped node: the state at the latest height as a genesis document.
    const exported = JSON.parse(
      execFileSync(process.execPath, ["bin/shroud.js", "export", "--home", h], {
        cwd: new URL("../..", import.meta.url).pathname,
        env: { ...process.env, SHROUD_FROM_SOURCE: "1" },
        encoding: "utf8",
      }),
    ) as GenesisDoc;
    assert.equal(exported.initial_height, String(height + 1n));
    validateGenesis(exported);
    const bank = exported.app_state.bank as { balances: { address: string; coins: { amount: string }[] }[] };
    assert.equal(bank.balances.find((x) => x.address === b)!.coins[0]!.amount, "1000000000000000001");

    // A data folder whose enclave state is gone cannot serve its chain's tx key.
    rmSync(join(h, "enclave"), { recursive: true, force: true });
    await assert.rejects(start(h), /enclave state .* missing; start over with --reset/);

    const reset = await start(h, true);
    assert.equal(reset.engine.height, 1n, "--reset starts a new chain");
    assert.equal(balanceOf(reset, b), 1_000_000_000_000_000_000n);
    await reset.stop();
  });

  test("the real command: `node bin/shroud.js dev` serves RPC and stops cleanly on SIGINT", async () => {
    const h = home();
    const child = spawn(
      process.execPath,
      ["bin/shroud.js", "dev", "--home", h, "--rpc-port", "0", "--rest-port", "0", "--faucet-port", "0"],
      {
        cwd: new URL("../..", import.meta.url).pathname,
        env: { ...process.env, SHROUD_FROM_SOURCE: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    try {
      // Generous: on a loaded 2-core machine the child compiles every source through tsx before it starts.
      await waitFor(() => /RPC on http:\/\/127\.0\.0\.1:\d+/.test(out), 120_000);
      const port = /RPC on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]!;
      const status = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as {
        result: { node_info: { network: string }; sync_info: { latest_block_height: string } };
      };
      assert.equal(status.result.node_info.network, "secretdev-1");
      assert.equal(status.result.sync_info.latest_block_height, "1");
    } finally {
      child.kill("SIGINT");
    }
    assert.equal(await exited, 0, out);
  });
});
