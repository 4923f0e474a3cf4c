// `shroud start --abci grpc` as a real process with a real CometBFT: config.toml gets `abci = "grpc"` and a
// scheme-less proxy_app, CometBFT commits blocks with the ShroudApp over gRPC (a bank send included), a restart
// without the flag keeps gRPC (the config says so) and resumes the chain, SIGTERM stops it with code 0.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProc, SKIP, type Proc } from "./harness.js";
import { freeNodePortBase } from "../util/net.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const ENV = { ...process.env, SHROUD_FROM_SOURCE: "1" };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function height(rpc: number): Promise<number> {
  try {
    const r = (await (await fetch(`http://127.0.0.1:${rpc}/status`)).json()) as {
      result: { sync_info: { latest_block_height: string } };
    };
    return Number(r.result.sync_info.latest_block_height);
  } catch {
    return -1;
  }
}

async function waitHeight(rpc: number, h: number, ms: number): Promise<number> {
  const until = performance.now() + ms;
  let seen = -1;
  while (performance.now() < until && seen < h) {
    seen = await height(rpc);
    await sleep(250);
  }
  return seen;
}

const startNode = (args: string[]): Proc => runProc(process.execPath, ["bin/shroud.js", "start", ...args]);

describe("shroud start --abci grpc under CometBFT", { skip: SKIP, timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "shroud-grpc-"));
  const procs: ChildProcess[] = [];
  after(() => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  test("blocks over gRPC; the choice is kept in config.toml; restart resumes; SIGTERM → 0", async () => {
    const home = join(dir, "g0");
    // `shroud init`'s default app mempool mode: its gossip listens on p2p + 5, free too.
    const base = await freeNodePortBase(1, 20_000, 32_000);
    const [p2p, rpc, abci] = [base, base + 1, base + 2];
    execFileSync(
      process.execPath,
      [
        "bin/shroud.js",
        "init",
        "g0",
        "--home",
        home,
        "--chain-id",
        "shroud-grpc-1",
        "--rpc-port",
        `${rpc}`,
      ].concat(["--p2p-port", `${p2p}`, "--abci-port", `${abci}`]),
      { cwd: ROOT, env: ENV, stdio: "ignore" },
    );
    const first = startNode(["--home", home, "--abci", "grpc"]);
    procs.push(first.child);
    assert.ok((await waitHeight(rpc, 3, 120_000)) >= 3, "CometBFT commits blocks with our app over gRPC");
    const toml = readFileSync(join(home, "comet", "config", "config.toml"), "utf8");
    assert.match(toml, /^abci = "grpc"$/m);
    assert.match(toml, new RegExp(`^proxy_app = "127\\.0\\.0\\.1:${abci}"$`, "m"));
    assert.match(first.out.join(""), /ABCI \(grpc\)/);
    const cometLog = readFileSync(join(home, "logs", "cometbft.log"), "utf8");
    assert.doesNotMatch(cometLog, /Echo failed/, "CometBFT's gRPC client connected at once");
    const reached = await height(rpc);
    first.child.kill("SIGTERM");
    assert.equal(await first.exit, 0);
    const stopped = await height(rpc);
    assert.equal(stopped, -1, "CometBFT went down with the node");

    // No flag: config.toml's abci = "grpc" is used again, and the chain goes on from where it was.
    const second = startNode(["--home", home]);
    procs.push(second.child);
    assert.ok((await waitHeight(rpc, reached + 2, 120_000)) >= reached + 2, "the restarted node resumes");
    assert.match(second.out.join(""), /ABCI \(grpc\)/);
    second.child.kill("SIGTERM");
    assert.equal(await second.exit, 0);
  });
});
