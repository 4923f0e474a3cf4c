// What the enclave may ask of its host, synchronously, in the middle of an ECALL (after Secret's
// ocall_read_db / ocall_write_db / ocall_remove_db / ocall_query_chain). Every OCALL reports the gas the host
// charged, on success and on failure, so gas is never dropped on an error path (DESIGN.md rule 2).
import { EnclaveError } from "./errors.js";
import {
  decodeReadDbFirstOutput,
  decodePeekedOutput,
  decodeReadDbOutput,
  decodeResult,
  decodeSyncedOutput,
  encodeOcallRequest,
  OCALL,
  type BatchOp,
  type PeekAnswer,
  type PlainOcallRequest,
  type ReadFirstHit,
} from "./channel/frames.js";
import type { PrefetchLedger } from "./prefetch.js";

/** The four OCALLs, bound to one ECALL invocation (the host binds them to the right contract store). */
export interface Ocalls {
  readDb(key: Uint8Array): { value: Uint8Array | undefined; gasUsed: bigint };
  writeDb(key: Uint8Array, value: Uint8Array): { gasUsed: bigint };
  removeDb(key: Uint8Array): { gasUsed: bigint };
  /** A query to the chain (or another contract: the host may re-enter the enclave to answer it). */
  queryChain(request: Uint8Array, gasLimit: bigint, depth: number): { result: Uint8Array; gasUsed: bigint };
  /** Writes and removes (value undefined) applied in order in one round trip; gas is their sum. */
  applyBatch(ops: readonly BatchOp[]): { gasUsed: bigint };
  /**
   * readDb(key), then readDb(fallbackKey) only if the first is missing, in one round trip: the same host reads
   * in the same order as two readDb OCALLs. Gas is the sum of the reads done; `hit` says which key answered.
   */
  readDbFirst(
    key: Uint8Array,
    fallbackKey: Uint8Array,
    peek?: readonly Uint8Array[],
  ): { hit: ReadFirstHit; value: Uint8Array | undefined; gasUsed: bigint };
  /**
   * The same OCALLs, each sent as a `charged` wrapper: first the ledger's prefetched reads for the host to
   * charge, then the OCALL; each answer resyncs the ledger's shadow of the host's gas (./prefetch.ts). With a
   * ledger, `readDbFirst`'s `peek` keys ride on the same round trip (`chargedPeek`): the host's offers for
   * them go into the ledger. Without one they are not sent.
   */
  withLedger?(ledger: PrefetchLedger): Ocalls;
}

/**
 * The host answered an OCALL with an error (no store bound, its handler threw, malformed request).
 * `hostCode` is the host's number; `gasUsed` is what the host charged before failing.
 */
export class OcallError extends EnclaveError {
  constructor(
    readonly hostCode: number,
    readonly gasUsed: bigint,
  ) {
    super("HostMisbehavior");
  }
}

/** Sends one encoded OCALL request and blocks until its result body comes back (serving nested ECALLs). */
export type OcallTransport = (requestBody: Uint8Array) => Uint8Array;

/** Builds the OCALL functions over a transport; each decodes the host's answer and throws OcallError on error. */
export function createOcalls(transport: OcallTransport, ledger?: PrefetchLedger): Ocalls {
  return new BoundOcalls(transport, ledger);
}

/** One plain OCALL: sends the request, decodes the result, throws OcallError on the host's error. */
function plainCall(
  transport: OcallTransport,
  req: PlainOcallRequest,
): { output: Uint8Array; gasUsed: bigint } {
  let res;
  try {
    res = decodeResult(transport(encodeOcallRequest(req)));
  } catch (e) {
    if (e instanceof EnclaveError) throw e;
    throw new EnclaveError("HostMisbehavior", "malformed OCALL answer");
  }
  if ("error" in res) throw new OcallError(res.error.code, res.gasUsed);
  return { output: res.ok, gasUsed: res.gasUsed };
}

/** The OCALLs of one ECALL (a class: one object per ECALL, no closures built per call). */
class BoundOcalls implements Ocalls {
  constructor(
    private readonly transport: OcallTransport,
    private readonly ledger: PrefetchLedger | undefined,
  ) {}

  /** Plain without a ledger; with one, wrapped with its charges (and `peek` keys: only then are they sent). */
  private call(
    req: PlainOcallRequest,
    peek?: readonly Uint8Array[],
  ): { output: Uint8Array; gasUsed: bigint } {
    return this.ledger === undefined
      ? plainCall(this.transport, req)
      : chargedCall(this.transport, this.ledger, req, peek);
  }

