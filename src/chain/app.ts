// The ABCI 2.0 application (CometBFT v0.38 semantics): ONE object that the embedded engine drives in-process
// and the socket server serves to CometBFT. State lives in the versioned store; CheckTx, proposal candidates
// and the block being finalized are overlays on it; Commit persists a block in one store transaction.
// It answers users with coded results and throws only on broken invariants (spec consensus-storage-perf §1).
import "./cosmjsInt64.js"; // before any encode: cosmjs-types writes (u)int64 in [2^31, 2^32) wrongly
import {
  CheckTxType,
  ResponseProcessProposal_ProposalStatus,
  type ExecTxResult,
  type RequestCheckTx,
  type RequestFinalizeBlock,
  type RequestInfo,
  type RequestInitChain,
  type RequestPrepareProposal,
  type RequestProcessProposal,
  type RequestQuery,
  type ResponseCheckTx,
  type ResponseCommit,
  type ResponseFinalizeBlock,
  type ResponseInfo,
  type ResponseInitChain,
  type ResponsePrepareProposal,
  type ResponseProcessProposal,
  type ResponseQuery,
  type ValidatorUpdate,
} from "cosmjs-types/tendermint/abci/types";
import type { AbciApplication, FinalizeSteps } from "../consensus/abciTypes.js";
import { equalBytes, utf8 } from "../util/bytes.js";
import { SdkErrors, UndefinedErrors } from "./errors.js";
import { GenesisError, parseAppState, parseRfc3339Ns, type GenesisDoc } from "./genesis.js";
import { MemoryKVStore, MemoryOverlay } from "./store/memory.js";
import type { PreparedBlock, Store } from "./store/store.js";
import type { KVReader } from "./store/types.js";
import { DEFAULT_MIN_GAS_PRICE, parseGasPrices } from "./tx/fees.js";
import { runTx } from "./tx/runTx.js";
import type { Context } from "./tx/context.js";
import { BlockRandomKeeper, blockRefFor, decodeRandomTx, isRandomTx } from "./random.js";
import { appContext, hookInfo } from "./app/context.js";
import { createChainModules, type ChainModules } from "./app/modules.js";
import { EnclaveGuard, EnclaveHaltError, type AppEnclave } from "./app/enclaveGuard.js";
import type { DecodedTx } from "./tx/decode.js";
import { decodeTxCached } from "./tx/txCache.js";
import {
  CheckedTxLog,
  checkProposal,
  prepareTxs,
  proposalDigest,
  type ProposalChecks,
  type ProposalEnv,
} from "./app/proposal.js";
import { QueryRouter } from "./app/query.js";
import { plainResult, timestampNs, toAbciEvents, toExecTxResult } from "./app/results.js";
import {
  appVersionOf,
  BlockGasMeter,
  deliverUnderBlockGas,
  maxBlockGas,
  overBlockGas,
  readConsensusParams,
  storeConsensusParams,
} from "./app/blockGas.js";
import { APP_VERSION } from "./version.js";
import { verifyAheadFor, type VerifyAhead } from "./app/verifyAhead.js";
import { prepareAheadFor, type PrepareAhead } from "./app/prepareAhead.js";
import { SpeculativeAnte } from "./app/speculativeAnte.js";
import { ResultsAhead } from "./app/resultsAhead.js";

export { APP_VERSION };
/** Log of results refused because the enclave is unavailable (uncommitted, never consensus data). */
const ENCLAVE_DOWN = "enclave unavailable";
/** The app's own state keys (chain id), under a prefix no module uses. */
const APP_PREFIX = utf8.encode("app/");
const CHAIN_ID_KEY = new Uint8Array([...APP_PREFIX, ...utf8.encode("chain_id")]);

export { EnclaveHaltError, type AppEnclave };

