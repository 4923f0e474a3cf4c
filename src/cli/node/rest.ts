// The REST (LCD) server of a CometBFT-mode node: the app answers module queries and simulation, CometBFT's RPC
// serves blocks, txs, validator sets and broadcast (api/rest cometSource.ts). The app backend is written for the
// embedded engine, so a small view stands in for it, fed by the app's own FinalizeBlock/Commit answers.
import type { ShroudApp } from "../../chain/app.js";
import type { DevEngine } from "../../consensus/dev.js";
import type { AbciApplication } from "../../consensus/abciTypes.js";
import { timestampToNs, nsToTimestamp } from "../../consensus/time.js";
import { createAppBackend } from "../../api/rest/appBackend.js";
import { cometRpcSource } from "../../api/rest/cometSource.js";
import { startRestServer, type RestServer } from "../../api/rest/server.js";
import type { RestBackend } from "../../api/rest/backend.js";

/** Block times kept for queries at past heights (a query's context carries its block's time). */
const BLOCK_TIMES_KEPT = 4096;

/** What the node learns from the blocks it executes: per-height block time and the last app hash. */
export class BlockLedger {
  private readonly times = new Map<bigint, bigint>();
  appHash: Uint8Array = new Uint8Array();

  record(height: bigint, timeNs: bigint): void {
    if (this.times.size >= BLOCK_TIMES_KEPT) this.times.clear();
    this.times.set(height, timeNs);
  }

  timeAt(height: bigint): bigint | undefined {
    return this.times.get(height);
  }
}

/** Wraps the app so that every executed block is recorded in `ledger` (all other calls pass through). */
export function recordingApp(app: ShroudApp, ledger: BlockLedger): AbciApplication {
  return {
    info: (r) => app.info(r),
    initChain: (r) => app.initChain(r),
    checkTx: (r) => app.checkTx(r),
    prepareProposal: (r) => app.prepareProposal(r),
    processProposal: (r) => app.processProposal(r),
    query: (r) => app.query(r),
    commit: () => app.commit(),
    finalizeBlock: (r) => {
      const res = app.finalizeBlock(r);
      ledger.record(r.height, timestampToNs(r.time));
      ledger.appHash = res.appHash;
      return res;
    },
  };
}

export interface CometRestOptions {
  readonly app: ShroudApp;
  readonly ledger: BlockLedger;
  readonly chainId: string;
  readonly moniker: string;
  readonly validatorPubKey: Uint8Array;
  /** CometBFT's RPC, e.g. http://127.0.0.1:26657. */
  readonly cometRpcUrl: string;
  readonly host: string;
  readonly rpcPort: number;
}

/** RestBackend = the app's queries + CometBFT's blocks/txs. */
export function cometRestBackend(o: CometRestOptions): RestBackend {
  const { ledger } = o;
  // The members of DevEngine that createAppBackend reads and cometRpcSource does not replace.
  const engineView = {
    store: {
      getBlock: (h: bigint) => {
        const t = ledger.timeAt(h);
        return t === undefined ? undefined : { block: { header: { time: nsToTimestamp(t) } } };
      },
    },
    validatorPublicKey: o.validatorPubKey,
    get appHash(): Uint8Array {
      return ledger.appHash;
    },
  };
  const base = createAppBackend({
    app: o.app,
    engine: engineView as unknown as DevEngine,
    chainId: o.chainId,
    host: o.host,
    rpcPort: o.rpcPort,
  });
  return {
    ...base,
    ...cometRpcSource(o.cometRpcUrl),
    facts: { ...base.facts, moniker: o.moniker },
  };
}

export async function startCometRest(
  o: CometRestOptions,
  port: number,
  log: (line: string) => void,
): Promise<RestServer> {
  return startRestServer(cometRestBackend(o), o.host, port, {
    onInternalError: (e) => {
      log(`REST internal error: ${e instanceof Error ? e.message : String(e)}`);
    },
  });
}
