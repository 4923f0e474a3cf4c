// The ABCI socket server's own CPU per CheckTx request, two trees in one process (session 16, R2): each tree's
// `startAbciServer` serves the same synchronous app (its CheckTx answers a fixed NEW-shaped result: code 0, gas,
// 7 events / 27 attributes like a counter execute's fee deduction), and one raw loopback client in this process
// sends bursts of B CheckTx requests (432-byte txs, 1 in 4 a RECHECK) and a Flush in one write, as CometBFT's
// mempool connection does, and waits for the B + 1 answers. Rounds of K requests alternate the trees (new, base,
// base, new, …; round 0 of each dropped as warm-up). The figure is this process's CPU (server and client: the
// client's share is the same for both trees) per request, µs, and new ÷ base per pair of adjacent rounds.
// `--meter`: each tree's process ABCI meter is on, as in a node under bench:localnet (the meter's readings are
// syscalls; without it, a node not under the bench).
// Run: node --import tsx bench/abciSocketAB.ts <base tree> <new tree> [--rounds R] [--reqs K] [--burst B] [--meter]
import { connect, type Socket } from "node:net";
import { resolve } from "node:path";
import { CheckTxType, Request, type ResponseCheckTx } from "cosmjs-types/tendermint/abci/types";
import { arg, twoTrees } from "./chain/cli.js";

const [baseDir, newDir] = twoTrees("bench/abciSocketAB.ts");
const ROUNDS = arg("--rounds", 10);
const K = arg("--reqs", 20_000);
const B = arg("--burst", 20);
const METER = process.argv.includes("--meter");

const attr = (key: string, value: string) => ({ key, value, index: true });
const addr = "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03";
const ANSWER: ResponseCheckTx = {
  code: 0,
  data: new Uint8Array(),
  log: "",
  info: "",
  gasWanted: 200_000n,
  gasUsed: 61_234n,
  codespace: "",
  events: [
    { type: "coin_spent", attributes: [attr("spender", addr), attr("amount", "2500uscrt")] },
    { type: "coin_received", attributes: [attr("receiver", addr), attr("amount", "2500uscrt")] },
    {
      type: "transfer",
      attributes: [attr("recipient", addr), attr("sender", addr), attr("amount", "2500uscrt")],
    },
    { type: "message", attributes: [attr("sender", addr)] },
    { type: "tx", attributes: [attr("fee", "2500uscrt"), attr("fee_payer", addr)] },
    { type: "tx", attributes: [attr("acc_seq", `${addr}/17`)] },
    { type: "tx", attributes: [attr("signature", "c2lnbmF0dXJlIGJ5dGVzIG9mIDY0IGJ5dGVzIGluIGJhc2U2NA==")] },
  ],
};
const app = {
  checkTx: () => ANSWER,
  info: () => ({}),
  initChain: () => ({}),
  prepareProposal: () => ({ txs: [] }),
  processProposal: () => ({}),
  finalizeBlock: () => ({}),
  commit: () => ({}),
  query: () => ({}),
};

function frame(b: Uint8Array): Uint8Array {
  const len: number[] = [];
  let v = b.length;
  while (v >= 0x80) {
    len.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  len.push(v);
  return Buffer.concat([Uint8Array.from(len), b]);
}

/** Bursts of B CheckTx frames + a Flush, each burst one buffer. */
function bursts(): Buffer[] {
  const out: Buffer[] = [];
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  for (let k = 0; k < 64; k++) {
    const frames: Uint8Array[] = [];
    for (let i = 0; i < B; i++) {
      const tx = Uint8Array.from({ length: 432 }, rnd);
      const type = i % 4 === 3 ? CheckTxType.RECHECK : CheckTxType.NEW;
      frames.push(frame(Request.encode(Request.fromPartial({ checkTx: { tx, type } })).finish()));
    }
    frames.push(frame(Request.encode(Request.fromPartial({ flush: {} })).finish()));
    out.push(Buffer.concat(frames));
  }
  return out;
}

interface Tree {
  name: string;
  port: number;
  sock: Socket;
  waiting: { n: number; done: () => void } | undefined;
  pending: Buffer;
}

async function openTree(name: string, dir: string): Promise<Tree> {
  const root = resolve(dir);
  const srvMod = await import(`${root}/src/consensus/abciServer.ts`);
  const cpuMod = await import(`${root}/src/consensus/abciCpu.ts`);
  if (METER) cpuMod.processAbciCpuMeter().enable();
  const srv = await srvMod.startAbciServer(app, "tcp://127.0.0.1:0");
  const sock = connect(srv.port as number, "127.0.0.1");
  await new Promise<void>((r) =>
    sock.once("connect", () => {
      r();
    }),
  );
  sock.setNoDelay(true);
  const t: Tree = { name, port: srv.port as number, sock, waiting: undefined, pending: Buffer.alloc(0) };
  sock.on("data", (d: Buffer) => {
    // Count whole answer frames; their contents are the server's business (the tests check them).
    let buf = t.pending.length === 0 ? d : Buffer.concat([t.pending, d]);
    let off = 0;
    let got = 0;
    for (;;) {
      let len = 0;
      let shift = 0;
      let p = off;
      while (p < buf.length && buf[p]! >= 0x80) len += (buf[p++]! & 0x7f) * 2 ** ((shift += 7) - 7);
      if (p >= buf.length) break;
      len += buf[p++]! * 2 ** shift;
      if (p + len > buf.length) break;
      off = p + len;
      got++;
    }
    buf = buf.subarray(off);
    t.pending = Buffer.from(buf);
    if (t.waiting !== undefined) {
      t.waiting.n -= got;
      if (t.waiting.n <= 0) {
        const w = t.waiting;
        t.waiting = undefined;
        w.done();
      }
    }
  });
  return t;
}

async function round(t: Tree, data: Buffer[]): Promise<number> {
  const n = Math.ceil(K / B);
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    await new Promise<void>((done) => {
      t.waiting = { n: B + 1, done };
      t.sock.write(data[i % data.length]!);
    });
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / (n * B);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const data = bursts();
const base = await openTree("base", baseDir);
const neu = await openTree("new", newDir);
const per: Record<string, number[]> = { base: [], new: [] };
const ratios: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? [neu, base] : [base, neu];
  const got: Record<string, number> = {};
  for (const t of order) got[t.name] = await round(t, data);
  if (r === 0) continue;
  per.base!.push(got.base!);
  per.new!.push(got.new!);
  ratios.push(got.new! / got.base!);
  console.log(
    `round ${r}: base ${got.base!.toFixed(2)} µs/req, new ${got.new!.toFixed(2)}, ÷ ${(got.new! / got.base!).toFixed(3)}`,
  );
}
console.log(
  `process CPU per CheckTx request (server + client), medians: base ${median(per.base!).toFixed(2)} µs, new ${median(per.new!).toFixed(2)} µs; new ÷ base median ${median(ratios).toFixed(3)}, ${ratios.filter((x) => x < 1).length}/${ratios.length} below 1${METER ? " (meter on)" : ""}`,
);
process.exit(0);
