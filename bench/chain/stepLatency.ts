// Latency of requests sent during a long stepped block of `shroud dev` (docs/BENCHMARKS.md "Flakes and the
// stepping budget (session 15, R5)"): a real in-process dev node (REST + RPC, pipeline and stepping on) makes
// blocks of --txs bank sends on demand, rotating the turn interval (engine.yieldEveryMs) through --intervals
// (ms, comma-separated; `shroud dev` uses DEV_YIELD_EVERY_MS = 4). A prober in
// another process (its own event loop and clock) sends, every --every-ms, an RPC `health` (answered in the turn
// that reads it) and a REST bank balance query (gated: answered once the block has ended), and logs send and
// answer times. Reported per mode, for requests sent while a block ran: health latency (median, worst), and
// how long after the block's end the gated query was answered (median, worst), with the block's wall and turns.
// Slow gated queries (--slow-ms) are listed with their server-side accept and read times, and the phases with the
// kernel's listen-queue overflow count.
// Run: node --import tsx bench/chain/stepLatency.ts [--blocks N] [--txs K] [--intervals 4,1] [--every-ms E]
//      [--slow-ms S] [--starve]
import { spawn } from "node:child_process";
import { Server, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MsgSend } from "secretjs";
import { startDev } from "../../src/cli/dev.js";
import { addressFromMnemonic, DEV_MNEMONICS } from "../../src/cli/devGenesis.js";
import { DEV_SERVICES } from "../../src/cli/services.js";
import { makeSigner } from "../../src/chain/tx/testdata/secretjsSigner.js";
import { arg } from "./cli.js";
import { accountNumberOf } from "../../test/chain/fixtures.js";

const BLOCKS = arg("--blocks", 6);
const K = arg("--txs", 1500);
const INTERVALS = (() => {
  const at = process.argv.indexOf("--intervals");
  return (at >= 0 ? process.argv[at + 1]! : "4,1").split(",").map(Number);
})();
const EVERY_MS = arg("--every-ms", 50);
/** Gated queries answered more than this many ms after their block's end are listed one by one. */
const SLOW_MS = arg("--slow-ms", 500);
/**
 * --starve: the harness as it was until session 16 (probes from the node's start, through the signing; the feed
 * gives the event loop no turn): the REST/RPC listen queues overflow and some probes wait seconds (docs/BENCHMARKS.md
 * "Flakes under load (session 16, R4)").
 */
const STARVE = process.argv.includes("--starve");

const abs = (): number => performance.timeOrigin + performance.now();
// Server side of each probe (matched by its x-probe header = its send time): when its connection was accepted
// and when its request was parsed (the 'connection' and 'request' events of this process's HTTP servers).
const accepted = new WeakMap<Socket, number>();
const arrived = new Map<string, { conn: number; req: number }>();
const emit = Reflect.get(Server.prototype, "emit") as (...a: unknown[]) => boolean;
Server.prototype.emit = function (this: Server, event: string, ...args: unknown[]): boolean {
  if (event === "connection") accepted.set(args[0] as Socket, abs());
  else if (event === "request") {
    const req = args[0] as IncomingMessage;
    const id = req.headers["x-probe"];
    if (typeof id === "string") arrived.set(id, { conn: accepted.get(req.socket) ?? -1, req: abs() });
  }
  return Reflect.apply(emit, this, [event, ...args]);
} as typeof Server.prototype.emit;
const dir = mkdtempSync(join(tmpdir(), "shroud-steplat-"));
let restUrl = "";
const node = await startDev({
  home: join(dir, "dev"),
  reset: true,
  blockTimeMs: 1_000_000_000, // blocks only on produceBlock()
  host: "127.0.0.1",
  rpcPort: 0,
  restPort: 0,
  faucetPort: 0,
  services: DEV_SERVICES.filter((s) => s.name === "REST"),
  log: (l) => {
    restUrl = /REST \(LCD\) on (http:\/\/\S+)/.exec(l)?.[1] ?? restUrl;
  },
});
const prober = spawn(
  process.execPath,
  [
    "--input-type=module",
    "-e",
    `
const [rpc, rest, every] = process.argv.slice(1);
const abs = () => performance.timeOrigin + performance.now();
const log = [];
// "go" (after the txs are signed) starts the probes, "stop" ends them.
let on = true;
await new Promise((go) => process.stdin.on("data", (d) => { if (String(d).includes("stop")) on = false; go(); }));
const shoot = (kind, url) => {
  const t = abs();
  fetch(url, { headers: { "x-probe": String(t) } }).then((r) => r.text()).then(() => log.push([kind, t, abs()]), () => log.push([kind, t, -1]));
};
while (on) {
  shoot("health", rpc + "/health");
  shoot("query", rest);
  await new Promise((r) => setTimeout(r, Number(every)));
}
await new Promise((r) => setTimeout(r, 3000));
process.stdout.write(JSON.stringify(log));
`,
    `http://127.0.0.1:${node.rpcPort}`,
    `${restUrl}/cosmos/bank/v1beta1/balances/${addressFromMnemonic(DEV_MNEMONICS.b)}/by_denom?denom=uscrt`,
    `${EVERY_MS}`,
  ],
  { stdio: ["pipe", "pipe", "inherit"] },
);
let probed = "";
prober.stdout.on("data", (d: Buffer) => (probed += d.toString()));
const proberDone = new Promise((resolve) => prober.on("exit", resolve));

