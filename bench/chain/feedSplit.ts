// Feeds side by side with CheckTx's own cost split out (session 16, R3; docs/BENCHMARKS.md "Main-thread-only
// phases (session 16, R3)"): one warm node (1k accounts, pipeline installed), rounds of K SNIP-20 transfers in
// blocks of B rotating the given modes (feed-stepping: serial|stream|io, then sync or step = FinalizeBlock in one
// go or with a turn every 4 ms; order reversed every other cycle), printing per round the threads' CPU per
// transfer, the main thread's CPU in CheckTx NEW and in RECHECK (two schedstat reads around each CheckTx, ~10 µs,
// charged alike in every mode), how many NEW checks ran as door jobs, and ECALL / FinalizeBlock / Commit wall.
// Run: node --import tsx bench/chain/feedSplit.ts [--cycles C] [--txs K] [--block B] [--warmup W] [--modes a,b]
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { startNode, threadCpuMs } from "./setup.js";
import { runTxs, type Feed } from "./run.js";
import { deploySnip20, signTransfers } from "./snip20.js";
import { arg } from "./cli.js";

const CYCLES = arg("--cycles", 3);
const K = arg("--txs", 1000);
const B = arg("--block", 500);
const WARMUP = arg("--warmup", 2000);
const mi = process.argv.indexOf("--modes");
const MODES = (mi >= 0 ? process.argv[mi + 1]! : "serial-sync,io-step").split(",");

const node = await startNode(1000);
const acc = { newMs: 0, newN: 0, reMs: 0, reN: 0 };
const check = node.app.checkTx.bind(node.app);
node.app.checkTx = (req) => {
  const c0 = threadCpuMs();
  try {
    return check(req);
  } finally {
    const d = threadCpuMs() - c0;
    if (req.type === CheckTxType.RECHECK) {
      acc.reMs += d;
      acc.reN++;
    } else {
      acc.newMs += d;
      acc.newN++;
    }
  }
};
try {
  const s = await deploySnip20(node);
  const modes: string[] = [];
  for (let c = 0; c < CYCLES; c++) modes.push(...(c % 2 === 0 ? MODES : [...MODES].reverse()));
  const all = await signTransfers(node, s, WARMUP + modes.length * K);
  node.engine.pipelined = true;
  node.engine.yieldEveryMs = 4;
  await runTxs(node, all.slice(0, WARMUP), B, "io");
  const rows: { mode: string; tps: number }[] = [];
  for (const [i, mode] of modes.entries()) {
    const feed = mode.split("-")[0] as Feed;
    node.engine.yieldEveryMs = mode.endsWith("step") ? 4 : undefined;
    const a0 = { ...acc };
    const j0 = node.engine.pipelineStats.inJobs;
    const r = await runTxs(node, all.slice(WARMUP + i * K, WARMUP + (i + 1) * K), B, feed);
    const tps = (r.txs * 1000) / r.wallMs;
    rows.push({ mode, tps });
    const per = (x: number): string => (x / r.txs).toFixed(3);
    console.log(
      `${mode.padEnd(11)} tx/s ${tps.toFixed(0)} main ${per(r.mainCpuMs)} enclave ${per(r.enclaveCpuMs)} other ${per(r.otherCpuMs)} ` +
        `| new ${per(acc.newMs - a0.newMs)} (${acc.newN - a0.newN}, jobs ${node.engine.pipelineStats.inJobs - j0}) recheck ${per(acc.reMs - a0.reMs)} (${acc.reN - a0.reN}) ` +
        `| ecall wall ${per(r.stages.ecallWall)} finalize wall ${per(r.stages.finalize)} commit wall ${per(r.stages.commit)} check wall ${per(r.checkMs)} wall ${per(r.wallMs)}`,
    );
  }
  for (let c = 0; c < CYCLES; c++) {
    const cyc = rows.slice(c * MODES.length, (c + 1) * MODES.length);
    const base = cyc.find((x) => x.mode === MODES[0])!.tps;
    console.log(`cycle ${c}: ${cyc.map((x) => `${x.mode} ${(x.tps / base).toFixed(3)}`).join(", ")}`);
  }
} finally {
  await node.close();
}
