// Output encryption and reply adaptation (spec secret-protocol §5, §7.4, §8.1; SN contract-engine/src/io.rs):
// data / attributes / errors / query answers under the caller's tx key, internal reply ids and signatures.
import { sha256, zeroize } from "./crypto/hash.js";
import { EnclaveError } from "./errors.js";
import { buildReplyHeader, HEX_CODE_HASH_LENGTH, REPLY_MAGIC, type ReplyParam, type TxCrypto } from "./io.js";
import type { EnclaveKeys } from "./keys.js";
import { concatBytes, equalBytes, fromBase64, toBase64, utf8 } from "../util/bytes.js";

/** One encoder for every output (`utf8.encode` builds a new TextEncoder per call). */
const UTF8 = new TextEncoder();

/** serde_json's string encoding of `s` (JSON.stringify escapes the same set for well-formed strings). */
function serdeJsonString(s: string): string {
  return JSON.stringify(s);
}

/** Rust `trim_start_matches('"').trim_end_matches('"')`: strips ALL leading and trailing quotes. */
function trimQuotes(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) === 0x22) a++;
  while (b > a && s.charCodeAt(b - 1) === 0x22) b--;
  return s.slice(a, b);
}

/**
 * SN io.rs `encrypt_preserialized_string`: with reply params the plaintext is prefixed with the first
 * recipient's hex code hash and, when `appendAll`, the remaining headers. Returns the SIV ciphertext.
 */
export function encryptPreserialized(
  tx: TxCrypto,
  text: string,
  replyParams?: readonly ReplyParam[],
  appendAll = false,
): Uint8Array {
  const encoded = UTF8.encode(text);
  const first = replyParams?.[0];
  // No reply params (the common case): the text alone, without a concatenation copy.
  if (replyParams === undefined || first === undefined) return tx.encrypt(encoded);
  const parts: Uint8Array[] = [first.recipientCodeHash];
  if (appendAll)
    for (const p of replyParams.slice(1)) parts.push(buildReplyHeader(p.subMsgId, p.recipientCodeHash));
  parts.push(encoded);
  return tx.encrypt(concatBytes(...parts));
}

/** §5 `data`: the base64 string of `data` (serde of Binary, quotes trimmed) → raw SIV bytes for the response. */
export function encryptData(tx: TxCrypto, data: Uint8Array, replyParams?: readonly ReplyParam[]): Uint8Array {
  return encryptPreserialized(tx, toBase64(data), replyParams);
}

/** A log attribute as the contract returns it. */
export interface Attribute {
  readonly key: string;
  readonly value: string;
  readonly encrypted: boolean;
}

/** §5 attributes: key and value separately, raw strings, only when `encrypted`; base64(ct) on the wire. */
export function encryptAttribute(tx: TxCrypto, attr: Attribute): Attribute {
  if (!attr.encrypted) return attr;
  return {
    key: toBase64(encryptPreserialized(tx, attr.key)),
    value: toBase64(encryptPreserialized(tx, attr.value)),
    encrypted: true,
  };
}

/** The replacement error object `{"generic_err":{"msg": base64(ct)}}` (SN io.rs `format_generic_error_message`). */
export function encryptedErrorJson(ct: Uint8Array): string {
  return JSON.stringify({ generic_err: { msg: toBase64(ct) } });
}

/** v0.10 error: `stdErrorJson` is the contract's StdError JSON object text, encrypted as is. */
export function encryptErrorV010(
  tx: TxCrypto,
  stdErrorJson: string,
  replyParams?: readonly ReplyParam[],
): Uint8Array {
  return encryptPreserialized(tx, trimQuotes(stdErrorJson), replyParams);
}

/** v1 error: a plain string, serde-JSON-escaped with the outer quotes trimmed (its content stays escaped). */
export function encryptErrorV1(tx: TxCrypto, err: string, replyParams?: readonly ReplyParam[]): Uint8Array {
  return encryptPreserialized(tx, trimQuotes(serdeJsonString(err)), replyParams);
}

/** §8.1: the contract's Ok answer is a base64 string; its bytes are encrypted. Returns raw SIV bytes. */
export function encryptQueryAnswer(tx: TxCrypto, answerBase64: string): Uint8Array {
  return encryptPreserialized(tx, trimQuotes(serdeJsonString(answerBase64)));
}

/**
 * §7.4 `internal_msg_id` = SIV(hash0 ‖ [REPLY01 ‖ u64_be(id_i) ‖ hash_i]_{i≥1, when appendAll} ‖ decimal(id0)).
 * `appendAll` is true for v1 outputs and errors, false for v0.10 outputs (SN io.rs adapt_output_for_reply).
 */
