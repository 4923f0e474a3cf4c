// x/compute's stored records and their JSON encodings. Records are JSON objects built with a fixed key order
// (deterministic bytes); the same shapes are what the gateway queries and genesis show (secretjs-compat §1).
import { InvalidInputError, utf8 } from "../../../util/bytes.js";
import type { Dec } from "../staking/dec.js";

export interface CodeInfo {
  readonly codeId: bigint;
  readonly creator: string;
  /** Lowercase hex sha256 of the uncompressed wasm. */
  readonly codeHash: string;
  readonly source: string;
  readonly builder: string;
}

export interface AbsoluteTxPosition {
  readonly blockHeight: bigint;
  readonly txIndex: bigint;
}

export interface ContractInfo {
  readonly codeId: bigint;
  readonly creator: string;
  readonly label: string;
  readonly created: AbsoluteTxPosition;
  /** bech32, "" when the contract has no admin. */
  readonly admin: string;
  /** base64 of the enclave's admin proof, "" when none. */
  readonly adminProof: string;
}

/** The contract key record (spec §6.1–6.2): og key forever, current key and its proof after a migrate. */
export interface StoredContractKey {
  readonly og: Uint8Array;
  readonly current?: Uint8Array | undefined;
  readonly proof?: Uint8Array | undefined;
}

export const HISTORY_OP = {
  init: "CONTRACT_CODE_HISTORY_OPERATION_TYPE_INIT",
  migrate: "CONTRACT_CODE_HISTORY_OPERATION_TYPE_MIGRATE",
  genesis: "CONTRACT_CODE_HISTORY_OPERATION_TYPE_GENESIS",
} as const;
export type HistoryOp = (typeof HISTORY_OP)[keyof typeof HISTORY_OP];

export interface HistoryEntry {
  readonly operation: HistoryOp;
  readonly codeId: bigint;
  readonly updated: AbsoluteTxPosition;
  /** The (encrypted) msg exactly as sent, base64. */
  readonly msg: string;
}

/** secret.compute.v1beta1.Params (SN proto params.proto); defaults and codecs in ./params.ts. */
export interface ComputeParams {
  /** SDK gas charged per uncompressed wasm byte at store-code (LegacyDec). */
  readonly compileCost: Dec;
  /** Largest uncompressed wasm accepted at store-code, in bytes. */
  readonly maxContractSize: bigint;
}

type J = Record<string, unknown>;

function parse(b: Uint8Array, what: string): J {
  const v: unknown = JSON.parse(utf8.decode(b));
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new InvalidInputError(what, "not an object");
  return v as J;
}
const s = (v: unknown, f: string): string => {
  if (typeof v !== "string") throw new InvalidInputError(f, `"${f}" is not a string`);
  return v;
};
const u = (v: unknown, f: string): bigint => {
  const t = s(v, f);
  if (!/^[0-9]{1,20}$/.test(t)) throw new InvalidInputError(f, `"${f}" is not a u64`);
  return BigInt(t);
};
const enc = (o: J): Uint8Array => utf8.encode(JSON.stringify(o));

export const posJson = (p: AbsoluteTxPosition): J => ({
  block_height: p.blockHeight.toString(),
  tx_index: p.txIndex.toString(),
});
function posFrom(v: unknown): AbsoluteTxPosition {
  const o = (v ?? {}) as J;
  return { blockHeight: u(o.block_height, "block_height"), txIndex: u(o.tx_index, "tx_index") };
}

export const codeInfoJson = (c: CodeInfo): J => ({
  code_id: c.codeId.toString(),
  creator: c.creator,
  code_hash: c.codeHash,
  source: c.source,
  builder: c.builder,
});
export const encodeCodeInfo = (c: CodeInfo): Uint8Array => enc(codeInfoJson(c));
export function codeInfoFromJson(o: J): CodeInfo {
  return {
    codeId: u(o.code_id, "code_id"),
    creator: s(o.creator, "creator"),
    codeHash: s(o.code_hash, "code_hash"),
    source: s(o.source ?? "", "source"),
    builder: s(o.builder ?? "", "builder"),
  };
}
export const decodeCodeInfo = (b: Uint8Array): CodeInfo => codeInfoFromJson(parse(b, "code info"));

export const contractInfoJson = (c: ContractInfo): J => ({
  code_id: c.codeId.toString(),
  creator: c.creator,
  label: c.label,
  created: posJson(c.created),
  ibc_port_id: "",
  admin: c.admin,
  admin_proof: c.adminProof,
});
export const encodeContractInfo = (c: ContractInfo): Uint8Array => enc(contractInfoJson(c));
export function contractInfoFromJson(o: J): ContractInfo {
  return {
    codeId: u(o.code_id, "code_id"),
    creator: s(o.creator, "creator"),
    label: s(o.label, "label"),
    created: posFrom(o.created),
    admin: s(o.admin ?? "", "admin"),
    adminProof: s(o.admin_proof ?? "", "admin_proof"),
  };
}
export const decodeContractInfo = (b: Uint8Array): ContractInfo => contractInfoFromJson(parse(b, "contract"));

export const historyJson = (h: HistoryEntry): J => ({
  operation: h.operation,
  code_id: h.codeId.toString(),
  updated: posJson(h.updated),
  msg: h.msg,
});
export const encodeHistory = (h: HistoryEntry): Uint8Array => enc(historyJson(h));
export function historyFromJson(o: J): HistoryEntry {
  const op = s(o.operation, "operation");
  if (!Object.values(HISTORY_OP).includes(op as HistoryOp))
    throw new InvalidInputError("operation", "unknown");
  return {
    operation: op as HistoryOp,
    codeId: u(o.code_id, "code_id"),
    updated: posFrom(o.updated),
    msg: s(o.msg, "msg"),
  };
}
export const decodeHistory = (b: Uint8Array): HistoryEntry => historyFromJson(parse(b, "history"));
