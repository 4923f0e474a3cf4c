// Registry entries for Secret's own messages (compute and registration): codecs from the modules' proto.ts,
// signers, stateless checks and REST JSON. Compute execute/instantiate/store carry canonical `sender` bytes;
// JSON shows addresses as bech32 (gogoproto AccAddress MarshalJSON) and msg/init_msg as base64 (secretjs reads
// them back to find its nonces, spec secretjs-compat §3).
import { ChainError, SdkErrors } from "../errors.js";
import { assertAddressBytes, fromBech32, toBech32 } from "../address.js";
import { toBase64 } from "../../util/bytes.js";
import * as compute from "../modules/compute/proto.js";
import * as registration from "../modules/registration/proto.js";
import { parseCoins, type CoinWire } from "./coins.js";
import type { MsgRegistry, MsgType } from "./msgRegistry.js";

function canonical(b: Uint8Array, field: string): Uint8Array {
  try {
    return assertAddressBytes(b, field);
  } catch {
    throw new ChainError(SdkErrors.InvalidAddress, `${field}: invalid canonical address`);
  }
}

const coins = (c: CoinWire[]): CoinWire[] => c.map((x) => ({ denom: x.denom, amount: x.amount }));

export const MsgStoreCodeType: MsgType<compute.MsgStoreCode> = {
  typeUrl: compute.COMPUTE_TYPE_URLS.MsgStoreCode,
  module: "compute",
  decode: compute.decodeMsgStoreCode,
  encode: compute.encodeMsgStoreCode,
  signers: (m) => [canonical(m.sender, "sender")],
  validateBasic: (m) => {
    if (m.wasmByteCode.length === 0) throw new ChainError(SdkErrors.InvalidRequest, "empty wasm code");
  },
  toJson: (m) => ({
    sender: toBech32(m.sender),
    wasm_byte_code: toBase64(m.wasmByteCode),
    source: m.source,
    builder: m.builder,
  }),
  // secretjs toAmino: empty source/builder omitted.
  toAmino: (m) => ({
    type: "wasm/MsgStoreCode",
    value: {
      sender: toBase64(m.sender),
      wasm_byte_code: toBase64(m.wasmByteCode),
      source: m.source === "" ? undefined : m.source,
      builder: m.builder === "" ? undefined : m.builder,
    },
  }),
};

export const MsgInstantiateContractType: MsgType<compute.MsgInstantiateContract> = {
  typeUrl: compute.COMPUTE_TYPE_URLS.MsgInstantiateContract,
  module: "compute",
  decode: compute.decodeMsgInstantiateContract,
  encode: compute.encodeMsgInstantiateContract,
  signers: (m) => [canonical(m.sender, "sender")],
  validateBasic: (m) => {
    if (m.codeId === 0n) throw new ChainError(SdkErrors.InvalidRequest, "code id is required");
    if (m.label === "") throw new ChainError(SdkErrors.InvalidRequest, "label is required");
    parseCoins(m.initFunds, "init_funds");
    if (m.admin !== "") fromBech32(m.admin, "admin");
  },
  toJson: (m) => ({
    sender: toBech32(m.sender),
    callback_code_hash: m.callbackCodeHash,
    code_id: m.codeId.toString(),
    label: m.label,
    init_msg: toBase64(m.initMsg),
    init_funds: coins(m.initFunds),
    callback_sig: m.callbackSig.length === 0 ? null : toBase64(m.callbackSig),
    admin: m.admin,
  }),
  // secretjs toAmino: sender as base64 of canonical bytes; empty init_msg/admin omitted; callback fields never.
  toAmino: (m) => ({
    type: "wasm/MsgInstantiateContract",
    value: {
      sender: toBase64(m.sender),
      code_id: m.codeId.toString(),
      label: m.label,
      init_msg: m.initMsg.length === 0 ? undefined : toBase64(m.initMsg),
      init_funds: coins(m.initFunds),
      admin: m.admin === "" ? undefined : m.admin,
    },
  }),
};

export const MsgExecuteContractType: MsgType<compute.MsgExecuteContract> = {
  typeUrl: compute.COMPUTE_TYPE_URLS.MsgExecuteContract,
  module: "compute",
  decode: compute.decodeMsgExecuteContract,
  encode: compute.encodeMsgExecuteContract,
  signers: (m) => [canonical(m.sender, "sender")],
  validateBasic: (m) => {
    canonical(m.contract, "contract");
    parseCoins(m.sentFunds, "sent_funds");
  },
  toJson: (m) => ({
    sender: toBech32(m.sender),
    contract: m.contract.length === 0 ? "" : toBech32(m.contract),
    msg: toBase64(m.msg),
    callback_code_hash: m.callbackCodeHash,
    sent_funds: coins(m.sentFunds),
    callback_sig: m.callbackSig.length === 0 ? null : toBase64(m.callbackSig),
  }),
  toAmino: (m) => ({
    type: "wasm/MsgExecuteContract",
    value: {
      sender: toBase64(m.sender),
      contract: toBase64(m.contract),
      msg: toBase64(m.msg),
      sent_funds: coins(m.sentFunds),
    },
  }),
};

