// bench:chain heap probe: boots the bench node with N funded accounts and reports the V8 heap after genesis and
// after K bank sends, so state held in JS memory after genesis can be measured (issue 4, 1M-account collapse).
// Run: node --expose-gc --import tsx bench/chain/heapProbe.ts [--large N] [--txs K] [--block B] [--snapshot FILE]
import { writeHeapSnapshot, getHeapStatistics } from "node:v8";
import { startNode } from "./setup.js";
import { signSends } from "./sends.js";
import { runTxs } from "./run.js";
import { Store } from "../../src/chain/store/store.js";
import { ShroudApp } from "../../src/chain/app.js";
import { arg, gcPauses, mb, timeMethod } from "./cli.js";

timeMethod(Store.prototype, "prepare");
timeMethod(Store.prototype, "commitPrepared");
timeMethod(ShroudApp.prototype, "initChain");
timeMethod(ShroudApp.prototype, "finalizeBlock");

const N = arg("--large", 200_000);
const K = arg("--txs", 1000);
const B = arg("--block", 500);
const SNAP = ((i) => (i < 0 ? undefined : process.argv[i + 1]))(process.argv.indexOf("--snapshot"));

const NO_GC = process.argv.includes("--no-gc");
function heap(label: string): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined && !NO_GC) gc();
  const m = process.memoryUsage();
  const h = getHeapStatistics();
  console.log(
    `${label}: heapUsed ${mb(m.heapUsed)} heapTotal ${mb(m.heapTotal)} external ${mb(m.external)} ` +
      `arrayBuffers ${mb(m.arrayBuffers)} rss ${mb(m.rss)} limit ${mb(h.heap_size_limit)}`,
  );
}

async function main(): Promise<void> {
  heap("start");
  const t0 = performance.now();
  const node = await startNode(N);
  console.log(`genesis ${N} accounts: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  heap("after genesis");
  if (SNAP !== undefined) console.log(`snapshot: ${writeHeapSnapshot(SNAP)}`);
  const txs = await signSends(node, K, N);
  const gc = gcPauses();
  const r = await runTxs(node, txs, B);
  const gcMs = await gc.stop();
  console.log(`main-thread GC pauses during sends (ms by kind): ${JSON.stringify(Object.fromEntries(gcMs))}`);
  console.log(
    `sends: ${((K * 1000) / r.wallMs).toFixed(0)} tx/s, main ${(r.mainCpuMs / K).toFixed(3)} ms/tx, ` +
      `busiest other ${(r.enclaveCpuMs / K).toFixed(3)}, others ${(r.otherCpuMs / K).toFixed(3)}, ` +
      `finalize ${(r.stages.finalize / K).toFixed(3)} ms/tx, commit ${(r.stages.commit / r.blocks).toFixed(1)} ms/block`,
  );
  heap("after sends");
  await node.close();
}

await main();
