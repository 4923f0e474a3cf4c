// BlockStore's tx index: tx_search answers equal a brute-force filter over the stored results, on the
// WITHOUT ROWID event table and on a folder made with the former rowid table + index (both still read).
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { ResponseFinalizeBlock, type ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { Block } from "cosmjs-types/tendermint/types/block";
import { Commit } from "cosmjs-types/tendermint/types/types";
import { BlockStore, parseEventQuery } from "./blockStore.js";
import { sha256 } from "./header.js";
import { prng } from "../chain/store/testkit.js";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempPath(): string {
  const d = mkdtempSync(join(tmpdir(), "shroud-blockstore-"));
  dirs.push(d);
  return join(d, "blocks.db");
}

/** Tx i of block h: sender s<i%3>, amount (h*10+i), and a duplicated attribute (message.sender twice). */
function result(h: number, i: number): ExecTxResult {
  const attr = (key: string, value: string) => ({ key, value, index: true });
  return {
    code: 0,
    data: new Uint8Array(),
    log: "",
    info: "",
    gasWanted: 1n,
    gasUsed: 1n,
    codespace: "",
    events: [
      { type: "message", attributes: [attr("sender", `s${i % 3}`), attr("sender", `s${i % 3}`)] },
      { type: "transfer", attributes: [attr("amount", String(h * 10 + i)), attr("memo", `note-${h}-${i}`)] },
    ],
  };
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

describe("BlockStore saveBlock rows", () => {
  test("equal a one-row-per-statement, one-row-per-attribute reference (seeded: batches, repeats, many names)", () => {
    const next = prng(0x5eed13);
    const r = (): number => next() / 2 ** 32;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const types = ["message", "transfer", "wasm", "coin_spent", "tx"];
    const keys = ["sender", "amount", "contract_address", "msg_index", "recipient"];
    const values = ["s0", "s1", "0", "1", "", "secret1xyz", "ü→"];
    const path = tempPath();
    const store = new BlockStore(path);
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
      store.saveBlock({ height: BigInt(h), blockId, block, results }, commit);
      refDb.transaction(() => {
        insBlock.run(
          h,
          blockId.hash,
          Block.encode(block).finish(),
          ResponseFinalizeBlock.encode(results).finish(),
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

  test("a save that fails leaves nothing queued for the next one", () => {
    const path = tempPath();
    const store = new BlockStore(path);
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
