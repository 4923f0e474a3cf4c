// The embedded engine's block store: blocks, their FinalizeBlock results, the commit that sealed each one,
// a tx index (hash → height/index) and an event index for tx_search. SQLite (better-sqlite3, synchronous);
// a block and its results are written in one transaction BEFORE the app commits, as CometBFT does, so a
// crash between the two is repaired on restart by replaying the stored block (spec consensus-storage-perf §1.6).
import Database from "better-sqlite3";
import { ResponseFinalizeBlock, type ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { Block } from "cosmjs-types/tendermint/types/block";
import { Commit, type BlockID } from "cosmjs-types/tendermint/types/types";
import { sha256 } from "./header.js";

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

export class BlockStore {
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS blocks (height INTEGER PRIMARY KEY, hash BLOB NOT NULL, block BLOB NOT NULL,
        results BLOB NOT NULL, seen_commit BLOB NOT NULL);
      CREATE INDEX IF NOT EXISTS blocks_hash ON blocks(hash);
      CREATE TABLE IF NOT EXISTS txs (hash BLOB PRIMARY KEY, height INTEGER NOT NULL, idx INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS tx_events (key TEXT NOT NULL, value TEXT NOT NULL, height INTEGER NOT NULL,
        idx INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS tx_events_kv ON tx_events(key, value, height, idx);
    `);
  }

  getMeta(key: string): Uint8Array | undefined {
    const row = this.db.prepare("SELECT v FROM meta WHERE k = ?").get(key) as { v: Buffer } | undefined;
    return row ? new Uint8Array(row.v) : undefined;
  }

  setMeta(key: string, value: Uint8Array): void {
    this.db.prepare("INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)").run(key, value);
  }

  height(): bigint {
    const row = this.db.prepare("SELECT MAX(height) AS h FROM blocks").get() as { h: number | null };
    return BigInt(row.h ?? 0);
  }

  baseHeight(): bigint {
    const row = this.db.prepare("SELECT MIN(height) AS h FROM blocks").get() as { h: number | null };
    return BigInt(row.h ?? 0);
  }

  /** Saves a block, its results and its commit atomically, and indexes its txs and their events. */
  saveBlock(b: StoredBlock, seenCommit: Commit): void {
    const save = this.db.transaction(() => {
      const h = Number(b.height);
      this.db
        .prepare("INSERT INTO blocks (height, hash, block, results, seen_commit) VALUES (?, ?, ?, ?, ?)")
        .run(
          h,
          b.blockId.hash,
          Block.encode(b.block).finish(),
          ResponseFinalizeBlock.encode(b.results).finish(),
          Commit.encode(seenCommit).finish(),
        );
      const insTx = this.db.prepare("INSERT OR REPLACE INTO txs (hash, height, idx) VALUES (?, ?, ?)");
      const insEv = this.db.prepare("INSERT INTO tx_events (key, value, height, idx) VALUES (?, ?, ?, ?)");
      b.block.data.txs.forEach((tx, i) => {
        const hash = sha256(tx);
        insTx.run(hash, h, i);
        insEv.run("tx.hash", Buffer.from(hash).toString("hex").toUpperCase(), h, i);
        insEv.run("tx.height", String(h), h, i);
        for (const ev of b.results.txResults[i]?.events ?? []) {
          for (const a of ev.attributes) insEv.run(`${ev.type}.${a.key}`, a.value, h, i);
        }
      });
    });
    save();
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
    const clauses: string[] = [];
    const params: (string | number)[] = [];
    for (const c of conds) {
      const numeric = c.key === "tx.height" || (c.op !== "=" && c.op !== "CONTAINS");
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

  close(): void {
    this.db.close();
  }
}
