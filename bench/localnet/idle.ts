// An idle 4-validator localnet's block interval and CPU per second, for CometBFT config A/Bs that change latency
// (timeouts, p2p flush): with no txs, a height is timeout_commit + proposal + two vote rounds over gossip, which
// under load is the time the cores wait between blocks. Run: node --import tsx bench/localnet/idle.ts
// [--validators 4] [--seconds 20] [--comet section.key=value …] (same overrides as bench:localnet).
import { Localnet } from "../../test/network/harness.js";
import { cometOverrides, cometPids, configureNodes, startNodes } from "./comet.js";
import { abciCpuMs, cpuDelta, descendantCpuMs, machineCpuMs, pidsCpuMs } from "./procCpu.js";

const argNum = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i < 0 ? dflt : Number(process.argv[i + 1]);
};
const V = argNum("--validators", 4);
const SECONDS = argNum("--seconds", 20);
const COMET = cometOverrides(process.argv);
const argStr = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};
// --mempool app (the default since session 18, as `shroud localnet` and bench:localnet): the localnet runs CometBFT's
// nop mempool and the nodes' own; --mempool comet: CometBFT's flood mempool.
const MEMPOOL_ARG = argStr("--mempool") ?? "app";
if (MEMPOOL_ARG !== "comet" && MEMPOOL_ARG !== "app") throw new Error("--mempool expects comet or app");
const MEMPOOL: "comet" | "app" = MEMPOOL_ARG;
// --from-source: the nodes run the TypeScript through tsx instead of a compiled copy (as bench:localnet).
const FROM_SOURCE = process.argv.includes("--from-source");
// --node-flags "<node options>" --node-flags-nodes i,j: those nodes' `node` gets these options too (as bench:localnet).
const NODE_FLAGS = argStr("--node-flags");
const NODE_FLAGS_NODES = (argStr("--node-flags-nodes") ?? "")
  .split(",")
  .filter((x) => x !== "")
  .map(Number);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Node 0's committed heights' times (ms, this clock) over the window, by polling /status every 10 ms. */
async function heightTimes(net: Localnet, ms: number): Promise<{ heights: number; gaps: number[] }> {
  const seen: number[] = [];
  let last = await net.height(0);
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const h = await net.height(0);
    if (h > last) {
      seen.push(performance.now());
      last = h;
    }
    await sleep(10);
  }
  return { heights: seen.length, gaps: seen.slice(1).map((t, i) => t - seen[i]!) };
}

async function main(): Promise<void> {
  const net = await Localnet.create(V, 0, { compiled: !FROM_SOURCE, mempool: MEMPOOL });
  try {
    configureNodes(net, COMET, false);
    startNodes(
      net,
      undefined,
      [],
      undefined,
      NODE_FLAGS === undefined ? undefined : { args: NODE_FLAGS.split(" "), nodes: NODE_FLAGS_NODES },
    );
    if (!(await net.waitHeight([...Array(V).keys()], 3, 120_000))) throw new Error("localnet did not start");
    await sleep(5_000); // past start-up (V8 compiles, first blocks)
    const pids = cometPids(net);
    const abci0 = await abciCpuMs(); // turns the nodes' ABCI meters on (src/consensus/abciCpu.ts)
    const [cpu0, comet0, m0] = [descendantCpuMs(), pidsCpuMs(pids), machineCpuMs()];
    const t0 = performance.now();
    const { heights, gaps } = await heightTimes(net, SECONDS * 1000);
    const s = (performance.now() - t0) / 1000;
    const [cpu1, comet1, m1] = [descendantCpuMs(), pidsCpuMs(pids), machineCpuMs()];
    const abci = cpuDelta(abci0, await abciCpuMs());
    const comet = comet1.reduce((a, v, i) => a + v - (comet0[i] ?? 0), 0);
    const all = [...cpu1].reduce((a, [k, v]) => a + v - (cpu0.get(k) ?? 0), 0);
    const sorted = [...gaps].sort((a, b) => a - b);
    const q = (x: number): number => sorted[Math.min(sorted.length - 1, Math.floor(x * sorted.length))] ?? 0;
    console.log(
      `overrides: ${JSON.stringify(COMET)}; mempool ${MEMPOOL}; nodes run ${FROM_SOURCE ? "the sources (tsx)" : "a compiled copy (tsc)"}`,
    );
    console.log(
      `idle ${V}-validator localnet over ${s.toFixed(1)} s: ${heights} blocks (${(heights / s).toFixed(2)}/s), ` +
        `interval p50 ${q(0.5).toFixed(0)} ms, p90 ${q(0.9).toFixed(0)} ms; CPU ms/s: CometBFT ${(comet / s).toFixed(1)}, ` +
        `nodes ${((all - comet) / s).toFixed(1)} (all ${V}); machine other work ${((m1.busy - m0.busy - all) / s / 1000).toFixed(2)} cores`,
    );
    // Node CPU per block by ABCI method, all nodes together: what an extra block costs the apps.
    const tot = abci.get("process total") ?? 0;
    const slots = [...abci].filter(([k]) => k !== "process total" && !k.startsWith("calls:"));
    const outside = tot - slots.reduce((a, [, v]) => a + v, 0);
    const per = (v: number): string => (v / Math.max(1, heights)).toFixed(2);
    console.log(
      `node CPU ms per block (all ${V} nodes): ` +
        [...slots, ["other (outside ABCI)", outside] as const]
          .filter(([, v]) => v / Math.max(1, heights) >= 0.05)
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ${per(v)}`)
          .join(", ") +
        `; total ${per(tot)}`,
    );
  } finally {
    await net.close();
  }
}

await main();
