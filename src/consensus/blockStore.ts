// The embedded engine's block store: blocks, their FinalizeBlock results, the commit that sealed each one,
// a tx index (hash → height/index) and an event index for tx_search. SQLite (better-sqlite3, synchronous);
// a block and its results are written in one transaction BEFORE the app commits, as CometBFT does, so a
// crash between the two is repaired on restart by replaying the stored block (spec consensus-storage-perf §1.6).
// That transaction is synced (SQLite `synchronous = FULL`, an fsync of the WAL) before saveBlock returns, so a
// power loss cannot leave the app's state (synced at each Commit) ahead of the block store (README "Durability").
// The index rows are written after that, as CometBFT's indexer does (README "Index after commit"): in small
// slices, as the enclave door's jobs or when the event loop is idle, and all at once before any read of them.
import Database from "better-sqlite3";
import { ResponseFinalizeBlock, type Event, type ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { Block } from "cosmjs-types/tendermint/types/block";
import { Commit, type BlockID } from "cosmjs-types/tendermint/types/types";
import { sha256 } from "./header.js";
import { encodeFinalizeBlockResponse } from "./resultsCodec.js";

const utf8Encode = (s: string): Uint8Array => new TextEncoder().encode(s);
const utf8Decode = (b: Uint8Array): string => new TextDecoder().decode(b);

export interface StoredBlock {
  height: bigint;
  blockId: BlockID;
  block: Block;
  results: ResponseFinalizeBlock;
}

export interface StoredTx {
  hash: Uint8Array;
  height: bigint;
  index: number;
  tx: Uint8Array;
  result: ExecTxResult;
}

export interface TxSearchOptions {
  page: number;
  perPage: number;
  orderBy: "asc" | "desc";
}

/** One condition of a CometBFT event query: `tx.height>=5`, `message.sender='secret1…'`. */
interface Condition {
  key: string;
  op: "=" | "<" | "<=" | ">" | ">=" | "CONTAINS";
  value: string;
}

const CONDITION_RE =
  /^\s*([\w.\-/]+)\s*(<=|>=|=|<|>|\s+CONTAINS\s+)\s*(?:'([^']*)'|"([^"]*)"|([\w.\-/]+))\s*$/;

/** Parses the AND-joined subset of CometBFT's query language that clients use. Throws on anything else. */
export function parseEventQuery(query: string): Condition[] {
  const parts = query.split(/\s+AND\s+/);
  return parts.map((p) => {
    const m = CONDITION_RE.exec(p);
    if (!m) throw new Error(`invalid event query condition: ${p.slice(0, 100)}`);
    const op = m[2]!.trim() as Condition["op"];
    return { key: m[1]!, op, value: m[3] ?? m[4] ?? m[5] ?? "" };
  });
}

/**
 * The event index: one row per distinct (key, value, tx) in a WITHOUT ROWID table keyed by exactly what
 * tx_search looks up, so an insert touches one B-tree (a rowid table plus an index touched two, and duplicate
 * attributes of one tx added rows no query could tell apart). Folders made before keep their rowid table and
 * its index: every query below reads both forms the same way.
 */
const TX_EVENTS_SCHEMA = `CREATE TABLE tx_events (key TEXT NOT NULL, value TEXT NOT NULL, height INTEGER NOT NULL,
  idx INTEGER NOT NULL, PRIMARY KEY (key, value, height, idx)) WITHOUT ROWID`;
/** Rows per multi-row event INSERT: 512 bound values, under SQLite's oldest variable limit (999). */
const EVENT_ROWS_PER_INSERT = 128;
/** Rows per multi-row txs INSERT (384 bound values). Hashes are unique in a block, so batching changes no row. */
const TX_ROWS_PER_INSERT = 128;
/** A tx's attributes are checked against its earlier rows for repeats while it has at most this many rows. */
const DEDUPE_SCAN_ROWS = 64;
/** Entries of the `type.key` cache, per level (event types; keys per type). */
const EVENT_KEY_CACHE_MAX = 1024;
const TX_EVENTS_LEGACY_INDEX =
  "CREATE INDEX IF NOT EXISTS tx_events_kv ON tx_events(key, value, height, idx)";

const TX_HASH_HEX_RE = /^[0-9A-F]{64}$/;

