// Binding a user's contract call to the signed tx (spec secret-protocol §4.2; SN contract_validation.rs
// `verify_params` → `verify_signature`, `verify_tx_bytes`, `verify_input_params`; input_validation/
// msg_validation.rs `verify_and_get_sdk_msg`): the sender's secp256k1 key must have signed the sign bytes,
// the signed body must be the tx's body, and one signed Secret compute message must carry exactly this
// sender, contract, funds and encrypted bytes. Only SIGN_MODE_DIRECT with secp256k1 keys is supported.
import { BinaryReader, WireType } from "cosmjs-types/binary";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { AuthInfo, SignDoc, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { ripemd160 } from "@noble/hashes/legacy.js";
import { equalBytes } from "../../util/bytes.js";
import { sha256 } from "../crypto/hash.js";
import { secp256k1Verify } from "../crypto/secp256k1.js";
import { EnclaveError } from "../errors.js";
import type { Coin } from "../vm/environment.js";

/** cosmos.tx.signing.v1beta1.SignMode SIGN_MODE_DIRECT. */
export const SIGN_MODE_DIRECT = 1;
const SECP256K1_PUBKEY_TYPE = "/cosmos.crypto.secp256k1.PubKey";
const MSG_EXECUTE = "/secret.compute.v1beta1.MsgExecuteContract";
const MSG_INSTANTIATE = "/secret.compute.v1beta1.MsgInstantiateContract";
const MSG_MIGRATE = "/secret.compute.v1beta1.MsgMigrateContract";
const MSG_UPDATE_ADMIN = "/secret.compute.v1beta1.MsgUpdateAdmin";
const MSG_CLEAR_ADMIN = "/secret.compute.v1beta1.MsgClearAdmin";

/** What the host passes for a user-signed call (Go's `SigInfo`). */
export interface SigInfo {
  readonly signMode: number;
  readonly signBytes: Uint8Array;
  readonly signature: Uint8Array;
  readonly txBytes: Uint8Array;
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

const fail = (): EnclaveError => new EnclaveError("FailedTxVerification");

function decodeOr<T>(f: () => T): T {
  try {
    return f();
  } catch {
    throw fail();
  }
}

/** Reads the fields of one proto message: bytes/string by field number, coins (repeated Coin) by field. */
function fields(value: Uint8Array, coinField: number): { b: Map<number, Uint8Array>; coins: Coin[] } {
  const r = new BinaryReader(value);
  const b = new Map<number, Uint8Array>();
  const coins: Coin[] = [];
  while (r.pos < r.len) {
    const [no, wire] = r.tag();
    if (wire !== WireType.Bytes) {
      r.skipType(wire);
      continue;
    }
    const bytes = r.bytes();
    if (no === coinField) {
      const c = new BinaryReader(bytes);
      let denom = "";
      let amount = "";
      while (c.pos < c.len) {
        const [cn, cw] = c.tag();
        if (cn === 1 && cw === WireType.Bytes) denom = c.string();
        else if (cn === 2 && cw === WireType.Bytes) amount = c.string();
        else c.skipType(cw);
      }
      coins.push({ denom, amount });
    } else b.set(no, bytes);
  }
  return { b, coins };
}

const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b ?? new Uint8Array());
const same = (a: Uint8Array | undefined, b: Uint8Array): boolean => equalBytes(a ?? new Uint8Array(), b);
const sameCoins = (a: readonly Coin[], b: readonly Coin[]): boolean =>
  a.length === b.length && a.every((c, i) => c.denom === b[i]!.denom && c.amount === b[i]!.amount);

function matches(typeUrl: string, value: Uint8Array, call: SignedCall): boolean {
  if (call.op === "execute" && typeUrl === MSG_EXECUTE) {
    const { b, coins } = fields(value, 5);
    return (
      same(b.get(1), call.senderCanonical) &&
      same(b.get(2), call.contractCanonical) &&
      same(b.get(3), call.message) &&
      sameCoins(coins, call.funds)
    );
  }
  if (call.op === "instantiate" && typeUrl === MSG_INSTANTIATE) {
    const { b, coins } = fields(value, 6);
    return (
      same(b.get(1), call.senderCanonical) &&
      same(b.get(5), call.message) &&
      text(b.get(8)) === call.admin &&
      sameCoins(coins, call.funds)
    );
  }
  if (call.op === "migrate" && typeUrl === MSG_MIGRATE) {
    const { b } = fields(value, -1);
    const sender = text(b.get(1));
    return (
      sender === call.senderHuman &&
      call.admin === sender &&
      text(b.get(2)) === call.contractHuman &&
      same(b.get(4), call.message)
    );
  }
  if (call.op === "update_admin" && (typeUrl === MSG_UPDATE_ADMIN || typeUrl === MSG_CLEAR_ADMIN)) {
    const { b } = fields(value, -1);
    const sender = text(b.get(1));
    const newAdmin = typeUrl === MSG_CLEAR_ADMIN ? "" : text(b.get(2));
    // Clearing is only a MsgClearAdmin; an empty new_admin in MsgUpdateAdmin is not a clear.
    if ((call.newAdmin ?? "") === "" && typeUrl !== MSG_CLEAR_ADMIN) return false;
    return (
      sender === call.senderHuman &&
      call.admin === sender &&
      text(b.get(3)) === call.contractHuman &&
      newAdmin === (call.newAdmin ?? "")
    );
  }
  return false;
}

/** The signer's key among auth_info.signer_infos whose address is the sender (SN `sender_public_key`). */
function senderKey(authInfoBytes: Uint8Array, sender: Uint8Array): Uint8Array {
  const auth = decodeOr(() => AuthInfo.decode(authInfoBytes));
  for (const si of auth.signerInfos) {
    if (si.publicKey?.typeUrl !== SECP256K1_PUBKEY_TYPE) continue;
    const key = decodeOr(() => PubKey.decode(si.publicKey!.value).key);
    if (equalBytes(ripemd160(sha256(key)), sender)) return key;
  }
  throw fail();
}

/** Throws FailedTxVerification unless `sig` proves the sender signed a tx containing exactly `call`. */
export function verifyTxBinding(sig: SigInfo, call: SignedCall): void {
  if (sig.signMode !== SIGN_MODE_DIRECT) throw fail();
  const doc = decodeOr(() => SignDoc.decode(sig.signBytes));
  const key = senderKey(doc.authInfoBytes, call.senderCanonical);
  // Cosmos SDK secp256k1 signatures are over sha256(sign bytes) and must be low-S.
  let ok = false;
  try {
    ok = secp256k1Verify(sha256(sig.signBytes), sig.signature, key, { rejectHighS: true });
  } catch {
    ok = false;
  }
  if (!ok) throw fail();
  const signed = decodeOr(() => TxBody.decode(doc.bodyBytes)).messages;
  const inTx = decodeOr(() => TxBody.decode(TxRaw.decode(sig.txBytes).bodyBytes)).messages;
  const sameBody =
    signed.length === inTx.length &&
    signed.every((m, i) => m.typeUrl === inTx[i]!.typeUrl && equalBytes(m.value, inTx[i]!.value));
  if (!sameBody) throw fail();
  if (!signed.some((m) => matches(m.typeUrl, m.value, call))) throw fail();
}
