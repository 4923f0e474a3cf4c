// FrameReader: any split of a stream of frames into chunks yields the same bodies, in order, as plain Uint8Arrays.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { FrameReader } from "./frameReader.js";
import { frame } from "./abciServer.js";

/** Splits `bytes` at the given cut points (sorted, deduplicated, inside the array). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...at, bytes.length]) {
    out.push(Buffer.from(bytes.subarray(prev, c))); // sockets hand out Buffers
    prev = c;
  }
  return out;
}

describe("FrameReader", () => {
  test("any chunking of any frames gives the same bodies in order (fast-check, seed 42)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (bodies, cuts) => {
          const stream = Buffer.concat(bodies.map((b) => frame(b)));
          const r = new FrameReader(1 << 20);
          const got = split(stream, cuts).flatMap((c) => r.push(c));
          assert.equal(got.length, bodies.length);
          got.forEach((g, i) => {
            assert.equal(Object.getPrototypeOf(g), Uint8Array.prototype, "a plain Uint8Array, not a Buffer");
            assert.deepEqual(new Uint8Array(g), bodies[i]);
          });
          assert.equal(r.buffered, 0);
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });

  test("a 1 MiB frame in 64 KiB chunks comes out once, complete, after its last chunk", () => {
    const body = new Uint8Array(1 << 20).map((_, i) => i * 7);
    const chunks = split(
      frame(body),
      Array.from({ length: 16 }, (_, i) => (i + 1) * 65_536),
    );
    const r = new FrameReader(1 << 21);
    const counts = chunks.map((c) => r.push(c).length);
    assert.deepEqual(counts.slice(0, -1), new Array<number>(counts.length - 1).fill(0));
    assert.equal(counts.at(-1), 1);
    assert.equal(r.buffered, 0);
  });

  test("a length prefix over the limit throws; a partial prefix waits", () => {
    const r = new FrameReader(10);
    assert.deepEqual(r.push(Uint8Array.from([0x80])), [], "an incomplete varint waits");
    assert.throws(() => r.push(Uint8Array.from([0x01])), /over the limit/); // 128 > 10
    assert.throws(
      () => new FrameReader(10).push(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])),
      /too long/,
    );
  });
});
