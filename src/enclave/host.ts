// The host side of the isolate boundary: spawns the enclave worker, makes synchronous ECALLs over the shared
// mailbox, and answers the enclave's OCALLs with a handler bound per ECALL (re-entrant: a handler may ECALL).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MessageChannel, Worker } from "node:worker_threads";
import { abytes } from "../util/bytes.js";
import { encodeWorkerConfig, type WorkerConfig } from "./channel/config.js";
import {
  decodeEcallResponseWithWrites,
  decodeFatal,
  decodeOcallRequest,
  decodeResult,
  encodeEcallRequest,
  encodeEcallRequestThen,
  FRAME,
  type WireResult,
} from "./channel/frames.js";
import {
  answerOcall,
  applyDeferredWrites,
  encodeOcallAnswer,
  NO_OCALLS,
  type OcallHandler,
} from "./channel/hostOcalls.js";
import { createMailboxBuffer, Mailbox, SIDE_HOST, type DoorSpin, type FrameTap } from "./channel/mailbox.js";
import { ENCLAVE_ERROR_CODES } from "./errors.js";
import { MAX_ECALL_NESTING } from "./ecalls/index.js";
import { closeNativeGuard, closeNativeGuards, createNativeGuard } from "./crypto/nativeGuard.js";

export { OcallFailure, type OcallHandler } from "./channel/hostOcalls.js";

/** A second ECALL was started while an async one is in flight on the same isolate (a host bug). */
export class EnclaveBusyError extends Error {
  override readonly name = "EnclaveBusyError";
  constructor() {
    super("enclave isolate busy: an async ECALL is in flight");
  }
}

/** Host-side failure of the isolate itself (dead worker, timeout, protocol violation): a broken invariant. */
export class EnclaveUnavailableError extends Error {
  override readonly name = "EnclaveUnavailableError";
}

export interface IsolateOptions extends Partial<Pick<WorkerConfig, "debug" | "asyncHost">> {
  readonly dataDir: string;
  readonly platformSecretPath: string;
  /** Bytes of shared memory per mailbox before frames spill through the port (default 1 MiB). */
  readonly inlineCapacity?: number;
  /** Longest one wait for the enclave may take before the isolate is declared dead (default 10 min). */
  readonly ecallTimeoutMs?: number;
  /** Observe every frame from the first one (wall tests). */
  readonly tap?: FrameTap;
  /**
   * How long each side may spin before it sleeps (mailbox.ts DoorSpin; default DOOR_SPIN_DEFAULT, no timed spin).
   * Worth it only when the host and enclave threads each have a core of their own; ignored by async lanes.
   */
  readonly spin?: DoorSpin;
}

export interface CallOptions {
  readonly gasLimit?: bigint;
  readonly ocalls?: OcallHandler;
  /**
   * An ECALL for the enclave to run after it has answered this one, whose answer is never read (a prepareCall
   * of the next call: FRAME.ecallRequestThen). Only on a top-level synchronous call; ignored otherwise.
   */
  readonly then?: { readonly id: number; readonly payload: Uint8Array };
  /**
   * Host work to run once while the enclave works on this call, right after the request is sent and before
   * this thread sleeps (a door idle hook: e.g. building the next prepareCall). It must not touch anything an
   * OCALL handler of this call reads; an OCALL arriving meanwhile waits for it. Only on a top-level
   * synchronous call; what it throws is ignored (speed-only work).
   */
  readonly idle?: () => void;
}

/**
 * A host-supplied source of door jobs (README §3 "Door jobs"): each call runs one small job and returns true, or
 * returns false when it has none left for now. The door of a top-level synchronous ECALL calls it while the
 * enclave's turn lasts — after the idle task and after each OCALL answer —, looking at the mailbox between two
 * jobs, so an OCALL or the response waits for one job at most. Jobs are speed-only host work that must not
 * touch anything the ECALL's OCALL handlers use and must make no ECALL (one is refused with EnclaveBusyError);
 * what a job throws ends the jobs of that ECALL and nothing else.
 */
