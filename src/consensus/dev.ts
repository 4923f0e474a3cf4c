// The embedded single-validator engine: drives an ABCI 2.0 application in-process the way CometBFT would
// (Info handshake, InitChain, CheckTx into a mempool, PrepareProposal → ProcessProposal → FinalizeBlock →
// store block → Commit → recheck), with no empty blocks while idle. It is the consensus of `shroud dev`:
// one validator, no BFT. Crash safety mirrors CometBFT: the block and its results are stored (and synced) before
// the app commits; on start an app one block behind has that block replayed (spec consensus-storage-perf §1.6).
import { EventEmitter } from "node:events";
import {
  CheckTxType,
  ResponseProcessProposal_ProposalStatus,
  type ExecTxResult,
  type ResponseCheckTx,
  type ResponseFinalizeBlock,
  type ValidatorUpdate,
} from "cosmjs-types/tendermint/abci/types";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import { Block } from "cosmjs-types/tendermint/types/block";
import type { ConsensusParams } from "cosmjs-types/tendermint/types/params";
import { BlockID, Commit, CommitSig, type Header } from "cosmjs-types/tendermint/types/types";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import type { AbciApplication } from "./abciTypes.js";
import { MEMPOOL_REFUSALS, refused } from "./appMempool.js";
import { BlockStore } from "./blockStore.js";
import {
  ed25519Address,
  resultsHash,
  sha256,
  txsHash,
  validatorsHash,
  type ValidatorInfo,
} from "./header.js";
import { merkleRoot } from "./merkle.js";
import { nsToTimestamp, timestampToNs } from "./time.js";
import { blockIdOf, Ed25519Signer, precommitSignBytes } from "./votes.js";

/** CometBFT's block protocol version (version/version.go BlockProtocol). */
const BLOCK_PROTOCOL = 11n;
/** CometBFT mempool default `size`. */
const MEMPOOL_MAX_TXS = 5000;

export interface DevEngineOptions {
  app: AbciApplication;
  blockStorePath: string;
  chainId: string;
  /** 32-byte ed25519 seed of the single validator. */
  validatorSeed: Uint8Array;
  /** Minimum time between blocks (LocalSecret's fast blocks are ~200 ms). */
  blockTimeMs: number;
  genesisTimeNs: bigint;
  appStateBytes: Uint8Array;
  initialHeight?: bigint;
  consensusParams?: ConsensusParams;
  /** Largest block payload (sum of tx bytes) the engine proposes; a 2 MiB wasm upload must fit. */
  maxBlockTxBytes?: number;
  /** Largest single tx accepted into the mempool. */
  maxTxBytes?: number;
  /** Clock source (wall clock by default; tests inject one). Engines may read the clock; the app may not. */
  nowNs?: () => bigint;
  /**
   * The pipeline (README "Pipeline"): where the engine installs its CheckTx queue as door jobs of the app's
   * enclave (EnclaveHost.doorJobs) for the length of FinalizeBlock. Without it, or with `pipelined` off, a tx
   * broadcast during a block is checked at once, as before. The app's checkTx must be synchronous (ShroudApp).
   */
  pipeline?: { setDoorJobs(jobs: (() => boolean) | undefined): void };
  /**
   * Step FinalizeBlock (README "Stepping"): give the event loop a turn (setImmediate) between two txs once this
   * many ms of wall have passed since the last turn, so sockets are read during a block and broadcasts reach the
   * queue. Needs an app with `beginFinalizeBlock` (ShroudApp). Undefined (default): FinalizeBlock in one go.
   */
  yieldEveryMs?: number;
}

/** A tx broadcast while a block is being produced, waiting for its CheckTx NEW (pipeline). */
interface QueuedTx {
  readonly tx: Uint8Array;
  readonly hash: Uint8Array;
  readonly key: string;
  readonly resolve: (r: BroadcastResult) => void;
  readonly reject: (e: unknown) => void;
}

export interface BroadcastResult {
  hash: Uint8Array;
  checkTx: ResponseCheckTx;
}

