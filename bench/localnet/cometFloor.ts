// CometBFT's own floor on this machine (issue 6): the localnet's CometBFT topology and config (floorNet.ts) with
// an app that does nothing, loaded like bench:localnet (broadcast_tx_sync, unique txs of a signed encrypted
// counter increment's size). Phases on one network, in one sitting: `0` = closed loop (S senders, each waits for
// its CheckTx answer: the max committed tx/s), `R` > 0 = open loop at exactly R tx/s offered (CPU at that rate).
// Run: node --import tsx bench/localnet/cometFloor.ts [--validators 4] [--app noop|socket|grpc] [--rates 0,400]
// [--senders 48] [--tx-bytes 432] [--warm 5] [--seconds 20] [--pprof DIR (node 1's CometBFT, each measured window)]
import { writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { availableParallelism } from "node:os";
import { FloorNet, type FloorApp } from "./floorNet.js";
import { machineCpuMs, pidsCpuMs } from "./procCpu.js";
import { writeWindow } from "./profWindow.js";

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(name);
  return i < 0 ? dflt : (process.argv[i + 1] ?? dflt);
};
const V = Number(arg("--validators", "4"));
const APP = arg("--app", "noop") as FloorApp;
const RATES = arg("--rates", "0,400").split(",").map(Number);
const SENDERS = Number(arg("--senders", "48"));
// A counter `increment` signed by secretjs (prepareAndSign, MsgExecuteContract, encrypted msg) is 430–433 bytes.
const TX_BYTES = Number(arg("--tx-bytes", "432"));
const WARM_S = Number(arg("--warm", "5"));
const SECONDS = Number(arg("--seconds", "20"));
const PPROF_DIR = process.argv.includes("--pprof") ? arg("--pprof", "") : undefined;
// --app-prof DIR: the apps run with --cpu-prof (DIR/node<i>), and DIR/window.json holds the last measured window
// (process.hrtime), for profWindow.ts.
const APP_PROF_DIR = process.argv.includes("--app-prof") ? arg("--app-prof", "") : undefined;
// --app-flags "…": more node options for every app process (e.g. --perf-basic-prof for perf record).
// --unix: the apps listen on a unix socket (<home>/abci.sock) and CometBFT dials it (unix://), instead of TCP.
const UNIX = process.argv.includes("--unix");
const APP_FLAGS = arg("--app-flags", "")
  .split(" ")
  .filter((x) => x !== "");
const MAX_IN_FLIGHT = 4000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const f = (x: number, d = 0): string => x.toFixed(d);

/** Unique txs: a fixed pseudo-random body (xorshift32, seed 42) with a 6-byte counter in front. */
class TxSource {
  private readonly body = new Uint8Array(TX_BYTES);
  private n = 0;
  constructor() {
    let x = 42;
    for (let i = 0; i < TX_BYTES; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.body[i] = x & 0xff;
    }
  }
  next(): string {
    let c = ++this.n;
    for (let i = 0; i < 6; i++, c = Math.floor(c / 256)) this.body[i] = c % 256;
    return Buffer.from(this.body).toString("base64");
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** broadcast_tx_sync on node i; resolves with the round trip (ms) and whether CheckTx accepted the tx. */
function broadcast(net: FloorNet, i: number, b64: string): Promise<{ ok: boolean; ms: number }> {
  const t = performance.now();
  const body = `{"jsonrpc":"2.0","id":1,"method":"broadcast_tx_sync","params":{"tx":"${b64}"}}`;
  return new Promise((resolve) => {
    const req = request(
      { host: "127.0.0.1", port: net.nodes[i]!.rpc, method: "POST", path: "/", agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const ok = Buffer.concat(chunks).includes('"code":0');
          resolve({ ok, ms: performance.now() - t });
        });
      },
    );
    req.setHeader("content-type", "application/json");
    req.on("error", () => {
      resolve({ ok: false, ms: performance.now() - t });
    });
    req.end(body);
  });
}

interface Block {
  readonly height: number;
  readonly txs: number;
  readonly atMs: number;
}

/** Node 0's new blocks (height, tx count, time first seen) from /blockchain metas, polled every 20 ms. */
function trackBlocks(net: FloorNet, from: number): { blocks: Block[]; stop: () => void } {
  const blocks: Block[] = [];
  let next = from;
  const state = { run: true };
  void (async () => {
    while (state.run) {
      try {
        const r = await fetch(
          `http://127.0.0.1:${net.nodes[0]!.rpc}/blockchain?minHeight=${next}&maxHeight=${next + 50}`,
        );
        const j = (await r.json()) as {
          result?: { block_metas: { header: { height: string }; num_txs: string }[] };
        };
        const metas = [...(j.result?.block_metas ?? [])].reverse();
        const now = performance.now();
        for (const m of metas) {
          if (Number(m.header.height) !== next) break;
          blocks.push({ height: next++, txs: Number(m.num_txs), atMs: now });
        }
      } catch {
        // not there yet or a busy node: next poll
      }
      await sleep(20);
    }
  })();
  return {
    blocks,
    stop: () => {
      state.run = false;
    },
  };
}

interface Load {
  sent: number;
  rejected: number;
  trips: number[];
  stop: boolean;
}

/** Closed loop: S senders (sender k → node k mod V), each sends its next tx when the last one is answered. */
async function closedLoop(net: FloorNet, src: TxSource, load: Load): Promise<void> {
  await Promise.all(
    Array.from({ length: SENDERS }, async (_, k) => {
      while (!load.stop) {
        load.sent++;
        const r = await broadcast(net, k % V, src.next());
        load.trips.push(r.ms);
        if (!r.ok) {
          load.rejected++;
          await sleep(20); // mempool full or a busy RPC: back off a little
        }
      }
    }),
  );
}

