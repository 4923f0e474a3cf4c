// Debug ECALLs for the transport's own tests and benchmarks: echo, scripted OCALLs, nested re-entry and
// deliberate failures. The worker serves them only when the host started it with `debugEcalls: true`;
// none of them touches a key.
import { InvalidInputError, u32be } from "../../util/bytes.js";
import { EnclaveError } from "../errors.js";
import type { EcallContext, EcallTable } from "../ecalls/index.js";
import { ByteReader, ByteWriter } from "./codec.js";
import { OCALL, type BatchOp } from "./frames.js";

/** Cap on scripted OCALLs per debug call, so a fuzzed script cannot stall the worker. */
const MAX_SCRIPT_OPS = 2_000;

/** Script op kind (not an OCALL): hand a batch of writes to the response (EcallContext.deferWrites). */
const DEFER_WRITES = 7;

/** A scripted batch: u32 n ‖ (u8 0 = remove | 1 = write ‖ bytes key ‖ [bytes value])*. */
function scriptBatch(r: ByteReader): BatchOp[] {
  const n = r.u32("op batch count");
  if (n > MAX_SCRIPT_OPS) throw new InvalidInputError("op batch", `"op batch" above ${MAX_SCRIPT_OPS}`);
  const ops: BatchOp[] = [];
  for (let i = 0; i < n; i++) {
    const write = r.u8("op batch kind") === 1;
    const key = r.bytes("op key");
    ops.push(write ? { key, value: r.bytes("op value") } : { key });
  }
  return ops;
}

/** Runs one scripted OCALL; appends its output to `out` and returns the gas it reported. */
function runScriptOp(r: ByteReader, ctx: EcallContext, out: ByteWriter): bigint {
  const kind = r.u8("op kind");
  switch (kind) {
    case OCALL.readDb: {
      const res = ctx.ocalls.readDb(r.bytes("op key"));
      out.optBytes(res.value);
      return res.gasUsed;
    }
    case OCALL.writeDb: {
      const key = r.bytes("op key");
      return ctx.ocalls.writeDb(key, r.bytes("op value")).gasUsed;
    }
    case OCALL.removeDb:
      return ctx.ocalls.removeDb(r.bytes("op key")).gasUsed;
    case OCALL.applyBatch:
      return ctx.ocalls.applyBatch(scriptBatch(r)).gasUsed;
    case DEFER_WRITES:
      // Same body as applyBatch; the writes ride on the ECALL response (no OCALL, no gas here).
      ctx.deferWrites(scriptBatch(r));
      return 0n;
    case OCALL.readDbFirst: {
      const key = r.bytes("op key");
      const res = ctx.ocalls.readDbFirst(key, r.bytes("op fallback key"));
      out.u8(res.hit).optBytes(res.value);
      return res.gasUsed;
    }
    case OCALL.queryChain: {
      const gasLimit = r.u64("op gasLimit");
      const res = ctx.ocalls.queryChain(r.bytes("op request"), gasLimit, ctx.depth);
      out.bytes(res.result);
      return res.gasUsed;
    }
    default:
      throw new InvalidInputError("op kind", `"op kind" unknown: ${kind}`);
  }
}

/** Failure modes of debugThrow, to prove every kind of throw leaves as a coded, safe error. */
function throwMode(mode: number, detail: Uint8Array, ctx: EcallContext): never {
  ctx.setGasUsed(1234n);
  const text = Buffer.from(detail).toString("hex");
  switch (mode) {
    case 0:
      throw new Error(`plain error quoting ${text}`);
    case 1:
      throw new InvalidInputError("debug field", `"debug field" expected 1 bytes, got ${detail.length}`);
    case 2:
      throw new EnclaveError("DecryptionError");
    case 3:
      // A thrown non-Error value, as careless code might do.
      throw text as unknown as Error;
    case 4: {
      const recurse = (n: number): number => recurse(n + 1) + 1;
      recurse(0);
      throw new EnclaveError("InternalError");
    }
    default:
      throw new InvalidInputError("mode", `"mode" unknown: ${mode}`);
  }
}

export const debugEcalls: EcallTable = {
  debugEcho: (payload) => payload,

  /** Script: u32 count ‖ ops; op = u8 kind ‖ fields (see runScriptOp). Output: per-op results; gas summed. */
  debugOcalls: (payload, ctx) => {
    const r = new ByteReader(payload);
    const count = r.u32("op count");
    if (count > MAX_SCRIPT_OPS) throw new InvalidInputError("op count", `"op count" above ${MAX_SCRIPT_OPS}`);
    const out = new ByteWriter();
    let gas = 0n;
    for (let i = 0; i < count; i++) {
      gas += runScriptOp(r, ctx, out);
      ctx.setGasUsed(gas);
    }
    r.end("script");
    return out.finish();
  },

  /** u32 n ‖ key: n readDb OCALLs of `key` (benchmark); returns u32 count of hits. */
  debugReadLoop: (payload, ctx) => {
    const r = new ByteReader(payload);
    const n = r.u32("loop count");
    if (n > MAX_SCRIPT_OPS) throw new InvalidInputError("loop count", `"loop count" above ${MAX_SCRIPT_OPS}`);
    const key = r.rest("loop key");
    let hits = 0;
    for (let i = 0; i < n; i++) if (ctx.ocalls.readDb(key).value !== undefined) hits++;
    return u32be(hits);
  },

  /**
   * u32 target depth: below it, asks the host to queryChain (the host answers by re-entering debugNested);
   * returns the depths seen on the way back up, innermost last, as u32s.
   */
  debugNested: (payload, ctx) => {
    const target = new ByteReader(payload).u32("target depth");
    if (ctx.depth >= target) return u32be(ctx.depth);
    const inner = ctx.ocalls.queryChain(payload, ctx.gasLimit, ctx.depth);
    ctx.setGasUsed(inner.gasUsed + 1n);
    return new ByteWriter().u32(ctx.depth).raw(inner.result).finish();
  },

  /** u32 ms: blocks the worker that long (at most 10 s), to exercise the host's timeout path. */
  debugSleep: (payload) => {
    const ms = Math.min(new ByteReader(payload).u32("sleep ms"), 10_000);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    return new Uint8Array(0);
  },

  /** u8 mode ‖ detail: throws in the given way after recording gas 1234. */
  debugThrow: (payload, ctx) => {
    const r = new ByteReader(payload);
    throwMode(r.u8("mode"), r.rest("detail"), ctx);
  },
};
