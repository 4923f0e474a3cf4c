// The production address Api with its memos (./addressApi.ts): every answer equals a fresh bech32
// conversion, handed-out bytes are private copies, and the memos stay bounded.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { bech32 } from "@scure/base";
import { addressMemoSize, Bech32Api, humanize } from "./addressApi.js";

const fresh = (c: Uint8Array): string => bech32.encode("secret", bech32.toWords(c), 90);
const api = new Bech32Api();

describe("Bech32Api memos", () => {
  test("humanize / canonicalize / validate equal a fresh conversion, asked once or many times", () => {
    const pool = fc.uint8Array({ minLength: 1, maxLength: 70 });
    fc.assert(
      fc.property(fc.array(pool, { minLength: 1, maxLength: 6 }), fc.nat(40), (addrs, repeats) => {
        for (let r = 0; r <= repeats % 4; r++) {
          for (const c of addrs) {
            const h = fresh(c);
            assert.equal(humanize(c), h);
            assert.equal(api.addrHumanize(c).human, h);
            assert.deepEqual(api.addrCanonicalize(h).canonical, c);
            assert.equal(api.addrValidate(h).error, undefined);
            assert.equal(api.addrValidate(h.toUpperCase()).error, "Address is not normalized");
          }
        }
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  test("errors are the same each time; a mutated answer does not change the next one", () => {
    const c = new Uint8Array(20).fill(7);
    const h = fresh(c);
    const a = api.addrCanonicalize(h).canonical!;
    a.fill(0);
    assert.deepEqual(api.addrCanonicalize(h).canonical, c);
    const bad = h.slice(0, -1) + (h.endsWith("q") ? "p" : "q");
    const e1 = api.addrValidate(bad).error;
    assert.ok(e1 !== undefined);
    assert.equal(api.addrValidate(bad).error, e1);
    assert.equal(api.addrCanonicalize(bad).error, e1);
    assert.equal(api.addrValidate("").error, "Input is empty");
  });

  test("bounded: 10,000 distinct addresses leave at most 2 × 1,024 per memo", () => {
    for (let i = 0; i < 10_000; i++) {
      const c = new Uint8Array(20);
      new DataView(c.buffer).setUint32(0, i);
      assert.deepEqual(api.addrCanonicalize(humanize(c)).canonical, c);
    }
    assert.ok(addressMemoSize() <= 4 * 1024, `${addressMemoSize()}`);
  });
});
