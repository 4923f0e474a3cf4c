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
 * Node index → slot of the PendingNodes being built, for one tree: two flat arrays over every top-tree node
 * instead of a Map per prepare (~16k sets and ~32k gets per 500-transfer block). An entry is valid only under
 * the stamp of the prepare that wrote it, so a new prepare starts with a new stamp and nothing to clear.
 * Lookups happen only while a prepare builds its nodes (synchronous, one at a time).
 */
export class NodeSlots {
  readonly slot: Int32Array;
  readonly stamp: Uint32Array;
  private last = 0;

  /** For a top tree of `nodes` heap indices (2^(memDepth+1)). */
  constructor(nodes: number) {
    this.slot = new Int32Array(nodes);
    this.stamp = new Uint32Array(nodes);
  }

  /** A stamp no entry holds yet. */
  begin(): number {
    if (this.last === 0xffffffff) {
      this.stamp.fill(0);
      this.last = 0;
    }
    return ++this.last;
  }
}

/**
 * Pending nodes by heap index (node (d, prefix) is 2^d + prefix, as in the published arrays): a count (0 empty,
 * 1 one leaf, 2 two or more) and a hash per slot. A node without a slot reads from the published tree.
 */
export class PendingNodes {
  private readonly stampId: number;
  private idxs: number[];
  private counts: Uint8Array;
  private hashes: Uint8Array;

  /** Empty, or a copy of `base` (prepareOver builds on an unpublished prepare). */
  constructor(
    private readonly slots: NodeSlots,
    base?: PendingNodes,
  ) {
    this.stampId = slots.begin();
    this.idxs = base === undefined ? [] : base.idxs.slice();
    this.counts = base === undefined ? new Uint8Array(INITIAL_SLOTS) : base.counts.slice();
    this.hashes = base === undefined ? new Uint8Array(INITIAL_SLOTS * HASH_LEN) : base.hashes.slice();
    for (let s = 0; s < this.idxs.length; s++) this.mark(this.idxs[s]!, s);
  }

  get size(): number {
    return this.idxs.length;
  }

  private mark(idx: number, s: number): void {
    this.slots.slot[idx] = s;
    this.slots.stamp[idx] = this.stampId;
  }

  /** Slot of node `idx`, or undefined (valid while this prepare is being built). */
  private find(idx: number): number | undefined {
    return this.slots.stamp[idx] === this.stampId ? this.slots.slot[idx] : undefined;
  }

  /** Slot of node `idx`, made if needed (growing the arrays: read them after this). */
  private slot(idx: number): number {
    const s = this.find(idx);
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
    this.mark(idx, n);
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
    const ls = this.find(2 * p);
    const rs = this.find(2 * p + 1);
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

  /** A copy of node `idx`'s hash, pending or published (while this prepare is being built). */
  hashOf(idx: number, treeHashes: Uint8Array): Uint8Array {
    const s = this.find(idx);
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
