// Localnet benchmark (issue 6): encrypted contract txs/s and submit → committed latency through a 4-validator
// localnet (4 × `shroud start` + CometBFT v0.38 on this machine), beside the embedded DevEngine's figure for the
// same txs in the same run. Txs: counter `increment` executes, secretjs-encrypted and signed, from 4 accounts.
// Run: npm run bench:localnet [-- --txs N] [--validators V]
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { availableParallelism } from "node:os";
import { EncryptionUtilsImpl, MsgExecuteContract, MsgInstantiateContract, MsgStoreCode } from "secretjs";
import { SecretNetworkClient, TxResultCode, Wallet } from "secretjs";
import { DEV_MNEMONICS } from "../src/cli/devGenesis.js";
import { startNode, type Node } from "./chain/setup.js";
import { attribute, deliverOne, runTxs } from "./chain/run.js";
import { Localnet } from "../test/network/harness.js";
import { submitAndTrack, waitExecuted, type LoadResult, type SubmitPath } from "./localnet/load.js";
import {
  abciCpuMs,
  cpuDelta,
  descendantCpuMs,
  machineCpuMs,
  nodeThreadCpuMs,
  pidsCpuMs,
  threadSplit,
} from "./localnet/procCpu.js";
import { cometOverrides, cometPids, configureNodes, profileNodes, startNodes } from "./localnet/comet.js";
import { writeWindow } from "./localnet/profWindow.js";
import { pidOf } from "../src/cli/localnet/processes.js";
import { editCometConfig } from "../src/consensus/cometbft.js";

const TARGET = 400; // issue 6: ≥ 400 tx/s through a 4-validator localnet
function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  const v = i < 0 ? undefined : process.argv[i + 1];
  return v === undefined ? dflt : Number(v);
}
const N = arg("--txs", 1000);
const V = arg("--validators", 4);
// --comet section.key=value (repeatable): CometBFT config overrides on every node (A/B of a setting).
// --abci grpc: every node serves ABCI over gRPC and its CometBFT dials it so (config.toml `abci`; shroud start
// reads it and gives CometBFT proxy_app in the form its gRPC client needs). Default socket.
const ABCI = ((i: number) => (i < 0 ? "socket" : (process.argv[i + 1] ?? "socket")))(
  process.argv.indexOf("--abci"),
);
if (ABCI !== "socket" && ABCI !== "grpc") throw new Error("--abci expects socket or grpc");
// --abci-nodes i,j (with --abci grpc): only those nodes use gRPC, the others the socket: a node-by-node A/B of the
// transport's CPU under one load (per-node CometBFT and thread lines), as --alt-cometbft is for CometBFT builds.
const ABCI_NODES = ((i: number) => (i < 0 ? undefined : (process.argv[i + 1] ?? "").split(",").map(Number)))(
  process.argv.indexOf("--abci-nodes"),
);
const COMET = {
  ...cometOverrides(process.argv),
  ...(ABCI === "grpc" && ABCI_NODES === undefined ? { abci: '"grpc"' } : {}),
};
// --mempool app (the default since session 18, as `shroud localnet`): the localnet runs CometBFT's nop mempool and
// the nodes' own (src/consensus/appMempool.ts, tx gossip between the nodes); the load goes to each node's RPC
// port, which the node's RPC front serves (src/api/rpc/front.ts).
// --mempool comet: CometBFT's flood mempool and its broadcast_tx_sync (the default through session 17).
const MEMPOOL_ARG = ((i: number) => (i < 0 ? "app" : (process.argv[i + 1] ?? "app")))(
  process.argv.indexOf("--mempool"),
);
if (MEMPOOL_ARG !== "comet" && MEMPOOL_ARG !== "app") throw new Error("--mempool expects comet or app");
const MEMPOOL: "comet" | "app" = MEMPOOL_ARG;
// --submit rpc|rest: the load's broadcasts go to each node's RPC port (broadcast_tx_sync; default) or to its REST
// broadcast (BROADCAST_MODE_SYNC, as secretjs; app mode's only path before session 18).
const SUBMIT_ARG = ((i: number) => (i < 0 ? "rpc" : (process.argv[i + 1] ?? "rpc")))(
  process.argv.indexOf("--submit"),
);
if (SUBMIT_ARG !== "rpc" && SUBMIT_ARG !== "rest") throw new Error("--submit expects rpc or rest");
const SUBMIT: SubmitPath = SUBMIT_ARG;
// --no-gossip-relay (with --mempool app): the nodes do not re-send their peers' txs to the other peers (gossip.json
// relay = false; a full mesh needs no relay) instead of the default (relay, as `shroud start` and `shroud localnet`).
const GOSSIP_RELAY = !process.argv.includes("--no-gossip-relay");
// --pprof <dir>: Go CPU profiles of every node's CometBFT over the first --pprof-seconds (10) of the load.
const PPROF_DIR = ((i: number) => (i < 0 ? undefined : process.argv[i + 1]))(process.argv.indexOf("--pprof"));
const PPROF_SECONDS = arg("--pprof-seconds", 10);
// --alt-cometbft <path> --alt-nodes 2,3: those nodes run another CometBFT build (a node-by-node A/B in one run).
const ALT_BIN = ((i: number) => (i < 0 ? undefined : process.argv[i + 1]))(
  process.argv.indexOf("--alt-cometbft"),
);
const ALT_NODES = (
  ((i: number) => (i < 0 ? undefined : process.argv[i + 1]))(process.argv.indexOf("--alt-nodes")) ?? ""
)
  .split(",")
  .filter((x) => x !== "")
  .map(Number);
