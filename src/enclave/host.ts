// The host side of the isolate boundary: spawns the enclave worker, makes synchronous ECALLs over the shared
// mailbox, and answers the enclave's OCALLs with a handler bound per ECALL (re-entrant: a handler may ECALL).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MessageChannel, Worker } from "node:worker_threads";
import { abytes } from "../util/bytes.js";
import { encodeWorkerConfig, type WorkerConfig } from "./channel/config.js";
import {
  decodeFatal,
  decodeOcallRequest,
  decodeResult,
  encodeEcallRequest,
  encodeReadDbFirstOutput,
  encodeReadDbOutput,
  encodeResult,
  FRAME,
  OCALL,
  READ_FIRST,
  type BatchOp,
  type OcallRequest,
  type WireResult,
} from "./channel/frames.js";
import { createMailboxBuffer, Mailbox, SIDE_HOST, type FrameTap } from "./channel/mailbox.js";
import { ENCLAVE_ERROR_CODES } from "./errors.js";
import { MAX_ECALL_NESTING } from "./ecalls/index.js";

/** The host's answers to the enclave's OCALLs for one ECALL (the chain binds them to one contract store). */
export interface OcallHandler {
  readDb(key: Uint8Array): { value: Uint8Array | undefined; gasUsed: bigint };
  writeDb(key: Uint8Array, value: Uint8Array): { gasUsed: bigint };
  removeDb(key: Uint8Array): { gasUsed: bigint };
  queryChain(request: Uint8Array, gasLimit: bigint, depth: number): { result: Uint8Array; gasUsed: bigint };
}

/** Throw from an OcallHandler to fail an OCALL while still reporting the gas it cost. */
export class OcallFailure extends Error {
  override readonly name = "OcallFailure";
  constructor(
    message: string,
    readonly gasUsed: bigint,
  ) {
    super(message);
  }
}

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
}

export interface CallOptions {
  readonly gasLimit?: bigint;
  readonly ocalls?: OcallHandler;
}

const DEFAULT_ECALL_TIMEOUT_MS = 10 * 60 * 1000;

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

function noOcallHandler(): never {
  throw new OcallFailure("no OCALL handler bound to this ECALL", 0n);
}

const NO_OCALLS: OcallHandler = {
  readDb: noOcallHandler,
  writeDb: noOcallHandler,
  removeDb: noOcallHandler,
  queryChain: noOcallHandler,
};

/** Runs one decoded OCALL against the handler; every failure becomes a coded result with its gas. */
function answerOcall(handler: OcallHandler, req: OcallRequest): WireResult {
  try {
    switch (req.kind) {
      case OCALL.readDb: {
        const { value, gasUsed } = readChecked(handler, req.key);
        return { ok: encodeReadDbOutput(value), gasUsed };
      }
      case OCALL.writeDb:
        return { ok: new Uint8Array(0), gasUsed: handler.writeDb(req.key, req.value).gasUsed };
      case OCALL.removeDb:
        return { ok: new Uint8Array(0), gasUsed: handler.removeDb(req.key).gasUsed };
      case OCALL.queryChain: {
        const { result, gasUsed } = handler.queryChain(req.request, req.gasLimit, req.depth);
        return { ok: result, gasUsed };
      }
      case OCALL.applyBatch:
        return answerBatch(handler, req.ops);
      case OCALL.readDbFirst:
        return answerReadFirst(handler, req.key, req.fallbackKey);
    }
  } catch (e) {
    const gasUsed = e instanceof OcallFailure ? e.gasUsed : 0n;
    const entry = ENCLAVE_ERROR_CODES.HostMisbehavior;
    return { error: { code: entry.num, message: entry.message }, gasUsed };
  }
}

/** One readDb through the handler, its answer checked (a non-byte value is the handler's bug). */
function readChecked(
  handler: OcallHandler,
  key: Uint8Array,
): { value: Uint8Array | undefined; gasUsed: bigint } {
  const r = handler.readDb(key);
  if (r.value !== undefined && !(r.value instanceof Uint8Array))
    throw new TypeError("readDb value is not bytes");
  return r;
}

/**
 * readDbFirst: the handler's own readDb on `key`, then on `fallbackKey` only if `key` is missing — the reads
 * two readDb OCALLs would make, in the same order. A failing read fails the OCALL with that read's gas, as a
 * failing readDb would; the enclave drops a failed read's gas either way.
 */
function answerReadFirst(handler: OcallHandler, key: Uint8Array, fallbackKey: Uint8Array): WireResult {
  const first = readChecked(handler, key);
  if (first.value !== undefined) {
    return { ok: encodeReadDbFirstOutput(READ_FIRST.key, first.value), gasUsed: first.gasUsed };
  }
  const second = readChecked(handler, fallbackKey);
  const hit = second.value === undefined ? READ_FIRST.none : READ_FIRST.fallbackKey;
  return { ok: encodeReadDbFirstOutput(hit, second.value), gasUsed: first.gasUsed + second.gasUsed };
}

/**
 * applyBatch: the ops through the handler's own writeDb/removeDb, in order, exactly as separate OCALLs would
 * run them; the first failure stops the batch and reports the gas of every op so far, the failed one included.
 */
