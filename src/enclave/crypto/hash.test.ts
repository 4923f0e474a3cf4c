// constantTimeEqual (a JS loop up to 64 bytes, node:crypto above) and expandKey128At against their references.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { timingSafeEqual } from "node:crypto";
import { constantTimeEqual, sha256 } from "./hash.js";
import { expandKey128, expandKey128At } from "./aes128.js";
import { sha256Js } from "./sha256Js.js";
import { toHex } from "../../util/bytes.js";

// One part goes through node's one-shot crypto.hash, several through a Hash object: the same digest as the JS
// SHA-256 for every length, for views at any offset into a larger buffer, and as fresh plain arrays.
describe("sha256", () => {
  test("one part (one-shot) and several parts equal the JS SHA-256 (seeded property, views included)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), fc.nat(40), fc.nat(700), (buf, off, cut) => {
        const m = buf.subarray(Math.min(off, buf.length));
        const want = toHex(sha256Js(m));
        const one = sha256(m);
        assert.equal(toHex(one), want);
        assert.ok(one.constructor === Uint8Array && one.byteOffset === 0 && one.buffer.byteLength === 32);
        const at = Math.min(cut, m.length);
        assert.equal(toHex(sha256(m.subarray(0, at), m.subarray(at))), want);
      }),
      { seed: 47, numRuns: 400 },
    );
    assert.equal(
      toHex(sha256(new Uint8Array(0))),
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
  });
});

describe("constantTimeEqual", () => {
  test("equals the byte comparison for every length around the 64-byte switch (seeded property)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 130 }),
        fc.nat(),
        fc.integer({ min: 0, max: 2 }),
        (a, pos, mode) => {
          const b = Uint8Array.from(a);
          if (mode === 1 && b.length > 0) b[pos % b.length]! ^= 1 << (pos % 8);
          const c = mode === 2 ? Uint8Array.from([...a, 0]) : b;
          const expected = a.length === c.length && timingSafeEqual(a, c);
          assert.equal(constantTimeEqual(a, c), expected);
          assert.equal(constantTimeEqual(c, a), expected);
        },
      ),
      { seed: 42, numRuns: 2000 },
    );
    for (const n of [0, 1, 63, 64, 65]) {
      const x = new Uint8Array(n).fill(7);
      assert.equal(constantTimeEqual(x, x.slice()), true);
      if (n > 0) {
        const y = x.slice();
        y[n - 1] = 8;
        assert.equal(constantTimeEqual(x, y), false);
      }
    }
  });
});

describe("expandKey128At", () => {
  test("is expandKey128 of the 16 bytes at the offset; refuses what does not fit", () => {
    const key = Uint8Array.from({ length: 40 }, (_, i) => (i * 37 + 5) & 0xff);
    for (const at of [0, 1, 16, 24]) {
      assert.deepEqual(expandKey128At(key, at), expandKey128(key.slice(at, at + 16)));
    }
    assert.throws(() => expandKey128At(key, 25), RangeError);
    assert.throws(() => expandKey128At(key, -1), RangeError);
    assert.throws(() => expandKey128(key.subarray(0, 15)), RangeError);
  });
});
