// Protobuf codecs for /secret.compute.v1beta1 messages and their responses (our own code). Field numbers from
// spec secretjs-compat §2 and secretjs src/protobuf/secret/compute/v1beta1/msg.ts. Quirk: store/instantiate/
// execute carry `sender` (and execute `contract`) as canonical address bytes; migrate/admin messages use bech32.
import { BinaryWriter } from "cosmjs-types/binary";
import type { CoinWire } from "../../tx/coins.js";
import type { BinaryReader } from "cosmjs-types/binary";
import {
  decodeCoin,
  decodeFields,
  decodeFieldsInto,
  putBytes,
  putCoins,
  putString,
  putUint64,
  readBytes,
  readBytesView,
  readString,
  readUint64,
} from "../../tx/proto.js";

export const COMPUTE_TYPE_URLS = {
  MsgStoreCode: "/secret.compute.v1beta1.MsgStoreCode",
  MsgInstantiateContract: "/secret.compute.v1beta1.MsgInstantiateContract",
  MsgExecuteContract: "/secret.compute.v1beta1.MsgExecuteContract",
  MsgMigrateContract: "/secret.compute.v1beta1.MsgMigrateContract",
  MsgUpdateAdmin: "/secret.compute.v1beta1.MsgUpdateAdmin",
  MsgClearAdmin: "/secret.compute.v1beta1.MsgClearAdmin",
  MsgStoreCodeResponse: "/secret.compute.v1beta1.MsgStoreCodeResponse",
  MsgInstantiateContractResponse: "/secret.compute.v1beta1.MsgInstantiateContractResponse",
  MsgExecuteContractResponse: "/secret.compute.v1beta1.MsgExecuteContractResponse",
  MsgMigrateContractResponse: "/secret.compute.v1beta1.MsgMigrateContractResponse",
  MsgUpdateAdminResponse: "/secret.compute.v1beta1.MsgUpdateAdminResponse",
  MsgClearAdminResponse: "/secret.compute.v1beta1.MsgClearAdminResponse",
} as const;

/** 1 sender (canonical bytes), 2 wasm_byte_code (raw or gzip), 3 source, 4 builder. */
export interface MsgStoreCode {
  sender: Uint8Array;
  wasmByteCode: Uint8Array;
  source: string;
  builder: string;
}

/** 1 sender bytes, 2 callback_code_hash, 3 code_id, 4 label, 5 init_msg, 6 init_funds, 7 callback_sig, 8 admin. */
export interface MsgInstantiateContract {
  sender: Uint8Array;
  callbackCodeHash: string;
  codeId: bigint;
  label: string;
  initMsg: Uint8Array;
  initFunds: CoinWire[];
  callbackSig: Uint8Array;
  admin: string;
}

/** 1 sender bytes, 2 contract bytes, 3 msg, 4 callback_code_hash, 5 sent_funds, 6 callback_sig. */
export interface MsgExecuteContract {
  sender: Uint8Array;
  contract: Uint8Array;
  msg: Uint8Array;
  callbackCodeHash: string;
  sentFunds: CoinWire[];
  callbackSig: Uint8Array;
}

/** 1 sender, 2 contract (bech32), 3 code_id, 4 msg, 7 callback_sig, 8 callback_code_hash. */
export interface MsgMigrateContract {
  sender: string;
  contract: string;
  codeId: bigint;
  msg: Uint8Array;
  callbackSig: Uint8Array;
  callbackCodeHash: string;
}

/** 1 sender, 2 new_admin, 3 contract (bech32), 7 callback_sig. */
export interface MsgUpdateAdmin {
  sender: string;
  newAdmin: string;
  contract: string;
  callbackSig: Uint8Array;
}

/** 1 sender, 3 contract (bech32), 7 callback_sig. */
export interface MsgClearAdmin {
  sender: string;
  contract: string;
  callbackSig: Uint8Array;
}

export interface MsgStoreCodeResponse {
  codeId: bigint;
}
export interface MsgInstantiateContractResponse {
  address: string;
  data: Uint8Array;
}
export interface MsgDataResponse {
  data: Uint8Array;
}

export function encodeMsgStoreCode(m: MsgStoreCode): Uint8Array {
  const w = BinaryWriter.create();
  putBytes(w, 1, m.sender);
  putBytes(w, 2, m.wasmByteCode);
  putString(w, 3, m.source);
  putString(w, 4, m.builder);
  return w.finish();
}

export function decodeMsgStoreCode(buf: Uint8Array): MsgStoreCode {
  const m: MsgStoreCode = {
    sender: new Uint8Array(),
    wasmByteCode: new Uint8Array(),
    source: "",
    builder: "",
  };
  decodeFields(buf, (f, wt, r) => {
    if (f === 1) m.sender = readBytes(r, wt, "sender");
    else if (f === 2) m.wasmByteCode = readBytes(r, wt, "wasm_byte_code");
    else if (f === 3) m.source = readString(r, wt, "source");
    else if (f === 4) m.builder = readString(r, wt, "builder");
    else return false;
    return true;
  });
  return m;
}

