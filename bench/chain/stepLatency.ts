// Latency of requests sent during a long stepped block of `shroud dev` (docs/BENCHMARKS.md "Flakes and the
// stepping budget (session 15, R5)"): a real in-process dev node (REST + RPC, pipeline and stepping on) makes
// blocks of --txs bank sends on demand, rotating the turn interval (engine.yieldEveryMs) through --intervals
// (ms, comma-separated; `shroud dev` uses DEV_YIELD_EVERY_MS = 4). A prober in
// another process (its own event loop and clock) sends, every --every-ms, an RPC `health` (answered in the turn
// that reads it) and a REST bank balance query (gated: answered once the block has ended), and logs send and
// answer times. Reported per mode, for requests sent while a block ran: health latency (median, worst), and
// how long after the block's end the gated query was answered (median, worst), with the block's wall and turns.
// Run: node --import tsx bench/chain/stepLatency.ts [--blocks N] [--txs K] [--intervals 4,1] [--every-ms E]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MsgSend } from "secretjs";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { startDev } from "../../src/cli/dev.js";
import { addressFromMnemonic, DEV_MNEMONICS } from "../../src/cli/devGenesis.js";
import { DEV_SERVICES } from "../../src/cli/services.js";
import { makeSigner } from "../../src/chain/tx/testdata/secretjsSigner.js";
import { arg } from "./cli.js";

const BLOCKS = arg("--blocks", 6);
const K = arg("--txs", 1500);
const INTERVALS = (() => {
  const at = process.argv.indexOf("--intervals");
  return (at >= 0 ? process.argv[at + 1]! : "4,1").split(",").map(Number);
})();
const EVERY_MS = arg("--every-ms", 50);

const abs = (): number => performance.timeOrigin + performance.now();
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
let on = true;
process.stdin.on("data", () => { on = false; });
const shoot = (kind, url) => {
  const t = abs();
  fetch(url).then((r) => r.text()).then(() => log.push([kind, t, abs()]), () => log.push([kind, t, -1]));
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
  const acc = node.app.query({
    path: "/cosmos.auth.v1beta1.Query/Account",
    data: QueryAccountRequest.encode({ address: a.address }).finish(),
    height: 0n,
    prove: false,
  });
  const accountNumber = Number(
    BaseAccount.decode(QueryAccountResponse.decode(acc.value).account!.value).accountNumber,
  );
  const signed: Uint8Array[] = [];
  for (let i = 0; i < BLOCKS * K; i++) {
    signed.push(
      await a.sign(
        [new MsgSend({ from_address: a.address, to_address: to, amount: [{ denom: "uscrt", amount: "1" }] })],
        { accountNumber, sequence: i, chainId: node.genesis.chain_id },
        { gasLimit: 100_000 },
      ),
    );
  }
  await new Promise((r) => setTimeout(r, 500)); // the prober is running
  for (let b = 0; b < BLOCKS; b++) {
    const mode: Mode = INTERVALS[b % INTERVALS.length]!;
    node.engine.yieldEveryMs = mode;
    for (const tx of signed.slice(b * K, (b + 1) * K)) {
      const r = await node.engine.broadcastTx(tx);
      if (r.checkTx.code !== 0) throw new Error(`CheckTx failed: ${r.checkTx.log}`);
    }
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
const q = (xs: number[], p: number): number =>
  [...xs].sort((x, y) => x - y)[Math.floor(p * (xs.length - 1))]!;
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
      } else afterEnd.push(got - blk.end);
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
