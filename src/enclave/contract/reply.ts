// The caller side of a v1 reply (spec secret-protocol §7.4; SN contract_operations.rs `handle` with a
// reply, reply_message.rs): check the enclave signature over the Reply, decrypt the internal id chain and
// the callee's data or error, and build the plaintext Reply the contract's `reply` entry point receives.
// Wire form from the host: nonce(32) ‖ user_pk(32) ‖ JSON Reply{id: b64, result, …} (custom events removed).
// A reply to a non-wasm sub-message (bank, staking, …) is plaintext (`is_encrypted: false`, SN
// reply_message.rs parse_plaintext_reply_message): id = the decimal sub-message id, no signature, as in SN.
// An ok result's `events` come from the host and reach the contract as given: SN parse_encrypted_ok_reply passes
// `response.events` on and redacts them only in the copy the signature is checked over (always `events: []`).
import { fromBase64, toBase64, utf8 } from "../../util/bytes.js";
import { EnclaveError } from "../errors.js";
import { NONCE_LENGTH, TxCrypto, USER_PUBKEY_LENGTH, validateReplyMsg, type ReplyParam } from "../io.js";
import {
  decryptReplyData,
  decryptReplyError,
  parseInternalMsgId,
  verifyReplySignature,
  type ReplyResult,
} from "../ioOutput.js";
import type { EnclaveKeys } from "../keys.js";
import { isObj } from "./output.js";

interface WireReply {
  id: string;
  result: { ok?: { data?: string | null; events?: unknown }; error?: string };
  is_encrypted?: boolean;
  was_orig_msg_encrypted?: boolean;
}

/** A cw v1 `Event` as the contract receives it (attributes serialize as `{key, value}` only: SN LogAttribute). */
interface ReplyEvent {
  readonly type: string;
  readonly attributes: readonly { readonly key: string; readonly value: string }[];
}

interface ParsedWire {
  readonly id: Uint8Array;
  readonly result: ReplyResult;
  readonly events: readonly ReplyEvent[];
  readonly isEncrypted: boolean;
  readonly wasOrigMsgEncrypted: boolean;
}

/** The ok result's events (absent = none), rebuilt field by field so nothing else reaches the contract. */
function parseEvents(v: unknown): ReplyEvent[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new EnclaveError("FailedToDeserialize", "reply events");
  return v.map((e) => {
    if (!isObj(e) || typeof e.type !== "string" || !Array.isArray(e.attributes))
      throw new EnclaveError("FailedToDeserialize", "reply event");
    const attributes = e.attributes.map((a) => {
      if (!isObj(a) || typeof a.key !== "string" || typeof a.value !== "string")
        throw new EnclaveError("FailedToDeserialize", "reply event attribute");
      return { key: a.key, value: a.value };
    });
    return { type: e.type, attributes };
  });
}

function parseWire(bytes: Uint8Array): ParsedWire {
  const wire = JSON.parse(utf8.decode(bytes)) as WireReply;
  const id = fromBase64(wire.id, "reply id");
  const flags = {
    isEncrypted: wire.is_encrypted !== false,
    wasOrigMsgEncrypted: wire.was_orig_msg_encrypted !== false,
  };
  const okPart = wire.result.ok;
  if (okPart !== undefined) {
    const data =
      okPart.data === undefined || okPart.data === null ? null : fromBase64(okPart.data, "reply data");
    return { id, result: { ok: { data } }, events: parseEvents(okPart.events), ...flags };
  }
  if (typeof wire.result.error !== "string") throw new EnclaveError("FailedToDeserialize", "reply");
  return { id, result: { error: wire.result.error }, events: [], ...flags };
}

/** A plaintext reply's id: the sub-message id as decimal digits (SN: `msg_id.parse::<u64>()`). */
function plaintextId(id: Uint8Array): bigint {
  const s = utf8.decode(id);
  if (!/^[0-9]{1,20}$/.test(s) || BigInt(s) >= 1n << 64n)
    throw new EnclaveError("FailedToDeserialize", "reply id");
  return BigInt(s);
}

/** The plaintext SubMsgResult as the host gave it (its data is the SDK message's response, never encrypted). */
function plaintextResult(result: ReplyResult, events: readonly ReplyEvent[]): unknown {
  if ("ok" in result)
    return { ok: { events, data: result.ok.data === null ? null : toBase64(result.ok.data) } };
  return { error: result.error };
}

/** The SubMsgResult the contract sees: secret-cosmwasm-std `{"ok":{events,data}}` / `{"error":"…"}`. */
function contractResult(tx: TxCrypto, result: ReplyResult, events: readonly ReplyEvent[]): unknown {
  if ("ok" in result) {
    const data = result.ok.data === null ? null : toBase64(decryptReplyData(tx, result.ok.data));
    return { ok: { events, data } };
  }
  return { error: decryptReplyError(tx, result.error) };
}

export function decodeReplyInput(
  keys: EnclaveKeys,
  msg: Uint8Array,
  ownCodeHash: Uint8Array,
  sig: Uint8Array | undefined,
): {
  tx: TxCrypto;
  replyJson: Uint8Array;
  callerParams: readonly ReplyParam[] | undefined;
  /** Whether the reply's output is encrypted for the user (SN should_encrypt_output). */
  encrypted: boolean;
} {
  if (msg.length < NONCE_LENGTH + USER_PUBKEY_LENGTH) throw new EnclaveError("FailedTxVerification");
  const tx = new TxCrypto(
    keys,
    msg.slice(0, NONCE_LENGTH),
    msg.slice(NONCE_LENGTH, NONCE_LENGTH + USER_PUBKEY_LENGTH),
  );
  try {
    let wire: ParsedWire;
    try {
      wire = parseWire(msg.subarray(NONCE_LENGTH + USER_PUBKEY_LENGTH));
    } catch (e) {
      if (e instanceof EnclaveError) throw e;
      throw new EnclaveError("FailedToDeserialize", "reply");
    }
    if (!wire.isEncrypted) {
      const body = JSON.stringify(plaintextResult(wire.result, wire.events));
      const replyJson = utf8.encode(`{"id":${plaintextId(wire.id).toString()},"result":${body}}`);
      return { tx, replyJson, callerParams: undefined, encrypted: wire.wasOrigMsgEncrypted };
    }
    if (sig === undefined) throw new EnclaveError("FailedTxVerification");
    verifyReplySignature(keys, sig, wire.id, wire.result);
    const { subMsgId, dataForValidation } = parseInternalMsgId(tx, wire.id);
    // hash0 must be ours; the headers after it are this contract's own reply params (nested chains).
    const { replyParams } = validateReplyMsg(new Uint8Array(), ownCodeHash, dataForValidation);
    const body = JSON.stringify(contractResult(tx, wire.result, wire.events));
    const replyJson = utf8.encode(`{"id":${subMsgId.toString()},"result":${body}}`);
    return { tx, replyJson, callerParams: replyParams, encrypted: true };
  } catch (e) {
    tx.dispose();
    throw e;
  }
}
