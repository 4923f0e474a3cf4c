// bench:chain probe: where the CPU goes during SNIP-20 blocks — per-thread CPU of every thread of the process
// (/proc/self/task/*/schedstat, ns), ECALLs, OCALL handler calls (a batch counts each op) and their time, the
// main thread's exact CPU inside ECALLs, main-thread GC pauses. `--warmup W` first runs W untimed transfers
// (JIT warm-up); PROBE_PAUSE=ms waits before the timed run so `perf record -p` can attach to it alone.
// Run: node --import tsx bench/chain/probe.ts [--txs K] [--block B] [--warmup W]
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { PerformanceObserver } from "node:perf_hooks";
import { startNode } from "./setup.js";
import { profiled, runTxs } from "./run.js";
import { deploySnip20, signTransfers } from "./snip20.js";
import { LatestReader } from "../../src/chain/store/sqliteReader.js";

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  const v = i < 0 ? undefined : process.argv[i + 1];
  return v === undefined ? dflt : Number(v);
}
const K = arg("--txs", 600);
const B = arg("--block", 300);
const W = arg("--warmup", 0);
/** `--profile DIR`: a V8 CPU profile of the main thread during the timed run (`DIR/probe.cpuprofile`). */
const PROFILE_DIR = ((i) => (i < 0 ? undefined : process.argv[i + 1]))(process.argv.indexOf("--profile"));

/** ns on CPU of each thread of this process, by "tid comm". */
function threads(): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const comm = readFileSync(`/proc/self/task/${tid}/comm`, "latin1").trim();
      const sched = readFileSync(`/proc/self/task/${tid}/schedstat`, "latin1").split(" ");
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "latin1");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // run ns, utime ticks, stime ticks, voluntary... (schedstat: run ns, runqueue wait ns, timeslices)
      out.set(`${tid} ${comm}`, [
        Number(sched[0]),
        Number(f[11]) * 1e7,
        Number(f[12]) * 1e7,
        Number(sched[2]),
      ]);
    } catch {
      // thread gone
    }
  }
  return out;
}

