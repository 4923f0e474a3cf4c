// Which paths of one CometBFT-driven node verify a signature and which find a remembered verdict (session 13,
// N1). One node per process (the verdict caches are process-wide), in one of three roles, every ABCI request
// carrying fresh copies of the tx bytes as the socket delivers them:
//   proposer: CheckTx NEW of all txs, PrepareProposal, ProcessProposal (its own), FinalizeBlock, Commit,
//             RECHECK of the rest, next height …
//   follower: the same CheckTx NEWs, the proposer's proposal in ProcessProposal (not its own), FinalizeBlock, …
//   late:     no CheckTx (the txs never reached its mempool): ProcessProposal and FinalizeBlock only.
// Prints the process-wide `defaultSigCache.stats` and the results' digest (equal across trees and roles).
// Run: node --import tsx bench/sigPaths.ts <tree> <proposer|follower|late> [txs] [perBlock]
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";

const root = resolve(process.argv[2] ?? ".");
const role = process.argv[3] ?? "proposer";
const N = Number(process.argv[4] ?? 40);
const PER_BLOCK = Number(process.argv[5] ?? 10);
if (!["proposer", "follower", "late"].includes(role)) throw new Error(`unknown role ${role}`);

const { ShroudApp } = await import(`${root}/src/chain/app.ts`);
const { openStore } = await import(`${root}/src/chain/store/store.ts`);
const { buildDevGenesis, DEV_MNEMONICS } = await import(`${root}/src/cli/devGenesis.ts`);
const { makeSigner } = await import(`${root}/src/chain/tx/testdata/secretjsSigner.ts`);
const { parseRfc3339Ns } = await import(`${root}/src/chain/genesis.ts`);
const { defaultSigCache } = await import(`${root}/src/chain/tx/ante.ts`);
const { MsgSend } = await import("secretjs");

const G = buildDevGenesis({
  genesisTimeNs: 1_750_000_000_000_000_000n,
  nodeExchKey: new Uint8Array(32).fill(0xe1),
  ioExchKey: new Uint8Array(32).fill(0xe2),
  authorityPublicKeys: [],
  measurements: [],
});
const dir = mkdtempSync(join(tmpdir(), "shroud-sigpaths-"));
const app = new ShroudApp({ store: openStore(join(dir, "state"), { memDepth: 4 }) });
const a = makeSigner(DEV_MNEMONICS.a);
const b = makeSigner(DEV_MNEMONICS.b);
const t0 = parseRfc3339Ns(G.genesis_time) as bigint;
const ts = (h: bigint) => {
  const ns = t0 + h * 1_000_000_000n;
  return { seconds: ns / 1_000_000_000n, nanos: Number(ns % 1_000_000_000n) };
};
const copy = (txs: readonly Uint8Array[]) => txs.map((t) => Uint8Array.from(t));
const digest = createHash("sha256");
const common = (h: bigint) => ({
  height: h,
  time: ts(h),
  nextValidatorsHash: new Uint8Array(32).fill(0x5a),
  proposerAddress: new Uint8Array(20).fill(0x11),
  misbehavior: [],
});

app.initChain({
  time: ts(0n),
  chainId: G.chain_id,
  validators: [],
  appStateBytes: new TextEncoder().encode(JSON.stringify(G.app_state)),
  initialHeight: 1n,
});
app.finalizeBlock({
  ...common(1n),
  txs: [],
  decidedLastCommit: { round: 0, votes: [] },
  hash: new Uint8Array(32),
});
app.commit({});
// Account a is number 2 in the dev genesis (module accounts first; a wrong number fails every tx with code 4).
const txs: Uint8Array[] = [];
for (let i = 0; i < N; i++) {
  const msg = new MsgSend({
    from_address: a.address,
    to_address: b.address,
    amount: [{ denom: "uscrt", amount: "1" }],
  });
  txs.push(await a.signDeterministic([msg], { accountNumber: 2, sequence: i, chainId: G.chain_id }));
}
defaultSigCache.clear();
const before = { ...defaultSigCache.stats };
const phases: Record<string, { hits: number; misses: number }> = {};
function count<T>(phase: string, f: () => T): T {
  const s0 = { ...defaultSigCache.stats };
  const r = f();
  const s1 = defaultSigCache.stats;
  const p = (phases[phase] ??= { hits: 0, misses: 0 });
  p.hits += s1.hits - s0.hits;
  p.misses += s1.misses - s0.misses;
  return r;
}
let pending = txs.slice();
if (role !== "late")
  count("checkTx.new", () => {
    for (const tx of copy(pending)) {
      const r = app.checkTx({ tx, type: CheckTxType.NEW });
      if (r.code !== 0) throw new Error(`CheckTx: ${r.code} ${r.log}`);
    }
  });
for (let h = 2n; pending.length > 0; h++) {
  const block = pending.slice(0, PER_BLOCK);
  let proposal = block;
  if (role === "proposer")
    proposal = count("prepareProposal", () =>
      app
        .prepareProposal({
          ...common(h),
          maxTxBytes: 8n << 20n,
          txs: copy(pending),
          localLastCommit: { round: 0, votes: [] },
        })
        .txs.slice(0, PER_BLOCK),
    );
  const status = count(
    "processProposal",
    () =>
      app.processProposal({
        ...common(h),
        txs: copy(proposal),
        proposedLastCommit: { round: 0, votes: [] },
        hash: new Uint8Array(32),
      }).status,
  );
  if (status !== 1) throw new Error(`proposal refused at ${h}`);
  const res = count("finalizeBlock", () =>
    app.finalizeBlock({
      ...common(h),
      txs: copy(proposal),
      decidedLastCommit: { round: 0, votes: [] },
      hash: new Uint8Array(32),
    }),
  );
  for (const r of res.txResults) if (r.code !== 0) throw new Error(`deliver: ${r.code} ${r.log}`);
  for (const r of res.txResults) digest.update(`${r.code}/${r.gasUsed}/${r.log};`);
  app.commit({});
  pending = pending.slice(proposal.length);
  if (role !== "late")
    count("checkTx.recheck", () => {
      for (const tx of copy(pending)) {
        const r = app.checkTx({ tx, type: CheckTxType.RECHECK });
        if (r.code !== 0) throw new Error(`RECHECK: ${r.code} ${r.log}`);
      }
    });
}
const s = defaultSigCache.stats;
console.log(
  `${role}: ${N} txs, ${PER_BLOCK}/block; sig cache hits ${s.hits - before.hits}, misses ${s.misses - before.misses}; ` +
    Object.entries(phases)
      .map(([k, v]) => `${k} ${v.hits}/${v.misses}`)
      .join(", ") +
    `; results ${digest.digest("hex").slice(0, 16)}`,
);
rmSync(dir, { recursive: true, force: true });
