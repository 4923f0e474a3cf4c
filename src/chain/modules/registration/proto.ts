// Protobuf codec for /secret.registration.v1beta1.RaAuthenticate and its response (our own code). Field numbers
// from secretjs src/protobuf/secret/registration/v1beta1/msg.ts (1, 2) and SecretNetwork x/registration
// (3 replace_machine_id, used by `secretd tx register auth <cert> [replace_machine_id]`).
import { BinaryWriter } from "cosmjs-types/binary";
import { decodeFields, putBytes, putString, readBytes, readString } from "../../tx/proto.js";

export const REGISTRATION_TYPE_URLS = {
  RaAuthenticate: "/secret.registration.v1beta1.RaAuthenticate",
  RaAuthenticateResponse: "/secret.registration.v1beta1.RaAuthenticateResponse",
} as const;

/** 1 sender (canonical bytes), 2 certificate (attestation bundle), 3 replace_machine_id. */
export interface MsgRaAuthenticate {
  sender: Uint8Array;
  certificate: Uint8Array;
  replaceMachineId: string;
}

/** 1 data, 2 events (strings, as Secret defines them). */
export interface MsgRaAuthenticateResponse {
  data: string;
  events: string;
}

export function encodeMsgRaAuthenticate(m: MsgRaAuthenticate): Uint8Array {
  const w = BinaryWriter.create();
  putBytes(w, 1, m.sender);
  putBytes(w, 2, m.certificate);
  putString(w, 3, m.replaceMachineId);
  return w.finish();
}

export function decodeMsgRaAuthenticate(buf: Uint8Array): MsgRaAuthenticate {
  const m: MsgRaAuthenticate = {
    sender: new Uint8Array(),
    certificate: new Uint8Array(),
    replaceMachineId: "",
  };
  decodeFields(buf, (f, wt, r) => {
    if (f === 1) m.sender = readBytes(r, wt, "sender");
    else if (f === 2) m.certificate = readBytes(r, wt, "certificate");
    else if (f === 3) m.replaceMachineId = readString(r, wt, "replace_machine_id");
    else return false;
    return true;
  });
  return m;
}

export function encodeMsgRaAuthenticateResponse(m: MsgRaAuthenticateResponse): Uint8Array {
  const w = BinaryWriter.create();
  putString(w, 1, m.data);
  putString(w, 2, m.events);
  return w.finish();
}

export function decodeMsgRaAuthenticateResponse(buf: Uint8Array): MsgRaAuthenticateResponse {
  const m: MsgRaAuthenticateResponse = { data: "", events: "" };
  decodeFields(buf, (f, wt, r) => {
    if (f === 1) m.data = readString(r, wt, "data");
    else if (f === 2) m.events = readString(r, wt, "events");
    else return false;
    return true;
  });
  return m;
}

// ---- state and query messages (SecretNetwork proto/secret/registration/v1beta1/{types,genesis,query}.proto) ----

/** RegistrationNodeInfo {1 certificate, 2 encrypted_seed}: the state value under 0x01 ‖ pubkey (spec §3.4). */
export interface RegistrationNodeInfo {
  certificate: Uint8Array;
  encryptedSeed: Uint8Array;
}

export function encodeRegistrationNodeInfo(m: RegistrationNodeInfo): Uint8Array {
  const w = BinaryWriter.create();
  putBytes(w, 1, m.certificate);
  putBytes(w, 2, m.encryptedSeed);
  return w.finish();
}

export function decodeRegistrationNodeInfo(buf: Uint8Array): RegistrationNodeInfo {
  const m: RegistrationNodeInfo = { certificate: new Uint8Array(), encryptedSeed: new Uint8Array() };
  decodeFields(buf, (f, wt, r) => {
    if (f === 1) m.certificate = readBytes(r, wt, "certificate");
    else if (f === 2) m.encryptedSeed = readBytes(r, wt, "encrypted_seed");
    else return false;
    return true;
  });
  return m;
}

/**
 * A message whose only field is `1: bytes`: MasterKey{bytes} (state, spec §2.1), Key{key} (TxKey and
 * RegistrationKey responses), QueryEncryptedSeedRequest{pub_key}, QueryEncryptedSeedResponse{encrypted_seed}.
 */
export function encodeBytesField1(v: Uint8Array): Uint8Array {
  const w = BinaryWriter.create();
  putBytes(w, 1, v);
  return w.finish();
}

export function decodeBytesField1(buf: Uint8Array, name: string): Uint8Array {
  let v: Uint8Array = new Uint8Array();
  decodeFields(buf, (f, wt, r) => {
    if (f !== 1) return false;
    v = readBytes(r, wt, name);
    return true;
  });
  return v;
}
