// The generic ECALL mechanism inside the enclave: handler tables, the per-call context, and the mapping of any
// thrown value to a coded error with a SAFE message (DESIGN.md rule 8). Each src/enclave/ecalls/*.ts file
// exports one table; worker.ts merges them.
import { InvalidInputError } from "../../util/bytes.js";
import type { EcallName } from "../api.js";
import { AesSivAuthError } from "../crypto/aesSiv.js";
import { ENCLAVE_ERROR_CODES, EnclaveError } from "../errors.js";
import type { BatchOp, WireError } from "../channel/frames.js";
import type { Ocalls } from "../ocalls.js";

/**
 * Nested ECALL limit on the channel: Secret's contract query depth is 10 (MAX_QUERY_DEPTH, SN
 * contract-engine query_chain.rs) plus the outer execute, with headroom; past it a call is refused, not run.
 */
export const MAX_ECALL_NESTING = 16;

/** Long-lived enclave state the handlers share (the keychain lives in a slot set at start or by registration). */
export interface EnclaveRuntime {
  /** Where sealed state lives (untrusted disk; everything written there is sealed or public). */
  readonly dataDir: string;
  /** File holding the platform secret that seals our state (the software TEE's "CPU fuse"). */
  readonly platformSecretPath: string;
  /** True only when the host asked for the debug ECALLs (tests and benches). */
  readonly debug: boolean;
  /**
   * True in a query lane (the worker config's `asyncHost`): an isolate that only ever serves smart queries over
   * committed state, so its queries may memoize reads per height (../laneReads.ts).
   */
  readonly queryLane?: boolean;
  /** Named slots for state owned by handler files (e.g. "keychain"); never crosses the wall. */
  readonly slots: Map<string, unknown>;
}

/** What a handler gets besides its payload. */
export interface EcallContext {
  /** 1 for a top-level ECALL; n+1 for one the host issued while answering an OCALL of depth n. */
  readonly depth: number;
  /** The gas limit the host passed with the call (0 when the call is not metered). */
  readonly gasLimit: bigint;
  /** Synchronous OCALLs bound to this invocation. */
  readonly ocalls: Ocalls;
  readonly runtime: EnclaveRuntime;
  /** Records the gas used so far; the last value set is reported even when the handler throws. */
  setGasUsed(gasUsed: bigint): void;
  /**
   * Hands the call's final writes (its flush, in order) to the response instead of an applyBatch OCALL: the host
   * applies them through this call's handler before it returns the result and adds their gas to it
   * (../channel/hostOcalls.ts applyDeferredWrites). Only for writes after which the call makes no OCALL; once per call.
   */
  deferWrites(ops: readonly BatchOp[]): void;
}

/** One ECALL handler: bytes in, bytes out; throw EnclaveError for a coded failure. */
export type EcallHandler = (payload: Uint8Array, ctx: EcallContext) => Uint8Array;

/** A file's table of handlers, keyed by ECALL name (api.ts ECALL / DEBUG_ECALL). */
export type EcallTable = Partial<Record<EcallName, EcallHandler>>;

/** Merges tables; a name defined twice is a wiring bug, caught at worker start. */
export function mergeEcallTables(tables: readonly EcallTable[]): Map<EcallName, EcallHandler> {
  const out = new Map<EcallName, EcallHandler>();
  for (const table of tables) {
    for (const [name, handler] of Object.entries(table) as [EcallName, EcallHandler | undefined][]) {
      if (handler === undefined) continue;
      if (out.has(name)) throw new Error(`ECALL ${name} defined twice`);
      out.set(name, handler);
    }
  }
  return out;
}

/**
 * Maps anything a handler threw to a wire error. Only our own coded errors and edge assertions keep their
 * text (they are built from constants, field names and lengths); anything else becomes a bare InternalError,
 * because its message might quote a key or a plaintext.
 */
export function toWireError(e: unknown): WireError {
  if (e instanceof EnclaveError) return { code: e.num, message: e.message };
  if (e instanceof InvalidInputError) {
    return { code: ENCLAVE_ERROR_CODES.InvalidInput.num, message: `invalid input: ${e.message}` };
  }
  if (e instanceof AesSivAuthError) {
    const entry = ENCLAVE_ERROR_CODES.DecryptionError;
    return { code: entry.num, message: entry.message };
  }
  const entry = ENCLAVE_ERROR_CODES.InternalError;
  return { code: entry.num, message: entry.message };
}
