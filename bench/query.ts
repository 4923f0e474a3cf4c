// REST query bench (issue 5): encrypted SNIP-20 / counter smart queries through the LCD exactly as secretjs sends
// them (`GET /compute/v1beta1/query/{addr}?query=<base64 of nonce ‖ pubkey ‖ AES-SIV ciphertext>`, encrypted with
// secretjs' own EncryptionUtilsImpl keyed to the node's IO key; answers decrypted by it), then bank balance
// queries, at 1, 10 and 100 concurrent keep-alive clients: p50 / p99 latency and queries/s. The node is a real
// `shroud dev` (enclave worker, compute, REST) in a child process so the load generator has its own event loop.
// Run: npm run bench:query   or   node --import tsx bench/query.ts [seconds-per-level (default 3)]
//      BENCH_PROF=1 … writes V8 CPU profiles of the node process (main thread + enclave worker) to
//      $TMPDIR/shroud-bench-query-prof/ (open in Chrome DevTools).
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  EncryptionUtilsImpl,
  fromBase64,
  fromUtf8,
  SecretNetworkClient,
  toBase64,
  TxResultCode,
  Wallet,
} from "secretjs";
import { startDev } from "../src/cli/dev.js";
import { DEV_MNEMONICS } from "../src/cli/devGenesis.js";
import { DEV_SERVICES } from "../src/cli/services.js";

const LEVELS = [1, 10, 100];
const WARMUP_MS = 500;
/** Open loop: offered rates (the 2,000 q/s and one the node sustains) shared by 100 clients. */
const OPEN_RATES = [500, 2000];
const OPEN_CLIENTS = 100;
/** Distinct encrypted queries per contract (each with its own nonce, as secretjs makes them). */
const POOL = 400;
/** Answers decrypted and checked per level, after timing (secretjs' pure-JS x25519 would load the generator). */
const CHECK_PER_LEVEL = 200;
const TARGETS = "targets at 100 clients: p50 ≤ 2 ms, p99 ≤ 10 ms, ≥ 2,000 q/s";
const CHAIN_ID = "secretdev-1";
const GAS = { gasLimit: 5_000_000, broadcastCheckIntervalMs: 100 };
const VIEWING_KEY = "bench-key";

/**
 * CPU (µs) of the process's main thread (REST, app, OCALL answers) from /proc (clock ticks, 10 ms resolution):
 * the rest of the process's CPU is the enclave workers'.
 */
function mainThreadCpuUs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return 0;
  }
}

