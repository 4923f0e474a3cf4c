// Engine pipeline A/B in one process (docs/BENCHMARKS.md "Engine pipeline (session 13, N4)"): one warm node (1k
// accounts), rounds of K SNIP-20 transfers in blocks of B, rotating three ways: the serial feed (each chunk
// checked, then its block), the stream feed with the engine's pipeline off (block N+1's chunk checked at once
// while block N is about to run) and on (checked as door jobs inside block N's ECALL waits).
// Run: node --import tsx bench/chain/pipelineAB.ts [--cycles C] [--txs K] [--block B] [--warmup W]
import { startNode } from "./setup.js";
import { runTxs, type Feed, type RunResult } from "./run.js";
import { deploySnip20, signTransfers } from "./snip20.js";
import { arg } from "./cli.js";

const CYCLES = arg("--cycles", 3);
const K = arg("--txs", 1000);
const B = arg("--block", 250);
const WARMUP = arg("--warmup", 2000);

type Mode = "serial" | "stream-off" | "stream-on";
const ORDER: readonly Mode[][] = [
  ["serial", "stream-off", "stream-on"],
  ["stream-on", "stream-off", "serial"],
];

const node = await startNode(1000);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
try {
  const s = await deploySnip20(node);
  const modes: Mode[] = [];
  for (let c = 0; c < CYCLES; c++) modes.push(...ORDER[c % 2]!);
  const all = await signTransfers(node, s, WARMUP + modes.length * K);
  node.engine.pipelined = true;
  await runTxs(node, all.slice(0, WARMUP), B, "stream");
  const rows: { mode: Mode; r: RunResult; jobs: number }[] = [];
  for (const [i, mode] of modes.entries()) {
    const feed: Feed = mode === "serial" ? "serial" : "stream";
    node.engine.pipelined = mode === "stream-on";
    const j0 = node.engine.pipelineStats.inJobs;
    const r = await runTxs(node, all.slice(WARMUP + i * K, WARMUP + (i + 1) * K), B, feed);
    const jobs = node.engine.pipelineStats.inJobs - j0;
    rows.push({ mode, r, jobs });
    console.log(line(mode, r, jobs));
  }
  for (const mode of ["serial", "stream-off", "stream-on"] as const) {
    const rs = rows.filter((x) => x.mode === mode);
    const m = (f: (r: RunResult) => number): string => median(rs.map((x) => f(x.r))).toFixed(3);
    console.log(
      `median ${mode.padEnd(10)} tx/s ${m((r) => (r.txs * 1000) / r.wallMs)} finalize ${m((r) => r.stages.finalize / r.txs)} ` +
        `ecall wall ${m((r) => r.stages.ecallWall / r.txs)} check ${m((r) => r.checkMs / r.txs)} ` +
        `main ${m((r) => r.mainCpuMs / r.txs)} enclave ${m((r) => r.enclaveCpuMs / r.txs)} ` +
        `other ${m((r) => r.otherCpuMs / r.txs)} process ${m((r) => r.cpuMs / r.txs)}`,
    );
  }
  // Per cycle: stream-on ÷ serial and stream-on ÷ stream-off tx/s (adjacent rounds share the load).
  const ratios = (a: Mode, b: Mode): string[] => {
    const out: string[] = [];
    for (let c = 0; c < CYCLES; c++) {
      const cyc = rows.slice(c * 3, c * 3 + 3);
      const x = cyc.find((r) => r.mode === a)!.r;
      const y = cyc.find((r) => r.mode === b)!.r;
      out.push((y.wallMs / x.wallMs).toFixed(3));
    }
    return out;
  };
  console.log(`tx/s ratio stream-on ÷ serial per cycle: ${ratios("stream-on", "serial").join(" ")}`);
  console.log(`tx/s ratio stream-on ÷ stream-off per cycle: ${ratios("stream-on", "stream-off").join(" ")}`);
} finally {
  await node.close();
}

function line(mode: Mode, r: RunResult, jobs: number): string {
  const perTx = (ms: number): string => (ms / r.txs).toFixed(3);
  return (
    `${mode.padEnd(10)} tx/s ${((r.txs * 1000) / r.wallMs).toFixed(0)} finalize ${perTx(r.stages.finalize)} ` +
    `ecall wall ${perTx(r.stages.ecallWall)} ecall main CPU ${Number.isNaN(r.stages.ecallCpu) ? "— (--ecall-timing)" : perTx(r.stages.ecallCpu)} check ${perTx(r.checkMs)} ` +
    `commit ${perTx(r.stages.commit)} main ${perTx(r.mainCpuMs)} enclave ${perTx(r.enclaveCpuMs)} ` +
    `other ${perTx(r.otherCpuMs)} process ${perTx(r.cpuMs)} checked in jobs ${jobs}`
  );
}
