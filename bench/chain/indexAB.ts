// Block store index after commit, A/B in one process (docs/BENCHMARKS.md "Index after commit (session 14, P2)"):
// one warm node (1k accounts), rounds of K SNIP-20 transfers in blocks of B through the serial feed, rotating
// modes: "off" (the index inline, inside saveBlock's transaction, as before session 14) and N (deferred: door
// jobs of N event rows in the next block's ECALL waits). Each cycle runs every mode once, the order reversed every
// other cycle. Every round starts with nothing pending (flushed, untimed); a deferred round ends with its last
// block's index pending, which is then written at once and timed ("flush"): main CPU and tx/s are printed without
// and with it (with it: as if that block's index ran inline; the steady state, where it runs in the next block's
// waits, lies between). The stores' tables grow across rounds, as a running node's do.
// Run: node --import tsx bench/chain/indexAB.ts [--cycles C] [--modes off,32,8] [--txs K] [--block B] [--warmup W]
import { startNode, threadCpuMs } from "./setup.js";
import { runTxs, type RunResult } from "./run.js";
import { deploySnip20, signTransfers } from "./snip20.js";
import { arg } from "./cli.js";

const CYCLES = arg("--cycles", 4);
const K = arg("--txs", 2000);
const B = arg("--block", 500);
const WARMUP = arg("--warmup", 1000);
const MODES = ((i) => (i < 0 ? "off,32" : process.argv[i + 1]!))(process.argv.indexOf("--modes")).split(",");

const node = await startNode(1000);
const store = node.engine.store;
// saveBlock's main CPU and wall (the block, its results and, inline, the index rows).
const save = { cpu: 0, wall: 0 };
const saveBlock = store.saveBlock.bind(store);
store.saveBlock = (...a: Parameters<typeof saveBlock>) => {
  const c0 = threadCpuMs();
  const w0 = performance.now();
  try {
    saveBlock(...a);
  } finally {
    save.wall += performance.now() - w0;
    save.cpu += threadCpuMs() - c0;
  }
};
interface Row {
  mode: string;
  cycle: number;
  r: RunResult;
  saveCpu: number;
  saveWall: number;
  flushCpu: number;
  flushWall: number;
  jobs: number;
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
try {
  const s = await deploySnip20(node);
  const order: [string, number][] = [];
  for (let c = 0; c < CYCLES; c++)
    for (const m of c % 2 === 0 ? MODES : [...MODES].reverse()) order.push([m, c]);
  const all = await signTransfers(node, s, WARMUP + order.length * K);
  await runTxs(node, all.slice(0, WARMUP), B, "serial");
  const rows: Row[] = [];
  for (const [i, [mode, cycle]] of order.entries()) {
    store.flushIndex();
    store.deferIndex = mode !== "off";
    if (mode !== "off") store.indexJobRows = Number(mode);
    const [c0, w0, j0] = [save.cpu, save.wall, store.indexStats.jobs];
    const r = await runTxs(node, all.slice(WARMUP + i * K, WARMUP + (i + 1) * K), B, "serial");
    const [f0, fw0] = [threadCpuMs(), performance.now()];
    store.flushIndex();
    const [flushCpu, flushWall] = [threadCpuMs() - f0, performance.now() - fw0];
    const row: Row = {
      mode,
      cycle,
      r,
      saveCpu: save.cpu - c0,
      saveWall: save.wall - w0,
      flushCpu,
      flushWall,
      jobs: store.indexStats.jobs - j0,
    };
    rows.push(row);
    console.log(line(row));
  }
  // Per-tx figures (ms per transfer), except the two tx/s columns (× txs cancels the division).
  const cols: [string, (x: Row) => number][] = [
    ["tx/s", (x) => (x.r.txs * x.r.txs * 1000) / x.r.wallMs],
    ["tx/s with flush", (x) => (x.r.txs * x.r.txs * 1000) / (x.r.wallMs + x.flushWall)],
    ["saveBlock CPU", (x) => x.saveCpu],
    ["saveBlock wall", (x) => x.saveWall],
    ["in-ECALL main CPU", (x) => x.r.stages.ecallCpu],
    ["ECALL wall", (x) => x.r.stages.ecallWall],
    ["finalize wall", (x) => x.r.stages.finalize],
    ["main CPU", (x) => x.r.mainCpuMs],
    ["main CPU + flush", (x) => x.r.mainCpuMs + x.flushCpu],
    // The host's share of the serial critical path: main-thread CPU outside the ECALL waits.
    ["main CPU outside ECALLs", (x) => x.r.mainCpuMs - x.r.stages.ecallCpu],
    ["enclave CPU", (x) => x.r.enclaveCpuMs],
  ];
  const perTx = (x: Row, f: (x: Row) => number): number => f(x) / x.r.txs;
  for (const mode of MODES) {
    const rs = rows.filter((x) => x.mode === mode);
    console.log(
      `median ${mode.padEnd(3)} ${cols.map(([n, f]) => `${n} ${median(rs.map((x) => perTx(x, f))).toFixed(4)}`).join(" | ")}`,
    );
  }
  // Per cycle: mode ÷ off (adjacent rounds share the load).
  for (const mode of MODES.filter((m) => m !== "off"))
    for (const [n, f] of cols) {
      const ratios: number[] = [];
      for (let c = 0; c < CYCLES; c++) {
        const a = rows.find((x) => x.cycle === c && x.mode === "off");
        const b = rows.find((x) => x.cycle === c && x.mode === mode);
        if (a !== undefined && b !== undefined) ratios.push(perTx(b, f) / perTx(a, f));
      }
      console.log(
        `${mode} ÷ off ${n}: ${ratios.map((x) => x.toFixed(3)).join(" ")} (median ${median(ratios).toFixed(3)}, ` +
          `below 1: ${ratios.filter((x) => x < 1).length}/${ratios.length})`,
      );
    }
} finally {
  await node.close();
}

function line(x: Row): string {
  const perTx = (ms: number): string => (ms / x.r.txs).toFixed(4);
  return (
    `${x.mode.padEnd(3)} tx/s ${((x.r.txs * 1000) / x.r.wallMs).toFixed(0)} saveBlock CPU ${perTx(x.saveCpu)} ` +
    `wall ${perTx(x.saveWall)} in-ECALL main CPU ${perTx(x.r.stages.ecallCpu)} ECALL wall ${perTx(x.r.stages.ecallWall)} ` +
    `finalize ${perTx(x.r.stages.finalize)} check ${perTx(x.r.checkMs)} main ${perTx(x.r.mainCpuMs)} ` +
    `flush ${perTx(x.flushCpu)} enclave ${perTx(x.r.enclaveCpuMs)} other ${perTx(x.r.otherCpuMs)} index jobs ${x.jobs}`
  );
}
