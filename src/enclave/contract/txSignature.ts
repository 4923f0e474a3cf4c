// Binding a user's contract call to the signed tx (spec secret-protocol §4.2; SN contract_validation.rs
// `verify_params` → `verify_signature`, `verify_tx_bytes`, `verify_input_params`; input_validation/
// msg_validation.rs `verify_and_get_sdk_msg`): the sender's secp256k1 key must have signed the sign bytes,
// the signed messages must be the tx's messages, and one signed Secret compute message must carry exactly
// this sender, contract, funds, admin and encrypted bytes. SIGN_MODE_DIRECT and LEGACY_AMINO_JSON with
// single secp256k1 keys are supported; EIP-191 and multisig are refused.
import { ripemd160 } from "@noble/hashes/legacy.js";
import { equalBytes, fromBase64, toHex, utf8 } from "../../util/bytes.js";
import { sha256Js } from "../crypto/sha256Js.js";
import { secp256k1VerifySha256 } from "../crypto/secp256k1.js";
import { byteString, GenerationMemo } from "../byteMemo.js";
import { EnclaveError } from "../errors.js";
import { Bech32Api } from "../vm/addressApi.js";
import type { Coin } from "../vm/environment.js";
import {
  decodeAny,
  decodeAuthInfoKeys,
  decodePubKey,
  decodeSignDoc,
  decodeTxBodyMessages,
  decodeTxRawBody,
  ProtoReader,
  type AnyParts,
} from "./protoWalk.js";
import type { SignatureVerdict, VerdictBinding, VerdictMac } from "./verdict.js";

/** cosmos.tx.signing.v1beta1.SignMode values. */
export const SIGN_MODE_DIRECT = 1;
export const SIGN_MODE_LEGACY_AMINO_JSON = 127;
const SECP256K1_PUBKEY_TYPE = "/cosmos.crypto.secp256k1.PubKey";
const PREFIX = "/secret.compute.v1beta1.";
/** Protobuf wire type of length-delimited fields. */
const WIRE_BYTES = 2;

/** What the host passes for a user-signed call (Go's `SigInfo`). */
export interface SigInfo {
  readonly signMode: number;
  readonly signBytes: Uint8Array;
  readonly signature: Uint8Array;
  readonly txBytes: Uint8Array;
  /** Amino only: the signer's public key as a protobuf Any (DIRECT finds it in auth_info). */
  readonly publicKey?: Uint8Array | undefined;
  /**
   * Enclave-internal, never encoded: a verify lane's token for this signature and the key to check it
   * (../ecalls/contract.ts attaches it). A token that checks out stands for the secp256k1 verify only.
   */
  readonly verdict?: SignatureVerdict | undefined;
}

/** The call as the enclave sees it, to be found among the signed messages. */
export interface SignedCall {
  readonly op: "instantiate" | "execute" | "migrate" | "update_admin";
  readonly senderCanonical: Uint8Array;
  readonly senderHuman: string;
  readonly contractCanonical: Uint8Array;
  readonly contractHuman: string;
  readonly funds: readonly Coin[];
  /** The encrypted input exactly as sent (nonce ‖ pk ‖ ct). */
  readonly message: Uint8Array;
  /** instantiate: bech32 admin or ""; migrate / update_admin: the current admin's bech32 (must be the sender). */
  readonly admin: string;
  /** update_admin: the new admin's bech32, "" to clear. */
  readonly newAdmin?: string;
}

/** One compute message reduced to what the checks compare; addresses as bech32, msg as hex. */
interface Norm {
  readonly kind: string;
  readonly sender: string;
  readonly contract: string;
  readonly msg: string;
  readonly funds: readonly Coin[];
  readonly admin: string;
}

const fail = (): EnclaveError => new EnclaveError("FailedTxVerification");
const api = new Bech32Api();

function decodeOr<T>(f: () => T): T {
  try {
    return f();
  } catch {
    throw fail();
  }
}

const human = (b: Uint8Array | undefined): string =>
  b === undefined || b.length === 0 ? "" : (api.addrHumanize(b).human ?? "");
const text = (b: Uint8Array | undefined): string => (b === undefined ? "" : utf8.decode(b));

