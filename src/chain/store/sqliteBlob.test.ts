// BlobScratch: SQLite stores exactly the bytes (and the same empty-vs-NULL answer) as binding the array itself,
// for every length around V8's on-heap limit, and a view stays correct only until the scratch's next use.
import { test } from "node:test";
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { BlobScratch, ON_HEAP_MAX_BYTES } from "./sqliteBlob.js";

test("stored bytes equal a direct bind for lengths 0..130, through one reused scratch", () => {
  const db = new Database(":memory:");
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, direct BLOB, scratch BLOB)");
  const put = db.prepare("INSERT INTO t (id, direct, scratch) VALUES (?, ?, ?)");
  const s = new BlobScratch();
  for (let n = 0; n <= 2 * ON_HEAP_MAX_BYTES + 2; n++) {
    const b = new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff);
    put.run(n, new Uint8Array(b), s.of(b));
  }
  const rows = db.prepare<[], { id: number; d: string; s: string }>(
    "SELECT id, quote(direct) AS d, quote(scratch) AS s FROM t ORDER BY id",
  );
  const all = rows.all();
  assert.equal(all.length, 2 * ON_HEAP_MAX_BYTES + 3);
  for (const r of all) assert.equal(r.s, r.d, `length ${r.id}`);
  assert.equal(all[0]!.d, all[0]!.s);
  db.close();
});

test("short arrays are copied into the scratch; long and empty ones pass through as they are", () => {
  const s = new BlobScratch();
  const short = new Uint8Array([1, 2, 3]);
  const v = s.of(short);
  assert.notEqual(v, short);
  assert.deepEqual([...v], [1, 2, 3]);
  const long = new Uint8Array(ON_HEAP_MAX_BYTES + 1);
  assert.equal(s.of(long), long);
  const empty = new Uint8Array(0);
  assert.equal(s.of(empty), empty);
  // The next short array reuses the buffer: the earlier view now shows its bytes (callers bind at once).
  s.of(new Uint8Array([9, 9, 9]));
  assert.deepEqual([...v], [9, 9, 9]);
});
