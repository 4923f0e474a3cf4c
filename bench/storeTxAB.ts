// The store's share of a SNIP-20 transfer, two trees in one process (session 11, H3): each tree's
// `src/chain/store`, `GasKVStore` and `PrefixStore` run the same SNIP-20-shaped transfers on their own on-disk
// store (11,000 keys of genesis), 500-transfer blocks, the trees alternated by round (first round dropped).
// Per transfer, as counted on bench:chain's node: the ante's account and fee-balance read + write through the
// metered store (3 + 3), then the contract's prefixed view: 12 reads (prefixed keys of 61–99 bytes), 7 writes
// (81–108-byte keys, values that are views into a 2,358-byte frame) and 7 deletes of never-written keys; the
// message cache flushed into the ante cache, that into the block overlay; then the block's prepare and commit.
// Prints medians, ms of CPU per transfer: main thread (schedstat) for the tx's overlay calls, the process for
// the same (V8 helpers included), prepare and commit.
// Run: node --import tsx bench/storeTxAB.ts <base tree> <new tree> [rounds]   (trees: repo roots, e.g. worktrees)
import { mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const [baseDir, newDir] = [process.argv[2], process.argv[3]];
if (baseDir === undefined || newDir === undefined) {
  console.error("usage: node --import tsx bench/storeTxAB.ts <base tree> <new tree> [rounds]");
  process.exit(2);
}
const ROUNDS = Number(process.argv[4] ?? 10);
const TXS = 500;
const BLOCKS = 4;

const schedstat = openSync("/proc/thread-self/schedstat", "r");
const statBuf = Buffer.alloc(64);
let lastProcessNs = 0;
/** This thread's ns on CPU, exact (getrusage first brings it up to date); also samples the process's CPU. */
function threadNs(): number {
  const u = process.cpuUsage();
  lastProcessNs = (u.user + u.system) * 1000;
  const n = readSync(schedstat, statBuf, 0, 64, 0);
  return Number(statBuf.toString("latin1", 0, n).split(" ")[0]);
}

interface Bytes {
  readonly length: number;
}
interface Overlay {
  readonly size: number;
  write(): void;
  pendingWrites(): unknown[];
}
interface Impl {
  openStore(
    dir: string,
    o: object,
  ): {
    committed: unknown;
    prepare(h: number, w: unknown[]): unknown;
    commitPrepared(p: unknown): void;
    commit(h: number, w: unknown[]): void;
    close(): void;
  };
  MemoryOverlay: new (parent: unknown) => Overlay & { set(k: Bytes, v: Bytes): void };
  GasKVStore: new (
    parent: unknown,
    meter: unknown,
  ) => {
    get(k: Uint8Array): unknown;
    set(k: Uint8Array, v: Uint8Array): void;
  };
  GasMeter: new (limit: bigint) => unknown;
  PrefixStore: new (
    parent: unknown,
    prefix: Uint8Array,
  ) => {
    get(k: Uint8Array): unknown;
    set(k: Uint8Array, v: Uint8Array): void;
    delete(k: Uint8Array): void;
  };
}

async function load(dir: string): Promise<Impl> {
  const root = resolve(dir);
  const store = (await import(join(root, "src/chain/store/store.ts"))) as Pick<Impl, "openStore">;
  const memory = (await import(join(root, "src/chain/store/memory.ts"))) as Pick<Impl, "MemoryOverlay">;
  const gas = (await import(join(root, "src/chain/gas.ts"))) as Pick<Impl, "GasKVStore" | "GasMeter">;
  const ctx = (await import(join(root, "src/chain/tx/context.ts"))) as Pick<Impl, "PrefixStore">;
  return {
    openStore: store.openStore,
    MemoryOverlay: memory.MemoryOverlay,
    GasKVStore: gas.GasKVStore,
    GasMeter: gas.GasMeter,
    PrefixStore: ctx.PrefixStore,
  };
}

/** Deterministic filler bytes (an LCG; bench data only). */
function bytes(seed: number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    b[i] = a >>> 24;
  }
  return b;
}

const ACCOUNT_KEY = bytes(7, 25);
const BALANCE_KEY = bytes(8, 32);
const FEE_KEY = bytes(9, 32);
const SENDER = bytes(11, 40);
const CONTRACT_PREFIX = bytes(3, 29);
const DATA = Array.from({ length: 2048 }, (_, t) => ({
  account: bytes(t, 161),
  balance: bytes(t + 1, 8),
  fee: bytes(t + 2, 8),
  frame: bytes(t * 3 + 5, 2358),
  recipient: bytes(t * 13 + 17, 40),
}));
const READS: readonly (readonly [number, number])[] = [
  [32, 1],
  [32, 2],
  [50, 3],
  [50, 4],
  [52, 5],
  [52, 6],
  [69, 7],
  [69, 8],
  [69, 9],
  [70, 10],
  [70, 11],
  [70, 12],
];
const WRITES: readonly (readonly [number, number, boolean])[] = [
  [52, 59, false],
  [69, 72, true],
  [69, 57, false],
  [70, 59, true],
  [70, 72, false],
  [79, 328, true],
  [79, 328, false],
];

