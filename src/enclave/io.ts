// Enclave IO (spec secret-protocol §4, §5, §7, §8): parse and decrypt user/contract inputs, check the
// code-hash prefix and reply headers, encrypt outputs and outgoing sub-messages, callback signatures.
// Plaintexts and keys stay inside src/enclave; every derived key is zeroed by `TxCrypto.dispose()`.
import { AD_ONE_EMPTY, AesSivAuthError, AesSivKey } from "./crypto/aesSiv.js";
import { sha256, zeroize } from "./crypto/hash.js";
import { deriveFromKey } from "./crypto/kdf.js";
import { x25519SharedSecretCached } from "./crypto/x25519.js";
import { lowerHex } from "./byteMemo.js";
import { EnclaveError } from "./errors.js";
import type { EnclaveKeys } from "./keys.js";
import { abytes, concatBytes, equalBytes, fromHex, InvalidInputError, u64be, utf8 } from "../util/bytes.js";

/** spec §4.1 step 8: nonce(32) ‖ user_pubkey(32) ‖ ciphertext. */
export const NONCE_LENGTH = 32;
export const USER_PUBKEY_LENGTH = 32;
/** spec §4.2 (quirk): `SecretMessage::from_slice` rejects `len < 82` (SN contract-engine/src/types.rs). */
export const SECRET_MESSAGE_MIN_LENGTH = 82;
/** The 64-char hex code hash prefixed to every plaintext (SN contract_validation.rs HEX_ENCODED_HASH_SIZE). */
export const HEX_CODE_HASH_LENGTH = 64;
/** spec §7.4: REPLY_ENCRYPTION_MAGIC_BYTES (SN cosmwasm-types/v1.0 results). */
export const REPLY_MAGIC = utf8.encode("REPLY01");
const U64_LENGTH = 8;
const REPLY_HEADER_LENGTH = REPLY_MAGIC.length + U64_LENGTH + HEX_CODE_HASH_LENGTH;
const ZERO_32 = new Uint8Array(32);

/** The parsed wire form of an encrypted message. */
export interface SecretMessage {
  readonly nonce: Uint8Array;
  readonly userPublicKey: Uint8Array;
  /** SIV tag ‖ ciphertext (the `SecretMessage.msg` field). */
  readonly ciphertext: Uint8Array;
}

/** Which entry point an input is for: init/execute fall back to plaintext, query/migrate do not (§4.2). */
export type InputKind = "init" | "execute" | "query" | "migrate";

/**
 * spec §4.2 `SecretMessage::from_slice`: too short → "failed to decrypt data". The parts are views of `bytes`
 * (public data nobody in the enclave writes to; a copy of the ~0.4 KB ciphertext per call was an off-heap
 * allocation).
 */
export function parseSecretMessage(bytes: Uint8Array): SecretMessage {
  abytes(bytes, undefined, "secret message");
  if (bytes.length < SECRET_MESSAGE_MIN_LENGTH) throw new EnclaveError("DecryptionError");
  return {
    nonce: bytes.subarray(0, NONCE_LENGTH),
    userPublicKey: bytes.subarray(NONCE_LENGTH, NONCE_LENGTH + USER_PUBKEY_LENGTH),
    ciphertext: bytes.subarray(NONCE_LENGTH + USER_PUBKEY_LENGTH),
  };
}

export function serializeSecretMessage(m: SecretMessage): Uint8Array {
  return concatBytes(m.nonce, m.userPublicKey, m.ciphertext);
}

/**
 * The per-message symmetric key `tx_encryption_key = HKDF(X25519(io_sk, user_pk) ‖ nonce)` (spec §4.1 step 5,
 * SN io.rs `calc_encryption_key`) with the SIV operations that use it (AD = one empty string, §1).
 * The X25519 result is cached per user public key (`x25519SharedSecretCached`: secretjs reuses one key pair
 * per wallet); the HKDF runs per message since the nonce is fresh each time. One `AesSivKey` (cipher contexts
 * and the CMAC of the empty AD) serves every seal/open of the message: its input, data, attributes, errors,
 * sub-messages and reply ids.
 */
