// The app-side mempool (CometBFT v0.38 `[mempool] type = "nop"`, ADR-111): CometBFT keeps no mempool, makes no
// CheckTx calls and gossips no txs, and PrepareProposal gets an empty `txs`; this node's own mempool holds the
// txs its clients and peers sent, in admission order, and supplies each proposal. Semantics are CometBFT's
// `clist_mempool.go` (flood) without the socket: the same refusals in the same order (full, too large, seen
// before), CheckTx NEW before admission, a bounded cache of seen hashes (`cache_size`), removal of a committed
// block's txs and a RECHECK of the rest after Commit (`recheck = true`). Every CheckTx runs through `serial`, the
// queue the ABCI requests take (abciServer.ts SerialQueue), so none runs in the middle of an ABCI call.
import { hash } from "node:crypto";
import { CheckTxType, type RequestCheckTx, type ResponseCheckTx } from "cosmjs-types/tendermint/abci/types";
import type { AbciApplication } from "./abciTypes.js";

/** CometBFT's `[mempool]` limits (config.toml). */
export interface AppMempoolLimits {
  /** Most txs held (`size`). */
  readonly size: number;
  /** Most bytes of txs held (`max_txs_bytes`). */
  readonly maxTxsBytes: number;
  /** Largest tx (`max_tx_bytes`). */
  readonly maxTxBytes: number;
  /** Hashes of txs seen remembered (`cache_size`; 0 = no cache, only the mempool itself dedups). */
  readonly cacheSize: number;
}

/** CometBFT v0.38's defaults (config.go DefaultMempoolConfig). */
export const COMET_MEMPOOL_DEFAULTS: AppMempoolLimits = {
  size: 5000,
  maxTxsBytes: 1024 * 1024 * 1024,
  maxTxBytes: 1024 * 1024,
  cacheSize: 10000,
};

/** What the mempool needs of the tx gossip (txGossip.ts TxGossip.send). */
export interface MempoolGossip {
  send(txs: readonly Uint8Array[], except?: string): void;
}

/** Runs a task after every queued ABCI request (SerialQueue.runNow): at once when the queue is idle. */
export type SerialRunner = <T>(task: () => T) => T | Promise<T>;

export interface AppMempoolOptions {
  readonly limits: AppMempoolLimits;
  /** The app's CheckTx (synchronous: ShroudApp's). */
  readonly checkTx: (req: RequestCheckTx) => ResponseCheckTx;
  /** The ABCI requests' serialisation; default: run at once. */
  readonly serial?: SerialRunner;
  readonly gossip?: MempoolGossip;
  /**
   * Re-send a peer's newly admitted txs to the other peers (default true: a network that is not a full mesh
   * floods). In a full mesh every peer already has the tx from its origin, so relaying only multiplies the
   * gossip's writes and each node's receptions (3× in a 4-node mesh); turning it off there made no measurable
   * CPU difference (docs/BENCHMARKS.md "App-side mempool (session 17, M1)").
   */
  readonly relay?: boolean;
  readonly log?: (line: string) => void;
  /**
   * CPU meter (abciCpu.ts `measure`): a client's tx is charged to `mempool.client`, a peer's batch to
   * `mempool.peers` (each outside any ABCI request). The post-Commit recheck runs inside Commit and is charged
   * to it. Measurement only.
   */
  readonly meter?: <T>(slot: string, fn: () => T) => T;
}

export interface AppMempoolStats {
  /** Txs held and their bytes. */
  readonly txs: number;
  readonly bytes: number;
  /** Admitted from clients / from peers. */
  readonly admittedLocal: number;
  readonly admittedPeer: number;
  /** CheckTx NEW refusals (clients / peers), and the mempool's own refusals (seen before, full, too large). */
  readonly rejectedLocal: number;
  readonly rejectedPeer: number;
  readonly duplicates: number;
  readonly full: number;
  readonly tooLarge: number;
  /** Txs rechecked after Commit, and those the recheck dropped. */
  readonly rechecked: number;
  readonly recheckDropped: number;
  /** Txs removed because a block committed them. */
  readonly committed: number;
}

/**
 * The key of a tx: its sha256 (CometBFT's TxKey), as node:crypto's one-shot "binary" (latin1) string of the
 * digest — no Hash object, no Buffer and no base64 per look-up (the decoded-tx cache keys txs the same way).
 */
export function txKey(tx: Uint8Array): string {
  return hash("sha256", tx, "binary");
}

