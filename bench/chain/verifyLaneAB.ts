// Verify lane A/B in one process (docs/BENCHMARKS.md "Verify lane (session 6)"): one warm node (1k accounts),
// alternating 500-transfer SNIP-20 blocks with the lane off (nothing submitted, no tokens) and on; per-thread
// CPU ms per transfer and tx/s per block, then the medians. Run: node --import tsx bench/chain/verifyLaneAB.ts [pairs]
import { startNode } from "./setup.js";
import { abRoundLine, printAbMedians, runTxs, type RunResult } from "./run.js";
import { deploySnip20, signTransfers } from "./snip20.js";

const PAIRS = Number(process.argv[2] ?? 6);
const B = 500;
const WARMUP = 1000;

const node = await startNode(1000, true);
const lane = node.enclave.verdictLane;
if (lane === undefined) throw new Error("the verify lane did not start");
const engine = node.app.modules.compute.engine;
const submit = lane.submit.bind(lane);
const verdicts = engine.verdicts;
/** Off: the app's checks are not sent and no token is looked up (the lane idles). */
const setLane = (on: boolean): void => {
  lane.submit = on ? submit : () => undefined;
  engine.verdicts = on ? verdicts : undefined;
};

try {
  const s = await deploySnip20(node);
  const all = await signTransfers(node, s, WARMUP + PAIRS * 2 * B);
  setLane(true);
  await runTxs(node, all.slice(0, WARMUP), B);
  const rows: { on: boolean; r: RunResult }[] = [];
  for (let i = 0; i < PAIRS * 2; i++) {
    const on = i % 2 === 1;
    setLane(on);
    const hits0 = lane.stats.hits;
    const r = await runTxs(node, all.slice(WARMUP + i * B, WARMUP + (i + 1) * B), B);
    rows.push({ on, r });
    console.log(abRoundLine(on, r, `tokens ${lane.stats.hits - hits0}`));
  }
  printAbMedians(rows);
} finally {
  await node.close();
}
