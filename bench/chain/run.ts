// bench:chain helpers: feed pre-signed txs through the engine (CheckTx via broadcastTx, then produceBlock per B
// txs) and account the time per stage; deliver one tx and return its result (setup steps).
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import type { BroadcastResult } from "../../src/consensus/dev.js";
import { threadCpuMs, type Node, type StageTimes } from "./setup.js";

export interface RunResult {
  readonly txs: number;
  readonly blocks: number;
  readonly wallMs: number;
  /** user+system CPU ms of the whole process (main thread + enclave worker): robust to a loaded machine. */
  readonly cpuMs: number;
  /** user+system CPU ms of the main thread alone (the host side: ABCI, ante, store, OCALL answers); Linux. */
  readonly mainCpuMs: number;
  /** CPU ms of the busiest other thread (the enclave worker in SNIP-20 runs) and of all the rest; Linux. */
  readonly enclaveCpuMs: number;
  readonly otherCpuMs: number;
  /**
   * The rest split: V8's platform workers (threads that existed before any JS ran: TurboFan jobs, parallel
   * scavenge and concurrent marking/sweeping helpers of every isolate) and the busiest later-born thread
   * besides the enclave (the verify lane when it runs; else libuv's pool or a worker's helper).
   */
  readonly v8PlatformCpuMs: number;
  readonly secondWorkerCpuMs: number;
  readonly checkMs: number;
  readonly stages: StageTimes;
  /** Wall ms of each block's produceBlock() (prepare → process → finalize → commit). */
  readonly blockMs: number[];
}

interface TxEvent {
  hash: Uint8Array;
  result: ExecTxResult;
}

/**
 * Collects the delivered results of the given txs (by hash) until stop is called; blocks also carry the app's
 * own block-random tx, which is not counted.
 */
function collectResults(
  node: Node,
  txs: readonly Uint8Array[],
): { results: ExecTxResult[]; stop: () => void } {
  const ours = new Set(txs.map((tx) => createHash("sha256").update(tx).digest("hex")));
  const results: ExecTxResult[] = [];
  const on = (e: TxEvent): void => {
    if (ours.has(Buffer.from(e.hash).toString("hex"))) results.push(e.result);
  };
  node.engine.on("tx", on);
  return { results, stop: () => node.engine.off("tx", on) };
}

/**
 * Main-thread CPU profile of `f` only (the timed section, not genesis or signing), written as
 * `<dir>/<name>.cpuprofile` (open in Chrome DevTools); without a dir, just runs `f`.
 */
export async function profiled<T>(dir: string | undefined, name: string, f: () => Promise<T>): Promise<T> {
  if (dir === undefined) return f();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  try {
    return await f();
  } finally {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

/** user+system CPU ms per thread id of this process (`/proc/self/task/<tid>/stat`, 10 ms ticks); empty off Linux. */
function threadsCpuMs(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync("/proc/self/task")) {
      try {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, "latin1");
        const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        out.set(tid, (Number(f[11]) + Number(f[12])) * 10);
      } catch {
        // the thread ended between the listing and the read
      }
    }
  } catch {
    // not Linux
  }
  return out;
}

/**
 * The threads alive when this module loads, before the bench starts anything: the main thread and V8's platform
 * workers (node starts them before running JS; the enclave's workers, libuv's pool and SQLite come later).
 */
const startupThreads = new Set(threadsCpuMs().keys());

/**
 * Per-thread CPU between two snapshots: the busiest non-main thread, the sum of the other non-main ones, and
 * that sum split into V8's platform workers and the busiest later-born thread after the top one.
 */
function workerCpu(
  before: Map<string, number>,
  after: Map<string, number>,
): { top: number; rest: number; v8: number; second: number } {
  const main = String(process.pid);
  const deltas = [...after]
    .filter(([tid]) => tid !== main)
    .map(([tid, ms]) => [tid, ms - (before.get(tid) ?? 0)] as const)
    .sort((a, b) => b[1] - a[1]);
  const top = deltas[0]?.[1] ?? NaN;
  const rest = deltas.slice(1);
  const v8 = rest.filter(([tid]) => startupThreads.has(tid)).reduce((a, [, ms]) => a + ms, 0);
  const second = rest.find(([tid]) => !startupThreads.has(tid))?.[1] ?? 0;
  return { top, rest: rest.reduce((a, [, ms]) => a + ms, 0), v8, second };
}

