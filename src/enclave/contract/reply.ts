// The caller side of a v1 reply (spec secret-protocol §7.4; SN contract_operations.rs `handle` with a
// reply, reply_message.rs): check the enclave signature over the Reply, decrypt the internal id chain and
// the callee's data or error, and build the plaintext Reply the contract's `reply` entry point receives.
// Wire form from the host: nonce(32) ‖ user_pk(32) ‖ JSON Reply{id: b64, result, …} (custom events removed).
import { fromBase64, toBase64, toHex, utf8 } from "../../util/bytes.js";
import { latin1 as latin1Decode } from "../io.js";
import { EnclaveError } from "../errors.js";
import {
  HEX_CODE_HASH_LENGTH,
  NONCE_LENGTH,
  REPLY_MAGIC,
  TxCrypto,
  USER_PUBKEY_LENGTH,
  type ReplyParam,
} from "../io.js";
import { decryptReplyPayload, verifyReplySignature, type ReplyResult } from "../ioOutput.js";
import type { EnclaveKeys } from "../keys.js";

const HEADER = REPLY_MAGIC.length + 8 + HEX_CODE_HASH_LENGTH;

interface WireReply {
  id: string;
  result: { ok?: { data?: string | null }; error?: string };
}

/** Parses `hash0 ‖ [REPLY01 ‖ u64_be(id) ‖ hash]* ‖ decimal(id0)` and checks hash0 is ours. */
function parseIdChain(plain: Uint8Array, ownHex: string): { id: bigint; callerParams: ReplyParam[] } {
  if (plain.length < HEX_CODE_HASH_LENGTH) throw new EnclaveError("ValidationFailure");
  if (latin1Decode(plain.subarray(0, HEX_CODE_HASH_LENGTH)).toLowerCase() !== ownHex) {
    throw new EnclaveError("ValidationFailure");
  }
  let at = HEX_CODE_HASH_LENGTH;
  const callerParams: ReplyParam[] = [];
  while (
    plain.length - at >= HEADER &&
    latin1Decode(plain.subarray(at, at + REPLY_MAGIC.length)) === "REPLY01"
  ) {
    at += REPLY_MAGIC.length;
    const subMsgId = new DataView(plain.buffer, plain.byteOffset + at, 8).getBigUint64(0, false);
    at += 8;
    callerParams.push({ subMsgId, recipientCodeHash: plain.slice(at, at + HEX_CODE_HASH_LENGTH) });
    at += HEX_CODE_HASH_LENGTH;
  }
  const dec = latin1Decode(plain.subarray(at));
  if (!/^[0-9]{1,20}$/.test(dec)) throw new EnclaveError("ValidationFailure");
  return { id: BigInt(dec), callerParams };
}

export function decodeReplyInput(
  keys: EnclaveKeys,
  msg: Uint8Array,
  ownCodeHash: Uint8Array,
  sig: Uint8Array | undefined,
): { tx: TxCrypto; replyJson: Uint8Array; callerParams: ReplyParam[] | undefined } {
  if (msg.length < NONCE_LENGTH + USER_PUBKEY_LENGTH || sig === undefined)
    throw new EnclaveError("FailedTxVerification");
  const tx = new TxCrypto(
    keys,
    msg.slice(0, NONCE_LENGTH),
    msg.slice(NONCE_LENGTH, NONCE_LENGTH + USER_PUBKEY_LENGTH),
  );
  try {
    const wire = JSON.parse(utf8.decode(msg.subarray(NONCE_LENGTH + USER_PUBKEY_LENGTH))) as WireReply;
    const id = fromBase64(wire.id, "reply id");
    const okPart = wire.result.ok;
    const result: ReplyResult =
      okPart !== undefined
        ? { ok: { data: okPart.data == null ? null : fromBase64(okPart.data, "reply data") } }
        : { error: String(wire.result.error) };
    verifyReplySignature(keys, sig, id, result);
    const ownHex = toHex(ownCodeHash);
    const chain = parseIdChain(tx.decrypt(id), ownHex);
    let contractResult: unknown;
    if ("ok" in result) {
      const data =
        result.ok.data === null ? null : utf8.decode(decryptReplyPayload(tx, result.ok.data, ownHex));
      contractResult = {
        ok: { events: [], data: data === null ? null : toBase64(fromBase64(data, "reply data")) },
      };
    } else {
      const errCt = fromBase64(result.error, "reply error");
      contractResult = { error: utf8.decode(decryptReplyPayload(tx, errCt, ownHex)) };
    }
    const replyJson = utf8.encode(`{"id":${chain.id.toString()},"result":${JSON.stringify(contractResult)}}`);
    return { tx, replyJson, callerParams: chain.callerParams.length > 0 ? chain.callerParams : undefined };
  } catch (e) {
    tx.dispose();
    if (e instanceof EnclaveError) throw e;
    throw new EnclaveError("FailedToDeserialize", "reply");
  }
}
