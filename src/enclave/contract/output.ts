// Turns a contract's plaintext result into what leaves the enclave (spec secret-protocol §5, §7; SN io.rs
// `post_process_output`): wasm sub-messages re-encrypted under the caller's nonce with reply headers and
// callback signatures, encrypted attributes/data/errors, internal reply id and signature for replies.
// Bank/staking/other messages stay plaintext. All helpers below are ../io.ts and ../ioOutput.ts.
import { fromBase64, toBase64 } from "../../util/bytes.js";
import { EnclaveError } from "../errors.js";
import { buildSubMsgPlaintext, callbackSig, type Coin, type ReplyParam, type TxCrypto } from "../io.js";
import {
  encryptAttribute,
  encryptedErrorJson,
  encryptErrorV010,
  encryptErrorV1,
  encryptPreserialized,
  encryptQueryAnswer,
  internalMsgId,
  replySignature,
  type Attribute,
  type ReplyResult,
} from "../ioOutput.js";
import type { EnclaveKeys } from "../keys.js";
import type { ContractResult } from "../vm/calls.js";
import type { InterfaceVersion } from "../vm/instance.js";

/** Go's error text for a v0.10 BankMsg::Send from another address (spec §7.3). */
export const NO_PERMISSION = "contract doesn't have permission";

export interface OutputContext {
  readonly keys: EnclaveKeys;
  /** The caller's tx key; undefined for a plaintext input (outputs then stay plaintext, spec §4.2). */
  readonly tx: TxCrypto | undefined;
  readonly ownCodeHashHex: string;
  /** This contract's bech32 address (v0.10 sends must come from it). */
  readonly contractAddress: string;
  readonly replyParams: readonly ReplyParam[] | undefined;
}

/** What leaves the enclave. `ok`/`err` are JSON values; the ids and signature are raw bytes. */
export interface ProcessedOutput {
  readonly ok?: unknown;
  readonly err?: unknown;
  readonly internalMsgId?: Uint8Array;
  readonly internalReplyEnclaveSig?: Uint8Array;
}

type Json = Record<string, unknown>;
/** A JSON object (not null, not an array). */
export const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function bad(what: string): EnclaveError {
  return new EnclaveError("FailedToDeserialize", what);
}

function coins(v: unknown): Coin[] {
  if (!Array.isArray(v)) throw bad("funds");
  return v.map((c) => {
    if (!isObj(c) || typeof c.denom !== "string" || typeof c.amount !== "string") throw bad("coin");
    if (!/^[0-9]{1,39}$/.test(c.amount)) throw bad("coin amount");
    return { denom: c.denom, amount: BigInt(c.amount) };
  });
}

const sigJson = (sig: Uint8Array): number[] => Array.from(sig);

/** Seals a wasm msg (base64 plaintext) as nonce ‖ pk ‖ SIV(hash ‖ headers ‖ msg); sets msg and callback_sig. */
function sealWasmMsg(ctx: OutputContext, m: Json, hashField: string, funds: Coin[], reply?: bigint): void {
  if (typeof m.msg !== "string") throw bad("wasm msg");
  const hash = m[hashField];
  const codeHash = typeof hash === "string" ? hash : "";
  const plain = fromBase64(m.msg, "wasm msg");
  if (ctx.tx === undefined) {
    m.callback_sig = sigJson(callbackSig(ctx.keys, plain, funds));
    return;
  }
  const inner = buildSubMsgPlaintext(codeHash, plain, {
    ...(reply === undefined ? {} : { reply: { subMsgId: reply, callerCodeHashHex: ctx.ownCodeHashHex } }),
    inherited: ctx.replyParams,
  });
  const sealed = ctx.tx.seal(inner);
  m.msg = toBase64(sealed.message);
  m.callback_sig = sigJson(callbackSig(ctx.keys, sealed.ciphertext, funds));
}

/** v1 SubMsg: only Wasm execute/instantiate/migrate are encrypted; their visible id becomes 0 (§7.4). */
function processSubMsg(ctx: OutputContext, sub: unknown): void {
  if (!isObj(sub) || !isObj(sub.msg)) throw bad("sub-message");
  const wasm = sub.msg.wasm;
  if (!isObj(wasm)) return;
  const replyOn = sub.reply_on ?? "never";
  if (replyOn !== "never" && (typeof sub.id !== "number" || !Number.isSafeInteger(sub.id) || sub.id < 0)) {
    throw bad("sub-message id");
  }
  const id = replyOn === "never" ? undefined : BigInt(sub.id as number);
  for (const kind of ["execute", "instantiate", "migrate"] as const) {
    const m = wasm[kind];
    if (!isObj(m)) continue;
    // Secret's v1 WasmMsg serializes funds as `send` (cosmwasm-types v1.0 cosmos_msg.rs); `funds` is upstream's.
    const funds = kind === "migrate" ? [] : coins(m.send ?? m.funds ?? []);
    sealWasmMsg(ctx, m, "code_hash", funds, id);
  }
  for (const kind of ["update_admin", "clear_admin"] as const) {
    const m = wasm[kind];
    if (isObj(m)) m.callback_sig = sigJson(callbackSig(ctx.keys, new Uint8Array(), []));
  }
  sub.id = 0;
}

function attrs(ctx: OutputContext, list: unknown, defaultEncrypted: boolean): unknown[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw bad("attributes");
  return list.map((a) => {
    if (!isObj(a) || typeof a.key !== "string" || typeof a.value !== "string") throw bad("attribute");
    const attr: Attribute = {
      key: a.key,
      value: a.value,
      encrypted: (a.encrypted as boolean | undefined) ?? defaultEncrypted,
    };
    return ctx.tx === undefined ? attr : encryptAttribute(ctx.tx, attr);
  });
}