/** Length-delimited fields of one proto message by number, and repeated Coins of `coinField`. */
function fields(value: Uint8Array, coinField: number): { b: Map<number, Uint8Array>; coins: Coin[] } {
  const r = new ProtoReader(value);
  const b = new Map<number, Uint8Array>();
  const coins: Coin[] = [];
  while (r.pos < r.len) {
    const [no, wire] = r.tag();
    if (wire !== WIRE_BYTES) {
      r.skipType(wire);
      continue;
    }
    const bytes = r.bytes();
    if (no !== coinField) {
      b.set(no, bytes);
      continue;
    }
    const c = new ProtoReader(bytes);
    let denom = "";
    let amount = "";
    while (c.pos < c.len) {
      const [cn, cw] = c.tag();
      if (cn === 1 && cw === WIRE_BYTES) denom = c.string();
      else if (cn === 2 && cw === WIRE_BYTES) amount = c.string();
      else c.skipType(cw);
    }
    coins.push({ denom, amount });
  }
  return { b, coins };
}

/** A protobuf Any from the tx body (SN `DirectSdkMsg`). */
function normProto(typeUrl: string, value: Uint8Array): Norm {
  const empty = { sender: "", contract: "", msg: "", funds: [], admin: "" };
  switch (typeUrl) {
    case `${PREFIX}MsgExecuteContract`: {
      const { b, coins } = fields(value, 5);
      return {
        kind: "execute",
        sender: human(b.get(1)),
        contract: human(b.get(2)),
        msg: toHex(b.get(3) ?? new Uint8Array()),
        funds: coins,
        admin: "",
      };
    }
    case `${PREFIX}MsgInstantiateContract`: {
      const { b, coins } = fields(value, 6);
      return {
        kind: "instantiate",
        sender: human(b.get(1)),
        contract: "",
        msg: toHex(b.get(5) ?? new Uint8Array()),
        funds: coins,
        admin: text(b.get(8)),
      };
    }
    case `${PREFIX}MsgMigrateContract`: {
      const { b } = fields(value, -1);
      return {
        ...empty,
        kind: "migrate",
        sender: text(b.get(1)),
        contract: text(b.get(2)),
        msg: toHex(b.get(4) ?? new Uint8Array()),
      };
    }
    case `${PREFIX}MsgUpdateAdmin`: {
      const { b } = fields(value, -1);
      return {
        ...empty,
        kind: "update_admin",
        sender: text(b.get(1)),
        contract: text(b.get(3)),
        admin: text(b.get(2)),
      };
    }
    case `${PREFIX}MsgClearAdmin`: {
      const { b } = fields(value, -1);
      return { ...empty, kind: "clear_admin", sender: text(b.get(1)), contract: text(b.get(3)) };
    }
    default:
      // SN `DirectSdkMsg::Other`: non-compute messages compare equal to each other (as in Secret).
      return { ...empty, kind: "other" };
  }
}

type AminoValue = Record<string, unknown>;
const s = (v: unknown): string => (typeof v === "string" ? v : "");
const b64hex = (v: unknown): string =>
  typeof v === "string" && v !== "" ? toHex(fromBase64(v, "amino field")) : "";
const b64human = (v: unknown): string =>
  typeof v === "string" && v !== "" ? human(fromBase64(v, "amino address")) : "";
const aminoCoins = (v: unknown): Coin[] =>
  Array.isArray(v) ? v.map((c: AminoValue) => ({ denom: s(c.denom), amount: s(c.amount) })) : [];

/** An amino `{type, value}` message from a StdSignDoc, in the shapes secretjs signs (chain/tx secretMsgs). */
function normAmino(m: { type?: unknown; value?: unknown }): Norm {
  const v = (typeof m.value === "object" && m.value !== null ? m.value : {}) as AminoValue;
  const empty = { sender: "", contract: "", msg: "", funds: [], admin: "" };
  switch (m.type) {
    case "wasm/MsgExecuteContract":
      return {
        kind: "execute",
        sender: b64human(v.sender),
        contract: b64human(v.contract),
        msg: b64hex(v.msg),
        funds: aminoCoins(v.sent_funds),
        admin: "",
      };
    case "wasm/MsgInstantiateContract":
      return {
        kind: "instantiate",
        sender: b64human(v.sender),
        contract: "",
        msg: b64hex(v.init_msg),
        funds: aminoCoins(v.init_funds),
        admin: s(v.admin),
      };
    case "wasm/MsgMigrateContract":
      return { ...empty, kind: "migrate", sender: s(v.sender), contract: s(v.contract), msg: b64hex(v.msg) };
    case "wasm/MsgUpdateAdmin":
      return {
        ...empty,
        kind: "update_admin",
        sender: s(v.sender),
        contract: s(v.contract),
        admin: s(v.new_admin),
      };
    case "wasm/MsgClearAdmin":
      return { ...empty, kind: "clear_admin", sender: s(v.sender), contract: s(v.contract) };
    default:
      return { ...empty, kind: "other" };
  }
}