export class TxCrypto {
  private key: Uint8Array;
  private siv: { readonly key: AesSivKey; readonly adMacs: readonly Uint8Array[] } | undefined;

  constructor(
    keys: EnclaveKeys,
    readonly nonce: Uint8Array,
    readonly userPublicKey: Uint8Array,
  ) {
    abytes(nonce, NONCE_LENGTH, "nonce");
    abytes(userPublicKey, USER_PUBKEY_LENGTH, "user public key");
    // The keychain hands out copies of its secrets; each copy is zeroed once used.
    const ioSecret = keys.ioExchangeSecretKey();
    let ikm: Uint8Array;
    try {
      ikm = x25519SharedSecretCached(ioSecret, userPublicKey);
    } catch (e) {
      // x25519-dalek yields an all-zero secret for low-order points (e.g. the zero key of a plaintext
      // message); OpenSSL refuses them. Use the same zero IKM so behaviour matches Secret.
      if (!(e instanceof InvalidInputError)) throw e;
      ikm = new Uint8Array(32);
    } finally {
      zeroize(ioSecret);
    }
    this.key = deriveFromKey(ikm, nonce);
    zeroize(ikm);
  }

  /** The cipher contexts, built at first use (a plaintext call's TxCrypto may never encrypt). */
  private sivKey(): { readonly key: AesSivKey; readonly adMacs: readonly Uint8Array[] } {
    if (this.siv === undefined) {
      // Single-use (this message's nonce): its short inputs may take the JS AES (./crypto/aesSiv.ts).
      const key = new AesSivKey(this.key, { ephemeral: true });
      // AesSivKey keeps only its cipher contexts, so the raw key bytes can go now.
      zeroize(this.key);
      this.siv = { key, adMacs: AD_ONE_EMPTY.map((a) => key.adMac(a)) };
    }
    return this.siv;
  }

  encrypt(plaintext: Uint8Array): Uint8Array {
    const { key, adMacs } = this.sivKey();
    return key.encryptMacs(plaintext, adMacs);
  }

  /** Throws EnclaveError("DecryptionError") on a bad tag. */
  decrypt(ciphertext: Uint8Array): Uint8Array {
    const { key, adMacs } = this.sivKey();
    try {
      return key.decryptMacs(ciphertext, adMacs);
    } catch (e) {
      if (e instanceof AesSivAuthError) throw new EnclaveError("DecryptionError");
      throw e;
    }
  }

  /** Wraps `inner` as nonce ‖ user_pk ‖ SIV(inner): the form of outgoing sub-messages and queries (§7.1, §8.2). */
  seal(inner: Uint8Array): { message: Uint8Array; ciphertext: Uint8Array } {
    const ciphertext = this.encrypt(inner);
    return { message: concatBytes(this.nonce, this.userPublicKey, ciphertext), ciphertext };
  }

  /** Zeroes the key and drops the cipher contexts; any later use encrypts under a zero key, so don't. */
  dispose(): void {
    zeroize(this.key);
    this.key = new Uint8Array(32);
    this.siv?.key.dispose();
    this.siv = undefined;
  }
}

/** The result of `decryptInput`. `tx` is undefined for a plaintext fallback (outputs then stay plaintext). */
export interface DecryptedInput {
  readonly secretMessage: SecretMessage;
  readonly plaintext: Uint8Array;
  readonly wasEncrypted: boolean;
  readonly tx: TxCrypto | undefined;
}

/**
 * spec §4.2: init/execute that cannot be parsed or decrypted run as plaintext with zero nonce/pubkey
 * (SN execute_message.rs, message_utils.rs); query/migrate must decrypt ("failed to decrypt data").
 */
