// Contract ECALLs: loadCode (gatekeep + compile an upload), instantiate / execute / query / migrate / reply
// (../contract/operations.ts) and updateAdmin. Payload and answer encodings are in ../contract/wire.ts and
// ../contract/README.md. Gas is reported through ctx.setGasUsed on success and on failure.
import { equalBytes, toHex, utf8 } from "../../util/bytes.js";
import { sha256 } from "../crypto/hash.js";
import { EnclaveError } from "../errors.js";
import { updateAdmin } from "../contract/admin.js";
import { OperationError, runContract } from "../contract/operations.js";
import {
  decodeContractRequest,
  decodeUpdateAdminRequest,
  encodeContractResponse,
  type ContractRequest,
} from "../contract/wire.js";
import type { ContractOp } from "../contract/types.js";
import { MAX_PEEK_KEYS, READ_FIRST, type BatchOp } from "../channel/frames.js";
import { CompiledCodeCache } from "../vm/wasm/cache.js";
import { WasmGateError } from "../vm/wasm/errors.js";
import { prepareCode, uncompressCode } from "../vm/wasm/prepare.js";
import type { WasmModule } from "../vm/webassembly.js";
import type { EcallContext, EcallHandler, EcallTable } from "./index.js";
import { enclaveKeys } from "./state.js";
import { LaneReadCache, type LaneRead } from "../laneReads.js";
import type { Ocalls } from "../ocalls.js";
import { PrefetchSession } from "../prefetch.js";
import type { PlainStore } from "../encryptedStorage.js";
import { splitVerdictToken } from "../contract/verdict.js";
import { bindingOf, checkAhead } from "../contract/checkInput.js";
import { ECALL } from "../api.js";
import { verdictMac, verifyEcalls } from "./verify.js";
import { preparedCalls } from "./prepare.js";

/** One compiled-module cache per enclave worker (speed only; a miss recompiles the same metered bytes). */
const cache = new CompiledCodeCache();

function gateError(e: unknown): never {
  if (e instanceof WasmGateError) throw new EnclaveError("InvalidWasm", e.message);
  throw e;
}

/**
 * The compiled, metered module of `codeHash`. A cached module is used as is (the host's bytes are then not
 * needed, nor hashed); otherwise `wasm` (raw or gzip) must hash to `codeHash` and pass the gatekeeper.
 */
function moduleFor(codeHash: Uint8Array, wasm: Uint8Array): WasmModule {
  const hit = cache.cached(codeHash);
  if (hit !== undefined) return hit as unknown as WasmModule;
  if (wasm.length === 0) throw new EnclaveError("InvalidWasm", "code not loaded");
  try {
    if (!equalBytes(sha256(uncompressCode(wasm)), codeHash)) {
      throw new EnclaveError("InvalidWasm", "code hash mismatch");
    }
    return cache.getOrCompile(prepareCode(wasm)) as unknown as WasmModule;
  } catch (e) {
    return gateError(e);
  }
}

/** loadCode: payload = the upload (raw or gzip). Answer: JSON {code_hash, interface, requires_random, features}. */
const loadCode: EcallHandler = (payload) => {
  try {
    const p = prepareCode(payload);
    cache.getOrCompile(p);
    const answer = {
      code_hash: toHex(p.codeHash),
      interface: p.interface,
      requires_random: p.requiresRandom,
      features: p.features,
    };
    return utf8.encode(JSON.stringify(answer));
  } catch (e) {
    return gateError(e);
  }
};

/** A query lane's memo of committed-state reads (../laneReads.ts); the main isolate has none. */
const laneReads = new LaneReadCache();

/** The readDb of one call: on a query lane, a query's reads go through the lane's committed-state memo. */
function readerFor(
  op: ContractOp,
  req: ContractRequestEnv,
  ctx: EcallContext,
  ocalls: Ocalls,
): (k: Uint8Array) => LaneRead {
  const ocall = ocalls.readDb.bind(ocalls);
  if (!onLane(op, ctx)) return ocall;
  return laneReads.scope(req.env.block.height, req.env.contract.address, ocall);
}

/**
 * The call's prefetch session and the OCALLs that carry its charges, when the host sent a prefetch set (never
 * on a query lane, whose reads go through its own memo).
 */
function prefetchFor(
  op: ContractOp,
  req: ContractRequest,
  ctx: EcallContext,
): { session: PrefetchSession | undefined; ocalls: Ocalls } {
  if (req.prefetch === undefined || onLane(op, ctx) || ctx.ocalls.withLedger === undefined)
    return { session: undefined, ocalls: ctx.ocalls };
  const session = new PrefetchSession(req.prefetch);
  return { session, ocalls: ctx.ocalls.withLedger(session) };
}

const onLane = (op: ContractOp, ctx: EcallContext): boolean =>
  op === "query" && ctx.runtime.queryLane === true;

