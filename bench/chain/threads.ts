// bench:chain per-thread probe: CPU of every thread of the process by role, over R consecutive timed rounds of
// SNIP-20 transfers after a warm-up, so steady state is told apart from JIT warm-up. Roles come from when a
// thread was born: before any JS ran (V8's platform workers: TurboFan, concurrent/parallel GC), during startNode
// (the enclave worker, its verify lane, libuv's pool, SQLite has none of its own), later (the rest).
// Run: node [--trace-opt] --import tsx bench/chain/threads.ts [--txs K] [--block B] [--warmup W] [--rounds R]
//      [--profile DIR [--sample-us N] | --heap DIR] [--verify-lane] [--spec on|off|ab] [--results-ahead on|off|ab]
//      [--templates on|off|ab]
import { readdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { startNode, threadCpuMs, type Node } from "./setup.js";
import { runTxs } from "./run.js";
import { deploySnip20, signTransfers } from "./snip20.js";
import { arg, threadNs } from "./cli.js";

const bornAtStart = new Set(readdirSync("/proc/self/task"));
/**
 * `SHROUD_V8_FLAGS="…"`: V8 flags set from code at startup (v8.setFlagsFromString), before any worker starts: what a
 * node's own entry point could do without command-line flags. Heap sizes set this way reach the isolates created
 * afterwards (the enclave worker, its verify lane), not the main isolate, whose heap is already configured.
 */
const codeFlags = process.env.SHROUD_V8_FLAGS;
if (codeFlags !== undefined && codeFlags !== "") setFlagsFromString(codeFlags);

const K = arg("--txs", 1000);
const B = arg("--block", 500);
const W = arg("--warmup", 1000);
const R = arg("--rounds", 3);
/** `--profile DIR`: a main-thread CPU profile of the last round (`DIR/threads.cpuprofile`). */
const PROFILE_DIR = ((i) => (i < 0 ? undefined : process.argv[i + 1]))(process.argv.indexOf("--profile"));
/** `--sample-us N`: the profiler's sampling interval (V8's default is 1,000 µs: too coarse for 0.3 ms gaps). */
const SAMPLE_US = arg("--sample-us", 1000);

/**
 * `--spec on|off|ab`: the app's speculative ante (src/chain/app/speculativeAnte.ts) on, off, or alternated by round
 * off, on, on, off, off, on, … (an in-process A/B: both sides share the sitting, the JIT state and the enclave).
 * Default: the app's own default (on with the verify lane, off without).
 */
const SPEC = ((i) => (i < 0 ? undefined : (process.argv[i + 1] ?? "on")))(process.argv.indexOf("--spec"));
const specOn = (r: number): boolean => (SPEC === "ab" ? ((r + 1) >> 1) % 2 === 1 : SPEC !== "off");

/**
 * `--results-ahead on|off|ab`: the app's tx results encoded in the ECALL waits (src/chain/app/resultsAhead.ts) on,
 * off, or alternated by round as `--spec ab`. Default: the app's own default (off).
 */
const AHEAD = ((i) => (i < 0 ? undefined : (process.argv[i + 1] ?? "on")))(
  process.argv.indexOf("--results-ahead"),
);
const aheadOn = (r: number): boolean => (AHEAD === "ab" ? ((r + 1) >> 1) % 2 === 1 : AHEAD !== "off");

/**
 * `--templates on|off|ab` (session 14): execute requests spliced from their prepared call's template
 * (ComputeEngine.spliceTemplates) on, off, or alternated by round as `--spec ab`. Default: the engine's (on).
 */
const TEMPLATES = ((i) => (i < 0 ? undefined : (process.argv[i + 1] ?? "on")))(
  process.argv.indexOf("--templates"),
);
const templatesOn = (r: number): boolean =>
  TEMPLATES === "ab" ? ((r + 1) >> 1) % 2 === 1 : TEMPLATES !== "off";

/** `--heap DIR`: a sampled allocation profile of the last round instead (collected objects included). */
const HEAP_DIR = ((i) => (i < 0 ? undefined : process.argv[i + 1]))(process.argv.indexOf("--heap"));

/**
 * Main-thread CPU profile of `f` at SAMPLE_US (`<dir>/threads.cpuprofile`), or with `heap` its sampled
 * allocations (`<dir>/threads.heapprofile`, every 512 bytes on average); without a dir, just runs `f`.
 */
async function profiled<T>(dir: string | undefined, heap: boolean, f: () => Promise<T>): Promise<T> {
  if (dir === undefined) return f();
  const session = new Session();
  session.connect();
  if (heap) {
    await session.post("HeapProfiler.enable");
    await session.post("HeapProfiler.startSampling", {
      samplingInterval: 512,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  } else {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: SAMPLE_US });
    await session.post("Profiler.start");
  }
  try {
    return await f();
  } finally {
    const out = heap
      ? (await session.post("HeapProfiler.stopSampling")).profile
      : (await session.post("Profiler.stop")).profile;
    writeFileSync(join(dir, heap ? "threads.heapprofile" : "threads.cpuprofile"), JSON.stringify(out));
    session.disconnect();
  }
}

/** Main-thread CPU ms per stage (exact, schedstat after getrusage) and the ECALL gaps inside FinalizeBlock. */
interface Account {
  cpu: Map<string, number>;
  /** wall ms per stage (a stage that waits for I/O or the enclave shows it here, not in cpu) */
  wall: Map<string, number>;
  /** execute ECALLs inside FinalizeBlock, their main-thread CPU + wall, and the gaps between consecutive ones */
  ecalls: number;
  ecallWall: number;
  gaps: number;
  gapWall: number;
  gapCpu: number;
}

function account(node: Node): Account {
  const acc: Account = {
    cpu: new Map(),
    wall: new Map(),
    ecalls: 0,
    ecallWall: 0,
    gaps: 0,
    gapWall: 0,
    gapCpu: 0,
  };
  const add = (k: string, ms: number): void => void acc.cpu.set(k, (acc.cpu.get(k) ?? 0) + ms);
  const addWall = (k: string, ms: number): void => void acc.wall.set(k, (acc.wall.get(k) ?? 0) + ms);
  const wrap = <A, R>(name: string, f: (a: A) => R): ((a: A) => R) => {
    return (a: A): R => {
      const w0 = performance.now();
      const c0 = threadCpuMs();
      try {
        return f(a);
      } finally {
        add(name, threadCpuMs() - c0);
        addWall(name, performance.now() - w0);
      }
    };
  };
  const app = node.app;
  app.checkTx = wrap("checkTx", app.checkTx.bind(app));
  app.prepareProposal = wrap("prepare", app.prepareProposal.bind(app));
  app.processProposal = wrap("process", app.processProposal.bind(app));
  let inFinalize = false;
  let lastEnd: { wall: number; cpu: number } | undefined;
  const fin = app.finalizeBlock.bind(app);
  app.finalizeBlock = wrap("finalize", (req: Parameters<typeof fin>[0]) => {
    inFinalize = true;
    lastEnd = undefined;
    try {
      return fin(req);
    } finally {
      inFinalize = false;
    }
  });
  const commit = app.commit.bind(app);
  app.commit = () => wrap("commit", commit)(undefined);
  const bs = (node.engine as unknown as { store: { saveBlock: (...a: unknown[]) => void } }).store;
  const save = bs.saveBlock.bind(bs);
  bs.saveBlock = (...a: unknown[]) => {
    wrap("saveBlock", () => {
      save(...a);
    })(undefined);
  };
  const ecall = node.enclave.ecall.bind(node.enclave);
  node.enclave.ecall = (...args: Parameters<typeof ecall>) => {
    const w0 = performance.now();
    const c0 = threadCpuMs();
    if (inFinalize && lastEnd !== undefined && args[0] === "execute") {
      acc.gaps++;
      acc.gapWall += w0 - lastEnd.wall;
      acc.gapCpu += c0 - lastEnd.cpu;
    }
    try {
      return ecall(...args);
    } finally {
      const c1 = threadCpuMs();
      const w1 = performance.now();
      add("inEcall", c1 - c0);
      if (args[0] === "execute") {
        acc.ecalls++;
        acc.ecallWall += w1 - w0;
      }
      lastEnd = { wall: w1, cpu: c1 };
    }
  };
  return acc;
}

async function main(): Promise<void> {
  const node = await startNode(1000);
  const bornInStart = new Set(readdirSync("/proc/self/task").filter((t) => !bornAtStart.has(t)));
  const acc = account(node);
  try {
    const s = await deploySnip20(node);
    const all = await signTransfers(node, s, W + R * K);
    const spec = node.app.speculativeAnte;
    if (spec !== undefined && SPEC !== undefined) spec.enabled = SPEC !== "off";
    // Main-thread CPU of the speculative ante's two halves: the run in the ECALL wait, the take in the gap.
    const specCpu = { idle: 0, take: 0 };
    const engine = node.app.modules.compute.engine;
    const idle = engine.speculateWhileWaiting;
    // Only when the speculation is asked for: the wrappers' clock reads would otherwise land in the gap.
    if (spec !== undefined && idle !== undefined && SPEC !== undefined) {
      engine.speculateWhileWaiting = () => {
        const c0 = threadCpuMs();
        idle();
        specCpu.idle += threadCpuMs() - c0;
      };
      const take = spec.ante.bind(spec);
      spec.ante = (...a: Parameters<typeof take>) => {
        const c0 = threadCpuMs();
        try {
          return take(...a);
        } finally {
          specCpu.take += threadCpuMs() - c0;
        }
      };
    }
    if (W > 0) await runTxs(node, all.slice(0, W), B);
    let gcMs = 0;
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcMs += e.duration;
    });
    obs.observe({ entryTypes: ["gc"] });
    for (let r = 0; r < R; r++) {
      const txs = all.slice(W + r * K, W + (r + 1) * K);
      if (spec !== undefined && SPEC !== undefined) spec.enabled = specOn(r);
      const ahead = node.app.resultsAhead;
      if (AHEAD !== undefined) ahead.enabled = aheadOn(r);
      const encoded0 = ahead.encoded;
      if (TEMPLATES !== undefined) engine.spliceTemplates = templatesOn(r);
      const spliced0 = engine.templateStats.spliced;
      const spec0 = spec === undefined ? undefined : { ...spec.stats };
      Object.assign(specCpu, { idle: 0, take: 0 });
      console.log(`=== ROUND ${r} START`);
      gcMs = 0;
      acc.cpu.clear();
      acc.wall.clear();
      Object.assign(acc, { ecalls: 0, ecallWall: 0, gaps: 0, gapWall: 0, gapCpu: 0 });
      const t0 = threadNs();
      const last = r === R - 1;
      const res = await profiled(last ? (HEAP_DIR ?? PROFILE_DIR) : undefined, HEAP_DIR !== undefined, () =>
        runTxs(node, txs, B),
      );
      const t1 = threadNs();
      await new Promise((ok) => setTimeout(ok, 20)); // gc entries arrive on a later tick
      console.log(`=== ROUND ${r} END`);
      const role = (tid: string): string =>
        tid === String(process.pid)
          ? "main"
          : bornAtStart.has(tid)
            ? "v8-platform"
            : bornInStart.has(tid)
              ? "born-in-start"
              : "later";
      const per = [...t1]
        .map(([tid, ns]) => [tid, (ns - (t0.get(tid) ?? 0)) / 1e6 / K] as const)
        .sort((a, b) => b[1] - a[1]);
      const byRole = new Map<string, number>();
      for (const [tid, ms] of per) byRole.set(role(tid), (byRole.get(role(tid)) ?? 0) + ms);
      console.log(
        `round ${r}: process CPU ${(res.cpuMs / K).toFixed(3)} ms/tx, finalize ${(res.stages.finalize / K).toFixed(3)} ms/tx wall, main GC pauses ${(gcMs / K).toFixed(3)} ms/tx`,
      );
      console.log(
        `  by role ms/tx: ${[...byRole].map(([k, v]) => `${k} ${v.toFixed(3)}`).join(", ")}; threads: ${per
          .filter(([, ms]) => ms > 0.005)
          .map(([tid, ms]) => `${role(tid)}:${tid} ${ms.toFixed(3)}`)
          .join(", ")}`,
      );
      console.log(
        `  main CPU ms/tx by stage: ${[...acc.cpu].map(([k, v]) => `${k} ${(v / K).toFixed(3)}`).join(", ")}`,
      );
      console.log(
        `  wall ms/tx by stage: ${[...acc.wall].map(([k, v]) => `${k} ${(v / K).toFixed(3)}`).join(", ")}`,
      );
      if (spec !== undefined && spec0 !== undefined) {
        const d = Object.entries(spec.stats).map(([k, v]) => `${k} ${v - spec0[k as keyof typeof spec0]}`);
        console.log(
          `  speculative ante ${spec.enabled ? "on" : "off"}: ${d.join(", ")}; main CPU ms/tx: run ${(specCpu.idle / K).toFixed(3)}, take ${(specCpu.take / K).toFixed(3)}`,
        );
      }
      console.log(
        `  results ahead ${ahead.enabled ? "on" : "off"}: ${ahead.encoded - encoded0} encoded in ECALL waits`,
      );
      console.log(
        `  request templates ${engine.spliceTemplates ? "on" : "off"}: ${engine.templateStats.spliced - spliced0} execute requests spliced`,
      );
      console.log(
        `  execute ECALLs: ${acc.ecalls}, wall ${(acc.ecallWall / acc.ecalls).toFixed(3)} ms each; gaps between them in FinalizeBlock: ${acc.gaps}, wall ${(acc.gapWall / acc.gaps).toFixed(3)} ms, main CPU ${(acc.gapCpu / acc.gaps).toFixed(3)} ms each`,
      );
    }
    obs.disconnect();
  } finally {
    await node.close();
  }
}

await main();
