// The enclave isolate's entry point: runs in its own worker thread, opens its sealed state, then serves ECALL
// frames from the shared mailbox until shutdown. Nothing but bytes and numbers reaches it after start.
import { isMainThread, parentPort, workerData, type MessagePort } from "node:worker_threads";
import { abytes } from "../util/bytes.js";
import { DEBUG_ECALL, ECALL, type EcallName } from "./api.js";
import { decodeWorkerConfig } from "./channel/config.js";
import { debugEcalls } from "./channel/debugEcalls.js";
import {
  decodeEcallRequest,
  decodeEcallRequestThen,
  encodeEcallResponseWithWrites,
  encodeFatal,
  encodeResult,
  FRAME,
  type BatchOp,
  type WireError,
  type WireResult,
} from "./channel/frames.js";
import { Mailbox, SIDE_ENCLAVE, SPIN_POLLS } from "./channel/mailbox.js";
import { ENCLAVE_ERROR_CODES, EnclaveError } from "./errors.js";
import {
  MAX_ECALL_NESTING,
  mergeEcallTables,
  toWireError,
  type EcallContext,
  type EcallHandler,
  type EcallTable,
  type EnclaveRuntime,
} from "./ecalls/index.js";
import { blockRandomEcalls } from "./ecalls/blockRandom.js";
import { openEnclaveState, registrationEcalls } from "./ecalls/registration.js";
import { contractEcalls } from "./ecalls/contract.js";
import { preparedCalls } from "./ecalls/prepare.js";
import { createOcalls, type Ocalls } from "./ocalls.js";
import { installNativeGuard } from "./crypto/nativeSecp256k1.js";

/** The production handler tables; each ecalls/*.ts file adds one line here. */
const ECALL_TABLES: readonly EcallTable[] = [registrationEcalls, blockRandomEcalls, contractEcalls];

const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** ECALLs that may change the keychain: prepared calls (checked under the old keys) are dropped first. */
const KEYCHAIN_ECALL_IDS: ReadonlySet<number> = new Set<number>([
  ECALL.initBootstrap,
  ECALL.generateRegistrationKey,
  ECALL.initNode,
  ECALL.rotationGenerate,
  ECALL.rotationImport,
  ECALL.rotationApply,
]);

function idOf(name: EcallName): number {
  return name in ECALL ? ECALL[name as keyof typeof ECALL] : DEBUG_ECALL[name as keyof typeof DEBUG_ECALL];
}

function error(code: keyof typeof ENCLAVE_ERROR_CODES, gasUsed = 0n): WireResult {
  return { error: toWireError(new EnclaveError(code)), gasUsed };
}

/** The final writes one ECALL handed to its response (EcallContext.deferWrites). */
interface Deferred {
  ops: readonly BatchOp[] | undefined;
}

/** Serves ECALLs from the mailbox, including ECALLs nested inside this side's own OCALL waits. */
class EnclaveServer {
  private depth = 0;
  private readonly ocalls: Ocalls;
  /** The OCALLs of an ECALL run after its response was sent (FRAME.ecallRequestThen): the turn is the host's. */
  private readonly noOcalls: Ocalls;

  constructor(
    private readonly mailbox: Mailbox,
    private readonly handlers: ReadonlyMap<number, EcallHandler>,
    private readonly runtime: EnclaveRuntime,
  ) {
    this.ocalls = createOcalls((body) => this.ocallRoundTrip(body));
    this.noOcalls = createOcalls(() => {
      throw new EnclaveError("InternalError", "no OCALL after the answer");
    });
  }

  /** The idle loop: returns on shutdown or after reporting a protocol violation. */
  serve(): void {
    for (;;) {
      const frame = this.mailbox.receive();
      if (frame.kind === FRAME.shutdown) return;
      if (frame.kind === FRAME.ecallRequestThen) {
        this.answerThen(frame.body);
        continue;
      }
      if (frame.kind !== FRAME.ecallRequest) {
        const entry = ENCLAVE_ERROR_CODES.HostMisbehavior;
        this.mailbox.send(
          FRAME.fatal,
          encodeFatal({ code: entry.num, message: "unexpected frame while idle" }),
        );
        return;
      }
      this.answerEcall(frame.body);
    }
  }

  /** Reports an unrecoverable error to the host (which then treats the enclave as dead). */
  fatal(err: WireError): void {
    this.mailbox.send(FRAME.fatal, encodeFatal(err));
  }

  /**
   * FRAME.ecallRequestThen: answers the first ECALL as usual, then runs the second (a prepareCall; anything else
   * is ignored) with no way to reach the host (no OCALL, no deferred writes) and drops its answer. A body that
   * does not split is answered as a malformed ECALL request.
   */
  private answerThen(body: Uint8Array): void {
    let parts;
    try {
      parts = decodeEcallRequestThen(body);
    } catch (e) {
      this.mailbox.send(FRAME.ecallResponse, encodeResult({ error: toWireError(e), gasUsed: 0n }));
      return;
    }
    this.answerEcall(parts.first);
    // Only work meant for this slot may ride along: a prepareCall (its outcome waits inside the enclave).
    const id = parts.then.length >= 2 ? (parts.then[0]! << 8) | parts.then[1]! : -1;
    if (id === ECALL.prepareCall) this.runEcall(parts.then, { ops: undefined }, this.noOcalls, false);
  }

