// The main thread's tx path (decode, ante, fee deduction, events, runMsgs, the bank send), two trees in one
// process (session 12, K1): each tree's `makeTestChain` (auth + bank over an in-memory store, the real runTx)
// runs the same pre-signed txs, the trees alternated by round (new, base, base, new, …; round 0 of each is
// dropped as warm-up). Per round, on a fresh chain: CheckTx of K encrypted-execute-shaped txs
// (MsgExecuteContract, one sender, sequences 0..K-1: the ante of a SNIP-20 transfer), then CheckTx and deliver
// of K MsgSends (sequences 0..K-1) over a block overlay. The process-wide signature-verdict caches are cleared
// before each phase, so every CheckTx verifies as on a node (FinalizeBlock's deliver reuses the verdict).
// Session 13 (N1): then RECHECK of the K executes over a fresh overlay, each tx in a fresh copy of its bytes (as
// CometBFT's socket delivers them): mode "recheck" where the tree has it (session 13), else "check"; only the
// RECHECK answer's fields (code, log, gas) are compared there, since a RECHECK answer carries no events.
// Every result (code, log, gas, events, data) is compared between the trees: the run aborts on a difference.
// Prints, per phase, the medians of main-thread CPU µs per tx (schedstat) and new ÷ base per pair of rounds.
// Run: node --import tsx bench/txPathAB.ts <base tree> <new tree> [rounds] [txs]   (trees: repo roots)
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { MsgExecuteContract, MsgSend } from "secretjs";
import { threadCpuNs as threadNs } from "./threadCpu.js";
import { loadTreeSigner } from "./treeSigner.js";

const [baseDir, newDir] = [process.argv[2], process.argv[3]];
if (baseDir === undefined || newDir === undefined) {
  console.error("usage: node --import tsx bench/txPathAB.ts <base tree> <new tree> [rounds] [txs]");
  process.exit(2);
}
const ROUNDS = Number(process.argv[4] ?? 8);
const K = Number(process.argv[5] ?? 1000);

interface Result {
  code: number;
  log: string;
  gasWanted: bigint;
  gasUsed: bigint;
  events: { type: string; attributes: { key: string; value: string; index: boolean }[] }[];
  data: Uint8Array;
}
interface Chain {
  state: unknown;
  run(raw: Uint8Array, mode: string, state: unknown): Result;
}
interface Tree {
  name: string;
  makeTestChain(funded: Record<string, bigint>): Chain;
  Overlay: new (parent: unknown) => unknown;
  clearSigCache(): void;
  /** "recheck" when the tree's runTx has that mode, else "check". */
  recheckMode: string;
}

async function loadTree(name: string, dir: string): Promise<Tree> {
  const root = resolve(dir);
  const h = (await import(`${root}/src/chain/tx/testdata/testHarness.ts`)) as {
    makeTestChain: (f: Record<string, bigint>) => Chain;
  };
  const mem = (await import(`${root}/src/chain/store/memory.ts`)) as {
    MemoryOverlay: new (p: unknown) => unknown;
  };
  const ante = (await import(`${root}/src/chain/tx/ante.ts`)) as { defaultSigCache: { clear(): void } };
  return {
    name,
    makeTestChain: h.makeTestChain,
    Overlay: mem.MemoryOverlay,
    clearSigCache: () => {
      ante.defaultSigCache.clear();
    },
    recheckMode: readFileSync(`${root}/src/chain/tx/runTx.ts`, "utf8").includes('"recheck"')
      ? "recheck"
      : "check",
  };
}

const trees = [await loadTree("new", newDir), await loadTree("base", baseDir)];
const { a, chainId: TEST_CHAIN_ID } = await loadTreeSigner(newDir);
const { Wallet } = await import("secretjs");
/** 16 fixed recipients (fresh wallets' addresses; the sends' recipients, new accounts in each round's first 16). */
const recipients: string[] = [];
for (let i = 0; i < 16; i++) recipients.push((new Wallet() as unknown as { address: string }).address);
const contract = "secret1k0jntykt7e4g3y88ltc60czgjuqdy4c9e8fzek";
console.log(`signing ${K} executes and ${K} sends…`);
const executes: Uint8Array[] = [];
const sends: Uint8Array[] = [];
for (let i = 0; i < K; i++) {
  const signer = { accountNumber: 0, sequence: i, chainId: TEST_CHAIN_ID };
  // The signer's encryption is a plaintext stub: the msg is code hash + JSON, ~the size of a transfer's.
  const exec = new MsgExecuteContract({
    sender: a.address,
    contract_address: contract,
    msg: { transfer: { recipient: recipients[i % 16], amount: String(i + 1), padding: "x".repeat(300) } },
    code_hash: "af74387e276be8874f07bec3a87023ee49b0e7ebe08178c49d0a49c3c98ed60e",
    sent_funds: [],
  });
  executes.push(await a.signDeterministic([exec], signer, { gasLimit: 150_000 }));
  const send = new MsgSend({
    from_address: a.address,
    to_address: recipients[i % 16]!,
    amount: [{ denom: "uscrt", amount: "1" }],
  });
  sends.push(await a.signDeterministic([send], signer));
}

