// ABCI Query routing: `store/<name>/key` (raw module-store reads, with a Merkle proof when `prove` is set),
// gRPC method paths answered by module query servers, and `/cosmos.tx.v1beta1.Service/Simulate`.
import type { RequestQuery, ResponseQuery } from "cosmjs-types/tendermint/abci/types";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { concatBytes, InvalidInputError } from "../../util/bytes.js";
import { ChainError, GrpcCode, QueryError, SdkErrors, type RegisteredError } from "../errors.js";
import { MemoryOverlay } from "../store/memory.js";
import type { Store } from "../store/store.js";
import type { KVReader } from "../store/types.js";
import { runTx } from "../tx/runTx.js";
import { maxBlockGas, overBlockGas, readConsensusParams } from "./blockGas.js";
import { appContext } from "./context.js";
import type { ChainModules } from "./modules.js";
import type { GrpcQueryHandler } from "./module.js";
import { toAbciEvents } from "./results.js";

/** The proof op type of our sparse Merkle proofs (chain/store README "Proof"); not ICS-23. */
export const SMT_PROOF_OP_TYPE = "shroud:smt";
export const SIMULATE_PATH = "/cosmos.tx.v1beta1.Service/Simulate";

export interface QueryEnv {
  readonly store: Store;
  readonly modules: ChainModules;
  readonly chainId: string;
  readonly lastBlockTimeNs: bigint;
  /** Makes the simulated tx visible to compute (its enclave calls need the tx). */
  withTx<T>(tx: Uint8Array, f: () => T): T;
}

/** SDK baseapp gRPCErrorToSDKError: NotFound → sdk 22, InvalidArgument → sdk 18, others → sdk 6. */
function queryFailure(e: unknown, height: bigint): ResponseQuery {
  let err: RegisteredError;
  let log: string;
  if (e instanceof QueryError) {
    err =
      e.grpcCode === GrpcCode.NotFound
        ? SdkErrors.KeyNotFound
        : e.grpcCode === GrpcCode.InvalidArgument
          ? SdkErrors.InvalidRequest
          : SdkErrors.UnknownRequest;
    log = `${e.message}: ${err.message}`;
  } else if (e instanceof ChainError) {
    err = e.registered;
    log = e.message;
  } else if (e instanceof InvalidInputError) {
    err = SdkErrors.InvalidRequest;
    log = `${e.message}: ${err.message}`;
  } else {
    throw e; // a broken invariant (storage failure): the server turns it into an exception
  }
  return { ...emptyAnswer(height), code: err.code, codespace: err.codespace, log };
}

function emptyAnswer(height: bigint): ResponseQuery {
  return {
    code: 0,
    log: "",
    info: "",
    index: 0n,
    key: new Uint8Array(),
    value: new Uint8Array(),
    height,
    codespace: "",
  };
}

function grpcHandlers(modules: ChainModules): Map<string, GrpcQueryHandler> {
  const m = new Map<string, GrpcQueryHandler>();
  for (const mod of modules.list)
    for (const [path, h] of Object.entries(mod.grpcQueries ?? {})) m.set(path, h);
  return m;
}

function msgResponses(txMsgData: Uint8Array): Any[] {
  return txMsgData.length === 0 ? [] : TxMsgData.decode(txMsgData).msgResponses;
}

export class QueryRouter {
  private readonly grpc: Map<string, GrpcQueryHandler>;

  constructor(private readonly env: () => QueryEnv) {
    this.grpc = grpcHandlers(env().modules);
  }

  /** Registered gRPC paths, sorted (for docs and tests). */
  paths(): string[] {
    return [...this.grpc.keys(), SIMULATE_PATH].sort();
  }

