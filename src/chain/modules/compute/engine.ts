// Host side of the contract ECALLs: builds the request envelope (src/enclave/contract/README.md), binds the
// OCALLs to the contract's state (0x03 ‖ addr inside the tx's store view) and answers queryChain (bank and
// wasm queries; wasm smart queries re-enter the enclave). Gas: the ECALL limit is the tx's remaining SDK gas ×
// GasMultiplier; KV access during OCALLs is charged straight to the SDK meter (as Secret's Go does), so OCALLs
// report 0 VM gas; the ECALL's VM gas ÷ GasMultiplier is charged after the call.
import {
  ECALL,
  ENCLAVE_ERROR_CODES,
  encodeContractRequest,
  encodeRequestTemplate,
  OcallFailure,
  spliceRequest,
  type ContractRequest,
  type ContractSigInfo,
  type EcallOptions,
  type EcallResult,
  type OcallHandler,
  type RequestTemplate,
  withVerdictToken,
} from "../../../enclave/api.js";
import { fromBase64, fromHex, toHex, utf8 } from "../../../util/bytes.js";
import { toBech32 } from "../../address.js";
import { ChainError, type RegisteredError } from "../../errors.js";
import type { KVStore } from "../../store/types.js";
import type { Context } from "../../tx/context.js";
import type { ComputeChainQueries } from "./chainQueries.js";
import { HeightMemo } from "./heightMemo.js";
import { answerQueryChain, type QueryChainDeps } from "./queryChain.js";
import { ComputeErrors } from "./errors.js";
import type { ComputeBankKeeper, ComputeBlockSource, ComputeEnclave } from "./expectedKeepers.js";
import type { ComputeKeeper } from "./keeper.js";
import type { CodeInfo, StoredContractKey } from "./types.js";
import { buildOffer, PrefetchReads, ReadMemory, type PrefetchOffer, type PrefetchStats } from "./prefetch.js";
import { isObj, type J } from "./json.js";

/** VM gas per SDK gas (SN x/compute/internal/types GasMultiplier; spec consensus-storage-perf §3). */
export const GAS_MULTIPLIER = 1000n;
/** Largest VM gas one call may get (SN MaxGas 1e10 VM gas; spec consensus-storage-perf §3). */
export const MAX_VM_GAS = 10_000_000_000n;

export type ContractEcall = "instantiate" | "execute" | "query" | "migrate" | "reply";

export interface CallRequest {
  readonly op: ContractEcall;
  readonly contract: Uint8Array;
  readonly code: CodeInfo;
  /** bech32 sender ("" for queries). */
  readonly sender: string;
  readonly funds: readonly { denom: string; amount: string }[];
  readonly msg: Uint8Array;
  readonly contractKey?: StoredContractKey | undefined;
  readonly callbackSig?: Uint8Array | undefined;
  readonly sigInfo?: ContractSigInfo | undefined;
  readonly admin?: Uint8Array | undefined;
  readonly adminProof?: Uint8Array | undefined;
  readonly queryDepth: number;
}

/** The enclave's answer envelope (src/enclave/contract/wire.ts encodeContractResponse). */
export interface CallAnswer {
  readonly ok?: unknown;
  readonly err?: unknown;
  readonly internalMsgId?: string;
  readonly internalReplyEnclaveSig?: string;
  readonly contractKey?: Uint8Array;
  readonly adminProof?: Uint8Array;
  readonly contractKeyProof?: Uint8Array;
  readonly gasUsed: bigint;
}

/** An ECALL that answered with a coded enclave error (not a contract error). */
export class EnclaveCallFailed extends Error {
  constructor(
    message: string,
    readonly gasUsed: bigint,
    /** The enclave's error number (ENCLAVE_ERROR_CODES). */
    readonly code: number,
  ) {
    super(message);
  }

  get outOfGas(): boolean {
    return this.code === ENCLAVE_ERROR_CODES.OutOfGas.num;
  }
}

