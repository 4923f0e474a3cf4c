// merkleRoot (bottom-up, one buffer, one-shot digests) against the recursive definition CometBFT's
// crypto/merkle states (split at the largest power of two below n, leaf = sha256(0x00 ‖ item), inner =
// sha256(0x01 ‖ left ‖ right), empty = sha256("")) written here with node's streaming Hash; header.ts's sha256
// against the same. Seeded item counts and sizes, large items (streamed, not copied) included.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { merkleRoot } from "./merkle.js";
import { sha256 } from "./header.js";
import { mulberry32Uint32 } from "../util/seeded.js";

function refSha256(...parts: readonly Uint8Array[]): Uint8Array {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

function refRoot(items: readonly Uint8Array[]): Uint8Array {
  if (items.length === 0) return refSha256();
  if (items.length === 1) return refSha256(Uint8Array.of(0), items[0]!);
  let k = 1;
  while (k * 2 < items.length) k *= 2;
  return refSha256(Uint8Array.of(1), refRoot(items.slice(0, k)), refRoot(items.slice(k)));
}

function randomItems(next: () => number, n: number, maxLen: number): Uint8Array[] {
  return Array.from({ length: n }, () => {
    const b = new Uint8Array(next() % (maxLen + 1));
    for (let i = 0; i < b.length; i++) b[i] = next() & 0xff;
    return b;
  });
}

test("merkleRoot equals the recursive definition for 0..300 items and seeded sizes", () => {
  const next = mulberry32Uint32(0x6d65726b);
  for (let n = 0; n <= 300; n++) {
    const items = randomItems(next, n, n % 7 === 0 ? 200 : 40);
    assert.deepEqual(merkleRoot(items), refRoot(items), `n=${n}`);
  }
  for (const n of [511, 512, 513, 1000, 1025]) {
    const items = randomItems(next, n, 32);
    assert.deepEqual(merkleRoot(items), refRoot(items), `n=${n}`);
  }
});

test("merkleRoot: items around and above the scratch size (copied or streamed), and repeated calls", () => {
  const next = mulberry32Uint32(7);
  for (const len of [1023, 1024, 1025, 4096, 65536]) {
    for (const n of [1, 2, 3]) {
      const items = randomItems(next, n, 0).map(() => {
        const b = new Uint8Array(len);
        for (let i = 0; i < len; i++) b[i] = next() & 0xff;
        return b;
      });
      const mixed = [...items, new Uint8Array(5).fill(9)];
      assert.deepEqual(merkleRoot(items), refRoot(items), `len=${len} n=${n}`);
      assert.deepEqual(merkleRoot(mixed), refRoot(mixed), `len=${len} n=${n}+1`);
    }
  }
  // The root is a fresh array each time, not a view of shared memory.
  const a = merkleRoot([Uint8Array.of(1)]);
  const b = merkleRoot([Uint8Array.of(2)]);
  assert.notDeepEqual(a, b);
  assert.deepEqual(a, refRoot([Uint8Array.of(1)]));
  a[0]! ^= 0xff;
  assert.deepEqual(merkleRoot([]), refSha256());
  assert.deepEqual(merkleRoot([]), refSha256());
});

test("header sha256 equals a streaming digest for one part and several", () => {
  const next = mulberry32Uint32(0x73686132);
  for (let i = 0; i < 200; i++) {
    const parts = randomItems(next, 1 + (i % 3), i < 100 ? 64 : 3000);
    const one = sha256(parts[0]!);
    assert.equal(one.length, 32);
    assert.deepEqual(one, refSha256(parts[0]!));
    assert.deepEqual(sha256(...parts), refSha256(...parts));
  }
  assert.deepEqual(sha256(new Uint8Array()), refSha256());
  assert.deepEqual(sha256(), refSha256());
});
