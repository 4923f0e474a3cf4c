// The SMT StateCommitment over SQLite: one row per non-empty bucket (the subtree at depth `memDepth`) holds its
// summary and its sorted leaves; the levels above live in flat in-memory arrays rebuilt from the summaries.
import { hash } from "node:crypto";
import type Database from "better-sqlite3";
import { InvalidInputError } from "../../util/bytes.js";
import type { KVWrite, PreparedCommitment, StateCommitment } from "./types.js";
import { compareBytes, keyPrefix48 } from "./memory.js";
import { BucketRowWriter } from "./sqliteBatch.js";
import {
  EMPTY_SUMMARY,
  HASH_LEN,
  bitAt,
  combine,
  decodeStateProof,
  encodeStateProof,
  keyHash,
  splitIndex,
  subtreeSummary,
  verifyStateProof,
} from "./smt.js";
import type { Leaf, StateProof, Summary } from "./smt.js";
import { NodeSlots, PendingNodes } from "./smtPending.js";

/** Default in-memory depth: 2^18 buckets keeps ~4 leaves per bucket at 1M keys for 17 MB of arrays. */
export const DEFAULT_MEM_DEPTH = 18;
/** Above this the arrays (33 bytes × 2^(depth+1)) stop being small; bucket prefixes must fit in 32 bits. */
export const MAX_MEM_DEPTH = 22;
/** `fitSize` aims at this many keys per bucket: each touched bucket rehashes all its leaves and inner nodes. */
export const FIT_KEYS_PER_BUCKET = 4;
/** `fitSize` grows the depth at most to this: 2^21 top nodes, ~70 MB of arrays plus ~17 MB of slots. */
export const FIT_MAX_DEPTH = 20;

/**
 * The in-memory depth for a tree about to receive `keys` keys: `current`, or more so that buckets hold about
 * FIT_KEYS_PER_BUCKET keys, at most FIT_MAX_DEPTH (never less than `current`).
 */
export function fittedDepth(current: number, keys: number): number {
  let d = current;
  while (d < FIT_MAX_DEPTH && keys > FIT_KEYS_PER_BUCKET * 2 ** d) d++;
  return d;
}