// --warmup W: W txs through the localnet before the measured N (every node's JIT tiers, wasm tier-up and caches
// warm, as on a long-running network); the measured phase starts once they are all committed.
const WARMUP = arg("--warmup", 0);
// --node-prof <dir> [--node-prof-nodes 1]: those nodes run with `node --cpu-prof` (main thread and enclave
// workers, whole life, written at exit); the load window's monotonic-clock bounds go to <dir>/window.json so
// `bench/localnet/profWindow.ts` can keep only the measured phase.
const NODE_PROF = ((i: number) => (i < 0 ? undefined : process.argv[i + 1]))(
  process.argv.indexOf("--node-prof"),
);
const NODE_PROF_NODES = (
  ((i: number) => (i < 0 ? undefined : process.argv[i + 1]))(process.argv.indexOf("--node-prof-nodes")) ?? "1"
)
  .split(",")
  .filter((x) => x !== "")
  .map(Number);
// --node-flags "<node options>" --node-flags-nodes 0,1: those nodes' `node` gets these options too (after the
// defaults, so they win): a node-by-node A/B of a V8 or Node setting under one load, like --alt-cometbft.
const NODE_FLAGS = ((i: number) => (i < 0 ? undefined : process.argv[i + 1]))(
  process.argv.indexOf("--node-flags"),
);
const NODE_FLAGS_NODES = (
  ((i: number) => (i < 0 ? undefined : process.argv[i + 1]))(process.argv.indexOf("--node-flags-nodes")) ?? ""
)
  .split(",")
  .filter((x) => x !== "")
  .map(Number);
