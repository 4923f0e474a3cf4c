// x/compute's gRPC query methods over ABCI Query (path = full method name, data = protobuf request), as the
// Cosmos SDK CLI and cosmjs QueryClient call them. Each decodes its request, asks ComputeQueryServer (the REST
// answers' own source, so both give the same facts and the same errors) and encodes the protobuf response.
// Messages and field numbers: SN proto/secret/compute/v1beta1/{query,types}.proto.
import { BinaryWriter } from "cosmjs-types/binary";
import { fromBase64 } from "../../../util/bytes.js";
import { fromBech32, toBech32 } from "../../address.js";
import { GrpcCode, QueryError } from "../../errors.js";
import {
  decodeFields,
  putBytes,
  putString,
  putUint64,
  readBytes,
  readString,
  readUint64,
  Wire,
} from "../../tx/proto.js";
import type { GrpcQueryHandler } from "../../app/module.js";
import type { ComputeKeeper } from "./keeper.js";
import { encodeParamsResponse } from "./params.js";
import type { ComputeQueryServer, ContractRecord } from "./queryServer.js";
import { HISTORY_OP, type AbsoluteTxPosition, type CodeInfo, type HistoryEntry } from "./types.js";

const Q = "/secret.compute.v1beta1.Query/";

/** ContractCodeHistoryOperationType numbers (types.proto). */
const HISTORY_OP_NUMBER: Readonly<Record<string, number>> = {
  [HISTORY_OP.init]: 1,
  [HISTORY_OP.migrate]: 2,
  [HISTORY_OP.genesis]: 3,
};

/** A request's fields: string / u64 / bytes by field number; malformed protobuf is gRPC InvalidArgument. */
interface RequestFields {
  readonly str: Map<number, string>;
  readonly u64: Map<number, bigint>;
  readonly bytes: Map<number, Uint8Array>;
}

/** Decodes a request whose known fields are `strings`, `u64s`, `byteFields` (others skipped, as proto3 does). */
function request(
  data: Uint8Array,
  strings: readonly number[],
  u64s: readonly number[] = [],
  byteFields: readonly number[] = [],
): RequestFields {
  const f: RequestFields = { str: new Map(), u64: new Map(), bytes: new Map() };
  try {
    decodeFields(data, (field, wt, r) => {
      if (strings.includes(field)) f.str.set(field, readString(r, wt, `${field}`));
      else if (u64s.includes(field)) f.u64.set(field, readUint64(r, wt, `${field}`));
      else if (byteFields.includes(field)) f.bytes.set(field, readBytes(r, wt, `${field}`));
      else return false;
      return true;
    });
  } catch {
    throw new QueryError(GrpcCode.InvalidArgument, "malformed request");
  }
  return f;
}

const addressOf = (data: Uint8Array): string => request(data, [1]).str.get(1) ?? "";
const codeIdOf = (data: Uint8Array): bigint => request(data, [], [1]).u64.get(1) ?? 0n;

/** gogoproto's non-nullable message fields are written even when empty. */
function putMessage(w: BinaryWriter, field: number, body: Uint8Array): void {
  w.uint32((field << 3) | Wire.Len).bytes(body);
}

const finish = (fill: (w: BinaryWriter) => void): Uint8Array => {
  const w = BinaryWriter.create();
  fill(w);
  return w.finish();
};

/** AbsoluteTxPosition {1 int64 block_height, 2 uint64 tx_index}. */
const position = (p: AbsoluteTxPosition): Uint8Array =>
  finish((w) => {
    putUint64(w, 1, p.blockHeight);
    putUint64(w, 2, p.txIndex);
  });

/** ContractInfo {1 code_id, 2 creator (canonical bytes), 4 label, 5 created, 6 ibc_port_id, 7 admin, 8 admin_proof}. */
function contractInfo(c: ContractRecord["info"]): Uint8Array {
  return finish((w) => {
    putUint64(w, 1, c.codeId);
    putBytes(w, 2, fromBech32(c.creator, "creator"));
    putString(w, 4, c.label);
    putMessage(w, 5, position(c.created));
    putString(w, 7, c.admin);
    putBytes(w, 8, c.adminProof === "" ? new Uint8Array() : fromBase64(c.adminProof, "admin_proof"));
  });
}

/** ContractInfoWithAddress / QueryContractInfoResponse {1 contract_address, 2 ContractInfo (embedded)}. */
const contractWithAddress = (r: ContractRecord): Uint8Array =>
  finish((w) => {
    putString(w, 1, toBech32(r.a));
    putMessage(w, 2, contractInfo(r.info));
  });

/** CodeInfoResponse {1 code_id, 2 creator (bech32), 3 code_hash (hex), 4 source, 5 builder}. */
const codeInfo = (c: CodeInfo): Uint8Array =>
  finish((w) => {
    putUint64(w, 1, c.codeId);
    putString(w, 2, c.creator);
    putString(w, 3, c.codeHash);
    putString(w, 4, c.source);
    putString(w, 5, c.builder);
  });