async function main(): Promise<void> {
  const node = await startNode(1000, undefined, true); // the in-ECALL CPU is what this probe reports
  try {
    const s = await deploySnip20(node);
    const all = await signTransfers(node, s, W + K);
    if (W > 0) await runTxs(node, all.slice(0, W), B);
    const txs = all.slice(W);
    let ecalls = 0;
    let ocalls = 0;
    let ocallNs = 0n;
    const kinds = new Map<string, number>();
    const ecall = node.enclave.ecall.bind(node.enclave);
    let ecallWallNs = 0n;
    const wrap =
      <A extends unknown[], R>(f: (...a: A) => R) =>
      (...a: A): R => {
        ocalls++;
        const t0 = process.hrtime.bigint();
        try {
          return f(...a);
        } finally {
          ocallNs += process.hrtime.bigint() - t0;
        }
      };
    node.enclave.ecall = (name, payload, opts) => {
      ecalls++;
      kinds.set(name, (kinds.get(name) ?? 0) + 1);
      const h = opts?.ocalls;
      const o =
        h === undefined
          ? opts
          : {
              ...opts,
              ocalls: {
                readDb: wrap(h.readDb.bind(h)),
                writeDb: wrap(h.writeDb.bind(h)),
                removeDb: wrap(h.removeDb.bind(h)),
                queryChain: wrap(h.queryChain.bind(h)),
                // the prefetch hooks (a prefetched read's charge counts as a handler call, as a read would)
                ...(h.chargePrefetched === undefined
                  ? {}
                  : { chargePrefetched: wrap(h.chargePrefetched.bind(h)) }),
                ...(h.remainingGas === undefined ? {} : { remainingGas: h.remainingGas.bind(h) }),
              },
            };
      const w0 = process.hrtime.bigint();
      try {
        return ecall(name, payload, o);
      } finally {
        ecallWallNs += process.hrtime.bigint() - w0;
      }
    };
    let gcMs = 0;
    let gcN = 0;
    const gcKinds = new Map<number, number>();
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        gcMs += e.duration;
        gcN++;
        const k = (e as unknown as { detail?: { kind: number } }).detail?.kind ?? 0;
        gcKinds.set(k, (gcKinds.get(k) ?? 0) + e.duration);
      }
    });
    obs.observe({ entryTypes: ["gc"] });
    if (process.env.PROBE_PAUSE !== undefined) {
      // lets an outside profiler (perf record -p) attach to the timed section only
      console.log(`PAUSE pid ${process.pid}`);
      await new Promise((r) => setTimeout(r, Number(process.env.PROBE_PAUSE)));
    }
    // committed-state reads and the ones that miss the read cache (SQLite), by key prefix (first byte, length)
    let reads = 0;
    const misses = new Map<string, number>();
    const lr = LatestReader.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
    const get0 = lr.get!;
    const rem0 = lr.remember!;
    let lastKey: Uint8Array | undefined;
    lr.get = function (this: unknown, ...a: unknown[]) {
      reads++;
      lastKey = a[0] as Uint8Array;
      return get0.apply(this, a);
    };
    lr.remember = function (this: unknown, ...a: unknown[]) {
      const k =
        lastKey === undefined ? "?" : `${lastKey[0]}/${lastKey.length}/${a[1] === null ? "absent" : "found"}`;
      misses.set(k, (misses.get(k) ?? 0) + 1);
      if (process.env.PROBE_KEYS !== undefined && reads % 97 === 0)
        console.log(Buffer.from(lastKey ?? []).toString("hex"));
      return rem0.apply(this, a);
    };
    const heap = process.env.PROBE_HEAP === undefined ? undefined : new Session();
    if (heap !== undefined) {
      // every allocation sampled (every 4 KiB), including objects a scavenge already freed
      heap.connect();
      await heap.post("HeapProfiler.enable");
      await heap.post("HeapProfiler.startSampling", {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      } as never);
    }
    const t0 = threads();
    const r = await profiled(PROFILE_DIR, "probe", () => runTxs(node, txs, B));
    const t1 = threads();
    if (heap !== undefined) {
      const { profile } = await heap.post("HeapProfiler.stopSampling");
      writeFileSync(process.env.PROBE_HEAP!, JSON.stringify(profile));
      heap.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50)); // gc entries are delivered on a later tick
    obs.disconnect();
    console.log(
      `K=${K} B=${B}: wall ${(r.wallMs / K).toFixed(3)} ms/tx, process CPU ${(r.cpuMs / K).toFixed(3)} ms/tx`,
    );
    console.log(
      `stages ms/tx: finalize ${(r.stages.finalize / K).toFixed(3)}, ecallCpu ${(r.stages.ecallCpu / K).toFixed(3)}, check ${(r.checkMs / K).toFixed(3)}, commit/block ${(r.stages.commit / r.blocks).toFixed(1)}`,
    );
    const rows: [string, number[]][] = [];
    for (const [k, v] of t1) rows.push([k, v.map((x, i) => (x - (t0.get(k)?.[i] ?? 0)) / 1e6 / K)]);
    rows.sort((a, b) => (b[1][0] ?? 0) - (a[1][0] ?? 0));
    for (const [k, v] of rows)
      if ((v[0] ?? 0) > 0.001)
        console.log(
          `  thread ${k.padEnd(16)} ${v[0]?.toFixed(3)} ms/tx (user ${v[1]?.toFixed(2)}, sys ${v[2]?.toFixed(2)}; ${((v[3] ?? 0) * 1e6).toFixed(1)} slices/tx)`,
        );
    console.log(
      `ecalls/tx ${(ecalls / K).toFixed(2)} ${JSON.stringify(Object.fromEntries(kinds))}; ocalls/tx ${(ocalls / K).toFixed(2)}; in OCALL handlers ${(Number(ocallNs) / 1e6 / K).toFixed(3)} ms/tx`,
    );
    console.log(
      `main thread inside ecall(): CPU ${(r.stages.ecallCpu / K).toFixed(3)} ms/tx, wall ${(Number(ecallWallNs) / 1e6 / K).toFixed(3)} ms/tx`,
    );
    console.log(
      `committed reads/tx ${(reads / K).toFixed(2)}; cache misses/tx by prefix/len/found ${JSON.stringify(Object.fromEntries([...misses].map(([k, v]) => [k, +(v / K).toFixed(2)])))}`,
    );
    console.log(
      `main GC pauses: ${gcN} (${(gcN / K).toFixed(2)}/tx), ${(gcMs / K).toFixed(3)} ms/tx; by kind ${JSON.stringify(Object.fromEntries([...gcKinds].map(([k, v]) => [k, +(v / K).toFixed(3)])))}`,
    );
  } finally {
    await node.close();
  }
}

await main();
