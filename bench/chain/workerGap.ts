// The enclave worker in the chain vs in the replay, one process (docs/BENCHMARKS.md "Enclave worker in the chain
// vs the replay (session 15, R3)"): after W warm-up transfers, C cycles of (K SNIP-20 transfers through the
// chain, serial feed, blocks of B, their execute ECALLs recorded) then (the same recording replayed R times on
// the same worker, as bench/chain/enclaveReplay.ts does). Per phase and per transfer it prints the worker
// thread's CPU (schedstat), run-queue wait and time slices, its voluntary / involuntary context switches
// (/proc/self/task/<tid>/status), the main thread's CPU, and the frames that crossed the door by kind (ECALL ids,
// OCALL kinds, the inner kind of a `charged` OCALL). It prints v8work.ts's markers — `ROLES`, and around phase n
// `=== ROUND n START|END mono=<CLOCK_MONOTONIC ns>` (`ROUNDNAME n <phase>` names it) —, so
// `node --import tsx bench/chain/v8report.ts log.txt --perf perf.txt --period-ms 0.5` splits the samples of a
// `perf record -e cpu-clock -F 2000 -g -k CLOCK_MONOTONIC` run (node --perf-basic-prof) by phase and thread.
// Run: node [--perf-basic-prof] --import tsx bench/chain/workerGap.ts [--txs K] [--block B] [--warmup W]
//      [--cycles C] [--replays R] [--modes plain,prep,gap,thrash] [--gap-us G] [--ocall-us O] [--thrash-kb N]
//      [--pin] (--pin: after the warm-up, main thread on CPU 0 and the worker on CPU 1, via taskset: a diagnostic)
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { recordExecutes, replaying, resultKey, type Recorded } from "./ecallRecording.js";
import { startNode } from "./setup.js";
import { runTxs } from "./run.js";
import { deploySnip20, signTransfers } from "./snip20.js";
import { arg, threadNs } from "./cli.js";
import { ECALL, encodePrepareCall } from "../../src/enclave/api.js";

const K = arg("--txs", 1000);
const B = arg("--block", 500);
const W = arg("--warmup", 1000);
const C = arg("--cycles", 3);
const R = arg("--replays", 1);
/** Busy main-thread µs before each call and inside each OCALL answer in the "gap" replays (the chain's host work). */
const GAP_US = arg("--gap-us", 300);
const OCALL_US = arg("--ocall-us", 30);
/** Replay variants per cycle: plain (as enclaveReplay.ts), prep (each call carries the next one's prepareCall,
 * as in the chain), gap (prep + busy host work between and inside calls, so the worker sleeps as in the chain),
 * thrash (gap, the busy work walking --thrash-kb of memory). */
const MODES = (
  ((i) => (i < 0 ? undefined : process.argv[i + 1]))(process.argv.indexOf("--modes")) ?? "plain,prep,gap"
).split(",");

const ECALL_NAMES = new Map<number, string>(Object.entries(ECALL).map(([n, id]) => [id, n]));
const OCALL_NAMES = [
  "?",
  "readDb",
  "writeDb",
  "removeDb",
  "queryChain",
  "applyBatch",
  "readDbFirst",
  "charged",
  "chargedPeek",
];
const FRAME_NAMES = [
  "?",
  "ecallRequest",
  "ecallResponse",
  "ocallRequest",
  "ocallResponse",
  "shutdown",
  "fatal",
];
FRAME_NAMES[7] = "ecallResponseWithWrites";
FRAME_NAMES[8] = "ecallRequestThen";

const counts = new Map<string, number>();
const bump = (k: string): void => {
  counts.set(k, (counts.get(k) ?? 0) + 1);
};
const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
const u32 = (b: Uint8Array, o: number): number =>
  ((b[o]! << 24) >>> 0) + (b[o + 1]! << 16) + (b[o + 2]! << 8) + b[o + 3]!;

