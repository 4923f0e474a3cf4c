// Query lanes: extra enclave isolates that serve read-only query ECALLs asynchronously, so smart queries run in
// parallel with each other and with block execution instead of queueing behind one synchronous worker.
import type { WireResult } from "./channel/frames.js";
import { EnclaveIsolate, EnclaveUnavailableError, type CallOptions, type IsolateOptions } from "./host.js";

/** Most lanes a node may ask for (each is a worker thread with its own compiled-code cache). */
export const MAX_QUERY_LANES = 16;

interface Waiter {
  resolve(lane: EnclaveIsolate): void;
  reject(e: Error): void;
}

/**
 * A pool of `size` isolates over the same sealed state as the node's main enclave. Lanes start on first use,
 * each takes one async ECALL at a time (callers queue FIFO), a lane that died is replaced on the next call,
 * and `reset()` retires every lane (after the main enclave changed its keychain, lanes must reopen the
 * sealed state to see the new seeds).
 */
export class QueryLanes {
  private readonly idle: EnclaveIsolate[] = [];
  private readonly waiting: Waiter[] = [];
  private readonly generationOf = new Map<EnclaveIsolate, number>();
  private generation = 0;
  private live = 0;
  private starting = 0;
  private closed = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly retiring = new Set<Promise<void>>();

  constructor(
    private readonly opts: IsolateOptions,
    readonly size: number,
  ) {
    if (!Number.isSafeInteger(size) || size < 1 || size > MAX_QUERY_LANES)
      throw new RangeError(`query lanes: size must be 1..${MAX_QUERY_LANES}, got ${size}`);
  }

  /** Runs one ECALL on a free lane (starting one if the pool is not full), awaiting its answer. */
  async run(id: number, payload: Uint8Array, call: CallOptions = {}): Promise<WireResult> {
    if (this.closed) throw new EnclaveUnavailableError("query lanes stopped");
    const lane = await this.acquire();
    const p = lane.callAsync(id, payload, call);
    this.inFlight.add(p);
    try {
      return await p;
    } finally {
      this.inFlight.delete(p);
      this.release(lane);
    }
  }

  /** Lanes running now (started and not retired). */
  get running(): number {
    return this.live;
  }

  /** Retires every lane; calls already running finish first, later calls get fresh lanes. */
  reset(): void {
    this.generation++;
    for (const lane of this.idle.splice(0)) this.retire(lane);
  }

  /** Stops every lane after the calls in flight finish. */
  async stop(): Promise<void> {
    this.closed = true;
    this.reset();
    await Promise.allSettled([...this.inFlight]);
    for (const w of this.waiting.splice(0)) w.reject(new EnclaveUnavailableError("query lanes stopped"));
    while (this.starting > 0) await new Promise((r) => setImmediate(r));
    await Promise.allSettled([...this.retiring]);
  }

  private async acquire(): Promise<EnclaveIsolate> {
    const free = this.idle.pop();
    if (free !== undefined) return free;
    if (this.live + this.starting < this.size) return this.startLane();
    return new Promise<EnclaveIsolate>((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private async startLane(): Promise<EnclaveIsolate> {
    this.starting++;
    const gen = this.generation;
    try {
      const lane = await EnclaveIsolate.start(this.opts);
      this.live++;
      this.generationOf.set(lane, gen);
      return lane;
    } finally {
      this.starting--;
    }
  }

  private release(lane: EnclaveIsolate): void {
    if (lane.isDead || this.closed || this.generationOf.get(lane) !== this.generation) {
      this.retire(lane);
      // A caller waiting for a lane gets a fresh one in its place.
      const next = this.waiting.shift();
      if (next !== undefined) {
        if (this.closed) next.reject(new EnclaveUnavailableError("query lanes stopped"));
        else
          this.startLane().then(
            (l) => {
              next.resolve(l);
            },
            (e: unknown) => {
              next.reject(e instanceof Error ? e : new Error(String(e)));
            },
          );
      }
      return;
    }
    const next = this.waiting.shift();
    if (next !== undefined) next.resolve(lane);
    else this.idle.push(lane);
  }

  private retire(lane: EnclaveIsolate): void {
    this.generationOf.delete(lane);
    this.live--;
    const stopped = lane.stop().catch(() => undefined);
    this.retiring.add(stopped);
    void stopped.then(() => this.retiring.delete(stopped));
  }
}