/**
 * The app's state has committed blocks the block store does not hold: the engine refuses to start and changes
 * nothing (README "Durability"). The blocks' txs are gone, so neither replaying nor re-producing them could give
 * the same chain; a power loss cannot cause it since the block store syncs each block before Commit (session 17);
 * a data folder put together from two copies, or one that lost a file, can.
 */
export class StateAheadError extends Error {
  readonly code = "STATE_AHEAD_OF_BLOCK_STORE";
  constructor(
    readonly appHeight: bigint,
    readonly storeHeight: bigint,
  ) {
    super(
      `the app's state is at height ${appHeight} but the block store ends at ${storeHeight}: blocks ` +
        `${storeHeight + 1n}..${appHeight} are missing and cannot be rebuilt (a data folder restored from ` +
        `copies of different times, or a lost block store file?); nothing was changed`,
    );
    this.name = "StateAheadError";
  }
}

/** Events: "block" (height: bigint), "tx" ({ hash, height, index, result }). */
export class DevEngine extends EventEmitter {
  readonly store: BlockStore;
  private readonly signer: Ed25519Signer;
  private readonly opts: DevEngineOptions;
  private readonly mempool = new Map<string, Uint8Array>();
  private validators: ValidatorInfo[] = [];
  private lastBlockId = BlockID.fromPartial({});
  private lastTimeNs = 0n;
  private lastResults: ExecTxResult[] = [];
  private lastAppHash: Uint8Array = new Uint8Array();
  private lastCommit: Commit | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The timer's block, queued or running (at most one: schedule() arms no timer meanwhile). */
  private producing: Promise<void> | undefined;
  /**
   * The last block requested (explicitly or by the timer), settled or not: each block starts only once the one
   * before it has ended, so two blocks never run at once and no request is lost (README "One block at a time").
   */
  private lastRequested: Promise<void> = Promise.resolve();
  /** Blocks requested and not ended yet (running or queued). */
  private blocksRequested = 0;
  private stopped = false;
  private appVersion = 0n;
  /** produceBlock() is running (from its first line to its last). */
  private inBlock = false;
  /** Txs broadcast during the block, in arrival order, not checked yet (pipeline). */
  private readonly queue: QueuedTx[] = [];
  /**
   * Queue the txs broadcast during a block and check them as door jobs inside FinalizeBlock's ECALL waits (the
   * rest after FinalizeBlock, before Commit). Only with `opts.pipeline`; on by default then. Speed only: every
   * answer, block and app hash is the same either way (test/consensus/devPipeline.test.ts).
   */
  pipelined: boolean;
  /** Queued txs checked as door jobs, and after FinalizeBlock (benches). */
  readonly pipelineStats = { inJobs: 0, after: 0 };
  /**
   * Give the event loop a turn between two txs of FinalizeBlock once this many ms have passed (opts.yieldEveryMs;
   * benches switch it). Undefined: FinalizeBlock runs in one go. Speed and liveness only: same blocks either way.
   */
  yieldEveryMs: number | undefined;
  /** Blocks finalized in steps, and the turns given to the event loop inside them. */
  readonly stepStats = { blocks: 0, yields: 0 };
  /** Resolved when the block in progress has ended (idle()). */
  private idleWaiters: (() => void)[] = [];

  constructor(opts: DevEngineOptions) {
    super();
    this.opts = opts;
    this.store = new BlockStore(opts.blockStorePath);
    this.signer = new Ed25519Signer(opts.validatorSeed);
    this.pipelined = opts.pipeline !== undefined;
    this.yieldEveryMs = opts.yieldEveryMs;
  }

  /** A block is being produced (from PrepareProposal to the end of the recheck). */
  get busy(): boolean {
    return this.inBlock;
  }