const sameCoins = (a: readonly Coin[], b: readonly Coin[]): boolean =>
  a.length === b.length && a.every((c, i) => c.denom === b[i]!.denom && c.amount === b[i]!.amount);

/** SN `verify_and_get_sdk_msg` + sender/contract/funds checks for one signed message. */
function matches(n: Norm, call: SignedCall): boolean {
  const msgOk = n.msg === toHex(call.message);
  switch (call.op) {
    case "execute":
      return (
        n.kind === "execute" &&
        n.sender === call.senderHuman &&
        n.contract === call.contractHuman &&
        msgOk &&
        sameCoins(n.funds, call.funds)
      );
    case "instantiate":
      return (
        n.kind === "instantiate" &&
        n.sender === call.senderHuman &&
        msgOk &&
        n.admin === call.admin &&
        sameCoins(n.funds, call.funds)
      );
    case "migrate":
      return (
        n.kind === "migrate" &&
        n.sender === call.senderHuman &&
        call.admin === n.sender &&
        n.contract === call.contractHuman &&
        msgOk
      );
    case "update_admin": {
      const newAdmin = call.newAdmin ?? "";
      const kindOk =
        newAdmin === "" ? n.kind === "clear_admin" : n.kind === "update_admin" && n.admin === newAdmin;
      return (
        kindOk &&
        n.sender === call.senderHuman &&
        call.admin === n.sender &&
        n.contract === call.contractHuman
      );
    }
  }
}

function keyFromAny(any: AnyParts): Uint8Array | undefined {
  if (any.typeUrl !== SECP256K1_PUBKEY_TYPE) return undefined;
  return decodeOr(() => decodePubKey(any.value));
}

/** Addresses of recently seen keys (public data): ≤ 2 × 1,024. */
const addresses = new GenerationMemo<Uint8Array>(1024);

/**
 * The account address of a secp256k1 key: ripemd160(sha256(key)), remembered per key (a pure function; the
 * same few senders sign block after block, and the hashes were ~3 µs per call). Callers only compare it.
 */
function addressOf(key: Uint8Array): Uint8Array {
  if (key.length > 65) return ripemd160(sha256Js(key));
  const k = byteString(key);
  let a = addresses.get(k);
  if (a === undefined) {
    a = ripemd160(sha256Js(key));
    addresses.set(k, a);
  }
  return a;
}

/** The signer's key, the signed messages reduced, and (DIRECT) the signed body bytes. */
interface Signer {
  readonly key: Uint8Array;
  readonly signed: Norm[];
  readonly bodyBytes?: Uint8Array;
}

/**
 * SN `verify_tx_bytes`: the messages the tx carries must be the signed ones. When the tx's body bytes are the
 * signed body bytes (DIRECT, as every honest tx), they decode to the same messages, so the second decode and
 * comparison are skipped; any other body is decoded and compared message by message as before.
 */
function txCarriesSigned(txBytes: Uint8Array, signer: Signer): boolean {
  const bodyBytes = decodeOr(() => decodeTxRawBody(txBytes));
  if (signer.bodyBytes !== undefined && equalBytes(bodyBytes, signer.bodyBytes)) return true;
  const inTx = decodeOr(() => decodeTxBodyMessages(bodyBytes).map((m) => normProto(m.typeUrl, m.value)));
  return JSON.stringify(inTx) === JSON.stringify(signer.signed);
}

/** DIRECT: the signer key from auth_info whose address is the sender (SN `sender_public_key`). */
function directKey(doc: { readonly authInfoBytes: Uint8Array }, sender: Uint8Array): Uint8Array {
  const keys = decodeOr(() => decodeAuthInfoKeys(doc.authInfoBytes));
  // Every signer's key is decoded before the search (a malformed later one fails the call, as it always did).
  const key = keys
    .map((pk) => (pk === undefined ? undefined : keyFromAny(pk)))
    .find((k) => k !== undefined && equalBytes(addressOf(k), sender));
  if (key === undefined) throw fail();
  return key;
}