/** Bytes a tx takes in a block's `Data.txs` (field 1, length-delimited): CometBFT's ComputeProtoSizeForTxs. */
export function protoTxSize(tx: Uint8Array): number {
  let n = tx.length;
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    len++;
  }
  return 1 + len + tx.length;
}

/**
 * Room left in a proposal for the proposer's block random (src/chain/random.ts: ~150 bytes), so the reaped txs
 * plus the random stay within RequestPrepareProposal.max_tx_bytes.
 */
export const RANDOM_TX_RESERVE = 1024;

/**
 * A refusal by a mempool itself, as the SDK reports CometBFT's errors (client/broadcast.go CheckCometError): this
 * one's and the embedded engine's (dev.ts).
 */
export function refused(code: number, log: string): ResponseCheckTx {
  return {
    code,
    log,
    codespace: "sdk",
    data: new Uint8Array(),
    info: "",
    gasWanted: 0n,
    gasUsed: 0n,
    events: [],
  };
}

/** ErrTxInMempoolCache (19), ErrMempoolIsFull (20), ErrTxTooLarge (21): the SDK's codes for CometBFT's errors. */
export const MEMPOOL_REFUSALS = {
  inCache: 19,
  full: 20,
  tooLarge: 21,
} as const;

/** What the mempool did with a tx: admitted, refused by CheckTx, or refused by the mempool itself. */
export type Outcome = "admitted" | "rejected" | "duplicate" | "full" | "tooLarge";

/** The mempool's own refusals (before any CheckTx). */
export type Refusal = Exclude<Outcome, "admitted" | "rejected">;

/** A client's tx and what became of it (submitTx). */
export interface SubmitResult {
  readonly outcome: Outcome;
  readonly answer: ResponseCheckTx;
}

export class AppMempool {
  /** Admission order; a key's value is the tx. */
  private readonly txs = new Map<string, Uint8Array>();
  private bytes = 0;
  /** Seen hashes, oldest first (an LRU: a hit moves the key to the end). */
  private readonly cache = new Map<string, true>();
  private gossip: MempoolGossip | undefined;
  private readonly serial: SerialRunner;
  private counts = {
    admittedLocal: 0,
    admittedPeer: 0,
    rejectedLocal: 0,
    rejectedPeer: 0,
    duplicates: 0,
    full: 0,
    tooLarge: 0,
    rechecked: 0,
    recheckDropped: 0,
    committed: 0,
  };

  constructor(private readonly o: AppMempoolOptions) {
    this.serial = o.serial ?? (<T>(task: () => T): T => task());
    this.gossip = o.gossip;
  }

  /** Sets the gossip (made after the mempool: its onTxs calls `receive`). */
  setGossip(g: MempoolGossip | undefined): void {
    this.gossip = g;
  }

  get size(): number {
    return this.txs.size;
  }

  has(tx: Uint8Array): boolean {
    return this.txs.has(txKey(tx));
  }

  stats(): AppMempoolStats {
    return { txs: this.txs.size, bytes: this.bytes, ...this.counts };
  }

  /** The pending txs in admission order (a copy). */
  pending(): Uint8Array[] {
    return [...this.txs.values()];
  }

