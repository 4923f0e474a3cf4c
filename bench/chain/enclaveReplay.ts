// The enclave's side of a chain SNIP-20 transfer, alone: runs K transfers through the real chain once while
// recording every `execute` ECALL (payload, gas limit, result, gas) and the host's OCALL answers in order, then
// replays those ECALLs against the same worker with the recorded answers — checking every result and gas figure
// byte for byte — and reports the worker thread's CPU per transfer (`/proc/self/task/*/schedstat`, ns).
// Run: node --import tsx bench/chain/enclaveReplay.ts [--txs K] [--rounds R] [--gap-us G] [--ocall-us O]
// [--no-verify-lane] [--no-peek | --ab-peek] (--gap-us / --ocall-us: busy main-thread µs before each ECALL / in
// each read or query answer, as in a chain; --no-peek records with a host that offers no peeked reads;
// --ab-peek records K transfers with peeks and K more without, then alternates rounds of the two sets)
import { recordExecutes, replaying, resultKey, type Recorded } from "./ecallRecording.js";
import { startNode } from "./setup.js";
import { runTxs } from "./run.js";
import { deploySnip20, signTransfers } from "./snip20.js";
import { arg, threadNs } from "./cli.js";

const K = arg("--txs", 1000);
const ROUNDS = arg("--rounds", 3);
/** Host work to mimic in the replay (µs of busy main thread): between ECALLs, and inside each OCALL answer. */
const GAP_US = arg("--gap-us", 0);
const OCALL_US = arg("--ocall-us", 0);

/** Keeps the main thread busy for `us` µs (the chain's own work between and inside ECALLs). */
const THRASH = new Uint32Array(Number(process.env.REPLAY_THRASH_KB ?? 0) * 256);
function busy(us: number): void {
  if (us <= 0) return;
  const end = performance.now() + us / 1000;
  let i = 0;
  while (performance.now() < end) {
    // spin (walking a buffer when REPLAY_THRASH_KB is set: the host's cache footprint)
    for (let k = 0; k < 256 && THRASH.length > 0; k++) THRASH[(i = (i + 16) % THRASH.length)]! += 1;
  }
}

/** Records K transfers' execute ECALLs through the chain (the host offering peeks or not). */
async function record(
  node: Awaited<ReturnType<typeof startNode>>,
  txs: Parameters<typeof runTxs>[1],
  peek: boolean,
): Promise<Recorded[]> {
  const calls = await recordExecutes(node, () => runTxs(node, txs, 500), peek);
  const perCall = calls.reduce((n, c) => n + c.answers.length, 0) / calls.length;
  // Every OCALL of a prefetch session reports the host's remaining gas once: a round-trip count.
  const trips = calls.reduce((n, c) => n + c.answers.filter((a) => a.kind === "remaining").length, 0);
  console.log(
    `recorded ${calls.length} execute ECALLs${peek ? "" : " (no peeks)"}, ${perCall.toFixed(2)} host ` +
      `store/query calls and ${(trips / calls.length).toFixed(2)} OCALL round trips each`,
  );
  return calls;
}

async function main(): Promise<void> {
  const node = await startNode(1000);
  try {
    const ab = process.argv.includes("--ab-peek");
    const s = await deploySnip20(node);
    const txs = await signTransfers(node, s, ab ? 2 * K : K);
    const sets = [await record(node, txs.slice(0, K), !process.argv.includes("--no-peek"))];
    if (ab) sets.push(await record(node, txs.slice(K), false));
    const ecall = node.enclave.ecall.bind(node.enclave);
    const round = (calls: readonly Recorded[]): void => {
      calls.forEach((c, n) => {
        busy(GAP_US);
        const { handler, used } = replaying(c.answers, () => {
          busy(OCALL_US);
        });
        const r = ecall("execute", c.payload, {
          ...(c.gasLimit === undefined ? {} : { gasLimit: c.gasLimit }),
          ocalls: handler,
        });
        if (resultKey(r) !== c.result || r.gasUsed !== c.gasUsed || used() !== c.answers.length) {
          throw new Error(`replay of call ${n} differs (result, gas or host calls)`);
        }
      });
    };
    // Warm-up; the worker's caches now hold the last transfer's state, as between blocks.
    for (const calls of sets) round(calls);
    const pid = String(process.pid);
    for (let k = 0; k < ROUNDS * sets.length; k++) {
      const calls = sets[k % sets.length]!;
      const t0 = threadNs();
      const w0 = performance.now();
      round(calls);
      const wall = performance.now() - w0;
      const deltas = [...threadNs()]
        .map(([tid, ns]) => [tid, (ns - (t0.get(tid) ?? ns)) / 1e6 / calls.length] as const)
        .sort((a, b) => b[1] - a[1]);
      const main = deltas.find(([tid]) => tid === pid)?.[1] ?? 0;
      const others = deltas.filter(([tid]) => tid !== pid);
      const rest = others.slice(1).reduce((a, [, v]) => a + v, 0);
      const label = ab ? (k % 2 === 0 ? " peek   " : " no peek") : "";
      console.log(
        `round ${Math.floor(k / sets.length) + 1}${label}: enclave worker ${others[0]?.[1].toFixed(3) ?? "?"} | main ${main.toFixed(3)} | other threads ${rest.toFixed(3)} | wall ${(wall / calls.length).toFixed(3)} ms per transfer`,
      );
    }
  } finally {
    await node.close();
  }
}

await main();
