// The commit's state-table writes as multi-row statements: BATCH_ROWS keys per statement run instead of one,
// so the per-run cost of a prepared statement (bind, step, reset, the native call) is paid once per batch.
import type Database from "better-sqlite3";
import type { KVWrite } from "./types.js";
import { BlobScratch } from "./sqliteBlob.js";

/** Rows per multi-row statement (2 × 32 parameters for `latest` upserts; SQLite allows 32,766). */
export const BATCH_ROWS = 32;

const rows = (row: string): string => Array<string>(BATCH_ROWS).fill(row).join(", ");

/**
 * Writes a block's sorted write set to `latest`, with its undo rows in `history` (old value, NULL when absent;
 * for a delete only when the key was present), exactly as the one-row statements it batches: keys are unique,
 * so each key's undo row is read before that key's own change whichever batch other keys fall in.
 */
export class StateTableWriter {
  private readonly one: {
    put: Database.Statement;
    del: Database.Statement;
    hist: Database.Statement;
    histIfPresent: Database.Statement;
  };
  private readonly many: {
    put: Database.Statement;
    del: Database.Statement;
    hist: Database.Statement;
    histIfPresent: Database.Statement;
  };
  // Short keys and values are bound through off-heap scratch (sqliteBlob.ts), one per parameter of a batch.
  private readonly keyBlobs = Array.from({ length: BATCH_ROWS }, () => new BlobScratch());
  private readonly valueBlobs = Array.from({ length: BATCH_ROWS }, () => new BlobScratch());
  private readonly sets: (readonly [Uint8Array, Uint8Array])[] = [];
  private readonly dels: Uint8Array[] = [];
  private readonly pairArgs: Uint8Array[] = new Array<Uint8Array>(2 * BATCH_ROWS);
  private readonly keyArgs: Uint8Array[] = new Array<Uint8Array>(BATCH_ROWS);
  private readonly histArgs: (number | Uint8Array)[] = new Array<number | Uint8Array>(BATCH_ROWS + 1);

  constructor(db: Database.Database) {
    this.one = {
      put: db.prepare("INSERT OR REPLACE INTO latest (key, value) VALUES (?, ?)"),
      del: db.prepare("DELETE FROM latest WHERE key = ?"),
      hist: db.prepare(
        "INSERT INTO history (height, key, value) SELECT ?, ?, (SELECT value FROM latest WHERE key = ?)",
      ),
      histIfPresent: db.prepare(
        "INSERT INTO history (height, key, value) SELECT ?, key, value FROM latest WHERE key = ?",
      ),
    };
    const keys = rows("?");
    this.many = {
      put: db.prepare(`INSERT OR REPLACE INTO latest (key, value) VALUES ${rows("(?, ?)")}`),
      del: db.prepare(`DELETE FROM latest WHERE key IN (${keys})`),
      // column1 is the name SQLite gives a VALUES list's first column.
      hist: db.prepare(
        `INSERT INTO history (height, key, value) SELECT ?, column1, ` +
          `(SELECT value FROM latest WHERE key = column1) FROM (VALUES ${rows("(?)")})`,
      ),
      histIfPresent: db.prepare(
        `INSERT INTO history (height, key, value) SELECT ?, key, value FROM latest WHERE key IN (${keys})`,
      ),
    };
  }

  /**
   * The write set's changes to `latest`, and with `history` their undo rows at `height`. `history` false: no
   * undo rows (a store keeping no history, or the first commit, which lands on an empty table).
   */
  write(height: number, writes: readonly KVWrite[], history: boolean): void {
    const { sets, dels } = this;
    for (const [k, v] of writes) {
      if (v === undefined) {
        dels.push(k);
        if (dels.length === BATCH_ROWS) this.flushDeletes(height, history);
      } else {
        sets.push([k, v]);
        if (sets.length === BATCH_ROWS) this.flushSets(height, history);
      }
    }
    for (const [k, v] of sets) {
      const kb = this.keyBlobs[0]!.of(k);
      if (history) this.one.hist.run(height, kb, kb);
      this.one.put.run(kb, this.valueBlobs[0]!.of(v));
    }
    for (const k of dels) {
      const kb = this.keyBlobs[0]!.of(k);
      if (history) this.one.histIfPresent.run(height, kb);
      this.one.del.run(kb);
    }
    sets.length = 0;
    dels.length = 0;
  }

  private flushSets(height: number, history: boolean): void {
    const { sets, pairArgs, histArgs } = this;
    for (let i = 0; i < BATCH_ROWS; i++) {
      const [k, v] = sets[i]!;
      const kb = this.keyBlobs[i]!.of(k);
      pairArgs[2 * i] = kb;
      pairArgs[2 * i + 1] = this.valueBlobs[i]!.of(v);
      histArgs[i + 1] = kb;
    }
    if (history) {
      histArgs[0] = height;
      this.many.hist.run(histArgs);
    }
    this.many.put.run(pairArgs);
    sets.length = 0;
  }

  private flushDeletes(height: number, history: boolean): void {
    const { dels, keyArgs, histArgs } = this;
    for (let i = 0; i < BATCH_ROWS; i++) {
      const kb = this.keyBlobs[i]!.of(dels[i]!);
      keyArgs[i] = kb;
      histArgs[i + 1] = kb;
    }
    if (history) {
      histArgs[0] = height;
      this.many.histIfPresent.run(histArgs);
    }
    this.many.del.run(keyArgs);
    dels.length = 0;
  }
}

/**
 * The tree's bucket rows (smtCommitment.ts), BATCH_ROWS upserts per statement run: `put` queues one, `flush`
 * writes what is queued. Rows are independent (one per bucket), so batching changes no row.
 */
export class BucketRowWriter {
  private readonly one: Database.Statement;
  private readonly many: Database.Statement;
  private readonly summaryBlobs = Array.from({ length: BATCH_ROWS }, () => new BlobScratch());
  private readonly rowBlobs = Array.from({ length: BATCH_ROWS }, () => new BlobScratch());
  private readonly args: (number | Uint8Array)[] = new Array<number | Uint8Array>(3 * BATCH_ROWS);
  private queued = 0;

  constructor(db: Database.Database) {
    const sql = "INSERT OR REPLACE INTO smt_buckets (bucket, summary, leaves) VALUES ";
    this.one = db.prepare(`${sql}(?, ?, ?)`);
    this.many = db.prepare(sql + rows("(?, ?, ?)"));
  }

  put(bucket: number, summary: Uint8Array, leaves: Uint8Array): void {
    const i = this.queued;
    // Short blobs through off-heap scratch (sqliteBlob.ts): a summary is 33 bytes, a one-leaf row 64.
    this.args[3 * i] = bucket;
    this.args[3 * i + 1] = this.summaryBlobs[i]!.of(summary);
    this.args[3 * i + 2] = this.rowBlobs[i]!.of(leaves);
    this.queued = i + 1;
    if (this.queued === BATCH_ROWS) {
      this.many.run(this.args);
      this.queued = 0;
    }
  }

  flush(): void {
    const args = this.args;
    for (let i = 0; i < this.queued; i++) this.one.run(args[3 * i], args[3 * i + 1], args[3 * i + 2]);
    this.queued = 0;
  }
}
