// The compute engine's host side of one execute call, two trees in one process (session 13, N2): each tree's
// ComputeEngine (its real ComputeKeeper over a gas-metered overlay, as a tx's context has it) makes K calls of a
// SNIP-20-transfer-shaped request (sig_info with the sign bytes and tx bytes of a real-sized tx, a 400-byte
// encrypted msg, the contract key, the block random) against a stand-in enclave that answers at once with a
// transfer-shaped answer and makes no OCALL. What is timed is the host's own work before and after the ECALL
// (message counter, request encode, OCALL handler set-up, answer decode), the part of the gap between execute
// ECALLs that lives in engine.ts. Trees alternate by round (new, base, base, new, …; round 0 of each dropped);
// every request byte is compared between the trees. Prints main-thread CPU µs per call (schedstat) and the
// median new ÷ base per pair.
// Run: node --import tsx bench/chain/engineCallAB.ts <base tree> <new tree> [rounds] [calls]
import { resolve } from "node:path";
import { threadCpuNs as threadNs } from "../threadCpu.js";

const [baseDir, newDir] = [process.argv[2], process.argv[3]];
if (baseDir === undefined || newDir === undefined) {
  console.error(
    "usage: node --import tsx bench/chain/engineCallAB.ts <base tree> <new tree> [rounds] [calls]",
  );
  process.exit(2);
}
const ROUNDS = Number(process.argv[4] ?? 12);
const K = Number(process.argv[5] ?? 20_000);

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
  /** One call; returns the request bytes the enclave was sent. */
  call(): Uint8Array;
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
  return {
    name,
    call() {
      const meter = new GasMeter(5_000_000n);
      const ctx = {
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
      engine.call(ctx, r, engine.vmGasLimit(ctx));
      return sent;
    },
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
    const us = (threadNs() - t0) / 1000 / K;
    if (round > 0) per[t.name]!.push(us);
  }
}
const ratios = per.new!.map((n, i) => n / per.base![i]!).sort((x, y) => x - y);
const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
console.log(
  `engine.call host µs: base median ${med(per.base!).toFixed(2)}, new median ${med(per.new!).toFixed(2)}; new ÷ base median ${med(ratios).toFixed(3)} (${ratios.filter((x) => x < 1).length}/${ratios.length} pairs < 1)`,
);