export function encodeMsgInstantiateContract(m: MsgInstantiateContract): Uint8Array {
  const w = BinaryWriter.create();
  putBytes(w, 1, m.sender);
  putString(w, 2, m.callbackCodeHash);
  putUint64(w, 3, m.codeId);
  putString(w, 4, m.label);
  putBytes(w, 5, m.initMsg);
  putCoins(w, 6, m.initFunds);
  putBytes(w, 7, m.callbackSig);
  putString(w, 8, m.admin);
  return w.finish();
}

/**
 * Decodes MsgInstantiateContract. Its bytes fields are views of `buf`, not copies (as every field of a decoded
 * tx is a view of the tx's own copy): `buf` must not change afterwards. Every registry caller passes bytes no one
 * writes (decodeTx's private copy of a tx, a stored proposal's message, a contract's returned message).
 */
export function decodeMsgInstantiateContract(buf: Uint8Array): MsgInstantiateContract {
  const m: MsgInstantiateContract = {
    sender: new Uint8Array(),
    callbackCodeHash: "",
    codeId: 0n,
    label: "",
    initMsg: new Uint8Array(),
    initFunds: [],
    callbackSig: new Uint8Array(),
    admin: "",
  };
  decodeFieldsInto(buf, m, instantiateField);
  return m;
}

function instantiateField(m: MsgInstantiateContract, f: number, wt: number, r: BinaryReader): boolean {
  if (f === 1) m.sender = readBytesView(r, wt, "sender");
  else if (f === 2) m.callbackCodeHash = readString(r, wt, "callback_code_hash");
  else if (f === 3) m.codeId = readUint64(r, wt, "code_id");
  else if (f === 4) m.label = readString(r, wt, "label");
  else if (f === 5) m.initMsg = readBytesView(r, wt, "init_msg");
  else if (f === 6) m.initFunds.push(decodeCoin(readBytesView(r, wt, "init_funds")));
  else if (f === 7) m.callbackSig = readBytesView(r, wt, "callback_sig");
  else if (f === 8) m.admin = readString(r, wt, "admin");
  else return false;
  return true;
}

export function encodeMsgExecuteContract(m: MsgExecuteContract): Uint8Array {
  const w = BinaryWriter.create();
  putBytes(w, 1, m.sender);
  putBytes(w, 2, m.contract);
  putBytes(w, 3, m.msg);
  putString(w, 4, m.callbackCodeHash);
  putCoins(w, 5, m.sentFunds);
  putBytes(w, 6, m.callbackSig);
  return w.finish();
}

/**
 * Decodes MsgExecuteContract (a SNIP-20 transfer's message): bytes fields are views of `buf`, not copies, and
 * `buf` must not change afterwards (see decodeMsgInstantiateContract).
 */
export function decodeMsgExecuteContract(buf: Uint8Array): MsgExecuteContract {
  const m: MsgExecuteContract = {
    sender: new Uint8Array(),
    contract: new Uint8Array(),
    msg: new Uint8Array(),
    callbackCodeHash: "",
    sentFunds: [],
    callbackSig: new Uint8Array(),
  };
  decodeFieldsInto(buf, m, executeField);
  return m;
}

function executeField(m: MsgExecuteContract, f: number, wt: number, r: BinaryReader): boolean {
  if (f === 1) m.sender = readBytesView(r, wt, "sender");
  else if (f === 2) m.contract = readBytesView(r, wt, "contract");
  else if (f === 3) m.msg = readBytesView(r, wt, "msg");
  else if (f === 4) m.callbackCodeHash = readString(r, wt, "callback_code_hash");
  else if (f === 5) m.sentFunds.push(decodeCoin(readBytesView(r, wt, "sent_funds")));
  else if (f === 6) m.callbackSig = readBytesView(r, wt, "callback_sig");
  else return false;
  return true;
}

export function encodeMsgMigrateContract(m: MsgMigrateContract): Uint8Array {
  const w = BinaryWriter.create();
  putString(w, 1, m.sender);
  putString(w, 2, m.contract);
  putUint64(w, 3, m.codeId);
  putBytes(w, 4, m.msg);
  putBytes(w, 7, m.callbackSig);
  putString(w, 8, m.callbackCodeHash);
  return w.finish();
}

/** Decodes MsgMigrateContract: bytes fields are views of `buf` (see decodeMsgInstantiateContract). */
export function decodeMsgMigrateContract(buf: Uint8Array): MsgMigrateContract {
  const m: MsgMigrateContract = {
    sender: "",
    contract: "",
    codeId: 0n,
    msg: new Uint8Array(),
    callbackSig: new Uint8Array(),
    callbackCodeHash: "",
  };
  decodeFieldsInto(buf, m, migrateField);
  return m;
}

