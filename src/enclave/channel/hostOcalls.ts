// The host's answers to the enclave's OCALLs (the handler interface the chain implements, one per ECALL) and
// to an ECALL response that carries the call's final writes: decoded requests in, coded results out. Every
// failure of a handler becomes a coded result with its gas, so the channel never desynchronises.
import {
  encodeReadDbFirstOutput,
  encodeReadDbOutput,
  encodeResult,
  encodePeekedOutput,
  encodeSyncedOutput,
  MAX_PREFETCH_ENTRIES,
  OCALL,
  READ_FIRST,
  type BatchOp,
  type OcallRequest,
  type PeekAnswer,
  type PlainOcallRequest,
  type WireResult,
} from "./frames.js";
import { ENCLAVE_ERROR_CODES } from "../errors.js";

/** The host's answers to the enclave's OCALLs for one ECALL (the chain binds them to one contract store). */
export interface OcallHandler {
  readDb(key: Uint8Array): { value: Uint8Array | undefined; gasUsed: bigint };
  writeDb(key: Uint8Array, value: Uint8Array): { gasUsed: bigint };
  removeDb(key: Uint8Array): { gasUsed: bigint };
  queryChain(request: Uint8Array, gasLimit: bigint, depth: number): { result: Uint8Array; gasUsed: bigint };
  /**
   * Prefetch (only for a handler that sent one with the ECALL; see src/enclave/README.md §5): charges the read
   * of prefetch entry `index` exactly as `readDb` of that key would have been charged when the enclave read it.
   * The enclave only consumes an entry whose charge fits the remaining gas, so this never runs out for an honest
   * host; if it throws, the OCALL (or the ECALL response) fails as a failing read would.
   */
  chargePrefetched?(index: number): void;
  /** The host's remaining SDK gas now (undefined: no limit); sent back with every `charged` OCALL answer. */
  remainingGas?(): bigint | undefined;
  /**
   * Peek (a `chargedPeek` OCALL: a read the enclave predicts): adds `key` to this ECALL's prefetch set with its
   * current value and exact read charge, charging nothing now, and returns its index for `chargePrefetched`;
   * undefined when the host does not offer it (then the enclave reads it by OCALL if it needs it).
   */
  peekRead?(key: Uint8Array): PeekAnswer | undefined;
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

const U64_MAX = 0xffff_ffff_ffff_ffffn;
/** The empty output of write/remove/applyBatch answers: one shared array (encodeResult only reads it). */
const NO_OUTPUT = new Uint8Array(0);

function noOcallHandler(): never {
  throw new OcallFailure("no OCALL handler bound to this ECALL", 0n);
}

/** The handler of an ECALL bound to none: every OCALL fails (with no gas). */
export const NO_OCALLS: OcallHandler = {
  readDb: noOcallHandler,
  writeDb: noOcallHandler,
  removeDb: noOcallHandler,
  queryChain: noOcallHandler,
};

/** Runs one decoded OCALL against the handler; every failure becomes a coded result with its gas. */
export function answerOcall(handler: OcallHandler, req: OcallRequest): WireResult {
  if (req.kind !== OCALL.charged && req.kind !== OCALL.chargedPeek) return answerPlain(handler, req);
  try {
    for (const i of req.charges) chargeOne(handler, i);
  } catch (e) {
    return misbehavior(e instanceof OcallFailure ? e.gasUsed : 0n);
  }
  const res = answerPlain(handler, req.inner);
  if (!("ok" in res)) return res;
  try {
    // Peeks after the inner OCALL (a read: it changes nothing they see) and before the gas sync (they charge
    // nothing, so the remaining gas is the same either way).
    const peeks = req.kind === OCALL.chargedPeek ? req.peek.map((k) => peekOne(handler, k)) : undefined;
    const remaining = handler.remainingGas?.();
    if (remaining !== undefined && typeof remaining !== "bigint") throw new TypeError("remaining gas");
    const ok =
      peeks === undefined
        ? encodeSyncedOutput(remaining, res.ok)
        : encodePeekedOutput(remaining, peeks, res.ok);
    return { ok, gasUsed: res.gasUsed };
  } catch {
    return misbehavior(res.gasUsed);
  }
}

/**
 * One peek through the handler. A peek must never change a result, so a handler that throws or answers
 * nonsense simply offers nothing (the enclave then reads the key by OCALL if the contract asks for it).
 */
function peekOne(handler: OcallHandler, key: Uint8Array): PeekAnswer | undefined {
  let p;
  try {
    p = handler.peekRead?.(key);
  } catch {
    return undefined;
  }
  if (p === undefined) return undefined;
  const { index, charge, value } = p;
  if (!Number.isInteger(index) || index < 0 || index >= MAX_PREFETCH_ENTRIES) return undefined;
  if (typeof charge !== "bigint" || charge < 0n || charge > U64_MAX) return undefined;
  if (value !== undefined && !(value instanceof Uint8Array)) return undefined;
  return { index, charge, value };
}

function misbehavior(gasUsed: bigint): WireResult {
  const entry = ENCLAVE_ERROR_CODES.HostMisbehavior;
  return { error: { code: entry.num, message: entry.message }, gasUsed };
}

function chargeOne(handler: OcallHandler, index: number): void {
  if (handler.chargePrefetched === undefined) throw new OcallFailure("no prefetch bound to this ECALL", 0n);
  handler.chargePrefetched(index);
}

function answerPlain(handler: OcallHandler, req: PlainOcallRequest): WireResult {
  try {
    switch (req.kind) {
      case OCALL.readDb: {
        const { value, gasUsed } = readChecked(handler, req.key);
        return { ok: encodeReadDbOutput(value), gasUsed };
      }
      case OCALL.writeDb:
        return { ok: NO_OUTPUT, gasUsed: handler.writeDb(req.key, req.value).gasUsed };
      case OCALL.removeDb:
        return { ok: NO_OUTPUT, gasUsed: handler.removeDb(req.key).gasUsed };
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
    return misbehavior(e instanceof OcallFailure ? e.gasUsed : 0n);
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
 * A prefetched-read op (on an ECALL response: reads answered from the prefetch set since the last OCALL) is
 * charged through `chargePrefetched`, in its place in the order.
 */
function answerBatch(handler: OcallHandler, ops: readonly BatchOp[]): WireResult {
  let gas = 0n;
  for (const op of ops) {
    try {
      if ("prefetched" in op) chargeOne(handler, op.prefetched);
      else
        gas += (op.value === undefined ? handler.removeDb(op.key) : handler.writeDb(op.key, op.value))
          .gasUsed;
    } catch (e) {
      throw new OcallFailure("batch op failed", gas + (e instanceof OcallFailure ? e.gasUsed : 0n));
    }
  }
  return { ok: NO_OUTPUT, gasUsed: gas };
}

/**
 * Encodes the handler's answer. A handler that returned nonsense (a negative or > u64 gas, a non-byte value)
 * must not desynchronise the channel while the enclave waits, so it becomes a coded error instead.
 */
export function encodeOcallAnswer(res: WireResult): Uint8Array {
  try {
    if ("ok" in res && !(res.ok instanceof Uint8Array)) throw new TypeError("OCALL output is not bytes");
    if (typeof res.gasUsed !== "bigint") throw new TypeError("OCALL gas is not a bigint");
    return encodeResult(res);
  } catch {
    const entry = ENCLAVE_ERROR_CODES.HostMisbehavior;
    return encodeResult({ error: { code: entry.num, message: entry.message }, gasUsed: 0n });
  }
}

/**
 * An ECALL's result plus the writes its final flush deferred to the response (FRAME.ecallResponseWithWrites).
 * The ops go through the handler exactly as the applyBatch OCALL at the end of the call would have run them,
 * and the answer is what the enclave would have answered after that OCALL: when an op fails (or the handler
 * reports nonsense gas), the enclave's answer to a failed flush (HostMisbehavior, gas 0: runContract reports a
 * non-contract failure with no gas); otherwise the result with the batch's gas added (InternalError, gas 0,
 * if the sum leaves u64: the enclave's setGasUsed refusal). An error result is returned as it came.
 */
export function applyDeferredWrites(
  handler: OcallHandler,
  ops: readonly BatchOp[],
  result: WireResult,
): WireResult {
  const batch = answerOcall(handler, { kind: OCALL.applyBatch, ops });
  if (
    "error" in batch ||
    typeof batch.gasUsed !== "bigint" ||
    batch.gasUsed < 0n ||
    batch.gasUsed > U64_MAX
  ) {
    const entry = ENCLAVE_ERROR_CODES.HostMisbehavior;
    return { error: { code: entry.num, message: entry.message }, gasUsed: 0n };
  }
  if (!("ok" in result)) return result;
  const gasUsed = result.gasUsed + batch.gasUsed;
  if (gasUsed > U64_MAX) {
    const entry = ENCLAVE_ERROR_CODES.InternalError;
    return { error: { code: entry.num, message: entry.message }, gasUsed: 0n };
  }
  return { ok: result.ok, gasUsed };
}
