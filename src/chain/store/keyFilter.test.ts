// KeyFilter: never a false "absent" for an added key (the read path trusts it), and few false "maybe"s.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { KeyFilter } from "./keyFilter.js";

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
