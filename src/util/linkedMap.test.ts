// LinkedMap against the structure it replaces in the bounded caches: a Map used as a queue (insertion order, a
// "touch" as delete + set, the oldest as `keys().next()`). 20,000 seeded operations of every kind over a small key
// space (re-inserts, deletes, touches of absent keys, clears); after each, the same answer and the same entries in
// the same order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LinkedMap } from "./linkedMap.js";
import { mulberry32 } from "./seeded.js";

function entriesOf(m: LinkedMap<number, string>): [number, string][] {
  const keys = [...m.keys()];
  const values = [...m.values()];
  return keys.map((k, i) => [k, values[i]!]);
}

test("LinkedMap = a Map used as a queue, for 20,000 seeded operations", () => {
  for (const seed of [1, 2]) {
    const rnd = mulberry32(seed);
    const m = new LinkedMap<number, string>();
    const ref = new Map<number, string>();
    for (let step = 0; step < 10_000; step++) {
      const k = Math.floor(rnd() * 40);
      const v = `v${step}`;
      const r = rnd();
      const what = `seed ${seed} step ${step}`;
      if (r < 0.3) {
        m.set(k, v);
        ref.set(k, v);
      } else if (r < 0.4) {
        assert.equal(m.get(k), ref.get(k), what);
        assert.equal(m.has(k), ref.has(k), what);
      } else if (r < 0.55) {
        const want = ref.get(k);
        if (want !== undefined) {
          ref.delete(k);
          ref.set(k, want);
        }
        assert.equal(m.getAndTouch(k), want, what);
      } else if (r < 0.6) {
        const had = ref.has(k);
        if (had) {
          const x = ref.get(k)!;
          ref.delete(k);
          ref.set(k, x);
        }
        assert.equal(m.touch(k), had, what);
      } else if (r < 0.75) {
        assert.equal(m.delete(k), ref.delete(k), what);
      } else if (r < 0.999) {
        const first = ref.entries().next();
        const want = first.done === true ? undefined : first.value;
        const peek = m.oldest();
        assert.deepEqual(peek === undefined ? undefined : [peek.key, peek.value], want, what);
        if (rnd() < 0.7) {
          const got = m.shift();
          if (want !== undefined) ref.delete(want[0]);
          assert.deepEqual(got === undefined ? undefined : [got.key, got.value], want, what);
        }
      } else {
        m.clear();
        ref.clear();
      }
      assert.equal(m.size, ref.size, what);
      assert.deepEqual(entriesOf(m), [...ref.entries()], what);
    }
  }
});

test("an empty LinkedMap: no oldest, shift and touch do nothing", () => {
  const m = new LinkedMap<string, number>();
  assert.equal(m.oldest(), undefined);
  assert.equal(m.shift(), undefined);
  assert.equal(m.touch("a"), false);
  assert.equal(m.getAndTouch("a"), undefined);
  m.set("a", 1).set("b", 2);
  assert.equal(m.shift()?.key, "a");
  assert.equal(m.shift()?.key, "b");
  assert.equal(m.size, 0);
  m.set("c", 3);
  assert.deepEqual([...m.keys()], ["c"]);
});