/**
 * How txs reach the engine: "serial" broadcasts a block's chunk, then produces the block (CheckTx and the block
 * take turns); "stream" broadcasts block N+1's chunk while block N is produced (the first chunk alone before the
 * first block), as a node receiving txs continuously: with the engine's pipeline on, they are checked inside
 * the block's ECALL waits, then RECHECKed after its Commit like every pending tx. "io" is the stream as `shroud dev`
 * receives it: block N+1's chunk is broadcast from the event loop (IO_PER_TURN txs per setImmediate turn, as
 * requests read from sockets), starting when block N starts; a FinalizeBlock run in one go holds the loop, so the
 * chunk then arrives after block N (serially), a stepped one (engine.yieldEveryMs) lets it in during the block.
 */
export type Feed = "serial" | "stream" | "io";

/** The feed the other benches run: `--stream-feed` or `--io-feed` on the command line, else serial (bench:chain: its own). */
export const FEED: Feed = process.argv.includes("--stream-feed")
  ? "stream"
  : process.argv.includes("--io-feed")
    ? "io"
    : "serial";

/** Txs broadcast per event-loop turn by the "io" feed (`--io-per-turn`, default 4). */
const IO_PER_TURN = ((): number => {
  const at = process.argv.indexOf("--io-per-turn");
  return at >= 0 ? Number(process.argv[at + 1]) : 4;
})();

/** Broadcasts `txs` from the event loop, IO_PER_TURN per setImmediate turn; resolves with every answer. */
function feedFromLoop(node: Node, txs: readonly Uint8Array[]): Promise<BroadcastResult[]> {
  return new Promise((resolve, reject) => {
    const answers: Promise<BroadcastResult>[] = [];
    let next = 0;
    const turn = (): void => {
      for (const end = Math.min(txs.length, next + IO_PER_TURN); next < end; next++)
        answers.push(node.engine.broadcastTx(txs[next]!));
      if (next < txs.length) setImmediate(turn);
      else Promise.all(answers).then(resolve, reject);
    };
    setImmediate(turn);
  });
}