/** A string field of the answer, or undefined. */
function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** A base64 field of the answer, or undefined (strict base64: a bad one throws as before). */
function b64(v: unknown, field: string): Uint8Array | undefined {
  return typeof v === "string" ? fromBase64(v, field) : undefined;
}

// Field by field without closures or name tables (one call per ECALL); the same fields, in the same order.
function decodeAnswer(bytes: Uint8Array, gasUsed: bigint): CallAnswer {
  const j = JSON.parse(utf8.decode(bytes)) as J;
  const out: Record<string, unknown> = { gasUsed };
  if (j.ok !== undefined) out.ok = j.ok;
  if (j.err !== undefined) out.err = j.err;
  const msgId = str(j.internal_msg_id);
  if (msgId !== undefined) out.internalMsgId = msgId;
  const sig = str(j.internal_reply_enclave_sig);
  if (sig !== undefined) out.internalReplyEnclaveSig = sig;
  const key = b64(j.contract_key, "contract_key");
  if (key !== undefined) out.contractKey = key;
  const proof = b64(j.admin_proof, "admin_proof");
  if (proof !== undefined) out.adminProof = proof;
  const keyProof = b64(j.contract_key_proof, "contract_key_proof");
  if (keyProof !== undefined) out.contractKeyProof = keyProof;
  return out as unknown as CallAnswer;
}

/** A request's state-dependent parts (ComputeEngine.callState); a prepareCall's request has none. */
interface CallState {
  readonly msgCounter: bigint;
  readonly blockRandom: Uint8Array | undefined;
  readonly prefetch: PrefetchOffer | undefined;
}
const PREPARE_STATE: CallState = Object.freeze({
  msgCounter: 0n,
  blockRandom: undefined,
  prefetch: undefined,
});

/** `request` with a verify lane's verdict token in front, when there is one. */
function withToken(request: Uint8Array, token: Uint8Array | undefined): Uint8Array {
  return token === undefined ? request : withVerdictToken(request, token);
}

/** The wasm argument of a request when the enclave has not asked for the bytes (the encoder only reads it). */
const NO_WASM = new Uint8Array(0);

/**
 * A contract ECALL's options with the prepared call riding on it and the door idle task when there are any
 * (the retry after a code-cache miss carries neither). Written out: no spread objects per call.
 */
function firstCallOptions(
  gasLimit: bigint,
  ocalls: OcallHandler,
  then: Uint8Array | undefined,
  idle: (() => void) | undefined,
): EcallOptions {
  if (then === undefined) return idle === undefined ? { gasLimit, ocalls } : { gasLimit, ocalls, idle };
  const t = { id: ECALL.prepareCall, payload: then };
  return idle === undefined ? { gasLimit, ocalls, then: t } : { gasLimit, ocalls, then: t, idle };
}

/** The enclave asks for the wasm bytes when its compiled-code cache does not hold the code. */
function codeNotLoaded(res: EcallResult): boolean {
  return "error" in res && res.error.message.includes("code not loaded");
}

/**
 * A code hash's bytes by its stored hex (every request carries one; a handful of codes are hot): the encoder
 * only copies them into the request. Bounded: cleared whole when full.
 */
const codeHashes = new Map<string, Uint8Array>();
const CODE_HASH_MEMO_MAX = 256;
function codeHashBytes(hex: string): Uint8Array {
  let b = codeHashes.get(hex);
  if (b === undefined) {
    b = fromHex(hex, "code_hash");
    if (codeHashes.size >= CODE_HASH_MEMO_MAX) codeHashes.clear();
    codeHashes.set(hex, b);
  }
  return b;
}

/**
 * A prepared call's request template (ComputeEngine.prepareRequest, encoded in an ECALL wait) and everything it
 * was encoded from: the call and the context fields encodeRequest reads.
 */
