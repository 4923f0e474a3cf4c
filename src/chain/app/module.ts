// The shape every chain module presents to the application (app.ts): its genesis section, its store prefix
// (for `store/<name>/key` queries) and optional block hooks and gRPC query methods. A new module plugs in by
// adding one entry to the list in modules.ts.
import type { ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import type { Context } from "../tx/context.js";

/** Facts of the block being finalized that begin/end-block hooks may need (mint, distribution, slashing). */
export interface BlockHookInfo {
  readonly height: bigint;
  readonly timeNs: bigint;
  readonly proposerAddress: Uint8Array;
  /** Header facts for staking's HistoricalInfo (absent in module tests that do not need them). */
  readonly chainId?: string;
  readonly nextValidatorsHash?: Uint8Array;
  /** The last commit's app hash (baseapp v0.50 puts it in FinalizeBlock's header). */
  readonly lastAppHash?: Uint8Array;
  /** decided_last_commit votes: validator address, power, and whether it signed (CometBFT BlockIDFlag). */
  readonly lastCommitVotes: readonly {
    readonly address: Uint8Array;
    readonly power: bigint;
    readonly signed: boolean;
  }[];
  /** Evidence of double signing: validator address, power, height, time (ns). */
  readonly misbehavior: readonly {
    /** abci MisbehaviorType: 1 duplicate vote, 2 light client attack. */
    readonly type: number;
    readonly address: Uint8Array;
    readonly power: bigint;
    readonly height: bigint;
    readonly timeNs: bigint;
  }[];
}

/** A gRPC query method: protobuf request bytes → protobuf response bytes; throws QueryError/ChainError. */
export type GrpcQueryHandler = (ctx: Context, request: Uint8Array) => Uint8Array;

export interface AppModule {
  /** Its key in genesis `app_state` and in `store/<name>/key`. */
  readonly name: string;
  readonly storePrefix: Uint8Array;
  /** Loads its genesis section (undefined when absent); may return the genesis validator set (staking). */
  initGenesis(ctx: Context, section: unknown): readonly ValidatorUpdate[] | undefined;
  exportGenesis(ctx: Context): unknown;
  beginBlock?(ctx: Context, block: BlockHookInfo): void;
  /** Returns validator-set changes for CometBFT (staking), if any. */
  endBlock?(ctx: Context, block: BlockHookInfo): readonly ValidatorUpdate[] | undefined;
  /** Full gRPC method path (e.g. "/cosmos.bank.v1beta1.Query/Balance") → handler. */
  readonly grpcQueries?: Readonly<Record<string, GrpcQueryHandler>>;
}
