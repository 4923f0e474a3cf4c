// The ABCI 2.0 application interface (CometBFT v0.38 semantics) that every engine drives: the embedded
// single-validator engine (dev.ts) in-process, and CometBFT over the socket server (abciServer.ts).
// Types are cosmjs-types' `tendermint.abci` messages, so the same object serves both doors.
import type {
  RequestCheckTx,
  RequestCommit,
  RequestFinalizeBlock,
  RequestInfo,
  RequestInitChain,
  RequestPrepareProposal,
  RequestProcessProposal,
  RequestQuery,
  ResponseCheckTx,
  ResponseCommit,
  ResponseFinalizeBlock,
  ResponseInfo,
  ResponseInitChain,
  ResponsePrepareProposal,
  ResponseProcessProposal,
  ResponseQuery,
} from "cosmjs-types/tendermint/abci/types";

type MaybePromise<T> = T | Promise<T>;

/**
 * A FinalizeBlock taken one step at a time (the embedded engine gives its event loop a turn between two steps):
 * `step()` runs the next step (at most one tx) and says whether another is left; once it said false, `result` is
 * the block's answer, exactly what `finalizeBlock` would have answered, and the app waits for Commit. A step that
 * throws ends the block with nothing applied.
 */
export interface FinalizeSteps {
  step(): boolean;
  readonly result: ResponseFinalizeBlock | undefined;
}

/**
 * An ABCI 2.0 application. Snapshot and vote-extension methods are optional: the server answers them with
 * empty/accepting defaults (snapshots offered nothing; vote extensions are off unless the consensus params
 * enable them).
 */
export interface AbciApplication {
  info(req: RequestInfo): MaybePromise<ResponseInfo>;
  initChain(req: RequestInitChain): MaybePromise<ResponseInitChain>;
  checkTx(req: RequestCheckTx): MaybePromise<ResponseCheckTx>;
  prepareProposal(req: RequestPrepareProposal): MaybePromise<ResponsePrepareProposal>;
  processProposal(req: RequestProcessProposal): MaybePromise<ResponseProcessProposal>;
  finalizeBlock(req: RequestFinalizeBlock): MaybePromise<ResponseFinalizeBlock>;
  /** Optional: FinalizeBlock in steps (same answers as `finalizeBlock`); only the embedded engine uses it. */
  beginFinalizeBlock?(req: RequestFinalizeBlock): FinalizeSteps;
  commit(req: RequestCommit): MaybePromise<ResponseCommit>;
  query(req: RequestQuery): MaybePromise<ResponseQuery>;
}