interface PreparedTemplate {
  readonly template: RequestTemplate;
  readonly r: CallRequest;
  readonly chainId: string;
  readonly height: bigint;
  readonly timeNs: bigint;
  readonly txIndex: number;
  readonly txHash: Uint8Array;
}
/** The templates kept (each tx's is made two ECALLs ahead of its call: a few suffice). */
const TEMPLATES_MAX = 4;

/** Equal bytes (not secret: request fields the host holds anyway), the same array first. */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return a === b || (a.length === b.length && Buffer.compare(a, b) === 0);
}
function sameOpt(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a === undefined || b === undefined ? a === b : same(a, b);
}

/**
 * Whether encodeRequest would write the same bytes for (`ctx`, `r`) as for what `p` was encoded from, state
 * parts aside: every input it reads, field by field (wire.test.ts and engine.test.ts hold the two to each other).
 */
function sameCall(p: PreparedTemplate, ctx: Context, r: CallRequest): boolean {
  const q = p.r;
  if (
    ctx.txIndex !== p.txIndex ||
    ctx.blockHeight !== p.height ||
    ctx.blockTimeNs !== p.timeNs ||
    ctx.chainId !== p.chainId ||
    !same(ctx.txHash, p.txHash) ||
    r.code.codeHash !== q.code.codeHash ||
    r.sender !== q.sender ||
    r.queryDepth !== q.queryDepth ||
    !same(r.contract, q.contract) ||
    !same(r.msg, q.msg) ||
    !sameOpt(r.callbackSig, q.callbackSig) ||
    !sameOpt(r.admin, q.admin) ||
    !sameOpt(r.adminProof, q.adminProof) ||
    r.funds.length !== q.funds.length
  )
    return false;
  for (let i = 0; i < r.funds.length; i++) {
    if (r.funds[i]!.denom !== q.funds[i]!.denom || r.funds[i]!.amount !== q.funds[i]!.amount) return false;
  }
  const k = r.contractKey;
  const l = q.contractKey;
  if (k === undefined || l === undefined) {
    if (k !== l) return false;
  } else if (!same(k.og, l.og) || !sameOpt(k.current, l.current) || !sameOpt(k.proof, l.proof)) return false;
  const g = r.sigInfo;
  const h = q.sigInfo;
  if (g === undefined || h === undefined) return g === h;
  return (
    g.signMode === h.signMode &&
    same(g.signBytes, h.signBytes) &&
    same(g.signature, h.signature) &&
    same(g.txBytes, h.txBytes) &&
    sameOpt(g.publicKey, h.publicKey)
  );
}

/** What a smart query needs besides its message: the contract's code and key. */
export interface QueryTarget {
  readonly code: CodeInfo;
  readonly contractKey: StoredContractKey | undefined;
}

