// x/compute queries in the grpc-gateway JSON shapes secretjs reads (spec secretjs-compat §1): code hashes
// (lowercase hex), contract info, contracts by code, code (with wasm), codes, label ⇄ address, history (with
// the encrypted msg as sent), params, and the encrypted smart query (an enclave query ECALL).
import { toBase64 } from "../../../util/bytes.js";
import { fromBech32, toBech32 } from "../../address.js";
import { ChainError, GrpcCode, QueryError } from "../../errors.js";
import type { Context } from "../../tx/context.js";
import { GAS_MULTIPLIER, type ComputeEngine } from "./engine.js";
import type { ComputeKeeper } from "./keeper.js";
import { paramsJson } from "./params.js";
import { uncompressUpload } from "./wasm.js";
import {
  codeInfoJson,
  contractInfoJson,
  historyJson,
  type CodeInfo,
  type ContractInfo,
  type HistoryEntry,
} from "./types.js";

/**
 * Smart query limit in SDK gas. On Secret a node setting, not a chain param (app.toml `contract-query-gas-limit`,
 * SN x/compute/internal/types/types.go defaultQueryGasLimit 10,000,000; spec secret-protocol §8.1).
 */
export const DEFAULT_QUERY_GAS_LIMIT = 10_000_000n;

/** gRPC "Unknown": what Secret answers for a failing smart query (secretjs matches only the message). */
export const GRPC_UNKNOWN = 2;

function addr(s: string): Uint8Array {
  try {
    return fromBech32(s, "contract_address");
  } catch (e) {
    throw new QueryError(GrpcCode.InvalidArgument, e instanceof ChainError ? e.message : "invalid address");
  }
}

/** A contract's canonical address and stored info. */
export interface ContractRecord {
  readonly a: Uint8Array;
  readonly info: ContractInfo;
}

function notFound(what: string): never {
  throw new QueryError(GrpcCode.NotFound, `${what}: not found`);
}

export class ComputeQueryServer {
  constructor(
    private readonly k: ComputeKeeper,
    private readonly engine: ComputeEngine,
    /** This node's smart query limit (SDK gas). */
    private readonly queryGasLimit: bigint = DEFAULT_QUERY_GAS_LIMIT,
  ) {}

  /** The contract's record (gRPC 3 for a malformed address, 5 when there is none). */
  contract(ctx: Context, address: string): ContractRecord {
    const a = addr(address);
    return { a, info: this.k.getContract(ctx, a) ?? notFound(`contract ${address}`) };
  }

  /** The contracts of a code (its current code: a migrated contract counts for its new one), in the keeper's
   * order; gRPC 5 when there are none, as SN's querier answers ErrNotFound for an empty list (a Go nil slice,
   * x/compute/internal/keeper/querier.go ContractsByCodeId), whether or not the code exists. */
  contractsOfCode(ctx: Context, codeId: bigint): ContractRecord[] {
    const list = this.k.contractsByCode(ctx, codeId).map((a) => ({
      a,
      info: this.k.getContract(ctx, a) ?? notFound("contract"),
    }));
    return list.length > 0 ? list : notFound(`contracts of code ${codeId}`);
  }

  /** A code's info and its uncompressed wasm (gRPC 5 when there is none). */
  codeRecord(ctx: Context, codeId: bigint): { info: CodeInfo; wasm: Uint8Array } {
    const info = this.k.getCodeInfo(ctx, codeId) ?? notFound(`code ${codeId}`);
    return { info, wasm: uncompressUpload(this.k.getWasm(ctx, codeId) ?? new Uint8Array()) };
  }

  /** Every stored code's info. */
  codeRecords(ctx: Context): CodeInfo[] {
    return this.k.listCodes(ctx);
  }

  /** A contract's code history: gRPC 3 for a malformed address, empty for an unknown contract (SN's
   * GrpcQuerier.ContractHistory answers GetContractHistory's empty list, not an error). */
  historyRecords(ctx: Context, address: string): HistoryEntry[] {
    return this.k.history(ctx, addr(address));
  }

  /** GET /compute/v1beta1/info/{contract_address} */
  contractInfo(ctx: Context, address: string): unknown {
    const { a, info } = this.contract(ctx, address);
    return { contract_address: toBech32(a), contract_info: contractInfoJson(info) };
  }

  /** GET /compute/v1beta1/contracts/{code_id} */
  contractsByCodeId(ctx: Context, codeId: bigint): unknown {
    const list = this.contractsOfCode(ctx, codeId).map(({ a, info }) => ({
      contract_address: toBech32(a),
      contract_info: contractInfoJson(info),
    }));
    return { contract_infos: list };
  }

  /** GET /compute/v1beta1/code/{code_id} */
  code(ctx: Context, codeId: bigint): unknown {
    const { info, wasm } = this.codeRecord(ctx, codeId);
    return { code_info: codeInfoJson(info), wasm: toBase64(wasm) };
  }