  /**
   * Resolves once no block is in progress: at once when idle, else right after the block in progress has been
   * committed, rechecked and its queue drained. Whoever reads the app's state or calls its enclave from outside
   * the engine (REST, RPC, the faucet) awaits this first and then does its synchronous work in the same turn:
   * during a stepped block the event loop runs between txs, and only the CheckTx queue may touch the app then.
   * A block starts from a timer, an explicit produceBlock or the setImmediate turn after the block it waited
   * for (exclusive), so it cannot start in between.
   */
  idle(): Promise<void> {
    if (!this.inBlock) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
    });
  }

  get height(): bigint {
    return this.store.height();
  }

  get validatorSet(): readonly ValidatorInfo[] {
    return this.validators;
  }

  /** The single validator's ed25519 public key. */
  get validatorPublicKey(): Uint8Array {
    return this.signer.publicKey;
  }

  get appHash(): Uint8Array {
    return this.lastAppHash;
  }

  private now(): bigint {
    return this.opts.nowNs ? this.opts.nowNs() : BigInt(Date.now()) * 1_000_000n;
  }

  /** Handshake: InitChain on a fresh chain, replay of stored blocks the app has not committed, then idle. */
  async start(): Promise<void> {
    const info = await this.opts.app.info({
      version: "0.38.25",
      blockVersion: BLOCK_PROTOCOL,
      p2pVersion: 8n,
      abciVersion: "2.0.0",
    });
    this.appVersion = info.appVersion;
    const storeHeight = this.store.height();
    const appHeight = info.lastBlockHeight;
    if (appHeight > storeHeight) throw new StateAheadError(appHeight, storeHeight);
    if (storeHeight === 0n) {
      await this.initChain();
    } else {
      this.restoreFromStore(storeHeight);
      const base = this.store.baseHeight();
      for (let h = maxBig(appHeight + 1n, base); h <= storeHeight; h++) await this.replay(h);
      if (appHeight === storeHeight) this.lastAppHash = info.lastBlockAppHash;
    }
  }

  private async initChain(): Promise<void> {
    const val = this.ownValidator(10n);
    const res = await this.opts.app.initChain({
      time: nsToTimestamp(this.opts.genesisTimeNs),
      chainId: this.opts.chainId,
      ...(this.opts.consensusParams ? { consensusParams: this.opts.consensusParams } : {}),
      validators: [{ pubKey: { ed25519: val.pubKey }, power: val.power }],
      appStateBytes: this.opts.appStateBytes,
      initialHeight: this.opts.initialHeight ?? 1n,
    });
    this.validators = res.validators.length > 0 ? this.applyUpdates([], res.validators) : [val];
    this.lastAppHash = res.appHash;
    this.lastTimeNs = this.opts.genesisTimeNs;
    this.store.setMeta("validators", encodeValidators(this.validators));
    this.store.setMeta("genesis_app_hash", res.appHash);
  }

  private ownValidator(power: bigint): ValidatorInfo {
    return { address: ed25519Address(this.signer.publicKey), pubKey: this.signer.publicKey, power };
  }

  private restoreFromStore(height: bigint): void {
    const b = this.store.getBlock(height);
    if (!b) throw new Error(`block store has no block ${height}`);
    this.lastBlockId = b.blockId;
    this.lastTimeNs = timestampToNs(b.block.header.time);
    this.lastResults = b.results.txResults;
    this.lastAppHash = b.results.appHash;
    this.lastCommit = this.store.getSeenCommit(height);
    this.validators = decodeValidators(this.store.getMeta("validators") ?? new Uint8Array());
  }

  /** Re-executes a stored block the app did not commit (crash between store and Commit). */
  private async replay(height: bigint): Promise<void> {
    const b = this.store.getBlock(height);
    if (!b) throw new Error(`cannot replay block ${height}: not stored`);
    const h = b.block.header;
    const res = await this.opts.app.finalizeBlock({
      txs: b.block.data.txs,
      decidedLastCommit: this.commitInfo(b.block.lastCommit),
      misbehavior: [],
      hash: b.blockId.hash,
      height,
      time: h.time,
      nextValidatorsHash: h.nextValidatorsHash,
      proposerAddress: h.proposerAddress,
    });
    if (!equal(res.appHash, b.results.appHash)) {
      throw new Error(
        `replay of block ${height} gave a different app hash: non-determinism or a wrong data folder`,
      );
    }
    await this.opts.app.commit({});
    this.lastAppHash = res.appHash;
  }

  /**
   * CheckTx, then into the mempool; schedules a block. During a block with the pipeline on, the tx waits in the
   * queue (after the same size, duplicate and full checks) and its CheckTx runs later, in arrival order: inside
   * FinalizeBlock's ECALL waits or right after FinalizeBlock, against the CheckTx state as it was (then it is
   * RECHECKed after Commit like every pending tx, as in CometBFT).
   */
  async broadcastTx(tx: Uint8Array): Promise<BroadcastResult> {
    const hash = sha256(tx);
    const key = Buffer.from(hash).toString("hex");
    const max = this.opts.maxTxBytes ?? 4 * 1024 * 1024;
    if (tx.length > max)
      return {
        hash,
        checkTx: refused(MEMPOOL_REFUSALS.tooLarge, `tx too large: ${tx.length} > ${max} bytes`),
      };
    if (this.inBlock && (this.pipelined || this.yieldEveryMs !== undefined)) {
      // The duplicate and full checks wait with the tx for its turn: the mempool then is what it would have
      // been at once without the queue (its earlier txs checked), so the answers are the serial ones.
      if (this.queue.length >= MEMPOOL_MAX_TXS)
        return { hash, checkTx: refused(MEMPOOL_REFUSALS.full, "mempool is full") };
      return new Promise<BroadcastResult>((resolve, reject) => {
        this.queue.push({ tx, hash, key, resolve, reject });
      });
    }
    const refusal = this.refusal(key);
    if (refusal !== undefined) return { hash, checkTx: refusal };
    // A synchronous app's answer is taken at once, so the tx is in the mempool before the next broadcast runs:
    // two broadcasts of one tx in a row are refused as a duplicate, not checked twice.
    const answer = this.opts.app.checkTx({ tx, type: CheckTxType.NEW });
    const checkTx = answer instanceof Promise ? await answer : answer;
    if (checkTx.code === 0) {
      this.mempool.set(key, tx);
      this.schedule();
    }
    return { hash, checkTx };
  }

  /** The mempool's own refusals of a tx (already pending, or no room), before any CheckTx. */
  private refusal(key: string): ResponseCheckTx | undefined {
    if (this.mempool.has(key)) return refused(MEMPOOL_REFUSALS.inCache, "tx already exists in cache");
    if (this.mempool.size >= MEMPOOL_MAX_TXS) return refused(MEMPOOL_REFUSALS.full, "mempool is full");
    return undefined;
  }

  /**
   * CheckTx NEW of the first queued tx (a door job: synchronous, never throws); false when none is queued. A
   * passing tx joins the mempool at once, so the mempool keeps arrival order.
   */
  private readonly checkQueued = (): boolean => {
    const q = this.queue.shift();
    if (q === undefined) return false;
    const refused = this.refusal(q.key);
    if (refused !== undefined) {
      q.resolve({ hash: q.hash, checkTx: refused });
      return true;
    }
    let checkTx: ResponseCheckTx | Promise<ResponseCheckTx>;
    try {
      checkTx = this.opts.app.checkTx({ tx: q.tx, type: CheckTxType.NEW });
    } catch (e) {
      q.reject(e);
      return true;
    }
    if (checkTx instanceof Promise) {
      // An asynchronous app (not ShroudApp): its answer lands when it lands.
      checkTx.then((r) => {
        this.admit(q, r);
      }, q.reject);
      return true;
    }
    this.admit(q, checkTx);
    return true;
  };

  private admit(q: QueuedTx, checkTx: ResponseCheckTx): void {
    if (checkTx.code === 0) {
      this.mempool.set(q.key, q.tx);
      this.schedule(); // as broadcastTx does (a timer at most; a no-op while the timer's block runs)
    }
    q.resolve({ hash: q.hash, checkTx });
  }

  /** Checks every queued tx now, in order. */
  private drainQueue(): void {
    while (this.checkQueued()) this.pipelineStats.after++;
  }

  /** The door's jobs: the CheckTx queue first, then the block store's pending index rows (README "Pipeline"). */
  private readonly doorJobs = (): boolean => this.countedCheckQueued() || this.store.indexJob();

  /**
   * FinalizeBlock with door jobs while it runs (a door installed): the CheckTx queue (pipeline on) and the
   * previous blocks' index rows (blockStore.ts indexJob).
   */
  private async finalizeWithJobs(req: Parameters<AbciApplication["finalizeBlock"]>[0]) {
    const door = this.opts.pipeline;
    if (door === undefined) return this.finalize(req);
    door.setDoorJobs(this.pipelined ? this.doorJobs : this.store.indexJob);
    try {
      return await this.finalize(req);
    } finally {
      door.setDoorJobs(undefined);
    }
  }

  /** checkQueued as a door job, counted (txs queued during a stepped block arrive while the jobs are installed). */
  private readonly countedCheckQueued = (): boolean => {
    if (!this.checkQueued()) return false;
    this.pipelineStats.inJobs++;
    return true;
  };

  /** FinalizeBlock in one go, or in steps with a turn of the event loop every `yieldEveryMs` (between txs). */
  private async finalize(req: Parameters<AbciApplication["finalizeBlock"]>[0]) {
    const budget = this.yieldEveryMs;
    const app = this.opts.app;
    if (budget === undefined || app.beginFinalizeBlock === undefined) return app.finalizeBlock(req);
    const steps = app.beginFinalizeBlock(req);
    this.stepStats.blocks++;
    let since = performance.now();
    while (steps.step()) {
      if (performance.now() - since < budget) continue;
      await new Promise<void>((resolve) => {
        setImmediate(resolve);
      });
      this.stepStats.yields++;
      since = performance.now();
    }
    return steps.result!;
  }

  get mempoolSize(): number {
    return this.mempool.size;
  }

  /** Pending txs in mempool order. */
  mempoolTxs(): Uint8Array[] {
    return [...this.mempool.values()];
  }

  private schedule(): void {
    if (this.timer || this.producing || this.stopped || this.mempool.size === 0) return;
    const nextMs = Number((this.lastTimeNs - this.now()) / 1_000_000n) + this.opts.blockTimeMs;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        // Behind any explicit block already running or queued; by its turn that block may have taken every
        // pending tx, and an idle engine makes no empty block.
        this.producing = this.exclusive(async () => {
          if (!this.stopped && this.mempool.size > 0) await this.produceOne();
        })
          .catch((e: unknown) => {
            this.emit("error", e);
          })
          .finally(() => {
            this.producing = undefined;
            this.schedule();
          });
      },
      Math.max(0, nextMs),
    );
  }

  /**
   * Produces one block, even an empty one (the CLI and tests use it; idle engines never call it): at once, or
   * right after the block in progress (a timer's or another call's) has ended. Resolves with its height.
   */
  produceBlock(): Promise<bigint> {
    if (this.stopped) return Promise.reject(new Error("the dev engine is stopped: no more blocks"));
    return this.exclusive(() => this.produceOne());
  }

  /**
   * Runs `block` once every block requested before it has ended (settled either way), on a later turn; at once,
   * in this call, when none is running or queued (a block then starts synchronously, as it always did).
   */
  private exclusive<T>(block: () => Promise<T>): Promise<T> {
    // A queued block starts on a later turn of the event loop (setImmediate), never in a microtask of the block
    // before it: whoever awaited idle() for that block does its synchronous work first (README "Gate").
    const run = this.blocksRequested === 0 ? block() : this.lastRequested.then(nextTurn).then(block);
    this.blocksRequested++;
    this.lastRequested = run.then(
      () => {
        this.blocksRequested--;
      },
      () => {
        this.blocksRequested--;
      },
    );
    return run;
  }

  private async produceOne(): Promise<bigint> {
    this.inBlock = true;
    this.store.pauseIdleIndex(true);
    try {
      return await this.produceBlockInner();
    } finally {
      // Txs that arrived after the last drain (during Commit or the recheck): checked now, on the new state.
      this.inBlock = false;
      this.store.pauseIdleIndex(false);
      this.drainQueue();
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async produceBlockInner(): Promise<bigint> {
    // The first block is at the genesis' initial height, every later one right after the last (until session 17
    // the height was the store's top + the initial height: 5, 10, 15… for an initial height of 5).
    const top = this.store.height();
    const height = top === 0n ? (this.opts.initialHeight ?? 1n) : top + 1n;
    const timeNs = maxBig(this.now(), this.lastTimeNs + 1_000_000n);
    const time = nsToTimestamp(timeNs);
    const proposer = ed25519Address(this.signer.publicKey);
    const valHash = validatorsHash(this.validators);
    const candidates = this.takeTxs();
    const prepared = await this.opts.app.prepareProposal({
      maxTxBytes: BigInt(this.opts.maxBlockTxBytes ?? 8 * 1024 * 1024),
      txs: candidates,
      localLastCommit: { round: 0, votes: [] },
      misbehavior: [],
      height,
      time,
      nextValidatorsHash: valHash,
      proposerAddress: proposer,
    });
    const hashes = prepared.txs.map((t) => sha256(t)); // once: data hash, tx index, mempool, events
    const block = this.buildBlock(height, time, prepared.txs, hashes, valHash, proposer);
    const blockId = blockIdOf(block);
    const processed = await this.opts.app.processProposal({
      txs: prepared.txs,
      proposedLastCommit: this.commitInfo(block.lastCommit),
      misbehavior: [],
      hash: blockId.hash,
      height,
      time,
      nextValidatorsHash: valHash,
      proposerAddress: proposer,
    });
    if (processed.status !== ResponseProcessProposal_ProposalStatus.ACCEPT) {
      throw new Error(`the application rejected its own proposal at height ${height}`);
    }
    const results = await this.finalizeWithJobs({
      txs: prepared.txs,
      decidedLastCommit: this.commitInfo(block.lastCommit),
      misbehavior: [],
      hash: blockId.hash,
      height,
      time,
      nextValidatorsHash: valHash,
      proposerAddress: proposer,
    });
    if (results.txResults.length !== prepared.txs.length) {
      throw new Error("FinalizeBlock returned a result count different from the tx count");
    }
    // The queue's rest is checked before Commit, on the same CheckTx state the door jobs saw.
    this.drainQueue();
    const commit = this.sign(height, blockId, time);
    // The validator set after this block is saved with it (one synced transaction): a crash after the app's
    // Commit cannot leave the store with the set from before the block's updates.
    const validators =
      results.validatorUpdates.length > 0
        ? this.applyUpdates(this.validators, results.validatorUpdates)
        : undefined;
    const meta =
      validators === undefined ? undefined : new Map([["validators", encodeValidators(validators)]]);
    this.store.saveBlock({ height, blockId, block, results }, commit, hashes, meta);
    await this.opts.app.commit({});
    this.afterCommit(blockId, timeNs, results, commit, hashes, validators);
    await this.recheck();
    this.emitBlock(height, hashes, results);
    return height;
  }

  private takeTxs(): Uint8Array[] {
    const max = this.opts.maxBlockTxBytes ?? 8 * 1024 * 1024;
    const out: Uint8Array[] = [];
    let size = 0;
    for (const tx of this.mempool.values()) {
      if (size + tx.length > max) break;
      out.push(tx);
      size += tx.length;
    }
    return out;
  }

  private buildBlock(
    height: bigint,
    time: Timestamp,
    txs: Uint8Array[],
    hashes: readonly Uint8Array[],
    valHash: Uint8Array,
    proposer: Uint8Array,
  ): Block {
    const header: Header = {
      version: { block: BLOCK_PROTOCOL, app: this.appVersion },
      chainId: this.opts.chainId,
      height,
      time,
      lastBlockId: this.lastBlockId,
      lastCommitHash: this.lastCommit
        ? merkleRoot(this.lastCommit.signatures.map((s) => CommitSig.encode(s).finish()))
        : new Uint8Array(),
      dataHash: txsHash(txs, hashes),
      validatorsHash: valHash,
      nextValidatorsHash: valHash,
      consensusHash: sha256(new Uint8Array()),
      appHash: this.lastAppHash,
      lastResultsHash: resultsHash(this.lastResults),
      evidenceHash: merkleRoot([]),
      proposerAddress: proposer,
    };
    const block = Block.fromPartial({ header, data: { txs }, evidence: { evidence: [] } });
    if (this.lastCommit) block.lastCommit = this.lastCommit;
    return block;
  }

  private sign(height: bigint, blockId: BlockID, time: Timestamp): Commit {
    const sig = this.signer.sign(precommitSignBytes(this.opts.chainId, height, blockId, time));
    return Commit.fromPartial({
      height,
      round: 0,
      blockId,
      signatures: [
        {
          blockIdFlag: BlockIDFlag.BLOCK_ID_FLAG_COMMIT,
          validatorAddress: ed25519Address(this.signer.publicKey),
          timestamp: time,
          signature: sig,
        },
      ],
    });
  }

  private commitInfo(commit: Commit | undefined) {
    if (!commit) return { round: 0, votes: [] };
    return {
      round: commit.round,
      votes: this.validators.map((v) => ({
        validator: { address: v.address, power: v.power },
        blockIdFlag: commit.signatures.some((s) => equal(s.validatorAddress, v.address))
          ? BlockIDFlag.BLOCK_ID_FLAG_COMMIT
          : BlockIDFlag.BLOCK_ID_FLAG_ABSENT,
      })),
    };
  }

  private afterCommit(
    blockId: BlockID,
    timeNs: bigint,
    results: ResponseFinalizeBlock,
    commit: Commit,
    txHashes: readonly Uint8Array[],
    validators: ValidatorInfo[] | undefined,
  ): void {
    this.lastBlockId = blockId;
    this.lastTimeNs = timeNs;
    this.lastResults = results.txResults;
    this.lastAppHash = results.appHash;
    this.lastCommit = commit;
    for (const h of txHashes) this.mempool.delete(Buffer.from(h).toString("hex"));
    if (validators !== undefined) this.validators = validators;
  }

  private applyUpdates(
    current: readonly ValidatorInfo[],
    updates: readonly ValidatorUpdate[],
  ): ValidatorInfo[] {
    const byAddr = new Map(current.map((v) => [Buffer.from(v.address).toString("hex"), v]));
    for (const u of updates) {
      const pk = u.pubKey.ed25519;
      if (!pk) continue; // only ed25519 validators are supported, as in CometBFT's default params
      const addr = ed25519Address(pk);
      const key = Buffer.from(addr).toString("hex");
      if (u.power === 0n) byAddr.delete(key);
      else byAddr.set(key, { address: addr, pubKey: pk, power: u.power });
    }
    // CometBFT orders validators by power (desc), then address (asc).
    return [...byAddr.values()].sort((a, b) =>
      a.power === b.power ? Buffer.compare(a.address, b.address) : a.power > b.power ? -1 : 1,
    );
  }

  private async recheck(): Promise<void> {
    for (const [key, tx] of [...this.mempool]) {
      const r = await this.opts.app.checkTx({ tx, type: CheckTxType.RECHECK });
      if (r.code !== 0) this.mempool.delete(key);
    }
  }

  private emitBlock(height: bigint, txHashes: readonly Uint8Array[], results: ResponseFinalizeBlock): void {
    this.emit("block", height);
    // A fresh copy per event, as before: what listeners keep or change is not the engine's.
    txHashes.forEach((hash, index) =>
      this.emit("tx", { hash: hash.slice(), height, index, result: results.txResults[index] }),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // Blocks requested before the stop run to their end (a timer's block not started yet is skipped).
    await this.lastRequested;
    this.store.close();
  }
}

/** Resolves on the event loop's next check phase. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    setImmediate(resolve);
  });
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function encodeValidators(vals: readonly ValidatorInfo[]): Uint8Array {
  const json = vals.map((v) => ({
    pubKey: Buffer.from(v.pubKey).toString("base64"),
    power: v.power.toString(),
  }));
  return new TextEncoder().encode(JSON.stringify(json));
}

function decodeValidators(bytes: Uint8Array): ValidatorInfo[] {
  if (bytes.length === 0) return [];
  const arr = JSON.parse(new TextDecoder().decode(bytes)) as { pubKey: string; power: string }[];
  return arr.map((v) => {
    const pubKey = new Uint8Array(Buffer.from(v.pubKey, "base64"));
    return { address: ed25519Address(pubKey), pubKey, power: BigInt(v.power) };
  });
}