export interface ShroudAppOptions {
  readonly store: Store;
  readonly enclave?: AppEnclave | undefined;
  /** Validator-local minimum gas prices for CheckTx (default 0.0125uscrt, as LocalSecret). */
  readonly minGasPrices?: string;
  readonly proposalChecks?: ProposalChecks;
  /**
   * The InitChain request of this chain, for an engine that replays block 1 after a crash without calling
   * InitChain again (CometBFT calls InitChain first; the embedded engine does not): FinalizeBlock on an empty
   * store with no InitChain state then runs it first.
   */
  readonly replayGenesis?: RequestInitChain;
  /**
   * Send each contract tx's input checks to the enclave ahead of its ECALL, while this thread applies the tx
   * before it (./app/prepareAhead.ts; speed only). Default: on when the enclave runs no verify lane.
   */
  readonly prepareCalls?: boolean;
  /**
   * Run each tx's ante while the tx before it waits for its contract ECALL, and take that outcome when nothing
   * the tx before wrote was read by it (./app/speculativeAnte.ts; speed only). Default: off. On this 2-core box
   * it shortened the gap between ECALLs but lengthened the ECALL as much (the main thread, busy in the wait,
   * competes with the enclave for a core) and cost ~0.05 ms/tx of CPU: no Finalize gain loaded or quiet
   * (docs/BENCHMARKS.md, session 10 K1 and the lead's quiet A/B). A node with spare cores may gain.
   */
  readonly speculativeAnte?: boolean;
  /**
   * Protobuf-encode each delivered tx's result while this thread waits for the next contract ECALL, so the
   * block's response encoding (block store, ABCI answer) copies bytes (./app/resultsAhead.ts; speed only).
   * Default: off. On this loaded 2-core box saveBlock lost ~0.015 ms per SNIP-20 transfer and the execute ECALL's
   * wall grew by about as much in most pairs (the main thread, busy in the wait, competes with the enclave for a
   * core; docs/BENCHMARKS.md session 13 N2); a quiet A/B (`bench/chain/threads.ts --results-ahead ab`) decides.
   */
  readonly encodeResultsAhead?: boolean;
}

interface PendingBlock {
  readonly height: bigint;
  readonly timeNs: bigint;
  readonly prepared: PreparedBlock;
}

export class ShroudApp implements AbciApplication {
  readonly modules: ChainModules;
  readonly random = new BlockRandomKeeper();
  private readonly store: Store;
  private readonly enclave: AppEnclave | undefined;
  private readonly checks: ProposalChecks;
  private readonly router: QueryRouter;
  private chainId: string;
  /** InitChain's state until the first Commit (it has no height of its own: chain/store README). */
  private genesis: MemoryOverlay | undefined;
  private checkState: MemoryOverlay;
  /** What checkState holds, in order (PrepareProposal's fast path); reset with checkState. */
  private checkLog: CheckedTxLog;
  private pending: PendingBlock | undefined;
  /** A FinalizeBlock begun (beginFinalizeBlock) and not ended yet. */
  private finalizing = false;
  private lastAppHash: Uint8Array;
  private lastBlockTimeNs = 0n;
  /** InitChain's initial_height: the height of the first block. */
  private genesisHeight = 1n;
  private readonly replayGenesis: RequestInitChain | undefined;
  /** The tx runTx is delivering or simulating (compute's txOf: the enclave needs its signature). */
  private delivering: DecodedTx | undefined;
  /** Digest of our own last proposal (height, base app hash, txs): ProcessProposal of it needs no re-check. */
  private ownProposal: Uint8Array | undefined;
  /** consensus_params.block.max_gas (undefined = unlimited): fixed at InitChain (no x/consensus). */
  private maxGas: bigint | undefined;
  /** Sees every enclave call die (EnclaveUnavailableError): consensus calls then halt instead of answering. */
  private readonly guard = new EnclaveGuard();
  /** Signature checks of a block queued on the enclave's verify lane, when it has one (speed only). */
  private readonly verifyAhead: VerifyAhead | undefined;
  /** Input checks of the next contract call sent to the enclave while this thread works (speed only). */
  readonly prepareAhead: PrepareAhead | undefined;
  /** The next tx's ante run inside the current tx's ECALL wait (speed only; unlimited block gas only; `enabled`). */
  readonly speculativeAnte: SpeculativeAnte | undefined;
  /** Tx results encoded in the ECALL waits (speed only; `enabled`). */
  readonly resultsAhead: ResultsAhead;