function migrateField(m: MsgMigrateContract, f: number, wt: number, r: BinaryReader): boolean {
  if (f === 1) m.sender = readString(r, wt, "sender");
  else if (f === 2) m.contract = readString(r, wt, "contract");
  else if (f === 3) m.codeId = readUint64(r, wt, "code_id");
  else if (f === 4) m.msg = readBytesView(r, wt, "msg");
  else if (f === 7) m.callbackSig = readBytesView(r, wt, "callback_sig");
  else if (f === 8) m.callbackCodeHash = readString(r, wt, "callback_code_hash");
  else return false;
  return true;
}

export function encodeMsgUpdateAdmin(m: MsgUpdateAdmin): Uint8Array {
  const w = BinaryWriter.create();
  putString(w, 1, m.sender);
  putString(w, 2, m.newAdmin);
  putString(w, 3, m.contract);
  putBytes(w, 7, m.callbackSig);
  return w.finish();
}

export function decodeMsgUpdateAdmin(buf: Uint8Array): MsgUpdateAdmin {
  const m: MsgUpdateAdmin = { sender: "", newAdmin: "", contract: "", callbackSig: new Uint8Array() };
  decodeFields(buf, (f, wt, r) => {
    if (f === 1) m.sender = readString(r, wt, "sender");
    else if (f === 2) m.newAdmin = readString(r, wt, "new_admin");
    else if (f === 3) m.contract = readString(r, wt, "contract");
    else if (f === 7) m.callbackSig = readBytes(r, wt, "callback_sig");
    else return false;
    return true;
  });
  return m;
}

export function encodeMsgClearAdmin(m: MsgClearAdmin): Uint8Array {
  const w = BinaryWriter.create();
  putString(w, 1, m.sender);
  putString(w, 3, m.contract);
  putBytes(w, 7, m.callbackSig);
  return w.finish();
}

export function decodeMsgClearAdmin(buf: Uint8Array): MsgClearAdmin {
  const m: MsgClearAdmin = { sender: "", contract: "", callbackSig: new Uint8Array() };
  decodeFields(buf, (f, wt, r) => {
    if (f === 1) m.sender = readString(r, wt, "sender");
    else if (f === 3) m.contract = readString(r, wt, "contract");
    else if (f === 7) m.callbackSig = readBytes(r, wt, "callback_sig");
    else return false;
    return true;
  });
  return m;
}

/** MsgStoreCodeResponse {1 code_id uint64}. */
export function encodeMsgStoreCodeResponse(m: MsgStoreCodeResponse): Uint8Array {
  const w = BinaryWriter.create();
  putUint64(w, 1, m.codeId);
  return w.finish();
}

export function decodeMsgStoreCodeResponse(buf: Uint8Array): MsgStoreCodeResponse {
  const m: MsgStoreCodeResponse = { codeId: 0n };
  decodeFields(buf, (f, wt, r) => {
    if (f !== 1) return false;
    m.codeId = readUint64(r, wt, "code_id");
    return true;
  });
  return m;
}

/** MsgInstantiateContractResponse {1 address (bech32), 2 data (encrypted)}. */
export function encodeMsgInstantiateContractResponse(m: MsgInstantiateContractResponse): Uint8Array {
  const w = BinaryWriter.create();
  putString(w, 1, m.address);
  putBytes(w, 2, m.data);
  return w.finish();
}

export function decodeMsgInstantiateContractResponse(buf: Uint8Array): MsgInstantiateContractResponse {
  const m: MsgInstantiateContractResponse = { address: "", data: new Uint8Array() };
  decodeFields(buf, (f, wt, r) => {
    if (f === 1) m.address = readString(r, wt, "address");
    else if (f === 2) m.data = readBytes(r, wt, "data");
    else return false;
    return true;
  });
  return m;
}

/** MsgExecuteContractResponse / MsgMigrateContractResponse {1 data (encrypted)}. */
export function encodeMsgDataResponse(m: MsgDataResponse): Uint8Array {
  const w = BinaryWriter.create();
  putBytes(w, 1, m.data);
  return w.finish();
}

export function decodeMsgDataResponse(buf: Uint8Array): MsgDataResponse {
  const m: MsgDataResponse = { data: new Uint8Array() };
  decodeFields(buf, (f, wt, r) => {
    if (f !== 1) return false;
    m.data = readBytes(r, wt, "data");
    return true;
  });
  return m;
}

/** MsgUpdateAdminResponse / MsgClearAdminResponse are empty messages. */
export function encodeEmptyResponse(): Uint8Array {
  return new Uint8Array();
}