// --no-abci-meter: the nodes' per-ABCI-method meter stays off (it turns on at the first SIGUSR2; each reading is
// a getrusage syscall), so tx/s and CPU are measured without its cost.
const ABCI_METER = !process.argv.includes("--no-abci-meter");
// --abci-meter-nodes i,j: only those nodes' meters are turned on (the split then covers only them).
const METER_NODES = ((i: number) => (i < 0 ? undefined : (process.argv[i + 1] ?? "").split(",").map(Number)))(
  process.argv.indexOf("--abci-meter-nodes"),
);
// --senders S (default 48): closed-loop senders (each waits for its CheckTx before its next tx); the first 9 are the
// genesis accounts, the extra ones HD accounts 1, 2, … of LocalSecret's "a", funded by one multi-send. 9 senders
// were the default until session 7, but they offered less than the localnet could take: each waits 20–600 ms
// per broadcast_tx_sync behind FinalizeBlock, and 48 committed ~35 % more in the same sitting (a bench artifact).
const SENDERS = arg("--senders", 48);
// --from-source: the nodes run the TypeScript sources through tsx (as before session 12) instead of a compiled
// copy (tsc -p tsconfig.build.json into the localnet's frozen code folder; test/network/harness.ts snapshotCode).
const FROM_SOURCE = process.argv.includes("--from-source");
const EXTRA_FUNDS = "1000000000000"; // uscrt per extra sender: fees for any N here
const ACCOUNTS = ["a", "b", "c", "d"] as const;
const COUNTER = new Uint8Array(readFileSync(new URL("../contracts/build/counter.wasm", import.meta.url)));
const COUNTER_HASH = createHash("sha256").update(COUNTER).digest("hex");
const f = (x: number, d = 0): string => x.toFixed(d);

interface Signer {
  readonly client: SecretNetworkClient;
  readonly address: string;
  accountNumber: number;
  sequence: number;
}

/** A secretjs client that signs offline: explicit signer data, the chain's tx key given directly. */
function offlineSigner(
  mnemonic: string,
  chainId: string,
  txKey: Uint8Array,
  accountNumber: number,
  hdAccountIndex = 0,
): Signer {
  const wallet = new Wallet(mnemonic, { hdAccountIndex });
  const utils = new EncryptionUtilsImpl("http://unused.invalid", new Uint8Array(32).fill(7));
  (utils as unknown as { consensusIoPubKey: Uint8Array }).consensusIoPubKey = txKey;
  const client = new SecretNetworkClient({
    url: "http://127.0.0.1:1",
    chainId,
    wallet,
    walletAddress: wallet.address,
    encryptionUtils: utils,
  });
  return { client, address: wallet.address, accountNumber, sequence: 0 };
}

function sign(
  s: Signer,
  msg: MsgStoreCode | MsgInstantiateContract | MsgExecuteContract<object>,
  chainId: string,
  gas: number,
) {
  return s.client.prepareAndSign([msg], {
    gasLimit: gas,
    explicitSignerData: { accountNumber: s.accountNumber, sequence: s.sequence++, chainId },
  });
}

/** n increments, round-robin over the signers (each signer's sequences in order). */
async function signIncrements(
  signers: Signer[],
  contract: string,
  n: number,
  chainId: string,
): Promise<Uint8Array[][]> {
  const per: Uint8Array[][] = signers.map(() => []);
  for (let i = 0; i < n; i++) {
    const k = i % signers.length;
    const s = signers[k]!;
    const msg = new MsgExecuteContract({
      sender: s.address,
      contract_address: contract,
      code_hash: COUNTER_HASH,
      msg: { increment: {} },
      sent_funds: [],
    });
    per[k]!.push(await sign(s, msg, chainId, 200_000));
  }
  return per;
}