  readDb(key: Uint8Array): { value: Uint8Array | undefined; gasUsed: bigint } {
    const { output, gasUsed } = this.call({ kind: OCALL.readDb, key });
    let value: Uint8Array | undefined;
    try {
      value = decodeReadDbOutput(output);
    } catch {
      throw new EnclaveError("HostMisbehavior", "malformed readDb answer");
    }
    return { value, gasUsed };
  }

  writeDb(key: Uint8Array, value: Uint8Array): { gasUsed: bigint } {
    return { gasUsed: this.call({ kind: OCALL.writeDb, key, value }).gasUsed };
  }

  removeDb(key: Uint8Array): { gasUsed: bigint } {
    return { gasUsed: this.call({ kind: OCALL.removeDb, key }).gasUsed };
  }

  queryChain(request: Uint8Array, gasLimit: bigint, depth: number): { result: Uint8Array; gasUsed: bigint } {
    const { output, gasUsed } = this.call({ kind: OCALL.queryChain, request, gasLimit, depth });
    return { result: output, gasUsed };
  }

  applyBatch(ops: readonly BatchOp[]): { gasUsed: bigint } {
    return { gasUsed: this.call({ kind: OCALL.applyBatch, ops }).gasUsed };
  }

  readDbFirst(
    key: Uint8Array,
    fallbackKey: Uint8Array,
    peek?: readonly Uint8Array[],
  ): { hit: ReadFirstHit; value: Uint8Array | undefined; gasUsed: bigint } {
    const { output, gasUsed } = this.call({ kind: OCALL.readDbFirst, key, fallbackKey }, peek);
    let answer;
    try {
      answer = decodeReadDbFirstOutput(output);
    } catch {
      throw new EnclaveError("HostMisbehavior", "malformed readDbFirst answer");
    }
    // A literal of one shape, not a spread: this runs on every contract read that misses the prefetch set.
    return { hit: answer.hit, value: answer.value, gasUsed };
  }

  withLedger(l: PrefetchLedger): Ocalls {
    return new BoundOcalls(this.transport, l);
  }
}

/**
 * One OCALL wrapped with the ledger's pending charges (and `peek` keys, if any); the answer's gas sync and
 * the host's offers for the peeked keys go back into the ledger.
 */
function chargedCall(
  transport: OcallTransport,
  ledger: PrefetchLedger,
  inner: PlainOcallRequest,
  peek?: readonly Uint8Array[],
): { output: Uint8Array; gasUsed: bigint } {
  const peeking = peek !== undefined && peek.length > 0;
  let res;
  try {
    const charges = ledger.takeCharges();
    const body = encodeOcallRequest(
      peeking ? { kind: OCALL.chargedPeek, charges, peek, inner } : { kind: OCALL.charged, charges, inner },
    );
    res = decodeResult(transport(body));
  } catch (e) {
    ledger.stop();
    if (e instanceof EnclaveError) throw e;
    throw new EnclaveError("HostMisbehavior", "malformed OCALL answer");
  }
  if ("error" in res) {
    ledger.stop();
    throw new OcallError(res.error.code, res.gasUsed);
  }
  let synced: {
    remaining: bigint | undefined;
    peeks?: readonly (PeekAnswer | undefined)[];
    inner: Uint8Array;
  };
  try {
    synced = peeking ? decodePeeked(res.ok, peek.length) : decodeSyncedOutput(res.ok);
  } catch {
    ledger.stop();
    throw new EnclaveError("HostMisbehavior", "malformed OCALL answer");
  }
  ledger.sync(synced.remaining);
  if (peeking && synced.peeks !== undefined) {
    synced.peeks.forEach((p, i) => {
      if (p !== undefined) ledger.offer(peek[i]!, p.value, p.charge, p.index);
    });
  }
  return { output: synced.inner, gasUsed: res.gasUsed };
}

/** A chargedPeek answer, with exactly one peek answer per key sent. */
function decodePeeked(out: Uint8Array, sent: number): ReturnType<typeof decodePeekedOutput> {
  const d = decodePeekedOutput(out);
  if (d.peeks.length !== sent) throw new EnclaveError("HostMisbehavior", "malformed OCALL answer");
  return d;
}