  /** GET /compute/v1beta1/codes */
  codes(ctx: Context): unknown {
    return { code_infos: this.codeRecords(ctx).map(codeInfoJson) };
  }

  /** GET /compute/v1beta1/code_hash/by_code_id/{code_id} */
  codeHashByCodeId(ctx: Context, codeId: bigint): { code_hash: string } {
    return { code_hash: (this.k.getCodeInfo(ctx, codeId) ?? notFound(`code ${codeId}`)).codeHash };
  }

  /** GET /compute/v1beta1/code_hash/by_contract_address/{contract_address} */
  codeHashByContractAddress(ctx: Context, address: string): { code_hash: string } {
    return this.codeHashByCodeId(ctx, this.contract(ctx, address).info.codeId);
  }

  /** GET /compute/v1beta1/label/{contract_address} */
  labelByAddress(ctx: Context, address: string): { label: string } {
    return { label: this.contract(ctx, address).info.label };
  }

  /** GET /compute/v1beta1/contract_address/{label} */
  addressByLabel(ctx: Context, label: string): { contract_address: string } {
    const a = this.k.addressByLabel(ctx, label) ?? notFound(`label ${label}`);
    return { contract_address: toBech32(a) };
  }

  /** GET /compute/v1beta1/contract_history/{contract_address} */
  contractHistory(ctx: Context, address: string): unknown {
    return { entries: this.historyRecords(ctx, address).map(historyJson) };
  }

  /** GET /compute/v1beta1/params → {params: {compile_cost: "0.800000000000000000", max_contract_size: "2097152"}} */
  params(ctx: Context): unknown {
    return { params: paramsJson(this.k.getParams(ctx)) };
  }

  /**
   * GET /compute/v1beta1/query/{contract_address}?query= → {data: b64(SIV(b64 answer))}. Contract errors:
   * `encrypted: <b64>: query contract failed` (secretjs decrypts it from the message).
   */
  querySecretContract(ctx: Context, address: string, query: Uint8Array): { data: string } {
    const { a } = this.contract(ctx, address);
    const limit = this.queryGasLimit * GAS_MULTIPLIER;
    const r = this.engine.runQuery(ctx, a, query, limit, 0);
    if ("error" in r) throw new QueryError(GRPC_UNKNOWN, r.error);
    return { data: r.data };
  }

  /** querySecretContract without blocking the thread (REST): runs on a query lane when the node has them. */
  async querySecretContractAsync(
    ctx: Context,
    address: string,
    query: Uint8Array,
  ): Promise<{ data: string }> {
    // The REST path reads committed state: the contract lookup is the engine's per-height memo.
    const a = addr(address);
    if (this.engine.committedQueryTarget(ctx, a) === undefined) notFound(`contract ${address}`);
    const limit = this.queryGasLimit * GAS_MULTIPLIER;
    const r = await this.engine.runQueryAsync(ctx, a, query, limit);
    if ("error" in r) throw new QueryError(GRPC_UNKNOWN, r.error);
    return { data: r.data };
  }
}

/** The argument view the REST route table hands over (structurally the REST layer's QueryArgs). */
export interface ComputeQueryArgs {
  str(name: string): string;
  u64(name: string): bigint;
  bytes(name: string): Uint8Array;
}

const Q = "/secret.compute.v1beta1.Query/";

/**
 * gRPC method name → handler, with the argument names of the REST routes (src/api/rest/routes.ts), so the app
 * can register compute's queries in one line.
 */
export function computeQueryTable(
  s: ComputeQueryServer,
): Readonly<Record<string, (ctx: Context, a: ComputeQueryArgs) => unknown>> {
  return {
    [`${Q}ContractInfo`]: (ctx, a) => s.contractInfo(ctx, a.str("contract_address")),
    [`${Q}ContractsByCodeId`]: (ctx, a) => s.contractsByCodeId(ctx, a.u64("code_id")),
    [`${Q}QuerySecretContract`]: (ctx, a) =>
      s.querySecretContractAsync(ctx, a.str("contract_address"), a.bytes("query")),
    [`${Q}Code`]: (ctx, a) => s.code(ctx, a.u64("code_id")),
    [`${Q}Codes`]: (ctx) => s.codes(ctx),
    [`${Q}CodeHashByContractAddress`]: (ctx, a) =>
      s.codeHashByContractAddress(ctx, a.str("contract_address")),
    [`${Q}CodeHashByCodeId`]: (ctx, a) => s.codeHashByCodeId(ctx, a.u64("code_id")),
    [`${Q}LabelByAddress`]: (ctx, a) => s.labelByAddress(ctx, a.str("contract_address")),
    [`${Q}AddressByLabel`]: (ctx, a) => s.addressByLabel(ctx, a.str("label")),
    [`${Q}ContractHistory`]: (ctx, a) => s.contractHistory(ctx, a.str("contract_address")),
    [`${Q}Params`]: (ctx) => s.params(ctx),
  };
}