function resultKey(r: Result): string {
  return JSON.stringify([
    r.code,
    r.log,
    r.gasWanted.toString(),
    r.gasUsed.toString(),
    r.events,
    Buffer.from(r.data).toString("hex"),
  ]);
}

function answerKey(r: Result): string {
  return JSON.stringify([r.code, r.log, r.gasWanted.toString(), r.gasUsed.toString()]);
}

type Phase = "checkExec" | "recheckExec" | "checkSend" | "deliverSend";
const phases: Phase[] = ["checkExec", "recheckExec", "checkSend", "deliverSend"];

function round(t: Tree): { us: Record<Phase, number>; keys: string[] } {
  const us = {} as Record<Phase, number>;
  const keys: string[] = [];
  const funded = { [a.address]: 10n ** 15n };
  // CheckTx of executes: the contract need not exist for ante.
  {
    const c = t.makeTestChain(funded);
    const check = new t.Overlay(c.state);
    t.clearSigCache();
    const t0 = threadNs();
    for (const raw of executes) keys.push(resultKey(c.run(raw, "check", check)));
    us.checkExec = (threadNs() - t0) / 1000 / K;
    const recheck = new t.Overlay(c.state);
    const copies = executes.map((raw) => raw.slice());
    const t1 = threadNs();
    for (const raw of copies) keys.push(answerKey(c.run(raw, t.recheckMode, recheck)));
    us.recheckExec = (threadNs() - t1) / 1000 / K;
  }
  {
    const c = t.makeTestChain(funded);
    const check = new t.Overlay(c.state);
    t.clearSigCache();
    let t0 = threadNs();
    for (const raw of sends) keys.push(resultKey(c.run(raw, "check", check)));
    us.checkSend = (threadNs() - t0) / 1000 / K;
    const block = new t.Overlay(c.state);
    t0 = threadNs();
    for (const raw of sends) keys.push(resultKey(c.run(raw, "deliver", block)));
    us.deliverSend = (threadNs() - t0) / 1000 / K;
  }
  return { us, keys };
}

const samples: Record<string, Record<Phase, number[]>> = {
  new: { checkExec: [], recheckExec: [], checkSend: [], deliverSend: [] },
  base: { checkExec: [], recheckExec: [], checkSend: [], deliverSend: [] },
};
const ratios: Record<Phase, number[]> = { checkExec: [], recheckExec: [], checkSend: [], deliverSend: [] };
let reference: string[] | undefined;
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? [trees[0]!, trees[1]!] : [trees[1]!, trees[0]!];
  const got: Record<string, Record<Phase, number>> = {};
  for (const t of order) {
    const { us, keys } = round(t);
    if (reference === undefined) reference = keys;
    else if (keys.some((k, i) => k !== reference![i])) {
      const i = keys.findIndex((k, j) => k !== reference![j]);
      console.error(`results differ (${t.name}, round ${r}, tx ${i}):\n${reference[i]}\n${keys[i]}`);
      process.exit(1);
    }
    got[t.name] = us;
  }
  const line = phases.map((p) => `${p} new ${got.new![p].toFixed(1)} base ${got.base![p].toFixed(1)}`);
  console.log(`round ${r}: ${line.join(" | ")} µs/tx`);
  if (r === 0) continue;
  for (const p of phases) {
    samples.new![p].push(got.new![p]);
    samples.base![p].push(got.base![p]);
    ratios[p].push(got.new![p] / got.base![p]);
  }
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
for (const p of phases) {
  console.log(
    `${p}: median µs/tx new ${median(samples.new![p]).toFixed(1)} base ${median(samples.base![p]).toFixed(1)}; ` +
      `new÷base median ${median(ratios[p]).toFixed(3)} (${ratios[p].filter((x) => x < 1).length}/${ratios[p].length} below 1)`,
  );
}
console.log("results identical in every round (code, log, gas, events, data; RECHECK: code, log, gas)");