  /** The first `limit` pending txs in admission order (the RPC's unconfirmed_txs; CometBFT's ReapMaxTxs). */
  head(limit: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (limit <= 0) return out;
    for (const tx of this.txs.values()) {
      out.push(tx);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Bytes of the pending txs (CometBFT's SizeBytes). */
  get sizeBytes(): number {
    return this.bytes;
  }

  /**
   * A client's tx (REST broadcast): the mempool's refusals (full 20, too large 21, seen before 19), else CheckTx
   * NEW; admitted on code 0 and gossiped to every peer. Resolves with the answer broadcast_tx_sync gives.
   */
  async submit(tx: Uint8Array): Promise<ResponseCheckTx> {
    return (await this.submitTx(tx)).answer;
  }

  /** submit, with what the mempool did (the RPC front answers the mempool's own refusals as CometBFT does). */
  submitTx(tx: Uint8Array): Promise<SubmitResult> | SubmitResult {
    const run = (): SubmitResult => {
      const r = this.consider(tx, true);
      if (r.outcome === "admitted") this.gossip?.send([tx]);
      return r;
    };
    const meter = this.o.meter;
    return this.serial(meter === undefined ? run : () => meter("mempool.client", run));
  }

  /**
   * The mempool's own refusal of `tx` as things stand (full, too large, seen before), or undefined when it would
   * go on to CheckTx; changes nothing (broadcast_tx_async answers these at once and does not wait for CheckTx).
   */
  precheck(tx: Uint8Array): Refusal | undefined {
    const { limits } = this.o;
    if (this.txs.size >= limits.size || this.bytes + tx.length > limits.maxTxsBytes) return "full";
    if (tx.length > limits.maxTxBytes) return "tooLarge";
    const key = txKey(tx);
    if (this.txs.has(key) || (limits.cacheSize > 0 && this.cache.has(key))) return "duplicate";
    return undefined;
  }

  /**
   * The error CometBFT's mempool gives for this refusal of `tx` (v0.38 mempool/errors.go: its RPC answers it as
   * a JSON-RPC error where the REST answers the SDK's code 19/20/21).
   */
  refusalError(refusal: Refusal, tx: Uint8Array): string {
    const { limits } = this.o;
    if (refusal === "duplicate") return "tx already exists in cache";
    if (refusal === "tooLarge") return `Tx too large. Max size is ${limits.maxTxBytes}, but got ${tx.length}`;
    return `mempool is full: number of txs ${this.txs.size} (max: ${limits.size}), total txs bytes ${this.bytes} (max: ${limits.maxTxsBytes})`;
  }

  /**
   * CheckTx NEW of `tx` without admitting it (the RPC's check_tx, CometBFT's ProxyAppMempool.CheckTx): through
   * the same serial queue, so never inside an ABCI call. As with CometBFT and an SDK app, a tx that passes leaves
   * its ante writes (e.g. its sequence) in the CheckTx state until the next Commit.
   */
  check(tx: Uint8Array): Promise<ResponseCheckTx> | ResponseCheckTx {
    return this.serial(() => this.o.checkTx({ tx, type: CheckTxType.NEW }));
  }

  /**
   * Txs a peer sent (the gossip's onTxs): each one not seen before is checked (CheckTx NEW); the admitted ones
   * go on to every peer but `from`; the others are dropped (counted). Never throws on a bad tx.
   */
  receive(txs: readonly Uint8Array[], from: string): void {
    const run = (): void => {
      const admitted: Uint8Array[] = [];
      for (const view of txs) {
        // The gossip hands views into its socket chunk (txGossip.ts): a tx that goes on to CheckTx gets an own
        // copy (`consider`), so a kept tx does not keep the whole chunk alive; a refused one is not copied.
        const r = this.consider(view, false);
        if (r.outcome === "admitted") admitted.push(r.tx);
      }
      if (admitted.length > 0 && this.o.relay !== false) this.gossip?.send(admitted, from);
    };
    const meter = this.o.meter;
    const done = this.serial(
      meter === undefined
        ? run
        : () => {
            meter("mempool.peers", run);
          },
    );
    if (done instanceof Promise) {
      done.catch((e: unknown) => {
        this.o.log?.(`app mempool: txs from ${from}: ${e instanceof Error ? e.message : String(e)}`);
      });
    }
  }

  /**
   * CometBFT's CheckTx order: full, too large, in the cache (or the mempool), then the app's CheckTx NEW. A peer's
   * tx (`local` false: a view into the gossip's socket chunk) is copied once it gets past the cache; `tx` in the
   * result is the bytes the mempool holds (the copy, or the client's own array).
   */
  private consider(
    view: Uint8Array,
    local: boolean,
  ): { outcome: Outcome; answer: ResponseCheckTx; tx: Uint8Array } {
    const { limits } = this.o;
    if (this.txs.size >= limits.size || this.bytes + view.length > limits.maxTxsBytes) {
      this.counts.full++;
      return {
        outcome: "full",
        answer: refused(MEMPOOL_REFUSALS.full, this.refusalError("full", view)),
        tx: view,
      };
    }
    if (view.length > limits.maxTxBytes) {
      this.counts.tooLarge++;
      return {
        outcome: "tooLarge",
        answer: refused(
          MEMPOOL_REFUSALS.tooLarge,
          `tx too large. Max size is ${limits.maxTxBytes}, but got ${view.length}`,
        ),
        tx: view,
      };
    }
    const key = txKey(view);
    if (this.txs.has(key) || !this.pushCache(key)) {
      this.counts.duplicates++;
      return {
        outcome: "duplicate",
        answer: refused(MEMPOOL_REFUSALS.inCache, this.refusalError("duplicate", view)),
        tx: view,
      };
    }
    const tx = local ? view : new Uint8Array(view);
    const answer = this.o.checkTx({ tx, type: CheckTxType.NEW });
    if (answer.code !== 0) {
      // keep_invalid_txs_in_cache = false (CometBFT's default): a refused tx may be sent again.
      this.cache.delete(key);
      if (local) this.counts.rejectedLocal++;
      else this.counts.rejectedPeer++;
      return { outcome: "rejected", answer, tx };
    }
    this.txs.set(key, tx);
    this.bytes += tx.length;
    if (local) this.counts.admittedLocal++;
    else this.counts.admittedPeer++;
    return { outcome: "admitted", answer, tx };
  }

  /** Adds `key` to the seen cache; false when it was there already (moved to the newest end). */
  private pushCache(key: string): boolean {
    const size = this.o.limits.cacheSize;
    if (size <= 0) return true;
    if (this.cache.has(key)) {
      this.cache.delete(key);
      this.cache.set(key, true);
      return false;
    }
    this.cache.set(key, true);
    if (this.cache.size > size) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.cache.delete(oldest.value);
    }
    return true;
  }

  /**
   * The txs for a proposal: admission order, as many as fit in `maxTxBytes` (block data bytes as CometBFT counts
   * them, less RANDOM_TX_RESERVE for the block random; −1 = no limit), stopping at the first that does not fit
   * (CometBFT's ReapMaxBytesMaxGas). The app's PrepareProposal then applies its own checks and gas limit.
   */
  reap(maxTxBytes: bigint | number): Uint8Array[] {
    const limit = Number(maxTxBytes);
    const out: Uint8Array[] = [];
    if (limit < 0) {
      for (const tx of this.txs.values()) out.push(tx);
      return out;
    }
    const room = limit - RANDOM_TX_RESERVE;
    let size = 0;
    for (const tx of this.txs.values()) {
      const s = protoTxSize(tx);
      if (size + s > room) break;
      size += s;
      out.push(tx);
    }
    return out;
  }

  /**
   * After Commit (call inside the Commit's serial task, after the app's Commit): the block's txs leave the
   * mempool (a tx committed with code 0 stays in the cache; a failed one leaves it, so it may be sent again),
   * then every pending tx is rechecked in admission order (CheckTx RECHECK) and dropped when it fails.
   * `codes[i]`: the result code of `blockTxs[i]` (missing = 0).
   */
  update(blockTxs: readonly Uint8Array[], codes: readonly number[] = []): void {
    blockTxs.forEach((tx, i) => {
      const key = txKey(tx);
      const held = this.txs.get(key);
      if (held !== undefined) {
        this.txs.delete(key);
        this.bytes -= held.length;
        this.counts.committed++;
      }
      if ((codes[i] ?? 0) === 0) this.pushCache(key);
      else this.cache.delete(key);
    });
    for (const [key, tx] of this.txs) {
      this.counts.rechecked++;
      const r = this.o.checkTx({ tx, type: CheckTxType.RECHECK });
      if (r.code === 0) continue;
      this.txs.delete(key);
      this.bytes -= tx.length;
      this.cache.delete(key);
      this.counts.recheckDropped++;
    }
  }
}

const isThenable = <T>(v: T | Promise<T>): v is Promise<T> =>
  typeof (v as { then?: unknown } | null)?.then === "function";
const then = <T, U>(v: T | Promise<T>, f: (v: T) => U): U | Promise<U> => (isThenable(v) ? v.then(f) : f(v));

/**
 * `app` driven by CometBFT with `mempool.type = "nop"`: PrepareProposal proposes `mempool.reap(max_tx_bytes)`
 * (CometBFT sends no txs; the app's own checks and gas limit then apply as before), and Commit, once the app has
 * committed, removes the block's txs from the mempool and rechecks the rest (in the same serial task: nothing
 * is admitted between the Commit and the recheck, so the CheckTx state is the mempool's txs in order and
 * PrepareProposal's CheckTx-log fast path holds). Every other call passes through.
 */
export function withAppMempool(app: AbciApplication, mempool: AppMempool): AbciApplication {
  let block: { txs: readonly Uint8Array[]; codes: number[] } | undefined;
  return {
    info: (r) => app.info(r),
    initChain: (r) => app.initChain(r),
    checkTx: (r) => app.checkTx(r),
    query: (r) => app.query(r),
    processProposal: (r) => app.processProposal(r),
    prepareProposal: (r) => app.prepareProposal({ ...r, txs: mempool.reap(r.maxTxBytes) }),
    finalizeBlock: (r) =>
      then(app.finalizeBlock(r), (res) => {
        block = { txs: r.txs, codes: res.txResults.map((t) => t.code) };
        return res;
      }),
    commit: (r) =>
      then(app.commit(r), (res) => {
        const b = block;
        block = undefined;
        mempool.update(b?.txs ?? [], b?.codes ?? []);
        return res;
      }),
  };
}