export const MsgMigrateContractType: MsgType<compute.MsgMigrateContract> = {
  typeUrl: compute.COMPUTE_TYPE_URLS.MsgMigrateContract,
  module: "compute",
  decode: compute.decodeMsgMigrateContract,
  encode: compute.encodeMsgMigrateContract,
  signers: (m) => [fromBech32(m.sender, "sender")],
  validateBasic: (m) => {
    fromBech32(m.contract, "contract");
    if (m.codeId === 0n) throw new ChainError(SdkErrors.InvalidRequest, "code id is required");
  },
  toJson: (m) => ({
    sender: m.sender,
    contract: m.contract,
    code_id: m.codeId.toString(),
    msg: toBase64(m.msg),
    callback_sig: m.callbackSig.length === 0 ? null : toBase64(m.callbackSig),
    callback_code_hash: m.callbackCodeHash,
  }),
  toAmino: (m) => ({
    type: "wasm/MsgMigrateContract",
    value: { sender: m.sender, contract: m.contract, msg: toBase64(m.msg), code_id: m.codeId.toString() },
  }),
};

export const MsgUpdateAdminType: MsgType<compute.MsgUpdateAdmin> = {
  typeUrl: compute.COMPUTE_TYPE_URLS.MsgUpdateAdmin,
  module: "compute",
  decode: compute.decodeMsgUpdateAdmin,
  encode: compute.encodeMsgUpdateAdmin,
  signers: (m) => [fromBech32(m.sender, "sender")],
  validateBasic: (m) => {
    fromBech32(m.contract, "contract");
    fromBech32(m.newAdmin, "new_admin");
  },
  toJson: (m) => ({
    sender: m.sender,
    new_admin: m.newAdmin,
    contract: m.contract,
    callback_sig: m.callbackSig.length === 0 ? null : toBase64(m.callbackSig),
  }),
  toAmino: (m) => ({
    type: "wasm/MsgUpdateAdmin",
    value: { sender: m.sender, new_admin: m.newAdmin, contract: m.contract },
  }),
};

export const MsgClearAdminType: MsgType<compute.MsgClearAdmin> = {
  typeUrl: compute.COMPUTE_TYPE_URLS.MsgClearAdmin,
  module: "compute",
  decode: compute.decodeMsgClearAdmin,
  encode: compute.encodeMsgClearAdmin,
  signers: (m) => [fromBech32(m.sender, "sender")],
  validateBasic: (m) => {
    fromBech32(m.contract, "contract");
  },
  toJson: (m) => ({
    sender: m.sender,
    contract: m.contract,
    callback_sig: m.callbackSig.length === 0 ? null : toBase64(m.callbackSig),
  }),
  toAmino: (m) => ({ type: "wasm/MsgClearAdmin", value: { sender: m.sender, contract: m.contract } }),
};

export const MsgRaAuthenticateType: MsgType<registration.MsgRaAuthenticate> = {
  typeUrl: registration.REGISTRATION_TYPE_URLS.RaAuthenticate,
  module: "registration",
  decode: registration.decodeMsgRaAuthenticate,
  encode: registration.encodeMsgRaAuthenticate,
  signers: (m) => [canonical(m.sender, "sender")],
  validateBasic: (m) => {
    if (m.certificate.length === 0) throw new ChainError(SdkErrors.InvalidRequest, "empty certificate");
  },
  toJson: (m) => ({
    sender: toBech32(m.sender),
    certificate: toBase64(m.certificate),
    replace_machine_id: m.replaceMachineId,
  }),
};

/** Registers every Secret-specific message type (handlers are attached later by compute/registration). */
export function registerSecretMsgTypes(registry: MsgRegistry): void {
  registry.register(MsgStoreCodeType);
  registry.register(MsgInstantiateContractType);
  registry.register(MsgExecuteContractType);
  registry.register(MsgMigrateContractType);
  registry.register(MsgUpdateAdminType);
  registry.register(MsgClearAdminType);
  registry.register(MsgRaAuthenticateType);
}