export class ComputeEngine {
  private readonly committedTargets = new HeightMemo<QueryTarget>(4096);
  /** Node-local: which keys each contract's calls keep reading (./prefetch.ts). */
  private readonly readMemory = new ReadMemory();
  /** What the queryChain answers read (built at the first query; the engine's parts never change). */
  private queryDeps: QueryChainDeps | undefined;
  /** Offer hot keys' values with each ECALL (fewer OCALL round trips; results are the same either way). */
  prefetch = true;
  /**
   * Where signature-verdict tokens come from (the app's verify lane, src/chain/app/verifyAhead.ts): the tx hash
   * and the bech32 sender of a user-signed call → a token, or undefined. Speed only: the enclave checks the
   * token and verifies the signature itself without one, with the same result.
   */
  verdicts: ((txHash: Uint8Array, sender: string) => Uint8Array | undefined) | undefined;
  /**
   * The app's prepared calls (src/chain/app/prepareAhead.ts): asked before each contract ECALL for the
   * prepareCall payload of the call after it, which then rides on this ECALL (the enclave runs it once it has
   * answered, while this thread applies the answer). Speed only; it must not touch the call's state or gas.
   */
  nextPrepare: (() => Uint8Array | undefined) | undefined;
  /** Work the app's prepared calls do while this thread waits for a contract ECALL (EcallOptions.idle). */
  whileWaiting: (() => void) | undefined;
  /** Work the app's speculative ante does in the same wait, after `whileWaiting` (src/chain/app/speculativeAnte.ts). */
  speculateWhileWaiting: (() => void) | undefined;
  /** Work done last in the same wait: encoding finished tx results (src/chain/app/resultsAhead.ts). */
  encodeWhileWaiting: (() => void) | undefined;
  /** The idle tasks in one closure, rebuilt only when one of them changes. */
  private composedIdle:
    | {
        w: (() => void) | undefined;
        s: (() => void) | undefined;
        e: (() => void) | undefined;
        all: () => void;
      }
    | undefined;
  /**
   * Keep each prepared call's request as the template of the execute's own (default on; off: every request is
   * encoded whole, for in-process A/B benches). Speed only: the bytes are the same either way.
   */
  spliceTemplates = true;
  /** Prepared calls' request templates (prepareRequest), oldest first; each is spliced into at most one call. */
  private readonly templates: PreparedTemplate[] = [];
  /** Execute calls whose request was spliced from a prepared template, and those encoded whole (tests, benches). */
  readonly templateStats = { spliced: 0, encoded: 0 };
  readonly prefetchStats: PrefetchStats = {
    ocallReads: 0,
    prefetchedReads: 0,
    offeredKeys: 0,
    offeredKeyOcallReads: 0,
  };

  constructor(
    private readonly enclave: ComputeEnclave,
    private readonly keeper: ComputeKeeper,
    private readonly bank: ComputeBankKeeper,
    private readonly block: ComputeBlockSource,
    private readonly chain?: ComputeChainQueries,
  ) {}

  /** The VM gas the next call may use: the tx's remaining SDK gas × GasMultiplier, capped at MaxGas. */
  vmGasLimit(ctx: Context): bigint {
    const rem = ctx.gasMeter.remaining;
    if (rem === undefined) return MAX_VM_GAS;
    const v = rem * GAS_MULTIPLIER;
    return v > MAX_VM_GAS ? MAX_VM_GAS : v;
  }

  /** Runs one contract ECALL; the caller charges answer.gasUsed (VM units). */
  call(ctx: Context, r: CallRequest, gasLimit: bigint): CallAnswer {
    const st = this.keeper.contractState(ctx, r.contract);
    const offer = this.offerFor(ctx, st, r.contract);
    const token = r.sigInfo === undefined ? undefined : this.verdicts?.(ctx.txHash, r.sender);
    const parts = this.callState(ctx, r, offer);
    const template = this.templateFor(ctx, r);
    const reads = new Map<string, Uint8Array>();
    const ocalls = new ContractOcalls(this, ctx, st, this.prefetchStats, offer, reads);
    const first = firstCallOptions(gasLimit, ocalls, this.nextPrepare?.(), this.idleTask());
    let res: EcallResult;
    try {
      const request = this.requestOf(ctx, r, parts, NO_WASM, template);
      res = this.enclave.ecall(r.op, withToken(request, token), first);
      // The enclave caches compiled code; after a restart (or an eviction) it asks for the bytes once. Whether
      // that happens is node-local, so the read is free: a cold node must charge exactly what a warm one does.
      if (codeNotLoaded(res)) {
        const wasm = this.wasmFor(ctx, r);
        const retry = withToken(this.requestOf(ctx, r, parts, wasm, template), token);
        res = this.enclave.ecall(r.op, retry, { gasLimit, ocalls });
      }
    } finally {
      if (this.prefetch) this.readMemory.record(r.contract, reads);
    }
    return this.answer(ctx, res);
  }

