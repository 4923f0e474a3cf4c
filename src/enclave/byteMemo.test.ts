// byteMemo: the hex and byte-string keys agree with util/bytes and Buffer on every input (seeded).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { toHex } from "../util/bytes.js";
import { byteString, lowerHex } from "./byteMemo.js";

describe("byteMemo", () => {
  test("lowerHex equals toHex, for whole arrays and views, 0..130 bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 130 }), fc.nat(8), (b, cut) => {
        assert.equal(lowerHex(b), toHex(b));
        const view = b.subarray(Math.min(cut, b.length));
        assert.equal(lowerHex(view), toHex(view));
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  test("byteString is one char per byte, as latin1 (short and long keys)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 130 }), (b) => {
        assert.equal(byteString(b), Buffer.from(b).toString("latin1"));
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});
