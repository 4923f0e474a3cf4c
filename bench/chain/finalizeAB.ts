// FinalizeBlock as a localnet node runs it, two trees in one process (docs/BENCHMARKS.md "The session-14
// regression (session 15, R1)"): each tree's own bench node (bench/chain/setup.ts: real enclave, ShroudApp,
// DevEngine, 1k accounts, SNIP-20 deployed), prepared calls on, no verify lane, no pipeline, FinalizeBlock in one
// go (`app.finalizeBlock`, as the ABCI socket server calls it), the block store's index inline where the tree
// can defer it (so no index work runs inside FinalizeBlock's ECALL waits), and no bench timers around the ABCI
// calls or ECALLs (the setups' wrappers are removed; the trees' setups differ there). Rounds of K SNIP-20
// transfers in blocks of B (serial feed: CheckTx of a block's txs, then the block), the trees alternated by round
// (new, base, base, new, …); round 0 of each is warm-up on top of W transfers per tree.
// Per round: main-thread CPU (schedstat) per tx inside finalizeBlock, in the whole round, and the enclave
// worker's; new ÷ base per pair of adjacent rounds.
// Run: node --import tsx bench/chain/finalizeAB.ts <base tree> <new tree> [--rounds R] [--txs K] [--block B]
//      [--warmup W]   (trees: repo roots; the new tree's own bench/threadCpu.ts reads the main thread)
import { resolve } from "node:path";
import { GCProfiler, getHeapStatistics } from "node:v8";
import { arg, twoTrees } from "./cli.js";
import { threadCpuNs } from "../threadCpu.js";

const [baseDir, newDir] = twoTrees("bench/chain/finalizeAB.ts");
const ROUNDS = arg("--rounds", 8);
const K = arg("--txs", 1000);
const B = arg("--block", 250);
const WARMUP = arg("--warmup", 1000);

interface Tree {
  name: string;
  node: any;
  run: (node: any, txs: readonly Uint8Array[], b: number, feed?: string) => Promise<any>;
  txs: Uint8Array[];
  /** Main-thread ns inside finalizeBlock, and its calls. */
  fin: { ns: number; calls: number };
}

async function loadTree(name: string, dir: string): Promise<Tree> {
  const root = resolve(dir);
  const setup = await import(`${root}/bench/chain/setup.ts`);
  const run = await import(`${root}/bench/chain/run.ts`);
  const snip = await import(`${root}/bench/chain/snip20.ts`);
  const node = await setup.startNode(1000, false, false);
  const { app, enclave, engine } = node;
  // The setups' stage timers (and the base's per-ECALL CPU reads) go: the prototypes' methods answer again.
  const own = app as Record<string, unknown>;
  delete own.prepareProposal;
  delete own.processProposal;
  delete own.finalizeBlock;
  delete own.beginFinalizeBlock;
  delete own.commit;
  delete (enclave as Record<string, unknown>).ecall;
  engine.pipelined = false;
  engine.yieldEveryMs = undefined;
  if (engine.store !== undefined && "deferIndex" in engine.store) engine.store.deferIndex = false;
  const fin = { ns: 0, calls: 0 };
  const finalize = app.finalizeBlock.bind(app);
  app.finalizeBlock = (req: unknown) => {
    const c0 = threadCpuNs();
    try {
      return finalize(req);
    } finally {
      fin.ns += threadCpuNs() - c0;
      fin.calls++;
    }
  };
  const s = await snip.deploySnip20(node);
  const txs = await snip.signTransfers(node, s, WARMUP + ROUNDS * K);
  return { name, node, run: run.runTxs, txs, fin };
}

/** One round's main-isolate heap: bytes allocated (from the used heap around each GC), GCs and their cost. */
interface HeapRound {
  allocated: number;
  minor: number;
  major: number;
  gcUs: number;
  /** Bytes a minor GC found live in the young generation (copied or promoted), summed. */
  survived: number;
}
interface GcStat {
  gcType: string;
  cost: number;
  beforeGC: {
    heapStatistics: { usedHeapSize: number };
    heapSpaceStatistics: { spaceName: string; spaceUsedSize: number }[];
  };
  afterGC: { heapStatistics: { usedHeapSize: number } };
}
async function heapRound<T>(f: () => Promise<T>): Promise<[T, HeapRound]> {
  const profiler = new GCProfiler();
  const used0 = getHeapStatistics().used_heap_size;
  profiler.start();
  const out = await f();
  const used1 = getHeapStatistics().used_heap_size;
  const stats = profiler.stop().statistics as unknown as GcStat[];
  const h: HeapRound = { allocated: 0, minor: 0, major: 0, gcUs: 0, survived: 0 };
  let after = used0;
  for (const g of stats) {
    h.allocated += g.beforeGC.heapStatistics.usedHeapSize - after;
    after = g.afterGC.heapStatistics.usedHeapSize;
    if (g.gcType === "Scavenge" || g.gcType === "MinorMarkCompact") {
      h.minor++;
      const young =
        g.beforeGC.heapSpaceStatistics.find((x) => x.spaceName === "new_space")?.spaceUsedSize ?? 0;
      h.survived += g.afterGC.heapStatistics.usedHeapSize - (g.beforeGC.heapStatistics.usedHeapSize - young);
    } else h.major++;
    h.gcUs += g.cost;
  }
  h.allocated += used1 - after;
  return [out, h];
}

