// What the REST (LCD) server needs from a node, in one interface: the chain app implements it once for the
// embedded engine and once for CometBFT mode (block/tx data read through CometBFT's RPC). Only plain data
// crosses it; query handlers return grpc-gateway JSON and signal failures with `QueryError` (gRPC code + message).
import type { ExecTxResult, ResponseCheckTx } from "cosmjs-types/tendermint/abci/types";
import type { Block } from "cosmjs-types/tendermint/types/block";
import type { BlockID } from "cosmjs-types/tendermint/types/types";
import type { ValidatorInfo } from "../../consensus/header.js";
import type { DecodedTx } from "../../chain/tx/decode.js";
import type { QueryArgs } from "./params.js";

/** Arguments as the route table validated them, plus the height from `x-cosmos-block-height` (undefined = latest). */
export interface QueryRequest {
  readonly args: QueryArgs;
  readonly height: bigint | undefined;
}

/**
 * One module query, named by its gRPC full method name (e.g. `/cosmos.bank.v1beta1.Query/Balance`) so the same
 * table can serve ABCI `abci_query` paths. Returns the gateway JSON object; throws `QueryError` on failure.
 */
export type QueryHandler = (req: QueryRequest) => unknown;

/** A tx as stored in a block, with what `tx_response` shows. */
export interface TxRecord {
  readonly hash: Uint8Array;
  readonly height: bigint;
  readonly index: number;
  readonly tx: Uint8Array;
  readonly result: ExecTxResult;
  /** Block time, RFC 3339 with nanoseconds trimmed as Go does (e.g. "2026-01-01T00:00:00.5Z"). */
  readonly timestamp: string;
}

export interface TxSearchPage {
  readonly page: number;
  readonly perPage: number;
  readonly orderBy: "asc" | "desc";
}

export interface BlockRecord {
  readonly blockId: BlockID;
  readonly block: Block;
}

/** What `/cosmos/tx/v1beta1/simulate` reports: gas and the simulated result (events as ABCI events). */
export interface SimulateResult {
  readonly code: number;
  readonly codespace: string;
  readonly log: string;
  readonly gasWanted: bigint;
  readonly gasUsed: bigint;
  /** TxMsgData bytes on success. */
  readonly data: Uint8Array;
  readonly events: ExecTxResult["events"];
}

export interface NodeFacts {
  readonly chainId: string;
  readonly moniker: string;
  /** CometBFT node ID (hex of the node key address). */
  readonly nodeId: string;
  readonly listenAddr: string;
  readonly rpcAddress: string;
  /** Application version string (`shroud` package version). */
  readonly appVersion: string;
  /** CometBFT version the engine speaks (e.g. "0.38.25"). */
  readonly cometVersion: string;
  /** `minimum-gas-prices` as app.toml writes it, e.g. "0.0125uscrt". */
  readonly minimumGasPrice: string;
  readonly pruningKeepRecent: string;
  readonly pruningInterval: string;
  readonly haltHeight: bigint;
}

export interface RestBackend {
  /** Module query handlers by gRPC method name; a route whose handler is absent answers 501 Unimplemented. */
  readonly queries: ReadonlyMap<string, QueryHandler>;
  /** Height of the last committed block (0 before the first). */
  latestHeight(): bigint;
  /** Earliest height whose state can still be queried. */
  earliestHeight(): bigint;
  /** Decodes tx bytes for JSON rendering (undefined if they no longer decode). */
  decodeTx(raw: Uint8Array): DecodedTx | undefined;
  /** CheckTx then the mempool (CometBFT `broadcast_tx_sync`). Must not throw for a bad tx: return its code. */
  broadcastTx(raw: Uint8Array): Promise<ResponseCheckTx>;
  /** Runs the tx in simulate mode against the latest state; never persists anything. */
  simulateTx(raw: Uint8Array): Promise<SimulateResult>;
  getTx(hash: Uint8Array): Promise<TxRecord | undefined>;
  /** Txs matching a CometBFT event query (`a.b='c' AND tx.height>=5`); throws `QueryError` on a bad query. */
  searchTxs(query: string, page: TxSearchPage): Promise<{ total: number; txs: TxRecord[] }>;
  getBlock(height: bigint): Promise<BlockRecord | undefined>;
  /** The validator set that signed `height` (undefined when the height is unknown). */
  validatorSet(height: bigint): Promise<readonly ValidatorInfo[] | undefined>;
  /** App hash after the latest block (base64 in `/cosmos/base/node/v1beta1/status`). */
  latestAppHash(): Uint8Array;
  syncing(): boolean;
  readonly facts: NodeFacts;
  /**
   * Resolves when the node may be read: the embedded engine's block in progress has ended (DevEngine.idle). The
   * server awaits it before every route but a broadcast, then runs the handler in the same turn. Absent: always.
   */
  idle?(): Promise<void>;
}
