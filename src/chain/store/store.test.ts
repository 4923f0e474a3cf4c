// Persistent store tests: reads at every retained height against a model, pruning, proofs against the app
// hash, FinalizeBlock/Commit split, determinism across stores and reopen, and edge validation.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { openStore, openStoreAt, writesDelta } from "./store.js";
import type { Store } from "./store.js";
import { MemoryKVStore, MemoryOverlay } from "./memory.js";
import { READ_CACHE_MAX } from "./sqliteReader.js";
import { blockWrites, testKey } from "./testkit.js";
import type { KVReader, KVWrite } from "./types.js";
import { toHex, utf8 } from "../../util/bytes.js";

const shape = { seed: 11, keySpace: 400, writesPerBlock: 80, deleteOneIn: 5 };
const dump = (r: KVReader, s?: Uint8Array, e?: Uint8Array, rev = false): string[] =>
  [...r.iterate(s, e, rev)].map(([k, v]) => `${toHex(k)}=${toHex(v)}`);

function apply(model: MemoryKVStore, height: number): void {
  for (const [k, v] of blockWrites(height, shape)) {
    if (v === undefined) model.delete(k);
    else model.set(k, v);
  }
}

function snapshot(m: MemoryKVStore): MemoryKVStore {
  const c = new MemoryKVStore();
  for (const [k, v] of m.iterate(undefined, undefined)) c.set(k, v);
  return c;
}

function assertSameView(got: KVReader, want: KVReader, label: string): void {
  assert.deepEqual(dump(got), dump(want), label);
  assert.deepEqual(dump(got, undefined, undefined, true), dump(want, undefined, undefined, true), label);
  const [s, e] = [testKey(50), testKey(250)];
  assert.deepEqual(dump(got, s, e), dump(want, s, e), label);
  assert.deepEqual(dump(got, s, e, true), dump(want, s, e, true), label);
  for (let i = 0; i < shape.keySpace; i += 7) {
    const k = testKey(i);
    assert.deepEqual(got.get(k), want.get(k), `${label} key ${i}`);
    assert.equal(got.has(k), want.has(k));
  }
}