export function decryptInput(keys: EnclaveKeys, message: Uint8Array, kind: InputKind): DecryptedInput {
  abytes(message, undefined, "input message");
  const lenient = kind === "init" || kind === "execute";
  let parsed: SecretMessage | undefined;
  try {
    parsed = parseSecretMessage(message);
  } catch (e) {
    if (!lenient) throw e;
  }
  if (parsed !== undefined) {
    const tx = new TxCrypto(keys, parsed.nonce, parsed.userPublicKey);
    try {
      const plaintext = tx.decrypt(parsed.ciphertext);
      return { secretMessage: parsed, plaintext, wasEncrypted: true, tx };
    } catch (e) {
      tx.dispose();
      if (!lenient || !(e instanceof EnclaveError)) throw e;
    }
  }
  const plain: SecretMessage = {
    nonce: ZERO_32.slice(),
    userPublicKey: ZERO_32.slice(),
    ciphertext: message,
  };
  return { secretMessage: plain, plaintext: message.slice(), wasEncrypted: false, tx: undefined };
}

/** One reply header (§7.4): the caller's sub-message id and the 64 ASCII hex bytes of its code hash. */
export interface ReplyParam {
  readonly subMsgId: bigint;
  readonly recipientCodeHash: Uint8Array;
}

export interface ValidatedMessage {
  readonly msg: Uint8Array;
  readonly replyParams: readonly ReplyParam[] | undefined;
}

function startsWithMagic(b: Uint8Array, at: number): boolean {
  return (
    b.length - at >= REPLY_MAGIC.length && equalBytes(b.subarray(at, at + REPLY_MAGIC.length), REPLY_MAGIC)
  );
}

/** Checks a 64-byte hex prefix (either case) against `codeHash`, or the allow-list (hardcoded admins). */
function checkHashPrefix(
  prefix: Uint8Array,
  codeHash: Uint8Array,
  isAllowed: (hashHex: string) => boolean,
): void {
  abytes(codeHash, 32, "code hash");
  if (prefix.length < HEX_CODE_HASH_LENGTH) throw new EnclaveError("ValidationFailure");
  const hashHex = latin1(prefix.subarray(0, HEX_CODE_HASH_LENGTH));
  // Fast path for the usual case: equal to our lowercase hex is a valid, matching hash (no decode needed).
  if (hashHex.toLowerCase() === lowerHex(codeHash)) return;
  let received: Uint8Array;
  try {
    received = fromHex(hashHex, "code hash");
  } catch {
    throw new EnclaveError("ValidationFailure");
  }
  if (!equalBytes(received, codeHash) && !isAllowed(hashHex.toLowerCase())) {
    throw new EnclaveError("ValidationFailure");
  }
}

/** Reads `REPLY01 ‖ u64_be(id) ‖ hash(64)` headers from `at`; returns them and the offset after the last. */
function readReplyHeaders(b: Uint8Array, at: number): { params: ReplyParam[] | undefined; next: number } {
  let params: ReplyParam[] | undefined;
  while (startsWithMagic(b, at)) {
    if (b.length - at < REPLY_HEADER_LENGTH) throw new EnclaveError("ValidationFailure");
    at += REPLY_MAGIC.length;
    const subMsgId = new DataView(b.buffer, b.byteOffset + at, U64_LENGTH).getBigUint64(0, false);
    at += U64_LENGTH;
    (params ??= []).push({ subMsgId, recipientCodeHash: b.slice(at, at + HEX_CODE_HASH_LENGTH) });
    at += HEX_CODE_HASH_LENGTH;
  }
  return { params, next: at };
}

/**
 * spec §4.2/§7.4 `validate_basic_msg`: the first 64 bytes are the hex code hash (either case) and must equal
 * `codeHash`; then zero or more `REPLY01 ‖ u64_be(id) ‖ hash_hex(64)` headers; the rest is the contract msg.
 * Any mismatch or truncation is "failed to validate transaction" (Secret panics on truncation; we refuse).
 */
export function validateBasicMsg(
  plaintext: Uint8Array,
  codeHash: Uint8Array,
  isCodeHashAllowed: (hashHex: string) => boolean = () => false,
): ValidatedMessage {
  checkHashPrefix(plaintext, codeHash, isCodeHashAllowed);
  const { params, next } = readReplyHeaders(plaintext, HEX_CODE_HASH_LENGTH);
  return { msg: plaintext.slice(next), replyParams: params };
}