  /** The door idle task of a contract ECALL: the prepared calls' build, the speculative ante, the results. */
  private idleTask(): (() => void) | undefined {
    const w = this.whileWaiting;
    const s = this.speculateWhileWaiting;
    const e = this.encodeWhileWaiting;
    const n = (w === undefined ? 0 : 1) + (s === undefined ? 0 : 1) + (e === undefined ? 0 : 1);
    if (n < 2) return w ?? s ?? e;
    const c = this.composedIdle;
    if (c !== undefined && c.w === w && c.s === s && c.e === e) return c.all;
    const all = (): void => {
      w?.();
      s?.();
      e?.();
    };
    this.composedIdle = { w, s, e, all };
    return all;
  }

  /**
   * The request a prepareCall of the user call `r` carries (src/enclave/README.md §1 "Prepared calls"): the
   * request as `call` would build it for its binding (code hash, msg, sender, funds, contract, height, keys,
   * signature), without the state-dependent parts (no message counter is taken, no block random, no prefetch):
   * the enclave only compares bindings. `ctx` is read, never written or charged. See `withVerdict`.
   */
  prepareRequest(ctx: Context, r: CallRequest): Uint8Array {
    const template = encodeRequestTemplate(this.requestFields(ctx, r, PREPARE_STATE, NO_WASM));
    // Kept as the template of the call's own request: built with `ctx`'s tx (hash and index, which the
    // enclave's binding leaves out) it is that request but for its state parts, spliced in at call time.
    if (!this.spliceTemplates) return template.bytes;
    if (this.templates.length >= TEMPLATES_MAX) this.templates.shift();
    this.templates.push({
      template,
      r,
      chainId: ctx.chainId,
      height: ctx.blockHeight,
      timeNs: ctx.blockTimeNs,
      txIndex: ctx.txIndex,
      txHash: ctx.txHash,
    });
    return template.bytes;
  }

  /** Forgets the prepared calls' templates (the app's block ends: none of them can match a later call). */
  dropTemplates(): void {
    this.templates.length = 0;
  }

  /** The template prepared for exactly this execute call, taken out of the list; undefined when none is. */
  private templateFor(ctx: Context, r: CallRequest): RequestTemplate | undefined {
    if (r.op !== "execute") return undefined;
    const ts = this.templates;
    for (let i = 0; i < ts.length; i++) {
      if (sameCall(ts[i]!, ctx, r)) {
        const t = ts[i]!.template;
        ts.splice(i, 1);
        this.templateStats.spliced++;
        return t;
      }
    }
    this.templateStats.encoded++;
    return undefined;
  }

  /**
   * `request` with the verify lane's token for (tx, sender) in front when there is one by now: the enclave then
   * skips the secp256k1 verify in its checks (the token is not part of the binding: same outcome either way).
   */
  withVerdict(request: Uint8Array, txHash: Uint8Array, sender: string): Uint8Array {
    const token = this.verdicts?.(txHash, sender);
    return token === undefined ? request : withVerdictToken(request, token);
  }

  /**
   * The hot keys' current values and read charges, probed through the tx's metered store and refunded (the
   * reads the enclave takes from them are charged when it reports them). undefined when there is nothing hot.
   */
  private offerFor(ctx: Context, st: KVStore, contract: Uint8Array): PrefetchOffer | undefined {
    if (!this.prefetch) return undefined;
    const hot = this.readMemory.hot(contract);
    if (hot.keys.length === 0) return undefined;
    const offer = buildOffer(ctx.gasMeter, st, hot.keys, hot.ids);
    this.prefetchStats.offeredKeys += offer.entries.length;
    return offer.entries.length === 0 ? undefined : offer;
  }