const B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/** Padded standard base64, as util/bytes.ts `fromBase64` accepts it. */
const B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * True iff `s` is padded standard base64 that `toBase64(fromBase64(s))` returns unchanged: valid, and zero
 * bits after the last byte (`QR==` decodes like `QQ==`, so it is not canonical).
 */
export function isCanonicalBase64(s: string): boolean {
  if (!B64_RE.test(s)) return false;
  const pad = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
  if (pad === 0) return true;
  // The last data char carries 4 (pad 2) or 2 (pad 1) bits that fall outside the decoded bytes.
  return B64_ALPHABET.indexOf(s.charAt(s.length - pad - 1)) % (pad === 2 ? 16 : 4) === 0;
}

/**
 * The data field. Secret encrypts its base64 text (`encryptData` = SIV of base64(bytes)); for canonical base64
 * that text is the contract's string itself, so it is used as is instead of decoded and re-encoded.
 */
function encData(ctx: OutputContext, data: unknown): string | null {
  if (data === undefined || data === null) return null;
  if (typeof data !== "string") throw bad("data");
  const text = isCanonicalBase64(data) ? data : toBase64(fromBase64(data, "data")); // throws on bad base64
  if (ctx.tx === undefined) return data;
  return toBase64(encryptPreserialized(ctx.tx, text, ctx.replyParams));
}

/**
 * §7.4: the encrypted id chain and the signature over the Reply the host will build. `result` is a thunk
 * because building it may decode the (encrypted) data again, which is wasted work without reply params.
 */
function replyInfo(
  ctx: OutputContext,
  result: () => ReplyResult,
  appendAll: boolean,
): Partial<ProcessedOutput> {
  if (ctx.replyParams === undefined || ctx.tx === undefined) return {};
  const id = internalMsgId(ctx.tx, ctx.replyParams, appendAll);
  return { internalMsgId: id, internalReplyEnclaveSig: replySignature(ctx.keys, id, result()) };
}

/** The Reply result of an Ok response: its (already encrypted) data as bytes. */
const okResult = (data: string | null): ReplyResult => ({
  ok: { data: data === null ? null : fromBase64(data, "data") },
});

function v1Ok(ctx: OutputContext, ok: unknown): ProcessedOutput {
  if (!isObj(ok)) throw bad("response");
  const messages = Array.isArray(ok.messages) ? ok.messages : [];
  for (const sub of messages) processSubMsg(ctx, sub);
  const events = Array.isArray(ok.events) ? ok.events : [];
  const outEvents = events.map((e) => {
    if (!isObj(e)) throw bad("event");
    return { ...e, attributes: attrs(ctx, e.attributes, true) };
  });
  const data = encData(ctx, ok.data);
  const out = { ...ok, messages, attributes: attrs(ctx, ok.attributes, true), events: outEvents, data };
  const info = replyInfo(ctx, () => okResult(data), true);
  return { ok: out, ...info };
}

/** v0.10 messages: Wasm execute/instantiate sealed with callback_code_hash; sends only from this contract. */
function v010Messages(ctx: OutputContext, list: unknown): unknown[] | string {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw bad("messages");
  for (const msg of list) {
    if (!isObj(msg)) throw bad("message");
    const send = isObj(msg.bank) && isObj(msg.bank.send) ? msg.bank.send : undefined;
    if (send !== undefined && send.from_address !== ctx.contractAddress) return NO_PERMISSION;
    if (!isObj(msg.wasm)) continue;
    for (const kind of ["execute", "instantiate"] as const) {
      const m = msg.wasm[kind];
      if (isObj(m)) sealWasmMsg(ctx, m, "callback_code_hash", coins(m.send ?? []));
    }
  }
  return list as unknown[];
}

function v010Ok(ctx: OutputContext, ok: unknown): ProcessedOutput {
  if (!isObj(ok)) throw bad("response");
  const messages = v010Messages(ctx, ok.messages);
  if (typeof messages === "string") return { err: { generic_err: { msg: messages } } };
  const data = encData(ctx, ok.data);
  const out = { ...ok, messages, log: attrs(ctx, ok.log, true), data };
  const info = replyInfo(ctx, () => okResult(data), false);
  return { ok: out, ...info };
}

function contractErr(ctx: OutputContext, err: unknown, version: InterfaceVersion): ProcessedOutput {
  if (ctx.tx === undefined) return { err: version === "v1" ? { generic_err: { msg: String(err) } } : err };
  const ct =
    version === "v1"
      ? encryptErrorV1(ctx.tx, typeof err === "string" ? err : JSON.stringify(err), ctx.replyParams)
      : encryptErrorV010(ctx.tx, JSON.stringify(err), ctx.replyParams);
  return {
    err: JSON.parse(encryptedErrorJson(ct)) as unknown,
    ...replyInfo(ctx, () => ({ error: toBase64(ct) }), true),
  };
}

/** Processes the result of instantiate/execute/migrate/reply. */
export function processOutput(
  ctx: OutputContext,
  r: ContractResult,
  version: InterfaceVersion,
): ProcessedOutput {
  if ("err" in r) return contractErr(ctx, r.err, version);
  return version === "v1" ? v1Ok(ctx, r.ok) : v010Ok(ctx, r.ok);
}

/** Processes a query result: Ok is the base64 answer string, encrypted as a string (§8.1). */
export function processQueryOutput(
  ctx: OutputContext,
  r: ContractResult,
  version: InterfaceVersion,
): ProcessedOutput {
  if ("err" in r) return contractErr(ctx, r.err, version);
  if (typeof r.ok !== "string") throw bad("query answer");
  if (ctx.tx === undefined) return { ok: r.ok };
  return { ok: toBase64(encryptQueryAnswer(ctx.tx, r.ok)) };
}