  constructor(opts: ShroudAppOptions) {
    this.store = opts.store;
    this.replayGenesis = opts.replayGenesis;
    this.enclave = opts.enclave === undefined ? undefined : this.guard.wrap(opts.enclave);
    this.checks = opts.proposalChecks ?? "full";
    this.modules = createChainModules({
      enclave: this.enclave,
      block: {
        blockRandom: (ctx) => this.random.get(ctx),
        txOf: (ctx) =>
          this.delivering !== undefined && equalBytes(this.delivering.hash, ctx.txHash)
            ? this.delivering
            : undefined,
      },
      minGasPrices: parseGasPrices(opts.minGasPrices ?? DEFAULT_MIN_GAS_PRICE),
    });
    this.verifyAhead = verifyAheadFor(opts.enclave, this.modules);
    // With a verify lane the checks left to prepare are small and building the prepare costs this thread more
    // than the enclave saves (docs/BENCHMARKS.md "Prepared calls (session 8, H1)"): on by default without one.
    const prepare = opts.prepareCalls ?? this.verifyAhead === undefined;
    this.prepareAhead = prepare ? prepareAheadFor(opts.enclave, this.modules) : undefined;
    // Built with any enclave (so benches can switch it), enabled only when asked for.
    this.speculativeAnte = opts.enclave === undefined ? undefined : new SpeculativeAnte(this.modules.txEnv);
    if (this.speculativeAnte !== undefined) this.speculativeAnte.enabled = opts.speculativeAnte ?? false;
    this.modules.compute.engine.speculateWhileWaiting = this.speculativeAnte?.idle;
    this.resultsAhead = new ResultsAhead(this.modules.compute.engine);
    this.resultsAhead.enabled = opts.encodeResultsAhead ?? false;
    const stored = this.store.committed.get(CHAIN_ID_KEY);
    this.chainId = stored === undefined ? "" : utf8.decode(stored);
    this.lastAppHash = this.store.info().lastAppHash;
    this.maxGas = maxBlockGas(readConsensusParams(this.store.committed));
    this.checkState = this.store.newOverlay();
    this.checkLog = new CheckedTxLog(this.nextHeight());
    this.router = new QueryRouter(() => ({
      store: this.store,
      modules: this.modules,
      chainId: this.chainId,
      lastBlockTimeNs: this.lastBlockTimeNs,
      withTx: (tx, f) => this.withDelivering(tx, f),
    }));
  }

  /** The state the next block builds on: InitChain's overlay before the first commit, else the committed state. */
  private base(): KVReader {
    return this.genesis ?? this.store.committed;
  }

  private nextHeight(): bigint {
    return BigInt(this.store.info().lastHeight) + 1n;
  }

  info(_req: RequestInfo): ResponseInfo {
    const i = this.store.info();
    return {
      data: "shroud",
      version: APP_VERSION,
      // SDK v0.50: consensus params' version.app from state (0 when unset).
      appVersion: appVersionOf(readConsensusParams(this.store.committed)),
      lastBlockHeight: BigInt(i.lastHeight),
      lastBlockAppHash: i.lastAppHash,
    };
  }