/** meta key of the index marker: every block at or below this height has all its txs and event rows. */
const INDEXED_HEIGHT_KEY = "indexed_height";
/** Event rows per door-job slice (~30–40 µs of inserts): an OCALL waits for one job at most. */
const JOB_SLICE_ROWS = 32;
/** Txs per slice at most (a block of txs without events would otherwise be one slice). */
const SLICE_TXS = 32;
/** Event rows per slice when the event loop is idle or a read catches up (full multi-row INSERTs). */
const BULK_SLICE_ROWS = EVENT_ROWS_PER_INSERT;
/** Slices per idle turn (~2–4 ms), then the loop gets its turn back (REST requests). */
const IDLE_SLICES = 24;

export interface BlockStoreOptions {
  /**
   * How a saved block (and a meta write) reaches the disk: "full" (default) syncs its transaction before
   * saveBlock returns; "normal" (before session 17) leaves it to the next WAL checkpoint, so a power loss can
   * take the last blocks while the app's state keeps them. Index rows never sync on their own (they are rebuilt
   * from the marker). Benches switch it to measure the cost.
   */
  sync?: "full" | "normal";
  /**
   * Write a block's tx and event index rows after saveBlock (default), or inside its transaction as before
   * session 14. Either way every read sees every saved block's txs, and the rows are the same.
   */
  deferIndex?: boolean;
}

/** A saved block whose index rows are not all written; its txs and results are loaded from the store when absent. */
interface PendingIndex {
  readonly height: number;
  txs: readonly Uint8Array[] | undefined;
  hashes: readonly (Uint8Array | undefined)[] | undefined;
  results: readonly (ExecTxResult | undefined)[] | undefined;
  /** The first tx not indexed yet. */
  next: number;
}

/**
 * `tx.hash` and `tx.height` conditions on the txs row itself, which is what the event form held for them:
 * `tx.hash` is the uppercase hex of txs.hash (SQLite's hex() is uppercase) and `tx.height` txs.height, so every
 * operator gives the rows the indexed values gave. Undefined for any other key (answered from tx_events).
 */
function txColumnCondition(c: Condition): { sql: string; param: string | number | Buffer } | undefined {
  if (c.key === "tx.height") {
    // Compared on txs.height (its index order), not by casting a stored text per candidate tx.
    return c.op === "CONTAINS"
      ? { sql: "instr(CAST(t.height AS TEXT), ?) > 0", param: c.value }
      : { sql: `t.height ${c.op} ?`, param: Number(c.value) };
  }
  if (c.key !== "tx.hash") return undefined;
  if (c.op === "CONTAINS") return { sql: "instr(hex(t.hash), ?) > 0", param: c.value };
  if (c.op !== "=") return { sql: `CAST(hex(t.hash) AS INTEGER) ${c.op} ?`, param: Number(c.value) };
  // An exact hash is a primary-key lookup; anything but 64 uppercase hex digits matches no stored hash.
  return TX_HASH_HEX_RE.test(c.value)
    ? { sql: "t.hash = ?", param: Buffer.from(c.value, "hex") }
    : { sql: "hex(t.hash) = ?", param: c.value };
}