/** Open loop: exactly `rate` tx/s offered on a 5 ms tick (round-robin over nodes), not waiting for answers. */
async function openLoop(net: FloorNet, src: TxSource, load: Load, rate: number): Promise<void> {
  const t0 = performance.now();
  let inFlight = 0;
  while (!load.stop) {
    const due = Math.floor(((performance.now() - t0) * rate) / 1000) - load.sent;
    for (let i = 0; i < due && inFlight < MAX_IN_FLIGHT; i++) {
      const node = load.sent++ % V;
      inFlight++;
      void broadcast(net, node, src.next()).then((r) => {
        inFlight--;
        load.trips.push(r.ms);
        if (!r.ok) load.rejected++;
      });
    }
    await sleep(5);
  }
}

interface Snapshot {
  readonly t: number;
  readonly comet: number;
  readonly apps: number;
  readonly bench: number;
  readonly machine: { busy: number; idle: number };
  readonly sent: number;
}

function snapshot(net: FloorNet, load: Load): Snapshot {
  const u = process.cpuUsage();
  return {
    t: performance.now(),
    comet: pidsCpuMs(net.nodes.map((n) => n.cometPid)).reduce((a, b) => a + b, 0),
    apps: pidsCpuMs(net.nodes.map((n) => n.appPid).filter((p) => p > 0)).reduce((a, b) => a + b, 0),
    bench: (u.user + u.system) / 1000,
    machine: machineCpuMs(),
    sent: load.sent,
  };
}

const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/** One phase: warm-up, then the measured window; prints one result line. */
async function phase(net: FloorNet, src: TxSource, blocks: Block[], rate: number): Promise<void> {
  const load: Load = { sent: 0, rejected: 0, trips: [], stop: false };
  const running = rate > 0 ? openLoop(net, src, load, rate) : closedLoop(net, src, load);
  await sleep(WARM_S * 1000);
  const a = snapshot(net, load);
  const fromNs = process.hrtime.bigint();
  const trips0 = load.trips.length;
  const rejected0 = load.rejected;
  const prof = PPROF_DIR === undefined ? undefined : profile(net, rate);
  await sleep(SECONDS * 1000);
  const b = snapshot(net, load);
  if (APP_PROF_DIR !== undefined) writeWindow(APP_PROF_DIR, fromNs, process.hrtime.bigint());
  load.stop = true;
  const s = (b.t - a.t) / 1000;
  const inWin = blocks.filter((x) => x.atMs > a.t && x.atMs <= b.t);
  const committed = inWin.reduce((n, x) => n + x.txs, 0);
  const comet = b.comet - a.comet;
  const apps = b.apps - a.apps;
  const bench = b.bench - a.bench;
  const busy = b.machine.busy - a.machine.busy;
  const trips = load.trips.slice(trips0).sort((x, y) => x - y);
  const cores = (ms: number): string => f(ms / s / 1000, 2);
  console.log(
    `${rate > 0 ? `open ${rate}/s` : `closed ×${SENDERS}`}: offered ${f((b.sent - a.sent) / s)}/s, ` +
      `committed ${f(committed / s)} tx/s (${inWin.length} blocks, ${f(committed / Math.max(1, inWin.length))} ` +
      `txs each), rejected ${load.rejected - rejected0}; CometBFT ${f(comet / Math.max(1, committed), 3)} ms ` +
      `per committed tx (all ${V}), ${cores(comet)} cores` +
      (APP !== "noop"
        ? `; ${APP} apps ${cores(apps)} cores, ${f(apps / Math.max(1, committed), 3)} ms/tx`
        : "") +
      `; bench ${cores(bench)}, other work ${cores(busy - comet - apps - bench)}, ` +
      `idle ${cores(b.machine.idle - a.machine.idle)} of ${availableParallelism()}; ` +
      `broadcast p50 ${f(quantile(trips, 0.5), 1)} / p99 ${f(quantile(trips, 0.99), 1)} ms`,
  );
  await running;
  await prof;
}

/** A Go CPU profile of node 1's CometBFT (node 0 when alone) over the measured window, to PPROF_DIR. */
async function profile(net: FloorNet, rate: number): Promise<void> {
  const node = net.nodes[Math.min(1, V - 1)]!;
  const url = `http://127.0.0.1:${node.pprof}/debug/pprof/profile?seconds=${SECONDS}`;
  const r = await fetch(url, { signal: AbortSignal.timeout((SECONDS + 30) * 1000) });
  const path = join(PPROF_DIR!, `cometbft-${APP}-${V}v-${rate > 0 ? `open${rate}` : "closed"}.pprof`);
  writeFileSync(path, new Uint8Array(await r.arrayBuffer()));
}

async function main(): Promise<void> {
  const net = await FloorNet.create(V);
  try {
    if (PPROF_DIR !== undefined) net.enablePprof();
    await net.start(APP, APP_PROF_DIR, APP_FLAGS, UNIX);
    if (!(await net.waitHeight(2, 120_000))) throw new Error("the CometBFT nodes did not reach height 2");
    await sleep(2_000); // past start-up
    console.log(
      `CometBFT floor: ${V} validator(s), app ${APP}${UNIX ? " (unix socket)" : ""}, txs of ${TX_BYTES} bytes, warm-up ${WARM_S} s + ` +
        `${SECONDS} s per phase, rates ${RATES.join(",")} (0 = closed loop)`,
    );
    const tracker = trackBlocks(net, (await net.height(0)) + 1);
    const src = new TxSource();
    for (const rate of RATES) {
      await phase(net, src, tracker.blocks, rate);
      await sleep(3_000); // the mempool drains between phases
    }
    tracker.stop();
  } finally {
    await net.close();
    agent.destroy();
  }
}

await main();
