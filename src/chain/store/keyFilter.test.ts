// KeyFilter: never a false "absent" for an added key (the read path trusts it), and few false "maybe"s.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { GrowingKeyFilter, KeyFilter } from "./keyFilter.js";

describe("KeyFilter", () => {
  test("every added key may be contained, whatever the keys (seeded)", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 120 }), { maxLength: 300 }), (keys) => {
        const f = new KeyFilter(keys.length);
        for (const k of keys) f.add(k);
        for (const k of keys) assert.equal(f.mayContain(k), true);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  test("at its sized capacity, keys sharing a long prefix give < 0.5% false positives", () => {
    // Contract state keys: "compute/" ‖ 0x03 ‖ a 20-byte address ‖ a 32-byte hashed name.
    const prefix = new Uint8Array(29).fill(0x63);
    const key = (i: number, salt: number) => {
      const k = new Uint8Array(61);
      k.set(prefix);
      new DataView(k.buffer).setUint32(29, i);
      new DataView(k.buffer).setUint32(33, salt);
      return k;
    };
    const n = 20_000;
    const f = new KeyFilter(n);
    for (let i = 0; i < n; i++) f.add(key(i, 1));
    assert.equal(f.wouldOverfill(0), false);
    let fp = 0;
    for (let i = 0; i < n; i++) if (f.mayContain(key(i, 2))) fp++;
    assert.ok(fp / n < 0.005, `false-positive rate ${fp / n}`);
    assert.equal(f.wouldOverfill(n), true);
  });
});

describe("GrowingKeyFilter", () => {
  const key = (i: number, salt: number) => {
    const k = new Uint8Array(61).fill(0x63);
    new DataView(k.buffer).setUint32(29, i);
    new DataView(k.buffer).setUint32(33, salt);
    return k;
  };

  test("no false 'absent' across growth, from any starting filter (seeded)", () => {
    fc.assert(
      fc.property(fc.nat({ max: 3000 }), fc.nat({ max: 12_000 }), (pre, more) => {
        const first = new KeyFilter(pre);
        for (let i = 0; i < pre; i++) first.add(key(i, 0));
        const g = new GrowingKeyFilter(first);
        for (let i = 0; i < more; i++) g.add(key(i, 1));
        for (let i = 0; i < pre; i++) assert.equal(g.mayContain(key(i, 0)), true);
        for (let i = 0; i < more; i++) assert.equal(g.mayContain(key(i, 1)), true);
        // A key some filter already answers "maybe" for (a false positive, ~0.05%) is not counted again.
        assert.ok(g.count <= pre + more && g.count >= 0.99 * (pre + more), `count ${g.count}`);
      }),
      { seed: 42, numRuns: 12 },
    );
  });

  test("sizes double: log2 many filters, false positives stay < 0.5% of absent reads", () => {
    const g = new GrowingKeyFilter(new KeyFilter(0));
    const n = 100_000;
    for (let i = 0; i < n; i++) g.add(key(i, 1));
    // 4,096 + 4,096 + 8,192 + … ≥ 100,000: six filters.
    assert.equal(g.parts.length, 6);
    for (const f of g.parts.slice(0, -1)) assert.equal(f.wouldOverfill(1), true);
    let fp = 0;
    for (let i = 0; i < n; i++) if (g.mayContain(key(i, 2))) fp++;
    assert.ok(fp / n < 0.005, `false-positive rate ${fp / n}`);
  });

  test("keys added again (each Commit re-adds the keys it sets) neither count nor grow the filters", () => {
    const g = new GrowingKeyFilter(new KeyFilter(0));
    const n = 3000;
    for (let i = 0; i < n; i++) g.add(key(i, 1));
    const parts = g.parts.length;
    const count = g.count;
    assert.ok(count <= n && count >= 0.99 * n, `count ${count}`);
    // 100 "blocks" rewriting the same 2,000 keys: before session 16 each counted, 200k adds → 7 filters.
    for (let b = 0; b < 100; b++) for (let i = 0; i < 2000; i++) g.add(key(i, 1));
    assert.equal(g.parts.length, parts);
    assert.equal(g.count, count);
    for (let i = 0; i < n; i++) assert.equal(g.mayContain(key(i, 1)), true);
    // New keys still grow it as before.
    for (let i = 0; i < 5000; i++) g.add(key(i, 2));
    assert.ok(g.parts.length > parts);
    for (let i = 0; i < 5000; i++) assert.equal(g.mayContain(key(i, 2)), true);
  });
});