/** Counts each frame by kind, ECALL id and OCALL kind (a `charged` OCALL's inner kind too). */
function tap(_dir: "toEnclave" | "toHost", kind: number, body: Uint8Array): void {
  bump(`frame ${FRAME_NAMES[kind] ?? kind}`);
  if (kind === 1) bump(`ecall ${ECALL_NAMES.get(u16(body, 0)) ?? u16(body, 0)}`);
  else if (kind === 8) {
    bump(`ecall ${ECALL_NAMES.get(u16(body, 4)) ?? u16(body, 4)} (+then)`);
    const n = u32(body, 0);
    bump(`ecall ${ECALL_NAMES.get(u16(body, 4 + n)) ?? "?"} (riding)`);
  } else if (kind === 3) {
    const k = body[0]!;
    if (k === 7 || k === 8) {
      const n = u32(body, 1);
      let o = 5 + 4 * n;
      if (k === 8) {
        const m = u32(body, o);
        o += 4;
        for (let i = 0; i < m; i++) o += 4 + u32(body, o);
        bump(`ocall chargedPeek (${m} peeks)`);
      }
      bump(`ocall ${OCALL_NAMES[k]}(${OCALL_NAMES[body[o]!] ?? body[o]})`);
    } else bump(`ocall ${OCALL_NAMES[k] ?? k}`);
  }
}

interface TaskStat {
  runNs: number;
  waitNs: number;
  slices: number;
  vol: number;
  invol: number;
}

function taskStat(tid: string): TaskStat {
  const s = readFileSync(`/proc/self/task/${tid}/schedstat`, "latin1").split(" ");
  const st = readFileSync(`/proc/self/task/${tid}/status`, "latin1");
  const field = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(st)?.[1] ?? NaN);
  return {
    runNs: Number(s[0]),
    waitNs: Number(s[1]),
    slices: Number(s[2]),
    vol: field("voluntary_ctxt_switches"),
    invol: field("nonvoluntary_ctxt_switches"),
  };
}

const mono = (): string => process.hrtime.bigint().toString();
let round = 0;

/** Runs `f` as a named phase of `n` transfers and prints the worker's and the main thread's figures per transfer. */
async function phase(name: string, n: number, worker: string, f: () => unknown): Promise<number> {
  counts.clear();
  const pid = String(process.pid);
  const all0 = threadNs();
  const w0 = taskStat(worker);
  const m0 = taskStat(pid);
  const r = round++;
  console.log(`ROUNDNAME ${r} ${name}`);
  console.log(`=== ROUND ${r} START mono=${mono()}`);
  const t0 = performance.now();
  await f();
  const wall = performance.now() - t0;
  console.log(`=== ROUND ${r} END mono=${mono()}`);
  const w1 = taskStat(worker);
  const m1 = taskStat(pid);
  const all1 = threadNs();
  let other = 0;
  for (const [tid, ns] of all1) if (tid !== pid && tid !== worker) other += ns - (all0.get(tid) ?? ns);
  const per = (x: number): string => (x / n).toFixed(3);
  const ms = (ns: number): string => (ns / 1e6 / n).toFixed(3);
  console.log(
    `${name}: worker cpu ${ms(w1.runNs - w0.runNs)} ms | runq wait ${ms(w1.waitNs - w0.waitNs)} ms | slices ${per(w1.slices - w0.slices)} | ` +
      `vol cs ${per(w1.vol - w0.vol)} | invol cs ${per(w1.invol - w0.invol)} | main cpu ${ms(m1.runNs - m0.runNs)} ms ` +
      `(vol ${per(m1.vol - m0.vol)}, invol ${per(m1.invol - m0.invol)}) | other threads ${ms(other)} ms | wall ${(wall / n).toFixed(3)} ms per transfer`,
  );
  const keys = [...counts.keys()].sort();
  console.log(`  ${name} per transfer: ${keys.map((k) => `${k} ${per(counts.get(k)!)}`).join(", ")}`);
  return (w1.runNs - w0.runNs) / 1e6 / n;
}

