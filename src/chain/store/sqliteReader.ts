// Synchronous SQLite readers: the latest committed state (paged iteration, so no statement stays open while a
// caller interleaves other reads) and a reader "as of height H" that layers the undo log over the latest state.
import type Database from "better-sqlite3";
import type { KVReader, KVWrite } from "./types.js";
import { KeyIdReader, assertKey, mergeIterate } from "./memory.js";
import { GrowingKeyFilter, KeyFilter } from "./keyFilter.js";
import { ownedBytes } from "./byteSlab.js";

/** Rows fetched per page of an iteration. Small enough to stay lazy, large enough to amortize the query. */
export const PAGE_SIZE = 128;

type Row = [Buffer, Buffer | null];

export const view = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/**
 * Point reads cached by LatestReader (values and absences; at most this many, in two generations). A block re-reads the same hot keys (fee collector,
 * contract config, the sender's account) in CheckTx, proposals and FinalizeBlock; a hit skips SQLite.
 */
export const READ_CACHE_MAX = 65_536;

// latin1Slice straight on the key's bytes: one string, no Buffer view allocated per read.
const latin1Slice = (
  Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }
).latin1Slice;
const cacheId = (k: Uint8Array): string => latin1Slice.call(k, 0, k.length);

/** The latest committed state: table `latest(key, value)`. A live view: it moves with each commit. */
export class LatestReader extends KeyIdReader {
  private readonly getStmt: Database.Statement<[Uint8Array], Buffer>;
  private readonly pages = new Map<string, Database.Statement<Uint8Array[], Row>>();
  // key → value, null = absent. Exact: the only writer of `latest` is the store's commit, which calls
  // applyCommitted with the same write set after its transaction succeeded. Two generations instead of an
  // exact LRU: a hit in `young` is one Map lookup (an LRU bump was a delete + set on every hit); a hit in `old`
  // moves the entry to `young`; when `young` holds half the budget it becomes `old` and the previous `old` goes.
  private young = new Map<string, Uint8Array | null>();
  private old = new Map<string, Uint8Array | null>();

  // Every key of `latest` (scanned at open, added to by each commit, growing without a rescan): a read it rules
  // out skips SQLite.
  private filter: GrowingKeyFilter;

  constructor(private readonly db: Database.Database) {
    super();
    this.getStmt = db.prepare<[Uint8Array], Buffer>("SELECT value FROM latest WHERE key = ?").pluck();
    this.filter = this.buildFilter(0);
  }

  /** Scans every key of `latest` into a new filter sized for twice as many (or `atLeast`). */
  private buildFilter(atLeast: number): GrowingKeyFilter {
    const n = this.db.prepare<[], number>("SELECT count(*) FROM latest").pluck().get() ?? 0;
    const filter = new KeyFilter(Math.max(2 * n, atLeast));
    for (const k of this.db.prepare<[], Buffer>("SELECT key FROM latest").pluck().iterate()) filter.add(k);
    return new GrowingKeyFilter(filter);
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.getById(key, cacheId(assertKey(key)));
  }

  // The overlays' key ids are the same latin1 strings as this cache's ids.
  getById(key: Uint8Array, id: string): Uint8Array | undefined {
    const hit = this.young.get(id);
    if (hit !== undefined) return hit ?? undefined;
    const older = this.old.get(id);
    if (older !== undefined) {
      this.remember(id, older);
      return older ?? undefined;
    }
    // Never written (or deleted and not yet forgotten by a rebuild): absent without asking SQLite. Not cached:
    // the filter answers as fast, and new keys must not evict the hot read set.
    if (!this.filter.mayContain(key)) return undefined;
    const v = this.getStmt.get(key);
    const value = v === undefined ? undefined : view(v);
    this.remember(id, value ?? null);
    return value;
  }

  private remember(id: string, value: Uint8Array | null): void {
    if (this.young.size >= READ_CACHE_MAX / 2) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(id, value);
  }

  /**
   * Called by the store after a commit transaction succeeded: the cache follows the write set. `first`: the
   * table was empty before it (the store's first commit), so the table's keys are exactly the written ones.
   */
  applyCommitted(writes: readonly KVWrite[], first = false): void {
    if (first) {
      // The same filter a rescan builds (sized for twice the keys, each added), without reading 3M keys back
      // from SQLite after a 1M-account genesis; nothing is cached yet, so nothing else to update.
      let n = 0;
      for (const w of writes) if (w[1] !== undefined) n++;
      const filter = new KeyFilter(2 * n);
      for (const [k, v] of writes) if (v !== undefined) filter.add(k);
      this.filter = new GrowingKeyFilter(filter);
      this.young.clear();
      this.old.clear();
      return;
    }
    const young = this.young;
    const old = this.old;
    for (const [k, v] of writes) {
      if (v !== undefined) this.filter.add(k);
      const id = cacheId(k);
      // Only keys already cached are updated: a block's writes should not evict the hot read set. The cache
      // may keep a value for many blocks: an overlay's slab view is copied so it does not pin its chunk.
      const inYoung = young.has(id);
      const inOld = old.has(id);
      if (!inYoung && !inOld) continue;
      const kept = v === undefined ? null : ownedBytes(v);
      if (inYoung) young.set(id, kept);
      if (inOld) old.set(id, kept);
    }
  }