export class BlockStore {
  private readonly db: Database.Database;
  private readonly insBlock: Database.Statement<[number, Uint8Array, Uint8Array, Uint8Array, Uint8Array]>;
  private readonly insTx: Database.Statement<[Uint8Array, number, number]>;
  private readonly insTxMulti: Database.Statement<[(Uint8Array | number)[]]>;
  /** Multi-row event inserts by row count (at most EVENT_ROWS_PER_INSERT of them). */
  private readonly insEvMulti = new Map<number, Database.Statement<[(string | number)[]]>>();
  /**
   * saveBlock's queued txs rows (hash, height, idx) and event rows (key, value, height, idx), flat: the first
   * txLen / eventLen entries. The arrays only grow (setting an array's length to 0 frees its backing store,
   * and a 500-transfer block's ~40k event values then cost ~1.4 KB of reallocation per transfer).
   */
  private readonly txRows: (Uint8Array | number)[] = new Array<Uint8Array | number>(3 * TX_ROWS_PER_INSERT);
  private txLen = 0;
  private readonly eventRows: (string | number)[] = [];
  private eventLen = 0;
  private readonly eventArgs: (string | number)[] = new Array<string | number>(4 * EVENT_ROWS_PER_INSERT);
  /** Event type → attribute key → `type.key` (see eventKey). */
  private readonly eventKeys = new Map<string, Map<string, string>>();
  private readonly begin: Database.Statement<[]>;
  private readonly commitSt: Database.Statement<[]>;
  private readonly setIndexed: Database.Statement<[string, Uint8Array]>;
  /** Multi-row txs inserts by row count below TX_ROWS_PER_INSERT (a slice's txs). */
  private readonly insTxMultiBy = new Map<number, Database.Statement<[(Uint8Array | number)[]]>>();
  /** Saved blocks not fully indexed, by height (index order: a later block's txs row replaces an earlier one's). */
  private readonly pending: PendingIndex[] = [];
  /** An index transaction is open: slices' rows wait in it for the next saveBlock's or idle turn's COMMIT. */
  private indexTxn = false;
  private idle: NodeJS.Immediate | undefined;
  /** Idle turns held off (the engine is producing a block: a stepped block's event-loop turns stay short). */
  private idlePaused = false;
  private closed = false;
  /** A slice that threw (a result SQLite cannot bind): the index stops there and reads report it. */
  private indexFailure: Error | undefined;
  /** See BlockStoreOptions.deferIndex; may be switched at any time (benches). */
  deferIndex: boolean;
  /** See BlockStoreOptions.sync; may be switched at any time (benches). */
  sync: "full" | "normal";
  private readonly syncFull: Database.Statement<[]>;
  private readonly syncNormal: Database.Statement<[]>;
  /** Event rows per door-job slice (benches tune it). */
  indexJobRows = JOB_SLICE_ROWS;
  /** Index slices run, by where (benches and tests). */
  readonly indexStats = { jobs: 0, idle: 0, catchUp: 0 };