  initChain(req: RequestInitChain): ResponseInitChain {
    if (this.store.info().lastHeight !== 0) throw new Error("InitChain on a store that already has blocks");
    if (req.chainId === "") throw new Error("InitChain: empty chain id");
    const appState = parseAppState(req.appStateBytes);
    const overlay = this.store.newOverlay();
    const timeNs = timestampNs(req.time);
    const ctx = appContext(overlay, req.chainId, req.initialHeight, timeNs);
    overlay.set(CHAIN_ID_KEY, utf8.encode(req.chainId));
    if (req.consensusParams !== undefined) {
      this.maxGas = maxBlockGas(req.consensusParams); // throws on max_gas < -1: such a genesis cannot start
      storeConsensusParams(overlay, req.consensusParams);
    }
    const validators = initModuleGenesis(this.modules, ctx, appState);
    const initialHeight = req.initialHeight > 0n ? req.initialHeight : 1n;
    const appHash = this.store.prepare(Number(initialHeight), overlay.pendingWrites()).appHash;
    this.chainId = req.chainId;
    this.genesisHeight = initialHeight;
    this.genesis = overlay;
    this.checkState = new MemoryOverlay(overlay);
    this.checkLog = new CheckedTxLog(this.nextHeight());
    this.lastAppHash = appHash;
    this.lastBlockTimeNs = timeNs;
    return { validators, appHash };
  }

  checkTx(req: RequestCheckTx): ResponseCheckTx {
    if (isRandomTx(req.tx)) {
      const r = plainResult(SdkErrors.TxDecode, "a block random is injected by the proposer only");
      return r;
    }
    const over = overBlockGas(this.modules.txEnv, req.tx, this.maxGas);
    if (over !== undefined) return toExecTxResult(over);
    const mark = this.guard.mark();
    // A RECHECK runs the same ante without building its events (runTx "recheck"): its answer carries none.
    const mode = req.type === CheckTxType.RECHECK ? "recheck" : "check";
    const r = runTx(this.modules.txEnv, this.checkState, req.tx, mode, {
      chainId: this.chainId,
      height: this.nextHeight(),
      timeNs: this.lastBlockTimeNs,
    });
    // A dead enclave refuses this tx with a code (the mempool goes on); its writes are only CheckTx state.
    if (this.guard.diedSince(mark) !== undefined) {
      this.checkLog.invalidate();
      return plainResult(UndefinedErrors.Internal, ENCLAVE_DOWN);
    }
    if (r.code === 0 && r.tx !== undefined) this.checkLog.add(r.tx.raw, r.gasWanted);
    // A RECHECK answer is read by CometBFT's mempool only (code, gas_wanted for its max-gas post-check; v0.38
    // mempool/clist_mempool.go resCbRecheck): no events or data to build and encode for every pending tx.
    if (req.type === CheckTxType.RECHECK)
      return {
        ...plainResult(),
        code: r.code,
        log: r.log,
        codespace: r.codespace,
        gasWanted: r.gasWanted,
        gasUsed: r.gasUsed,
      };
    return toExecTxResult(r);
  }

  private proposalEnv(height: bigint, timeNs: bigint, nextValidatorsHash: Uint8Array): ProposalEnv {
    return {
      env: this.modules.txEnv,
      base: this.base(),
      chainId: this.chainId,
      height,
      timeNs,
      checks: this.checks,
      enclave: this.enclave,
      ref: blockRefFor(height, this.lastAppHash, nextValidatorsHash),
      maxGas: this.maxGas,
    };
  }

  prepareProposal(req: RequestPrepareProposal): ResponsePrepareProposal {
    const p = this.proposalEnv(req.height, timestampNs(req.time), req.nextValidatorsHash);
    const txs = this.guard.step("PrepareProposal", () =>
      prepareTxs(p, req.txs, req.maxTxBytes, this.checkLog),
    );
    this.ownProposal = proposalDigest(req.height, this.lastAppHash, req.nextValidatorsHash, txs);
    return { txs };
  }