type Mode = number;
/** Linux: the kernel's count of connections dropped because a listen queue was full (all listeners). */
const overflows = (): number => {
  try {
    const [names, values] = readFileSync("/proc/net/netstat", "utf8")
      .split("\n")
      .filter((l) => l.startsWith("TcpExt:"))
      .map((l) => l.split(" "));
    return Number(values![names!.indexOf("ListenOverflows")]);
  } catch {
    return -1;
  }
};
const phases: [string, number, number, number][] = [];
const blocks: {
  mode: Mode;
  start: number;
  end: number;
  fbStart: number;
  fbEnd: number;
  turns: number;
  txs: number;
}[] = [];
// FinalizeBlock's window (its first step to its last): the part of a block that steps. The rest of a block
// (PrepareProposal, ProcessProposal, saveBlock, Commit, the recheck) holds the event loop.
let fbStart = 0;
let fbEnd = 0;
const begin = node.app.beginFinalizeBlock.bind(node.app);
node.app.beginFinalizeBlock = (req) => {
  fbStart = abs();
  const steps = begin(req);
  return {
    step: () => {
      const more = steps.step();
      if (!more) fbEnd = abs();
      return more;
    },
    get result() {
      return steps.result;
    },
  };
};
try {
  const a = makeSigner(DEV_MNEMONICS.a);
  const to = addressFromMnemonic(DEV_MNEMONICS.b);
  const accountNumber = accountNumberOf(node.app, a.address);
  const signed: Uint8Array[] = [];
  if (STARVE) prober.stdin.write("go\n");
  phases.push(["sign", abs(), 0, overflows()]);
  for (let i = 0; i < BLOCKS * K; i++) {
    signed.push(
      await a.sign(
        [new MsgSend({ from_address: a.address, to_address: to, amount: [{ denom: "uscrt", amount: "1" }] })],
        { accountNumber, sequence: i, chainId: node.genesis.chain_id },
        { gasLimit: 100_000 },
      ),
    );
  }
  phases[phases.length - 1]![2] = abs();
  phases.push(["after sign", abs(), abs(), overflows()]);
  // Probes start only now: the signing above never gives the event loop a turn, so connections made meanwhile
  // would overflow the REST and RPC listen queues (511) and come back on TCP's retransmission backoff (seconds).
  if (!STARVE) prober.stdin.write("go\n");
  await new Promise((r) => setTimeout(r, 500)); // the prober is running
  for (let b = 0; b < BLOCKS; b++) {
    const mode: Mode = INTERVALS[b % INTERVALS.length]!;
    node.engine.yieldEveryMs = mode;
    phases.push([`feed ${b}`, abs(), 0, overflows()]);
    let turn = performance.now();
    for (const tx of signed.slice(b * K, (b + 1) * K)) {
      // An idle engine checks a broadcast synchronously (a resolved promise: no event-loop turn), so a loop of
      // them would hold the sockets for the whole feed; a node fed over its sockets reads them between txs.
      if (!STARVE && performance.now() - turn >= 4) {
        await new Promise((r) => setImmediate(r));
        turn = performance.now();
      }
      const r = await node.engine.broadcastTx(tx);
      if (r.checkTx.code !== 0) throw new Error(`CheckTx failed: ${r.checkTx.log}`);
    }
    phases[phases.length - 1]![2] = abs();
    const y0 = node.engine.stepStats.yields;
    const start = abs();
    await node.engine.produceBlock();
    blocks.push({
      mode,
      start,
      end: abs(),
      fbStart,
      fbEnd,
      turns: node.engine.stepStats.yields - y0,
      txs: K,
    });
    await new Promise((r) => setTimeout(r, 300)); // the prober's requests of this block answered
  }
} finally {
  prober.stdin.end("stop");
  await proberDone;
  await node.stop();
  rmSync(dir, { recursive: true, force: true });
}