export function internalMsgId(
  tx: TxCrypto,
  replyParams: readonly ReplyParam[],
  appendAll: boolean,
): Uint8Array {
  const first = replyParams[0];
  if (first === undefined) throw new EnclaveError("InternalError");
  return encryptPreserialized(tx, first.subMsgId.toString(10), replyParams, appendAll);
}

/** The `SubMsgResult` carried in a Reply: Ok with (already encrypted) data, or the encrypted error string. */
export type ReplyResult = { readonly ok: { readonly data: Uint8Array | null } } | { readonly error: string };

/** serde_json of cw v1 `Reply{id, result, was_orig_msg_encrypted: true, is_encrypted: true}`. */
export function replyJson(id: Uint8Array, result: ReplyResult): string {
  const res =
    "ok" in result
      ? { ok: { events: [], data: result.ok.data === null ? null : toBase64(result.ok.data) } }
      : { error: result.error };
  return JSON.stringify({ id: toBase64(id), result: res, was_orig_msg_encrypted: true, is_encrypted: true });
}

/** §7.4 `internal_reply_enclave_sig` = SHA-256(callback_secret ‖ json(Reply) ‖ "[]"). */
export function replySignature(keys: EnclaveKeys, id: Uint8Array, result: ReplyResult): Uint8Array {
  const secret = keys.callbackSecret();
  const sig = sha256(secret, utf8.encode(replyJson(id, result)), utf8.encode("[]"));
  zeroize(secret);
  return sig;
}

/** Caller side: checks an `internal_reply_enclave_sig` ("failed to verify transaction signature" otherwise). */
export function verifyReplySignature(
  keys: EnclaveKeys,
  sig: Uint8Array,
  id: Uint8Array,
  result: ReplyResult,
): void {
  if (!equalBytes(sig, replySignature(keys, id, result))) throw new EnclaveError("FailedTxVerification");
}

function dropHashPrefix(pt: Uint8Array): Uint8Array {
  // Secret slices `[64..]` without comparing: the hash chain is authenticated through the msg id instead.
  if (pt.length < HEX_CODE_HASH_LENGTH) throw new EnclaveError("DecryptionError");
  return pt.slice(HEX_CODE_HASH_LENGTH);
}

function utf8Strict(b: Uint8Array): string {
  try {
    return utf8.decode(b);
  } catch {
    throw new EnclaveError("FailedToDeserialize");
  }
}

/** Caller side (SN reply_message.rs `get_data_from_reply`): decrypt, drop the 64-hex prefix, base64-decode. */
export function decryptReplyData(tx: TxCrypto, ct: Uint8Array): Uint8Array {
  const b64 = utf8Strict(dropHashPrefix(tx.decrypt(ct)));
  try {
    return fromBase64(b64, "reply data");
  } catch {
    throw new EnclaveError("FailedToDeserialize");
  }
}

/** Caller side (`parse_encrypted_error_reply`): the error string is base64(ct); returns the plaintext error. */
export function decryptReplyError(tx: TxCrypto, errorBase64: string): string {
  let ct: Uint8Array;
  try {
    ct = fromBase64(errorBase64, "reply error");
  } catch {
    throw new EnclaveError("FailedToSerialize"); // Secret's variant for this case
  }
  return utf8Strict(dropHashPrefix(tx.decrypt(ct)));
}

/**
 * Caller side (`parse_message_id_of_encrypted_reply`): decrypts an internal msg id into the sub-message id
 * and `dataForValidation` = hash0 ‖ headers, which `validateReplyMsg` checks like a code-hash prefix.
 */
export function parseInternalMsgId(
  tx: TxCrypto,
  encryptedId: Uint8Array,
): { subMsgId: bigint; dataForValidation: Uint8Array } {
  const pt = tx.decrypt(encryptedId);
  if (pt.length < HEX_CODE_HASH_LENGTH) throw new EnclaveError("DecryptionError");
  let at = HEX_CODE_HASH_LENGTH;
  const headerLen = REPLY_MAGIC.length + 8 + HEX_CODE_HASH_LENGTH;
  while (
    pt.length - at >= REPLY_MAGIC.length &&
    equalBytes(pt.subarray(at, at + REPLY_MAGIC.length), REPLY_MAGIC)
  ) {
    if (pt.length - at < headerLen) throw new EnclaveError("DecryptionError");
    at += headerLen;
  }
  const idText = utf8Strict(pt.subarray(at));
  if (!/^[0-9]{1,20}$/.test(idText) || BigInt(idText) >= 2n ** 64n)
    throw new EnclaveError("FailedToDeserialize");
  return { subMsgId: BigInt(idText), dataForValidation: pt.slice(0, at) };
}