// bucket = the first memDepth bits of sha256(key); summary = count byte (1 or 2 = "two or more") ‖ 32-byte hash;
// leaves = n × (kh ‖ vh) sorted by kh. smt_meta pins memDepth: the bucket layout depends on it.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS smt_buckets (bucket INTEGER PRIMARY KEY, summary BLOB NOT NULL, leaves BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS smt_meta (id INTEGER PRIMARY KEY CHECK (id = 1), mem_depth INTEGER NOT NULL);
`;
const LEAF_BYTES = 2 * HASH_LEN;

const view = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

interface Change {
  readonly kh: Uint8Array;
  readonly vh: Uint8Array | undefined;
}

/** A bucket's new content: its summary and its packed leaves (the row persist() writes), packed at prepare. */
interface BucketUpdate {
  readonly bucket: number;
  readonly summary: Summary;
  readonly row: Uint8Array;
}

/**
 * A prepared update: the touched buckets (by bucket) and the recomputed top-tree nodes (by heap index).
 * prepareOver builds on one: a bucket or node it does not change is read from it, then from the published tree.
 */
class SmtPrepared implements PreparedCommitment {
  constructor(
    private readonly owner: SqliteSmtCommitment,
    readonly generation: number,
    readonly root: Uint8Array,
    readonly updates: ReadonlyMap<number, BucketUpdate>,
    readonly pending: PendingNodes,
  ) {}

  persist(): void {
    this.owner.persistPrepared(this);
  }

  publish(): void {
    this.owner.publishPrepared(this);
  }
}

function packLeaves(leaves: readonly Leaf[]): Uint8Array {
  const out = new Uint8Array(leaves.length * LEAF_BYTES);
  leaves.forEach((l, i) => {
    out.set(l.kh, i * LEAF_BYTES);
    out.set(l.vh, i * LEAF_BYTES + HASH_LEN);
  });
  return out;
}

function unpackLeaves(b: Uint8Array, out: Leaf[]): void {
  if (b.length % LEAF_BYTES !== 0) throw new Error("smt: corrupt bucket row");
  for (let o = 0; o < b.length; o += LEAF_BYTES) {
    out.push({ kh: b.subarray(o, o + HASH_LEN), vh: b.subarray(o + HASH_LEN, o + LEAF_BYTES) });
  }
}

function encodeSummary(s: Summary): Uint8Array {
  const out = new Uint8Array(1 + HASH_LEN);
  out[0] = s.count;
  out.set(s.hash, 1);
  return out;
}

/**
 * Sorted merge of stored leaves with sorted changes (vh undefined = delete). `changed` is false when no change
 * alters the bucket: every delete hits an absent key and every write repeats the stored value hash (a contract's
 * removal of its never-written old-format key is such a delete: spec §6.3, see enclave README.io.md).
 */
function mergeLeaves(
  stored: readonly Leaf[],
  changes: readonly Change[],
): { leaves: Leaf[]; changed: boolean } {
  const out: Leaf[] = [];
  let changed = false;
  let i = 0;
  let j = 0;
  while (i < stored.length || j < changes.length) {
    const s = stored[i];
    const c = changes[j];
    const cmp = s === undefined ? 1 : c === undefined ? -1 : compareBytes(s.kh, c.kh);
    if (cmp < 0) {
      out.push(s!);
      i++;
      continue;
    }
    if (cmp === 0) i++;
    const vh = c!.vh;
    if (vh !== undefined) out.push({ kh: c!.kh, vh });
    if (cmp === 0 ? vh === undefined || compareBytes(vh, s!.vh) !== 0 : vh !== undefined) changed = true;
    j++;
  }
  return { leaves: out, changed };
}

/**
 * Every write's key hash (its place) and value hash in one slab, and the writes' order by place. No object per
 * write: a 1M-account genesis prepares ~3M writes, and an object plus two views each (~600 MB of heap) pushed
 * its peak toward V8's default limit; views are made per bucket (hashedChanges) and die young.
 */
/**
 * sha256(data) written at out[offset, offset + 32): node's one-shot digest as a latin1 ("binary") string, a short
 * on-heap string, copied in by a latin1 write, byte for byte. A "buffer" digest would be a new off-heap backing store per
 * hash (a malloc, sweeping and a free on a V8 helper: 2 per write, ~8 per SNIP-20 transfer).
 */
function sha256Into(out: Buffer, offset: number, data: Uint8Array): void {
  out.write(hash("sha256", data, "binary"), offset, HASH_LEN, "latin1");
}

class HashedWrites {
  readonly slab: Uint8Array;
  /** The first 48 bits of each key hash, as a number (ordering by it, ties by the bytes, is kh order). */
  readonly prefix: Float64Array;
  readonly hasValue: Uint8Array;
  /** Write indices sorted by key hash. */
  readonly order: Uint32Array;

  constructor(writes: readonly KVWrite[]) {
    const n = writes.length;
    this.slab = new Uint8Array(n * LEAF_BYTES);
    this.prefix = new Float64Array(n);
    this.hasValue = new Uint8Array(n);
    this.order = new Uint32Array(n);
    const out = Buffer.from(this.slab.buffer, this.slab.byteOffset, this.slab.byteLength);
    for (let i = 0; i < n; i++) {
      const [k, v] = writes[i]!;
      const o = i * LEAF_BYTES;
      sha256Into(out, o, k); // keyHash(k)
      this.prefix[i] = keyPrefix48(this.slab.subarray(o, o + 6));
      if (v !== undefined) {
        sha256Into(out, o + HASH_LEN, v);
        this.hasValue[i] = 1;
      }
      this.order[i] = i;
    }
    const { prefix, slab } = this;
    this.order.sort(
      (a, b) =>
        prefix[a]! - prefix[b]! ||
        compareBytes(
          slab.subarray(a * LEAF_BYTES, a * LEAF_BYTES + HASH_LEN),
          slab.subarray(b * LEAF_BYTES, b * LEAF_BYTES + HASH_LEN),
        ),
    );
  }

  get length(): number {
    return this.order.length;
  }

  /** Prefix of the i-th write in place order. */
  prefixAt(i: number): number {
    return this.prefix[this.order[i]!]!;
  }

  /** The writes [from, to) in place order as changes (views into the slab). */
  changes(from: number, to: number): Change[] {
    const out: Change[] = [];
    for (let i = from; i < to; i++) {
      const w = this.order[i]!;
      const o = w * LEAF_BYTES;
      out.push({
        kh: this.slab.subarray(o, o + HASH_LEN),
        vh: this.hasValue[w] === 1 ? this.slab.subarray(o + HASH_LEN, o + LEAF_BYTES) : undefined,
      });
    }
    return out;
  }
}

export class SqliteSmtCommitment implements StateCommitment {
  /** Levels kept in memory; fixed by the first commit (stored in smt_meta); `fitSize` may raise it before. */
  private depth_: number;
  /** The depth smt_meta holds (the first commit writes a fitted depth there). */
  private storedDepth: number;
  // Heap-indexed top tree: node (d, prefix) is at index 2^d + prefix; index 1 is the root.
  private counts: Uint8Array;
  private hashes: Uint8Array;
  // Node index → slot of the prepare being built (smtPending.ts).
  private slots: NodeSlots;
  private generation = 0;
  // Updates this tree prepared (prepareOver accepts only these); weak, so a dropped one is not kept alive.
  private readonly prepared_ = new WeakSet<SmtPrepared>();
  private readonly selectBucket: Database.Statement<[number], Buffer>;
  private readonly selectBucketRange: Database.Statement<[number, number], Buffer>;
  private readonly bucketRows: BucketRowWriter;
  private readonly deleteBucket: Database.Statement<[number]>;
  private readonly setStoredDepth: Database.Statement<[number]>;

  /** `memDepth` applies when the tables are created; an existing store keeps its own. */
  constructor(
    private readonly db: Database.Database,
    memDepth: number = DEFAULT_MEM_DEPTH,
  ) {
    if (!Number.isInteger(memDepth) || memDepth < 0 || memDepth > MAX_MEM_DEPTH) {
      throw new InvalidInputError("memDepth", `"memDepth" expected an integer in 0..${MAX_MEM_DEPTH}`);
    }
    db.exec(SCHEMA);
    db.prepare("INSERT OR IGNORE INTO smt_meta (id, mem_depth) VALUES (1, ?)").run(memDepth);
    this.depth_ = db.prepare<[], number>("SELECT mem_depth FROM smt_meta WHERE id = 1").pluck().get()!;
    this.storedDepth = this.depth_;
    this.counts = new Uint8Array(2 ** (this.depth_ + 1));
    this.hashes = new Uint8Array(2 ** (this.depth_ + 1) * HASH_LEN);
    this.slots = new NodeSlots(2 ** (this.depth_ + 1));
    this.setStoredDepth = db.prepare("UPDATE smt_meta SET mem_depth = ? WHERE id = 1");
    this.selectBucket = db
      .prepare<[number], Buffer>("SELECT leaves FROM smt_buckets WHERE bucket = ?")
      .pluck();
    this.selectBucketRange = db
      .prepare<[number, number], Buffer>(
        "SELECT leaves FROM smt_buckets WHERE bucket >= ? AND bucket < ? ORDER BY bucket",
      )
      .pluck();
    this.bucketRows = new BucketRowWriter(db);
    this.deleteBucket = db.prepare("DELETE FROM smt_buckets WHERE bucket = ?");
    this.rebuild();
  }

  /** Levels kept in memory. */
  get depth(): number {
    return this.depth_;
  }

  /**
   * A size hint before the first update of an empty tree: the state is about to hold `keys` keys (a genesis).
   * With the default depth a 1M-account genesis (~3M keys) fills each of the 2^18 buckets with ~11 leaves, and
   * every touched bucket rehashes all of them: the depth grows (`fittedDepth`) while nothing is stored, so its
   * buckets hold ~3. The root and proofs do not depend on the depth; the first commit stores it in smt_meta.
   * Updates prepared before a change of depth become stale. No effect once the tree holds a key.
   */
  fitSize(keys: number): void {
    if (this.counts[1] !== 0) return;
    const d = fittedDepth(this.depth_, keys);
    if (d === this.depth_) return;
    this.depth_ = d;
    this.counts = new Uint8Array(2 ** (d + 1));
    this.hashes = new Uint8Array(2 ** (d + 1) * HASH_LEN);
    this.slots = new NodeSlots(2 ** (d + 1));
    this.generation++;
  }

  /** Recomputes the in-memory top tree from the stored bucket summaries (at open). */
  rebuild(): void {
    this.counts.fill(0);
    this.hashes.fill(0);
    const base = 2 ** this.depth_;
    const rows = this.db.prepare<[], [number, Buffer]>("SELECT bucket, summary FROM smt_buckets").raw();
    for (const [bucket, summary] of rows.iterate()) {
      const count = summary[0];
      if (summary.length !== 1 + HASH_LEN || (count !== 1 && count !== 2))
        throw new Error("smt: corrupt summary");
      this.setNode(base + bucket, { count, hash: view(summary).subarray(1) });
    }
    for (let idx = base - 1; idx >= 1; idx--) {
      if (this.counts[2 * idx]! + this.counts[2 * idx + 1]! > 0) {
        this.setNode(idx, combine(this.nodeAt(2 * idx), this.nodeAt(2 * idx + 1)));
      }
    }
    this.generation++;
  }

  root(): Uint8Array {
    return this.nodeAt(1).hash.slice();
  }

  prepare(writes: readonly KVWrite[]): PreparedCommitment {
    return this.prepareOn(undefined, writes);
  }

  /**
   * The root after `writes` applied on top of `base`, an unpublished prepare of this tree (not stale): equal to
   * one prepare of base's writes merged with these. The store uses it for genesis, whose state is prepared at
   * InitChain and again, with block 1's few writes added, at block 1: only the difference is hashed again.
   */
  prepareOver(base: PreparedCommitment, writes: readonly KVWrite[]): PreparedCommitment {
    if (!(base instanceof SmtPrepared) || !this.prepared_.has(base))
      throw new TypeError("prepareOver expects a prepared update of this tree");
    this.assertFresh(base);
    return this.prepareOn(base, writes);
  }

  private prepareOn(base: SmtPrepared | undefined, writes: readonly KVWrite[]): SmtPrepared {
    const changes = new HashedWrites(writes);
    const pending = new PendingNodes(this.slots, base?.pending);
    const updates = new Map<number, BucketUpdate>(base?.updates);
    const top = 2 ** this.depth_;
    let level: number[] = [];
    for (let i = 0; i < changes.length;) {
      const bucket = this.bucketOf(changes.prefixAt(i));
      let j = i + 1;
      while (j < changes.length && this.bucketOf(changes.prefixAt(j)) === bucket) j++;
      const { leaves, changed } = mergeLeaves(this.bucketLeaves(bucket, updates), changes.changes(i, j));
      i = j;
      // An unchanged bucket keeps its summary, row and path: no rewrite (a random page at 1M keys), no rehash.
      if (!changed) continue;
      const summary = subtreeSummary(leaves, 0, leaves.length, this.depth_);
      pending.set(top + bucket, summary.count, summary.hash, 0);
      // Packed now, so the per-leaf objects die young (a genesis prepare touches every bucket).
      updates.set(bucket, { bucket, summary, row: packLeaves(leaves) });
      level.push(top + bucket);
    }
    for (let d = this.depth_; d > 0; d--) {
      const parents: number[] = [];
      for (const idx of level) {
        const p = idx >>> 1;
        if (parents[parents.length - 1] !== p) parents.push(p);
      }
      for (const p of parents) pending.combine(p, this.counts, this.hashes);
      level = parents;
    }
    const prepared = new SmtPrepared(this, this.generation, pending.hashOf(1, this.hashes), updates, pending);
    this.prepared_.add(prepared);
    return prepared;
  }

  /** A bucket's current leaves: from a prepared update that holds it, else from its stored row. */
  private bucketLeaves(bucket: number, updates: ReadonlyMap<number, BucketUpdate>): Leaf[] {
    const u = updates.get(bucket);
    if (u !== undefined) {
      const out: Leaf[] = [];
      unpackLeaves(u.row, out);
      return out;
    }
    return this.counts[2 ** this.depth_ + bucket] === 0 ? [] : this.loadBuckets(bucket, bucket + 1);
  }

  private assertFresh(p: SmtPrepared): void {
    if (p.generation !== this.generation)
      throw new Error("smt: prepared update is stale (another was published)");
  }

  /** SmtPrepared.persist: the touched bucket rows, inside the store's commit transaction. */
  persistPrepared(p: SmtPrepared): void {
    this.assertFresh(p);
    if (this.depth_ !== this.storedDepth) this.setStoredDepth.run(this.depth_);
    for (const u of p.updates.values()) {
      if (u.summary.count === 0) this.deleteBucket.run(u.bucket);
      else this.bucketRows.put(u.bucket, encodeSummary(u.summary), u.row);
    }
    this.bucketRows.flush();
  }

  /** SmtPrepared.publish: the new top nodes become the tree root() and prove() read. */
  publishPrepared(p: SmtPrepared): void {
    this.assertFresh(p);
    this.storedDepth = this.depth_;
    p.pending.publishInto(this.counts, this.hashes);
    this.generation++;
  }

  prove(key: Uint8Array): Uint8Array {
    return encodeStateProof(this.proveRaw(key));
  }

  /** Walks the key's path: through the in-memory top tree, then inside its bucket from the stored leaves. */
  proveRaw(key: Uint8Array): StateProof {
    const kh = keyHash(key);
    const siblings: Uint8Array[] = [];
    let idx = 1;
    while (siblings.length < this.depth_ && this.counts[idx] === 2) {
      const child = 2 * idx + bitAt(kh, siblings.length);
      siblings.push(this.nodeAt(child ^ 1).hash.slice());
      idx = child;
    }
    const d = siblings.length;
    if (this.counts[idx] === 0) return { siblings, terminal: undefined };
    // The node at depth d covers buckets [prefix << (depth-d), (prefix+1) << (depth-d)).
    const span = 2 ** (this.depth_ - d);
    const first = (idx - 2 ** d) * span;
    const leaves = this.loadBuckets(first, first + span);
    let lo = 0;
    let hi = leaves.length;
    for (let depth = d; hi - lo >= 2; depth++) {
      const m = splitIndex(leaves, lo, hi, depth);
      if (bitAt(kh, depth) === 0) {
        siblings.push(subtreeSummary(leaves, m, hi, depth + 1).hash);
        hi = m;
      } else {
        siblings.push(subtreeSummary(leaves, lo, m, depth + 1).hash);
        lo = m;
      }
    }
    return { siblings, terminal: hi - lo === 1 ? leaves[lo] : undefined };
  }

  verify(root: Uint8Array, key: Uint8Array, value: Uint8Array | undefined, proof: Uint8Array): boolean {
    let decoded: StateProof;
    try {
      decoded = decodeStateProof(proof);
    } catch {
      return false;
    }
    return verifyStateProof(root, key, value, decoded);
  }

  /** The bucket of a key hash from its 48-bit prefix: its first `depth` bits. */
  private bucketOf(prefix48: number): number {
    return Math.floor(prefix48 / 2 ** (48 - this.depth_));
  }

  /** Sorted leaves of buckets [from, to): one point lookup for a single bucket. */
  private loadBuckets(from: number, to: number): Leaf[] {
    const out: Leaf[] = [];
    if (to === from + 1) {
      const b = this.selectBucket.get(from);
      if (b !== undefined) unpackLeaves(view(b), out);
    } else {
      for (const b of this.selectBucketRange.all(from, to)) unpackLeaves(view(b), out);
    }
    return out;
  }

  private nodeAt(idx: number): Summary {
    const count = this.counts[idx]!;
    if (count === 0) return EMPTY_SUMMARY;
    // A view, not a copy: the arrays change only in publish(), after which pending summaries are dropped.
    return { count: count === 1 ? 1 : 2, hash: this.hashes.subarray(idx * HASH_LEN, (idx + 1) * HASH_LEN) };
  }

  private setNode(idx: number, s: Summary): void {
    this.counts[idx] = s.count;
    this.hashes.set(s.hash, idx * HASH_LEN);
  }
}
