// Prepared calls A/B in one process (docs/BENCHMARKS.md "Prepared calls (session 8, H1)"): one warm node (1k
// accounts, bench:chain's setup), alternating B-transfer SNIP-20 blocks with prepareCall off / on; tx/s,
// FinalizeBlock wall and per-thread CPU ms per transfer, then the medians. `--verify-lane` runs with the lane.
// Run: node --import tsx bench/chain/prepareAheadAB.ts [pairs] [--block B] [--warmup W] [--verify-lane]
// [--no-idle]
import { startNode } from "./setup.js";
import { abRoundLine, printAbMedians, runTxs, type RunResult } from "./run.js";
import { deploySnip20, signTransfers } from "./snip20.js";
import { arg } from "./cli.js";
import { prepareAheadFor, type PrepareAhead } from "../../src/chain/app/prepareAhead.js";

const PAIRS = Number(process.argv[2] ?? 4);
const B = arg("--block", 500);
const WARMUP = arg("--warmup", 1000);

const node = await startNode(1000);
// With a verify lane the app does not prepare by default: the bench installs it to compare.
const ahead = node.app.prepareAhead ?? prepareAheadFor(node.enclave, node.app.modules);
if (ahead === undefined) throw new Error("no prepared calls (enclave without prepareCall?)");
(node.app as { prepareAhead: PrepareAhead | undefined }).prepareAhead = ahead;
// `--no-idle`: build each prepare when it is sent instead of inside the previous ECALL's wait (door idle hook).
if (process.argv.includes("--no-idle")) ahead.buildWhileWaiting = false;

try {
  const s = await deploySnip20(node);
  const all = await signTransfers(node, s, WARMUP + PAIRS * 2 * B);
  await runTxs(node, all.slice(0, WARMUP), B);
  const rows: { on: boolean; r: RunResult }[] = [];
  for (let i = 0; i < PAIRS * 2; i++) {
    const on = i % 2 === 1;
    ahead.enabled = on;
    const st0 = { ...node.enclave.prepareStats };
    const r = await runTxs(node, all.slice(WARMUP + i * B, WARMUP + (i + 1) * B), B);
    const st = node.enclave.prepareStats;
    rows.push({ on, r });
    console.log(
      abRoundLine(
        on,
        r,
        `prepares: rode ${st.rode - st0.rode} alone ${st.sent - st0.sent} waited ${st.waited - st0.waited} ` +
          `(enclave: taken ${st.taken - st0.taken} dropped ${st.dropped - st0.dropped})`,
      ),
    );
  }
  printAbMedians(rows);
} finally {
  await node.close();
}