const log = JSON.parse(probed) as [string, number, number][];
const slow: { mode: number; sent: number; got: number; blk: (typeof blocks)[number] }[] = [];
const q = (xs: number[], p: number): number =>
  xs.length === 0 ? NaN : [...xs].sort((x, y) => x - y)[Math.floor(p * (xs.length - 1))]!;
for (const mode of INTERVALS) {
  const health: number[] = [];
  const healthFb: number[] = [];
  const afterEnd: number[] = [];
  let failed = 0;
  for (const blk of blocks.filter((x) => x.mode === mode)) {
    for (const [kind, sent, got] of log) {
      if (sent < blk.start || sent > blk.end) continue;
      if (got < 0) failed++;
      else if (kind === "health") {
        health.push(got - sent);
        // Sent and answered inside FinalizeBlock's steps: the wait for a turn, nothing else.
        if (sent >= blk.fbStart && got <= blk.fbEnd) healthFb.push(got - sent);
      } else {
        afterEnd.push(got - blk.end);
        if (got - blk.end > SLOW_MS) slow.push({ mode, sent, got, blk });
      }
    }
  }
  const bs = blocks.filter((x) => x.mode === mode);
  console.log(
    `every ${String(mode).padStart(2)} ms: blocks ${bs.length} wall ms ${bs.map((x) => (x.end - x.start).toFixed(0)).join("/")} ` +
      `finalize ms ${bs.map((x) => (x.fbEnd - x.fbStart).toFixed(0)).join("/")} ` +
      `turns ${bs.map((x) => x.turns).join("/")} | health during block: n ${health.length} median ` +
      `${q(health, 0.5).toFixed(1)} p95 ${q(health, 0.95).toFixed(1)} worst ${q(health, 1).toFixed(1)} ms | ` +
      `within FinalizeBlock: n ${healthFb.length} median ${q(healthFb, 0.5).toFixed(1)} ` +
      `worst ${q(healthFb, 1).toFixed(1)} ms | ` +
      `gated query answered after block end: n ${afterEnd.length} median ${q(afterEnd, 0.5).toFixed(1)} ` +
      `worst ${q(afterEnd, 1).toFixed(1)} ms | failed ${failed}`,
  );
}
// Each slow gated query: when it was sent and answered, relative to its block's start (ms), beside the block's
// FinalizeBlock window and end, and the block that was running when it was answered (if any).
for (const { mode, sent, got, blk } of slow) {
  const rel = (t: number): string => (t < 0 ? "?" : (t - blk.start).toFixed(0));
  const srv = arrived.get(String(sent));
  const during = blocks.findIndex((x) => got >= x.start && got <= x.end);
  console.log(
    `slow gated query (every ${mode} ms, block ${blocks.indexOf(blk)}): sent +${rel(sent)}, answered +${rel(got)} ` +
      `(${(got - blk.end).toFixed(0)} after the end); its connection accepted +${rel(srv?.conn ?? -1)}, ` +
      `request read +${rel(srv?.req ?? -1)}; finalize +${rel(blk.fbStart)}..+${rel(blk.fbEnd)}, end ` +
      `+${rel(blk.end)}; answered during block ${during < 0 ? "none" : during}`,
  );
}
const t0 = blocks[0]?.start ?? 0;
console.log(
  `phases (ms from block 0's start): ${phases.map(([n, a, b, o]) => `${n} ${(a - t0).toFixed(0)}..${(b - t0).toFixed(0)} (listen overflows ${o})`).join(", ")}; ` +
    `blocks ${blocks.map((x) => `${(x.start - t0).toFixed(0)}..${(x.end - t0).toFixed(0)}`).join(", ")}`,
);
