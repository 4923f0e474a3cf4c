// The chain's persistent state store: better-sqlite3 (synchronous reads for wasm), versioned by height through
// an undo log, an SMT app hash, and ONE transaction per Commit (spec consensus-storage-perf §1.6, §5).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { InvalidInputError, abytes, equalBytes } from "../../util/bytes.js";
import type { KVReader, KVWrite, PreparedCommitment, StateCommitment } from "./types.js";
import { MemoryOverlay, assertKey, compareBytes } from "./memory.js";
import { HistoricalReader, LatestReader, prepareHistoryQueries, view } from "./sqliteReader.js";
import type { HistoryQueries } from "./sqliteReader.js";
import { DEFAULT_MEM_DEPTH, SqliteSmtCommitment } from "./smtCommitment.js";
import { relieveHeapAfterCommit, writeSetWeight } from "./heapRelief.js";
import { StateTableWriter } from "./sqliteBatch.js";

export const DB_FILE = "state.sqlite";
/** Bumped when the on-disk layout changes; a store refuses a format it does not know. */
export const FORMAT_VERSION = 1;
/** SQLite's default. 1 KiB pages measured slightly faster for random 2,000-write blocks at 1M keys (less WAL
 *  traffic per dirtied page) but lengthen overflow chains of large values; see README "Measurements". */
export const DEFAULT_PAGE_SIZE = 4096;
/** SQLite's default (1000 frames) checkpoints after nearly every 2,000-write block at 1M keys; 16384 frames
 *  (≤ 64 MiB of WAL) coalesces pages several blocks rewrite and cut wall time per block ~2× at 200k keys
 *  (README "Measurements"). */
export const DEFAULT_WAL_AUTOCHECKPOINT = 16_384;

export interface StoreOptions {
  /** Heights readable through readerAt, counting the latest; 0 (default) keeps every height, 1 keeps no history. */
  readonly keepRecent?: number;
  /** Levels of the Merkle tree kept in memory (see smtCommitment.ts). */
  readonly memDepth?: number;
  /** "full" (default) fsyncs the WAL at each commit; "normal" survives process crashes but may lose the last
   *  commits on power loss (CometBFT then replays them: spec §1.6). */
  readonly sync?: "full" | "normal";
  /** SQLite page cache in MiB (default 256). */
  readonly cacheMb?: number;
  /** WAL frames before SQLite checkpoints on commit (default DEFAULT_WAL_AUTOCHECKPOINT). */
  readonly walAutocheckpoint?: number;
  /** SQLite page size for a new database file (default DEFAULT_PAGE_SIZE); ignored for an existing file. */
  readonly pageSize?: number;
}

export interface StoreInfo {
  /** Last committed height; 0 before the first commit. */
  readonly lastHeight: number;
  /** App hash of the last commit; empty before the first commit (CometBFT's genesis convention). */
  readonly lastAppHash: Uint8Array;
  /** Lowest height readerAt can serve. */
  readonly earliestHeight: number;
}

/** A block whose app hash is computed (FinalizeBlock) but not yet persisted (Commit). */
export interface PreparedBlock {
  readonly height: number;
  readonly appHash: Uint8Array;
}

/** An ABCI-query style answer: the value (or absence) of `key` at `height`, provable against `appHash`. */
export interface StoreProof {
  readonly height: number;
  readonly appHash: Uint8Array;
  readonly key: Uint8Array;
  readonly value: Uint8Array | undefined;
  readonly proof: Uint8Array;
}