  private answerEcall(body: Uint8Array): void {
    const deferred: Deferred = { ops: undefined };
    const result = this.runEcall(body, deferred);
    if (deferred.ops === undefined) this.mailbox.send(FRAME.ecallResponse, encodeResult(result));
    else
      this.mailbox.send(FRAME.ecallResponseWithWrites, encodeEcallResponseWithWrites(deferred.ops, result));
  }

  private runEcall(body: Uint8Array, deferred: Deferred, ocalls = this.ocalls, canDefer = true): WireResult {
    let req;
    try {
      req = decodeEcallRequest(body);
    } catch (e) {
      return { error: toWireError(e), gasUsed: 0n };
    }
    const handler = this.handlers.get(req.id);
    if (handler === undefined) return error("NotImplemented");
    if (this.depth >= MAX_ECALL_NESTING) return error("ExceededRecursionLimit");
    if (KEYCHAIN_ECALL_IDS.has(req.id)) preparedCalls(this.runtime).clear();
    let gasUsed = 0n;
    const ctx: EcallContext = {
      depth: this.depth + 1,
      gasLimit: req.gasLimit,
      ocalls,
      runtime: this.runtime,
      setGasUsed(g: bigint) {
        // A bad gas figure is the handler's bug; refuse it rather than corrupt the response frame.
        if (typeof g !== "bigint" || g < 0n || g > U64_MAX) throw new EnclaveError("InternalError");
        gasUsed = g;
      },
      deferWrites(ops: readonly BatchOp[]) {
        if (deferred.ops !== undefined || !canDefer) throw new EnclaveError("InternalError");
        deferred.ops = ops;
      },
    };
    this.depth++;
    try {
      const ok = abytes(handler(req.payload, ctx), undefined, "ecall output");
      return { ok, gasUsed };
    } catch (e) {
      return { error: toWireError(e), gasUsed };
    } finally {
      this.depth--;
    }
  }

  /** Sends an OCALL and waits for its answer; ECALLs the host issues meanwhile are served on this stack. */
  private ocallRoundTrip(requestBody: Uint8Array): Uint8Array {
    this.mailbox.send(FRAME.ocallRequest, requestBody);
    for (;;) {
      const frame = this.mailbox.receive();
      if (frame.kind === FRAME.ocallResponse) return frame.body;
      if (frame.kind === FRAME.ecallRequestThen) this.answerThen(frame.body);
      else if (frame.kind === FRAME.ecallRequest) this.answerEcall(frame.body);
      else throw new EnclaveError("HostMisbehavior", "unexpected frame");
    }
  }
}

interface WorkerData {
  readonly mailbox: SharedArrayBuffer;
  readonly port: MessagePort;
  readonly config: Uint8Array;
  /** The host's native-call guard for this isolate (crypto/nativeGuard.ts); without it, no native code runs. */
  readonly nativeGuard?: unknown;
}

function readWorkerData(data: unknown): WorkerData {
  const d = data as Partial<WorkerData> | null;
  if (
    !(d?.mailbox instanceof SharedArrayBuffer) ||
    d.port === undefined ||
    !(d.config instanceof Uint8Array)
  ) {
    throw new EnclaveError("InvalidInput", "worker data");
  }
  return d as WorkerData;
}

function buildHandlers(debug: boolean): Map<number, EcallHandler> {
  const merged = mergeEcallTables(debug ? [...ECALL_TABLES, debugEcalls] : ECALL_TABLES);
  const byId = new Map<number, EcallHandler>();
  for (const [name, handler] of merged) byId.set(idOf(name), handler);
  return byId;
}

function main(port: MessagePort): void {
  let server: EnclaveServer;
  let mailboxPort: MessagePort | undefined;
  try {
    const data = readWorkerData(workerData);
    mailboxPort = data.port;
    installNativeGuard(data.nativeGuard);
    const config = decodeWorkerConfig(data.config);
    const runtime: EnclaveRuntime = { ...config, queryLane: config.asyncHost === true, slots: new Map() };
    openEnclaveState(runtime);
    const mailbox = new Mailbox(data.mailbox, data.port, SIDE_ENCLAVE, config.asyncHost ? 0 : SPIN_POLLS);
    server = new EnclaveServer(mailbox, buildHandlers(config.debug), runtime);
  } catch (e) {
    port.postMessage(encodeResult({ error: toWireError(e), gasUsed: 0n }));
    return;
  }
  port.postMessage(encodeResult({ ok: new Uint8Array(0), gasUsed: 0n }));
  try {
    server.serve();
  } catch (e) {
    // Only a bug in the transport itself gets here; tell the waiting host instead of leaving it hanging.
    server.fatal(toWireError(e));
  }
  mailboxPort.close();
  port.close();
}

if (!isMainThread && parentPort !== null) main(parentPort);
