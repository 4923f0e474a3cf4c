// Tests for the in-memory store and overlay: a model check (fast-check, fixed seed) against a plain Map.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { CHUNK_MAX, MemoryKVStore, MemoryOverlay, compareBytes, sortByKey } from "./memory.js";
import type { KVReader, KVStore } from "./types.js";
import { toHex, fromHex } from "../../util/bytes.js";

const b = (s: string): Uint8Array => new TextEncoder().encode(s);
const hexList = (it: Iterable<[Uint8Array, Uint8Array]>): string[] =>
  [...it].map(([k, v]) => `${toHex(k)}=${toHex(v)}`);

/** The model: a Map keyed by hex; hex order equals memcmp order for byte strings. */
function modelRange(
  m: Map<string, string>,
  start: Uint8Array | undefined,
  end: Uint8Array | undefined,
  reverse: boolean,
): string[] {
  const keys = [...m.keys()]
    .filter((k) => {
      const kb = fromHex(k);
      return (
        (start === undefined || compareBytes(kb, start) >= 0) &&
        (end === undefined || compareBytes(kb, end) < 0)
      );
    })
    .sort((x, y) => compareBytes(fromHex(x), fromHex(y)));
  if (reverse) keys.reverse();
  return keys.map((k) => `${k}=${m.get(k)!}`);
}

const keyArb = fc.uint8Array({ minLength: 1, maxLength: 3, max: 3 });
const opArb = fc.oneof(
  fc.record({ op: fc.constant("set" as const), k: keyArb, v: fc.uint8Array({ maxLength: 3 }) }),
  fc.record({ op: fc.constant("del" as const), k: keyArb }),
);
type Op = { op: "set"; k: Uint8Array; v: Uint8Array } | { op: "del"; k: Uint8Array };

function apply(store: KVStore, model: Map<string, string>, op: Op): void {
  if (op.op === "set") {
    store.set(op.k, op.v);
    model.set(toHex(op.k), toHex(op.v));
  } else {
    store.delete(op.k);
    model.delete(toHex(op.k));
  }
}

function checkAgainst(r: KVReader, model: Map<string, string>, probes: Uint8Array[]): void {
  for (const p of probes) {
    const got = r.get(p);
    assert.equal(got === undefined ? undefined : toHex(got), model.get(toHex(p)));
    assert.equal(r.has(p), model.has(toHex(p)));
  }
  for (const reverse of [false, true]) {
    assert.deepEqual(
      hexList(r.iterate(undefined, undefined, reverse)),
      modelRange(model, undefined, undefined, reverse),
    );
    for (let i = 0; i + 1 < probes.length; i += 2) {
      const [s, e] = [probes[i]!, probes[i + 1]!];
      assert.deepEqual(hexList(r.iterate(s, e, reverse)), modelRange(model, s, e, reverse));
      assert.deepEqual(hexList(r.iterate(s, undefined, reverse)), modelRange(model, s, undefined, reverse));
      assert.deepEqual(hexList(r.iterate(undefined, e, reverse)), modelRange(model, undefined, e, reverse));
    }
  }
}