  /** Drops every cached read (tests; or after anything but the store's commit touched the database). */
  clearCache(): void {
    this.young.clear();
    this.old.clear();
    this.filter = this.buildFilter(0);
  }

  has(key: Uint8Array): boolean {
    return this.get(key) !== undefined;
  }

  hasById(key: Uint8Array, id: string): boolean {
    return this.getById(key, id) !== undefined;
  }

  // The committed state charges nothing and records nothing (its read cache is not observable).
  override absentById(key: Uint8Array, id: string): boolean {
    return this.getById(key, id) === undefined;
  }

  iterate(
    start: Uint8Array | undefined,
    end: Uint8Array | undefined,
    reverse = false,
  ): Iterable<[Uint8Array, Uint8Array]> {
    return this.paged(start, end, reverse);
  }

  /** One page: `after` is the last key already returned (exclusive) or undefined for the first page. */
  private page(
    start: Uint8Array | undefined,
    end: Uint8Array | undefined,
    reverse: boolean,
    after: Uint8Array | undefined,
  ): Row[] {
    const conds: string[] = [];
    const args: Uint8Array[] = [];
    // Forward pages move the lower bound up; reverse pages move the upper bound down.
    const lower = reverse ? start : (after ?? start);
    const upper = reverse ? (after ?? end) : end;
    if (lower !== undefined) {
      conds.push(!reverse && after !== undefined ? "key > ?" : "key >= ?");
      args.push(lower);
    }
    if (upper !== undefined) {
      conds.push("key < ?");
      args.push(upper);
    }
    const where = conds.length > 0 ? `WHERE ${conds.join(" AND ")}` : "";
    const sql = `SELECT key, value FROM latest ${where} ORDER BY key ${reverse ? "DESC" : "ASC"} LIMIT ${PAGE_SIZE}`;
    let stmt = this.pages.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare<Uint8Array[], Row>(sql).raw();
      this.pages.set(sql, stmt);
    }
    return stmt.all(...args);
  }

  private *paged(
    start: Uint8Array | undefined,
    end: Uint8Array | undefined,
    reverse: boolean,
  ): Generator<[Uint8Array, Uint8Array]> {
    let after: Uint8Array | undefined;
    for (;;) {
      const rows = this.page(start, end, reverse, after);
      for (const [k, v] of rows) yield [view(k), view(v!)];
      if (rows.length < PAGE_SIZE) return;
      after = view(rows[rows.length - 1]![0]);
    }
  }
}

/** The undo-log queries, prepared once per store and shared by every HistoricalReader. */
export interface HistoryQueries {
  readonly get: Database.Statement<[number, Uint8Array], Row>;
  readonly range: Database.Statement<[number, Uint8Array, Uint8Array], Row>;
  readonly rangeOpen: Database.Statement<[number, Uint8Array], Row>;
}

export function prepareHistoryQueries(db: Database.Database): HistoryQueries {
  const raw = <A extends unknown[]>(sql: string): Database.Statement<A, Row> => db.prepare<A, Row>(sql).raw();
  return {
    get: raw("SELECT key, value FROM history WHERE height > ? AND key = ? ORDER BY height ASC LIMIT 1"),
    range: raw(
      "SELECT key, value FROM history WHERE height > ? AND key >= ? AND key < ? ORDER BY key, height",
    ),
    rangeOpen: raw("SELECT key, value FROM history WHERE height > ? AND key >= ? ORDER BY key, height"),
  };
}

/**
 * State as of the end of `height` (< the latest): the undo log row (key, H, value) says that before height H
 * the key held `value` (NULL = absent), so the answer is the first row with H > height, else the latest value.
 * Stays correct across later commits until pruning passes `height`.
 */
export class HistoricalReader implements KVReader {
  constructor(
    private readonly q: HistoryQueries,
    private readonly latest: LatestReader,
    readonly height: number,
  ) {}

  get(key: Uint8Array): Uint8Array | undefined {
    const row = this.q.get.get(this.height, assertKey(key));
    if (row === undefined) return this.latest.get(key);
    return row[1] === null ? undefined : view(row[1]);
  }

  has(key: Uint8Array): boolean {
    return this.get(key) !== undefined;
  }

  iterate(
    start: Uint8Array | undefined,
    end: Uint8Array | undefined,
    reverse = false,
  ): Iterable<[Uint8Array, Uint8Array]> {
    // Historical iteration (REST queries at a past height) materializes the undo rows in range; the latest
    // state underneath stays paged.
    const from = start ?? new Uint8Array(0);
    const rows =
      end === undefined ? this.q.rangeOpen.all(this.height, from) : this.q.range.all(this.height, from, end);
    const overrides: [Uint8Array, Uint8Array | undefined][] = [];
    let prev: Buffer | undefined;
    for (const [k, v] of rows) {
      if (prev !== undefined && prev.equals(k)) continue; // keep the earliest change after `height`
      prev = k;
      overrides.push([view(k), v === null ? undefined : view(v)]);
    }
    if (reverse) overrides.reverse();
    return mergeIterate(overrides, this.latest.iterate(start, end, reverse), reverse);
  }
}
