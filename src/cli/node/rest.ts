// The REST (LCD) server of a CometBFT-mode node: the app answers module queries and simulation, CometBFT's RPC
// serves blocks, txs, validator sets and broadcast (api/rest cometSource.ts). The app backend is written for the
// embedded engine, so a small view stands in for it: block times come from the blocks this process executes or,
// for older heights (before a restart), from CometBFT's `header` RPC, kept in a bounded cache.
import type { ShroudApp } from "../../chain/app.js";
import { GrpcCode, QueryError } from "../../chain/errors.js";
import type { DevEngine } from "../../consensus/dev.js";
import type { AbciApplication } from "../../consensus/abciTypes.js";
import { timestampToNs, nsToTimestamp } from "../../consensus/time.js";
import { createAppBackend } from "../../api/rest/appBackend.js";
import { cometHeaderTimeSource, cometRpcSource } from "../../api/rest/cometSource.js";
import { startRestServer, type RestServer } from "../../api/rest/server.js";
import type { QueryHandler, QueryRequest, RestBackend } from "../../api/rest/backend.js";
import { LinkedMap } from "../../util/linkedMap.js";
import type { CommittedBlock } from "../../api/rpc/front.js";

/** Block times kept for queries at past heights (a query's context carries its block's time). */
export const BLOCK_TIMES_KEPT = 4096;

/** Block time (ns) of a height from CometBFT, undefined when it has no such block. */
export type HeaderTimeSource = (height: bigint) => Promise<bigint | undefined>;

/**
 * Per-height block times: recorded from the blocks the node executes, fetched from CometBFT for the others.
 * Bounded: past `capacity` the oldest entry goes (a block's time never changes, so entries never go stale).
 */
export class BlockLedger {
  /** Oldest recorded first (a LinkedMap, so a full ledger drops its oldest in constant time). */
  private readonly times = new LinkedMap<bigint, bigint>();
  private readonly pending = new Map<bigint, Promise<bigint | undefined>>();

  constructor(private readonly capacity = BLOCK_TIMES_KEPT) {}

  record(height: bigint, timeNs: bigint): void {
    this.times.delete(height);
    this.times.set(height, timeNs);
    if (this.times.size > this.capacity) this.times.shift();
  }

  timeAt(height: bigint): bigint | undefined {
    return this.times.get(height);
  }

  get size(): number {
    return this.times.size;
  }

  /** The time at `height`, asking `source` once (concurrent callers share the call) when not known yet. */
  async fetch(height: bigint, source: HeaderTimeSource): Promise<bigint | undefined> {
    const known = this.times.get(height);
    if (known !== undefined) return known;
    let p = this.pending.get(height);
    if (p === undefined) {
      p = source(height).finally(() => this.pending.delete(height));
      this.pending.set(height, p);
    }
    const t = await p;
    if (t !== undefined) this.record(height, t);
    return t;
  }
}

/**
 * Wraps the app so that every executed block is recorded in `ledger` and, once the app has committed it, given to
 * `onCommitted` (the RPC front's broadcast_tx_commit waits on it); all other calls pass through.
 */
export function recordingApp(
  app: ShroudApp,
  ledger: BlockLedger,
  onCommitted?: (b: CommittedBlock) => void,
): AbciApplication {
  let block: CommittedBlock | undefined;
  return {
    info: (r) => app.info(r),
    initChain: (r) => app.initChain(r),
    checkTx: (r) => app.checkTx(r),
    prepareProposal: (r) => app.prepareProposal(r),
    processProposal: (r) => app.processProposal(r),
    query: (r) => app.query(r),
    commit: () => {
      const res = app.commit();
      const b = block;
      block = undefined;
      if (b !== undefined) onCommitted?.(b);
      return res;
    },
    finalizeBlock: (r) => {
      const res = app.finalizeBlock(r);
      ledger.record(r.height, timestampToNs(r.time));
      if (onCommitted !== undefined) block = { height: r.height, txs: r.txs, results: res.txResults };
      return res;
    },
  };
}

export interface CometRestOptions {
  readonly app: ShroudApp;
  readonly ledger: BlockLedger;
  readonly chainId: string;
  readonly moniker: string;
  /** CometBFT's node ID (home.ts nodeIdOf) and p2p listen address, shown by node_info. */
  readonly nodeId: string;
  readonly listenAddr: string;
  readonly validatorPubKey: Uint8Array;
  /** CometBFT's RPC, e.g. http://127.0.0.1:26657. */
  readonly cometRpcUrl: string;
  readonly host: string;
  readonly rpcPort: number;
  /** Where block times of heights this process did not execute come from (default: CometBFT's `header`). */
  readonly headerTime?: HeaderTimeSource;
  /** Whether CometBFT is catching up (block sync); default: false. */
  readonly syncing?: () => boolean;
  /**
   * Where broadcasts go (default: CometBFT's broadcast_tx_sync). App-mempool mode: the node's AppMempool
   * (CometBFT's RPC refuses broadcast_tx_* with a nop mempool).
   */
  readonly broadcastTx?: RestBackend["broadcastTx"];
}

