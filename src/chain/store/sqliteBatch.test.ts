// StateTableWriter against the one-row statements it batches: the same `latest` and `history` rows after
// every block, over seeded blocks of sets and deletes (present and absent keys) around the batch size.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { BATCH_ROWS, BucketRowWriter, StateTableWriter } from "./sqliteBatch.js";
import { blockWrites, prng } from "./testkit.js";
import type { KVWrite } from "./types.js";

const SCHEMA = `
CREATE TABLE latest (key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE history (height INTEGER NOT NULL, key BLOB NOT NULL, value BLOB,
  PRIMARY KEY (height, key)) WITHOUT ROWID;`;

function openDb(): Database.Database {
  const db = new Database(":memory:");
  db.exec(SCHEMA);
  return db;
}

/** The reference: one statement per row, as store.ts wrote them before batching (session 9). */
function referenceWrite(db: Database.Database, height: number, writes: readonly KVWrite[], history: boolean) {
  const put = db.prepare("INSERT OR REPLACE INTO latest (key, value) VALUES (?, ?)");
  const del = db.prepare("DELETE FROM latest WHERE key = ?");
  const hist = db.prepare(
    "INSERT INTO history (height, key, value) SELECT ?, ?, (SELECT value FROM latest WHERE key = ?)",
  );
  const histIfPresent = db.prepare(
    "INSERT INTO history (height, key, value) SELECT ?, key, value FROM latest WHERE key = ?",
  );
  for (const [k, v] of writes) {
    if (v === undefined) {
      if (history) histIfPresent.run(height, k);
      del.run(k);
    } else {
      if (history) hist.run(height, k, k);
      put.run(k, v);
    }
  }
}

const dump = (db: Database.Database, table: string): string[] =>
  db
    .prepare<[], unknown[]>(`SELECT * FROM ${table} ORDER BY 1, 2`)
    .raw()
    .all()
    .map((r) => JSON.stringify(r.map((c) => (c instanceof Uint8Array ? Buffer.from(c).toString("hex") : c))));

describe("StateTableWriter", () => {
  test("the same latest and history rows as one-row statements (seeded blocks around the batch size)", () => {
    const a = openDb();
    const b = openDb();
    const writer = new StateTableWriter(a);
    let deletes = 0;
    for (let h = 1; h <= 24; h++) {
      // Block sizes from a few rows to several batches; half the writes are deletes, of present and absent keys.
      const writesPerBlock = [3, BATCH_ROWS - 1, BATCH_ROWS, 2 * BATCH_ROWS + 1, 5 * BATCH_ROWS][h % 5]!;
      const writes = blockWrites(h, { seed: 7, keySpace: 3 * BATCH_ROWS, writesPerBlock, deleteOneIn: 2 });
      deletes += writes.filter((w) => w[1] === undefined).length;
      const history = h % 6 !== 0; // also blocks without undo rows (keepRecent 1, the first commit)
      a.transaction(() => {
        writer.write(h, writes, history);
      })();
      b.transaction(() => {
        referenceWrite(b, h, writes, history);
      })();
      assert.deepEqual(dump(a, "latest"), dump(b, "latest"), `latest after ${h}`);
      assert.deepEqual(dump(a, "history"), dump(b, "history"), `history after ${h}`);
    }
    assert.ok(deletes > 4 * BATCH_ROWS, "batches of deletes ran");
    assert.ok(dump(a, "history").length > 0);
  });

  test("BucketRowWriter: the same smt_buckets rows as one upsert per bucket (seeded, rows of 0–5 leaves)", () => {
    const schema =
      "CREATE TABLE smt_buckets (bucket INTEGER PRIMARY KEY, summary BLOB NOT NULL, leaves BLOB NOT NULL);";
    const a = new Database(":memory:");
    const b = new Database(":memory:");
    a.exec(schema);
    b.exec(schema);
    const writer = new BucketRowWriter(a);
    const one = b.prepare("INSERT OR REPLACE INTO smt_buckets (bucket, summary, leaves) VALUES (?, ?, ?)");
    const rnd = prng(5);
    const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => rnd() & 0xff);
    for (const count of [1, BATCH_ROWS - 1, BATCH_ROWS, 3 * BATCH_ROWS + 2, 7]) {
      a.transaction(() => {
        b.transaction(() => {
          for (let i = 0; i < count; i++) {
            const bucket = rnd() % 200; // repeats across rounds: replaced rows
            const summary = bytes(33);
            const leaves = bytes(64 * (rnd() % 6));
            writer.put(bucket, summary, leaves);
            one.run(bucket, summary, leaves);
          }
          writer.flush();
        })();
      })();
      assert.deepEqual(dump(a, "smt_buckets"), dump(b, "smt_buckets"), `after ${count}`);
    }
  });
});