/** Child: a fresh `shroud dev` with only its REST service, on a free port. */
async function serve(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), "shroud-bench-query-"));
  let url = "";
  const rest = DEV_SERVICES.filter((s) => s.name === "REST");
  const node = await startDev({
    home: join(home, "dev"),
    reset: true,
    blockTimeMs: 50,
    host: "127.0.0.1",
    rpcPort: 0,
    restPort: 0,
    faucetPort: 0,
    services: rest,
    queryWorkers: Number(process.env.SHROUD_BENCH_QUERY_WORKERS ?? "2"),
    log: (l) => {
      url = /REST \(LCD\) on (http:\/\/\S+)/.exec(l)?.[1] ?? url;
    },
  });
  process.send?.({ url });
  process.on("message", (m) => {
    if (m === "cpu") {
      // The whole process: the REST/app main thread and the enclave worker thread.
      const u = process.cpuUsage();
      process.send?.({ cpuUs: u.user + u.system, mainUs: mainThreadCpuUs() });
      return;
    }
    void node.stop().then(() => {
      rmSync(home, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

interface Target {
  readonly address: string;
  readonly codeHash: string;
}

const wasm = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../contracts/build/${name}`, import.meta.url)));

function attr(tx: { arrayLog?: { type: string; key: string; value: string }[] }, key: string): string {
  const v = tx.arrayLog?.find((l) => l.type === "message" && l.key === key)?.value;
  if (v === undefined) throw new Error(`tx has no message.${key}`);
  return v;
}

async function deploy(
  client: SecretNetworkClient,
  sender: string,
  file: string,
  init: object,
): Promise<Target> {
  const store = await client.tx.compute.storeCode(
    { sender, wasm_byte_code: wasm(file), source: "", builder: "" },
    GAS,
  );
  if (store.code !== TxResultCode.Success) throw new Error(`store ${file}: ${store.rawLog}`);
  const codeId = attr(store, "code_id");
  const { code_hash } = await client.query.compute.codeHashByCodeId({ code_id: codeId });
  const inst = await client.tx.compute.instantiateContract(
    { sender, code_id: codeId, code_hash: code_hash ?? "", label: `bench-${file}`, init_msg: init },
    GAS,
  );
  if (inst.code !== TxResultCode.Success) throw new Error(`instantiate ${file}: ${inst.rawLog}`);
  return { address: attr(inst, "contract_address"), codeHash: code_hash ?? "" };
}

/** Counter and SNIP-20 contracts, and a viewing key so the SNIP-20 balance query is the authenticated one. */
async function setUp(url: string): Promise<{ counter: Target; snip20: Target; owner: string }> {
  const wallet = new Wallet(DEV_MNEMONICS.a);
  const client = new SecretNetworkClient({ url, chainId: CHAIN_ID, wallet, walletAddress: wallet.address });
  const owner = wallet.address;
  const counter = await deploy(client, owner, "counter.wasm.gz", { count: 7 });
  const snip20 = await deploy(client, owner, "snip20.wasm.gz", {
    name: "Bench Token",
    symbol: "BNCH",
    decimals: 6,
    initial_balances: [{ address: owner, amount: "123456" }],
    prng_seed: toBase64(new TextEncoder().encode("bench")),
  });
  const vk = await client.tx.snip20.setViewingKey(
    {
      sender: owner,
      contract_address: snip20.address,
      code_hash: snip20.codeHash,
      msg: { set_viewing_key: { key: VIEWING_KEY } },
    },
    GAS,
  );
  if (vk.code !== TxResultCode.Success) throw new Error(`set_viewing_key: ${vk.rawLog}`);
  return { counter, snip20, owner };
}

/** One prepared request: its path and what decrypting the answer must give. */
interface Prepared {
  readonly path: string;
  readonly nonce: Uint8Array;
  readonly expect: (answer: unknown) => boolean;
}

async function smartPool(url: string): Promise<{ pool: Prepared[]; enc: EncryptionUtilsImpl }> {
  const { counter, snip20, owner } = await setUp(url);
  const enc = new EncryptionUtilsImpl(url);
  const out: Prepared[] = [];
  for (let i = 0; i < POOL; i++) {
    for (const [t, query, expect] of [
      [counter, { get_count: {} }, (a: unknown) => (a as { count?: number }).count === 7],
      [
        snip20,
        { balance: { address: owner, key: VIEWING_KEY } },
        (a: unknown) => (a as { balance?: { amount?: string } }).balance?.amount === "123456",
      ],
    ] as const) {
      const ct = await enc.encrypt(t.codeHash, query);
      const qs = new URLSearchParams({ query: toBase64(ct) }).toString();
      out.push({ path: `/compute/v1beta1/query/${t.address}?${qs}`, nonce: ct.slice(0, 32), expect });
    }
  }
  return { pool: out, enc };
}

function bankPool(): Prepared[] {
  return Object.values(DEV_MNEMONICS).map((m) => ({
    path: `/cosmos/bank/v1beta1/balances/${new Wallet(m).address}/by_denom?denom=uscrt`,
    nonce: new Uint8Array(),
    expect: () => true,
  }));
}

function once(agent: Agent, port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: "127.0.0.1", port, path, agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => {
        if (res.statusCode === 200) resolve(body);
        else reject(new Error(`status ${res.statusCode} for ${path}: ${body}`));
      });
    }).on("error", reject);
  });
}

interface Sample {
  readonly item: Prepared;
  readonly body: string;
}

async function client(
  agent: Agent,
  port: number,
  pool: readonly Prepared[],
  id: number,
  until: bigint,
  lat: number[],
  samples: Sample[],
): Promise<void> {
  for (let i = id; process.hrtime.bigint() < until; i += 7) {
    const item = pool[i % pool.length]!;
    const t0 = process.hrtime.bigint();
    const body = await once(agent, port, item.path);
    lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (samples.length < CHECK_PER_LEVEL) samples.push({ item, body });
  }
}

const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

interface Row {
  readonly clients: number;
  readonly requests: number;
  readonly qps: number;
  readonly p50: number;
  readonly p99: number;
  /** Node-process CPU (main thread + enclave worker) per query: robust to other load on the machine. */
  readonly cpuMsPerQuery: number;
  /** The main thread's share of it (the rest is the enclave workers'). */
  readonly mainCpuMsPerQuery: number;
}

interface Node {
  readonly port: number;
  readonly child: ChildProcess;
}

/**
 * Open loop: `clients` connections share a fixed total `rate`; each request's latency counts from its scheduled
 * send time, so a node that falls behind cannot hide its queue (no coordinated omission).
 */
async function openClient(
  agent: Agent,
  port: number,
  pool: readonly Prepared[],
  id: number,
  start: bigint,
  intervalNs: bigint,
  count: number,
  lat: number[],
  late: number[],
): Promise<void> {
  let ready = start;
  for (let k = 0; k < count; k++) {
    const due = start + BigInt(k) * intervalNs;
    const wait = Number(due - process.hrtime.bigint()) / 1e6;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // How late the generator itself sends, past both the due time and this client's previous answer (timer
    // granularity, its own event loop on the shared cores): part of every latency, none of it the node's.
    const from = due > ready ? due : ready;
    late.push(Math.max(0, Number(process.hrtime.bigint() - from) / 1e6));
    await once(agent, port, pool[(id + k * 7) % pool.length]!.path);
    ready = process.hrtime.bigint();
    lat.push(Number(process.hrtime.bigint() - due) / 1e6);
  }
}

async function openLevel(
  node: Node,
  pool: readonly Prepared[],
  clients: number,
  rate: number,
  seconds: number,
) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const intervalNs = BigInt(Math.round((1e9 * clients) / rate));
  const count = Math.max(1, Math.round((rate * seconds) / clients));
  const lat: number[] = [];
  const late: number[] = [];
  const cpu0 = await nodeCpuUs(node.child);
  const gen0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, (_, id) => {
      const start = t0 + (intervalNs * BigInt(id)) / BigInt(clients);
      return openClient(agent, node.port, pool, id, start, intervalNs, count, lat, late);
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const gen = process.cpuUsage(gen0);
  const cpu1 = await nodeCpuUs(node.child);
  agent.destroy();
  late.sort((a, b) => a - b);
  const generator = {
    lateP50: pct(late, 50),
    lateP99: pct(late, 99),
    cpuMsPerQuery: (gen.user + gen.system) / 1000 / lat.length,
  };
  return { ...rowOf(clients, lat, elapsed, cpu0, cpu1), generator };
}

/** One table row from a level's latencies (sorted here), its wall time and the node's CPU before and after. */
function rowOf(clients: number, lat: number[], elapsed: number, cpu0: NodeCpu, cpu1: NodeCpu): Row {
  lat.sort((a, b) => a - b);
  return {
    clients,
    requests: lat.length,
    qps: lat.length / elapsed,
    p50: pct(lat, 50),
    p99: pct(lat, 99),
    cpuMsPerQuery: (cpu1.all - cpu0.all) / 1000 / lat.length,
    mainCpuMsPerQuery: (cpu1.main - cpu0.main) / 1000 / lat.length,
  };
}

interface NodeCpu {
  readonly all: number;
  readonly main: number;
}

/** CPU time (µs) the node process has used so far: all threads, and its main thread alone. */
function nodeCpuUs(child: ChildProcess): Promise<NodeCpu> {
  return new Promise((resolve) => {
    const on = (m: unknown): void => {
      const { cpuUs, mainUs } = m as { cpuUs?: number; mainUs?: number };
      if (cpuUs === undefined) return;
      child.off("message", on);
      resolve({ all: cpuUs, main: mainUs ?? 0 });
    };
    child.on("message", on);
    child.send("cpu");
  });
}

async function level(node: Node, pool: readonly Prepared[], clients: number, seconds: number) {
  const { port, child } = node;
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const run = async (ms: number, lat: number[], samples: Sample[]) => {
    const until = process.hrtime.bigint() + BigInt(ms) * 1_000_000n;
    const all = Array.from({ length: clients }, (_, id) =>
      client(agent, port, pool, id, until, lat, samples),
    );
    await Promise.all(all);
  };
  await run(WARMUP_MS, [], []);
  const lat: number[] = [];
  const samples: Sample[] = [];
  const cpu0 = await nodeCpuUs(child);
  const t0 = process.hrtime.bigint();
  await run(seconds * 1000, lat, samples);
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu1 = await nodeCpuUs(child);
  agent.destroy();
  return { row: rowOf(clients, lat, elapsed, cpu0, cpu1), samples };
}

/** Decrypts smart-query answers as secretjs' queryContract does and checks them. */
async function check(enc: EncryptionUtilsImpl, samples: readonly Sample[]): Promise<number> {
  let ok = 0;
  for (const { item, body } of samples) {
    if (item.nonce.length === 0) {
      ok++;
      continue;
    }
    const { data } = JSON.parse(body) as { data: string };
    const plain = await enc.decrypt(fromBase64(data), item.nonce);
    const answer: unknown = JSON.parse(fromUtf8(fromBase64(fromUtf8(plain))));
    if (!item.expect(answer)) throw new Error(`unexpected answer ${JSON.stringify(answer)}`);
    ok++;
  }
  return ok;
}

function fmt(r: Row): string {
  const n = (v: number, w: number, d = 0) => v.toFixed(d).padStart(w);
  const lat = `${n(r.p50, 7, 3)}  ${n(r.p99, 7, 3)}`;
  const cpu = `${n(r.cpuMsPerQuery, 8, 3)}  ${n(r.mainCpuMsPerQuery, 7, 3)}  ${n(1000 / r.cpuMsPerQuery, 7)}`;
  return `${n(r.clients, 7)}  ${n(r.requests, 8)}  ${n(r.qps, 7)}  ${lat}  ${cpu}`;
}

async function table(
  title: string,
  node: Node,
  pool: Prepared[],
  seconds: number,
  enc: EncryptionUtilsImpl,
): Promise<Row[]> {
  console.log(`\n${title}`);
  console.log("clients  requests      q/s   p50 ms   p99 ms  cpu ms/q  main ms  q/cpu-s  checked");
  const rows: Row[] = [];
  for (const c of LEVELS) {
    const { row, samples } = await level(node, pool, c, seconds);
    const ok = await check(enc, samples);
    console.log(`${fmt(row)}  ${ok} ok`);
    rows.push(row);
  }
  return rows;
}

/** Forks a `shroud dev` child with `workers` query lanes; resolves with it and its REST URL. */
async function startNode(workers: number): Promise<{ node: Node; url: string }> {
  const profDir = join(tmpdir(), "shroud-bench-query-prof");
  // The flag bin/shroud.js's shebang gives every `shroud` process (GC on the isolates' own threads).
  const execArgv = [...process.execArgv, "--single-threaded-gc"];
  if (process.env.BENCH_PROF === "1") execArgv.push("--cpu-prof", `--cpu-prof-dir=${profDir}`);
  const env = { ...process.env, SHROUD_BENCH_QUERY_WORKERS: String(workers) };
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ["--serve"], { execArgv, env });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (m) => {
      resolve((m as { url: string }).url);
    });
    child.once("exit", (code) => {
      reject(new Error(`node process exited (${code})`));
    });
  });
  return { node: { port: Number(new URL(url).port), child }, url };
}

interface Run {
  readonly workers: number;
  readonly closed: Row[];
  readonly open: Row[];
}

/** One node with `workers` query lanes: the smart-query tables (and, when asked, the bank table). */
async function runNode(workers: number, seconds: number, bankToo: boolean): Promise<Run> {
  const { node, url } = await startNode(workers);
  const t0 = performance.now();
  const { pool: smart, enc } = await smartPool(url);
  const prep = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`\n=== shroud dev with ${workers} query worker(s) (--query-workers ${workers}) ===`);
  console.log(`contracts deployed + ${smart.length} queries encrypted in ${prep} s`);
  const kinds = "counter get_count / SNIP-20 balance with viewing key, alternating";
  const closed = await table(`encrypted smart queries (${kinds})`, node, smart, seconds, enc);
  console.log(`\nsmart queries, open loop: ${OPEN_CLIENTS} clients sharing a fixed offered rate`);
  console.log(
    "offered  requests      q/s   p50 ms   p99 ms  cpu ms/q  main ms  q/cpu-s  gen late p50/p99 ms  gen cpu ms/q",
  );
  const open: Row[] = [];
  for (const rate of OPEN_RATES) {
    const r = await openLevel(node, smart, OPEN_CLIENTS, rate, seconds);
    const g = r.generator;
    const gen = `${g.lateP50.toFixed(2)}/${g.lateP99.toFixed(2)}`.padStart(19);
    console.log(
      `${String(rate).padStart(7)}${fmt(r).slice(7)}  ${gen}  ${g.cpuMsPerQuery.toFixed(3).padStart(12)}`,
    );
    open.push(r);
  }
  if (bankToo && process.env.BENCH_NO_BANK !== "1") {
    const bank = "bank balance queries (plaintext, secretjs query.bank.balance)";
    await table(bank, node, bankPool(), seconds, enc);
  }
  const exited = new Promise((r) => node.child.once("exit", r));
  node.child.send("stop");
  await exited;
  return { workers, closed, open };
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? "3");
  const workerCounts = (process.env.BENCH_QUERY_WORKERS ?? "0,2").split(",").map(Number);
  console.log(`query bench on shroud dev (REST, compute, enclave); ${seconds} s per level after`);
  console.log(`${WARMUP_MS} ms warm-up; query workers compared: ${workerCounts.join(", ")}`);
  console.log(TARGETS);
  console.log("cpu ms/q: node-process CPU (all its threads) per query; main ms: its main thread's share");
  console.log("(REST, app, OCALL answers; the rest is enclave workers); q/cpu-s = 1000 / cpu ms/q.");
  console.log(
    `answers: the first ${CHECK_PER_LEVEL} of each level decrypted with secretjs and checked, after timing`,
  );
  const runs: Run[] = [];
  for (const [i, w] of workerCounts.entries())
    runs.push(await runNode(w, seconds, i === workerCounts.length - 1));
  console.log("\n=== side by side (smart queries) ===");
  console.log("workers  q/s@100 closed  p50/p99 ms   open@2000: q/s  p50/p99 ms   ratio q/s vs first");
  const base = runs[0]?.closed.at(-1)?.qps ?? 1;
  for (const r of runs) {
    const c = r.closed.at(-1);
    const o = r.open.at(-1);
    if (c === undefined || o === undefined) continue;
    const lat = (x: Row) => `${x.p50.toFixed(2)}/${x.p99.toFixed(1)}`.padStart(11);
    console.log(
      `${String(r.workers).padStart(7)}  ${c.qps.toFixed(0).padStart(14)}  ${lat(c)}   ` +
        `${o.qps.toFixed(0).padStart(14)}  ${lat(o)}   ${(c.qps / base).toFixed(2)}×`,
    );
  }
}

if (process.argv[2] === "--serve") await serve();
else await main();