/** `--thrash-kb N` (default 4096): the "thrash" replays' busy time walks an N KiB buffer (the host's cache footprint). */
const THRASH = new Uint32Array(arg("--thrash-kb", 4096) * 256);
let thrashAt = 0;

function busy(us: number, thrash: boolean): void {
  if (us <= 0) return;
  const end = performance.now() + us / 1000;
  while (performance.now() < end) {
    for (let k = 0; k < 256 && thrash; k++) {
      thrashAt = (thrashAt + 16) % THRASH.length;
      THRASH[thrashAt]! += 1;
    }
  }
}

async function main(): Promise<void> {
  const node = await startNode(1000);
  try {
    const s = await deploySnip20(node);
    const txs = await signTransfers(node, s, W + C * K);
    const pid = String(process.pid);
    const before = threadNs();
    await runTxs(node, txs.slice(0, W), B);
    const after = threadNs();
    // The enclave worker: the busiest thread but main during the warm-up (no verify lane, no query lanes).
    const worker = [...after]
      .filter(([tid]) => tid !== pid)
      .map(([tid, ns]) => [tid, ns - (before.get(tid) ?? 0)] as const)
      .sort((a, b) => b[1] - a[1])[0]![0];
    console.log(`warm-up ${W} transfers done (--txs ${K} per phase); enclave worker tid ${worker}`);
    console.log(`ROLES ${pid}=main ${worker}=enclave`);
    if (process.argv.includes("--pin")) {
      // Diagnostic: main thread on CPU 0, enclave worker on CPU 1 (each keeps its own L1/L2), via taskset(1).
      execFileSync("taskset", ["-p", "-c", "0", pid]);
      execFileSync("taskset", ["-p", "-c", "1", worker]);
      console.log("pinned: main on CPU 0, enclave worker on CPU 1");
    }
    node.enclave.channelTap = tap;
    const chain: number[] = [];
    const replays = new Map<string, number[]>();
    for (let c = 0; c < C; c++) {
      const slice = txs.slice(W + c * K, W + (c + 1) * K);
      let calls: Recorded[] = [];
      chain.push(
        await phase(`chain${c}`, K, worker, async () => {
          calls = await recordExecutes(node, () => runTxs(node, slice, B), true);
        }),
      );
      if (calls.length !== K) throw new Error(`recorded ${calls.length} executes, expected ${K}`);
      const preps = calls.map((c) => encodePrepareCall("execute", c.payload));
      for (let r = 0; r < R; r++) {
        for (const mode of MODES) {
          const prep = mode !== "plain";
          const gap = mode === "gap" || mode === "thrash";
          const thrash = mode === "thrash";
          const v = await phase(`replay-${mode}${c}.${r}`, K, worker, () => {
            calls.forEach((c, i) => {
              if (gap) busy(GAP_US, thrash);
              const { handler, used } = replaying(
                c.answers,
                gap
                  ? () => {
                      busy(OCALL_US, thrash);
                    }
                  : undefined,
              );
              const next = preps[i + 1];
              const res = node.enclave.ecall("execute", c.payload, {
                ...(c.gasLimit === undefined ? {} : { gasLimit: c.gasLimit }),
                ocalls: handler,
                ...(prep && next !== undefined ? { then: { id: ECALL.prepareCall, payload: next } } : {}),
              });
              if (resultKey(res) !== c.result || res.gasUsed !== c.gasUsed || used() !== c.answers.length)
                throw new Error(`replay of call ${i} differs (result, gas or host calls)`);
            });
          });
          (replays.get(mode) ?? replays.set(mode, []).get(mode)!).push(v);
        }
      }
    }
    const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    console.log(
      `worker CPU per transfer, medians: chain ${med(chain).toFixed(3)} ms` +
        [...replays].map(([m, xs]) => `, replay-${m} ${med(xs).toFixed(3)}`).join("") +
        " ms",
    );
  } finally {
    node.enclave.channelTap = undefined;
    await node.close();
  }
}

await main();