  processProposal(req: RequestProcessProposal): ResponseProcessProposal {
    // Our own proposal, unchanged, carries the random our enclave just made: no second verify ECALL.
    const digest = proposalDigest(req.height, this.lastAppHash, req.nextValidatorsHash, req.txs);
    if (this.ownProposal !== undefined && equalBytes(digest, this.ownProposal)) {
      return { status: ResponseProcessProposal_ProposalStatus.ACCEPT };
    }
    const p = this.proposalEnv(req.height, timestampNs(req.time), req.nextValidatorsHash);
    const refusal = this.guard.step("ProcessProposal", () => checkProposal(p, req.txs));
    return {
      status:
        refusal === undefined
          ? ResponseProcessProposal_ProposalStatus.ACCEPT
          : ResponseProcessProposal_ProposalStatus.REJECT,
    };
  }

  finalizeBlock(req: RequestFinalizeBlock): ResponseFinalizeBlock {
    // The same steps the embedded engine takes one at a time (beginFinalizeBlock), run to the end at once.
    const steps = this.beginFinalizeBlock(req);
    while (steps.step());
    return steps.result!;
  }

  /**
   * FinalizeBlock one step at a time (abciTypes.ts FinalizeSteps): the first step checks the request and runs
   * BeginBlock and the first tx, each next step one tx, the last EndBlock and the app hash. Between two steps the
   * caller may give its event loop a turn (the embedded engine does), never inside a tx; nothing else may touch
   * the app's state or enclave meanwhile but CheckTx. The block's writes stay in its overlay until the last step:
   * a step that throws (or an enclave death seen at any point of the block, as EnclaveHaltError) ends the block
   * with nothing applied, as finalizeBlock's.
   */
  beginFinalizeBlock(req: RequestFinalizeBlock): FinalizeSteps {
    if (this.pending !== undefined || this.finalizing)
      throw new Error("FinalizeBlock called twice without Commit");
    this.finalizing = true;
    const mark = this.guard.mark();
    const body = this.finalizeBlockUnguarded(req);
    let result: ResponseFinalizeBlock | undefined;
    let over = false;
    /** The enclave death seen since the block began, as the halt it is. */
    const halt = (): EnclaveHaltError | undefined => {
      const died = this.guard.diedSince(mark);
      return died === undefined ? undefined : new EnclaveHaltError("FinalizeBlock", died);
    };
    const step = (): boolean => {
      if (over) return false;
      let next: IteratorResult<void, [ResponseFinalizeBlock, PendingBlock]>;
      try {
        next = body.next();
      } catch (e) {
        over = true;
        this.finalizing = false;
        throw halt() ?? e;
      }
      const halted = halt();
      if (halted !== undefined) {
        over = true;
        this.finalizing = false;
        if (next.done !== true) body.return(undefined as never); // the finally blocks end the block's helpers
        throw halted;
      }
      if (next.done !== true) return true;
      over = true;
      this.finalizing = false;
      [result, this.pending] = next.value;
      return false;
    };
    return {
      step,
      get result() {
        return result;
      },
    };
  }

  private *finalizeBlockUnguarded(
    req: RequestFinalizeBlock,
  ): Generator<void, [ResponseFinalizeBlock, PendingBlock], void> {
    if (
      this.genesis === undefined &&
      this.store.info().lastHeight === 0 &&
      this.replayGenesis !== undefined
    ) {
      this.initChain(this.replayGenesis);
    }
    const expected = this.genesis === undefined ? this.nextHeight() : this.genesisHeight;
    if (req.height !== expected || req.height < 1n) {
      throw new Error(`FinalizeBlock at height ${req.height}, expected ${expected}`);
    }
    const timeNs = timestampNs(req.time);
    const overlay = new MemoryOverlay(this.base());
    const ctx = appContext(overlay, this.chainId, req.height, timeNs);
    // Reads only, through a throwaway overlay: the lane starts on the block's signatures at once.
    this.verifyAhead?.beginBlock(
      appContext(new MemoryOverlay(overlay), this.chainId, req.height, timeNs),
      req.txs,
    );
    const at = { chainId: this.chainId, height: req.height, timeNs };
    this.prepareAhead?.beginBlock(overlay, at, req.txs);
    // Under a block gas limit a tx runs in a child overlay and may be rerun: no speculation there.
    if (this.maxGas === undefined) this.speculativeAnte?.beginBlock(at, req.txs);
    this.resultsAhead.beginBlock();
    try {
      return yield* this.finalizeInOverlay(req, overlay, ctx);
    } finally {
      this.prepareAhead?.endBlock();
      this.speculativeAnte?.endBlock();
      this.resultsAhead.endBlock();
    }
  }