/**
 * readDbFirst: the new-format key, then the old one only if missing, in one round trip (../channel/frames.ts),
 * or none when the prefetch set holds every read it needs (a prefetched read reports no VM gas: the host
 * charges store reads to its own meter, ../prefetch.ts).
 */
function readFirstOcall(ocalls: Ocalls, session: PrefetchSession | undefined) {
  return (k: Uint8Array, fallback: Uint8Array, peek?: () => readonly Uint8Array[]) => {
    const hit = session?.readFirst(k, fallback);
    if (hit !== undefined) return { value: hit.value, fromFallback: hit.fromFallback, gas: 0n };
    // Predicted reads ride along only with a session (the host's offers go into it), and only keys it lacks.
    const ahead = session === undefined || peek === undefined ? undefined : peekable(session, peek());
    const r = ocalls.readDbFirst(k, fallback, ahead);
    return { value: r.value, fromFallback: r.hit === READ_FIRST.fallbackKey, gas: r.gasUsed };
  };
}

/** The predicted store keys the session does not hold yet, at most MAX_PEEK_KEYS. */
function peekable(session: PrefetchSession, keys: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const k of keys) if (out.length < MAX_PEEK_KEYS && !session.holds(k)) out.push(k);
  return out;
}

/**
 * Hands the response its ops: the prefetched reads not yet charged (first: they happened before the flush),
 * then the flush's writes. Nothing when there are none (a plain response, as without prefetch).
 */
function deferFinal(
  ctx: EcallContext,
  session: PrefetchSession | undefined,
  writes: readonly BatchOp[] | undefined,
): void {
  const charges: BatchOp[] = (session?.takeCharges() ?? []).map((i) => ({ prefetched: i }));
  const ops = charges.length === 0 ? writes : [...charges, ...(writes ?? [])];
  if (ops !== undefined && ops.length > 0) ctx.deferWrites(ops);
}

interface ContractRequestEnv {
  readonly env: {
    readonly block: { readonly height: bigint };
    readonly contract: { readonly address: string };
  };
}

/**
 * The request, with the verdict token the host may put in front of it (../contract/verdict.ts) attached to
 * its sig_info along with this isolate's key, for the signature check to test (../contract/txSignature.ts).
 */
function requestWithVerdict(payload: Uint8Array, ctx: EcallContext): ContractRequest {
  const { token, request } = splitVerdictToken(payload);
  // Decoded with the verdict in place (no spread of the request and its sig_info per call).
  return decodeContractRequest(
    request,
    token === undefined ? undefined : { token, mac: verdictMac(ctx.runtime) },
  );
}

/** The call's input as one fixed-shape literal (a spread of the request per call made V8 copy maps). */
function callInput(req: ContractRequest, op: ContractOp, module: WasmModule, gasLimit: bigint) {
  return {
    op,
    module,
    gasLimit,
    codeHash: req.codeHash,
    env: req.env,
    msg: req.msg,
    contractKey: req.contractKey,
    sigInfo: req.sigInfo,
    callbackSig: req.callbackSig,
    admin: req.admin,
    adminProof: req.adminProof,
    blockRandom: req.blockRandom,
    msgCounter: req.msgCounter,
    queryDepth: req.queryDepth,
  };
}

/**
 * The plain store of one contract call over its OCALLs and prefetch session (a class: no closures built per
 * call). `writes` receives the flush's batch, which rides on the ECALL response.
 */
class CallStore implements PlainStore {
  writes: readonly BatchOp[] | undefined;
  /** Values are only read: a write's OCALL encodes them at once, a flush's batch when the response is encoded. */
  readonly leavesValuesIntact = true;
  /** A lane's reads go through its memo one key at a time; elsewhere a new-then-old lookup is one OCALL. */
  declare readonly readFirst?: NonNullable<PlainStore["readFirst"]>;

  constructor(
    private readonly session: PrefetchSession | undefined,
    private readonly ocalls: Ocalls,
    private readonly readDb: (k: Uint8Array) => LaneRead,
    lane: boolean,
  ) {
    if (!lane) this.readFirst = readFirstOcall(ocalls, session);
  }

  read(k: Uint8Array): { value: Uint8Array | undefined; gas: bigint } {
    const hit = this.session?.read(k);
    if (hit !== undefined) return { value: hit.value, gas: 0n };
    const r = this.readDb(k);
    return { value: r.value, gas: r.gasUsed };
  }

  // A key written or removed through the host is no longer what the prefetch set says.
  write(k: Uint8Array, v: Uint8Array): { gas: bigint } {
    this.session?.forget(k);
    return { gas: this.ocalls.writeDb(k, v).gasUsed };
  }

  remove(k: Uint8Array): { gas: bigint } {
    this.session?.forget(k);
    return { gas: this.ocalls.removeDb(k).gasUsed };
  }