/** ContractCodeHistoryEntry {1 operation, 2 code_id, 3 updated, 4 msg}. */
const historyEntry = (h: HistoryEntry): Uint8Array =>
  finish((w) => {
    const op = HISTORY_OP_NUMBER[h.operation] ?? 0;
    if (op !== 0) w.uint32((1 << 3) | Wire.Varint).int32(op);
    putUint64(w, 2, h.codeId);
    putMessage(w, 3, position(h.updated));
    putBytes(w, 4, fromBase64(h.msg, "msg"));
  });

/** A response with one string field 1 (code hash, label, contract address). */
const stringField1 = (v: string): Uint8Array =>
  finish((w) => {
    putString(w, 1, v);
  });

/**
 * SN's x/compute querier answers a missing contract, code or label with a registered error (compute 9 "not
 * found", or sdk "unknown address" for a label) whose gRPC status is Unknown, so the SDK's ABCI Query maps it to
 * sdk 6 "not found: unknown request" (baseapp gRPCErrorToSDKError), not sdk 22 as a NotFound status would be.
 * REST keeps its 404 (`{code: 5}`) answer, which secretjs's own error handling is tested against.
 */
function asSecret(h: GrpcQueryHandler): GrpcQueryHandler {
  return (ctx, data) => {
    try {
      return h(ctx, data);
    } catch (e) {
      if (e instanceof QueryError && e.grpcCode === GrpcCode.NotFound) {
        throw new QueryError(GrpcCode.Unknown, "not found");
      }
      throw e;
    }
  };
}

/** A code id request; 0 is SN's ErrInvalid ("code id: invalid", gRPC Unknown → sdk 6 over ABCI). */
function nonZeroCodeIdOf(data: Uint8Array): bigint {
  const id = codeIdOf(data);
  if (id === 0n) throw new QueryError(GrpcCode.Unknown, "code id: invalid");
  return id;
}

/** Every x/compute query SN serves that Shroud implements, by gRPC method path. */
export function computeGrpc(k: ComputeKeeper, s: ComputeQueryServer): Record<string, GrpcQueryHandler> {
  const handlers = computeHandlers(k, s);
  for (const path of Object.keys(handlers)) handlers[path] = asSecret(handlers[path]!);
  return handlers;
}

function computeHandlers(k: ComputeKeeper, s: ComputeQueryServer): Record<string, GrpcQueryHandler> {
  return {
    [`${Q}ContractInfo`]: (ctx, data) => contractWithAddress(s.contract(ctx, addressOf(data))),
    [`${Q}ContractsByCodeId`]: (ctx, data) => {
      const list = s.contractsOfCode(ctx, nonZeroCodeIdOf(data));
      return finish((w) => {
        for (const r of list) putMessage(w, 1, contractWithAddress(r));
      });
    },
    [`${Q}QuerySecretContract`]: (ctx, data) => {
      const f = request(data, [1], [], [2]);
      const { data: b64 } = s.querySecretContract(
        ctx,
        f.str.get(1) ?? "",
        f.bytes.get(2) ?? new Uint8Array(),
      );
      return finish((w) => {
        putBytes(w, 1, fromBase64(b64, "data"));
      });
    },
    [`${Q}Code`]: (ctx, data) => {
      const { info, wasm } = s.codeRecord(ctx, nonZeroCodeIdOf(data));
      return finish((w) => {
        putMessage(w, 1, codeInfo(info));
        putBytes(w, 2, wasm);
      });
    },
    [`${Q}Codes`]: (ctx) =>
      finish((w) => {
        for (const c of s.codeRecords(ctx)) putMessage(w, 1, codeInfo(c));
      }),
    [`${Q}CodeHashByContractAddress`]: (ctx, data) =>
      stringField1(s.codeHashByContractAddress(ctx, addressOf(data)).code_hash),
    [`${Q}CodeHashByCodeId`]: (ctx, data) => stringField1(s.codeHashByCodeId(ctx, codeIdOf(data)).code_hash),
    [`${Q}LabelByAddress`]: (ctx, data) => stringField1(s.labelByAddress(ctx, addressOf(data)).label),
    [`${Q}AddressByLabel`]: (ctx, data) =>
      stringField1(s.addressByLabel(ctx, request(data, [1]).str.get(1) ?? "").contract_address),
    [`${Q}ContractHistory`]: (ctx, data) => {
      const entries = s.historyRecords(ctx, addressOf(data));
      return finish((w) => {
        for (const h of entries) putMessage(w, 1, historyEntry(h));
      });
    },
    [`${Q}Params`]: (ctx) => encodeParamsResponse(k.getParams(ctx)),
  };
}
