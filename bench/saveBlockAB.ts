// Block store A/B: captures the saveBlock calls of real SNIP-20 blocks (a 1k-account chain, `--warmup W` transfers
// first, then `--blocks N` blocks of `--block B`), then replays them into fresh block stores of this tree and of
// `--base-tree DIR` (DIR/src/consensus/blockStore.ts) in alternating rounds (new, base, base, new, …; one store
// per tree kept across rounds, so its tables grow as a running node's do), printing
// main-thread CPU per transfer of each round and new ÷ base per pair, and checks both stores' rows are identical.
// Run: node --import tsx bench/saveBlockAB.ts --base-tree DIR [--rounds R] [--block B] [--blocks N] [--warmup W]
//      [--save FILE | --load FILE]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { deserialize, serialize } from "node:v8";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { BlockStore } from "../src/consensus/blockStore.js";
import { startNode, threadCpuMs } from "./chain/setup.js";
import { runTxs } from "./chain/run.js";
import { deploySnip20, signTransfers } from "./chain/snip20.js";
import { arg } from "./chain/cli.js";

const R = arg("--rounds", 10);
const B = arg("--block", 500);
const N = arg("--blocks", 4);
const W = arg("--warmup", 1000);
/** `--save FILE` writes the captured calls (v8.serialize); `--load FILE` replays them without running a chain. */
const opt = (name: string): string | undefined =>
  ((i) => (i < 0 ? undefined : process.argv[i + 1]))(process.argv.indexOf(name));
const baseDir = ((i) => (i < 0 ? undefined : process.argv[i + 1]))(process.argv.indexOf("--base-tree"));

type Saver = { saveBlock(...a: unknown[]): void; close(): void };
type Ctor = new (path: string) => Saver;

async function capture(): Promise<unknown[][]> {
  const node = await startNode(1000, false);
  const calls: unknown[][] = [];
  try {
    const s = await deploySnip20(node);
    const all = await signTransfers(node, s, W + N * B);
    if (W > 0) await runTxs(node, all.slice(0, W), B);
    const bs = (node.engine as unknown as { store: Saver }).store;
    const save = bs.saveBlock.bind(bs);
    bs.saveBlock = (...a: unknown[]) => {
      calls.push(a);
      save(...a);
    };
    await runTxs(node, all.slice(W), B);
  } finally {
    await node.close();
  }
  return calls.filter((c) => (c[0] as { block: { data: { txs: unknown[] } } }).block.data.txs.length >= B);
}

/** One block store per tree, kept across rounds: its tables grow as a node's do. */
class Target {
  private readonly dir = mkdtempSync(join(tmpdir(), "shroud-saveblock-"));
  private readonly store: Saver;
  private h = 1n;
  constructor(
    Impl: Ctor,
    readonly path = join(this.dir, "blocks.sqlite"),
  ) {
    this.store = new Impl(path);
  }

  /** Saves every captured block `reps` times at fresh heights; returns main CPU ms. */
  run(calls: unknown[][], reps: number): number {
    let cpu = 0;
    for (let r = 0; r < reps; r++)
      for (const c of calls) {
        const b = c[0] as { height: bigint; block: { header: { height: bigint } } };
        const h = this.h++;
        const moved = { ...b, height: h, block: { ...b.block, header: { ...b.block.header, height: h } } };
        const c0 = threadCpuMs();
        this.store.saveBlock(moved, c[1], c[2]);
        cpu += threadCpuMs() - c0;
      }
    return cpu;
  }

  close(keepFile = false): void {
    this.store.close();
    if (!keepFile) rmSync(this.dir, { recursive: true, force: true });
  }
}

function dump(path: string): string[] {
  const db = new Database(path, { readonly: true });
  const out: string[] = [];
  for (const t of ["blocks", "txs", "tx_events", "meta"])
    for (const row of db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).raw().iterate())
      out.push(t + JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString("hex") : v)));
  db.close();
  return out;
}

async function main(): Promise<void> {
  const load = opt("--load");
  const calls = load !== undefined ? (deserialize(readFileSync(load)) as unknown[][]) : await capture();
  const save = opt("--save");
  if (save !== undefined) writeFileSync(save, serialize(calls));
  const txs = calls.reduce(
    (n, c) => n + (c[0] as { block: { data: { txs: unknown[] } } }).block.data.txs.length,
    0,
  );
  console.log(`captured ${calls.length} blocks, ${txs} txs`);
  const impls: [string, Ctor][] = [["new", BlockStore]];
  if (baseDir !== undefined) {
    const mod = (await import(pathToFileURL(resolve(baseDir, "src/consensus/blockStore.ts")).href)) as {
      BlockStore: Ctor;
    };
    impls.push(["base", mod.BlockStore]);
    const [ta, tb] = [new Target(impls[0]![1]), new Target(impls[1]![1])];
    ta.run(calls, 1);
    tb.run(calls, 1);
    ta.close(true);
    tb.close(true);
    const a = dump(ta.path);
    const b = dump(tb.path);
    ta.close();
    tb.close();
    const same = a.length === b.length && a.every((x, i) => x === b[i]);
    console.log(`rows: new ${a.length}, base ${b.length}, identical: ${same}`);
    if (!same) process.exitCode = 1;
  }
  const targets = impls.map(([name, I]) => [name, new Target(I)] as const);
  for (const [, t] of targets) t.run(calls, 2); // warm
  const per: Record<string, number[]> = { new: [], base: [] };
  for (let r = 0; r < R; r++) {
    const order = r % 2 === 0 ? targets : [...targets].reverse();
    for (const [name, t] of order) per[name]!.push(t.run(calls, 1) / txs);
  }
  for (const [, t] of targets) t.close();
  const med = (xs: number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
  for (const [name] of impls)
    console.log(
      `${name}: main CPU ms/tx median ${med(per[name]!).toFixed(4)} [${per[name]!.map((x) => x.toFixed(4)).join(" ")}]`,
    );
  if (baseDir !== undefined) {
    const ratios = per.new!.map((x, i) => x / per.base![i]!);
    console.log(
      `new/base per round: median ${med(ratios).toFixed(3)}, below 1: ${ratios.filter((x) => x < 1).length}/${ratios.length}`,
    );
  }
}

await main();