  // The flush is a call's last store access: its writes ride on the ECALL response (one round trip
  // less); the host adds their gas to the result, so the call reports none for them here.
  applyBatch(ops: readonly BatchOp[]): { gas: bigint } {
    if (this.writes !== undefined) throw new EnclaveError("InternalError");
    this.writes = ops;
    return { gas: 0n };
  }

  query(request: Uint8Array, gasLimit: bigint, depth: number): { result: Uint8Array; gasUsed: bigint } {
    const r = this.ocalls.queryChain(request, gasLimit, depth);
    return { result: r.result, gasUsed: r.gasUsed };
  }
}

function contractHandler(op: ContractOp): EcallHandler {
  return (payload: Uint8Array, ctx: EcallContext) => {
    const req = requestWithVerdict(payload, ctx);
    const module = moduleFor(req.codeHash, req.wasm);
    const { session, ocalls } = prefetchFor(op, req, ctx);
    const store = new CallStore(session, ocalls, readerFor(op, req, ctx, ocalls), onLane(op, ctx));
    const prepared = preparedCalls(ctx.runtime);
    const svc = {
      keys: enclaveKeys(ctx.runtime),
      prepared: prepared.size === 0 ? undefined : prepared.take.bind(prepared),
      store,
      // Contract `debug` output is dropped unless the enclave was started with its debug flag (tests).
      debugSink: ctx.runtime.debug ? debugToStderr : undefined,
      query: store.query.bind(store),
    };
    try {
      const out = runContract(svc, callInput(req, op, module, ctx.gasLimit));
      ctx.setGasUsed(out.gasUsed);
      return encodeContractResponse(op, out);
    } catch (e) {
      if (e instanceof OperationError) {
        ctx.setGasUsed(e.gasUsed);
        throw e.error;
      }
      throw e;
    } finally {
      deferFinal(ctx, session, store.writes);
    }
  };
}

function debugToStderr(m: string): void {
  process.stderr.write(`contract debug: ${m}\n`);
}

/** The ops whose input checks may be prepared, by the ECALL id in front of a prepareCall payload. */
const PREPARABLE: ReadonlyMap<number, ContractOp> = new Map<number, ContractOp>([
  [ECALL.instantiate, "instantiate"],
  [ECALL.execute, "execute"],
  [ECALL.migrate, "migrate"],
]);

/**
 * prepareCall: payload = u8 ECALL id (instantiate / execute / migrate) ‖ that op's payload, as its ECALL will
 * carry it (state-dependent fields may differ: only the binding counts, ../contract/checkInput.ts). Runs the
 * call's input checks now and keeps their outcome, error included, for the execute with an equal binding
 * (./prepare.ts). No OCALL, no gas. Answer: u32 outcomes taken so far ‖ u32 dropped unused (counts only, for
 * benches). A malformed payload is refused and nothing is kept.
 */
const prepareCall: EcallHandler = (payload, ctx) => {
  ctx.setGasUsed(0n);
  const op = PREPARABLE.get(payload[0] ?? 0);
  if (op === undefined) throw new EnclaveError("InvalidInput", "prepareCall op");
  const req = requestWithVerdict(payload.subarray(1), ctx);
  const keys = enclaveKeys(ctx.runtime);
  const { binding, verdict } = bindingOf(op, req);
  // `verify` as the contract handlers run it (their services never turn the signature check off).
  const store = preparedCalls(ctx.runtime);
  store.add(keys, binding, true, checkAhead(keys, binding, verdict, true));
  return counts(store.taken, store.dropped);
};

/** u32 ‖ u32, big-endian, by shifts (`u32be`'s DataView would move each 4-byte array off V8's heap). */
function counts(a: number, b: number): Uint8Array {
  const out = new Uint8Array(8);
  for (let i = 0; i < 4; i++) {
    out[i] = a >>> (24 - 8 * i);
    out[4 + i] = b >>> (24 - 8 * i);
  }
  return out;
}

/**
 * updateAdmin: JSON {sender, contract (bech32), og_contract_key, current_admin, current_admin_proof, new_admin,
 * sig_info? | callback_sig?} (binary fields base64; empty new_admin clears). Answer: {admin_proof}.
 */
const updateAdminHandler: EcallHandler = (payload, ctx) => {
  const { sender, contract, fields, sigInfo, callbackSig } = decodeUpdateAdminRequest(payload);
  const proof = updateAdmin(enclaveKeys(ctx.runtime), { sender, contract, ...fields, sigInfo, callbackSig });
  return utf8.encode(JSON.stringify({ admin_proof: Buffer.from(proof).toString("base64") }));
};

export const contractEcalls: EcallTable = {
  loadCode,
  instantiate: contractHandler("instantiate"),
  execute: contractHandler("execute"),
  query: contractHandler("query"),
  migrate: contractHandler("migrate"),
  reply: contractHandler("reply"),
  updateAdmin: updateAdminHandler,
  prepareCall,
  // The verify lane's ECALL belongs with the contract calls whose signature check it runs ahead.
  ...verifyEcalls,
};