const trees = [await loadTree("new", newDir), await loadTree("base", baseDir)];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
try {
  for (const t of trees) await t.run(t.node, t.txs.slice(0, WARMUP), B, "serial");
  const rows: {
    tree: string;
    round: number;
    fin: number;
    main: number;
    enclave: number;
    txs: number;
    minor: number;
    major: number;
    gc: number;
    kb: number;
    surv: number;
  }[] = [];
  const used = new Map<string, number>();
  for (let r = 0; r < ROUNDS; r++) {
    // new, base, base, new, …: each tree leads every other pair.
    const order = r % 2 === 0 ? trees : [...trees].reverse();
    for (const t of order) {
      const at = used.get(t.name) ?? 0;
      used.set(t.name, at + 1);
      const txs = t.txs.slice(WARMUP + at * K, WARMUP + (at + 1) * K);
      const f0 = t.fin.ns;
      const [res, heap] = await heapRound(() => t.run(t.node, txs, B, "serial"));
      const row = {
        tree: t.name,
        round: r,
        fin: (t.fin.ns - f0) / 1e3 / K,
        main: (res.mainCpuMs * 1e3) / K,
        enclave: (res.enclaveCpuMs * 1e3) / K,
        txs: (K * 1000) / res.wallMs,
        minor: heap.minor,
        major: heap.major,
        gc: heap.gcUs / K,
        kb: heap.allocated / 1024 / K,
        surv: heap.survived / 1024 / K,
      };
      rows.push(row);
      console.log(
        `round ${r} ${t.name.padEnd(4)} finalize main ${row.fin.toFixed(1)} µs/tx, round main ${row.main.toFixed(1)}, ` +
          `enclave ${row.enclave.toFixed(1)}, ${row.txs.toFixed(0)} tx/s, heap ${row.kb.toFixed(2)} KiB/tx, survived ${row.surv.toFixed(2)}, GC ${row.minor} minor ${row.major} major ` +
          `${row.gc.toFixed(1)} µs/tx`,
      );
    }
  }
  const kept = rows.filter((x) => x.round > 0);
  for (const name of ["new", "base"]) {
    const rs = kept.filter((x) => x.tree === name);
    console.log(
      `median ${name.padEnd(4)} finalize main ${median(rs.map((x) => x.fin)).toFixed(1)} µs/tx, round main ` +
        `${median(rs.map((x) => x.main)).toFixed(1)}, enclave ${median(rs.map((x) => x.enclave)).toFixed(1)}, ` +
        `${median(rs.map((x) => x.txs)).toFixed(0)} tx/s, heap ${median(rs.map((x) => x.kb)).toFixed(2)} KiB/tx, survived ${median(rs.map((x) => x.surv)).toFixed(2)}, GC ${median(rs.map((x) => x.gc)).toFixed(1)} µs/tx, ` +
        `minor GCs per round ${rs.map((x) => x.minor).join(" ")}`,
    );
  }
  const ratios = (f: (x: (typeof rows)[number]) => number): string => {
    const out: string[] = [];
    for (let r = 1; r < ROUNDS; r++) {
      const n = kept.find((x) => x.round === r && x.tree === "new");
      const b = kept.find((x) => x.round === r && x.tree === "base");
      if (n && b) out.push((f(n) / f(b)).toFixed(3));
    }
    return out.join(" ");
  };
  console.log(`new ÷ base finalize main per round: ${ratios((x) => x.fin)}`);
  console.log(`new ÷ base round main per round:    ${ratios((x) => x.main)}`);
  console.log(`new ÷ base GC µs per round:         ${ratios((x) => x.gc)}`);
  console.log(`new ÷ base heap allocated per round: ${ratios((x) => x.kb)}`);
  console.log(`new ÷ base survived per round:       ${ratios((x) => x.surv)}`);
} finally {
  for (const t of trees) await t.node.close();
}
