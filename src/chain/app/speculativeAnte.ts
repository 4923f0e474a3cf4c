// Speculative ante: while tx i's contract ECALL runs (the door idle hook), tx i+1's ante runs over the block's
// state as tx i's ante left it, recording every key it read and the value it got. At tx i+1's turn its outcome
// is taken when the block's state still holds exactly those values (ante is a function of the values it reads
// and of the tx and block facts, which are the same: so its writes, gas, events and verdict are the serial ones);
// otherwise ante runs again as usual. Speed only.
import { equalBytes, InvalidInputError } from "../../util/bytes.js";
import { ChainError } from "../errors.js";
import { MAX_GAS_WANTED } from "../gas.js";
import { KeyIdReader, type MemoryOverlay } from "../store/memory.js";
import { keyId } from "../store/sortedEntries.js";
import type { KVStore } from "../store/types.js";
import type { DecodedTx } from "../tx/decode.js";
import { adoptAnte, runAnteStep, type AnteRun, type DeliverHooks, type TxEnv } from "../tx/runTx.js";
import { decodeTxCached } from "../tx/txCache.js";
import { isRandomTx } from "../random.js";

/**
 * A read-only view of `parent` that records every point read: key, key id and what it answered (a value or
 * undefined for get, a boolean for has), and whether any range was iterated.
 */
export class RecordingReader extends KeyIdReader {
  readonly keys: Uint8Array[] = [];
  readonly ids: string[] = [];
  readonly answers: (Uint8Array | undefined | boolean)[] = [];
  iterated = false;

  constructor(private readonly parent: MemoryOverlay) {
    super();
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.getById(key, keyId(key));
  }

  has(key: Uint8Array): boolean {
    return this.hasById(key, keyId(key));
  }

  getById(key: Uint8Array, id: string): Uint8Array | undefined {
    const v = this.parent.getById(key, id);
    this.record(key, id, v);
    return v;
  }

  hasById(key: Uint8Array, id: string): boolean {
    const v = this.parent.hasById(key, id);
    this.record(key, id, v);
    return v;
  }

  /**
   * A key already recorded with the same kind of read is not recorded again: nothing writes the parent during
   * the run (the run's writes stay in its own cache), so it answers the same (ante reads its signer 3 times).
   */
  private record(key: Uint8Array, id: string, v: Uint8Array | undefined | boolean): void {
    const kind = typeof v === "boolean";
    for (let j = 0; j < this.ids.length; j++) {
      if (this.ids[j] === id && (typeof this.answers[j] === "boolean") === kind) return;
    }
    this.keys.push(key);
    this.ids.push(id);
    this.answers.push(v);
  }

  /** True when `state` answers every recorded read exactly as it was answered then. */
  sameIn(state: KVStore): boolean {
    const byId = state instanceof KeyIdReader ? state : undefined;
    for (let j = 0; j < this.keys.length; j++) {
      const key = this.keys[j]!;
      const then = this.answers[j];
      if (typeof then === "boolean") {
        const now = byId === undefined ? state.has(key) : byId.hasById(key, this.ids[j]!);
        if (now !== then) return false;
        continue;
      }
      const now = byId === undefined ? state.get(key) : byId.getById(key, this.ids[j]!);
      if (now === then) continue;
      if (now === undefined || then === undefined || !equalBytes(now, then)) return false;
    }
    return true;
  }

  iterate(
    start: Uint8Array | undefined,
    end: Uint8Array | undefined,
    reverse?: boolean,
  ): Iterable<[Uint8Array, Uint8Array]> {
    // A range read cannot be checked key by key: such a run is never taken.
    this.iterated = true;
    return this.parent.iterate(start, end, reverse);
  }
}

interface Speculated {
  readonly index: number;
  readonly tx: DecodedTx;
  readonly run: AnteRun;
  readonly reads: RecordingReader;
}

/** Counters (tests, benches): runs made, taken (of them failed antes), voided by a changed value, not usable. */
export interface SpeculationStats {
  run: number;
  taken: number;
  takenFailed: number;
  conflicts: number;
  unusable: number;
}

export class SpeculativeAnte implements DeliverHooks {
  private txs: readonly Uint8Array[] = [];
  private at: { chainId: string; height: bigint; timeNs: bigint } | undefined;
  /** The tx being delivered (-1: none). */
  private current = -1;
  /** Its ante cache once its ante passed (block state + its ante writes), until one speculation ran over it. */
  private base: MemoryOverlay | undefined;
  private ahead: Speculated | undefined;
  readonly stats: SpeculationStats = { run: 0, taken: 0, takenFailed: 0, conflicts: 0, unusable: 0 };
  /** Off: nothing is run ahead (A/B benches, tests). */
  enabled = true;
  /** The door idle task (ComputeEngine.speculateWhileWaiting), bound once. */
  readonly idle = (): void => {
    this.speculateNext();
  };

  constructor(private readonly env: TxEnv) {}

  beginBlock(at: { chainId: string; height: bigint; timeNs: bigint }, txs: readonly Uint8Array[]): void {
    this.at = this.enabled ? at : undefined;
    this.txs = txs;
    this.current = -1;
    this.base = undefined;
    this.ahead = undefined;
  }

  endBlock(): void {
    this.at = undefined;
    this.txs = [];
    this.current = -1;
    this.base = undefined;
    this.ahead = undefined;
  }

  /** Tx i is about to be delivered (in block order; a tx not run through runTx's hooks still passes here). */
  delivering(i: number): void {
    if (this.ahead !== undefined && this.ahead.index !== i) this.ahead = undefined;
    this.current = i;
    this.base = undefined;
  }

  /** DeliverHooks.ante: tx i's ante run ahead, when it still holds, moved onto `state`. */
  ante(tx: DecodedTx, state: KVStore): AnteRun | undefined {
    const a = this.ahead;
    this.ahead = undefined;
    if (a?.index !== this.current || a.tx !== tx || this.at === undefined) return undefined;
    if (!a.reads.sameIn(state)) {
      this.stats.conflicts++;
      return undefined;
    }
    this.stats.taken++;
    if (a.run.failed) {
      this.stats.takenFailed++;
      return a.run;
    }
    return adoptAnte(this.env, state, tx, { ...this.at, txIndex: a.index }, a.run);
  }

  /** DeliverHooks.afterAnte: the state the next tx's ante would see, but for this tx's message writes. */
  afterAnte(anteCache: MemoryOverlay): void {
    this.base = this.at === undefined ? undefined : anteCache;
  }

  /** Inside tx i's ECALL wait: tx i+1's ante over tx i's ante cache, once. */
  private speculateNext(): void {
    const base = this.base;
    const at = this.at;
    if (base === undefined || at === undefined) return;
    this.base = undefined;
    const index = this.current + 1;
    const raw = this.txs[index];
    if (raw === undefined || isRandomTx(raw)) return;
    let tx: DecodedTx;
    try {
      tx = decodeTxCached(raw, this.env.registry);
    } catch {
      return; // runTx reports it
    }
    if (tx.fee.gasLimit > MAX_GAS_WANTED) return;
    const reader = new RecordingReader(base);
    const run = runAnteStep(this.env, reader, tx, "deliver", { ...at, txIndex: index });
    this.stats.run++;
    // Only registered failures are functions of the state read; anything else (a bug, a stack overflow) reruns.
    const usable =
      !reader.iterated &&
      (!run.failed || run.error instanceof ChainError || run.error instanceof InvalidInputError);
    if (!usable) {
      this.stats.unusable++;
      return;
    }
    this.ahead = { index, tx, run, reads: reader };
  }
}
