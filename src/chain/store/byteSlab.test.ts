// Tests for the overlays' slab copies: private, never overlapping, exact bytes, chunk rollover, big and empty
// arrays on their own buffers, and ownedBytes() for holders that keep bytes across blocks.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  SLAB_CHUNK_BYTES,
  SLAB_MAX_COPY_BYTES,
  ownedBytes,
  slabAlloc,
  slabCopy,
  slabJoin,
} from "./byteSlab.js";

/** Views that share a chunk occupy disjoint byte ranges of it. */
function assertDisjoint(views: readonly Uint8Array[]): void {
  const byChunk = new Map<ArrayBufferLike, [number, number][]>();
  for (const c of views) {
    const r = byChunk.get(c.buffer) ?? [];
    r.push([c.byteOffset, c.byteOffset + c.byteLength]);
    byChunk.set(c.buffer, r);
  }
  for (const ranges of byChunk.values()) {
    ranges.sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < ranges.length; i++) assert.ok(ranges[i - 1]![1] <= ranges[i]![0]);
  }
}

const ownsBuffer = (b: Uint8Array): boolean => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength;

describe("byteSlab", () => {
  test("copies are exact, private and never overlap, across several chunks (seeded)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 1500 }), { minLength: 1, maxLength: 120 }),
        (arrays) => {
          const copies = arrays.map((a) => slabCopy(a));
          const before = copies.map((c) => Uint8Array.from(c));
          // The caller mutates every source: no copy changes.
          for (const a of arrays) a.fill(0xa5);
          copies.forEach((c, i) => {
            assert.deepEqual(c, before[i]);
            assert.notEqual(c.buffer, arrays[i]!.buffer);
          });
          // Views sharing a chunk occupy disjoint ranges.
          assertDisjoint(copies);
        },
      ),
      { seed: 42, numRuns: 60 },
    );
  });

  test("small copies share a chunk; empty and large ones own their buffer; a full chunk rolls over", () => {
    const a = slabCopy(Uint8Array.of(1, 2, 3));
    const b = slabCopy(Uint8Array.of(4));
    assert.equal(a.buffer, b.buffer);
    assert.equal(a.buffer.byteLength, SLAB_CHUNK_BYTES);
    assert.ok(ownsBuffer(slabCopy(new Uint8Array(0))));
    const big = slabCopy(new Uint8Array(SLAB_MAX_COPY_BYTES + 1).fill(7));
    assert.ok(ownsBuffer(big));
    assert.equal(big[SLAB_MAX_COPY_BYTES], 7);
    // Fill past a chunk: the copy that does not fit starts a new chunk, whole.
    const copies: Uint8Array[] = [];
    for (let i = 0; i < (2 * SLAB_CHUNK_BYTES) / SLAB_MAX_COPY_BYTES + 1; i++)
      copies.push(slabCopy(new Uint8Array(SLAB_MAX_COPY_BYTES).fill(i)));
    assert.ok(new Set(copies.map((c) => c.buffer)).size >= 2);
    copies.forEach((c, i) => {
      assert.equal(c.length, SLAB_MAX_COPY_BYTES);
      assert.ok(c.every((x) => x === i));
    });
  });

  test("slabAlloc/slabJoin: zeroed, exact, never overlapping copies or each other, never rewritten (seeded)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 1100 })), {
          minLength: 1,
          maxLength: 100,
        }),
        (pairs) => {
          const out: Uint8Array[] = [];
          for (const [a, b] of pairs) {
            const z = slabAlloc(b.length);
            assert.equal(z.length, b.length);
            assert.ok(z.every((x) => x === 0));
            out.push(slabJoin(a, b), slabCopy(a), z);
          }
          const before = out.map((c) => Uint8Array.from(c));
          pairs.forEach(([a, b], i) => {
            assert.deepEqual(before[3 * i], Uint8Array.from([...a, ...b]));
          });
          // Later allocations (a chunk filled and rolled over several times) never reach earlier arrays.
          for (let i = 0; i < (3 * SLAB_CHUNK_BYTES) / 100; i++)
            slabJoin(new Uint8Array(60).fill(0xee), new Uint8Array(40).fill(0xdd));
          for (const [a, b] of pairs) {
            a.fill(0xa5);
            b.fill(0x5a);
          }
          out.forEach((c, i) => {
            assert.deepEqual(c, before[i]);
          });
          assertDisjoint(out.filter((c) => c.length > 0));
        },
      ),
      { seed: 42, numRuns: 40 },
    );
    assert.ok(ownsBuffer(slabAlloc(0)));
    assert.ok(ownsBuffer(slabAlloc(SLAB_MAX_COPY_BYTES + 1)));
    assert.equal(slabAlloc(SLAB_MAX_COPY_BYTES).buffer.byteLength, SLAB_CHUNK_BYTES);
  });

  test("ownedBytes: an array owning its buffer as is, a view as an exact-size copy", () => {
    const own = Uint8Array.of(9, 8);
    assert.equal(ownedBytes(own), own);
    const v = slabCopy(Uint8Array.of(5, 6, 7));
    const o = ownedBytes(v);
    assert.notEqual(o, v);
    assert.ok(ownsBuffer(o));
    assert.deepEqual(o, v);
  });
});
