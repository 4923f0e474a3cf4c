// decodeFields reads its input in place (readerOver, no copy); readBytes must still hand out plain copies,
// whether the input is a Uint8Array, a Buffer or a view into a larger buffer.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { BinaryWriter } from "cosmjs-types/binary";
import { decodeFields, readBytes, readString, readerOver } from "./proto.js";

function encode(a: Uint8Array, s: string): Uint8Array {
  return new BinaryWriter().uint32(10).bytes(a).uint32(18).string(s).finish();
}

describe("proto decodeFields / readBytes", () => {
  test("bytes fields are plain copies, for Uint8Array, Buffer and offset-view inputs (seeded)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.string(), fc.nat({ max: 16 }), (a, s, pad) => {
        const enc = encode(a, s);
        const padded = new Uint8Array(pad + enc.length);
        padded.set(enc, pad);
        for (const input of [
          enc.slice(),
          Buffer.from(enc),
          padded.subarray(pad),
          Buffer.from(padded).subarray(pad),
        ]) {
          let got: Uint8Array | undefined;
          let str: string | undefined;
          decodeFields(input, (f, wt, r) => {
            if (f === 1) got = readBytes(r, wt, "a");
            else if (f === 2) str = readString(r, wt, "s");
            else return false;
            return true;
          });
          assert.equal(Object.getPrototypeOf(got), Uint8Array.prototype);
          assert.deepEqual(got, a);
          assert.equal(str, s);
          input.fill(0xee);
          assert.deepEqual(got, a, "a later change of the input must not reach the decoded bytes");
        }
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  test("readerOver reads the bytes in place, as a plain Uint8Array", () => {
    const b = Buffer.from([1, 2, 3]);
    const r = readerOver(b);
    assert.equal(Object.getPrototypeOf(r.buf), Uint8Array.prototype);
    assert.equal(r.buf.buffer, b.buffer);
    assert.equal(r.len, 3);
  });
});