  /** FinalizeBlock's body over the block's overlay: BeginBlock, the txs (a step each), EndBlock, the app hash. */
  private *finalizeInOverlay(
    req: RequestFinalizeBlock,
    overlay: MemoryOverlay,
    ctx: Context,
  ): Generator<void, [ResponseFinalizeBlock, PendingBlock], void> {
    const timeNs = ctx.blockTimeNs;
    const hook = { ...hookInfo(req, timeNs), chainId: this.chainId, lastAppHash: this.lastAppHash };
    const txResults: ExecTxResult[] = [];
    const gas = new BlockGasMeter(this.maxGas);
    const randomOk = this.applyBlockRandom(ctx, req);
    for (const m of this.modules.beginBlockers) m.beginBlock?.(ctx, hook);
    const events = toAbciEvents(ctx.events.events, { key: "mode", value: "BeginBlock" });
    for (let i = 0; i < req.txs.length; i++) {
      if (i > 0) yield; // between two txs, never inside one
      const tx = req.txs[i]!;
      this.prepareAhead?.delivering(i);
      this.speculativeAnte?.delivering(i);
      if (i === 0 && randomOk !== undefined) txResults.push(randomOk);
      else if (isRandomTx(tx)) txResults.push(plainResult(SdkErrors.TxDecode, "misplaced block random"));
      else {
        const r = this.deliverTx(overlay, tx, { height: req.height, timeNs, txIndex: i }, gas);
        txResults.push(r);
        this.resultsAhead.finished(r);
      }
    }
    if (req.txs.length > 0) yield; // EndBlock and the app hash: the last step
    const endCtx = appContext(overlay, this.chainId, req.height, timeNs);
    const validatorUpdates: ValidatorUpdate[] = [];
    for (const m of this.modules.endBlockers) validatorUpdates.push(...(m.endBlock?.(endCtx, hook) ?? []));
    events.push(...toAbciEvents(endCtx.events.events, { key: "mode", value: "EndBlock" }));
    const writes =
      this.genesis === undefined ? overlay.pendingWrites() : (overlay.write(), this.genesis.pendingWrites());
    const prepared = this.store.prepare(Number(req.height), writes);
    const res = { events, txResults, validatorUpdates, appHash: prepared.appHash };
    return [res, { height: req.height, timeNs, prepared }];
  }

  private deliverTx(
    state: MemoryOverlay,
    tx: Uint8Array,
    at: { height: bigint; timeNs: bigint; txIndex: number },
    gas: BlockGasMeter,
  ): ExecTxResult {
    const block = { chainId: this.chainId, ...at };
    const spec = this.speculativeAnte;
    if (gas.limit === undefined && spec !== undefined) {
      return toExecTxResult(
        this.withDelivering(tx, () => runTx(this.modules.txEnv, state, tx, "deliver", block, spec)),
      );
    }
    const r = deliverUnderBlockGas(this.modules.txEnv, state, tx, block, gas, (f) =>
      this.withDelivering(tx, f),
    );
    return toExecTxResult(r);
  }

  /** Runs `f` with `tx` (from the decode cache runTx also reads) visible to compute's txOf. */
  private withDelivering<T>(tx: Uint8Array, f: () => T): T {
    try {
      this.delivering = decodeTxCached(tx, this.modules.registry);
    } catch {
      this.delivering = undefined; // runTx reports the decode error itself
    }
    try {
      return f();
    } finally {
      this.delivering = undefined;
    }
  }

