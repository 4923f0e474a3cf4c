// bench:chain large-state probe: bank sends only, on a 1k-account node and then an N-account node in one
// process (the same blocks as bench/chain.ts's send rows), plus genesis phase times, heap and peak RSS.
// Run: node --import tsx bench/chain/largeSends.ts [--large N] [--txs K] [--block B] [--warmup W] [--profile DIR]
//      [--no-small] [--genesis-only] [--interleave]
import { readFileSync } from "node:fs";
import { getHeapStatistics } from "node:v8";
import { Store } from "../../src/chain/store/store.js";
import { ShroudApp } from "../../src/chain/app.js";
import { startNode, type Node } from "./setup.js";
import { signSends } from "./sends.js";
import { profiled, runTxs, type RunResult } from "./run.js";
import { arg, gcPauses, mb, timeMethod } from "./cli.js";

const N = arg("--large", 200_000);
const K = arg("--txs", 1000);
const B = arg("--block", 500);
const W = arg("--warmup", 1000);
const SKIP_SMALL = process.argv.includes("--no-small");
/** `--genesis-only`: boot the N-account node, print genesis figures, stop (profiling genesis alone). */
const GENESIS_ONLY = process.argv.includes("--genesis-only");
const PROFILE_DIR = ((i) => (i < 0 ? undefined : process.argv[i + 1]))(process.argv.indexOf("--profile"));

/** Peak resident set of the process so far (VmHWM), Linux only. */
function peakRss(): string {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "latin1"));
    return m === null ? "?" : mb(Number(m[1]) * 1024);
  } catch {
    return "?";
  }
}
let phasePeakHeap = 0;
const trackPeak = (used: number): void => {
  phasePeakHeap = Math.max(phasePeakHeap, used);
};
timeMethod(Store.prototype, "prepare", trackPeak);
timeMethod(Store.prototype, "commitPrepared", trackPeak);
timeMethod(ShroudApp.prototype, "initChain", trackPeak);
timeMethod(ShroudApp.prototype, "finalizeBlock", trackPeak);

async function variant(holders: number): Promise<RunResult | undefined> {
  const cpu0 = process.cpuUsage();
  const node = await startNode(holders);
  const cpu = process.cpuUsage(cpu0);
  const h = getHeapStatistics();
  console.log(
    `[${holders}] genesis ${(node.genesisMs / 1000).toFixed(1)} s (process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s), heap now ${mb(h.used_heap_size)} ` +
      `(limit ${mb(h.heap_size_limit)}), peak RSS ${peakRss()}, peak heap at a phase end ${mb(phasePeakHeap)}`,
  );
  try {
    if (GENESIS_ONLY) return undefined;
    const txs = await signSends(node, W + K, holders);
    if (W > 0) await runTxs(node, txs.slice(0, W), B);
    const gc = gcPauses();
    const r = await profiled(PROFILE_DIR, `largeSends-${holders}`, () => runTxs(node, txs.slice(W), B));
    const gcMs = await gc.stop();
    const gcs = [...gcMs].map(([k, ms]) => `${k}:${ms.toFixed(0)}`).join(" ");
    console.log(
      `[${holders}] main-thread GC ms by kind during the timed sends: ${gcs}; heap ${mb(getHeapStatistics().used_heap_size)}`,
    );
    const per = (ms: number): string => (ms / r.txs).toFixed(3);
    console.log(
      `[${holders}] sends ${((r.txs * 1000) / r.wallMs).toFixed(0)}/s, per CPU-s ${((r.txs * 1000) / r.cpuMs).toFixed(0)}; ` +
        `ms/tx main ${per(r.mainCpuMs)} | busiest other ${per(r.enclaveCpuMs)} | others ${per(r.otherCpuMs)}; ` +
        `CheckTx ${per(r.checkMs)}, Finalize ${per(r.stages.finalize)}, Commit ${(r.stages.commit / r.blocks).toFixed(1)} ms/block`,
    );
    return r;
  } finally {
    await node.close();
  }
}