describe("MemoryKVStore", () => {
  test("matches a Map model under random ops", () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 40 }),
        fc.array(keyArb, { minLength: 2, maxLength: 6 }),
        (ops, probes) => {
          const s = new MemoryKVStore();
          const m = new Map<string, string>();
          for (const op of ops) apply(s, m, op);
          checkAgainst(s, m, probes);
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });

  test("matches the model across many chunk splits and emptied chunks (thousands of keys)", () => {
    // A seeded LCG (fast-check is slow at generating 10k-op arrays): keys of 1–3 bytes over ~16k values so
    // sets overwrite and deletes hit. Random sets/deletes grow it past 4 × CHUNK_MAX (many splits), then
    // deleting 9 of every 10 keys in order empties whole chunks.
    let x = 42;
    const rnd = (n: number): number => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) % n;
    const key = (): Uint8Array => Uint8Array.from({ length: 1 + rnd(3) }, () => rnd(25));
    const s = new MemoryKVStore();
    const o = new MemoryOverlay(new MemoryKVStore());
    const m = new Map<string, string>();
    const probes = Array.from({ length: 8 }, key);
    const run = (op: Op): void => {
      apply(s, m, op);
      if (op.op === "set") o.set(op.k, op.v);
      else o.delete(op.k);
    };
    for (let i = 0; i < 20_000; i++) {
      const r = rnd(10);
      const k = key();
      run(r === 0 ? { op: "del", k } : { op: "set", k, v: Uint8Array.of(r) });
    }
    assert.ok(m.size > 4 * CHUNK_MAX, `only ${m.size} keys`);
    checkAgainst(s, m, probes);
    checkAgainst(o, m, probes);
    const sorted = [...m.keys()].map((h) => fromHex(h)).sort(compareBytes);
    sorted.forEach((k, i) => {
      if (i % 10 !== 0) run({ op: "del", k });
    });
    assert.equal(s.size, m.size);
    checkAgainst(s, m, probes);
    checkAgainst(o, m, probes);
  });

  test("copies on set, rejects empty keys and non-bytes", () => {
    const s = new MemoryKVStore();
    const k = b("k");
    const v = b("v1");
    s.set(k, v);
    v[0] = 0;
    k[0] = 0;
    assert.deepEqual(s.get(b("k")), b("v1"));
    assert.throws(() => {
      s.set(new Uint8Array(0), b("x"));
    }, RangeError);
    assert.throws(() => s.get("k" as unknown as Uint8Array), /expected bytes/);
  });

  test("ownership: set/delete copy the caller's arrays; write() hands the overlay's copies up unchanged", () => {
    const parent = new MemoryOverlay(new MemoryKVStore());
    const child = new MemoryOverlay(parent);
    const k = b("key");
    const v = b("value");
    const dk = b("gone");
    child.set(k, v);
    child.delete(dk);
    // The caller may reuse its arrays at once (OCALL frames, scratch buffers): the overlay holds its own.
    k.fill(0);
    v.fill(0);
    dk.fill(0);
    const mine = child.pendingWrites();
    const [k1, v1] = mine[0]!;
    const [k2, v2] = mine[1]!;
    assert.deepEqual([k1, v1, k2, v2], [b("gone"), undefined, b("key"), b("value")]);
    assert.notEqual(k2.buffer, k.buffer);
    assert.notEqual(v2!.buffer, v.buffer);
    child.write();
    // The same objects move to the parent: the copy made at set is the only one.
    const up = parent.pendingWrites();
    assert.equal(up[0]![0], k1);
    assert.equal(up[1]![0], k2);
    assert.equal(up[1]![1], v2);
    assert.equal(parent.get(b("key")), v2);
  });

  test("full-byte keys: reads and bounded iteration equal a memcmp-sorted model (store and overlay)", () => {
    // The entries are ordered by latin1 key ids (sortedEntries.ts): bytes 0x80–0xff and 0x00 included.
    const full = fc.uint8Array({ minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(fc.array(full, { maxLength: 80 }), full, full, fc.boolean(), (keys, lo, hi, rev) => {
        const s = new MemoryKVStore();
        const o = new MemoryOverlay(new MemoryKVStore());
        keys.forEach((k, i) => {
          s.set(k, Uint8Array.of(i & 0xff));
          o.set(k, Uint8Array.of(i & 0xff));
        });
        const model = new Map(keys.map((k) => [toHex(k), k] as const));
        const want = [...model.values()]
          .filter((k) => compareBytes(k, lo) >= 0 && compareBytes(k, hi) < 0)
          .sort(compareBytes)
          .map(toHex);
        if (rev) want.reverse();
        for (const r of [s, o]) {
          assert.deepEqual(
            [...r.iterate(lo, hi, rev)].map(([k]) => toHex(k)),
            want,
          );
          for (const k of keys) assert.ok(r.has(k));
        }
      }),
      { seed: 42, numRuns: 400 },
    );
  });

  test("memcmp order: shorter prefix first, bytes unsigned", () => {
    const s = new MemoryKVStore();
    for (const k of [[0xff], [0x01, 0x00], [0x01], [0x80]]) s.set(new Uint8Array(k), b("x"));
    assert.deepEqual(
      [...s.iterate(undefined, undefined)].map(([k]) => toHex(k)),
      ["01", "0100", "80", "ff"],
    );
  });
});

