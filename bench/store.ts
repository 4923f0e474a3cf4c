// Store benchmark: block commit time (2 writes × 1,000 txs) over 1k vs 1M existing keys, the 1M/1k throughput
// ratio (target ≥ 70%), point reads/s, iteration and proofs.
// Run: node --import tsx bench/store.ts [small large [pageSize [walAutocheckpoint]]]   (default 1000 1000000)
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_PAGE_SIZE, openStore } from "../src/chain/store/store.js";
import type { Store, StoreOptions } from "../src/chain/store/store.js";
import { sortByKey } from "../src/chain/store/memory.js";
import { prng } from "../src/chain/store/testkit.js";
import type { KVWrite } from "../src/chain/store/types.js";

const TXS_PER_BLOCK = 1000;
const WRITES_PER_TX = 2;
const BLOCKS = 20;
const WARMUP = 3;
const READS = 50_000;
const SETUP_BATCH = 200_000;

/** A bank-balance-like key: 0x02 | len 20 | 20-byte address | "uscrt" (≈ 27 bytes). */
function balanceKey(i: number): Uint8Array {
  const k = new Uint8Array(27);
  k[0] = 0x02;
  k[1] = 20;
  const dv = new DataView(k.buffer);
  for (let w = 0; w < 5; w++) dv.setUint32(2 + 4 * w, Math.imul(i + 1, 0x9e3779b1 + w * 0x85ebca6b) >>> 0);
  k.set([0x75, 0x73, 0x63, 0x72, 0x74], 22);
  return k;
}

function balanceValue(rnd: () => number): Uint8Array {
  const v = new Uint8Array(40); // a Coin protobuf is ~20–40 bytes
  for (let j = 0; j < v.length; j++) v[j] = rnd() & 0xff;
  return v;
}

/**
 * Builds the existing keys in sorted batches (bounded memory and GC), without an undo log, then reopens the
 * store with the configuration the blocks run under.
 */
function setup(dir: string, existing: number, options: StoreOptions): Store {
  const builder = openStore(dir, { ...options, keepRecent: 1 });
  const rnd = prng(existing);
  let h = 0;
  for (let from = 0; from < existing; from += SETUP_BATCH) {
    const writes: KVWrite[] = [];
    for (let i = from; i < Math.min(existing, from + SETUP_BATCH); i++)
      writes.push([balanceKey(i), balanceValue(rnd)]);
    builder.commit(++h, sortByKey(writes));
  }
  builder.close();
  return openStore(dir, { ...options, keepRecent: 100 });
}

interface Phase {
  writes: number;
  /** user+system CPU ms: robust to other processes on a loaded shared machine, unlike wall time. */
  cpu: number;
  exec: number;
  prepare: number;
  commit: number;
}

/** One block as the app runs it: txs read+write balances in an overlay; FinalizeBlock prepares; Commit. */
function runBlock(store: Store, existing: number, rnd: () => number): Phase {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const overlay = store.newOverlay();
  for (let t = 0; t < TXS_PER_BLOCK; t++) {
    for (let w = 0; w < WRITES_PER_TX; w++) {
      const key = balanceKey(rnd() % existing);
      overlay.get(key); // the old balance
      overlay.set(key, balanceValue(rnd));
    }
  }
  const writes = overlay.pendingWrites();
  const t1 = performance.now();
  const prepared = store.prepare(store.info().lastHeight + 1, writes);
  const t2 = performance.now();
  store.commitPrepared(prepared);
  const t3 = performance.now();
  const c = process.cpuUsage(c0);
  return {
    exec: t1 - t0,
    prepare: t2 - t1,
    commit: t3 - t2,
    writes: writes.length,
    cpu: (c.user + c.system) / 1000,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function reads(
  store: Store,
  existing: number,
): { getsPerSec: number; iterRowsPerSec: number; proveMs: number } {
  const rnd = prng(99);
  let t = performance.now();
  for (let i = 0; i < READS; i++) store.committed.get(balanceKey(rnd() % existing));
  const getsPerSec = READS / ((performance.now() - t) / 1000);
  t = performance.now();
  let rows = 0;
  for (const _ of store.committed.iterate(new Uint8Array([0x02]), new Uint8Array([0x03]))) {
    if (++rows >= 10_000) break;
  }
  const iterRowsPerSec = rows / ((performance.now() - t) / 1000);
  t = performance.now();
  for (let i = 0; i < 200; i++) store.prove(balanceKey(rnd() % existing));
  return { getsPerSec, iterRowsPerSec, proveMs: (performance.now() - t) / 200 };
}

function main(): void {
  const args = process.argv.slice(2).map(Number);
  const [small, large, pageSize, walAutocheckpoint] = args.length >= 2 ? args : [1_000, 1_000_000];
  const root = mkdtempSync(join(tmpdir(), "shroud-bench-store-"));
  try {
    let t = performance.now();
    const options: StoreOptions = {
      pageSize: pageSize ?? DEFAULT_PAGE_SIZE,
      ...(walAutocheckpoint === undefined ? {} : { walAutocheckpoint }),
    };
    const a = setup(join(root, "small"), small!, options);
    const b = setup(join(root, "large"), large!, options);
    console.log(`setup: ${small} + ${large} keys in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    // Alternate blocks so load from other processes on this shared machine hits both sizes alike.
    const ra = prng(1);
    const rb = prng(2);
    const pa: Phase[] = [];
    const pb: Phase[] = [];
    for (let i = 0; i < WARMUP + BLOCKS; i++) {
      const x = runBlock(a, small!, ra);
      const y = runBlock(b, large!, rb);
      if (i >= WARMUP) {
        pa.push(x);
        pb.push(y);
      }
    }
    const report = (name: string, n: number, ps: Phase[], s: Store): [number, number] => {
      const total = median(ps.map((p) => p.exec + p.prepare + p.commit));
      const writes = median(ps.map((p) => p.writes));
      const r = reads(s, n);
      const size = statSync(join(root, name, "state.sqlite")).size / 2 ** 20;
      const wps = writes / (total / 1000);
      const cpu = median(ps.map((p) => p.cpu));
      console.log(
        `${String(n).padStart(9)} keys: block of ${writes} distinct writes ${total.toFixed(1)} ms ` +
          `(exec ${median(ps.map((p) => p.exec)).toFixed(1)}, app hash ${median(ps.map((p) => p.prepare)).toFixed(1)}, ` +
          `commit ${median(ps.map((p) => p.commit)).toFixed(1)}; cpu ${cpu.toFixed(1)}) → ${Math.round(wps)} writes/s ` +
          `(${Math.round(writes / (cpu / 1000))} per cpu-s); ` +
          `gets ${Math.round(r.getsPerSec)}/s; iterate ${Math.round(r.iterRowsPerSec)} rows/s; ` +
          `prove ${r.proveMs.toFixed(2)} ms; db ${size.toFixed(0)} MiB`,
      );
      return [wps, writes / (cpu / 1000)];
    };
    const wa = report("small", small!, pa, a);
    const wb = report("large", large!, pb, b);
    // Throughput per distinct write: 2,000 writes over 1k keys collapse to ~865 distinct ones.
    console.log(
      `throughput ratio ${large}/${small}: wall ${((wb[0] / wa[0]) * 100).toFixed(0)}%, ` +
        `cpu ${((wb[1] / wa[1]) * 100).toFixed(0)}% (target ≥ 70%)`,
    );
    a.close();
    b.close();
    t = performance.now();
    const again = openStore(join(root, "large"));
    console.log(
      `reopen ${large} keys (rebuild in-memory tree top): ${(performance.now() - t).toFixed(0)} ms`,
    );
    again.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main();