  constructor(path: string, opts: BlockStoreOptions = {}) {
    this.deferIndex = opts.deferIndex ?? true;
    this.sync = opts.sync ?? "full";
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    // NORMAL between the durable writes (the index transactions: no fsync of their own); a block and a meta write
    // switch to FULL around their own transaction (SQLite allows the switch only outside a transaction).
    this.db.pragma("synchronous = NORMAL");
    this.syncFull = this.db.prepare("PRAGMA synchronous = FULL");
    this.syncNormal = this.db.prepare("PRAGMA synchronous = NORMAL");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS blocks (height INTEGER PRIMARY KEY, hash BLOB NOT NULL, block BLOB NOT NULL,
        results BLOB NOT NULL, seen_commit BLOB NOT NULL);
      CREATE INDEX IF NOT EXISTS blocks_hash ON blocks(hash);
      CREATE TABLE IF NOT EXISTS txs (hash BLOB PRIMARY KEY, height INTEGER NOT NULL, idx INTEGER NOT NULL) WITHOUT ROWID;
    `);
    const existing = this.db
      .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'tx_events'")
      .pluck()
      .get() as string | undefined;
    if (existing === undefined) this.db.exec(TX_EVENTS_SCHEMA);
    else if (!/WITHOUT ROWID/i.test(existing)) this.db.exec(TX_EVENTS_LEGACY_INDEX);
    this.insBlock = this.db.prepare(
      "INSERT INTO blocks (height, hash, block, results, seen_commit) VALUES (?, ?, ?, ?, ?)",
    );
    this.insTx = this.db.prepare("INSERT OR REPLACE INTO txs (hash, height, idx) VALUES (?, ?, ?)");
    this.insTxMulti = this.db.prepare<[(Uint8Array | number)[]]>(
      `INSERT OR REPLACE INTO txs (hash, height, idx) VALUES ${Array(TX_ROWS_PER_INSERT).fill("(?, ?, ?)").join(", ")}`,
    );
    this.begin = this.db.prepare("BEGIN");
    this.commitSt = this.db.prepare("COMMIT");
    this.setIndexed = this.db.prepare("INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)");
    // A folder without the marker was indexed inline (before session 14) or is new: everything stored is indexed.
    let indexed = this.getMeta(INDEXED_HEIGHT_KEY);
    if (indexed === undefined) {
      indexed = utf8Encode(String(this.height()));
      this.setIndexed.run(INDEXED_HEIGHT_KEY, indexed);
    }
    // Blocks saved after the marker (a stop or crash before their index was written) are indexed from their
    // stored results, as any pending block: in slices, or at once before a read.
    const above = this.db
      .prepare("SELECT height FROM blocks WHERE height > ? ORDER BY height")
      .pluck()
      .all(Number(utf8Decode(indexed))) as number[];
    for (const height of above)
      this.pending.push({ height, txs: undefined, hashes: undefined, results: undefined, next: 0 });
    if (this.pending.length > 0) this.scheduleIdle();
  }

  getMeta(key: string): Uint8Array | undefined {
    const row = this.db.prepare("SELECT v FROM meta WHERE k = ?").get(key) as { v: Buffer } | undefined;
    return row ? new Uint8Array(row.v) : undefined;
  }

  setMeta(key: string, value: Uint8Array): void {
    this.commitIndex(); // a meta write is durable at once, not held in an index transaction
    this.durably(() => {
      this.db.prepare("INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)").run(key, value);
    });
  }

  /**
   * Runs `write` (one autocommit statement or one transaction; no index transaction open) synced to the disk
   * when `sync` is "full": its COMMIT fsyncs the WAL, and with it every earlier transaction's frames.
   */
  private durably(write: () => void): void {
    if (this.sync !== "full") {
      write();
      return;
    }
    this.syncFull.run();
    try {
      write();
    } finally {
      this.syncNormal.run();
    }
  }

  height(): bigint {
    const row = this.db.prepare("SELECT MAX(height) AS h FROM blocks").get() as { h: number | null };
    return BigInt(row.h ?? 0);
  }

  baseHeight(): bigint {
    const row = this.db.prepare("SELECT MIN(height) AS h FROM blocks").get() as { h: number | null };
    return BigInt(row.h ?? 0);
  }

  /**
   * Saves a block, its results, its commit and `meta` (key → value, e.g. the validator set after the block)
   * atomically, synced to the disk before it returns (sync "full"). Its txs and their events are indexed later
   * (deferIndex, the default: index slices, see indexJob) or in the same transaction (deferIndex off).
   */
  saveBlock(
    b: StoredBlock,
    seenCommit: Commit,
    txHashes?: readonly Uint8Array[],
    meta?: ReadonlyMap<string, Uint8Array>,
  ): void {
    // A failed save (its transaction rolled back) may have left rows queued: they must not reach the next one.
    this.txLen = 0;
    this.eventLen = 0;
    const h = Number(b.height);
    const txs = b.block.data.txs;
    const writeBlock = (): void => {
      this.insBlock.run(
        h,
        b.blockId.hash,
        Block.encode(b.block).finish(),
        encodeFinalizeBlockResponse(b.results),
        Commit.encode(seenCommit).finish(),
      );
      if (meta !== undefined) for (const [k, v] of meta) this.setIndexed.run(k, v);
    };
    if (!this.deferIndex) {
      // Earlier blocks first: a tx hash seen again later must end with the later block's txs row.
      this.catchUp();
      const save = (): void => {
        writeBlock();
        for (let i = 0; i < txs.length; i++) {
          this.queueTx(txHashes?.[i] ?? sha256(txs[i]!), h, i);
          // No "tx.hash" / "tx.height" rows: the txs row holds both, and searchTxs answers those keys from it
          // (a random-hash row per tx cost ~10 µs of a 500-tx block's SQLite work per tx).
          const events = b.results.txResults[i]?.events;
          if (events !== undefined) this.queueEvents(events, h, i);
        }
        this.flushTxRows();
        this.flushEventRows();
        this.setIndexed.run(INDEXED_HEIGHT_KEY, utf8Encode(String(h)));
      };
      this.commitIndex(); // the block's own transaction then holds its rows alone: a failed save leaves none
      this.durably(this.db.transaction(save));
      return;
    }
    // The open index transaction (the previous blocks' slices so far) is committed first, unsynced: the synced
    // durability level can only be switched outside a transaction. Rows of a block not finished are committed
    // too; its marker is not, so a restart writes that block's rows again (INSERT OR REPLACE / OR IGNORE: the
    // same rows). Then the block in its own synced transaction (its fsync covers the index frames before it).
    this.commitIndex();
    this.durably(meta === undefined ? writeBlock : this.db.transaction(writeBlock));
    this.pending.push({ height: h, txs, hashes: txHashes, results: b.results.txResults, next: 0 });
    this.scheduleIdle();
  }

  /**
   * One door job (EnclaveHost.doorJobs): writes the next few index rows (JOB_SLICE_ROWS) into the open index
   * transaction; false when nothing is pending. Never throws (a failure stops the index; reads report it).
   */
  readonly indexJob = (): boolean => {
    if (this.indexFailure !== undefined || this.pending.length === 0 || this.closed) return false;
    try {
      this.indexSlice(this.indexJobRows);
    } catch {
      return false;
    }
    this.indexStats.jobs++;
    return true;
  };

  /** Saved blocks whose index rows are not all written yet. */
  get pendingIndexBlocks(): number {
    return this.pending.length;
  }

  /** Writes every pending index row and commits them (benches, tests; close does it too). */
  flushIndex(): void {
    this.catchUp();
    this.commitIndex();
  }

  /** Every pending block indexed now (before a read: a read never misses a saved block's tx). */
  private catchUp(): void {
    if (this.indexFailure !== undefined) throw this.indexFailure;
    if (this.pending.length === 0) return;
    while (this.pending.length > 0) {
      this.indexSlice(BULK_SLICE_ROWS);
      this.indexStats.catchUp++;
    }
    this.scheduleIdle(); // commits the open index transaction on the next idle turn
  }

  /**
   * Indexes the next txs of the first pending block until about `rows` event rows are written, inside the index
   * transaction (opened here). The block's marker is set with its last rows. A failure is kept (the block
   * stays pending, the index stops) and thrown.
   */
  private indexSlice(rows: number): void {
    const p = this.pending[0]!;
    try {
      if (p.results === undefined) this.load(p);
      if (!this.indexTxn) {
        this.begin.run();
        this.indexTxn = true;
      }
      this.txLen = 0;
      this.eventLen = 0;
      const txs = p.txs!;
      const n = txs.length;
      let i = p.next;
      const end = Math.min(n, i + SLICE_TXS);
      while (i < end && this.eventLen < 4 * rows) {
        this.queueTx(p.hashes?.[i] ?? sha256(txs[i]!), p.height, i);
        const events = p.results![i]?.events;
        if (events !== undefined) this.queueEvents(events, p.height, i);
        i++;
      }
      this.flushTxRows();
      this.flushEventRows();
      if (i === n) this.setIndexed.run(INDEXED_HEIGHT_KEY, utf8Encode(String(p.height)));
      p.next = i;
    } catch (e) {
      this.txLen = 0;
      this.eventLen = 0;
      this.indexFailure = new Error(
        `block store: indexing block ${p.height} failed: ${e instanceof Error ? e.message : String(e)}`,
      );
      throw this.indexFailure;
    }
    if (p.next === p.txs!.length) this.pending.shift();
  }

  /** A pending block's txs, hashes and results from its stored row (after a restart). */
  private load(p: PendingIndex): void {
    const row = this.db.prepare("SELECT block, results FROM blocks WHERE height = ?").get(p.height) as
      { block: Buffer; results: Buffer } | undefined;
    if (row === undefined) throw new Error(`block ${p.height} is not stored`);
    p.txs = Block.decode(row.block).data.txs;
    p.hashes = undefined;
    p.results = ResponseFinalizeBlock.decode(row.results).txResults;
  }

  /** Commits the open index transaction, if any. */
  private commitIndex(): void {
    if (!this.indexTxn) return;
    this.commitSt.run();
    this.indexTxn = false;
  }

  /**
   * Holds the idle turns off (true) while the engine produces a block, or lets them run again (false): a stepped
   * FinalizeBlock gives the event loop turns for sockets, not for milliseconds of index rows (door jobs still run).
   */
  pauseIdleIndex(paused: boolean): void {
    this.idlePaused = paused;
    if (!paused && (this.pending.length > 0 || this.indexTxn)) this.scheduleIdle();
  }

  /** Index slices when the event loop is idle (a setImmediate turn), then the COMMIT. */
  private scheduleIdle(): void {
    if (this.idle !== undefined || this.closed || this.idlePaused) return;
    this.idle = setImmediate(this.idleTurn);
    this.idle.unref(); // a stop without close leaves the rest to the next open (the marker)
  }

  private readonly idleTurn = (): void => {
    this.idle = undefined;
    if (this.closed || this.idlePaused || this.indexFailure !== undefined) return;
    try {
      for (let k = 0; k < IDLE_SLICES && this.pending.length > 0; k++) {
        this.indexSlice(BULK_SLICE_ROWS);
        this.indexStats.idle++;
      }
      if (this.pending.length > 0) this.scheduleIdle();
      else this.commitIndex();
    } catch {
      // kept in indexFailure: reads report it
    }
  };

  /** Queues a txs row; full chunks go out as one multi-row INSERT (TX_ROWS_PER_INSERT rows). */
  private queueTx(hash: Uint8Array, h: number, i: number): void {
    const rows = this.txRows;
    const n = this.txLen;
    rows[n] = hash;
    rows[n + 1] = h;
    rows[n + 2] = i;
    this.txLen = n + 3;
    if (n + 3 === 3 * TX_ROWS_PER_INSERT) this.flushTxRows();
  }

  private flushTxRows(): void {
    const rows = this.txRows;
    const n = this.txLen;
    this.txLen = 0;
    if (n === 3 * TX_ROWS_PER_INSERT) this.insTxMulti.run(rows);
    else if (n === 3) this.insTx.run(rows[0] as Uint8Array, rows[1] as number, rows[2] as number);
    else if (n > 0) this.txInsert(n / 3).run(rows.slice(0, n));
  }

  /** A multi-row txs INSERT of `rows` rows (a slice's or a block's last chunk), prepared once per count. */
  private txInsert(rows: number): Database.Statement<[(Uint8Array | number)[]]> {
    let st = this.insTxMultiBy.get(rows);
    if (st === undefined) {
      st = this.db.prepare<[(Uint8Array | number)[]]>(
        `INSERT OR REPLACE INTO txs (hash, height, idx) VALUES ${Array(rows).fill("(?, ?, ?)").join(", ")}`,
      );
      this.insTxMultiBy.set(rows, st);
    }
    return st;
  }

  /**
   * Queues the event rows of tx `i`: one per distinct (`type.key`, value) of the tx. A repeat within the tx
   * (a SNIP-20 transfer names message.sender three times and message.msg_index twice) is the row INSERT OR
   * IGNORE would drop anyway, so it is not bound at all. The `type.key` strings come from a small cache (one
   * flat string per pair instead of a concatenation per attribute).
   */
  private queueEvents(events: readonly Event[], h: number, i: number): void {
    const rows = this.eventRows;
    const first = this.eventLen;
    let n = first;
    for (const ev of events) {
      for (const a of ev.attributes) {
        const key = this.eventKey(ev.type, a.key);
        const value = a.value;
        let seen = false;
        // Rows of this tx only; a tx with very many attributes skips the check (its repeats are ignored).
        if (n - first <= 4 * DEDUPE_SCAN_ROWS)
          for (let o = first; o < n; o += 4)
            if (rows[o] === key && rows[o + 1] === value) {
              seen = true;
              break;
            }
        if (seen) continue;
        rows[n] = key;
        rows[n + 1] = value;
        rows[n + 2] = h;
        rows[n + 3] = i;
        n += 4;
      }
    }
    this.eventLen = n;
  }

  /** `${type}.${key}`, cached (bounded: a contract's events may bring any number of names). */
  private eventKey(type: string, key: string): string {
    let byKey = this.eventKeys.get(type);
    if (byKey === undefined) {
      if (this.eventKeys.size >= EVENT_KEY_CACHE_MAX) this.eventKeys.clear();
      byKey = new Map();
      this.eventKeys.set(type, byKey);
    }
    let k = byKey.get(key);
    if (k === undefined) {
      k = `${type}.${key}`;
      if (byKey.size < EVENT_KEY_CACHE_MAX) byKey.set(key, k);
    }
    return k;
  }

  /**
   * Event rows (4 values each) in multi-row INSERTs of up to EVENT_ROWS_PER_INSERT rows: one statement call per
   * chunk instead of per row (0.9 vs 1.3–1.6 µs per row measured).
   */
  private flushEventRows(): void {
    const flat = this.eventRows;
    const total = this.eventLen / 4;
    this.eventLen = 0;
    const args = this.eventArgs;
    for (let from = 0; from < total; from += EVENT_ROWS_PER_INSERT) {
      const n = Math.min(EVENT_ROWS_PER_INSERT, total - from);
      if (n < EVENT_ROWS_PER_INSERT) {
        this.eventInsert(n).run(flat.slice(from * 4, (from + n) * 4));
        break;
      }
      // A full chunk binds from one reused argument array (no slice per chunk).
      for (let j = 0; j < 4 * n; j++) args[j] = flat[from * 4 + j]!;
      this.eventInsert(n).run(args);
    }
  }

  private eventInsert(rows: number): Database.Statement<[(string | number)[]]> {
    let st = this.insEvMulti.get(rows);
    if (st === undefined) {
      st = this.db.prepare<[(string | number)[]]>(
        `INSERT OR IGNORE INTO tx_events (key, value, height, idx) VALUES ${Array(rows).fill("(?, ?, ?, ?)").join(", ")}`,
      );
      this.insEvMulti.set(rows, st);
    }
    return st;
  }

  getBlock(height: bigint): StoredBlock | undefined {
    const row = this.db
      .prepare("SELECT block, results, seen_commit FROM blocks WHERE height = ?")
      .get(Number(height)) as { block: Buffer; results: Buffer; seen_commit: Buffer } | undefined;
    if (!row) return undefined;
    const block = Block.decode(row.block);
    const results = ResponseFinalizeBlock.decode(row.results);
    // The seen commit names the full block ID (hash and part-set header) our validator signed.
    const blockId = Commit.decode(row.seen_commit).blockId;
    return { height, blockId, block, results };
  }

  getBlockByHash(hash: Uint8Array): StoredBlock | undefined {
    const row = this.db.prepare("SELECT height FROM blocks WHERE hash = ?").get(hash) as
      { height: number } | undefined;
    return row ? this.getBlock(BigInt(row.height)) : undefined;
  }

  /** The commit our validator produced for `height` (CometBFT's "seen commit"). */
  getSeenCommit(height: bigint): Commit | undefined {
    const row = this.db.prepare("SELECT seen_commit FROM blocks WHERE height = ?").get(Number(height)) as
      { seen_commit: Buffer } | undefined;
    return row ? Commit.decode(row.seen_commit) : undefined;
  }

  getTx(hash: Uint8Array): StoredTx | undefined {
    this.catchUp();
    const row = this.db.prepare("SELECT height, idx FROM txs WHERE hash = ?").get(hash) as
      { height: number; idx: number } | undefined;
    if (!row) return undefined;
    const b = this.getBlock(BigInt(row.height));
    const tx = b?.block.data.txs[row.idx];
    const result = b?.results.txResults[row.idx];
    if (!tx || !result) return undefined;
    return { hash, height: BigInt(row.height), index: row.idx, tx, result };
  }

  /** Txs matching every condition, with the total count before paging. */
  searchTxs(query: string, opts: TxSearchOptions): { total: number; txs: StoredTx[] } {
    const conds = parseEventQuery(query);
    this.catchUp();
    const clauses: string[] = [];
    const params: (string | number | Buffer)[] = [];
    for (const c of conds) {
      const own = txColumnCondition(c);
      if (own !== undefined) {
        clauses.push(own.sql);
        params.push(own.param);
        continue;
      }
      const numeric = c.op !== "=" && c.op !== "CONTAINS";
      let valueExpr: string;
      if (c.op === "CONTAINS") {
        valueExpr = "instr(value, ?) > 0";
      } else if (numeric) {
        valueExpr = `CAST(value AS INTEGER) ${c.op} ?`;
      } else {
        valueExpr = "value = ?";
      }
      clauses.push(
        `EXISTS (SELECT 1 FROM tx_events e WHERE e.height = t.height AND e.idx = t.idx AND e.key = ? AND ${valueExpr.replace(/value/g, "e.value")})`,
      );
      params.push(c.key, numeric && c.op !== "CONTAINS" ? Number(c.value) : c.value);
    }
    const where = clauses.join(" AND ");
    const order = opts.orderBy === "desc" ? "DESC" : "ASC";
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM txs t WHERE ${where}`).get(...params) as { n: number }
    ).n;
    const rows = this.db
      .prepare(
        `SELECT hash FROM txs t WHERE ${where} ORDER BY t.height ${order}, t.idx ${order} LIMIT ? OFFSET ?`,
      )
      .all(...params, opts.perPage, (opts.page - 1) * opts.perPage) as { hash: Buffer }[];
    const txs = rows
      .map((r) => this.getTx(new Uint8Array(r.hash)))
      .filter((t): t is StoredTx => t !== undefined);
    return { total, txs };
  }

  /** Writes what is left of the index (a failure leaves it to the next open) and closes the database. */
  close(): void {
    if (this.closed) return;
    if (this.idle !== undefined) clearImmediate(this.idle);
    try {
      this.flushIndex();
    } catch {
      // the marker says where the next open resumes
    }
    this.closed = true;
    this.db.close();
  }
}