/**
 * The reply entry point's variant (`data_for_validation` from `parseInternalMsgId`): the hash and headers
 * come from the decrypted msg id, and `msg` (the Reply JSON) passes through unchanged.
 */
export function validateReplyMsg(
  msg: Uint8Array,
  codeHash: Uint8Array,
  dataForValidation: Uint8Array,
  isCodeHashAllowed: (hashHex: string) => boolean = () => false,
): ValidatedMessage {
  checkHashPrefix(dataForValidation, codeHash, isCodeHashAllowed);
  const { params } = readReplyHeaders(dataForValidation, HEX_CODE_HASH_LENGTH);
  return { msg: msg.slice(), replyParams: params };
}

/** `REPLY01 ‖ u64_be(id) ‖ hash_hex(64)`. */
export function buildReplyHeader(subMsgId: bigint, codeHashHex: Uint8Array): Uint8Array {
  abytes(codeHashHex, HEX_CODE_HASH_LENGTH, "reply code hash");
  return concatBytes(REPLY_MAGIC, u64be(subMsgId), codeHashHex);
}

/** Options for the inner plaintext of an outgoing v1 wasm sub-message (§7.1, §7.4). */
export interface SubMsgHeaders {
  /** Set when `reply_on != never`: the sub-message id and this (calling) contract's hex code hash. */
  readonly reply?: { readonly subMsgId: bigint; readonly callerCodeHashHex: string };
  /** The reply params this contract itself received; appended after its own header (nested chains). */
  readonly inherited?: readonly ReplyParam[] | undefined;
}

/** SN io.rs `attach_reply_headers_to_v1_wasm_msg`: callee_hash ‖ [own header] ‖ [inherited headers] ‖ msg. */
export function buildSubMsgPlaintext(
  calleeCodeHash: string,
  msg: Uint8Array,
  h: SubMsgHeaders = {},
): Uint8Array {
  const parts: Uint8Array[] = [utf8.encode(calleeCodeHash)];
  if (h.reply !== undefined) {
    parts.push(buildReplyHeader(h.reply.subMsgId, utf8.encode(h.reply.callerCodeHashHex)));
  }
  for (const p of h.inherited ?? []) parts.push(buildReplyHeader(p.subMsgId, p.recipientCodeHash));
  parts.push(msg);
  return concatBytes(...parts);
}

/** Coin as used in callback signatures: v0.10 `Coin{denom, amount: Uint128}` (amount as a decimal string). */
export interface Coin {
  readonly denom: string;
  readonly amount: bigint;
}

/** serde_json of `&[Coin]`: `[{"denom":"uscrt","amount":"100"}]`, in the given order. */
export function fundsJson(funds: readonly Coin[]): string {
  return JSON.stringify(funds.map((c) => ({ denom: c.denom, amount: c.amount.toString() })));
}

/**
 * spec §7.2 `create_callback_signature`: SHA-256(callback_secret ‖ ct ‖ serde_json(funds)), NOT an HMAC.
 * `ct` is the SIV ciphertext without nonce/pubkey (or the plaintext msg for plaintext executions).
 */
export function callbackSig(keys: EnclaveKeys, ct: Uint8Array, funds: readonly Coin[]): Uint8Array {
  const secret = keys.callbackSecret();
  const sig = sha256(secret, ct, utf8.encode(fundsJson(funds)));
  zeroize(secret);
  return sig;
}

/** spec §7.2 receiver side: recompute and compare; mismatch (or empty sig) → "failed to verify transaction signature". */
export function verifyCallbackSig(
  keys: EnclaveKeys,
  sig: Uint8Array,
  ct: Uint8Array,
  funds: readonly Coin[],
): void {
  if (sig.length === 0 || !equalBytes(sig, callbackSig(keys, ct, funds))) {
    throw new EnclaveError("FailedTxVerification");
  }
}

/** Bytes → string one char per byte, so any non-hex byte simply fails hex decoding. */
export function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
}