/** All txs through CheckTx and blocks of up to `perBlock`; throws if any tx fails (a bench of failures lies). */
export async function runTxs(
  node: Node,
  txs: readonly Uint8Array[],
  perBlock: number,
  feed: Feed = FEED,
): Promise<RunResult> {
  const s0 = { ...node.stages };
  const { results, stop } = collectResults(node, txs);
  const blockMs: number[] = [];
  let checkMs = 0;
  const cpu0 = process.cpuUsage();
  const main0 = threadCpuMs();
  const threads0 = threadsCpuMs();
  const t0 = performance.now();
  if (feed === "serial") {
    for (let i = 0; i < txs.length; i += perBlock) {
      const c0 = performance.now();
      for (const tx of txs.slice(i, i + perBlock)) checkOk(await node.engine.broadcastTx(tx));
      const b0 = performance.now();
      checkMs += b0 - c0;
      await node.engine.produceBlock();
      blockMs.push(performance.now() - b0);
    }
  } else {
    // The streamed feeds: the first chunk is checked alone, then each block runs while the next chunk arrives.
    const c0 = performance.now();
    for (const tx of txs.slice(0, perBlock)) checkOk(await node.engine.broadcastTx(tx));
    checkMs += performance.now() - c0;
    if (feed === "io") {
      for (let i = perBlock; i < txs.length + perBlock; i += perBlock) {
        const b0 = performance.now();
        const block = node.engine.produceBlock();
        const fed = feedFromLoop(node, txs.slice(i, i + perBlock));
        await block;
        blockMs.push(performance.now() - b0);
        for (const r of await fed) checkOk(r);
      }
    } else {
      for (let i = perBlock; i < txs.length + perBlock; i += perBlock) {
        const b0 = performance.now();
        const block = node.engine.produceBlock();
        // Block N+1's chunk arrives while block N runs: queued (pipeline) or checked at once (no pipeline).
        const answers = txs.slice(i, i + perBlock).map((tx) => node.engine.broadcastTx(tx));
        checkMs += performance.now() - b0;
        await block;
        blockMs.push(performance.now() - b0);
        for (const r of await Promise.all(answers)) checkOk(r);
      }
    }
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const mainCpuMs = threadCpuMs() - main0;
  const workers = workerCpu(threads0, threadsCpuMs());
  stop();
  const failed = results.find((r) => r.code !== 0);
  if (failed !== undefined) throw new Error(`DeliverTx failed (${failed.code}): ${failed.log}`);
  if (results.length !== txs.length) throw new Error(`${results.length} of ${txs.length} txs delivered`);
  const stages: StageTimes = {
    prepare: node.stages.prepare - s0.prepare,
    process: node.stages.process - s0.process,
    finalize: node.stages.finalize - s0.finalize,
    commit: node.stages.commit - s0.commit,
    ecallCpu: node.stages.ecallCpu - s0.ecallCpu,
    ecallWall: node.stages.ecallWall - s0.ecallWall,
  };
  return {
    txs: txs.length,
    blocks: blockMs.length,
    wallMs,
    cpuMs,
    mainCpuMs,
    enclaveCpuMs: workers.top,
    otherCpuMs: workers.rest,
    v8PlatformCpuMs: workers.v8,
    secondWorkerCpuMs: workers.second,
    checkMs,
    stages,
    blockMs,
  };
}

function checkOk(r: { checkTx: { code: number; log: string } }): void {
  if (r.checkTx.code !== 0) throw new Error(`CheckTx failed (${r.checkTx.code}): ${r.checkTx.log}`);
}

/** One tx in its own block; returns its result (throws on failure). */
export async function deliverOne(node: Node, tx: Uint8Array): Promise<ExecTxResult> {
  const { results, stop } = collectResults(node, [tx]);
  const r = await node.engine.broadcastTx(tx);
  if (r.checkTx.code !== 0) throw new Error(`CheckTx failed (${r.checkTx.code}): ${r.checkTx.log}`);
  await node.engine.produceBlock();
  stop();
  const res = results[0];
  if (res === undefined) throw new Error("tx not delivered");
  if (res.code !== 0) throw new Error(`DeliverTx failed (${res.code}): ${res.log}`);
  return res;
}

/** The first value of attribute `key` in events of `type`. */
export function attribute(r: ExecTxResult, type: string, key: string): string | undefined {
  return r.events.filter((e) => e.type === type).flatMap((e) => e.attributes.filter((a) => a.key === key))[0]
    ?.value;
}

/** One A/B round's line: tx/s, Finalize and per-thread CPU ms per tx, then `extra` (the switch's counters). */
export function abRoundLine(on: boolean, r: RunResult, extra: string): string {
  const perTx = (ms: number): string => (ms / r.txs).toFixed(3);
  return (
    `${on ? "on " : "off"} tx/s ${((r.txs * 1000) / r.wallMs).toFixed(0)} finalize ms/tx ` +
    `${perTx(r.stages.finalize)} main ${perTx(r.mainCpuMs)} enclave ${perTx(r.enclaveCpuMs)} ` +
    `other ${perTx(r.otherCpuMs)} process ${perTx(r.cpuMs)} ${extra}`
  );
}

/** Prints the medians of an in-process A/B's rounds, off then on (the A/B scripts' last lines). */
export function printAbMedians(rows: readonly { on: boolean; r: RunResult }[]): void {
  const median = (xs: number[]): string => ([...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN).toFixed(3);
  for (const on of [false, true]) {
    const rs = rows.filter((x) => x.on === on).map((x) => x.r);
    const m = (f: (r: RunResult) => number): string => median(rs.map(f));
    console.log(
      `median ${on ? "on " : "off"}: tx/s ${m((r) => (r.txs * 1000) / r.wallMs)} ` +
        `finalize ${m((r) => r.stages.finalize / r.txs)} main ${m((r) => r.mainCpuMs / r.txs)} ` +
        `enclave ${m((r) => r.enclaveCpuMs / r.txs)} other ${m((r) => r.otherCpuMs / r.txs)} ` +
        `process ${m((r) => r.cpuMs / r.txs)}`,
    );
  }
}