async function devEngineFigure(): Promise<{ txs: number; tps: number; blockP50: number }> {
  const node: Node = await startNode(0);
  try {
    const signers = ACCOUNTS.map((a) =>
      offlineSigner(
        DEV_MNEMONICS[a],
        node.chainId,
        node.txKey(),
        node.accountNumber(new Wallet(DEV_MNEMONICS[a]).address),
      ),
    );
    const s0 = signers[0]!;
    const stored = await deliverOne(
      node,
      await sign(
        s0,
        new MsgStoreCode({ sender: s0.address, wasm_byte_code: COUNTER, source: "", builder: "" }),
        node.chainId,
        5_000_000,
      ),
    );
    const codeId = Number(attribute(stored, "message", "code_id"));
    const inst = await deliverOne(
      node,
      await sign(
        s0,
        new MsgInstantiateContract({
          sender: s0.address,
          code_id: codeId,
          code_hash: COUNTER_HASH,
          label: "c",
          init_msg: { count: 0 },
        }),
        node.chainId,
        1_000_000,
      ),
    );
    const contract = attribute(inst, "message", "contract_address") ?? "";
    // Interleave so each block holds every signer's txs in sequence order.
    const interleaved = (per: Uint8Array[][], n: number): Uint8Array[] =>
      Array.from({ length: n }, (_, i) => per[i % per.length]![Math.floor(i / per.length)]!);
    // The same warm-up as the localnet's (unmeasured), so the two figures compare warm with warm.
    if (WARMUP > 0)
      await runTxs(
        node,
        interleaved(await signIncrements(signers, contract, WARMUP, node.chainId), WARMUP),
        500,
      );
    const txs = interleaved(await signIncrements(signers, contract, N, node.chainId), N);
    const r = await runTxs(node, txs, 500);
    const sorted = [...r.blockMs].sort((a, b) => a - b);
    return {
      txs: r.txs,
      tps: (r.txs * 1000) / r.wallMs,
      blockP50: sorted[Math.floor(sorted.length / 2)] ?? 0,
    };
  } finally {
    await node.close();
  }
}

interface LocalnetFigure extends LoadResult {
  readonly blocks: number;
  readonly senders: number;
  /** CPU ms of the node and CometBFT processes (by command name) and wall ms, over the submit+track phase. */
  readonly cpu: Map<string, number>;
  /** The whole machine's busy and idle CPU ms over the same phase (/proc/stat); this bench process's own. */
  readonly machine: { readonly busy: number; readonly idle: number; readonly bench: number };
  readonly wallMs: number;
  /** CPU ms by ABCI request kind (and codec, process total) summed over the nodes, same phase. */
  readonly abci: Map<string, number>;
  /** CPU ms of each node's CometBFT over the same phase (node 0's includes serving the tracker's polling). */
  readonly cometByNode: number[];
  readonly broadcastMs: LoadResult["broadcastMs"];
  readonly timeline: LoadResult["timeline"];
  /** Per node: main thread, enclave worker (its busiest other thread), the other threads; CPU ms. */
  readonly threads: { main: number; top: number; rest: number; others: number[] }[];
}

