// REST query bench: p50 / p99 latency and queries/s through the LCD at 1, 10 and 100 concurrent clients, each
// client a keep-alive connection sending secretjs-shaped GETs. The node runs in a child process so the load
// generator does not share its event loop.
// LABEL: these are BANK BALANCE queries (`GET /cosmos/bank/v1beta1/balances/{addr}/by_denom?denom=uscrt`, what
// secretjs' query.bank.balance sends). Encrypted compute smart queries are not wired into a node yet; when they
// are, only `requestPath` and the child's backend change (issue 5 targets: p50 ≤ 2 ms, p99 ≤ 10 ms, ≥ 2,000 q/s
// at 100 clients).
// Run: npm run bench:query   or   node --import tsx bench/query.ts [seconds-per-level (default 3)]
import { fork, type ChildProcess } from "node:child_process";
import { Agent, get } from "node:http";
import { fileURLToPath } from "node:url";
import { toBech32 } from "../src/chain/address.js";
import { startRestServer } from "../src/api/rest/server.js";
import { startTestNode } from "../src/api/rest/testdata/testChain.js";

const LEVELS = [1, 10, 100];
/** One connection cannot pace 0.5 ms sends with timers; the open loop starts at 10 clients. */
const OPEN_LEVELS = [10, 100];
const ACCOUNTS = 200;
const WARMUP_MS = 500;
/** The throughput target, used as the open-loop offered load. */
const OPEN_RATE = 2000;
const QUERY_KIND = "bank balance (plaintext; compute smart queries not wired yet)";

const address = (i: number): string => {
  const a = new Uint8Array(20);
  new DataView(a.buffer).setUint32(0, i + 1);
  return toBech32(a);
};

function requestPath(i: number): string {
  return `/cosmos/bank/v1beta1/balances/${address(i % ACCOUNTS)}/by_denom?denom=uscrt`;
}

/** Child: the node (auth/bank over the real store, DevEngine, LCD) on a free port. */
async function serve(): Promise<void> {
  const funded: Record<string, bigint> = {};
  for (let i = 0; i < ACCOUNTS; i++) funded[address(i)] = BigInt(1_000_000 + i);
  const node = await startTestNode({ funded });
  await node.engine.produceBlock();
  const rest = await startRestServer(node.backend, "127.0.0.1", 0);
  process.send?.({ port: rest.port });
  process.on("message", () => {
    void rest.close().then(() => node.close().then(() => process.exit(0)));
  });
}

function once(agent: Agent, port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    get({ host: "127.0.0.1", port, path, agent }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode} for ${path}`));
      res.resume();
      res.on("end", resolve);
    }).on("error", reject);
  });
}

async function client(agent: Agent, port: number, id: number, until: bigint, lat: number[]): Promise<void> {
  for (let i = id; process.hrtime.bigint() < until; i += 7) {
    const t0 = process.hrtime.bigint();
    await once(agent, port, requestPath(i));
    lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
}

const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/**
 * Open loop: `clients` connections share a fixed total `rate`; each request's latency counts from its scheduled
 * send time, so a stalled server cannot hide queueing (no coordinated omission).
 */
async function openClient(
  agent: Agent,
  port: number,
  id: number,
  start: bigint,
  intervalNs: bigint,
  count: number,
  lat: number[],
): Promise<void> {
  for (let k = 0; k < count; k++) {
    const due = start + BigInt(k) * intervalNs;
    const wait = Number(due - process.hrtime.bigint()) / 1e6;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await once(agent, port, requestPath(id + k * 7));
    lat.push(Number(process.hrtime.bigint() - due) / 1e6);
  }
}

async function openLevel(port: number, clients: number, rate: number, seconds: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const intervalNs = BigInt(Math.round((1e9 * clients) / rate));
  const count = Math.max(1, Math.round((rate * seconds) / clients));
  const lat: number[] = [];
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, (_, id) =>
      openClient(agent, port, id, t0 + (intervalNs * BigInt(id)) / BigInt(clients), intervalNs, count, lat),
    ),
  );
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  lat.sort((a, b) => a - b);
  return { clients, requests: lat.length, qps: lat.length / elapsed, p50: pct(lat, 50), p99: pct(lat, 99) };
}

function row(r: { clients: number; requests: number; qps: number; p50: number; p99: number }): string {
  return (
    `${String(r.clients).padStart(7)}  ${String(r.requests).padStart(8)}  ${r.qps.toFixed(0).padStart(7)}` +
    `  ${r.p50.toFixed(3).padStart(7)}  ${r.p99.toFixed(3).padStart(7)}`
  );
}

async function level(port: number, clients: number, seconds: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const run = async (ms: number, lat: number[]) => {
    const until = process.hrtime.bigint() + BigInt(ms) * 1_000_000n;
    await Promise.all(Array.from({ length: clients }, (_, id) => client(agent, port, id, until, lat)));
  };
  await run(WARMUP_MS, []);
  const lat: number[] = [];
  const t0 = process.hrtime.bigint();
  await run(seconds * 1000, lat);
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  lat.sort((a, b) => a - b);
  return { clients, requests: lat.length, qps: lat.length / elapsed, p50: pct(lat, 50), p99: pct(lat, 99) };
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? "3");
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ["--serve"]);
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (m) => {
      resolve((m as { port: number }).port);
    });
    child.once("exit", (code) => {
      reject(new Error(`node process exited (${code})`));
    });
  });
  console.log(`query bench: ${QUERY_KIND}; ${seconds} s per level after ${WARMUP_MS} ms warm-up`);
  console.log("closed loop (each client sends its next query when the last one answered): max throughput");
  console.log("clients  requests      q/s   p50 ms   p99 ms");
  for (const c of LEVELS) console.log(row(await level(port, c, seconds)));
  console.log(`open loop at ${OPEN_RATE} q/s in total (latency from the scheduled send time)`);
  console.log("clients  requests      q/s   p50 ms   p99 ms");
  for (const c of OPEN_LEVELS) console.log(row(await openLevel(port, c, OPEN_RATE, seconds)));
  child.send("stop");
}

if (process.argv[2] === "--serve") await serve();
else await main();