  /**
   * spec §9 at BeginBlock: the first tx, if it is a block random, is verified and decrypted by our enclave and
   * the plaintext kept for the block. Returns that tx's result, or undefined when the block has none.
   */
  private applyBlockRandom(ctx: Context, req: RequestFinalizeBlock): ExecTxResult | undefined {
    const first = req.txs[0];
    if (first === undefined || !isRandomTx(first)) return undefined;
    const parts = decodeRandomTx(first);
    if (parts === undefined) return plainResult(SdkErrors.TxDecode, "malformed block random");
    if (this.enclave === undefined)
      return plainResult(SdkErrors.InvalidRequest, "no enclave to verify the block random");
    const ref = blockRefFor(req.height, this.lastAppHash, req.nextValidatorsHash);
    let random: Uint8Array;
    try {
      random = this.enclave.verifyBlockRandom(ref, parts.encrypted, parts.proof);
    } catch {
      return plainResult(SdkErrors.Unauthorized, "block random does not verify");
    }
    this.random.set(ctx, req.height, random);
    return plainResult();
  }

  commit(): ResponseCommit {
    const p = this.pending;
    if (p === undefined) throw new Error("Commit without FinalizeBlock");
    this.store.commitPrepared(p.prepared);
    this.pending = undefined;
    this.genesis = undefined;
    this.lastAppHash = p.prepared.appHash;
    this.lastBlockTimeNs = p.timeNs;
    this.checkState = this.store.newOverlay();
    this.checkLog = new CheckedTxLog(this.nextHeight());
    this.ownProposal = undefined;
    return { retainHeight: 0n };
  }

  query(req: RequestQuery): ResponseQuery {
    const mark = this.guard.mark();
    const res = this.router.query(req);
    // A simulation or contract query that met a dead enclave: a coded answer, not the tx's panic.
    if (this.guard.diedSince(mark) === undefined) return res;
    const e = UndefinedErrors.Internal;
    return {
      ...res,
      code: e.code,
      codespace: e.codespace,
      log: `${ENCLAVE_DOWN}: ${e.message}`,
      value: new Uint8Array(),
    };
  }

  /** Every module's genesis section from the state at `height` (default: the latest commit). */
  exportAppState(height?: number): Record<string, unknown> {
    const last = this.store.info().lastHeight;
    const reader =
      height === undefined || height === last ? this.store.committed : this.store.readerAt(height);
    const h = BigInt(height ?? last);
    const ctx = appContext(new MemoryOverlay(reader), this.chainId, h, this.lastBlockTimeNs);
    const out: Record<string, unknown> = {};
    for (const m of this.modules.list) out[m.name] = m.exportGenesis(ctx);
    return out;
  }

  get chain(): string {
    return this.chainId;
  }
}

/** Runs every module's InitGenesis in list order; unknown sections and module failures name their section. */
function initModuleGenesis(
  modules: ChainModules,
  ctx: Context,
  appState: Record<string, unknown>,
): ValidatorUpdate[] {
  const names = modules.list.map((m) => m.name);
  for (const k of Object.keys(appState).sort()) {
    if (!names.includes(k))
      throw new GenesisError(`app_state.${k}: unknown module (known: ${names.join(", ")})`);
  }
  const validators: ValidatorUpdate[] = [];
  for (const m of modules.list) {
    try {
      validators.push(...(m.initGenesis(ctx, appState[m.name]) ?? []));
    } catch (e) {
      throw new GenesisError(`app_state.${m.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return validators;
}

/** Full validation of a genesis document: a dry run of InitChain's module genesis on a throwaway store. */
export function validateGenesis(doc: GenesisDoc): void {
  const modules = createChainModules({ minGasPrices: [] });
  const ctx = appContext(
    new MemoryKVStore(),
    doc.chain_id,
    BigInt(doc.initial_height),
    parseRfc3339Ns(doc.genesis_time),
  );
  initModuleGenesis(modules, ctx, doc.app_state);
}