async function localnetFigure(): Promise<LocalnetFigure> {
  const net = await Localnet.create(V, 0, { compiled: !FROM_SOURCE, mempool: MEMPOOL });
  try {
    configureNodes(net, COMET, PPROF_DIR !== undefined);
    if (MEMPOOL === "app" && !GOSSIP_RELAY) {
      for (const n of net.info.nodes) {
        const path = join(n.home, "gossip.json");
        const g = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
        writeFileSync(path, JSON.stringify({ ...g, relay: false }));
      }
    }
    if (ABCI === "grpc" && ABCI_NODES !== undefined) {
      for (const i of ABCI_NODES) editCometConfig(join(net.info.nodes[i]!.home, "comet"), { abci: '"grpc"' });
    }
    startNodes(
      net,
      ALT_BIN,
      ALT_NODES,
      NODE_PROF === undefined ? undefined : { dir: NODE_PROF, nodes: NODE_PROF_NODES },
      NODE_FLAGS === undefined ? undefined : { args: NODE_FLAGS.split(" "), nodes: NODE_FLAGS_NODES },
    );
    if (!(await net.waitHeight([...Array(V).keys()], 2, 120_000))) throw new Error("localnet did not start");
    const chainId = net.info.chainId;
    const w0 = new Wallet(DEV_MNEMONICS.a);
    const c0 = new SecretNetworkClient({ url: net.rest(0), chainId, wallet: w0, walletAddress: w0.address });
    const gas = { broadcastCheckIntervalMs: 200 };
    const up = await c0.tx.compute.storeCode(
      { sender: w0.address, wasm_byte_code: COUNTER, source: "", builder: "" },
      { ...gas, gasLimit: 5_000_000 },
    );
    if (up.code !== TxResultCode.Success) throw new Error(up.rawLog);
    const codeId = up.arrayLog?.find((l) => l.type === "message" && l.key === "code_id")?.value ?? "";
    const inst = await c0.tx.compute.instantiateContract(
      { sender: w0.address, code_id: codeId, code_hash: COUNTER_HASH, label: "c", init_msg: { count: 0 } },
      { ...gas, gasLimit: 1_000_000 },
    );
    if (inst.code !== TxResultCode.Success) throw new Error(inst.rawLog);
    const contract =
      inst.arrayLog?.find((l) => l.type === "message" && l.key === "contract_address")?.value ?? "";
    const rest = async (path: string): Promise<any> => (await fetch(`${net.rest(0)}${path}`)).json();
    const key = new Uint8Array(
      Buffer.from(((await rest("/registration/v1beta1/tx-key")) as { key: string }).key, "base64"),
    );
    // More senders than the DevEngine run: each sender waits for its CheckTx before sending its next tx, so
    // senders in parallel are what keeps the nodes' mempools full. The validators' operators are funded too.
    const mnemonics = [
      ...ACCOUNTS.map((a) => DEV_MNEMONICS[a]),
      DEV_MNEMONICS.validator,
      ...net.info.nodes.map((n) => readFileSync(join(n.home, "operator.mnemonic"), "utf8").trim()),
    ];
    const keys: [string, number][] = mnemonics.map((m) => [m, 0]);
    for (let i = 1; keys.length < SENDERS; i++) keys.push([DEV_MNEMONICS.a, i]);
    const extra = keys.slice(mnemonics.length).map(([m, i]) => new Wallet(m, { hdAccountIndex: i }).address);
    if (extra.length > 0) {
      const coins = (n: number) => [{ denom: "uscrt", amount: String(BigInt(EXTRA_FUNDS) * BigInt(n)) }];
      const funded = await c0.tx.bank.multiSend(
        {
          inputs: [{ address: w0.address, coins: coins(extra.length) }],
          outputs: extra.map((address) => ({ address, coins: coins(1) })),
        },
        { ...gas, gasLimit: 100_000 + 30_000 * extra.length },
      );
      if (funded.code !== TxResultCode.Success) throw new Error(funded.rawLog);
    }
    const signers = await Promise.all(
      keys.map(async ([m, i]) => {
        const addr = new Wallet(m, { hdAccountIndex: i }).address;
        const { account } = (await rest(`/cosmos/auth/v1beta1/accounts/${addr}`)) as {
          account: { account_number: string; sequence: string };
        };
        const s = offlineSigner(m, chainId, key, Number(account.account_number), i);
        s.sequence = Number(account.sequence);
        return s;
      }),
    );
    if (WARMUP > 0) {
      const warm = await submitAndTrack(
        net,
        await signIncrements(signers, contract, WARMUP, chainId),
        await net.height(0),
        SUBMIT,
      );
      console.log(`warm-up: ${warm.committed} txs committed, ${f(warm.tps)} tx/s`);
    }
    const per = await signIncrements(signers, contract, N, chainId);
    const h0 = await net.height(0);
    const mono0 = process.hrtime.bigint();
    const meterPids = METER_NODES === undefined ? undefined : METER_NODES.map((i) => pidOf(net.node(i)) ?? 0);
    const abci0 = ABCI_METER ? await abciCpuMs(meterPids) : new Map<string, number>();
    const threads0 = nodeThreadCpuMs();
    const pids = cometPids(net);
    const comet0 = pidsCpuMs(pids);
    const cpu0 = descendantCpuMs();
    const machine0 = machineCpuMs();
    const self0 = process.cpuUsage();
    const t0 = performance.now();
    const profiles =
      PPROF_DIR === undefined
        ? undefined
        : profileNodes(net, [...net.info.nodes.keys()], PPROF_SECONDS, PPROF_DIR);
    const r = await submitAndTrack(net, per, h0, SUBMIT);
    // tx/s is node 0's view (up to its execution of the last block); the CPU window ends when every node has
    // executed the last block too (its results exist: a decided block is stored before FinalizeBlock runs, so
    // waiting for the height alone left a big final block's execution out of the window; session 16).
    const last = r.timeline.at(-1)?.height ?? h0;
    await waitExecuted(net, [...Array(V).keys()], last, 60_000);
    const wallMs = performance.now() - t0;
    if (NODE_PROF !== undefined) writeWindow(NODE_PROF, mono0, process.hrtime.bigint());
    const cpu = cpuDelta(cpu0, descendantCpuMs());
    const m1 = machineCpuMs();
    const self = process.cpuUsage(self0);
    const machine = {
      busy: m1.busy - machine0.busy,
      idle: m1.idle - machine0.idle,
      bench: (self.user + self.system) / 1000,
    };
    const cometByNode = pidsCpuMs(pids).map((v, i) => v - (comet0[i] ?? 0));
    const nodePids = net.info.nodes.map((n) => pidOf(n) ?? 0);
    const threads = threadSplit(threads0, nodeThreadCpuMs(), nodePids);
    if (profiles !== undefined) console.log(`CometBFT CPU profiles: ${(await profiles).join(", ")}`);
    const abci = ABCI_METER ? cpuDelta(abci0, await abciCpuMs(meterPids)) : new Map<string, number>();
    const blocks = (await net.height(0)) - h0;
    const bad = await r.failedInBlocks(); // result codes, read after the measured phase
    return {
      committed: r.committed - bad,
      failed: r.failed + bad,
      tps: r.tps,
      p50: r.p50,
      p99: r.p99,
      blocks,
      senders: signers.length,
      cpu,
      machine,
      wallMs,
      abci,
      cometByNode,
      broadcastMs: r.broadcastMs,
      timeline: r.timeline,
      threads,
    };
  } finally {
    await net.close();
  }
}