function withTmp(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "shroud-store-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("Store", () => {
  test("reads at every height match the model, live and after reopen", () => {
    withTmp((dir) => {
      let store: Store = openStore(dir);
      const model = new MemoryKVStore();
      const snaps: MemoryKVStore[] = [];
      for (let h = 1; h <= 15; h++) {
        store.commit(h, blockWrites(h, shape));
        apply(model, h);
        snaps[h] = snapshot(model);
        assertSameView(store.committed, model, `committed ${h}`);
      }
      for (let h = 1; h <= 15; h++) assertSameView(store.readerAt(h), snaps[h]!, `readerAt ${h}`);
      const info = store.info();
      store.close();
      store = openStore(dir);
      assert.deepEqual(store.info(), info);
      for (const h of [1, 8, 15]) assertSameView(store.readerAt(h), snaps[h]!, `reopened readerAt ${h}`);
      assert.throws(() => store.readerAt(16), /height/);
      store.close();
    });
  });

  test("the point-read cache follows every commit (cached values, cached absences, deletes, new keys)", () => {
    const store = openStoreAt(":memory:");
    const model = new MemoryKVStore();
    for (let h = 1; h <= 12; h++) {
      // Read every key first (caching values and absences), then commit: reads must see the new state.
      for (let i = 0; i < shape.keySpace; i++) store.committed.get(testKey(i));
      store.commit(h, blockWrites(h, shape));
      apply(model, h);
      for (let i = 0; i < shape.keySpace; i++) {
        const k = testKey(i);
        assert.deepEqual(store.committed.get(k), model.get(k), `height ${h} key ${i}`);
        assert.equal(store.committed.has(k), model.has(k));
      }
    }
    store.close();
  });

  test("the point-read cache keeps committed overlay values as their own exact-size buffers", () => {
    const store = openStoreAt(":memory:");
    const k = utf8.encode("hot");
    store.commit(1, [[k, utf8.encode("v1")]]);
    assert.deepEqual(store.committed.get(k), utf8.encode("v1")); // cached now
    const block = store.newOverlay();
    block.set(k, utf8.encode("v2"));
    const written = block.pendingWrites()[0]![1]!;
    assert.ok(written.byteLength < written.buffer.byteLength, "an overlay copy is a slab view");
    store.commit(2, block.pendingWrites());
    const cached = store.committed.get(k)!;
    assert.deepEqual(cached, utf8.encode("v2"));
    assert.equal(cached.byteLength, cached.buffer.byteLength, "the cache does not pin a slab chunk");
    store.close();
  });

  test("the point-read cache stays exact across its generation turnover (entries in old, young and both)", () => {
    const store = openStoreAt(":memory:");
    const model = new MemoryKVStore();
    const filler = (i: number) => utf8.encode(`filler/${i}`);
    // Enough distinct reads to turn the young generation over twice (READ_CACHE_MAX / 2 each).
    const turnover = READ_CACHE_MAX / 2 + 1;
    for (let h = 1; h <= 4; h++) {
      for (let i = 0; i < shape.keySpace; i++) store.committed.get(testKey(i));
      // Half the keys move to the old generation, the other half are read again (old -> young: in both).
      for (let i = 0; i < turnover; i++) store.committed.get(filler(i + h * turnover));
      for (let i = 0; i < shape.keySpace; i += 2) store.committed.get(testKey(i));
      store.commit(h, blockWrites(h, shape));
      apply(model, h);
      for (let i = 0; i < shape.keySpace; i++) {
        const k = testKey(i);
        assert.deepEqual(store.committed.get(k), model.get(k), `height ${h} key ${i}`);
      }
    }
    store.close();
  });

  test("reads of never-written keys skip SQLite through the key filter, exactly, across regrowth and reopen", () => {
    const dir = mkdtempSync(join(tmpdir(), "shroud-store-filter-"));
    let store = openStore(dir);
    const key = (i: number) => utf8.encode(`k/${i}`);
    // 3 blocks of 5,000 new keys: past the first filter's 4,096-key size and past the next one (filters grow by
    // chaining, without a rescan).
    for (let h = 1; h <= 3; h++) {
      const writes: [Uint8Array, Uint8Array | undefined][] = [];
      for (let i = (h - 1) * 5000; i < h * 5000; i++) writes.push([key(i), utf8.encode(`v${i}`)]);
      if (h === 2) writes.push([key(7), undefined]); // a delete (of a block-1 key): absent again
      store.commit(
        h,
        writes.sort((a, b) => Buffer.compare(a[0], b[0])),
      );
    }
    const check = (s: Store) => {
      for (let i = 0; i < 15_000; i++) {
        const v = s.committed.get(key(i));
        assert.equal(v === undefined ? undefined : utf8.decode(v), i === 7 ? undefined : `v${i}`, `key ${i}`);
      }
      for (let i = 15_000; i < 16_000; i++) assert.equal(s.committed.get(key(i)), undefined);
    };
    check(store);
    store.close();
    store = openStore(dir);
    check(store);
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a first commit past the filter's size builds the same filter a rescan of the table does", () => {
    const store = openStoreAt(":memory:");
    const writes: [Uint8Array, Uint8Array][] = [];
    for (let i = 0; i < 9000; i++) writes.push([utf8.encode(`g/${i}`), utf8.encode(`v${i}`)]);
    store.commit(
      1,
      writes.sort((a, b) => Buffer.compare(a[0], b[0])),
    );
    type Part = { bits: Uint32Array; count: number };
    type Filterish = { filter: { parts: readonly Part[] }; clearCache(): void };
    const latest = (store as unknown as { latest: Filterish }).latest;
    const only = (): Part => {
      assert.equal(latest.filter.parts.length, 1);
      return latest.filter.parts[0]!;
    };
    const fromWrites = { bits: only().bits.slice(), count: only().count };
    latest.clearCache(); // rebuilds the filter by scanning the table
    assert.equal(fromWrites.count, 9000);
    assert.deepEqual(fromWrites, { bits: only().bits, count: only().count });
    store.close();
  });

  test("deleting an absent key writes no undo row; past heights still read exactly", () => {
    const store = openStoreAt(":memory:");
    const [a, b] = [testKey(1), testKey(2)];
    store.commit(1, [[a, utf8.encode("A1")]]);
    store.commit(2, [
      [a, undefined],
      [b, undefined],
    ]); // a existed, b never did
    store.commit(3, [[b, undefined]]); // still absent
    store.commit(4, [[b, utf8.encode("B4")]]);
    const db = (store as unknown as { db: { prepare(s: string): { all(): unknown[] } } }).db;
    const rows = db.prepare("SELECT height, hex(key) AS k, value FROM history ORDER BY height, key").all();
    assert.deepEqual(
      rows.map((r) => {
        const { height, k, value } = r as { height: number; k: string; value: Uint8Array | null };
        return [height, k, value === null ? null : utf8.decode(value)];
      }),
      [
        [2, toHex(a).toUpperCase(), "A1"],
        [4, toHex(b).toUpperCase(), null],
      ],
    );
    const at = (h: number, k: Uint8Array) => {
      const v = store.readerAt(h).get(k);
      return v === undefined ? undefined : utf8.decode(v);
    };
    assert.deepEqual([at(1, a), at(2, a), at(3, a), at(4, a)], ["A1", undefined, undefined, undefined]);
    assert.deepEqual([at(1, b), at(2, b), at(3, b), at(4, b)], [undefined, undefined, undefined, "B4"]);
    store.close();
  });

  test("deletes of absent keys are dropped before the tree and SQLite: same rows and app hashes", () => {
    // s1 also deletes keys that are absent (never written, or deleted earlier) in every block; s2 does not.
    const tables = (s: Store): string[] => {
      const db = (s as unknown as { db: { prepare(q: string): { raw(): { all(): unknown[][] } } } }).db;
      return ["latest", "history", "smt_buckets", "heights"].flatMap((t) =>
        db
          .prepare(`SELECT * FROM ${t}`)
          .raw()
          .all()
          .map((row) => `${t}:${row.map((c) => (c instanceof Uint8Array ? toHex(c) : String(c))).join(",")}`),
      );
    };
    const [s1, s2] = [openStoreAt(":memory:"), openStoreAt(":memory:")];
    const model = new MemoryKVStore();
    for (let h = 1; h <= 12; h++) {
      const writes = blockWrites(h, shape);
      const extra = new Map(writes.map(([k, v]) => [toHex(k), v] as const));
      for (let i = 0; i < shape.keySpace + 40; i += 3) {
        const k = testKey(i);
        if (!extra.has(toHex(k)) && model.get(k) === undefined) extra.set(toHex(k), undefined);
      }
      const withAbsent = [...extra].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      assert.ok(withAbsent.length > writes.length, `height ${h} has absent deletes`);
      const w1 = withAbsent.map(([k, v]) => [Uint8Array.from(Buffer.from(k, "hex")), v] as const);
      assert.deepEqual(s1.commit(h, w1), s2.commit(h, writes), `height ${h}`);
      apply(model, h);
    }
    assert.deepEqual(tables(s1), tables(s2));
    s1.close();
    s2.close();
  });

  test("keepRecent prunes old heights and keeps recent ones exact", () => {
    const store = openStoreAt(":memory:", { keepRecent: 3 });
    const model = new MemoryKVStore();
    const snaps: MemoryKVStore[] = [];
    for (let h = 1; h <= 10; h++) {
      store.commit(h, blockWrites(h, shape));
      apply(model, h);
      snaps[h] = snapshot(model);
    }
    assert.equal(store.info().earliestHeight, 8);
    assert.throws(() => store.readerAt(7), /height/);
    for (const h of [8, 9, 10]) assertSameView(store.readerAt(h), snaps[h]!, `pruned store at ${h}`);
    assert.equal(store.appHashAt(7), undefined);
    assert.deepEqual(store.appHashAt(10), store.info().lastAppHash);
    store.close();
  });

  test("keepRecent 1 keeps no undo log; readerAt serves only the latest height", () => {
    const store = openStoreAt(":memory:", { keepRecent: 1 });
    for (let h = 1; h <= 3; h++) store.commit(h, blockWrites(h, shape));
    assert.throws(() => store.readerAt(2), /height/);
    assert.deepEqual(dump(store.readerAt(3)), dump(store.committed));
    store.close();
  });

  test("proofs from prove() verify against the last app hash, for present and absent keys", () => {
    const store = openStoreAt(":memory:");
    for (let h = 1; h <= 5; h++) store.commit(h, blockWrites(h, shape));
    const { lastAppHash, lastHeight } = store.info();
    let present = 0;
    for (let i = 0; i < shape.keySpace + 10; i += 3) {
      const p = store.prove(testKey(i));
      assert.equal(p.height, lastHeight);
      assert.deepEqual(p.appHash, lastAppHash);
      if (p.value !== undefined) present++;
      assert.ok(store.verify(lastAppHash, p.key, p.value, p.proof));
      assert.ok(
        !store.verify(lastAppHash, p.key, p.value === undefined ? utf8.encode("v") : undefined, p.proof),
      );
    }
    assert.ok(present > 20, "some keys must be present");
    store.close();
  });

  test("prepare persists nothing; a stale prepared block cannot be committed", () => {
    withTmp((dir) => {
      const store = openStore(dir);
      store.commit(1, blockWrites(1, shape));
      const before = store.info();
      const stateBefore = dump(store.committed);
      const a = store.prepare(2, blockWrites(2, shape));
      const b = store.prepare(2, blockWrites(3, shape));
      assert.notDeepEqual(a.appHash, b.appHash);
      assert.deepEqual(store.info(), before);
      assert.deepEqual(dump(store.committed), stateBefore);
      assert.deepEqual(store.commitPrepared(b), b.appHash);
      assert.throws(() => store.commitPrepared(a), /height/);
      store.close();
      const again = openStore(dir);
      assert.equal(again.info().lastHeight, 2);
      assert.deepEqual(again.info().lastAppHash, b.appHash);
      again.close();
    });
  });

  test("same write sets into two stores give the same app hash at every height", () => {
    const s1 = openStoreAt(":memory:");
    const s2 = openStoreAt(":memory:", { memDepth: 4, keepRecent: 2 });
    for (let h = 1; h <= 20; h++) {
      assert.deepEqual(
        s1.commit(h, blockWrites(h, shape)),
        s2.commit(h, blockWrites(h, shape)),
        `height ${h}`,
      );
    }
    s1.close();
    s2.close();
  });

  test("the first prepare of an empty store sizes the tree, once, unless memDepth was given", () => {
    const hints = (store: Store): number[] => {
      const c = (store as unknown as { commitment: { fitSize(n: number): void } }).commitment;
      const seen: number[] = [];
      const fit = c.fitSize.bind(c);
      c.fitSize = (n) => {
        seen.push(n);
        fit(n);
      };
      return seen;
    };
    const genesis = blockWrites(1, shape).filter(([, v]) => v !== undefined);
    const auto = openStoreAt(":memory:");
    const seen = hints(auto);
    auto.prepare(1, genesis); // InitChain
    auto.prepare(1, [...genesis]); // block 1, over InitChain's prepare
    auto.commit(1, genesis);
    auto.commit(2, blockWrites(2, shape));
    assert.deepEqual(seen, [genesis.length]);
    const fixed = openStoreAt(":memory:", { memDepth: 4 });
    const none = hints(fixed);
    fixed.commit(1, genesis);
    assert.deepEqual(none, []);
    assert.deepEqual(fixed.appHashAt(1), auto.appHashAt(1));
    auto.close();
    fixed.close();
  });

  test("an empty block keeps the app hash; overlays read through to committed state", () => {
    const store = openStoreAt(":memory:");
    assert.equal(store.info().lastHeight, 0);
    assert.equal(store.info().lastAppHash.length, 0);
    const h1 = store.commit(1, [[utf8.encode("a"), utf8.encode("1")]]);
    assert.deepEqual(store.commit(2, []), h1);
    const o = store.newOverlay();
    o.set(utf8.encode("b"), utf8.encode("2"));
    assert.deepEqual(dump(o).length, 2);
    assert.equal(store.committed.get(utf8.encode("b")), undefined);
    const h3 = store.commit(3, o.pendingWrites());
    assert.notDeepEqual(h3, h1);
    assert.deepEqual(store.committed.get(utf8.encode("b")), utf8.encode("2"));
    store.close();
  });

  test("nested overlays read the committed state by key id: the same answers as its own get/has (seeded)", () => {
    const store = openStoreAt(":memory:");
    const key = (i: number) => utf8.encode(`n/${i}`);
    const writes: KVWrite[] = [];
    for (let i = 0; i < 200; i += 2) writes.push([key(i), utf8.encode(`v${i}`)]);
    store.commit(
      1,
      writes.sort((a, b) => Buffer.compare(a[0], b[0])),
    );
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 260 }), { maxLength: 60 }), (ids) => {
        const top = new MemoryOverlay(new MemoryOverlay(store.newOverlay()));
        for (const i of ids) {
          // committed reads through three overlays (getById/hasById down to the committed reader)
          assert.deepEqual(top.get(key(i)), store.committed.get(key(i)));
          assert.equal(top.has(key(i)), store.committed.has(key(i)));
        }
      }),
      { seed: 42, numRuns: 50 },
    );
    store.close();
  });

  test("rejects bad heights and unsorted or duplicate write sets", () => {
    const store = openStoreAt(":memory:");
    const k = (s: string): Uint8Array => utf8.encode(s);
    assert.throws(() => store.commit(0, []), /height/);
    store.commit(5, []); // the first commit may start at InitChain's initial_height
    assert.throws(() => store.commit(7, []), /height/);
    assert.throws(
      () =>
        store.commit(6, [
          [k("b"), k("1")],
          [k("a"), k("1")],
        ]),
      /sorted/,
    );
    assert.throws(
      () =>
        store.commit(6, [
          [k("a"), k("1")],
          [k("a"), k("2")],
        ]),
      /sorted/,
    );
    assert.throws(() => store.commit(6, [[new Uint8Array(0), k("1")]]), /empty/);
    assert.equal(store.info().lastHeight, 5);
    store.close();
  });

  test("rejects bad options; a 1 KiB page store gives the same app hashes", () => {
    assert.throws(() => openStoreAt(":memory:", { pageSize: 1000 }), /pageSize/);
    assert.throws(() => openStoreAt(":memory:", { keepRecent: -1 }), /keepRecent/);
    assert.throws(() => openStoreAt(":memory:", { memDepth: 40 }), /memDepth/);
    const a = openStoreAt(":memory:", { pageSize: 1024, walAutocheckpoint: 10 });
    const b = openStoreAt(":memory:");
    for (let h = 1; h <= 3; h++)
      assert.deepEqual(a.commit(h, blockWrites(h, shape)), b.commit(h, blockWrites(h, shape)));
    a.close();
    b.close();
  });

  test("iteration pages through more rows than one page, interleaved with other reads", () => {
    const store = openStoreAt(":memory:");
    const writes = Array.from({ length: 1000 }, (_, i) => [testKey(i), utf8.encode(`v${i}`)] as const);
    store.commit(1, writes);
    let n = 0;
    for (const [key, value] of store.committed.iterate(undefined, undefined)) {
      assert.deepEqual(store.committed.get(key), value); // a read while the iteration is open
      n++;
    }
    assert.equal(n, 1000);
    assert.equal([...store.committed.iterate(testKey(10), testKey(900), true)].length, 890);
    store.close();
  });

  test("genesis: block 1's prepare over InitChain's gives the fresh prepare's app hash and rows", () => {
    // app.ts prepares the genesis overlay at InitChain, then again with block 1's writes merged in; the second
    // builds on the first (writesDelta + prepareOver). A fresh store prepares the final set once.
    const tables = (s: Store): string[] => {
      const db = (s as unknown as { db: { prepare(q: string): { raw(): { all(): unknown[][] } } } }).db;
      return ["latest", "history", "smt_buckets", "heights", "meta"].flatMap((t) =>
        db
          .prepare(`SELECT * FROM ${t}`)
          .raw()
          .all()
          .map((row) => `${t}:${row.map((c) => (c instanceof Uint8Array ? toHex(c) : String(c))).join(",")}`),
      );
    };
    for (let seed = 1; seed <= 6; seed++) {
      const genesis = new MemoryKVStore();
      for (const [k, v] of blockWrites(seed, shape)) if (v !== undefined) genesis.set(k, v);
      const overlay = new MemoryOverlay(genesis);
      const first = [...genesis.iterate(undefined, undefined)] as KVWrite[];
      // block 1: overwrites (same and new bytes), new keys and deletes of genesis keys
      for (const [k, v] of blockWrites(seed + 100, shape)) {
        if (v === undefined) overlay.delete(k);
        else overlay.set(k, v);
      }
      const [k0, v0] = first[0]!;
      overlay.set(k0, v0!.slice()); // same bytes, another object
      overlay.write();
      const second = [...genesis.iterate(undefined, undefined)] as KVWrite[];
      const chained = openStoreAt(":memory:");
      const initChain = chained.prepare(1, first);
      const block1 = chained.prepare(1, second);
      const fresh = openStoreAt(":memory:");
      const once = fresh.prepare(1, second);
      assert.equal(toHex(block1.appHash), toHex(once.appHash), `seed ${seed}`);
      assert.notEqual(toHex(initChain.appHash), toHex(block1.appHash));
      chained.commitPrepared(block1);
      fresh.commitPrepared(once);
      assert.deepEqual(tables(chained), tables(fresh));
      // after the first commit, prepares no longer chain: block 2 alike in both
      assert.deepEqual(
        chained.commit(2, blockWrites(seed + 200, shape)),
        fresh.commit(2, blockWrites(seed + 200, shape)),
      );
      assert.deepEqual(tables(chained), tables(fresh));
      chained.close();
      fresh.close();
    }
  });

  test("writesDelta: what turns empty + from into empty + to", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 10_000 }), (x, y) => {
        const sets = (h: number): KVWrite[] => blockWrites(h, shape).filter(([, v]) => v !== undefined);
        const [from, to] = [sets(x), sets(y)];
        const state = new MemoryKVStore();
        for (const [k, v] of from) state.set(k, v!);
        for (const [k, v] of writesDelta(from, to)) {
          if (v === undefined) state.delete(k);
          else state.set(k, v);
        }
        assert.deepEqual(
          dump(state),
          to.map(([k, v]) => `${toHex(k)}=${toHex(v!)}`),
        );
        assert.deepEqual(writesDelta(to, to), []);
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});
