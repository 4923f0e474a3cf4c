// SMT tests: incremental roots equal the from-scratch root for every in-memory depth, proofs of inclusion and
// absence verify, and tampered proofs do not.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import fc from "fast-check";
import { FIT_MAX_DEPTH, SqliteSmtCommitment, fittedDepth } from "./smtCommitment.js";
import {
  EMPTY_HASH,
  decodeStateProof,
  encodeStateProof,
  keyHash,
  leafHash,
  nodeHash,
  rootOfLeaves,
  sha256,
  verifyStateProof,
} from "./smt.js";
import { MemoryKVStore } from "./memory.js";
import { blockWrites, testKey } from "./testkit.js";
import { toHex, utf8 } from "../../util/bytes.js";

const shape = { seed: 7, keySpace: 300, writesPerBlock: 60, deleteOneIn: 4 };

function referenceRoot(state: MemoryKVStore): Uint8Array {
  return rootOfLeaves(
    [...state.iterate(undefined, undefined)].map(([k, v]) => ({ kh: keyHash(k), vh: sha256(v) })),
  );
}

function runBlocks(
  memDepth: number,
  blocks: number,
): { roots: string[]; smt: SqliteSmtCommitment; db: Database.Database; state: MemoryKVStore } {
  const db = new Database(":memory:");
  const smt = new SqliteSmtCommitment(db, memDepth);
  const state = new MemoryKVStore();
  const roots: string[] = [];
  for (let h = 1; h <= blocks; h++) {
    const writes = blockWrites(h, shape);
    const p = smt.prepare(writes);
    p.persist();
    p.publish();
    for (const [k, v] of writes) {
      if (v === undefined) state.delete(k);
      else state.set(k, v);
    }
    assert.equal(toHex(smt.root()), toHex(referenceRoot(state)), `height ${h} depth ${memDepth}`);
    roots.push(toHex(p.root));
  }
  return { roots, smt, db, state };
}