async function main(): Promise<void> {
  console.log(
    `bench:localnet N=${N} encrypted counter increments, ${V} validators, nodes run ${FROM_SOURCE ? "the sources (tsx)" : "a compiled copy (tsc)"}`,
  );
  if (Object.keys(COMET).length > 0) console.log(`CometBFT config overrides: ${JSON.stringify(COMET)}`);
  console.log(
    (MEMPOOL === "app"
      ? `mempool: app (CometBFT mempool.type = "nop"; tx gossip between nodes, relay ${GOSSIP_RELAY ? "on" : "off"})`
      : "mempool: comet (CometBFT's flood mempool)") +
      (SUBMIT === "rest"
        ? "; txs via each node's REST broadcast"
        : `; txs via broadcast_tx_sync on each node's RPC port (${MEMPOOL === "app" ? "the node's RPC front" : "CometBFT's"})`),
  );
  if (ALT_BIN !== undefined) console.log(`nodes ${ALT_NODES.join(", ")} run CometBFT ${ALT_BIN}`);
  if (ABCI === "grpc")
    console.log(`ABCI over gRPC on nodes ${ABCI_NODES?.join(", ") ?? "all"} (others: socket)`);
  if (NODE_FLAGS !== undefined) console.log(`nodes ${NODE_FLAGS_NODES.join(", ")} run node ${NODE_FLAGS}`);
  const dev = await devEngineFigure();
  console.log(
    `DevEngine: ${dev.txs} txs, ${f(dev.tps)} tx/s (blocks of 500, block p50 ${f(dev.blockP50)} ms)`,
  );
  const ln = await localnetFigure();
  console.log(`senders: DevEngine ${ACCOUNTS.length} (pre-signed, fed directly), localnet ${ln.senders}`);
  console.log(`\nengine | txs | tx/s | latency p50 ms | latency p99 ms | failed | target`);
  console.log(`--- | --- | --- | --- | --- | --- | ---`);
  console.log(`DevEngine (in-process, 1 node) | ${dev.txs} | ${f(dev.tps)} | — | — | 0 | —`);
  console.log(
    `${V}-validator localnet | ${ln.committed} | ${f(ln.tps)} | ${f(ln.p50)} | ${f(ln.p99)} | ${ln.failed} | ≥ ${TARGET}/s`,
  );
  console.log(
    `\nlocalnet ÷ DevEngine: ${f(ln.tps / dev.tps, 2)} ; localnet ÷ target: ${f(ln.tps / TARGET, 2)} ; ${ln.blocks} blocks`,
  );
  // Whether the localnet is CPU-bound: its processes' CPU over the load phase vs the machine's cores.
  const total = [...ln.cpu.values()].reduce((a, b) => a + b, 0);
  const parts = [...ln.cpu].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${f(v / ln.committed, 2)}`);
  console.log(
    `localnet processes, CPU ms per committed tx (all ${V} nodes): ${parts.join(", ")}; total ${f(total / ln.committed, 2)}; ` +
      `${f(total / ln.wallMs, 2)} cores busy on average over ${f(ln.wallMs / 1000, 1)} s (machine: ${availableParallelism()})`,
  );
  const cores = (ms: number): string => f(ms / ln.wallMs, 2);
  console.log(
    `machine over the load (cores): localnet ${cores(total)}, this bench (senders, tracker) ${cores(ln.machine.bench)}, ` +
      `other work ${cores(ln.machine.busy - total - ln.machine.bench)}, ` +
      `idle ${cores(ln.machine.idle)}; idle near 0 = the localnet was short of CPU, not of pipeline`,
  );
  const b = ln.broadcastMs;
  console.log(
    `broadcast_tx_sync round trip ms: p50 ${f(b.p50, 1)}, p99 ${f(b.p99, 1)}, mean ${f(b.mean, 1)}; blocks (our txs @ s): ` +
      ln.timeline.map((t) => `${t.txs}@${f(t.atMs / 1000, 2)}`).join(" "),
  );
  console.log(
    `CometBFT CPU ms per committed tx by node (node 0 serves the tracker's polling): ` +
      ln.cometByNode.map((v, i) => `node${i} ${f(v / ln.committed, 2)}`).join(", "),
  );
  const perTx = (x: number): string => f(x / ln.committed, 2);
  console.log(
    `node threads, CPU ms per committed tx (main / enclave worker = busiest other / rest): ` +
      ln.threads.map((t, i) => `node${i} ${perTx(t.main)} / ${perTx(t.top)} / ${perTx(t.rest)}`).join(", "),
  );
  console.log(
    `node threads other than main, CPU ms over the load, busiest first: ` +
      ln.threads.map((t, i) => `node${i} [${t.others.filter((x) => x > 0).join(" ")}]`).join(", "),
  );
  if (!ABCI_METER) return;
  // Where the node processes' CPU goes, by ABCI request kind (src/consensus/abciCpu.ts); "other" = REST, RPC-facing
  // work, GC and idle-loop work outside the ABCI handlers.
  const tot = ln.abci.get("process total") ?? 0;
  const slots = [...ln.abci].filter(([k]) => k !== "process total" && !k.startsWith("calls:"));
  const inAbci = slots.reduce((a, [, v]) => a + v, 0);
  const split = [...slots, ["other (outside ABCI)", tot - inAbci] as const]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${f(v / ln.committed, 3)}`);
  console.log(
    `node CPU ms per committed tx by ABCI method (all ${V} nodes): ${split.join(", ")}; total ${f(tot / ln.committed, 2)}`,
  );
  const calls = [...ln.abci]
    .filter(([k, v]) => k.startsWith("calls:") && v > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k.slice(6)} ${f(v)}`);
  console.log(`ABCI calls over the load (all ${V} nodes): ${calls.join(", ")}`);
}

await main();