/** Sums of the timed blocks of one node in the interleaved mode. */
function sum(rs: readonly RunResult[]): RunResult {
  const add = (f: (r: RunResult) => number): number => rs.reduce((a, r) => a + f(r), 0);
  return {
    txs: add((r) => r.txs),
    blocks: add((r) => r.blocks),
    wallMs: add((r) => r.wallMs),
    cpuMs: add((r) => r.cpuMs),
    mainCpuMs: add((r) => r.mainCpuMs),
    enclaveCpuMs: add((r) => r.enclaveCpuMs),
    otherCpuMs: add((r) => r.otherCpuMs),
    v8PlatformCpuMs: add((r) => r.v8PlatformCpuMs),
    secondWorkerCpuMs: add((r) => r.secondWorkerCpuMs),
    checkMs: add((r) => r.checkMs),
    stages: {
      prepare: add((r) => r.stages.prepare),
      process: add((r) => r.stages.process),
      finalize: add((r) => r.stages.finalize),
      commit: add((r) => r.stages.commit),
      ecallCpu: add((r) => r.stages.ecallCpu),
      ecallWall: add((r) => r.stages.ecallWall),
    },
    blockMs: rs.flatMap((r) => r.blockMs),
  };
}

/**
 * `--interleave`: both nodes live in one process (the large one booted first), and their timed blocks alternate
 * (order swapped every round), so load drift on this shared machine hits 1k and N alike.
 */
async function interleaved(): Promise<[RunResult, RunResult]> {
  const nodes: Node[] = [];
  try {
    for (const holders of [N, 1000]) {
      const cpu0 = process.cpuUsage();
      const node = await startNode(holders);
      const cpu = process.cpuUsage(cpu0);
      nodes.push(node);
      console.log(
        `[${holders}] genesis ${(node.genesisMs / 1000).toFixed(1)} s (process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s), ` +
          `peak RSS ${peakRss()}, peak heap at a phase end ${mb(phasePeakHeap)}`,
      );
    }
    const [large, small] = nodes as [Node, Node];
    const sets = [await signSends(small, W + K, 1000), await signSends(large, W + K, N)];
    const runs: [RunResult[], RunResult[]] = [[], []];
    for (let i = 0, round = 0; i < W + K; i += B, round++) {
      for (const which of round % 2 === 0 ? [0, 1] : [1, 0]) {
        const r = await runTxs(which === 0 ? small : large, sets[which]!.slice(i, i + B), B);
        if (i >= W) runs[which]!.push(r);
      }
    }
    return [sum(runs[0]), sum(runs[1])];
  } finally {
    for (const n of nodes) await n.close();
  }
}

function report(holders: number, r: RunResult): void {
  const per = (ms: number): string => (ms / r.txs).toFixed(3);
  console.log(
    `[${holders}] sends ${((r.txs * 1000) / r.wallMs).toFixed(0)}/s, per CPU-s ${((r.txs * 1000) / r.cpuMs).toFixed(0)}; ` +
      `ms/tx main ${per(r.mainCpuMs)}; CheckTx ${per(r.checkMs)}, Finalize ${per(r.stages.finalize)}, ` +
      `Commit ${(r.stages.commit / r.blocks).toFixed(1)} ms/block`,
  );
}

let small: RunResult | undefined;
let large: RunResult | undefined;
if (process.argv.includes("--interleave")) {
  [small, large] = await interleaved();
  report(1000, small);
  report(N, large);
} else {
  small = SKIP_SMALL || GENESIS_ONLY ? undefined : await variant(1000);
  large = await variant(N);
}
if (small !== undefined && large !== undefined) {
  console.log(
    `bank sends ${N} ÷ 1000: ${(small.wallMs / large.wallMs).toFixed(2)} wall, ${(small.cpuMs / large.cpuMs).toFixed(2)} per CPU-s; ` +
      `commit/block ${(large.stages.commit / large.blocks / (small.stages.commit / small.blocks)).toFixed(2)}×`,
  );
}