/** How often `shroud start` asks CometBFT's `/status` whether it is catching up (REST `syncing`). */
export const SYNC_POLL_MS = 2_000;

/** CometBFT's `sync_info.catching_up`, polled: REST's `syncing` must answer synchronously. */
export class CometSyncWatch {
  private catchingUp = false;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly rpcUrl: string) {}

  get syncing(): boolean {
    return this.catchingUp;
  }

  /** Polls now and every `everyMs` (an unreachable CometBFT keeps the last answer). */
  start(everyMs = SYNC_POLL_MS): Promise<void> {
    this.timer = setInterval(() => void this.poll(), everyMs);
    this.timer.unref();
    return this.poll();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async poll(): Promise<void> {
    try {
      const r = (await (
        await fetch(`${this.rpcUrl}/status`, { signal: AbortSignal.timeout(5_000) })
      ).json()) as {
        result?: { sync_info?: { catching_up?: unknown } };
      };
      const c = r.result?.sync_info?.catching_up;
      if (typeof c === "boolean") this.catchingUp = c;
    } catch {
      // CometBFT not up yet or restarting: keep the last answer
    }
  }
}

/** Committed height and app hash, from the app's own ABCI Info (its store): right before and after a restart. */
function committed(app: ShroudApp): { height: bigint; appHash: Uint8Array } {
  const i = app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" });
  return { height: i.lastBlockHeight, appHash: i.lastBlockAppHash };
}

/**
 * Query handlers whose context time is known before they run: a height this process has not executed (e.g.
 * before its last restart) gets its block time from `source` first. Heights past the committed one run as they
 * are (the app answers "height in the future"); a height CometBFT cannot give a time for is refused.
 */
export function withBlockTimes(
  queries: ReadonlyMap<string, QueryHandler>,
  app: ShroudApp,
  ledger: BlockLedger,
  source: HeaderTimeSource,
): Map<string, QueryHandler> {
  const out = new Map<string, QueryHandler>();
  for (const [method, handler] of queries) {
    out.set(method, (req: QueryRequest) => {
      const last = committed(app).height;
      const h = req.height === undefined || req.height === 0n ? last : req.height;
      if (h <= 0n || h > last || ledger.timeAt(h) !== undefined) return handler(req);
      return ledger.fetch(h, source).then((t) => {
        if (t === undefined)
          throw new QueryError(GrpcCode.InvalidArgument, `no block time for height ${h} from CometBFT`);
        return handler(req);
      });
    });
  }
  return out;
}

/** RestBackend = the app's queries + CometBFT's blocks/txs. */
export function cometRestBackend(o: CometRestOptions): RestBackend {
  const { ledger, app } = o;
  // The members of DevEngine that createAppBackend reads and cometRpcSource does not replace.
  const engineView = {
    store: {
      getBlock: (h: bigint) => {
        const t = ledger.timeAt(h);
        return t === undefined ? undefined : { block: { header: { time: nsToTimestamp(t) } } };
      },
    },
    validatorPublicKey: o.validatorPubKey,
    // CometBFT mode: the ABCI server runs each FinalizeBlock in one go, so a REST handler never sees one half done.
    idle: () => Promise.resolve(),
    get appHash(): Uint8Array {
      return committed(app).appHash;
    },
  };
  const base = createAppBackend({
    app,
    engine: engineView as unknown as DevEngine,
    chainId: o.chainId,
    host: o.host,
    rpcPort: o.rpcPort,
  });
  return {
    ...base,
    ...cometRpcSource(o.cometRpcUrl),
    queries: withBlockTimes(base.queries, app, ledger, o.headerTime ?? cometHeaderTimeSource(o.cometRpcUrl)),
    ...(o.broadcastTx === undefined ? {} : { broadcastTx: o.broadcastTx }),
    latestAppHash: () => committed(app).appHash,
    syncing: o.syncing ?? (() => false),
    facts: { ...base.facts, moniker: o.moniker, nodeId: o.nodeId, listenAddr: o.listenAddr },
  };
}

/** The REST server of `shroud start`, with its `/status` poller (stopped with the server). */
export async function startCometRest(
  o: CometRestOptions,
  port: number,
  log: (line: string) => void,
): Promise<RestServer> {
  const watch = new CometSyncWatch(o.cometRpcUrl);
  void watch.start();
  try {
    const server = await startRestServer(
      cometRestBackend({ ...o, syncing: () => watch.syncing }),
      o.host,
      port,
      {
        onInternalError: (e) => {
          log(`REST internal error: ${e instanceof Error ? e.message : String(e)}`);
        },
      },
    );
    return {
      port: server.port,
      server: server.server,
      close: () => {
        watch.stop();
        return server.close();
      },
    };
  } catch (e) {
    watch.stop();
    throw e;
  }
}