  /** `call` for a query without blocking the thread (a query lane when the node has them). */
  async callQueryAsync(ctx: Context, r: CallRequest, gasLimit: bigint): Promise<CallAnswer> {
    const run = this.enclave.ecallQueryAsync;
    if (run === undefined) return this.call(ctx, r, gasLimit);
    const parts = this.callState(ctx, r);
    const st = this.keeper.contractState(ctx, r.contract);
    const opts = { gasLimit, ocalls: new ContractOcalls(this, ctx, st, this.prefetchStats) };
    let res = await run(this.encodeRequest(ctx, r, parts, NO_WASM), opts);
    // Each lane has its own code cache: a lane's first query of a code needs the bytes once.
    if (codeNotLoaded(res)) res = await run(this.encodeRequest(ctx, r, parts, this.wasmFor(ctx, r)), opts);
    return this.answer(ctx, res);
  }

  private wasmFor(ctx: Context, r: CallRequest): Uint8Array {
    const wasm = ctx.gasMeter.uncharged(() => this.keeper.getWasm(ctx, r.code.codeId));
    if (wasm === undefined) throw new ChainError(ComputeErrors.NotFound, `wasm of code ${r.code.codeId}`);
    return wasm;
  }

  private answer(ctx: Context, res: EcallResult): CallAnswer {
    if (ctx.gasMeter.isPastLimit()) ctx.gasMeter.consume(0n, "wasm contract storage");
    if ("error" in res) throw new EnclaveCallFailed(res.error.message, res.gasUsed, res.error.code);
    return decodeAnswer(res.ok, res.gasUsed);
  }

  /**
   * The state-dependent parts of one call's request, computed once: a retry after a code-cache miss must not
   * advance the block message counter a second time (that would fork a restarted node from warm ones).
   */
  private callState(ctx: Context, r: CallRequest, prefetch?: PrefetchOffer): CallState {
    if (r.op === "query") return { msgCounter: 0n, blockRandom: undefined, prefetch };
    const blockRandom = this.block.blockRandom(ctx);
    return { msgCounter: this.keeper.nextMsgCounter(ctx), blockRandom, prefetch };
  }

  /**
   * A call's request: spliced from its prepared template (the same bytes: the template holds every other field
   * as encodeRequest writes it, and sameCall checked that they still are), or encoded whole.
   */
  private requestOf(
    ctx: Context,
    r: CallRequest,
    p: CallState,
    wasm: Uint8Array,
    t: RequestTemplate | undefined,
  ): Uint8Array {
    if (t === undefined) return this.encodeRequest(ctx, r, p, wasm);
    return spliceRequest(t, p.msgCounter, p.blockRandom, p.prefetch, wasm);
  }

  /** One request envelope (src/enclave/contract/README.md) from the call and its state-dependent parts. */
  private encodeRequest(ctx: Context, r: CallRequest, p: CallState, wasm: Uint8Array): Uint8Array {
    return encodeContractRequest(this.requestFields(ctx, r, p, wasm));
  }

  /** The request's fields (what encodeRequest encodes, and a template of). */
  private requestFields(ctx: Context, r: CallRequest, p: CallState, wasm: Uint8Array): ContractRequest {
    return {
      codeHash: codeHashBytes(r.code.codeHash),
      wasm,
      env: {
        block: { height: ctx.blockHeight, timeNanos: ctx.blockTimeNs, chainId: ctx.chainId },
        message: { sender: r.sender, funds: [...r.funds] },
        contract: { address: toBech32(r.contract) },
        ...(ctx.txHash.length === 0
          ? {}
          : { transaction: { index: ctx.txIndex, hash: toHex(ctx.txHash).toUpperCase() } }),
      },
      msg: r.msg,
      contractKey:
        r.contractKey === undefined
          ? undefined
          : {
              ogContractKey: r.contractKey.og,
              ...(r.contractKey.current === undefined ? {} : { currentContractKey: r.contractKey.current }),
              ...(r.contractKey.proof === undefined ? {} : { currentContractKeyProof: r.contractKey.proof }),
            },
      callbackSig: r.callbackSig,
      sigInfo: r.sigInfo,
      admin: r.admin,
      adminProof: r.adminProof,
      blockRandom: p.blockRandom,
      msgCounter: p.msgCounter,
      queryDepth: r.queryDepth,
      prefetch: p.prefetch,
    };
  }

