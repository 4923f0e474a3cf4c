// The SMT StateCommitment over SQLite: leaves (sha256(key) → sha256(value)) persist in one table; the top
// `memDepth` levels of inner-node hashes live in flat in-memory arrays rebuilt from the leaves at open.
import type Database from "better-sqlite3";
import { InvalidInputError } from "../../util/bytes.js";
import type { KVWrite, PreparedCommitment, StateCommitment } from "./types.js";
import { compareBytes, keyPrefix48 } from "./memory.js";
import {
  EMPTY_SUMMARY,
  HASH_LEN,
  bitAt,
  combine,
  decodeStateProof,
  encodeStateProof,
  keyHash,
  sha256,
  splitIndex,
  subtreeSummary,
  verifyStateProof,
} from "./smt.js";
import type { Leaf, StateProof, Summary } from "./smt.js";

/** Default in-memory depth: 2^18 buckets keeps ~4 leaves per bucket at 1M keys for 17 MB of arrays. */
export const DEFAULT_MEM_DEPTH = 18;
/** Above this the arrays (33 bytes × 2^(depth+1)) stop being small; bucket prefixes must fit in 32 bits. */
export const MAX_MEM_DEPTH = 22;

const SCHEMA = "CREATE TABLE IF NOT EXISTS smt_leaves (kh BLOB PRIMARY KEY, vh BLOB NOT NULL) WITHOUT ROWID";
// Larger than any 32-byte key hash under memcmp: the open upper bound of the last prefix range.
const PAST_LAST = new Uint8Array(HASH_LEN + 1).fill(0xff);

interface Change {
  readonly kh: Uint8Array;
  readonly vh: Uint8Array | undefined;
}

const view = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** memcmp range [start, end) of key hashes whose first `depth` bits equal `prefix` (depth ≤ 32). */
function prefixRange(depth: number, prefix: number): [Uint8Array, Uint8Array] {
  const unit = 2 ** (32 - depth);
  const start = new Uint8Array(4);
  new DataView(start.buffer).setUint32(0, prefix * unit);
  if (prefix + 1 >= 2 ** depth) return [start, PAST_LAST];
  const end = new Uint8Array(4);
  new DataView(end.buffer).setUint32(0, (prefix + 1) * unit);
  return [start, end];
}

/** Sorted merge of stored leaves with sorted changes (vh undefined = delete). */
function mergeLeaves(stored: readonly Leaf[], changes: readonly Change[]): Leaf[] {
  const out: Leaf[] = [];
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
    if (c!.vh !== undefined) out.push({ kh: c!.kh, vh: c!.vh });
    j++;
  }
  return out;
}

export class SqliteSmtCommitment implements StateCommitment {
  private readonly depth: number;
  private readonly bucketShift: number;
  // Heap-indexed top tree: node (d, prefix) is at index 2^d + prefix; index 1 is the root.
  private readonly counts: Uint8Array;
  private readonly hashes: Uint8Array;
  private generation = 0;
  private readonly selectRange: Database.Statement<[Uint8Array, Uint8Array], Buffer[]>;
  private readonly upsertLeaf: Database.Statement<[Uint8Array, Uint8Array]>;
  private readonly deleteLeaf: Database.Statement<[Uint8Array]>;

  constructor(
    private readonly db: Database.Database,
    memDepth: number = DEFAULT_MEM_DEPTH,
  ) {
    if (!Number.isInteger(memDepth) || memDepth < 0 || memDepth > MAX_MEM_DEPTH) {
      throw new InvalidInputError("memDepth", `"memDepth" expected an integer in 0..${MAX_MEM_DEPTH}`);
    }
    this.depth = memDepth;
    this.bucketShift = 32 - memDepth;
    this.counts = new Uint8Array(2 ** (memDepth + 1));
    this.hashes = new Uint8Array(2 ** (memDepth + 1) * HASH_LEN);
    db.exec(SCHEMA);
    this.selectRange = db
      .prepare<[Uint8Array, Uint8Array], Buffer[]>(
        "SELECT kh, vh FROM smt_leaves WHERE kh >= ? AND kh < ? ORDER BY kh",
      )
      .raw();
    this.upsertLeaf = db.prepare("INSERT OR REPLACE INTO smt_leaves (kh, vh) VALUES (?, ?)");
    this.deleteLeaf = db.prepare("DELETE FROM smt_leaves WHERE kh = ?");
    this.rebuild();
  }

