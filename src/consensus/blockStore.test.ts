// BlockStore's tx index: tx_search answers equal a brute-force filter over the stored results, on the
// WITHOUT ROWID event table and on a folder made with the former rowid table + index (both still read); the
// index written after saveBlock (deferred) holds the rows the inline one does, whatever runs in between, and a
// kill -9 at any point between its steps loses no row.
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { ResponseFinalizeBlock, type ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { Block } from "cosmjs-types/tendermint/types/block";
import { Commit } from "cosmjs-types/tendermint/types/types";
import { BlockStore, parseEventQuery } from "./blockStore.js";
import { sha256 } from "./header.js";
import { prng } from "../chain/store/testkit.js";
import { result, saveTestBlock, txBytes, txsIn } from "./testdata/indexBlocks.js";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempPath(): string {
  const d = mkdtempSync(join(tmpdir(), "shroud-blockstore-"));
  dirs.push(d);
  return join(d, "blocks.db");
}

function fill(store: BlockStore): Map<string, { height: number; index: number; r: ExecTxResult }> {
  const all = new Map<string, { height: number; index: number; r: ExecTxResult }>();
  // 6 event rows per tx: block 3's 45 txs take three multi-row INSERTs (128 + 128 + 14 rows).
  for (let h = 1; h <= 4; h++) {
    const txs = Array.from({ length: h === 3 ? 45 : 5 }, (_, i) => new Uint8Array([h, i, 7]));
    const txResults = txs.map((_, i) => result(h, i));
    const block = Block.fromPartial({ header: { height: BigInt(h) }, data: { txs } });
    const blockId = {
      hash: new Uint8Array(32).fill(h),
      partSetHeader: { total: 1, hash: new Uint8Array(32) },
    };
    const results = { events: [], txResults, validatorUpdates: [], appHash: new Uint8Array(32) };
    store.saveBlock(
      { height: BigInt(h), blockId, block, results },
      Commit.fromPartial({ height: BigInt(h) }),
    );
    txs.forEach((tx, i) =>
      all.set(Buffer.from(sha256(tx)).toString("hex"), { height: h, index: i, r: txResults[i]! }),
    );
  }
  return all;
}

/** The reference: CometBFT's semantics over the stored results (tx.height is the tx's height). */
function brute(all: ReturnType<typeof fill>, query: string): string[] {
  const conds = parseEventQuery(query);
  const match = (hash: string, t: { height: number; r: ExecTxResult }): boolean =>
    conds.every((c) => {
      const values =
        c.key === "tx.height"
          ? [String(t.height)]
          : c.key === "tx.hash"
            ? [hash.toUpperCase()]
            : t.r.events.flatMap((e) =>
                e.attributes.filter((a) => `${e.type}.${a.key}` === c.key).map((a) => a.value),
              );
      return values.some((v) => {
        if (c.op === "CONTAINS") return v.includes(c.value);
        if (c.op === "=" && c.key !== "tx.height") return v === c.value;
        const [x, y] = [Number(v), Number(c.value)];
        return c.op === "="
          ? x === y
          : c.op === "<"
            ? x < y
            : c.op === "<="
              ? x <= y
              : c.op === ">"
                ? x > y
                : x >= y;
      });
    });
  return [...all]
    .filter(([h, t]) => match(h, t))
    .sort(([, a], [, b]) => a.height - b.height || a.index - b.index)
    .map(([h]) => h);
}

/** Block 2's tx 1 (bytes [2, 1, 7]) as its uppercase hex hash. */
const HASH_2_1 = Buffer.from(sha256(new Uint8Array([2, 1, 7])))
  .toString("hex")
  .toUpperCase();

const QUERIES = [
  "tx.height=2",
  "tx.height>=3",
  "tx.height<2",
  "tx.height>1 AND tx.height<=3 AND message.sender='s1'",
  "message.sender='s0'",
  "transfer.amount>22",
  "transfer.amount<=12 AND message.sender='s2'",
  "transfer.memo CONTAINS '-3-'",
  "tx.height=9",
  "tx.height CONTAINS '3'",
  // tx.hash is answered from the txs row (no event row): every operator as the indexed value gave it.
  `tx.hash='${HASH_2_1}'`,
  `tx.hash='${HASH_2_1.toLowerCase()}'`,
  `tx.hash='${HASH_2_1}' AND tx.height=3`,
  `tx.hash CONTAINS '${HASH_2_1.slice(10, 14)}'`,
  "tx.hash CONTAINS 'A' AND message.sender='s1'",
  "tx.hash='XYZ'",
];

function check(store: BlockStore, all: ReturnType<typeof fill>): void {
  for (const q of QUERIES) {
    const want = brute(all, q);
    const got = store.searchTxs(q, { page: 1, perPage: 100, orderBy: "asc" });
    assert.equal(got.total, want.length, q);
    if (q.startsWith("tx.hash='") && !q.includes("AND")) {
      assert.equal(want.length, q.includes(HASH_2_1) ? 1 : 0, q); // the reference itself is not vacuous
    }
    assert.deepEqual(
      got.txs.map((t) => Buffer.from(t.hash).toString("hex")),
      want,
      q,
    );
    const desc = store.searchTxs(q, { page: 1, perPage: 2, orderBy: "desc" });
    assert.deepEqual(
      desc.txs.map((t) => Buffer.from(t.hash).toString("hex")),
      [...want].reverse().slice(0, 2),
      `${q} desc`,
    );
  }
}

describe("BlockStore tx_search", () => {
  test("answers equal a brute-force filter of the stored results (WITHOUT ROWID event table)", () => {
    const path = tempPath();
    const store = new BlockStore(path);
    check(store, fill(store));
    store.close();
    const db = new Database(path, { readonly: true });
    const sql = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'tx_events'").pluck().get() as string;
    // A duplicated attribute of one tx is one row.
    const dup = db
      .prepare("SELECT COUNT(*) FROM tx_events WHERE key = 'message.sender' AND height = 1 AND idx = 0")
      .pluck()
      .get();
    db.close();
    assert.match(sql, /WITHOUT ROWID/);
    assert.equal(dup, 1);
  });

  test("a folder made with the former rowid table + index is read and written the same way", () => {
    const path = tempPath();
    const db = new Database(path);
    db.exec(`CREATE TABLE tx_events (key TEXT NOT NULL, value TEXT NOT NULL, height INTEGER NOT NULL,
      idx INTEGER NOT NULL); CREATE INDEX tx_events_kv ON tx_events(key, value, height, idx);`);
    db.close();
    const store = new BlockStore(path);
    check(store, fill(store));
    store.close();
  });
});

/** Every row of every table, in key order, as text (blobs in hex). */
function dumpRows(path: string): string[] {
  const db = new Database(path, { readonly: true });
  const out: string[] = [];
  for (const t of ["blocks", "txs", "tx_events"])
    for (const row of db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2, 3`).raw().iterate())
      out.push(t + JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString("hex") : v)));
  db.close();
  return out;
}

/** A seeded random block at height h with n txs: few or many attributes, repeats, names beyond the key cache. */
function randomBlock(r: () => number, h: number, n: number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const types = ["message", "transfer", "wasm", "coin_spent", "tx"];
  const keys = ["sender", "amount", "contract_address", "msg_index", "recipient"];
  const values = ["s0", "s1", "0", "1", "", "secret1xyz", "ü→"];
  const txs = Array.from({ length: n }, (_, i) => new Uint8Array([h & 255, h >> 8, i & 255, i >> 8, 3]));
  const txResults = txs.map((_, i) => {
    // Mostly a few attributes; sometimes more than the repeat check scans (80), with many repeats.
    const m = r() < 0.05 ? 80 : Math.floor(r() * 12);
    const events = Array.from({ length: Math.ceil(m / 3) }, () => ({
      type: r() < 0.1 ? `wasm-${Math.floor(r() * 3000)}` : pick(types),
      attributes: Array.from({ length: 3 }, () => ({
        key: r() < 0.05 ? `k${Math.floor(r() * 2000)}` : pick(keys),
        value: pick(values),
        index: true,
      })),
    }));
    return { ...result(h, i), events };
  });
  const block = Block.fromPartial({ header: { height: BigInt(h) }, data: { txs } });
  const blockId = {
    hash: new Uint8Array(32).fill(h),
    partSetHeader: { total: 1, hash: new Uint8Array(32) },
  };
  const results = { events: [], txResults, validatorUpdates: [], appHash: new Uint8Array(32) };
  const commit = Commit.fromPartial({ height: BigInt(h) });
  return { stored: { height: BigInt(h), blockId, block, results }, commit, txs, txResults };
}

describe("BlockStore saveBlock rows", () => {
  for (const deferIndex of [false, true])
    test(`equal a one-row-per-statement, one-row-per-attribute reference (seeded: batches, repeats, many names; index ${deferIndex ? "deferred" : "inline"})`, () => {
      const next = prng(0x5eed13);
      const r = (): number => next() / 2 ** 32;
      const path = tempPath();
      const store = new BlockStore(path, { deferIndex });
      // The reference: the statements saveBlock ran before batching and the in-tx repeat check.
      const refPath = tempPath();
      const ref = new BlockStore(refPath);
      const refDb = new Database(refPath);
      const insTx = refDb.prepare("INSERT OR REPLACE INTO txs (hash, height, idx) VALUES (?, ?, ?)");
      const insEv = refDb.prepare(
        "INSERT OR IGNORE INTO tx_events (key, value, height, idx) VALUES (?, ?, ?, ?)",
      );
      const insBlock = refDb.prepare(
        "INSERT INTO blocks (height, hash, block, results, seen_commit) VALUES (?, ?, ?, ?, ?)",
      );
      let eventRows = 0;
      // Tx counts around the 128-row chunks of txs and events; names beyond the key cache's bound (wasm-N types).
      const counts = [0, 1, 127, 128, 129, 300, 5, 2000, 40];
      counts.forEach((n, b) => {
        const h = b + 1;
        const { stored, commit, txs, txResults } = randomBlock(r, h, n);
        store.saveBlock(stored, commit);
        refDb.transaction(() => {
          insBlock.run(
            h,
            stored.blockId.hash,
            Block.encode(stored.block).finish(),
            ResponseFinalizeBlock.encode(stored.results).finish(),
            Commit.encode(commit).finish(),
          );
          txs.forEach((tx, i) => {
            insTx.run(sha256(tx), h, i);
            for (const ev of txResults[i]!.events)
              for (const a of ev.attributes) {
                insEv.run(`${ev.type}.${a.key}`, a.value, h, i);
                eventRows++;
              }
          });
        })();
      });
      store.close();
      ref.close();
      refDb.close();
      const got = dumpRows(path);
      const want = dumpRows(refPath);
      assert.ok(eventRows > 20_000, `${eventRows} attributes`); // the reference is not vacuous
      assert.equal(got.length, want.length);
      assert.deepEqual(got, want);
    });

  test("a save that fails leaves nothing queued for the next one (index inline)", () => {
    const path = tempPath();
    const store = new BlockStore(path, { deferIndex: false });
    const mk = (h: number, n: number, bad?: "bind" | "shape") => {
      const txs = Array.from({ length: n }, (_, i) => new Uint8Array([h, i, 9]));
      const txResults = txs.map((_, i) => result(h, i));
      // A value SQLite cannot bind, in the last tx: the save fails after its rows were queued.
      // Or an event without attributes: the save fails before anything is written.
      if (bad === "bind") txResults[n - 1]!.events[0]!.attributes[0]!.value = {} as unknown as string;
      if (bad === "shape")
        txResults[n - 1]!.events[0]!.attributes =
          undefined as unknown as ExecTxResult["events"][0]["attributes"];
      return {
        height: BigInt(h),
        blockId: { hash: new Uint8Array(32).fill(h), partSetHeader: { total: 1, hash: new Uint8Array(32) } },
        block: Block.fromPartial({ header: { height: BigInt(h) }, data: { txs } }),
        results: { events: [], txResults, validatorUpdates: [], appHash: new Uint8Array(32) },
      };
    };
    store.saveBlock(mk(1, 3), Commit.fromPartial({ height: 1n }));
    assert.throws(() => {
      store.saveBlock(mk(2, 200, "bind"), Commit.fromPartial({ height: 2n }));
    });
    assert.throws(() => {
      store.saveBlock(mk(2, 100, "shape"), Commit.fromPartial({ height: 2n }));
    });
    store.saveBlock(mk(2, 2), Commit.fromPartial({ height: 2n }));
    assert.equal(store.searchTxs("tx.height>=1", { page: 1, perPage: 100, orderBy: "asc" }).total, 5);
    store.close();
    const db = new Database(path, { readonly: true });
    const rows = db.prepare("SELECT COUNT(*) FROM tx_events").pluck().get();
    const heights = db
      .prepare("SELECT DISTINCT height || '.' || idx FROM tx_events ORDER BY 1")
      .pluck()
      .all();
    db.close();
    // 3 rows per tx: message.sender (named twice), transfer.amount, transfer.memo (see result()).
    assert.deepEqual(heights, ["1.0", "1.1", "1.2", "2.0", "2.1"]);
    assert.equal(rows, 5 * 3);
  });
});

/** Each saved tx as `hash → height.index`, read through getTx (each read catches the index up first). */
function readAll(store: BlockStore, upTo: number): void {
  for (let h = 1; h <= upTo; h++)
    for (let i = 0; i < txsIn(h); i++) {
      const t = store.getTx(sha256(txBytes(h, i)));
      assert.ok(t !== undefined, `tx ${h}.${i} found`);
      assert.equal(`${t.height}.${t.index}`, `${h}.${i}`);
    }
}

const CHILD = fileURLToPath(new URL("./testdata/indexCrashChild.ts", import.meta.url));

/** Runs the crash child; resolves with the pending count it printed before it killed itself. */
function crashChild(path: string, blocks: number, jobs: number, then: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", CHILD, path, String(blocks), String(jobs), then],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.on("error", reject);
    child.on("close", (_code, signal) => {
      const m = /pending (\d+)/.exec(out);
      if (signal !== "SIGKILL" || m === null) reject(new Error(`child: ${String(signal)} ${out}`));
      else resolve(Number(m[1]));
    });
  });
}

describe("BlockStore index after commit", () => {
  test("rows equal the inline index whatever runs between saves: jobs, idle turns, reads, reopening (seeded)", async () => {
    const next = prng(0x1d3e);
    const r = (): number => next() / 2 ** 32;
    const inlinePath = tempPath();
    const inline = new BlockStore(inlinePath, { deferIndex: false });
    const path = tempPath();
    let store = new BlockStore(path);
    const saved: { hash: Uint8Array; h: number; i: number }[] = [];
    const counts = [3, 0, 130, 1, 40, 300, 7, 64, 900, 2, 33, 129];
    let jobs = 0;
    for (let b = 0; b < counts.length; b++) {
      const h = b + 1;
      const blk = randomBlock(r, h, counts[b]!);
      inline.saveBlock(blk.stored, blk.commit);
      store.saveBlock(blk.stored, blk.commit);
      blk.txs.forEach((tx, i) => saved.push({ hash: sha256(tx), h, i }));
      const act = r();
      if (act < 0.35) {
        for (let k = Math.floor(r() * 60); k > 0 && store.indexJob(); k--) jobs++;
      } else if (act < 0.5) {
        for (let k = Math.floor(r() * 4); k >= 0; k--) await new Promise((res) => setImmediate(res));
      } else if (act < 0.65) {
        const t = saved[Math.floor(r() * saved.length)]!;
        const got = store.getTx(t.hash); // a read never misses a saved tx
        assert.equal(`${got?.height}.${got?.index}`, `${t.h}.${t.i}`);
        assert.equal(store.pendingIndexBlocks, 0);
      } else if (act < 0.75) {
        store.close();
        store = new BlockStore(path);
      } else if (act < 0.85 && b % 2 === 0) {
        store.deferIndex = !store.deferIndex; // switching catches up first: the same rows
      }
    }
    assert.ok(jobs > 20, `${jobs} index jobs ran`);
    store.deferIndex = true;
    const last = randomBlock(r, counts.length + 1, 50);
    inline.saveBlock(last.stored, last.commit);
    store.saveBlock(last.stored, last.commit);
    assert.ok(store.pendingIndexBlocks > 0, "the last block is still pending");
    // tx_search over the deferred store before any flush: the read catches up first.
    let matched = 0;
    for (const q of [
      "tx.height>=12",
      "message.sender='s1'",
      "transfer.amount CONTAINS 's'",
      "tx.msg_index<1",
    ]) {
      const want = inline.searchTxs(q, { page: 1, perPage: 10_000, orderBy: "asc" });
      const got = store.searchTxs(q, { page: 1, perPage: 10_000, orderBy: "asc" });
      assert.equal(got.total, want.total, q);
      assert.deepEqual(
        got.txs.map((t) => `${t.height}.${t.index}`),
        want.txs.map((t) => `${t.height}.${t.index}`),
        q,
      );
      matched += want.total;
    }
    assert.ok(matched > 100, `${matched} matches`);
    store.close();
    inline.close();
    assert.deepEqual(dumpRows(path), dumpRows(inlinePath));
    assert.deepEqual(dumpMeta(path), dumpMeta(inlinePath));
  });

  test("a GetTx or tx_search right after saveBlock sees the block's txs", () => {
    const store = new BlockStore(tempPath());
    for (let h = 1; h <= 3; h++) {
      saveTestBlock(store, h);
      assert.equal(store.pendingIndexBlocks, 1, "the index is deferred");
      const t = store.getTx(sha256(txBytes(h, 2)));
      assert.equal(`${t?.height}.${t?.index}`, `${h}.2`);
      assert.equal(store.pendingIndexBlocks, 0);
    }
    saveTestBlock(store, 4);
    const found = store.searchTxs("tx.height=4 AND message.sender='s0'", {
      page: 1,
      perPage: 100,
      orderBy: "asc",
    });
    assert.deepEqual(
      found.txs.map((t) => t.index),
      [0, 3, 6].filter((i) => i < txsIn(4)),
    );
    store.close();
  });

  test("kill -9 before, during and after the index slices: reopening finishes the index, same rows", async () => {
    // Blocks 1–3 take 1 + 1 + 5 jobs of 32 rows (6, 7 and 45 txs of 3 distinct rows each).
    const points: [jobs: number, then: string, pendingAtKill: number, pendingOnOpen: number][] = [
      [0, "kill", 3, 3], // saved, no slice yet
      [3, "kill", 1, 3], // blocks 1–2 and part of 3 in the open index transaction: not committed
      [3, "save", 2, 2], // block 4's COMMIT carries blocks 1–2 (marker 2) and part of block 3
      [7, "kill", 0, 3], // every row written, not committed
      [0, "flush", 0, 0], // written and committed
      [1, "idle", 0, 0], // the idle turns wrote the rest and committed
    ];
    for (const [jobs, then, atKill, onOpen] of points) {
      const path = tempPath();
      const pending = await crashChild(path, 3, jobs, then);
      assert.equal(pending, atKill, `${jobs} ${then}: pending at the kill`);
      const blocks = then === "save" ? 4 : 3;
      const store = new BlockStore(path);
      assert.equal(store.pendingIndexBlocks, onOpen, `${jobs} ${then}: pending on reopen`);
      readAll(store, blocks);
      store.close();
      const refPath = tempPath();
      const ref = new BlockStore(refPath, { deferIndex: false });
      for (let h = 1; h <= blocks; h++) saveTestBlock(ref, h);
      ref.close();
      assert.deepEqual(dumpRows(path), dumpRows(refPath), `${jobs} ${then}: rows`);
      assert.deepEqual(dumpMeta(path), dumpMeta(refPath), `${jobs} ${then}: marker`);
    }
  });

  test("idle turns pause while the engine produces a block, and resume after", async () => {
    const store = new BlockStore(tempPath());
    const turns = async (n: number) => {
      for (let k = 0; k < n; k++) await new Promise((res) => setImmediate(res));
    };
    store.pauseIdleIndex(true);
    for (let h = 1; h <= 3; h++) saveTestBlock(store, h);
    await turns(5);
    assert.equal(store.pendingIndexBlocks, 3, "no idle turn while paused");
    assert.ok(store.indexJob(), "door jobs still run");
    assert.equal(store.pendingIndexBlocks, 2);
    store.pauseIdleIndex(false);
    await turns(5);
    assert.equal(store.pendingIndexBlocks, 0);
    assert.ok(store.indexStats.idle > 0);
    store.close();
  });

  test("a folder indexed inline before the marker existed counts as indexed", () => {
    const path = tempPath();
    const old = new BlockStore(path, { deferIndex: false });
    for (let h = 1; h <= 3; h++) saveTestBlock(old, h);
    old.close();
    const db = new Database(path);
    db.prepare("DELETE FROM meta WHERE k = 'indexed_height'").run();
    db.close();
    const store = new BlockStore(path);
    assert.equal(store.pendingIndexBlocks, 0);
    assert.deepEqual(dumpMeta(path), ["indexed_height=3"]);
    readAll(store, 3);
    store.close();
  });

  test("a block whose rows cannot be written: saved, and every index read reports it", () => {
    const store = new BlockStore(tempPath());
    saveTestBlock(store, 1);
    const txs = [new Uint8Array([2, 0, 7])];
    const txResults = [result(2, 0)];
    txResults[0]!.events[0]!.attributes[0]!.value = {} as unknown as string; // SQLite cannot bind it
    store.saveBlock(
      {
        height: 2n,
        blockId: { hash: new Uint8Array(32).fill(2), partSetHeader: { total: 1, hash: new Uint8Array(32) } },
        block: Block.fromPartial({ header: { height: 2n }, data: { txs } }),
        results: { events: [], txResults, validatorUpdates: [], appHash: new Uint8Array(32) },
      },
      Commit.fromPartial({ height: 2n }),
    );
    assert.ok(store.getBlock(2n), "the block itself is stored");
    assert.throws(() => store.getTx(sha256(txs[0]!)), /indexing block 2 failed/);
    assert.throws(
      () => store.searchTxs("tx.height=1", { page: 1, perPage: 10, orderBy: "asc" }),
      /indexing block 2 failed/,
    );
    assert.equal(store.indexJob(), false, "no more jobs");
    saveTestBlock(store, 3); // blocks are still saved
    assert.ok(store.getBlock(3n));
    store.close();
  });
});

/** The meta rows (here only the index marker), as `k=v` text. */
function dumpMeta(path: string): string[] {
  const db = new Database(path, { readonly: true });
  const rows = db.prepare("SELECT k, v FROM meta ORDER BY k").all() as { k: string; v: Buffer }[];
  db.close();
  return rows.map((r) => `${r.k}=${r.v.toString()}`);
}
