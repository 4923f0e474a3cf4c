// bench:chain V8 background-work probe (session 9, G4): R timed rounds of SNIP-20 transfers after a long warm-up,
// with markers that let V8's own traces (--trace-gc on stdout, --trace-opt/--trace-deopt per isolate through
// --redirect-code-traces) and a `perf record -k CLOCK_MONOTONIC` of the process be cut per round and per thread.
// Run (see README.md "V8 background work"): stdbuf -oL node --trace-gc --trace-opt --trace-deopt
//   --redirect-code-traces --import tsx bench/chain/v8work.ts [--txs K] [--block B] [--warmup W] [--rounds R]
// then `node --import tsx bench/chain/v8report.ts LOG [--perf PERF_SCRIPT_TXT]` in the same folder.
import { appendFileSync, readdirSync, writeSync } from "node:fs";
import { startNode } from "./setup.js";
import { runTxs } from "./run.js";
import { deploySnip20, signTransfers } from "./snip20.js";
import { arg, threadNs } from "./cli.js";

const bornAtStart = new Set(readdirSync("/proc/self/task"));
const K = arg("--txs", 1000);
const B = arg("--block", 500);
const W = arg("--warmup", 3000);
const R = arg("--rounds", 3);

/**
 * One marker line on stdout (written straight to fd 1, after V8's line-buffered traces under `stdbuf -oL`) and in
 * every per-isolate code-trace file of this process (V8 opens those in append mode per trace, so an appended
 * line lands between two traces). `mono` is CLOCK_MONOTONIC ns, the clock `perf record -k CLOCK_MONOTONIC` uses.
 */
function mark(text: string): void {
  const line = `=== ${text} mono=${process.hrtime.bigint().toString()}\n`;
  writeSync(1, line);
  for (const f of readdirSync(".")) {
    if (f.startsWith(`code-${process.pid}-`) && f.endsWith(".asm")) appendFileSync(f, line);
  }
}

/** Thread roles: platform = born before any JS (V8's workers, libuv/inspector helpers), then by warm-up CPU. */
function roles(bornInStart: Set<string>, warm: Map<string, number>): Map<string, string> {
  const out = new Map<string, string>([[String(process.pid), "main"]]);
  for (const tid of bornAtStart) if (tid !== String(process.pid)) out.set(tid, "platform");
  const started = [...bornInStart].sort((a, b) => (warm.get(b) ?? 0) - (warm.get(a) ?? 0));
  started.forEach((tid, i) => out.set(tid, i === 0 ? "enclave" : i === 1 ? "lane" : "start-other"));
  return out;
}

async function main(): Promise<void> {
  console.log(
    `V8WORK --txs ${K} --block ${B} --warmup ${W} --rounds ${R} flags: ${process.execArgv.join(" ")}`,
  );
  const node = await startNode(1000);
  const bornInStart = new Set(readdirSync("/proc/self/task").filter((t) => !bornAtStart.has(t)));
  try {
    const s = await deploySnip20(node);
    const all = await signTransfers(node, s, W + R * K);
    const w0 = threadNs();
    if (W > 0) await runTxs(node, all.slice(0, W), B);
    const w1 = threadNs();
    const warm = new Map([...w1].map(([tid, ns]) => [tid, ns - (w0.get(tid) ?? 0)] as const));
    const role = roles(bornInStart, warm);
    console.log(`ROLES ${[...role].map(([tid, r]) => `${tid}=${r}`).join(" ")}`);
    for (let r = 0; r < R; r++) {
      const txs = all.slice(W + r * K, W + (r + 1) * K);
      const t0 = threadNs();
      mark(`ROUND ${r} START`);
      const res = await runTxs(node, txs, B);
      mark(`ROUND ${r} END`);
      const t1 = threadNs();
      const byRole = new Map<string, number>();
      for (const [tid, ns] of t1) {
        const k = role.get(tid) ?? "later";
        byRole.set(k, (byRole.get(k) ?? 0) + (ns - (t0.get(tid) ?? 0)) / 1e6 / K);
      }
      console.log(
        `ROUNDCPU ${r} tx/s ${((K / res.wallMs) * 1000).toFixed(0)} process ${(res.cpuMs / K).toFixed(3)} ms/tx; ${[
          ...byRole,
        ]
          .map(([k, v]) => `${k} ${v.toFixed(3)}`)
          .join(", ")}`,
      );
    }
  } finally {
    await node.close();
  }
}

await main();