describe("MemoryOverlay", () => {
  test("reads/iterates parent merged with pending writes and tombstones", () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 30 }),
        fc.array(opArb, { maxLength: 30 }),
        fc.array(keyArb, { minLength: 2, maxLength: 6 }),
        (base, over, probes) => {
          const parent = new MemoryKVStore();
          const m = new Map<string, string>();
          for (const op of base) apply(parent, m, op);
          const parentSnapshot = hexList(parent.iterate(undefined, undefined));
          const o = new MemoryOverlay(parent);
          for (const op of over) apply(o, m, op);
          checkAgainst(o, m, probes);
          // The parent is untouched until write().
          assert.deepEqual(hexList(parent.iterate(undefined, undefined)), parentSnapshot);
          o.write();
          assert.equal(o.size, 0);
          checkAgainst(parent, m, probes);
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });

  test("nested overlays flush into each other; pendingWrites is sorted with deletes as undefined", () => {
    const root = new MemoryKVStore();
    root.set(b("a"), b("1"));
    root.set(b("c"), b("3"));
    const block = new MemoryOverlay(root);
    const tx = new MemoryOverlay(block);
    tx.set(b("d"), b("4"));
    tx.delete(b("a"));
    tx.set(b("b"), b("2"));
    assert.equal(block.get(b("d")), undefined);
    tx.write();
    assert.deepEqual(
      block.pendingWrites().map(([k, v]) => [toHex(k), v === undefined ? null : toHex(v)]),
      [
        [toHex(b("a")), null],
        [toHex(b("b")), toHex(b("2"))],
        [toHex(b("d")), toHex(b("4"))],
      ],
    );
    assert.deepEqual(
      [...block.iterate(undefined, undefined)].map(([k]) => new TextDecoder().decode(k)),
      ["b", "c", "d"],
    );
    assert.equal(block.has(b("a")), false);
    assert.equal(root.has(b("a")), true);
  });

  test("overlay-into-overlay write() equals the same sets/deletes on the parent, and the child forgets them", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 30 }), fc.array(opArb, { maxLength: 30 }), (first, second) => {
        // Reference: the child's ops applied straight to a second overlay over an identical parent.
        const root = new MemoryKVStore();
        const viaChild = new MemoryOverlay(root);
        const direct = new MemoryOverlay(root);
        const m = new Map<string, string>();
        for (const op of first) {
          apply(viaChild, m, op);
          apply(direct, new Map(), op);
        }
        const child = new MemoryOverlay(viaChild);
        for (const op of second) {
          apply(child, m, op);
          apply(direct, new Map(), op);
        }
        child.write();
        assert.equal(child.size, 0);
        const dump = (o: MemoryOverlay) =>
          o.pendingWrites().map(([k, v]) => [toHex(k), v === undefined ? null : toHex(v)]);
        assert.deepEqual(dump(viaChild), dump(direct));
        // Writes to the emptied child after the hand-over stay in the child.
        child.set(b("zz"), b("9"));
        assert.equal(viaChild.get(b("zz")), undefined);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  test("a discarded overlay leaves no trace; write() over a read-only parent throws", () => {
    const root = new MemoryKVStore();
    const ro: KVReader = {
      get: (k) => root.get(k),
      has: (k) => root.has(k),
      iterate: (s, e, r) => root.iterate(s, e, r),
    };
    const o = new MemoryOverlay(ro);
    o.set(b("x"), b("y"));
    assert.throws(() => {
      o.write();
    }, TypeError);
    o.discard();
    assert.equal(o.get(b("x")), undefined);
    assert.equal(root.size, 0);
  });

  test("mutation during iteration does not disturb the running iterator", () => {
    const root = new MemoryKVStore();
    for (const k of ["a", "b", "c"]) root.set(b(k), b(k));
    const o = new MemoryOverlay(root);
    o.set(b("bb"), b("x"));
    const seen: string[] = [];
    for (const [k] of o.iterate(undefined, undefined)) {
      seen.push(new TextDecoder().decode(k));
      o.set(b("ba"), b("late"));
    }
    assert.deepEqual(seen, ["a", "b", "bb", "c"]);
  });
});

describe("sortByKey", () => {
  test("equals memcmp order, including prefixes and zero bytes", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 9, max: 2 }), { maxLength: 60 }), (keys) => {
        const got = sortByKey(keys.map((k) => [k] as const)).map(([k]) => toHex(k));
        const want = [...keys].sort(compareBytes).map(toHex);
        assert.deepEqual(got, want);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});