describe("sparse Merkle tree", () => {
  test("hashing rules: empty, single leaf, two leaves", () => {
    assert.deepEqual(rootOfLeaves([]), EMPTY_HASH);
    const a = { kh: keyHash(utf8.encode("a")), vh: sha256(utf8.encode("1")) };
    assert.deepEqual(rootOfLeaves([a]), leafHash(a.kh, a.vh));
    const b = { kh: keyHash(utf8.encode("b")), vh: sha256(utf8.encode("2")) };
    // sha256("a") starts 0xca, sha256("b") starts 0x3e: they split at bit 0, b on the left.
    assert.deepEqual(rootOfLeaves([a, b]), nodeHash(leafHash(b.kh, b.vh), leafHash(a.kh, a.vh)));
  });

  test("incremental roots match the from-scratch root at memDepth 0, 2, 5, 18", () => {
    const results = [0, 2, 5, 18].map((d) => runBlocks(d, 12).roots);
    for (const r of results) assert.deepEqual(r, results[0]);
  });

  test("paths that empty, shrink to one leaf and refill match the from-scratch root at every depth", () => {
    for (const depth of [0, 1, 3, 18]) {
      const smt = new SqliteSmtCommitment(new Database(":memory:"), depth);
      const state = new MemoryKVStore();
      const keys = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => testKey(i));
      const blocks: [number[], number[]][] = [
        [[0, 1, 2, 3, 4, 5, 6, 7], []],
        [[], [1, 2, 3, 4, 5, 6, 7]], // one leaf left: every count-2 node on its path collapses
        [[], [0]], // empty tree
        [[3], []],
        [[0, 5], [3]],
      ];
      for (const [sets, dels] of blocks) {
        const writes = [
          ...sets.map((i) => [keys[i]!, utf8.encode(`v${i}`)] as const),
          ...dels.map((i) => [keys[i]!, undefined] as const),
        ].sort((a, b) => Buffer.compare(a[0], b[0]));
        const p = smt.prepare(writes);
        p.persist();
        p.publish();
        for (const [k, v] of writes) {
          if (v === undefined) state.delete(k);
          else state.set(k, v);
        }
        assert.equal(toHex(smt.root()), toHex(referenceRoot(state)), `depth ${depth}`);
        assert.equal(toHex(p.root), toHex(referenceRoot(state)), `depth ${depth}`);
      }
    }
  });

  test("reopening rebuilds the same root from stored buckets, keeping the stored memDepth", () => {
    const { smt, db } = runBlocks(4, 5);
    const again = new SqliteSmtCommitment(db, 4);
    assert.deepEqual(again.root(), smt.root());
    const other = new SqliteSmtCommitment(db, 9);
    assert.equal(other.depth, 4);
    assert.deepEqual(other.root(), smt.root());
  });

  test("no-op writes (delete of an absent key, same value again) leave buckets, rows and root untouched", () => {
    for (const depth of [0, 4, 18]) {
      const { smt, db, state } = runBlocks(depth, 4);
      const root = smt.root();
      const present = [...state.iterate(undefined, undefined)].slice(0, 5);
      const absent = [...Array(40).keys()].map((i) => testKey(10_000 + i)); // never written (keySpace 300)
      const noops: [Uint8Array, Uint8Array | undefined][] = [
        ...present.map(([k, v]) => [k, v] as [Uint8Array, Uint8Array]),
        ...absent.map((k) => [k, undefined] as [Uint8Array, undefined]),
      ].sort((a, b) => Buffer.compare(a[0], b[0]));
      const before = db.prepare("SELECT total_changes()").pluck().get() as number;
      const p = smt.prepare(noops);
      p.persist();
      p.publish();
      assert.equal(
        db.prepare("SELECT total_changes()").pluck().get(),
        before,
        `no row written, depth ${depth}`,
      );
      assert.deepEqual(smt.root(), root);
      assert.deepEqual(smt.root(), referenceRoot(state));
      // One real change among the no-ops still lands (and only its bucket's path moves).
      const [k0] = present[0]!;
      const mixed = noops.map(([k, v]) => [k, Buffer.compare(k, k0) === 0 ? utf8.encode("new") : v] as const);
      const q = smt.prepare(mixed);
      q.persist();
      q.publish();
      state.set(k0, utf8.encode("new"));
      assert.deepEqual(smt.root(), referenceRoot(state));
    }
  });

  test("inclusion and absence proofs verify; wrong values and tampering fail", () => {
    for (const depth of [0, 3, 18]) {
      const { smt, state } = runBlocks(depth, 6);
      const root = smt.root();
      for (let i = 0; i < shape.keySpace + 20; i++) {
        const key = testKey(i);
        const value = state.get(key);
        const proof = smt.prove(key);
        assert.ok(smt.verify(root, key, value, proof), `key ${i} depth ${depth}`);
        if (value !== undefined) {
          assert.ok(!smt.verify(root, key, undefined, proof), "inclusion proof must not prove absence");
          assert.ok(!smt.verify(root, key, utf8.encode("other"), proof));
        } else {
          assert.ok(!smt.verify(root, key, utf8.encode("x"), proof), "absence proof must not prove a value");
        }
        assert.ok(!smt.verify(sha256(root), key, value, proof), "wrong root");
      }
    }
  });

  test("any single-byte corruption of a proof is rejected", () => {
    const { smt, state } = runBlocks(3, 4);
    const root = smt.root();
    const keys = [testKey(1), testKey(2), testKey(shape.keySpace + 5)];
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.nat(), fc.integer({ min: 1, max: 255 }), (key, pos, xor) => {
        const proof = smt.prove(key);
        const bad = proof.slice();
        const at = pos % bad.length;
        bad[at] = bad[at]! ^ xor;
        assert.ok(!smt.verify(root, key, state.get(key), bad));
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  test("proof encoding round-trips and rejects malformed input", () => {
    const p = {
      siblings: [sha256(utf8.encode("s"))],
      terminal: { kh: sha256(utf8.encode("k")), vh: EMPTY_HASH },
    };
    assert.deepEqual(decodeStateProof(encodeStateProof(p)), p);
    const q = { siblings: [], terminal: undefined };
    assert.deepEqual(decodeStateProof(encodeStateProof(q)), q);
    assert.throws(() => decodeStateProof(new Uint8Array([2, 0, 0, 0])), /proof/);
    assert.throws(() => decodeStateProof(encodeStateProof(p).slice(0, 40)), /proof/);
    assert.equal(verifyStateProof(EMPTY_HASH, utf8.encode("k"), undefined, q), true);
    assert.equal(verifyStateProof(EMPTY_HASH, utf8.encode("k"), utf8.encode("v"), q), false);
  });

  test("prepareOver: an update on top of an unpublished one equals one prepare of both merged", () => {
    // Genesis: InitChain prepares the state, block 1 prepares it again with more writes (store.ts).
    for (const depth of [0, 3, 18]) {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 1000 }), (h) => {
          const [first, second] = [blockWrites(h, shape), blockWrites(h + 1, shape)];
          const [dbA, dbB] = [new Database(":memory:"), new Database(":memory:")];
          // A committed block under both, so merged buckets also come from stored rows.
          const [a, b] = [new SqliteSmtCommitment(dbA, depth), new SqliteSmtCommitment(dbB, depth)];
          for (const t of [a, b]) {
            const p0 = t.prepare(blockWrites(h + 2, shape));
            p0.persist();
            p0.publish();
          }
          const base = a.prepare(first);
          const over = a.prepareOver(base, second);
          // b: what the merged writes do to the same committed state (later writes win, deletes included).
          const all = new Map<string, Uint8Array | undefined>();
          for (const [k, v] of [...first, ...second]) all.set(toHex(k), v);
          const direct = b.prepare(
            [...all]
              .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
              .map(([k, v]) => [Uint8Array.from(Buffer.from(k, "hex")), v] as const),
          );
          assert.equal(toHex(over.root), toHex(direct.root));
          over.persist();
          over.publish();
          direct.persist();
          direct.publish();
          const rows = (db: Database.Database): unknown[] =>
            db
              .prepare("SELECT bucket, hex(summary), hex(leaves) FROM smt_buckets ORDER BY bucket")
              .raw()
              .all();
          assert.deepEqual(rows(dbA), rows(dbB));
          assert.equal(toHex(a.root()), toHex(b.root()));
          assert.throws(() => a.prepareOver(base, second), /stale/);
        }),
        { seed: 42, numRuns: 25 },
      );
    }
  });

  test("prepares on one tree do not see each other's pending nodes; any one of them publishes correctly", () => {
    // smtPending.ts: node slots are shared by a tree's prepares and told apart by stamps (proposal candidates
    // prepare several write sets on one committed state; the one FinalizeBlock keeps is published).
    for (const depth of [2, 18]) {
      const fresh = (): SqliteSmtCommitment => {
        const t = new SqliteSmtCommitment(new Database(":memory:"), depth);
        const p0 = t.prepare(blockWrites(1, shape));
        p0.persist();
        p0.publish();
        return t;
      };
      const shared = fresh();
      const sets = [2, 3, 4, 5].map((h) => blockWrites(h, shape));
      const prepared = sets.map((w) => shared.prepare(w));
      const alone = sets.map((w) => toHex(fresh().prepare(w).root));
      assert.deepEqual(
        prepared.map((p) => toHex(p.root)),
        alone,
      );
      // Publishing an earlier one (not the last built) gives its own root and rows.
      const kept = prepared[1]!;
      kept.persist();
      kept.publish();
      assert.equal(toHex(shared.root()), alone[1]);
      const ref = fresh();
      const r = ref.prepare(sets[1]!);
      r.persist();
      r.publish();
      assert.equal(toHex(shared.prepare(sets[3]!).root), toHex(ref.prepare(sets[3]!).root));
    }
  });

  test("fittedDepth: ~4 keys per bucket, never shallower, at most FIT_MAX_DEPTH", () => {
    assert.equal(fittedDepth(18, 1_000_000), 18); // ≤ 4 × 2^18
    assert.equal(fittedDepth(18, 3_000_000), 20); // a 1M-account genesis
    assert.equal(fittedDepth(18, 1e9), FIT_MAX_DEPTH);
    assert.equal(fittedDepth(20, 5), 20);
    assert.equal(fittedDepth(3, 100), 5); // 4 × 2^4 < 100 ≤ 4 × 2^5
    assert.equal(fittedDepth(2, 0), 2);
  });

  test("fitSize deepens an empty tree: same roots and proofs, depth stored by the first commit only", () => {
    const depthRow = (db: Database.Database): number =>
      db.prepare("SELECT mem_depth FROM smt_meta").pluck().get() as number;
    const ref = new SqliteSmtCommitment(new Database(":memory:"), 2);
    const db = new Database(":memory:");
    const fit = new SqliteSmtCommitment(db, 2);
    const first = blockWrites(1, shape);
    const stale = fit.prepare(first);
    fit.fitSize(first.length); // ~50 distinct keys → 4 × 2^4 ≥ 50
    assert.equal(fit.depth, fittedDepth(2, first.length));
    assert.ok(fit.depth > 2);
    assert.throws(() => {
      stale.persist();
    }, /stale/);
    for (let h = 1; h <= 6; h++) {
      const writes = blockWrites(h, shape);
      const [p, q] = [fit.prepare(writes), ref.prepare(writes)];
      assert.equal(toHex(p.root), toHex(q.root), `height ${h}`);
      // FinalizeBlock persists nothing: the new depth reaches smt_meta with the first commit's rows.
      if (h === 1) assert.equal(depthRow(db), 2);
      db.transaction(() => {
        p.persist();
      })();
      p.publish();
      q.persist();
      q.publish();
      assert.equal(depthRow(db), fit.depth);
      // Once the tree holds keys a hint changes nothing.
      fit.fitSize(1_000_000);
      assert.equal(fit.depth, fittedDepth(2, first.length));
    }
    for (let i = 0; i < 300; i += 7) assert.deepEqual(fit.prove(testKey(i)), ref.prove(testKey(i)));
    const again = new SqliteSmtCommitment(db);
    assert.equal(again.depth, fit.depth);
    assert.deepEqual(again.root(), ref.root());
  });
});
