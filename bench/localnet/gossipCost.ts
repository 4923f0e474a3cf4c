// What the tx gossip (src/consensus/txGossip.ts) costs a node per tx: 4 node processes on loopback in a full
// mesh, node 0 streams 430-byte txs at a fixed rate (each tx its own send(), as client txs arrive one by one),
// every process reports its CPU (process.cpuUsage: main thread + GC, run with --single-threaded-gc as the nodes
// are) over the stream, per tx streamed. Modes, alternated in one sitting:
//   dry    node 0 runs the same pacing loop but sends nothing (the loop's own cost, subtracted from node 0)
//   plain  node 0 sends to its 3 peers; they only receive (transport cost: send ×3 / receive ×1)
//   relay  as the app mempool does (M1): a node re-sends each tx it sees first to every peer but its sender, a
//          set of seen tx numbers stops loops (a full mesh: each node receives every tx 3 times)
// `--origins 4`: every node streams a quarter of the txs (as a localnet whose clients spread over the nodes).
// Run: node --import tsx bench/localnet/gossipCost.ts [--rate 2000] [--txs 10000] [--rounds 2] [--origins 1]
//      [--modes dry,plain,relay]   (under `flock -w 1200 /tmp/bench.lock`); a mode `plain@2` / `relay@2` runs
//      the gossips with flushDelayMs 2 (default 0: one write per peer per event-loop turn).
import { fork, type ChildProcess } from "node:child_process";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { startTxGossip } from "../../src/consensus/txGossip.js";

const argOf = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(name);
  return i < 0 ? dflt : process.argv[i + 1]!;
};
const N_NODES = 4;
const TX_BYTES = 430;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Mode = "dry" | "plain" | "relay";
interface ChildResult {
  readonly index: number;
  readonly cpuUs: number;
  readonly wallMs: number;
  readonly received: number;
  readonly batches: number;
  readonly sent: number;
  readonly distinct: number;
}
type FromChild =
  { t: "ready" } | { t: "progress"; distinct: number; done: boolean } | ({ t: "result" } & ChildResult);

// ---- child: one node ---------------------------------------------------------------------------------------
async function child(): Promise<void> {
  const index = Number(argOf("--child", "0"));
  const ports = argOf("--ports", "").split(",").map(Number);
  const mode = argOf("--mode", "plain") as Mode;
  const rate = Number(argOf("--rate", "2000"));
  const total = Number(argOf("--txs", "10000"));
  const flushDelayMs = Number(argOf("--flush-delay", "0"));
  /** Nodes 0..origins-1 stream: node i the txs k ≡ i (mod origins), at rate/origins each. */
  const origins = Number(argOf("--origins", "1"));
  const post = (m: FromChild): void => {
    process.send!(m);
  };
  const seen = new Uint8Array(total);
  let distinct = 0;
  let batches = 0;
  const fresh: Uint8Array[] = [];
  const g = await startTxGossip({
    id: `n${index}`,
    chainId: "gossip-bench",
    port: ports[index]!,
    peers: ports.flatMap((port, j) => (j === index ? [] : [{ id: `n${j}`, host: "127.0.0.1", port }])),
    maxTxBytes: 1 << 20,
    flushDelayMs,
    onTxs: (txs, from) => {
      batches++;
      fresh.length = 0;
      for (const tx of txs) {
        const k = (tx[0]! << 24) | (tx[1]! << 16) | (tx[2]! << 8) | tx[3]!;
        if (k >= total || seen[k] !== 0) continue;
        seen[k] = 1;
        distinct++;
        if (mode === "relay") fresh.push(tx);
      }
      if (fresh.length > 0) g.send(fresh, from);
    },
  });
  while (g.stats().peersOut < N_NODES - 1 || g.stats().peersIn < N_NODES - 1) await sleep(10);
  // The txs exist before the window (a node gets them from clients; their making is not gossip's cost).
  const txs: Uint8Array[] = [];
  if (index < origins) {
    for (let k = index; k < total; k += origins) {
      const tx = new Uint8Array(TX_BYTES);
      for (let i = 4; i < TX_BYTES; i++) tx[i] = (k + i) & 0xff;
      tx[0] = k >>> 24;
      tx[1] = (k >>> 16) & 0xff;
      tx[2] = (k >>> 8) & 0xff;
      tx[3] = k & 0xff;
      txs.push(tx);
      seen[k] = 1; // its own: relays coming back are duplicates
      distinct++;
    }
  }
  post({ t: "ready" });
  let cpu0 = process.cpuUsage();
  let t0 = performance.now();
  let streamed = false;
  const progress = setInterval(() => {
    post({ t: "progress", distinct, done: streamed });
  }, 50);
  process.on("message", (m: { t: string }) => {
    if (m.t === "start") {
      cpu0 = process.cpuUsage();
      t0 = performance.now();
      if (index >= origins) {
        streamed = true;
        return;
      }
      // Pacing: every ~1 ms timer turn, send what is due by now, one send() per tx.
      let next = 0;
      const tick = (): void => {
        const due = Math.min(txs.length, Math.floor(((performance.now() - t0) * rate) / origins / 1000) + 1);
        for (; next < due; next++) if (mode !== "dry") g.send([txs[next]!]);
        if (next < txs.length) setTimeout(tick, 1);
        else streamed = true;
      };
      tick();
    } else if (m.t === "stop") {
      const c = process.cpuUsage(cpu0);
      const s = g.stats();
      clearInterval(progress);
      post({
        t: "result",
        index,
        cpuUs: c.user + c.system,
        wallMs: performance.now() - t0,
        received: s.receivedTxs,
        batches,
        sent: s.sentTxs,
        distinct,
      });
      void g.close().then(() => {
        process.disconnect();
      });
    }
  });
}

