// What the app-mode RPC front's hop costs a proxied call: a 1-validator localnet in app mode, then rounds of K
// sequential GETs of one path (default /block?height=2, the bench tracker's call) alternately through the front
// (rpc.laddr, the node) and straight to CometBFT's inner RPC (rpc.laddr's port + 5), with the node's and
// CometBFT's process CPU (/proc, 10 ms ticks) and the wall time per call. The localnet makes idle blocks all the
// while: an idle window of the same length before each round is measured and subtracted.
// Usage: node --import tsx bench/localnet/frontHop.ts [--calls 3000] [--rounds 4] [--path /block?height=2]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Localnet } from "../../test/network/harness.js";
import { pidOf } from "../../src/cli/localnet/processes.js";
import { pidsCpuMs } from "./procCpu.js";

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i < 0 ? dflt : (process.argv[i + 1] ?? dflt);
}
const CALLS = Number(arg("--calls", "3000"));
const ROUNDS = Number(arg("--rounds", "4"));
const PATH = arg("--path", "/block?height=2");
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const net = await Localnet.create(1, 0, { compiled: true, mempool: "app" });
  try {
    net.start(0);
    if (!(await net.waitHeight([0], 3, 120_000))) throw new Error(`no blocks\n${net.logTail(0)}`);
    const node = net.node(0);
    const pids = [pidOf(node)!, Number(readFileSync(join(node.home, "cometbft.pid"), "utf8").trim())];
    const targets = {
      front: `http://127.0.0.1:${node.ports.rpc}`,
      inner: `http://127.0.0.1:${node.ports.rpc + 5}`,
    };
    const run = async (base: string): Promise<number> => {
      const t0 = performance.now();
      for (let i = 0; i < CALLS; i++) {
        const r = await fetch(`${base}${PATH}`);
        if (r.status !== 200) throw new Error(`${base}${PATH}: HTTP ${r.status}`);
        await r.arrayBuffer();
      }
      return performance.now() - t0;
    };
    await run(targets.front); // warm both paths and the JIT
    await run(targets.inner);
    const rows: { target: string; wall: number; node: number; comet: number }[] = [];
    for (let k = 0; k < ROUNDS; k++) {
      const order: (keyof typeof targets)[] = k % 2 === 0 ? ["front", "inner"] : ["inner", "front"];
      for (const target of order) {
        const i0 = pidsCpuMs(pids);
        const w0 = performance.now();
        await sleep(1500);
        const idleWall = performance.now() - w0;
        const i1 = pidsCpuMs(pids);
        const wall = await run(targets[target]);
        const c1 = pidsCpuMs(pids);
        const idle = [0, 1].map((j) => ((i1[j]! - i0[j]!) * wall) / idleWall);
        rows.push({
          target,
          wall,
          node: c1[0]! - i1[0]! - idle[0]!,
          comet: c1[1]! - i1[1]! - idle[1]!,
        });
      }
    }
    console.log(`${CALLS} sequential GET ${PATH} per round, ${ROUNDS} rounds each, alternated`);
    console.log("target | wall ms/call | node CPU ms/call | CometBFT CPU ms/call");
    for (const r of rows)
      console.log(
        `${r.target} | ${(r.wall / CALLS).toFixed(3)} | ${(r.node / CALLS).toFixed(3)} | ${(r.comet / CALLS).toFixed(3)}`,
      );
    for (const t of ["front", "inner"]) {
      const rs = rows.filter((r) => r.target === t);
      const mean = (f: (r: (typeof rows)[number]) => number): string =>
        (rs.reduce((s, r) => s + f(r), 0) / rs.length / CALLS).toFixed(3);
      console.log(`${t} mean | ${mean((r) => r.wall)} | ${mean((r) => r.node)} | ${mean((r) => r.comet)}`);
    }
  } finally {
    await net.close();
  }
}

await main();