  query(req: RequestQuery): ResponseQuery {
    const env = this.env();
    const last = env.store.info().lastHeight;
    const height = req.height === 0n ? BigInt(last) : req.height;
    try {
      if (req.path.startsWith("store/")) return this.storeQuery(env, req, height);
      const reader = this.readerAt(env, height);
      const ctx = appContext(new MemoryOverlay(reader), env.chainId, height, env.lastBlockTimeNs);
      if (req.path === SIMULATE_PATH) return this.simulate(env, req.data, reader, height);
      const handler = this.grpc.get(req.path);
      if (handler === undefined)
        throw new ChainError(SdkErrors.UnknownRequest, `unknown query path ${req.path}`);
      return { ...emptyAnswer(height), value: handler(ctx, req.data) };
    } catch (e) {
      return queryFailure(e, height);
    }
  }

  private readerAt(env: QueryEnv, height: bigint): KVReader {
    const last = env.store.info().lastHeight;
    if (height === BigInt(last)) return env.store.committed;
    if (height > BigInt(last) || height > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ChainError(
        SdkErrors.InvalidHeight,
        `cannot query with height in the future (${height} > ${last})`,
      );
    }
    return env.store.readerAt(Number(height));
  }

  /** `store/<name>/key`: data is the key inside the module's store; `prove` only at the latest height. */
  private storeQuery(env: QueryEnv, req: RequestQuery, height: bigint): ResponseQuery {
    const m = /^store\/([a-z0-9_]+)\/key$/.exec(req.path);
    const prefix = m === null ? undefined : env.modules.storePrefixes.get(m[1]!);
    if (prefix === undefined)
      throw new ChainError(SdkErrors.UnknownRequest, `unknown query path ${req.path}`);
    if (req.data.length === 0) throw new ChainError(SdkErrors.InvalidRequest, "empty store key");
    const fullKey = concatBytes(prefix, req.data);
    if (!req.prove) {
      const value = this.readerAt(env, height).get(fullKey);
      return { ...emptyAnswer(height), key: req.data, value: value ?? new Uint8Array() };
    }
    if (height !== BigInt(env.store.info().lastHeight)) {
      throw new ChainError(SdkErrors.InvalidRequest, "proofs are served at the latest height only");
    }
    const p = env.store.prove(fullKey);
    return {
      ...emptyAnswer(BigInt(p.height)),
      key: req.data,
      value: p.value ?? new Uint8Array(),
      proofOps: { ops: [{ type: SMT_PROOF_OP_TYPE, key: fullKey, data: p.proof }] },
    };
  }

  /** cosmos.tx.v1beta1.Service/Simulate: runTx in simulate mode over a throwaway overlay. */
  private simulate(env: QueryEnv, data: Uint8Array, state: KVReader, height: bigint): ResponseQuery {
    let txBytes: Uint8Array;
    try {
      txBytes = SimulateRequest.decode(data).txBytes;
    } catch {
      throw new QueryError(GrpcCode.InvalidArgument, "malformed request");
    }
    // SDK v0.50 SetUpContextDecorator runs in simulate too (getContextForTx sets the consensus params for every
    // mode): a gas limit above max_gas is refused (sdk 41); otherwise the limit is ignored (an infinite meter).
    const over = overBlockGas(env.modules.txEnv, txBytes, maxBlockGas(readConsensusParams(state)));
    if (over !== undefined)
      return { ...emptyAnswer(height), code: over.code, codespace: over.codespace, log: over.log };
    const r = env.withTx(txBytes, () =>
      runTx(env.modules.txEnv, new MemoryOverlay(state), txBytes, "simulate", {
        chainId: env.chainId,
        height: BigInt(env.store.info().lastHeight) + 1n,
        timeNs: env.lastBlockTimeNs,
      }),
    );
    // As the SDK: a failing simulation answers with the tx's own code, codespace and log.
    if (r.code !== 0) return { ...emptyAnswer(height), code: r.code, codespace: r.codespace, log: r.log };
    // SDK v0.50 fills msg_responses and leaves the deprecated `data` empty.
    const value = SimulateResponse.encode(
      SimulateResponse.fromPartial({
        gasInfo: { gasWanted: r.gasWanted, gasUsed: r.gasUsed },
        result: { log: "", events: toAbciEvents(r.events), msgResponses: msgResponses(r.data) },
      }),
    ).finish();
    return { ...emptyAnswer(height), value };
  }
}
