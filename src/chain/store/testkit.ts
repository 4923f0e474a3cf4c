// Deterministic pseudo-random block write sets for the store's tests, its crash-test child and bench/store.ts.
// Seeded (mulberry32), never Math.random: the same (seed, height) always yields the same block.
import type { KVWrite } from "./types.js";
import { compareBytes } from "./memory.js";
import { mulberry32Uint32 } from "../../util/seeded.js";

/** mulberry32: a tiny seeded uint32 generator (not cryptographic; test data only). */
export const prng = mulberry32Uint32;

export interface WriteSetShape {
  readonly seed: number;
  /** Keys are drawn from `keySpace` distinct keys, so blocks overwrite and delete earlier ones. */
  readonly keySpace: number;
  readonly writesPerBlock: number;
  /** One write in `deleteOneIn` is a delete (0 = never). */
  readonly deleteOneIn: number;
}

/** The state key for index i: a module-like prefix plus a big-endian index. */
export function testKey(i: number): Uint8Array {
  const k = new Uint8Array(9);
  k.set([0x02, 0x14, 0xaa, 0xbb, 0xcc]);
  new DataView(k.buffer).setUint32(5, i);
  return k;
}

/** The sorted, duplicate-free write set of block `height`. */
export function blockWrites(height: number, shape: WriteSetShape): KVWrite[] {
  const rnd = prng((shape.seed ^ Math.imul(height, 0x9e3779b1)) >>> 0);
  const byIndex = new Map<number, Uint8Array | undefined>();
  for (let n = 0; n < shape.writesPerBlock; n++) {
    const i = rnd() % shape.keySpace;
    if (shape.deleteOneIn > 0 && rnd() % shape.deleteOneIn === 0) {
      byIndex.set(i, undefined);
      continue;
    }
    const v = new Uint8Array(1 + (rnd() % 40));
    for (let j = 0; j < v.length; j++) v[j] = rnd() & 0xff;
    byIndex.set(i, v);
  }
  const out: KVWrite[] = [...byIndex].map(([i, v]) => [testKey(i), v] as const);
  return out.sort((a, b) => compareBytes(a[0], b[0]));
}
