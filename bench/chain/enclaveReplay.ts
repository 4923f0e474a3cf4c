// The enclave's side of a chain SNIP-20 transfer, alone: runs K transfers through the real chain once while
// recording every `execute` ECALL (payload, gas limit, result, gas) and the host's OCALL answers in order, then
// replays those ECALLs against the same worker with the recorded answers — checking every result and gas figure
// byte for byte — and reports the worker thread's CPU per transfer (`/proc/self/task/*/schedstat`, ns).
// Run: node --import tsx bench/chain/enclaveReplay.ts [--txs K] [--rounds R] [--gap-us G] [--ocall-us O]
// [--verify-lane] [--no-peek | --ab-peek] (--gap-us / --ocall-us: busy main-thread µs before each ECALL / in
// each read or query answer, as in a chain; --no-peek records with a host that offers no peeked reads;
// --ab-peek records K transfers with peeks and K more without, then alternates rounds of the two sets;
// --base-tree DIR: an A/B of two checkouts' enclave code in one process, see twoTrees below; --prepared: each
// replayed call carries the next one's prepareCall, as the chain sends them without a verify lane)
import { recordExecutes, replaying, resultKey, type Recorded } from "./ecallRecording.js";
import { startNode } from "./setup.js";
import { runTxs } from "./run.js";
import { deploySnip20, signTransfers } from "./snip20.js";
import { arg, threadNs } from "./cli.js";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ECALL, EnclaveHost, encodePrepareCall } from "../../src/enclave/api.js";

const K = arg("--txs", 1000);
const ROUNDS = arg("--rounds", 3);
/** Host work to mimic in the replay (µs of busy main thread): between ECALLs, and inside each OCALL answer. */
const GAP_US = arg("--gap-us", 0);
const OCALL_US = arg("--ocall-us", 0);
/** Each call carries the next one's prepareCall (frame 8, as the chain without a verify lane). */
const PREPARED = process.argv.includes("--prepared");

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
    const baseTree = argString("--base-tree");
    const trees = baseTree === undefined ? undefined : await twoTrees(node, baseTree);
    if (trees !== undefined) {
      sets.push(sets[0]!);
      closers.push(
        () => trees.new.stop(),
        () => trees.base.stop(),
      );
    }
    const hosts = trees === undefined ? [node.enclave] : [trees.new, trees.base];
    const perTree: { new: number[]; base: number[] } = { new: [], base: [] };
    let ecall = node.enclave.ecall.bind(node.enclave);
    const round = (calls: readonly Recorded[]): void => {
      calls.forEach((c, n) => {
        busy(GAP_US);
        const { handler, used } = replaying(c.answers, () => {
          busy(OCALL_US);
        });
        const next = PREPARED ? calls[n + 1] : undefined;
        const r = ecall("execute", c.payload, {
          ...(c.gasLimit === undefined ? {} : { gasLimit: c.gasLimit }),
          ocalls: handler,
          ...(next === undefined
            ? {}
            : { then: { id: ECALL.prepareCall, payload: encodePrepareCall("execute", next.payload) } }),
        });
        if (resultKey(r) !== c.result || r.gasUsed !== c.gasUsed || used() !== c.answers.length) {
          throw new Error(`replay of call ${n} differs (result, gas or host calls)`);
        }
      });
    };
    // Warm-up; the worker's caches now hold the last transfer's state, as between blocks.
    sets.forEach((calls, i) => {
      const h = hosts[i % hosts.length]!;
      ecall = h.ecall.bind(h);
      round(calls);
    });
    const pid = String(process.pid);
    for (let k = 0; k < ROUNDS * sets.length; k++) {
      // With two trees: new, base, base, new, … (ABBA: neither tree always runs first).
      const slot = trees === undefined || Math.floor(k / 2) % 2 === 0 ? k % sets.length : 1 - (k % 2);
      const calls = sets[slot]!;
      const h = hosts[slot % hosts.length]!;
      ecall = h.ecall.bind(h);
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
      const label = ab
        ? k % 2 === 0
          ? " peek   "
          : " no peek"
        : trees
          ? slot === 0
            ? " new "
            : " base"
          : "";
      if (trees !== undefined && k >= 2) perTree[slot === 0 ? "new" : "base"].push(others[0]?.[1] ?? 0);
      console.log(
        `round ${Math.floor(k / sets.length) + 1}${label}: enclave worker ${others[0]?.[1].toFixed(3) ?? "?"} | main ${main.toFixed(3)} | other threads ${rest.toFixed(3)} | wall ${(wall / calls.length).toFixed(3)} ms per transfer`,
      );
    }
    if (trees !== undefined) printTreeRatios(perTree.new, perTree.base);
  } finally {
    for (const c of closers) await c();
    await node.close();
  }
}

const closers: (() => Promise<void>)[] = [];

function argString(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

/** Per round pair (rounds 2.. of each tree, in the order run), new ÷ base worker CPU: median and count below 1. */
function printTreeRatios(news: readonly number[], bases: readonly number[]): void {
  const median = (xs: readonly number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length === 0 ? NaN : (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
  };
  const ratios = news.map((n, i) => n / bases[i]!).filter((r) => Number.isFinite(r));
  console.log(
    `new ÷ base worker CPU per transfer: median of ${ratios.length} round pairs ${median(ratios).toFixed(3)}, ` +
      `new lower in ${ratios.filter((r) => r < 1).length}; medians new ${median(news).toFixed(3)} base ` +
      `${median(bases).toFixed(3)} ms`,
  );
}

/**
 * `--base-tree DIR`: two fresh enclaves over the node's sealed state and platform secret — this checkout's
 * and DIR's (`DIR/src/enclave/api.ts`) — each with the SNIP-20 code loaded and no verify lane; the recording
 * is replayed on both in alternating rounds (new, base, base, new, …), every result, gas figure and host-call
 * count checked against the recording on both (so it also shows the two trees' calls are byte-identical).
 * Sealing binds to the enclave's measurement (the hash of its code), so DIR's enclave unseals this tree's
 * state only if it measures as this tree: in a throwaway base checkout, make `defaultBundleBaseDir()` in
 * `src/enclave/measurement.ts` return this tree's `src` (a local patch, never to be committed).
 */
async function twoTrees(
  node: Awaited<ReturnType<typeof startNode>>,
  dir: string,
): Promise<{ new: EnclaveHost; base: EnclaveHost }> {
  const api = (await import(pathToFileURL(join(resolve(dir), "src/enclave/api.ts")).href)) as {
    EnclaveHost: typeof EnclaveHost;
  };
  const opts = {
    dataDir: join(node.dir, "enclave"),
    platformSecretPath: join(node.dir, "enclave.secret"),
    ecallTimeoutMs: 120_000,
  };
  const wasm = readFileSync(new URL("../../contracts/build/snip20.wasm.gz", import.meta.url));
  const start = async (H: typeof EnclaveHost): Promise<EnclaveHost> => {
    const h = await H.start(opts);
    const r = h.ecall("loadCode", wasm);
    if (!("ok" in r)) throw new Error(`loadCode: ${r.error.message}`);
    return h;
  };
  const fresh = await start(EnclaveHost);
  try {
    return { new: fresh, base: await start(api.EnclaveHost) };
  } catch (e) {
    await fresh.stop();
    throw e;
  }
}

await main();