// ---- parent: one run per mode, alternated --------------------------------------------------------------------
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, async () => {
      const s = net.createServer();
      await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
      return s;
    }),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** `variant`: a mode, optionally `@D` for the gossip's flushDelayMs (e.g. `relay@2`). */
async function run(variant: string, rate: number, total: number, origins: number): Promise<ChildResult[]> {
  const [mode, delay] = variant.split("@") as [Mode, string | undefined];
  const ports = await freePorts(N_NODES);
  const self = fileURLToPath(import.meta.url);
  const kids: ChildProcess[] = [];
  const ready = new Set<number>();
  const distinct = new Array<number>(N_NODES).fill(0);
  const done = new Set<number>();
  const results: ChildResult[] = [];
  for (let i = 0; i < N_NODES; i++) {
    const k = fork(
      self,
      [
        "--child",
        String(i),
        "--ports",
        ports.join(","),
        "--mode",
        mode,
        "--flush-delay",
        delay ?? "0",
        "--rate",
        String(rate),
        "--txs",
        String(total),
        "--origins",
        String(origins),
      ],
      { execArgv: ["--single-threaded-gc", "--import", "tsx"] },
    );
    k.on("message", (m: FromChild) => {
      if (m.t === "ready") ready.add(i);
      else if (m.t === "progress") {
        distinct[i] = m.distinct;
        if (m.done) done.add(i);
      } else results.push(m);
    });
    kids.push(k);
  }
  try {
    const deadline = performance.now() + 60_000;
    while (ready.size < N_NODES) {
      if (performance.now() > deadline) throw new Error("the nodes did not connect");
      await sleep(20);
    }
    await sleep(500);
    for (const k of kids) k.send({ t: "start" });
    const expect = mode === "dry" ? 0 : total; // a node's distinct txs count its own

    const until = performance.now() + (total / rate) * 1000 * 3 + 30_000;
    while (done.size < N_NODES || distinct.some((d) => d < expect)) {
      if (performance.now() > until) throw new Error(`stream incomplete: ${distinct.join(",")}`);
      await sleep(20);
    }
    await sleep(300); // relays and duplicates still in flight
    for (const k of kids) k.send({ t: "stop" });
    const stopBy = performance.now() + 10_000;
    while (results.length < N_NODES && performance.now() < stopBy) await sleep(20);
    return results.sort((a, b) => a.index - b.index);
  } finally {
    await sleep(200);
    for (const k of kids) if (k.exitCode === null) k.kill();
  }
}

async function main(): Promise<void> {
  const rate = Number(argOf("--rate", "2000"));
  const total = Number(argOf("--txs", "10000"));
  const rounds = Number(argOf("--rounds", "2"));
  const origins = Number(argOf("--origins", "1"));
  const modes = argOf("--modes", "dry,plain,relay").split(",");
  console.log(
    `gossipCost: 4 nodes, ${total} txs of ${TX_BYTES} B at ${rate}/s in all from ${origins === 1 ? "node 0" : `nodes 0..${origins - 1}`}, modes ${modes.join(",")}`,
  );
  for (let r = 0; r < rounds; r++) {
    for (const mode of r % 2 === 0 ? modes : [...modes].reverse()) {
      const res = await run(mode, rate, total, origins);
      const perTx = res.map((x) => (x.cpuUs / total).toFixed(1));
      const perBatch = res.map((x) => (x.batches === 0 ? "-" : (x.received / x.batches).toFixed(1)));
      console.log(
        `round ${r + 1} ${mode.padEnd(8)}: CPU µs per streamed tx, nodes 0..3: ${perTx.join(" / ")} | wall ` +
          `${(res[0]!.wallMs / 1000).toFixed(1)} s, sent ${res.map((x) => x.sent).join("/")}, txs per received ` +
          `batch ${perBatch.join(" / ")}`,
      );
    }
  }
}

if (process.argv.includes("--child")) await child();
else await main();