interface InternalPrepared extends PreparedBlock {
  readonly writes: readonly KVWrite[];
  readonly commitment: PreparedCommitment;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS latest (key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS history (height INTEGER NOT NULL, key BLOB NOT NULL, value BLOB,
  PRIMARY KEY (height, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS heights (height INTEGER PRIMARY KEY, app_hash BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS meta (id INTEGER PRIMARY KEY CHECK (id = 1), format INTEGER NOT NULL,
  last_height INTEGER NOT NULL, app_hash BLOB NOT NULL, earliest_height INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES (1, ${FORMAT_VERSION}, 0, x'', 0);
`;

function assertCount(value: number | undefined, fallback: number, field: string): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 0)
    throw new InvalidInputError(field, `"${field}" expected an integer ≥ 0`);
  return v;
}

/** Checks a write set: keys non-empty, strictly ascending (so unique), values bytes or undefined. */
export function assertWriteSet(writes: readonly KVWrite[]): void {
  let prev: Uint8Array | undefined;
  for (const [k, v] of writes) {
    assertKey(k);
    if (v !== undefined) abytes(v, undefined, "value");
    if (prev !== undefined && compareBytes(prev, k) >= 0) {
      throw new InvalidInputError("writes", '"writes" must be sorted by key with no duplicates');
    }
    prev = k;
  }
}

/** The write set without deletes of keys `committed` does not hold (no-ops for state, history and tree). */
export function effectiveWrites(writes: readonly KVWrite[], committed: KVReader): KVWrite[] {
  const out: KVWrite[] = [];
  for (const w of writes) if (w[1] !== undefined || committed.has(w[0])) out.push(w);
  return out;
}

/** Same value bytes (identity first: an overlay hands the same value object out until it is overwritten). */
function sameValue(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && equalBytes(a, b));
}

/**
 * The writes that turn "empty state + `from`" into "empty state + `to`" (both sorted, unique): `to`'s writes
 * that `from` lacks or holds with other bytes, and a delete for each key only `from` has. Key objects are
 * compared by identity first: the genesis overlay hands the same key objects to InitChain's and block 1's
 * write sets, so 3M unchanged writes cost one pointer compare each.
 */
export function writesDelta(from: readonly KVWrite[], to: readonly KVWrite[]): KVWrite[] {
  const out: KVWrite[] = [];
  let i = 0;
  for (const w of to) {
    let same = false;
    for (; i < from.length; i++) {
      const f = from[i]!;
      const c = f[0] === w[0] ? 0 : compareBytes(f[0], w[0]);
      if (c > 0) break;
      if (c < 0) {
        out.push([f[0], undefined]);
        continue;
      }
      same = sameValue(f[1], w[1]);
      i++;
      break;
    }
    if (!same) out.push(w);
  }
  for (; i < from.length; i++) out.push([from[i]![0], undefined]);
  return out;
}

export class Store {
  /** Live view of the latest committed state. */
  readonly committed: KVReader;
  private readonly latest: LatestReader;
  private readonly history: HistoryQueries;
  private readonly appHashStmt: Database.Statement<[number], Buffer>;
  private readonly commitment: StateCommitment;
  private readonly keepRecent: number;
  private state: StoreInfo;
  // The last prepare on the empty store (before the first commit): InitChain prepares the genesis state, and
  // block 1 prepares that state again with its own writes merged in (app.ts keeps genesis in an overlay under
  // block 1). The second prepare builds on the first (StateCommitment.prepareOver) and hashes only the
  // difference: at 1M accounts, ~3M writes hashed, sorted and bucketed once instead of twice.
  private genesisBase: InternalPrepared | undefined;
  private readonly commitTx: (p: InternalPrepared, earliest: number) => void;
  /** No memDepth option given: the tree may size itself for the genesis state (`prepare`). */
  private readonly fitTree: boolean;

  constructor(
    private readonly db: Database.Database,
    options: StoreOptions,
  ) {
    this.keepRecent = assertCount(options.keepRecent, 0, "keepRecent");
    this.fitTree = options.memDepth === undefined;
    db.exec(SCHEMA);
    const meta = db.prepare<
      [],
      { format: number; last_height: number; app_hash: Buffer; earliest_height: number }
    >("SELECT format, last_height, app_hash, earliest_height FROM meta WHERE id = 1");
    const row = meta.get()!;
    if (row.format !== FORMAT_VERSION) throw new Error(`store: unknown format ${row.format}`);
    this.state = {
      lastHeight: row.last_height,
      lastAppHash: view(row.app_hash),
      earliestHeight: row.earliest_height,
    };
    this.latest = new LatestReader(db);
    this.history = prepareHistoryQueries(db);
    this.appHashStmt = db.prepare<[number], Buffer>("SELECT app_hash FROM heights WHERE height = ?").pluck();
    this.committed = this.latest;
    this.commitment = new SqliteSmtCommitment(db, options.memDepth ?? DEFAULT_MEM_DEPTH);
    this.commitTx = this.buildCommitTx();
  }

  /** Last committed height (info().lastHeight without the copy; read on every query-state access). */
  get lastHeight(): number {
    return this.state.lastHeight;
  }

  info(): StoreInfo {
    return { ...this.state, lastAppHash: this.state.lastAppHash.slice() };
  }

  /** State as of the end of `height`; throws for heights pruned, not yet committed, or without history. */
  readerAt(height: number): KVReader {
    const { lastHeight, earliestHeight } = this.state;
    if (!Number.isSafeInteger(height) || height < earliestHeight || height > lastHeight) {
      throw new InvalidInputError(
        "height",
        `"height" ${height} is not in the stored range ${earliestHeight}..${lastHeight}`,
      );
    }
    // With no undo log the latest state is the only version (a live view).
    if (this.keepRecent === 1) return this.latest;
    return new HistoricalReader(this.history, this.latest, height);
  }

  /** A discardable write overlay (CheckTx state, proposal candidates); defaults to the committed state. */
  newOverlay(parent: KVReader = this.committed): MemoryOverlay {
    return new MemoryOverlay(parent);
  }

  /** FinalizeBlock: computes the app hash of applying `writes` at `height`, persisting nothing. */
  prepare(height: number, writes: readonly KVWrite[]): PreparedBlock {
    this.assertNextHeight(height);
    assertWriteSet(writes);
    // A private copy of the list: the state written at Commit must be exactly what the tree hashed. Deletes of
    // keys absent from the committed state are dropped: they change no row, no undo entry and no tree bucket,
    // yet each cost a key hash, a bucket read and two SQLite statements (a SNIP-20 transfer removes ~7 such
    // never-written old-format keys: enclave README.io.md). Most are ruled out by the key filter alone.
    const own = effectiveWrites(writes, this.latest);
    const empty = this.state.lastHeight === 0;
    const base = empty ? this.genesisBase : undefined;
    // The first prepare of an empty store (InitChain's genesis) sizes the tree for the genesis state, unless
    // the caller fixed memDepth (smtCommitment.ts `fitSize`: a 1M-account genesis gets 2^20 buckets, not 2^18).
    if (empty && base === undefined && this.fitTree) this.commitment.fitSize?.(own.length);
    // Before the first commit the committed state is empty, so "base + delta" equals "empty + own" exactly.
    const commitment =
      base !== undefined && this.commitment.prepareOver !== undefined
        ? this.commitment.prepareOver(base.commitment, writesDelta(base.writes, own))
        : this.commitment.prepare(own);
    const prepared: InternalPrepared = { height, appHash: commitment.root, writes: own, commitment };
    if (empty) this.genesisBase = prepared;
    return prepared;
  }

  /** Commit: persists a prepared block (state, tree, height, app hash) in one transaction. */
  commitPrepared(block: PreparedBlock): Uint8Array {
    const p = block as InternalPrepared;
    if (!("commitment" in p))
      throw new TypeError("commitPrepared expects a block from this store's prepare()");
    this.assertNextHeight(p.height);
    const first = this.state.lastHeight === 0 ? p.height : this.state.earliestHeight;
    const earliest = this.keepRecent === 0 ? first : Math.max(first, p.height - this.keepRecent + 1);
    const firstCommit = this.state.lastHeight === 0;
    this.commitTx(p, earliest);
    this.genesisBase = undefined;
    this.latest.applyCommitted(p.writes, firstCommit);
    p.commitment.publish();
    this.state = { lastHeight: p.height, lastAppHash: p.appHash, earliestHeight: earliest };
    // A genesis-sized write set leaves GBs of dead heap that V8 would keep for a long time (heapRelief.ts).
    relieveHeapAfterCommit(writeSetWeight(p.writes));
    return p.appHash;
  }

  /** prepare + commitPrepared in one call. */
  commit(height: number, writes: readonly KVWrite[]): Uint8Array {
    return this.commitPrepared(this.prepare(height, writes));
  }

  /** Value and Merkle proof for `key` at the last committed height (ABCI Query with prove=true). */
  prove(key: Uint8Array): StoreProof {
    const value = this.latest.get(key);
    const { lastHeight, lastAppHash } = this.state;
    return { height: lastHeight, appHash: lastAppHash, key, value, proof: this.commitment.prove(key) };
  }

  /** Checks a StoreProof (or any key/value/proof) against an app hash. */
  verify(appHash: Uint8Array, key: Uint8Array, value: Uint8Array | undefined, proof: Uint8Array): boolean {
    return this.commitment.verify(appHash, key, value, proof);
  }

  /** App hash recorded for a retained height, or undefined. */
  appHashAt(height: number): Uint8Array | undefined {
    const h = this.appHashStmt.get(height);
    return h === undefined ? undefined : view(h);
  }

  close(): void {
    this.db.close();
  }

  private assertNextHeight(height: number): void {
    const last = this.state.lastHeight;
    const ok = Number.isSafeInteger(height) && (last === 0 ? height >= 1 : height === last + 1);
    if (!ok)
      throw new InvalidInputError(
        "height",
        `"height" expected ${last === 0 ? "≥ 1" : last + 1}, got ${height}`,
      );
  }

  private buildCommitTx(): (p: InternalPrepared, earliest: number) => void {
    const db = this.db;
    const putHeight = db.prepare("INSERT OR REPLACE INTO heights (height, app_hash) VALUES (?, ?)");
    const setMeta = db.prepare(
      "UPDATE meta SET last_height = ?, app_hash = ?, earliest_height = ? WHERE id = 1",
    );
    const pruneHistory = db.prepare("DELETE FROM history WHERE height <= ?");
    const pruneHeights = db.prepare("DELETE FROM heights WHERE height < ?");
    const keepHistory = this.keepRecent !== 1;
    // latest + history rows in multi-row statements (sqliteBatch.ts). The undo row copies the old value inside
    // SQLite: no round trip or Buffer per write. A write of an unchanged value records that same value, which is
    // still the right answer for earlier heights; a delete of an absent key changes nothing at any height: no
    // undo row (any later write of the key records its own "absent before" row).
    const tables = new StateTableWriter(db);
    return db.transaction((p: InternalPrepared, earliest: number) => {
      // The first commit lands on an empty store, and no height below it is readable: no undo rows, and its
      // write set holds no deletes (prepare drops deletes of absent keys).
      tables.write(p.height, p.writes, keepHistory && this.state.lastHeight !== 0);
      p.commitment.persist();
      putHeight.run(p.height, p.appHash);
      setMeta.run(p.height, p.appHash, earliest);
      // Undo rows at heights ≤ earliest only serve reads below earliest (see HistoricalReader).
      if (this.keepRecent > 0) {
        pruneHistory.run(earliest);
        pruneHeights.run(earliest);
      }
    });
  }
}

/** Opens (creating if needed) the store in `dir`. */
export function openStore(dir: string, options: StoreOptions = {}): Store {
  mkdirSync(dir, { recursive: true });
  return openStoreAt(join(dir, DB_FILE), options);
}

/** Opens the store at a file path, or ":memory:" for tests and tools. */
export function openStoreAt(file: string, options: StoreOptions = {}): Store {
  const cacheMb = assertCount(options.cacheMb, 256, "cacheMb");
  const pageSize = assertCount(options.pageSize, DEFAULT_PAGE_SIZE, "pageSize");
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    throw new InvalidInputError("pageSize", '"pageSize" expected a power of two in 512..65536');
  }
  const db = new Database(file);
  try {
    // page_size must precede WAL mode to apply to a new file.
    db.pragma(`page_size = ${pageSize}`);
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${options.sync === "normal" ? "NORMAL" : "FULL"}`);
    db.pragma(`cache_size = -${cacheMb * 1024}`);
    db.pragma("temp_store = MEMORY");
    db.pragma(
      `wal_autocheckpoint = ${assertCount(options.walAutocheckpoint, DEFAULT_WAL_AUTOCHECKPOINT, "walAutocheckpoint")}`,
    );
    return new Store(db, options);
  } catch (e) {
    db.close();
    throw e;
  }
}
