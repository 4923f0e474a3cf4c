// x/compute parameters as Secret defines them (proto secret/compute/v1beta1/params.proto; defaults and the
// store-code use from SN x/compute/internal/types/params.go and keeper.go Create): codecs, JSON form, the
// compile gas, and the governance MsgUpdateParams whose authority is the gov module account.
import { BinaryWriter } from "cosmjs-types/binary";
import { ChainError } from "../../errors.js";
import type { Context } from "../../tx/context.js";
import {
  decodeFields,
  ProtoDecodeError,
  putString,
  putUint64,
  readBytes,
  readString,
  readUint64,
} from "../../tx/proto.js";
import type { UpdateParamsSpec } from "../gov/authority.js";
import { Dec } from "../staking/dec.js";
import { ComputeErrors } from "./errors.js";
import type { ComputeParams } from "./types.js";

/** SN types/params.go DefaultCompileCost = LegacyNewDecWithPrec(8, 1): SDK gas per uncompressed wasm byte. */
export const DEFAULT_COMPILE_COST = Dec.fromString("0.8");
/** SN types/params.go DefaultMaxContractSize = 2 * 1024 * 1024 bytes (uncompressed). */
export const DEFAULT_MAX_CONTRACT_SIZE = 2n * 1024n * 1024n;
export const DEFAULT_PARAMS: ComputeParams = Object.freeze({
  compileCost: DEFAULT_COMPILE_COST,
  maxContractSize: DEFAULT_MAX_CONTRACT_SIZE,
});

export const COMPUTE_PARAMS_TYPE_URLS = {
  MsgUpdateParams: "/secret.compute.v1beta1.MsgUpdateParams",
  MsgUpdateParamsResponse: "/secret.compute.v1beta1.MsgUpdateParamsResponse",
} as const;

const U64_MAX = (1n << 64n) - 1n;

/** Params wire form: 1 compile_cost (LegacyDec atomics as a string, always written), 2 max_contract_size. */
export function encodeParams(p: ComputeParams): Uint8Array {
  const w = BinaryWriter.create();
  w.uint32(10).string(p.compileCost.toAtomics());
  putUint64(w, 2, p.maxContractSize);
  return w.finish();
}

/** Absent fields are Go's zero values (gogoproto non-nullable): compile cost 0, size 0. */
export function decodeParams(buf: Uint8Array): ComputeParams {
  let compileCost = Dec.ZERO;
  let maxContractSize = 0n;
  decodeFields(buf, (f, wt, r) => {
    if (f === 1) {
      const s = readString(r, wt, "compile_cost");
      try {
        compileCost = Dec.fromAtomics(s);
      } catch {
        throw new ProtoDecodeError(`field compile_cost: invalid decimal ${s}`);
      }
    } else if (f === 2) maxContractSize = readUint64(r, wt, "max_contract_size");
    else return false;
    return true;
  });
  return { compileCost, maxContractSize };
}

/** The JSON form of the gRPC gateway and genesis: `{"compile_cost":"0.800000000000000000","max_contract_size":"2097152"}`. */
export function paramsJson(p: ComputeParams): { compile_cost: string; max_contract_size: string } {
  return { compile_cost: p.compileCost.toString(), max_contract_size: p.maxContractSize.toString() };
}

/** Genesis params: a missing field keeps its default; a malformed one is `compute 8 invalid genesis`. */
export function paramsFromJson(j: Readonly<Record<string, unknown>>): ComputeParams {
  const bad = (why: string): never => {
    throw new ChainError(ComputeErrors.InvalidGenesis, `params: ${why}`);
  };
  const cc = j.compile_cost ?? DEFAULT_COMPILE_COST.toString();
  const mcs = j.max_contract_size ?? DEFAULT_MAX_CONTRACT_SIZE.toString();
  if (typeof cc !== "string") return bad("compile_cost is not a string");
  if (typeof mcs !== "string" || !/^[0-9]{1,20}$/.test(mcs) || BigInt(mcs) > U64_MAX)
    return bad("invalid max_contract_size");
  let compileCost: Dec;
  try {
    compileCost = Dec.fromString(cc);
  } catch {
    return bad(`invalid compile_cost ${cc}`);
  }
  return { compileCost, maxContractSize: BigInt(mcs) };
}

/**
 * SDK gas for compiling `wasmLen` uncompressed bytes: uint64(CompileCost.MulInt64(len).RoundInt64()) (SN keeper.go
 * Create). Rounding is half to even; a negative product wraps as Go's uint64 conversion does (and so runs out of gas).
 */
export function compileGas(p: ComputeParams, wasmLen: number): bigint {
  const g = p.compileCost.mulInt(BigInt(wasmLen)).roundInt();
  return g < 0n ? (g + (1n << 64n)) & U64_MAX : g;
}

/** SN keeper.go Create: after inflation, larger than max_contract_size → compute 31 (no gas charged yet). */
export function assertContractSize(p: ComputeParams, wasmLen: number): void {
  if (BigInt(wasmLen) > p.maxContractSize) throw new ChainError(ComputeErrors.MaxContractSize, "");
}

/** ABCI gRPC `/secret.compute.v1beta1.Query/Params` answer: ParamsResponse {1 params (non-nullable, always written)}. */
export function encodeParamsResponse(p: ComputeParams): Uint8Array {
  return BinaryWriter.create().uint32(10).bytes(encodeParams(p)).finish();
}

/** secret.compute.v1beta1.MsgUpdateParams {1 authority (bech32), 2 params (non-nullable)}. */
export interface MsgUpdateComputeParams {
  readonly authority: string;
  readonly params: ComputeParams;
}

export function encodeMsgUpdateParams(m: MsgUpdateComputeParams): Uint8Array {
  const w = BinaryWriter.create();
  putString(w, 1, m.authority);
  w.uint32(18).bytes(encodeParams(m.params));
  return w.finish();
}

export function decodeMsgUpdateParams(buf: Uint8Array): MsgUpdateComputeParams {
  let authority = "";
  let params: ComputeParams = { compileCost: Dec.ZERO, maxContractSize: 0n };
  decodeFields(buf, (f, wt, r) => {
    if (f === 1) authority = readString(r, wt, "authority");
    else if (f === 2) params = decodeParams(readBytes(r, wt, "params"));
    else return false;
    return true;
  });
  return { authority, params };
}

/**
 * The gov-executable MsgUpdateParams (SN msg_server.go UpdateParams): wrong authority → gov 13 "invalid authority;
 * expected <gov>, got <x>"; SN's Params.Validate accepts everything, so the params are stored as sent.
 */
export function computeUpdateParamsSpec(
  setParams: (ctx: Context, p: ComputeParams) => void,
): UpdateParamsSpec<MsgUpdateComputeParams> {
  return {
    typeUrl: COMPUTE_PARAMS_TYPE_URLS.MsgUpdateParams,
    responseTypeUrl: COMPUTE_PARAMS_TYPE_URLS.MsgUpdateParamsResponse,
    module: "compute",
    decode: decodeMsgUpdateParams,
    encode: encodeMsgUpdateParams,
    toJson: (m) => ({ authority: m.authority, params: paramsJson(m.params) }),
    apply: (ctx, m) => {
      setParams(ctx, m.params);
    },
  };
}
