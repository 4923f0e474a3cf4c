// PrepareProposal's full check (session 14, P5): the path a proposer takes when its CheckedTxLog does not answer
// (src/chain/app/proposal.ts). Two trees in one process, alternated by round (new, base, base, new, …; round 0
// dropped as warm-up). Per round, on a fresh test chain (auth + bank, the real runTx): CheckTx NEW of K
// encrypted-execute-shaped txs (one sender, sequences 0..K-1) into a CheckTx overlay, as a node's mempool did
// (decoded-tx cache and signature verdicts warm), then `prepareTxs` with checks "full" and no log over fresh
// copies of the same bytes (as CometBFT's PrepareProposal request delivers them), no block random, no limits.
// Both trees must select the same txs. Prints main-thread CPU µs per proposed tx (schedstat) and new ÷ base.
// Run: node --import tsx bench/proposalAB.ts <base tree> <new tree> [rounds (8)] [txs (1000)]
import { resolve } from "node:path";
import { MsgExecuteContract } from "secretjs";
import { threadCpuNs } from "./threadCpu.js";
import { loadTreeSigner } from "./treeSigner.js";

const [baseDir, newDir] = [process.argv[2], process.argv[3]];
if (baseDir === undefined || newDir === undefined) {
  console.error("usage: node --import tsx bench/proposalAB.ts <base tree> <new tree> [rounds] [txs]");
  process.exit(2);
}
const ROUNDS = Number(process.argv[4] ?? 8);
const K = Number(process.argv[5] ?? 1000);

interface Chain {
  state: unknown;
  env: unknown;
  run(raw: Uint8Array, mode: string, state: unknown): { code: number; log: string };
}
interface Tree {
  name: string;
  makeTestChain(funded: Record<string, bigint>): Chain;
  Overlay: new (parent: unknown) => unknown;
  prepareTxs(p: object, txs: readonly Uint8Array[], maxTxBytes: bigint): Uint8Array[];
}

async function loadTree(name: string, dir: string): Promise<Tree> {
  const root = resolve(dir);
  const h = (await import(`${root}/src/chain/tx/testdata/testHarness.ts`)) as {
    makeTestChain: (f: Record<string, bigint>) => Chain;
  };
  const mem = (await import(`${root}/src/chain/store/memory.ts`)) as {
    MemoryOverlay: new (p: unknown) => unknown;
  };
  const prop = (await import(`${root}/src/chain/app/proposal.ts`)) as Pick<Tree, "prepareTxs">;
  return { name, makeTestChain: h.makeTestChain, Overlay: mem.MemoryOverlay, prepareTxs: prop.prepareTxs };
}

const trees = [await loadTree("new", newDir), await loadTree("base", baseDir)];
const { a, chainId: TEST_CHAIN_ID } = await loadTreeSigner(newDir);
const contract = "secret1k0jntykt7e4g3y88ltc60czgjuqdy4c9e8fzek";
console.log(`signing ${K} executes…`);
const executes: Uint8Array[] = [];
for (let i = 0; i < K; i++) {
  const exec = new MsgExecuteContract({
    sender: a.address,
    contract_address: contract,
    msg: { increment: {}, padding: "x".repeat(200) },
    code_hash: "af74387e276be8874f07bec3a87023ee49b0e7ebe08178c49d0a49c3c98ed60e",
    sent_funds: [],
  });
  const signer = { accountNumber: 0, sequence: i, chainId: TEST_CHAIN_ID };
  executes.push(await a.signDeterministic([exec], signer, { gasLimit: 150_000 }));
}

function round(t: Tree): { us: number; picked: number } {
  const c = t.makeTestChain({ [a.address]: 10n ** 15n });
  const check = new t.Overlay(c.state);
  for (const raw of executes) {
    const r = c.run(raw.slice(), "check", check);
    if (r.code !== 0) throw new Error(`CheckTx failed: ${r.log}`);
  }
  const p = {
    env: c.env,
    base: c.state,
    chainId: TEST_CHAIN_ID,
    height: 1n,
    timeNs: 0n,
    checks: "full",
    enclave: undefined,
    ref: { height: 1n, blockHash: new Uint8Array(32), validatorSetHash: new Uint8Array(32) },
    maxGas: undefined,
  };
  const copies = executes.map((raw) => raw.slice());
  const t0 = threadCpuNs();
  const out = t.prepareTxs(p, copies, 1n << 40n);
  const us = (threadCpuNs() - t0) / 1000 / K;
  return { us, picked: out.length };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const got = { new: [] as number[], base: [] as number[] };
const ratios: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? [trees[0]!, trees[1]!] : [trees[1]!, trees[0]!];
  const us: Record<string, number> = {};
  for (const t of order) {
    const res = round(t);
    if (res.picked !== K) throw new Error(`${t.name} selected ${res.picked} of ${K}`);
    us[t.name] = res.us;
  }
  console.log(`round ${r}: new ${us.new!.toFixed(1)} base ${us.base!.toFixed(1)} µs/tx`);
  if (r === 0) continue;
  got.new.push(us.new!);
  got.base.push(us.base!);
  ratios.push(us.new! / us.base!);
}
console.log(
  `prepareTxs full check: median µs/tx new ${median(got.new).toFixed(1)} base ${median(got.base).toFixed(1)}; ` +
    `new÷base median ${median(ratios).toFixed(3)} (${ratios.filter((x) => x < 1).length}/${ratios.length} below 1); ` +
    `both selected all ${K}`,
);