export type DoorJobs = () => boolean;

const DEFAULT_ECALL_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * The native-call guards (crypto/nativeGuard.ts) of every isolate whose worker has not exited yet. Node tears
 * down worker threads after the process's "exit" listeners have run (process.exit, the event loop running dry
 * and an uncaught exception alike), so one listener, run first, closes them all: no worker is torn down inside
 * a native call (nativeGuard.test.ts checks the order on this Node).
 */
const liveGuards = new Set<Int32Array>();
let exitHooked = false;

function trackGuard(guard: Int32Array): void {
  liveGuards.add(guard);
  if (exitHooked) return;
  exitHooked = true;
  process.prependListener("exit", () => {
    closeNativeGuards(liveGuards);
  });
}

/** Terminates an isolate's worker, never while it is inside a native call (the only way any path may do so). */
async function terminateGuarded(worker: Worker, guard: Int32Array): Promise<void> {
  closeNativeGuard(guard);
  await worker.terminate();
}

/**
 * Where the worker's code is: beside this file. Compiled, it is dist/enclave/worker.js. Under tsx (tests,
 * benches) it is worker.ts; Node 20 does not apply the parent's `--import tsx` hooks to a worker's entry, so
 * the worker starts from a two-line bootstrap that registers tsx's ESM hooks and then imports worker.ts.
 */
export function resolveWorkerEntry(): { entry: URL | string; eval: boolean } {
  const ts = new URL("./worker.ts", import.meta.url);
  if (import.meta.url.endsWith(".ts") && existsSync(fileURLToPath(ts))) {
    const tsxApi = import.meta.resolve("tsx/esm/api");
    const bootstrap =
      `import(${JSON.stringify(tsxApi)})` +
      `.then((m) => { m.register(); return import(${JSON.stringify(ts.href)}); })` +
      `.catch((e) => { process.nextTick(() => { throw e; }); });`;
    return { entry: bootstrap, eval: true };
  }
  return { entry: new URL("./worker.js", import.meta.url), eval: false };
}