function answerBatch(handler: OcallHandler, ops: readonly BatchOp[]): WireResult {
  let gas = 0n;
  for (const op of ops) {
    try {
      gas += (op.value === undefined ? handler.removeDb(op.key) : handler.writeDb(op.key, op.value)).gasUsed;
    } catch (e) {
      throw new OcallFailure("batch op failed", gas + (e instanceof OcallFailure ? e.gasUsed : 0n));
    }
  }
  return { ok: new Uint8Array(0), gasUsed: gas };
}

/**
 * Encodes the handler's answer. A handler that returned nonsense (a negative or > u64 gas, a non-byte value)
 * must not desynchronise the channel while the enclave waits, so it becomes a coded error instead.
 */
function encodeOcallAnswer(res: WireResult): Uint8Array {
  try {
    if ("ok" in res && !(res.ok instanceof Uint8Array)) throw new TypeError("OCALL output is not bytes");
    if (typeof res.gasUsed !== "bigint") throw new TypeError("OCALL gas is not a bigint");
    return encodeResult(res);
  } catch {
    const entry = ENCLAVE_ERROR_CODES.HostMisbehavior;
    return encodeResult({ error: { code: entry.num, message: entry.message }, gasUsed: 0n });
  }
}

/** A running enclave worker and the synchronous channel to it. */
export class EnclaveIsolate {
  private depth = 0;
  /** An async ECALL is in flight: the turn may be the enclave's, so no other ECALL may start meanwhile. */
  private asyncInFlight = false;
  private dead: string | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly mailbox: Mailbox,
    private readonly timeoutMs: number,
  ) {
    this.exited = new Promise((resolve) =>
      worker.once("exit", () => {
        // An async ECALL waiting on the mailbox would never be woken by a dead worker: end its wait.
        if (this.asyncInFlight) this.mailbox.interrupt("enclave worker exited");
        resolve();
      }),
    );
  }

  /** Spawns the worker and waits until it has opened its sealed state. Rejects with the enclave's coded error. */
  static async start(opts: IsolateOptions): Promise<EnclaveIsolate> {
    const shared = createMailboxBuffer(opts.inlineCapacity);
    const { port1, port2 } = new MessageChannel();
    const config = encodeWorkerConfig({
      dataDir: opts.dataDir,
      platformSecretPath: opts.platformSecretPath,
      debug: opts.debug ?? false,
      asyncHost: opts.asyncHost ?? false,
    });
    const entry = resolveWorkerEntry();
    const worker = new Worker(entry.entry, {
      eval: entry.eval,
      workerData: { mailbox: shared, port: port2, config },
      transferList: [port2],
    });
    const mailbox = new Mailbox(shared, port1, SIDE_HOST);
    mailbox.tap = opts.tap;
    const ready = await waitReady(worker);
    if ("error" in ready) {
      await worker.terminate();
      port1.close();
      throw new EnclaveStartError(ready.error.code, ready.error.message);
    }
    // The worker is parked in Atomics.wait; it must not keep the process alive on its own.
    worker.unref();
    return new EnclaveIsolate(worker, mailbox, opts.ecallTimeoutMs ?? DEFAULT_ECALL_TIMEOUT_MS);
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
    return this.callRaw(encodeEcallRequest({ id, gasLimit: opts.gasLimit ?? 0n, payload }), opts.ocalls);
  }

  /** Sends an already-encoded ECALL request body as is (fuzzing the enclave's own frame decoder). */
  callRaw(requestBody: Uint8Array, ocalls: OcallHandler = NO_OCALLS): WireResult {
    if (this.dead !== undefined) throw new EnclaveUnavailableError(this.dead);
    // Between the frames of an async ECALL the turn may be the enclave's; only its OCALL handlers may nest.
    if (this.asyncInFlight && this.depth === 0) throw new EnclaveBusyError();
    if (this.depth >= MAX_ECALL_NESTING) {
      const entry = ENCLAVE_ERROR_CODES.ExceededRecursionLimit;
      return { error: { code: entry.num, message: entry.message }, gasUsed: 0n };
    }
    this.depth++;
    try {
      this.mailbox.send(FRAME.ecallRequest, requestBody);
      return this.awaitResponse(ocalls);
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
      let frame;
      try {
        frame = this.mailbox.receive(this.timeoutMs);
      } catch (e) {
        this.dead = `enclave did not answer: ${(e as Error).message}`;
        throw new EnclaveUnavailableError(this.dead);
      }
      const result = this.step(frame, ocalls);
      if (result !== undefined) return result;
    }
  }

  /**
   * One frame from the enclave during an ECALL: its response (returned), or an OCALL (answered and sent back;
   * undefined), or anything else (the isolate is declared dead).
   */
  private step(frame: { kind: number; body: Uint8Array }, ocalls: OcallHandler): WireResult | undefined {
    if (frame.kind === FRAME.ecallResponse) return this.decodeOrDie(frame.body);
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
      this.dead = "enclave stopped";
      this.mailbox.send(FRAME.shutdown, new Uint8Array(0));
    }
    const timer = setTimeout(() => void this.worker.terminate(), 1000);
    await this.exited;
    clearTimeout(timer);
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