  /** Charges VM gas to the SDK meter (SN keeper.go consumeGas: gas / GasMultiplier). */
  chargeVmGas(ctx: Context, vmGas: bigint): void {
    ctx.gasMeter.consume(vmGas / GAS_MULTIPLIER, "wasm contract");
  }

  /** The queryChain OCALL (./queryChain.ts): Secret's `{"Ok":{"Ok":b64}}` / `{"Ok":{"Err":…}}` / `{"Err":{…}}`. */
  queryChain(ctx: Context, request: Uint8Array, gasLimit: bigint, depth: number) {
    this.queryDeps ??= {
      bank: this.bank,
      keeper: this.keeper,
      chain: this.chain,
      smart: (c, addr, msg, limit, d) => this.runQuery(c, addr, msg, limit, d),
    };
    return answerQueryChain(this.queryDeps, ctx, request, gasLimit, depth);
  }

  /**
   * The code and key a smart query of `addr` needs, for a context over *committed* state (REST smart queries,
   * src/api/rest/appBackend.ts createQueryContext): remembered per height, since state committed at a height
   * never changes. undefined when there is no contract at `addr`.
   */
  committedQueryTarget(ctx: Context, addr: Uint8Array): QueryTarget | undefined {
    const look = (): QueryTarget | undefined => {
      const info = this.keeper.getContract(ctx, addr);
      if (info === undefined) return undefined;
      return {
        code: this.keeper.mustCodeInfo(ctx, info.codeId),
        contractKey: this.keeper.getContractKey(ctx, addr),
      };
    };
    // Height 0 is before the first commit (genesis not yet committed): never remembered.
    return ctx.blockHeight < 1n ? look() : this.committedTargets.get(ctx.blockHeight, addr, look);
  }

  /**
   * runQuery without blocking the thread: the user's smart query (depth 0) on a query lane when there are any.
   * `ctx` must read committed state (see committedQueryTarget).
   */
  async runQueryAsync(
    ctx: Context,
    addr: Uint8Array,
    msg: Uint8Array,
    gasLimit: bigint,
  ): Promise<{ data: string; gasUsed: bigint } | { error: string; gasUsed: bigint }> {
    const target = this.committedQueryTarget(ctx, addr);
    if (target === undefined) throw new ChainError(ComputeErrors.NotFound, `contract ${toBech32(addr)}`);
    const r: CallRequest = {
      op: "query",
      contract: addr,
      ...target,
      sender: "",
      funds: [],
      msg,
      queryDepth: 0,
    };
    try {
      return queryOutcome(await this.callQueryAsync(ctx, r, gasLimit));
    } catch (e) {
      if (e instanceof EnclaveCallFailed) return { error: e.message, gasUsed: e.gasUsed };
      throw e;
    }
  }

  private queryRequest(ctx: Context, addr: Uint8Array, msg: Uint8Array, depth: number): CallRequest {
    const info = this.keeper.mustContract(ctx, addr);
    return {
      op: "query",
      contract: addr,
      code: this.keeper.mustCodeInfo(ctx, info.codeId),
      sender: "",
      funds: [],
      msg,
      contractKey: this.keeper.getContractKey(ctx, addr),
      queryDepth: depth,
    };
  }

  /**
   * A smart query (user query at depth 0, contract query deeper). Contract errors come back as
   * `encrypted: <b64>: query contract failed`, enclave errors as their message.
   */
  runQuery(
    ctx: Context,
    addr: Uint8Array,
    msg: Uint8Array,
    gasLimit: bigint,
    depth: number,
  ): { data: string; gasUsed: bigint } | { error: string; gasUsed: bigint } {
    const r = this.queryRequest(ctx, addr, msg, depth);
    try {
      return queryOutcome(this.call(ctx, r, gasLimit));
    } catch (e) {
      if (e instanceof EnclaveCallFailed) return { error: e.message, gasUsed: e.gasUsed };
      throw e;
    }
  }
}