/** A running enclave worker and the synchronous channel to it. */
export class EnclaveIsolate {
  private depth = 0;
  /** An async ECALL is in flight: the turn may be the enclave's, so no other ECALL may start meanwhile. */
  private asyncInFlight = false;
  private dead: string | undefined;
  private workerGone = false;
  /** A call sent with `ahead` whose answer is not read yet: read (and dropped) before the next ECALL. */
  private aheadInFlight = false;
  /**
   * `ahead` calls sent, those answered with an error (prepareCall refuses only malformed payloads), the
   * enclave's own counts from the last answer (prepareCall: outcomes taken by an execute / dropped unused), and
   * how often the next ECALL had to wait for the enclave to finish an `ahead` call; `rode`: calls sent along
   * with an ECALL (CallOptions.then).
   */
  readonly aheadStats = { sent: 0, rode: 0, refused: 0, taken: 0, dropped: 0, waited: 0 };
  /** Where top-level synchronous ECALLs take door jobs from while they wait (none: they just wait). */
  jobs: DoorJobs | undefined;
  /** Door jobs run, and those that threw (each ended its ECALL's jobs). */
  readonly jobStats = { run: 0, failed: 0 };
  /** A door job is running: the turn is the enclave's, so no ECALL may start. */
  private inJob = false;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly mailbox: Mailbox,
    private readonly guard: Int32Array,
    private readonly timeoutMs: number,
  ) {
    this.exited = new Promise((resolve) =>
      worker.once("exit", () => {
        this.workerGone = true;
        // An async ECALL waiting on the mailbox would never be woken by a dead worker: end its wait.
        if (this.asyncInFlight) this.mailbox.interrupt("enclave worker exited");
        resolve();
      }),
    );
  }

  /** Spawns the worker and waits until it has opened its sealed state. Rejects with the enclave's coded error. */
  static async start(opts: IsolateOptions): Promise<EnclaveIsolate> {
    const shared = createMailboxBuffer(opts.inlineCapacity, opts.spin);
    const { port1, port2 } = new MessageChannel();
    const guardBuffer = createNativeGuard();
    const guard = new Int32Array(guardBuffer);
    const config = encodeWorkerConfig({
      dataDir: opts.dataDir,
      platformSecretPath: opts.platformSecretPath,
      debug: opts.debug ?? false,
      asyncHost: opts.asyncHost ?? false,
    });
    const entry = resolveWorkerEntry();
    const worker = new Worker(entry.entry, {
      eval: entry.eval,
      workerData: { mailbox: shared, port: port2, config, nativeGuard: guardBuffer },
      transferList: [port2],
    });
    trackGuard(guard);
    worker.once("exit", () => liveGuards.delete(guard));
    const mailbox = new Mailbox(shared, port1, SIDE_HOST);
    mailbox.tap = opts.tap;
    const ready = await waitReady(worker);
    if ("error" in ready) {
      await terminateGuarded(worker, guard);
      port1.close();
      throw new EnclaveStartError(ready.error.code, ready.error.message);
    }
    // The worker is parked in Atomics.wait; it must not keep the process alive on its own.
    worker.unref();
    return new EnclaveIsolate(worker, mailbox, guard, opts.ecallTimeoutMs ?? DEFAULT_ECALL_TIMEOUT_MS);
  }

  /** Nesting level of ECALLs in progress on this host (0 when idle). */
  get activeDepth(): number {
    return this.depth;
  }

  set tap(tap: FrameTap | undefined) {
    this.mailbox.tap = tap;
  }

  /** One synchronous ECALL by numeric id. */
  call(id: number, payload: Uint8Array, opts: CallOptions = {}): WireResult {
    abytes(payload, undefined, "ecall payload");
    const req = { id, gasLimit: opts.gasLimit ?? 0n, payload };
    const then = opts.then;
    const idle = this.depth > 0 ? undefined : opts.idle;
    if (then === undefined || this.depth > 0) {
      return this.callRaw(encodeEcallRequest(req), opts.ocalls, FRAME.ecallRequest, idle);
    }
    this.aheadStats.rode++;
    const body = encodeEcallRequestThen(req, { id: then.id, gasLimit: 0n, payload: then.payload });
    return this.callRaw(body, opts.ocalls, FRAME.ecallRequestThen, idle);
  }

  /** Sends an already-encoded ECALL request body as is (fuzzing the enclave's own frame decoder). */
  callRaw(
    requestBody: Uint8Array,
    ocalls: OcallHandler = NO_OCALLS,
    kind: number = FRAME.ecallRequest,
    idle?: () => void,
  ): WireResult {
    if (this.dead !== undefined) throw new EnclaveUnavailableError(this.dead);
    // A door job runs while the enclave holds the turn: a request now would break the turn protocol.
    if (this.inJob) throw new EnclaveBusyError();
    this.settleAhead();
    // Between the frames of an async ECALL the turn may be the enclave's; only its OCALL handlers may nest.
    if (this.asyncInFlight && this.depth === 0) throw new EnclaveBusyError();
    if (this.depth >= MAX_ECALL_NESTING) {
      const entry = ENCLAVE_ERROR_CODES.ExceededRecursionLimit;
      return { error: { code: entry.num, message: entry.message }, gasUsed: 0n };
    }
    this.depth++;
    try {
      this.mailbox.send(kind, requestBody);
      if (idle !== undefined) runIdle(idle);
      const jobs = this.depth === 1 ? this.jobs : undefined;
      return jobs === undefined ? this.awaitResponse(ocalls) : this.awaitWithJobs(ocalls, jobs);
    } finally {
      this.depth--;
    }
  }

  /** True once the isolate was found dead or stopped (it never comes back). */
  get isDead(): boolean {
    return this.dead !== undefined;
  }

  /** True while an async ECALL is in flight (a lane pool hands each isolate one at a time). */
  get busy(): boolean {
    return this.asyncInFlight || this.depth > 0;
  }

  /**
   * One ECALL that does not block the calling thread: the frames are awaited with Atomics.waitAsync, and each
   * OCALL is answered synchronously by `opts.ocalls` when it arrives (a handler may nest synchronous ECALLs on
   * this isolate). One async ECALL per isolate at a time; a second one is refused with EnclaveBusyError.
   */
  async callAsync(id: number, payload: Uint8Array, opts: CallOptions = {}): Promise<WireResult> {
    abytes(payload, undefined, "ecall payload");
    if (this.dead !== undefined) throw new EnclaveUnavailableError(this.dead);
    this.settleAhead();
    if (this.busy) throw new EnclaveBusyError();
    const ocalls = opts.ocalls ?? NO_OCALLS;
    this.asyncInFlight = true;
    // Atomics.waitAsync does not keep the event loop alive; the (normally unref'd) worker does while we wait.
    this.worker.ref();
    this.mailbox.clearInterrupt();
    const timer = setTimeout(() => {
      this.mailbox.interrupt(`no answer from the other side within ${this.timeoutMs} ms`);
    }, this.timeoutMs);
    timer.unref();
    try {
      this.mailbox.send(
        FRAME.ecallRequest,
        encodeEcallRequest({ id, gasLimit: opts.gasLimit ?? 0n, payload }),
      );
      for (;;) {
        let frame;
        try {
          frame = await this.mailbox.receiveAsync();
        } catch (e) {
          this.dead = `enclave did not answer: ${(e as Error).message}`;
          throw new EnclaveUnavailableError(this.dead);
        }
        // Inside the handler this call counts as one level deep, so nested synchronous ECALLs are allowed.
        this.depth++;
        let result: WireResult | undefined;
        try {
          result = this.step(frame, ocalls);
        } finally {
          this.depth--;
        }
        if (result !== undefined) return result;
      }
    } finally {
      clearTimeout(timer);
      this.asyncInFlight = false;
      this.worker.unref();
    }
  }

  /**
   * A split ECALL, first half (a verify lane, ./verifyLane.ts): sends the request and returns at once. The
   * isolate is busy until `poll` returns the answer. The call may make no OCALL (any would be refused).
   */
  begin(id: number, payload: Uint8Array): void {
    abytes(payload, undefined, "ecall payload");
    this.assertAlive();
    this.settleAhead();
    if (this.busy) throw new EnclaveBusyError();
    this.mailbox.send(FRAME.ecallRequest, encodeEcallRequest({ id, gasLimit: 0n, payload }));
    this.asyncInFlight = true;
  }

  /** The split ECALL's answer if it has arrived, else undefined; never waits (one look at the turn word). */
  poll(): WireResult | undefined {
    this.assertAlive();
    if (!this.asyncInFlight) throw new EnclaveUnavailableError("no split ECALL in flight");
    for (;;) {
      const frame = this.mailbox.tryReceive();
      if (frame === undefined) {
        if (!this.workerGone) return undefined;
        this.dead = "enclave worker exited";
        throw new EnclaveUnavailableError(this.dead);
      }
      this.depth++;
      let result: WireResult | undefined;
      try {
        result = this.step(frame, NO_OCALLS);
      } finally {
        this.depth--;
      }
      if (result !== undefined) {
        this.asyncInFlight = false;
        return result;
      }
    }
  }

  /**
   * Sends an ECALL nobody waits for (prepareCall: work the enclave does while this thread does its own): returns
   * at once; the answer is read and dropped before the next ECALL on this isolate. It may make no OCALL (one
   * would be refused). Returns false, sending nothing, inside an ECALL, while an async or an earlier `ahead`
   * call is still running, or when the isolate is dead: it is only ever an optimization.
   */
  ahead(id: number, payload: Uint8Array): boolean {
    abytes(payload, undefined, "ecall payload");
    if (this.dead !== undefined || this.depth > 0 || this.asyncInFlight) return false;
    if (this.aheadInFlight) {
      const frame = this.mailbox.tryReceive();
      if (frame === undefined) return false;
      this.aheadInFlight = false;
      this.noteAhead(this.stepAhead(frame));
    }
    this.mailbox.send(FRAME.ecallRequest, encodeEcallRequest({ id, gasLimit: 0n, payload }));
    this.aheadInFlight = true;
    this.aheadStats.sent++;
    return true;
  }

  /** Reads the answer of the `ahead` call in flight, if any (waiting for it if the enclave is still on it). */
  private settleAhead(): void {
    if (!this.aheadInFlight) return;
    this.aheadInFlight = false;
    const frame = this.mailbox.tryReceive();
    if (frame !== undefined) {
      this.noteAhead(this.stepAhead(frame));
      return;
    }
    this.aheadStats.waited++;
    this.depth++;
    try {
      this.noteAhead(this.awaitResponse(NO_OCALLS));
    } finally {
      this.depth--;
    }
  }

  private stepAhead(frame: { kind: number; body: Uint8Array }): WireResult {
    this.depth++;
    try {
      const r = this.step(frame, NO_OCALLS);
      return r ?? this.awaitResponse(NO_OCALLS);
    } finally {
      this.depth--;
    }
  }

  private noteAhead(r: WireResult): void {
    if ("error" in r) this.aheadStats.refused++;
    else if (r.ok.length === 8) {
      const v = new DataView(r.ok.buffer, r.ok.byteOffset, 8);
      this.aheadStats.taken = v.getUint32(0, false);
      this.aheadStats.dropped = v.getUint32(4, false);
    }
  }

  private assertAlive(): void {
    if (this.dead !== undefined) throw new EnclaveUnavailableError(this.dead);
  }

  private dieOn(frame: { kind: number; body: Uint8Array }): never {
    this.dead =
      frame.kind === FRAME.fatal
        ? `enclave stopped: ${decodeFatal(frame.body).message}`
        : `enclave sent unexpected frame kind ${frame.kind}`;
    throw new EnclaveUnavailableError(this.dead);
  }

  private awaitResponse(ocalls: OcallHandler): WireResult {
    for (;;) {
      const result = this.step(this.receiveOrDie(), ocalls);
      if (result !== undefined) return result;
    }
  }

  /** The enclave's next frame (blocking up to the ECALL timeout); no frame in time declares the isolate dead. */
  private receiveOrDie(): ReturnType<Mailbox["receive"]> {
    try {
      return this.mailbox.receive(this.timeoutMs);
    } catch (e) {
      this.dead = `enclave did not answer: ${(e as Error).message}`;
      throw new EnclaveUnavailableError(this.dead);
    }
  }

  /**
   * awaitResponse with door jobs: while no frame has arrived, run the next job and look again (never blocking);
   * once the source is out of jobs (or one threw), wait as usual. Each OCALL is served as it arrives, between
   * two jobs, and the jobs go on after its answer.
   */
  private awaitWithJobs(ocalls: OcallHandler, jobs: DoorJobs): WireResult {
    let more = true;
    for (;;) {
      let frame = this.mailbox.tryReceive();
      while (frame === undefined && more) {
        more = this.runJob(jobs);
        frame = this.mailbox.tryReceive();
      }
      const result = this.step(frame ?? this.receiveOrDie(), ocalls);
      if (result !== undefined) return result;
    }
  }

  /** One door job; false when the source had none or the job threw (no more jobs for this ECALL). */
  private runJob(jobs: DoorJobs): boolean {
    this.inJob = true;
    try {
      const ran = jobs();
      if (ran) this.jobStats.run++;
      return ran;
    } catch {
      this.jobStats.failed++;
      return false;
    } finally {
      this.inJob = false;
    }
  }

  /**
   * One frame from the enclave during an ECALL: its response (returned), or an OCALL (answered and sent back;
   * undefined), or anything else (the isolate is declared dead).
   */
  private step(frame: { kind: number; body: Uint8Array }, ocalls: OcallHandler): WireResult | undefined {
    if (frame.kind === FRAME.ecallResponse) return this.decodeOrDie(frame.body);
    if (frame.kind === FRAME.ecallResponseWithWrites) return this.applyWritesOrDie(frame.body, ocalls);
    if (frame.kind !== FRAME.ocallRequest) return this.dieOn(frame);
    const answer = encodeOcallAnswer(this.serveOcall(ocalls, frame.body));
    // A nested ECALL inside the handler may have found the enclave dead: stop here, the channel is gone.
    this.assertAlive();
    this.mailbox.send(FRAME.ocallResponse, answer);
    return undefined;
  }

  private serveOcall(ocalls: OcallHandler, body: Uint8Array): WireResult {
    let req;
    try {
      req = decodeOcallRequest(body);
    } catch {
      const entry = ENCLAVE_ERROR_CODES.InvalidInput;
      return { error: { code: entry.num, message: entry.message }, gasUsed: 0n };
    }
    return answerOcall(ocalls, req);
  }

  /** An ECALL response carrying the call's final writes: applied through the handler, then the result. */
  private applyWritesOrDie(body: Uint8Array, ocalls: OcallHandler): WireResult {
    let decoded;
    try {
      decoded = decodeEcallResponseWithWrites(body);
    } catch {
      this.dead = "enclave sent a malformed ECALL response";
      throw new EnclaveUnavailableError(this.dead);
    }
    return applyDeferredWrites(ocalls, decoded.ops, decoded.result);
  }

  private decodeOrDie(body: Uint8Array): WireResult {
    try {
      return decodeResult(body);
    } catch {
      this.dead = "enclave sent a malformed ECALL response";
      throw new EnclaveUnavailableError(this.dead);
    }
  }

  /** Asks the worker to exit and waits for it (terminating it if it does not go within a second). */
  async stop(): Promise<void> {
    if (this.busy) throw new EnclaveUnavailableError("cannot stop the enclave inside an ECALL");
    if (this.dead === undefined) {
      try {
        this.settleAhead();
      } catch {
        // Found dead while reading the last prepare's answer: nothing left to shut down but the worker.
      }
    }
    if (this.dead === undefined) {
      this.dead = "enclave stopped";
      this.mailbox.send(FRAME.shutdown, new Uint8Array(0));
    }
    const timer = setTimeout(() => void this.terminate(), 1000);
    await this.exited;
    clearTimeout(timer);
  }

  /**
   * Ends the worker now, whatever it is doing (a stuck isolate; tests), once it is out of native code. The
   * isolate is dead afterwards.
   */
  async terminate(): Promise<void> {
    this.dead ??= "enclave terminated";
    if (!this.workerGone) await terminateGuarded(this.worker, this.guard);
    await this.exited;
  }
}