  /** Recomputes the in-memory top tree from the stored leaves (at open, or after a failed commit). */
  rebuild(): void {
    this.counts.fill(0);
    this.hashes.fill(0);
    let bucket = -1;
    let group: Leaf[] = [];
    const flush = (): void => {
      if (group.length > 0)
        this.setNode(2 ** this.depth + bucket, subtreeSummary(group, 0, group.length, this.depth));
      group = [];
    };
    const all = this.db.prepare<[], Buffer[]>("SELECT kh, vh FROM smt_leaves ORDER BY kh").raw();
    for (const row of all.iterate()) {
      const leaf = { kh: view(row[0]!), vh: view(row[1]!) };
      const b = this.bucketOf(leaf.kh);
      if (b !== bucket) {
        flush();
        bucket = b;
      }
      group.push(leaf);
    }
    flush();
    for (let idx = 2 ** this.depth - 1; idx >= 1; idx--) {
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
    const changes: Change[] = writes
      .map(([k, v]) => {
        const kh = keyHash(k);
        return { kh, p: keyPrefix48(kh), vh: v === undefined ? undefined : sha256(v) };
      })
      .sort((a, b) => a.p - b.p || compareBytes(a.kh, b.kh));
    const pending = new Map<number, Summary>();
    const get = (idx: number): Summary => pending.get(idx) ?? this.nodeAt(idx);
    let level: number[] = [];
    for (let i = 0; i < changes.length;) {
      const b = this.bucketOf(changes[i]!.kh);
      let j = i + 1;
      while (j < changes.length && this.bucketOf(changes[j]!.kh) === b) j++;
      const idx = 2 ** this.depth + b;
      const stored = this.counts[idx] === 0 ? [] : this.loadLeaves(this.depth, b);
      const merged = mergeLeaves(stored, changes.slice(i, j));
      pending.set(idx, subtreeSummary(merged, 0, merged.length, this.depth));
      level.push(idx);
      i = j;
    }
    for (let d = this.depth; d > 0; d--) {
      const parents: number[] = [];
      for (const idx of level) {
        const p = idx >>> 1;
        if (parents[parents.length - 1] !== p) parents.push(p);
      }
      for (const p of parents) pending.set(p, combine(get(2 * p), get(2 * p + 1)));
      level = parents;
    }
    return this.prepared(get(1).hash.slice(), changes, pending);
  }

  private prepared(root: Uint8Array, changes: Change[], pending: Map<number, Summary>): PreparedCommitment {
    const generation = this.generation;
    const check = (): void => {
      if (this.generation !== generation)
        throw new Error("smt: prepared update is stale (another was published)");
    };
    return {
      root,
      persist: () => {
        check();
        for (const c of changes) {
          if (c.vh === undefined) this.deleteLeaf.run(c.kh);
          else this.upsertLeaf.run(c.kh, c.vh);
        }
      },
      publish: () => {
        check();
        for (const [idx, s] of pending) this.setNode(idx, s);
        this.generation++;
      },
    };
  }

  prove(key: Uint8Array): Uint8Array {
    return encodeStateProof(this.proveRaw(key));
  }

  /** Walks the key's path: through the in-memory top tree, then inside its bucket from stored leaves. */
  proveRaw(key: Uint8Array): StateProof {
    const kh = keyHash(key);
    const siblings: Uint8Array[] = [];
    let idx = 1;
    while (siblings.length < this.depth && this.counts[idx] === 2) {
      const child = 2 * idx + bitAt(kh, siblings.length);
      siblings.push(this.nodeAt(child ^ 1).hash.slice());
      idx = child;
    }
    const d = siblings.length;
    if (this.counts[idx] === 0) return { siblings, terminal: undefined };
    const leaves = this.loadLeaves(d, idx - 2 ** d);
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

  private bucketOf(kh: Uint8Array): number {
    if (this.depth === 0) return 0;
    const top = ((kh[0]! << 24) | (kh[1]! << 16) | (kh[2]! << 8) | kh[3]!) >>> 0;
    return top >>> this.bucketShift;
  }

  private loadLeaves(depth: number, prefix: number): Leaf[] {
    const [start, end] = prefixRange(depth, prefix);
    return this.selectRange.all(start, end).map((r) => ({ kh: view(r[0]!), vh: view(r[1]!) }));
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
