// The top-tree nodes one prepare recomputes, in flat arrays: no Summary object, hash view or digest array per
// node. A 500-transfer block recomputes ~16k nodes; prepare combines them level by level, publish copies them.
import { sha256PrefixPairInto } from "./sha256Pair.js";
import { HASH_LEN, NODE_PREFIX } from "./smt.js";

const INITIAL_SLOTS = 1024;

/** Copies one 32-byte hash (byte loop: no subarray view per node). */
function copyHash(from: Uint8Array, fo: number, to: Uint8Array, to0: number): void {
  for (let i = 0; i < HASH_LEN; i++) to[to0 + i] = from[fo + i]!;
}

/**
 * Pending nodes by heap index (node (d, prefix) is 2^d + prefix, as in the published arrays): a count (0 empty,
 * 1 one leaf, 2 two or more) and a hash per slot. A node without a slot reads from the published tree.
 */
export class PendingNodes {
  private readonly slotOf: Map<number, number>;
  private idxs: number[];
  private counts: Uint8Array;
  private hashes: Uint8Array;

  /** Empty, or a copy of `base` (prepareOver builds on an unpublished prepare). */
  constructor(base?: PendingNodes) {
    this.slotOf = new Map(base?.slotOf);
    this.idxs = base === undefined ? [] : base.idxs.slice();
    this.counts = base === undefined ? new Uint8Array(INITIAL_SLOTS) : base.counts.slice();
    this.hashes = base === undefined ? new Uint8Array(INITIAL_SLOTS * HASH_LEN) : base.hashes.slice();
  }

  get size(): number {
    return this.idxs.length;
  }

  /** Slot of node `idx`, made if needed (growing the arrays: read them after this). */
  private slot(idx: number): number {
    const s = this.slotOf.get(idx);
    if (s !== undefined) return s;
    const n = this.idxs.length;
    if (n === this.counts.length) {
      const counts = new Uint8Array(2 * n);
      counts.set(this.counts);
      const hashes = new Uint8Array(2 * n * HASH_LEN);
      hashes.set(this.hashes);
      this.counts = counts;
      this.hashes = hashes;
    }
    this.idxs.push(idx);
    this.slotOf.set(idx, n);
    return n;
  }

  /** Sets node `idx` to `count` and the hash at hash[offset, offset + 32). */
  set(idx: number, count: 0 | 1 | 2, hash: Uint8Array, offset: number): void {
    const s = this.slot(idx);
    this.counts[s] = count;
    copyHash(hash, offset, this.hashes, s * HASH_LEN);
  }

  /**
   * Node `p` := the combination of its children (smt.ts `combine`: a subtree with at most one leaf is that
   * leaf or empty; two or more hash as H(0x01 ‖ left ‖ right)), each child pending or else published.
   */
  combine(p: number, treeCounts: Uint8Array, treeHashes: Uint8Array): void {
    const s = this.slot(p);
    const hashes = this.hashes;
    const ls = this.slotOf.get(2 * p);
    const rs = this.slotOf.get(2 * p + 1);
    const lc = ls === undefined ? treeCounts[2 * p]! : this.counts[ls]!;
    const rc = rs === undefined ? treeCounts[2 * p + 1]! : this.counts[rs]!;
    const la = ls === undefined ? treeHashes : hashes;
    const lo = (ls ?? 2 * p) * HASH_LEN;
    const ra = rs === undefined ? treeHashes : hashes;
    const ro = (rs ?? 2 * p + 1) * HASH_LEN;
    const o = s * HASH_LEN;
    if (lc + rc <= 1) {
      this.counts[s] = lc + rc;
      if (lc === 1) copyHash(la, lo, hashes, o);
      else copyHash(ra, ro, hashes, o); // the one leaf, or an empty child's zero hash
    } else {
      this.counts[s] = 2;
      sha256PrefixPairInto(NODE_PREFIX, la, lo, ra, ro, hashes, o);
    }
  }

  /** A copy of node `idx`'s hash, pending or published. */
  hashOf(idx: number, treeHashes: Uint8Array): Uint8Array {
    const s = this.slotOf.get(idx);
    const o = (s ?? idx) * HASH_LEN;
    return (s === undefined ? treeHashes : this.hashes).slice(o, o + HASH_LEN);
  }

  /** Writes every pending node into the published arrays. */
  publishInto(treeCounts: Uint8Array, treeHashes: Uint8Array): void {
    const { idxs, counts, hashes } = this;
    for (let s = 0; s < idxs.length; s++) {
      const idx = idxs[s]!;
      treeCounts[idx] = counts[s]!;
      copyHash(hashes, s * HASH_LEN, treeHashes, idx * HASH_LEN);
    }
  }
}
