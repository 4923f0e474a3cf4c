// Debug ECALLs for the transport's own tests and benchmarks: echo, scripted OCALLs, nested re-entry and
// deliberate failures. The worker serves them only when the host started it with `debugEcalls: true`;
// none of them touches a key.
import { InvalidInputError, u32be } from "../../util/bytes.js";
import { EnclaveError } from "../errors.js";
import type { EcallContext, EcallTable } from "../ecalls/index.js";
import { ByteReader, ByteWriter } from "./codec.js";
import { OCALL, type BatchOp } from "./frames.js";
import { sha256 } from "../crypto/hash.js";
import {
  secp256k1PublicKey,
  secp256k1Sign,
  secp256k1Verify,
  secp256k1VerifyOn,
} from "../crypto/secp256k1.js";
import { enterNativeSecp256k1, leaveNativeSecp256k1, secp256k1Backend } from "../crypto/nativeSecp256k1.js";

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

/** Most verifies one debugSecp256k1 call runs (~0.2 s native, ~1 s wasm). */
const MAX_DEBUG_VERIFIES = 5_000;

let verifyFixture: { hash: Uint8Array; signature: Uint8Array; pubkey: Uint8Array } | undefined;

/** A fixed valid (hash, signature, key) for debugSecp256k1 (public test values, no enclave key). */
function fixture(): { hash: Uint8Array; signature: Uint8Array; pubkey: Uint8Array } {
  if (verifyFixture === undefined) {
    const sk = sha256(Uint8Array.of(0xd1));
    const hash = sha256(Uint8Array.of(0xd2));
    verifyFixture = { hash, signature: secp256k1Sign(hash, sk).signature, pubkey: secp256k1PublicKey(sk) };
  }
  return verifyFixture;
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

  /**
   * u8 backend (0 = as production, 1 = wasm, 2 = native, 3 = raw addon calls back to back, 16 per guarded
   * section: the most time inside native code, for the guard's stress test) ‖ u32 n: n secp256k1 verifies of a
   * fixed valid signature (benchmarks, tests). Output: u8 backend of this isolate (0 wasm, 1 native) ‖ u32 verifies
   * that held.
   */
  debugSecp256k1: (payload) => {
    const r = new ByteReader(payload);
    const mode = r.u8("backend");
    const n = r.u32("verify count");
    r.end("debugSecp256k1");
    if (mode > 3) throw new InvalidInputError("backend", `"backend" unknown: ${mode}`);
    if (n > MAX_DEBUG_VERIFIES)
      throw new InvalidInputError("verify count", `"verify count" above ${MAX_DEBUG_VERIFIES}`);
    const { hash, signature, pubkey } = fixture();
    let held = 0;
    if (mode === 3) {
      const full = new Uint8Array(65);
      for (let i = 0; i < n; i += 16) {
        const addon = enterNativeSecp256k1();
        if (addon === undefined) continue; // the guard is closed (now, or for good): these are skipped
        try {
          for (let j = i; j < Math.min(n, i + 16); j++) {
            addon.publicKeyConvert(full, pubkey);
            if (addon.ecdsaVerify(signature, hash, full) === 0) held++;
          }
        } finally {
          leaveNativeSecp256k1();
        }
      }
    }
    for (let i = 0; mode !== 3 && i < n; i++) {
      const ok =
        mode === 0
          ? secp256k1Verify(hash, signature, pubkey, { rejectHighS: true })
          : secp256k1VerifyOn(mode === 1 ? "wasm" : "native", hash, signature, pubkey, { rejectHighS: true });
      if (ok) held++;
    }
    return new ByteWriter()
      .u8(secp256k1Backend() === "native" ? 1 : 0)
      .u32(held)
      .finish();
  },

  /** u8 mode ‖ detail: throws in the given way after recording gas 1234. */
  debugThrow: (payload, ctx) => {
    const r = new ByteReader(payload);
    throwMode(r.u8("mode"), r.rest("detail"), ctx);
  },
};
