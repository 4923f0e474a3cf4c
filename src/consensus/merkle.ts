// CometBFT's simple Merkle tree (crypto/merkle, RFC 6962 style): leaf = sha256(0x00 ‖ item),
// inner = sha256(0x01 ‖ left ‖ right), split at the largest power of two below n; empty = sha256("").
//
// Built bottom-up in one buffer: each level pairs adjacent nodes and carries an odd last node up unchanged,
// which is the same tree as splitting at the largest power of two below n (merkle.test.ts checks it against
// the recursive definition). Hashes are node's one-shot digests as latin1 strings written into that buffer:
// no Hash object and no 32-byte off-heap digest per node (a dev block hashes ~4 nodes per tx: data hash and
// results hash; docs/BENCHMARKS.md "Other threads and allocation (session 15, R4)").
import { createHash, hash } from "node:crypto";

const HASH_LEN = 32;
/** Items up to this size are copied behind their prefix byte into `scratch`; larger ones are streamed. */
const SCRATCH_ITEM_MAX = 1024;
/** Reused input of one node: 0x00 ‖ item (a leaf) or 0x01 ‖ left ‖ right (an inner node). Never escapes. */
const scratch = Buffer.allocUnsafeSlow(1 + SCRATCH_ITEM_MAX);

/** sha256("") as bytes. */
const EMPTY_ROOT = new Uint8Array(createHash("sha256").digest());

/** A 32-byte latin1 digest string as a new (on-heap) array. */
export function digestBytes(s: string): Uint8Array {
  const out = new Uint8Array(HASH_LEN);
  for (let i = 0; i < HASH_LEN; i++) out[i] = s.charCodeAt(i);
  return out;
}

function leafInto(level: Buffer, at: number, item: Uint8Array): void {
  let d: string;
  if (item.length <= SCRATCH_ITEM_MAX) {
    scratch[0] = 0;
    scratch.set(item, 1);
    d = hash("sha256", scratch.subarray(0, 1 + item.length), "binary");
  } else {
    d = createHash("sha256").update(scratch.subarray(0, 1).fill(0)).update(item).digest("binary");
  }
  level.write(d, at, HASH_LEN, "latin1");
}

export function merkleRoot(items: readonly Uint8Array[]): Uint8Array {
  const n = items.length;
  if (n === 0) return EMPTY_ROOT.slice();
  const level = Buffer.allocUnsafe(n * HASH_LEN);
  for (let i = 0; i < n; i++) leafInto(level, i * HASH_LEN, items[i]!);
  return rootOfLeafHashes(level, n);
}

/**
 * The root over `n` ≥ 1 leaf hashes (sha256(0x00 ‖ item) each) held in level[0, 32n), which it overwrites: for
 * callers that hash their leaves from their own scratch (header.ts resultsHash).
 */
export function rootOfLeafHashes(level: Buffer, n: number): Uint8Array {
  if (n < 1 || level.length < n * HASH_LEN) throw new RangeError("rootOfLeafHashes: bad leaf count");
  // Level by level, in place: node w of the next level is written over slot w ≤ r of this one, after its two
  // children (r, r + 1) were copied into the scratch.
  scratch[0] = 1;
  for (let m = n; m > 1;) {
    let w = 0;
    for (let r = 0; r + 1 < m; r += 2, w++) {
      level.copy(scratch, 1, r * HASH_LEN, (r + 2) * HASH_LEN);
      level.write(
        hash("sha256", scratch.subarray(0, 1 + 2 * HASH_LEN), "binary"),
        w * HASH_LEN,
        HASH_LEN,
        "latin1",
      );
    }
    if (m % 2 === 1) {
      level.copy(level, w * HASH_LEN, (m - 1) * HASH_LEN, m * HASH_LEN);
      w++;
    }
    m = w;
  }
  const root = new Uint8Array(HASH_LEN);
  root.set(level.subarray(0, HASH_LEN));
  return root;
}
