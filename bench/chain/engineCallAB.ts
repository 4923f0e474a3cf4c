// The compute engine's host side of one execute call, two trees in one process (session 13, N2): each tree's
// ComputeEngine (its real ComputeKeeper over a gas-metered overlay, as a tx's context has it) makes K calls of a
// SNIP-20-transfer-shaped request (sig_info with the sign bytes and tx bytes of a real-sized tx, a 400-byte
// encrypted msg, the contract key, the block random) against a stand-in enclave that answers at once with a
// transfer-shaped answer and makes no OCALL. What is timed is the host's own work before and after the ECALL
// (message counter, request encode, OCALL handler set-up, answer decode), the part of the gap between execute
// ECALLs that lives in engine.ts. Trees alternate by round (new, base, base, new, …; round 0 of each dropped);
// every request byte is compared between the trees. Prints main-thread CPU µs per call (schedstat) and the
// median new ÷ base per pair. `--prepared` (session 14, P3): each call is first prepared (prepareRequest over the
// call's context, as the app's prepared calls do in the previous ECALL's wait), and what is printed is the call's
// own CPU: (prepare + call) − (prepare alone), two loops per tree and round.
// Run: node --import tsx bench/chain/engineCallAB.ts <base tree> <new tree> [rounds] [calls] [--prepared]
import { resolve } from "node:path";
import { threadCpuNs as threadNs } from "../threadCpu.js";

const PREPARED = process.argv.includes("--prepared");
const argv = process.argv.filter((a) => a !== "--prepared");
const [baseDir, newDir] = [argv[2], argv[3]];
if (baseDir === undefined || newDir === undefined) {
  console.error(
    "usage: node --import tsx bench/chain/engineCallAB.ts <base tree> <new tree> [rounds] [calls]",
  );
  process.exit(2);
}
const ROUNDS = Number(argv[4] ?? 12);
const K = Number(argv[5] ?? 20_000);

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const ANSWER = new TextEncoder().encode(
  JSON.stringify({
    op: "execute",
    ok: {
      messages: [],
      attributes: [],
      events: [],
      data: Buffer.from(bytes(120, 3)).toString("base64"),
      log: [],
    },
  }),
);

interface Tree {
  name: string;
  /** One call (prepared first with `--prepared`); returns the request bytes the enclave was sent. */
  call(): Uint8Array;
  /** The prepare alone (`--prepared`: subtracted from call's time). */
  prepare(): void;
}

async function loadTree(name: string, dir: string): Promise<Tree> {
  const root = resolve(dir);
  const eng = await import(`${root}/src/chain/modules/compute/engine.ts`);
  const { ComputeKeeper } = await import(`${root}/src/chain/modules/compute/keeper.ts`);
  const { MemoryKVStore, MemoryOverlay } = await import(`${root}/src/chain/store/memory.ts`);
  const { GasKVStore, GasMeter, SECRET_KV_GAS_CONFIG } = await import(`${root}/src/chain/gas.ts`);
  const { EventManager } = await import(`${root}/src/chain/tx/context.ts`);
  let sent: Uint8Array = new Uint8Array();
  const enclave = {
    ecall(_op: string, payload: Uint8Array) {
      sent = payload;
      return { ok: ANSWER, gasUsed: 1_500_000n };
    },
  };
  const random = bytes(32, 9);
  const keeper = new ComputeKeeper();
  const engine = new eng.ComputeEngine(
    enclave,
    keeper,
    {},
    {
      blockRandom: () => random,
      txOf: () => undefined,
    },
  );
  const block = new MemoryOverlay(new MemoryKVStore());
  const txHash = bytes(32, 5);
  const r = {
    op: "execute",
    contract: bytes(20, 1),
    code: { codeId: 1n, codeHash: "ab".repeat(32), creator: "", source: "", builder: "" },
    sender: "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03",
    funds: [],
    msg: bytes(400, 2),
    contractKey: { og: bytes(64, 4) },
    sigInfo: { signMode: 1, signBytes: bytes(620, 6), signature: bytes(64, 7), txBytes: bytes(760, 8) },
    queryDepth: 0,
  };
  // The call's own request as the msg server builds it: the sign bytes and the contract key are made again (equal
  // bytes, other arrays), the msg and the tx's bytes and signature are the decoded tx's.
  const rCall = {
    ...r,
    contractKey: { og: bytes(64, 4) },
    sigInfo: { ...r.sigInfo, signBytes: bytes(620, 6) },
  };
  const ctxOf = () => {
    const meter = new GasMeter(5_000_000n);
    return {
      store: new GasKVStore(new MemoryOverlay(block), meter, SECRET_KV_GAS_CONFIG),
      gasMeter: meter,
      events: new EventManager(),
      chainId: "secretdev-1",
      blockHeight: 100n,
      blockTimeNs: 1_700_000_000_000_000_000n,
      txHash,
      txIndex: 3,
      isCheckTx: false,
      simulate: false,
    };
  };
  // The prepare reads through its own unmetered context in the app (prepareAhead.ts); here a fresh one.
  const prepare = (): void => void engine.prepareRequest(ctxOf(), r);
  return {
    name,
    call() {
      if (PREPARED) prepare();
      const ctx = ctxOf();
      engine.call(ctx, rCall, engine.vmGasLimit(ctx));
      return sent;
    },
    prepare,
  };
}

const trees = [await loadTree("base", baseDir), await loadTree("new", newDir)];
const a = trees[0]!.call();
const b = trees[1]!.call();
if (Buffer.compare(a, b) !== 0) throw new Error("the trees sent different requests");
const per: Record<string, number[]> = { base: [], new: [] };
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? [trees[1]!, trees[0]!] : [trees[0]!, trees[1]!];
  for (const t of order) {
    const t0 = threadNs();
    for (let i = 0; i < K; i++) t.call();
    let us = (threadNs() - t0) / 1000 / K;
    if (PREPARED) {
      const t1 = threadNs();
      for (let i = 0; i < K; i++) t.prepare();
      us -= (threadNs() - t1) / 1000 / K;
    }
    if (round > 0) per[t.name]!.push(us);
  }
}
const ratios = per.new!.map((n, i) => n / per.base![i]!).sort((x, y) => x - y);
const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
console.log(
  `engine.call host µs${PREPARED ? " (prepared: (prepare + call) − prepare)" : ""}: base median ${med(per.base!).toFixed(2)}, new median ${med(per.new!).toFixed(2)}; new ÷ base median ${med(ratios).toFixed(3)} (${ratios.filter((x) => x < 1).length}/${ratios.length} pairs < 1)`,
);
