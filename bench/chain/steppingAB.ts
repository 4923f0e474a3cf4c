// Stepped FinalizeBlock A/B in one process (docs/BENCHMARKS.md "Pipeline through shroud dev (session 14, P1)"):
// one warm node (1k accounts, pipeline installed), rounds of K SNIP-20 transfers in blocks of B, rotating four
// ways: the serial feed with FinalizeBlock in one go ("serial-sync") and in steps with a turn of the event loop
// every --step-ms ("serial-step": the cost of the yields), and the "io" feed — the next block's txs broadcast
// from the event loop as requests read from sockets — with FinalizeBlock in one go ("io-sync": `shroud dev`
// before session 14, the txs wait for the block's end) and in steps ("io-step": they are checked as door jobs
// inside the block's ECALL waits).
// Run: node --import tsx bench/chain/steppingAB.ts [--cycles C] [--txs K] [--block B] [--warmup W] [--step-ms S]
//      [--io-per-turn N]
import { startNode } from "./setup.js";
import { runTxs, type Feed, type RunResult } from "./run.js";
import { deploySnip20, signTransfers } from "./snip20.js";
import { arg } from "./cli.js";

const CYCLES = arg("--cycles", 3);
const K = arg("--txs", 1000);
const B = arg("--block", 250);
const WARMUP = arg("--warmup", 2000);
const STEP_MS = arg("--step-ms", 4);

type Mode = "serial-sync" | "serial-step" | "io-sync" | "io-step";
const MODES: readonly Mode[] = ["serial-sync", "serial-step", "io-sync", "io-step"];
const ORDER: readonly Mode[][] = [[...MODES], [...MODES].reverse()];

const node = await startNode(1000);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
try {
  const s = await deploySnip20(node);
  const modes: Mode[] = [];
  for (let c = 0; c < CYCLES; c++) modes.push(...ORDER[c % 2]!);
  const all = await signTransfers(node, s, WARMUP + modes.length * K);
  node.engine.pipelined = true;
  node.engine.yieldEveryMs = STEP_MS;
  await runTxs(node, all.slice(0, WARMUP), B, "io");
  const rows: { mode: Mode; r: RunResult; jobs: number; yields: number }[] = [];
  for (const [i, mode] of modes.entries()) {
    const feed: Feed = mode.startsWith("serial") ? "serial" : "io";
    node.engine.yieldEveryMs = mode.endsWith("step") ? STEP_MS : undefined;
    const j0 = node.engine.pipelineStats.inJobs;
    const y0 = node.engine.stepStats.yields;
    const r = await runTxs(node, all.slice(WARMUP + i * K, WARMUP + (i + 1) * K), B, feed);
    const row = {
      mode,
      r,
      jobs: node.engine.pipelineStats.inJobs - j0,
      yields: node.engine.stepStats.yields - y0,
    };
    rows.push(row);
    console.log(line(row));
  }
  for (const mode of MODES) {
    const rs = rows.filter((x) => x.mode === mode);
    const m = (f: (r: RunResult) => number): string => median(rs.map((x) => f(x.r))).toFixed(3);
    console.log(
      `median ${mode.padEnd(11)} tx/s ${m((r) => (r.txs * 1000) / r.wallMs)} finalize ${m((r) => r.stages.finalize / r.txs)} ` +
        `check ${m((r) => r.checkMs / r.txs)} main ${m((r) => r.mainCpuMs / r.txs)} ` +
        `enclave ${m((r) => r.enclaveCpuMs / r.txs)} other ${m((r) => r.otherCpuMs / r.txs)} ` +
        `process ${m((r) => r.cpuMs / r.txs)}`,
    );
  }
  // Per cycle, a ÷ b in tx/s (rounds of one cycle are adjacent in time and share the load).
  const ratios = (a: Mode, b: Mode): string => {
    const out: string[] = [];
    for (let c = 0; c < CYCLES; c++) {
      const cyc = rows.slice(c * MODES.length, (c + 1) * MODES.length);
      out.push(
        (cyc.find((r) => r.mode === b)!.r.wallMs / cyc.find((r) => r.mode === a)!.r.wallMs).toFixed(3),
      );
    }
    return out.join(" ");
  };
  console.log(`tx/s ratio serial-step ÷ serial-sync per cycle: ${ratios("serial-step", "serial-sync")}`);
  console.log(`tx/s ratio io-step ÷ io-sync per cycle: ${ratios("io-step", "io-sync")}`);
  console.log(`tx/s ratio io-step ÷ serial-sync per cycle: ${ratios("io-step", "serial-sync")}`);
} finally {
  await node.close();
}

function line(x: { mode: Mode; r: RunResult; jobs: number; yields: number }): string {
  const { r } = x;
  const perTx = (ms: number): string => (ms / r.txs).toFixed(3);
  return (
    `${x.mode.padEnd(11)} tx/s ${((r.txs * 1000) / r.wallMs).toFixed(0)} finalize ${perTx(r.stages.finalize)} ` +
    `ecall wall ${perTx(r.stages.ecallWall)} check ${perTx(r.checkMs)} commit ${perTx(r.stages.commit)} ` +
    `main ${perTx(r.mainCpuMs)} enclave ${perTx(r.enclaveCpuMs)} other ${perTx(r.otherCpuMs)} ` +
    `process ${perTx(r.cpuMs)} checked in jobs ${x.jobs} yields ${x.yields}`
  );
}