class Node {
  private readonly dir = mkdtempSync(join(tmpdir(), "shroud-storeab-"));
  private readonly store;
  private block: Overlay;
  private height = 1;
  private tx = 0;

  constructor(
    private readonly impl: Impl,
    readonly name: string,
  ) {
    this.store = impl.openStore(this.dir, { keepRecent: 100 });
    const g = new impl.MemoryOverlay(this.store.committed);
    for (let i = 0; i < 11000; i++) g.set(bytes(i + 1, 25 + (i % 70)), bytes(i + 99999, 8 + (i % 150)));
    this.store.commit(1, g.pendingWrites());
    this.block = new impl.MemoryOverlay(this.store.committed);
  }

  transfer(): void {
    const I = this.impl;
    const t = this.tx++;
    const d = DATA[t % DATA.length]!;
    const meter = new I.GasMeter(10_000_000n);
    const ante = new I.MemoryOverlay(this.block);
    const anteStore = new I.GasKVStore(ante, meter);
    anteStore.get(ACCOUNT_KEY);
    anteStore.set(ACCOUNT_KEY, d.account);
    anteStore.get(BALANCE_KEY);
    anteStore.set(BALANCE_KEY, d.balance);
    anteStore.get(FEE_KEY);
    anteStore.set(FEE_KEY, d.fee);
    const msg = new I.MemoryOverlay(ante);
    const st = new I.PrefixStore(new I.GasKVStore(msg, meter), CONTRACT_PREFIX);
    const recipient = d.recipient.slice();
    recipient[0] = t >>> 24;
    recipient[1] = t >>> 16;
    recipient[2] = t >>> 8;
    recipient[3] = t;
    for (const [len, s] of READS)
      st.get(s % 3 === 0 ? recipient.subarray(0, 32) : d.frame.subarray(s * 10, s * 10 + len));
    let off = 100;
    for (const [kl, vl, toRecipient] of WRITES) {
      const k = new Uint8Array(kl);
      k.set(toRecipient ? recipient : SENDER);
      k[kl - 1] = kl;
      st.set(k, d.frame.subarray(off, off + vl));
      off += vl;
    }
    for (let i = 0; i < 7; i++) st.delete(d.frame.subarray(1000 + i * 32, 1032 + i * 32));
    msg.write();
    ante.write();
  }

  endBlock(): { prepare: number; commit: number } {
    const t0 = threadNs();
    const p = this.store.prepare(++this.height, this.block.pendingWrites());
    const t1 = threadNs();
    this.store.commitPrepared(p);
    const t2 = threadNs();
    this.block = new this.impl.MemoryOverlay(this.store.committed);
    return { prepare: t1 - t0, commit: t2 - t1 };
  }

  close(): void {
    this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const KEYS = ["tx main", "tx process", "prepare", "commit"] as const;

async function main(): Promise<void> {
  const nodes = [new Node(await load(baseDir!), "base"), new Node(await load(newDir!), "new")];
  const res = new Map(nodes.map((n) => [n.name, new Map(KEYS.map((k) => [k, [] as number[]]))]));
  for (let r = 0; r <= ROUNDS; r++) {
    for (const n of r % 2 === 0 ? nodes : [...nodes].reverse()) {
      let main = 0;
      let proc = 0;
      let prepare = 0;
      let commit = 0;
      for (let b = 0; b < BLOCKS; b++) {
        const t0 = threadNs();
        const p0 = lastProcessNs;
        for (let i = 0; i < TXS; i++) n.transfer();
        main += threadNs() - t0;
        proc += lastProcessNs - p0;
        const e = n.endBlock();
        prepare += e.prepare;
        commit += e.commit;
      }
      if (r === 0) continue; // warm-up
      const per = (ns: number): number => ns / 1e6 / (TXS * BLOCKS);
      const m = res.get(n.name)!;
      m.get("tx main")!.push(per(main));
      m.get("tx process")!.push(per(proc));
      m.get("prepare")!.push(per(prepare));
      m.get("commit")!.push(per(commit));
    }
  }
  const median = (a: number[]): number => {
    const s = [...a].sort((x, y) => x - y);
    return (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
  };
  console.log(`ms CPU per transfer, medians of ${ROUNDS} rounds of ${BLOCKS} × ${TXS} (base → new)`);
  for (const k of KEYS) {
    const [b, n] = ["base", "new"].map((t) => res.get(t)!.get(k)!);
    console.log(
      `${k.padEnd(11)} ${median(b!).toFixed(4)} → ${median(n!).toFixed(4)}   base ${b!.map((x) => x.toFixed(4)).join(" ")} | new ${n!.map((x) => x.toFixed(4)).join(" ")}`,
    );
  }
  for (const n of nodes) n.close();
}

void main();