/** A door idle task: speed-only host work, so a failure in it is dropped, never the ECALL's. */
function runIdle(idle: () => void): void {
  try {
    idle();
  } catch {
    // The task's own concern (CallOptions.idle).
  }
}

/** The worker could not open its state; carries the enclave's code and safe message. */
export class EnclaveStartError extends Error {
  override readonly name = "EnclaveStartError";
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Waits for the worker's ready message; an error event or an exit before it rejects (never a hang). */
function waitReady(worker: Worker): Promise<WireResult> {
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
      reject(new EnclaveStartError(ENCLAVE_ERROR_CODES.InternalError.num, why));
    };
    const onError = (e: Error): void => {
      fail(`enclave worker failed: ${e.message}`);
    };
    const onExit = (code: number): void => {
      fail(`enclave worker exited (${code}) before it was ready`);
    };
    const onMessage = (m: unknown): void => {
      worker.off("error", onError);
      worker.off("exit", onExit);
      try {
        if (!(m instanceof Uint8Array)) throw new Error("bad ready message");
        resolve(decodeResult(m));
      } catch {
        reject(new EnclaveStartError(ENCLAVE_ERROR_CODES.InternalError.num, "bad ready message"));
      }
    };
    worker.once("error", onError);
    worker.once("exit", onExit);
    worker.once("message", onMessage);
  });
}
