// The verify lane: one more enclave isolate that checks tx signatures ahead of their execute ECALLs, on the
// core block execution leaves idle, and hands back verdict tokens (./contract/verdict.ts). Fully synchronous
// on the host side: FinalizeBlock runs without an event loop, so requests go out with a split ECALL and the
// answers are picked up by a non-blocking poll whenever the chain asks for a token. Never consensus: a lost,
// late or refused token only means the execute ECALL verifies the signature itself.
import { EnclaveIsolate, EnclaveUnavailableError, type IsolateOptions } from "./host.js";
import {
  decodeVerifyAnswer,
  encodeVerifyRequest,
  MAX_VERIFY_BATCH,
  type SignatureCheckInput,
} from "./ecalls/verify.js";

/** ECALL id of verifySignatures (api.ts ECALL; kept here too so this file does not import the door). */
const VERIFY_SIGNATURES = 27;
/** The first chunk of a burst is small so the first tokens come back within ~1 verify. */
const FIRST_CHUNK = 2;
/**
 * Later chunks: ~32 × 0.09 ms per check with the native verify (0.25 ms with wasm), long enough to amortize the
 * wake, short enough to stay ahead of execution (~98% of tokens used in bench:chain, session 11).
 */
const CHUNK = 32;
/** Checks waiting to be sent, at most (more are dropped: they would go without a token, as before). */
const MAX_QUEUED = 8192;
/** Tokens kept, at most (the chain clears them per block; this bounds a caller that never does). */
const MAX_TOKENS = 16384;

/** One signature to check ahead, under the host's own handle `key` (e.g. tx hash ‖ signer). */
export interface SignatureCheck extends SignatureCheckInput {
  readonly key: string;
}

/** Counters for benches and tests. */
export interface VerifyLaneStats {
  submitted: number;
  dropped: number;
  /** Checks answered with a token / without one (the signature did not hold or could not be read). */
  issued: number;
  refused: number;
  /** Token lookups answered / not answered (not checked yet, or no token). */
  hits: number;
  misses: number;
}

export class VerifyLane {
  private queue: SignatureCheck[] = [];
  private inFlight: readonly SignatureCheck[] | undefined;
  private readonly tokens = new Map<string, Uint8Array>();
  private lane: EnclaveIsolate | undefined;
  private restarting: Promise<void> | undefined;
  private stopped = false;
  /** No chunk sent since the last clear (a new block): the next chunk is a small one. */
  private fresh = true;
  readonly stats: VerifyLaneStats = { submitted: 0, dropped: 0, issued: 0, refused: 0, hits: 0, misses: 0 };

  private constructor(
    private readonly opts: IsolateOptions,
    lane: EnclaveIsolate,
  ) {
    this.lane = lane;
  }

  static async start(opts: IsolateOptions): Promise<VerifyLane> {
    return new VerifyLane(opts, await EnclaveIsolate.start(opts));
  }

  /** Queues checks; they go to the lane in chunks as it becomes free. Never blocks. */
  submit(checks: readonly SignatureCheck[]): void {
    for (const c of checks) {
      if (this.queue.length >= MAX_QUEUED) {
        this.stats.dropped++;
        continue;
      }
      this.queue.push(c);
      this.stats.submitted++;
    }
    this.pump();
  }

  /** The token for `key` if the lane has answered it with one (takes any answer that has arrived first). */
  token(key: string): Uint8Array | undefined {
    this.pump();
    const t = this.tokens.get(key);
    if (t === undefined) this.stats.misses++;
    else this.stats.hits++;
    return t;
  }

  /** Forgets every token and every check not yet sent (a new block). A chunk in flight still lands. */
  clear(): void {
    this.queue = [];
    this.tokens.clear();
    this.fresh = true;
  }

  /** Checks queued or in flight (tests). */
  get pending(): number {
    return this.queue.length + (this.inFlight?.length ?? 0);
  }

  /** Waits (asynchronously) until every queued check is answered; for tests and benches. */
  async drain(timeoutMs = 10_000): Promise<void> {
    const end = performance.now() + timeoutMs;
    while (this.pending > 0 && this.lane !== undefined && performance.now() < end) {
      this.pump();
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.queue = [];
    await this.drain(2000);
    await this.restarting;
    const lane = this.lane;
    this.lane = undefined;
    if (lane !== undefined && !lane.busy) await lane.stop();
  }

  /** Takes an arrived answer, then sends the next chunk if the lane is free. Any lane failure: drop it. */
  private pump(): void {
    const lane = this.lane;
    if (lane === undefined) return;
    try {
      if (this.inFlight !== undefined) {
        const res = lane.poll();
        if (res === undefined) return;
        this.land(this.inFlight, res);
        this.inFlight = undefined;
      }
      if (this.queue.length === 0 || this.stopped) return;
      // Nothing answered yet (a new block): a small chunk first, so the first tokens come back soonest.
      const n = this.fresh ? FIRST_CHUNK : CHUNK;
      this.fresh = false;
      const chunk = this.queue.splice(0, Math.min(n, MAX_VERIFY_BATCH));
      lane.begin(VERIFY_SIGNATURES, encodeVerifyRequest(chunk));
      this.inFlight = chunk;
    } catch (e) {
      if (!(e instanceof EnclaveUnavailableError)) throw e;
      this.replace();
    }
  }

  private land(chunk: readonly SignatureCheck[], res: ReturnType<EnclaveIsolate["poll"]>): void {
    if (res === undefined || "error" in res) {
      this.stats.refused += chunk.length;
      return;
    }
    let answers: (Uint8Array | undefined)[];
    try {
      answers = decodeVerifyAnswer(res.ok);
    } catch {
      answers = []; // a malformed answer counts as no verdicts (a lane bug; the calls verify themselves)
    }
    if (this.tokens.size + chunk.length > MAX_TOKENS) this.tokens.clear();
    chunk.forEach((c, i) => {
      const t = answers[i];
      if (t === undefined) this.stats.refused++;
      else {
        this.stats.issued++;
        this.tokens.set(c.key, t);
      }
    });
  }

  /** A dead lane: checks go without tokens until a fresh lane has started (in the background). */
  private replace(): void {
    this.lane = undefined;
    this.inFlight = undefined;
    this.queue = [];
    if (this.stopped || this.restarting !== undefined) return;
    this.restarting = EnclaveIsolate.start(this.opts).then(
      (l) => {
        this.restarting = undefined;
        if (this.stopped) void l.stop();
        else this.lane = l;
      },
      () => {
        this.restarting = undefined;
      },
    );
  }
}