/** DIRECT: the signer key and the signed messages. */
function direct(sig: SigInfo, sender: Uint8Array): Signer {
  const doc = decodeOr(() => decodeSignDoc(sig.signBytes));
  const key = directKey(doc, sender);
  const messages = decodeOr(() => decodeTxBodyMessages(doc.bodyBytes));
  return {
    key,
    signed: decodeOr(() => messages.map((m) => normProto(m.typeUrl, m.value))),
    bodyBytes: doc.bodyBytes,
  };
}

/** LEGACY_AMINO_JSON: the key comes with the sig info and must be the sender's. */
function aminoKey(sig: SigInfo, sender: Uint8Array): Uint8Array {
  if (sig.publicKey === undefined) throw fail();
  const key = keyFromAny(decodeOr(() => decodeAny(sig.publicKey!)));
  if (key === undefined || !equalBytes(addressOf(key), sender)) throw fail();
  return key;
}

/** LEGACY_AMINO_JSON: the key, and the messages from the StdSignDoc JSON. */
function amino(sig: SigInfo, sender: Uint8Array): Signer {
  const key = aminoKey(sig, sender);
  const doc = decodeOr(() => JSON.parse(utf8.decode(sig.signBytes)) as { msgs?: unknown });
  if (!Array.isArray(doc.msgs)) throw fail();
  return { key, signed: decodeOr(() => (doc.msgs as { type?: unknown; value?: unknown }[]).map(normAmino)) };
}

const bindingOf = (sig: SigInfo, key: Uint8Array, sender: Uint8Array): VerdictBinding => ({
  signMode: sig.signMode,
  signBytes: sig.signBytes,
  publicKey: key,
  signature: sig.signature,
  signer: sender,
});

/** Cosmos SDK secp256k1 signatures are over sha256(sign bytes) and must be low-S. */
function secp256k1Holds(sig: SigInfo, key: Uint8Array): boolean {
  try {
    return secp256k1VerifySha256(sig.signBytes, sig.signature, key, { rejectHighS: true });
  } catch {
    return false;
  }
}

/**
 * The signature check of `verifyTxBinding` alone, as a verify lane runs it: the sender's key found exactly as
 * the execute path finds it, then the secp256k1 verify. Returns this node's verdict token when the signature
 * holds, undefined otherwise (the execute ECALL then verifies itself and fails the same way it always did).
 */
export function issueVerdict(sig: SigInfo, sender: Uint8Array, mac: VerdictMac): Uint8Array | undefined {
  let key: Uint8Array;
  try {
    if (sig.signMode === SIGN_MODE_DIRECT)
      key = directKey(
        decodeOr(() => decodeSignDoc(sig.signBytes)),
        sender,
      );
    else if (sig.signMode === SIGN_MODE_LEGACY_AMINO_JSON) key = aminoKey(sig, sender);
    else return undefined;
  } catch {
    return undefined;
  }
  return secp256k1Holds(sig, key) ? mac.token(bindingOf(sig, key, sender)) : undefined;
}

/** Throws FailedTxVerification unless `sig` proves the sender signed a tx containing exactly `call`. */
export function verifyTxBinding(sig: SigInfo, call: SignedCall): void {
  let signer: Signer;
  if (sig.signMode === SIGN_MODE_DIRECT) signer = direct(sig, call.senderCanonical);
  else if (sig.signMode === SIGN_MODE_LEGACY_AMINO_JSON) signer = amino(sig, call.senderCanonical);
  else throw fail();
  // A valid token means this node's enclave already ran secp256k1Holds on exactly these bytes and it held;
  // the verify is deterministic, so skipping it changes nothing but time. Anything else: verify here.
  const v = sig.verdict;
  const vouched = v !== undefined && v.mac.accepts(v.token, bindingOf(sig, signer.key, call.senderCanonical));
  if (!vouched && !secp256k1Holds(sig, signer.key)) throw fail();
  if (!txCarriesSigned(sig.txBytes, signer)) throw fail();
  if (!signer.signed.some((n) => matches(n, call))) throw fail();
}