/** What a write or remove answers: KV gas goes to the SDK meter, so OCALLs report 0 VM gas (see the top). */
const NO_VM_GAS: { readonly gasUsed: bigint } = Object.freeze({ gasUsed: 0n });

/**
 * The OCALL answers of one ECALL over the contract's store `st`. `readSet` collects the keys the call read,
 * through OCALLs or from the offer (for the read memory). A prefetched read is charged by replaying it through
 * the same metered store, so the meter sees exactly the reads it would have seen, in the same order. A class
 * (methods on its prototype) rather than an object of closures: one allocation per ECALL.
 */
class ContractOcalls implements OcallHandler {
  private readonly reads: PrefetchReads;

  constructor(
    private readonly engine: ComputeEngine,
    private readonly ctx: Context,
    private readonly st: KVStore,
    stats: PrefetchStats,
    offer?: PrefetchOffer,
    readSet?: Map<string, Uint8Array>,
  ) {
    this.reads = new PrefetchReads(st, stats, offer, readSet);
  }

  readDb(key: Uint8Array): { value: Uint8Array | undefined; gasUsed: bigint } {
    return { value: this.reads.ocallRead(key), gasUsed: 0n };
  }

  chargePrefetched(index: number): void {
    this.reads.charge(index);
  }

  remainingGas(): bigint | undefined {
    return this.ctx.gasMeter.remaining;
  }

  peekRead(key: Uint8Array): { index: number; value: Uint8Array | undefined; charge: bigint } | undefined {
    return this.reads.peek(this.ctx.gasMeter, key);
  }

  writeDb(key: Uint8Array, value: Uint8Array): { gasUsed: bigint } {
    this.st.set(key, value);
    return NO_VM_GAS;
  }

  removeDb(key: Uint8Array): { gasUsed: bigint } {
    this.st.delete(key);
    return NO_VM_GAS;
  }

  queryChain(request: Uint8Array, gasLimit: bigint, depth: number): { result: Uint8Array; gasUsed: bigint } {
    try {
      return this.engine.queryChain(this.ctx, request, gasLimit, depth);
    } catch (e) {
      if (e instanceof EnclaveCallFailed) throw new OcallFailure(e.message, e.gasUsed);
      throw e;
    }
  }
}

/** A query's answer as the REST/queryChain layers use it: the (encrypted) data or the error text. */
function queryOutcome(a: CallAnswer): { data: string; gasUsed: bigint } | { error: string; gasUsed: bigint } {
  if (a.err !== undefined)
    return { error: `encrypted: ${errText(a.err)}: query contract failed`, gasUsed: a.gasUsed };
  return { data: typeof a.ok === "string" ? a.ok : "", gasUsed: a.gasUsed };
}

/** The (encrypted) text of a contract error `{"generic_err":{"msg":…}}`; other shapes as JSON. */
export function errText(err: unknown): string {
  if (isObj(err) && isObj(err.generic_err) && typeof err.generic_err.msg === "string")
    return err.generic_err.msg;
  return JSON.stringify(err);
}

/** SIV ciphertexts are ≥ 16 bytes (the tag); anything else (plaintext calls, host-made errors) is shown as is. */
function looksEncrypted(s: string): boolean {
  return s.length >= 24 && s.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(s);
}

/**
 * ChainError for a failed operation, rendered as Secret does: `encrypted: <b64>: <op> contract failed`
 * (secretjs decrypts group 1); a plaintext error (e.g. the enclave's "contract doesn't have permission")
 * keeps its text without the `encrypted:` marker.
 */
export function contractError(failed: RegisteredError, err: unknown): ChainError {
  const text = errText(err);
  return new ChainError(failed, looksEncrypted(text) ? `encrypted: ${text}` : text);
}
