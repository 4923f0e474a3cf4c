// The contract ECALL wire format (src/enclave/ecalls/contract.ts). Only bytes cross the wall (DESIGN.md
// rule 2): the request is binary (channel/codec.ts fields; since session 7, before that a JSON envelope with a
// binary tail), its wasm bytes last (may be empty when the code is already loaded); the answer is a JSON
// envelope. Full field tables: ./README.md "ECALL wire format".
import { abytes, fromBase64, InvalidInputError, toBase64, utf8 } from "../../util/bytes.js";
import { ByteReader, ByteWriter } from "../channel/codec.js";
import type { ContractKeyInfo } from "../contractKey.js";
import { MAX_PREFETCH_ENTRIES } from "../channel/frames.js";
import type { PrefetchEntry, PrefetchSet } from "../prefetch.js";
import type { BaseEnv, Coin } from "../vm/environment.js";
import type { SigInfo } from "./txSignature.js";
import type { SignatureVerdict } from "./verdict.js";
import type { ContractCallInput, ContractCallOutput, ContractOp } from "./types.js";

/**
 * A decoded request: everything of ContractCallInput but the op (the ECALL name says it), the compiled module
 * (the enclave looks it up by code hash) and the gas limit (it travels in the ECALL frame), plus the raw wasm
 * (maybe empty once the code is cached).
 */
export type ContractRequest = Omit<ContractCallInput, "op" | "module" | "gasLimit"> & {
  readonly wasm: Uint8Array;
  /** Store values the host offers ahead of the reads (../prefetch.ts); absent: every read is an OCALL. */
  readonly prefetch?: PrefetchSet | undefined;
};

type J = Record<string, unknown>;

function bad(field: string): InvalidInputError {
  return new InvalidInputError(field, `"${field}" is missing or malformed`);
}
function obj(v: unknown, field: string): J {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad(field);
  return v as J;
}
function str(v: unknown, field: string): string {
  if (typeof v !== "string") throw bad(field);
  return v;
}
function b64(v: unknown, field: string): Uint8Array {
  return fromBase64(str(v, field), field);
}
function optB64(v: unknown, field: string): Uint8Array | undefined {
  return v === undefined || v === null ? undefined : b64(v, field);
}

/** updateAdmin's sig_info: all JSON, binary fields base64 (a rare call; the contract calls are binary). */
function decodeJsonSigInfo(v: unknown): SigInfo | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, "sig_info");
  const mode = o.sign_mode;
  if (typeof mode !== "number" || !Number.isInteger(mode) || mode < 0) throw bad("sig_info.sign_mode");
  return {
    signMode: mode,
    signBytes: b64(o.sign_bytes, "sig_info.sign_bytes"),
    signature: b64(o.signature, "sig_info.signature"),
    txBytes: b64(o.tx_bytes, "sig_info.tx_bytes"),
    ...(o.public_key === undefined || o.public_key === null
      ? {}
      : { publicKey: b64(o.public_key, "sig_info.public_key") }),
  };
}

/**
 * Request format version: the payload's first byte. Never 0xFF, so a payload starting with the verdict
 * token's marker (u32 0xFFFFFFFF, ./verdict.ts) is never a request.
 */
export const REQUEST_FORMAT = 1;

/**
 * A JS number from the host (sign mode, query depth, tx index) travels as its exact float64, and the enclave
 * applies the checks the JSON envelope applied to it (an out-of-range number fails here the same way).
 */
function number(r: ByteReader, field: string, max?: number): number {
  const n = r.f64(field);
  if (!Number.isInteger(n) || n < 0 || (max !== undefined && n > max)) throw bad(field);
  return n;
}

/** A host bigint: u8 1 ‖ u64 when it fits 64 bits, else u8 0 (the enclave refuses it, as the JSON did). */
function u64Of(r: ByteReader, field: string): bigint {
  const fits = r.u8(field);
  if (fits !== 1) throw bad(field);
  return r.u64(field);
}

function writeU64(w: ByteWriter, v: bigint): void {
  if (v < 0n || v >= 1n << 64n) w.u8(0);
  else w.u8(1).u64(v);
}

/**
 * A string: u8 form ‖ u32 len ‖ bytes, form 0 = UTF-8, form 1 = UTF-16 code units (big-endian) for a string
 * with any surrogate, so a lone surrogate arrives as itself, exactly as through JSON.
 */
function text(r: ByteReader, field: string): string {
  const form = r.u8(field);
  const b = r.bytesSub(field);
  if (form === 0) {
    try {
      return utf8.decode(b);
    } catch {
      throw bad(field);
    }
  }
  if (form !== 1 || b.length % 2 !== 0) throw bad(field);
  let s = "";
  for (let i = 0; i < b.length; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
  return s;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** The encoded form of one string (see `text`), and its size. */
function textBytes(s: string): { form: number; bytes: Uint8Array } {
  if (!SURROGATE.test(s)) return { form: 0, bytes: utf8.encode(s) };
  const bytes = new Uint8Array(2 * s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    bytes[2 * i] = c >>> 8;
    bytes[2 * i + 1] = c & 0xff;
  }
  return { form: 1, bytes };
}

function decodeEnv(r: ByteReader): BaseEnv {
  const height = u64Of(r, "env.block.height");
  const timeNanos = u64Of(r, "env.block.time");
  const chainId = text(r, "env.block.chain_id");
  const sender = text(r, "env.message.sender");
  const n = r.u32("funds");
  if (n > r.remaining) throw bad("funds");
  const funds: Coin[] = [];
  for (let i = 0; i < n; i++) {
    const denom = text(r, "coin denom");
    const amount = text(r, "coin amount");
    if (!/^[0-9]{1,39}$/.test(amount)) throw bad("coin amount");
    funds.push({ denom, amount });
  }
  const address = text(r, "env.contract.address");
  const hasTx = r.u8("env.transaction");
  if (hasTx > 1) throw bad("env.transaction");
  const block = { height, timeNanos, chainId };
  const message = { sender, funds };
  const contract = { address };
  if (hasTx === 0) return { block, message, contract };
  const index = number(r, "env.transaction");
  return { block, message, contract, transaction: { index, hash: text(r, "env.transaction.hash") } };
}

function decodeKey(r: ByteReader): ContractKeyInfo | undefined {
  const has = r.u8("contract_key");
  if (has === 0) return undefined;
  if (has !== 1) throw bad("contract_key");
  const og = abytes(r.bytes("contract_key.og"), 64, "contract_key.og");
  const current = r.optBytes("contract_key.current");
  const proof = r.optBytes("contract_key.proof");
  return {
    ogContractKey: og,
    ...(current === undefined ? {} : { currentContractKey: current }),
    ...(proof === undefined ? {} : { currentContractKeyProof: proof }),
  };
}

/**
 * sig_info: number sign mode ‖ optBytes amino public key ‖ bytes sign bytes ‖ bytes signature ‖ bytes tx
 * bytes; `verdict` (enclave-internal: a verify lane's token, ../ecalls/contract.ts) is attached here, so the
 * request is built once.
 */
function decodeSigInfo(r: ByteReader, verdict: SignatureVerdict | undefined): SigInfo | undefined {
  const has = r.u8("sig_info");
  if (has === 0) return undefined;
  if (has !== 1) throw bad("sig_info");
  const signMode = number(r, "sig_info.sign_mode");
  const publicKey = r.optBytes("sig_info.public_key");
  const signBytes = r.bytesSub("sig_info.sign_bytes");
  const signature = r.bytesSub("sig_info.signature");
  const txBytes = r.bytesSub("sig_info.tx_bytes");
  if (publicKey === undefined) {
    return verdict === undefined
      ? { signMode, signBytes, signature, txBytes }
      : { signMode, signBytes, signature, txBytes, verdict };
  }
  return verdict === undefined
    ? { signMode, signBytes, signature, txBytes, publicKey }
    : { signMode, signBytes, signature, txBytes, publicKey, verdict };
}

/** prefetch: u8 limited (0|1) ‖ [u64 remaining] ‖ (u32 len ‖ key ‖ u8 present ‖ [u32 len ‖ value] ‖ u64 charge)ⁿ. */
function decodePrefetch(r: ByteReader): PrefetchSet | undefined {
  const has = r.u8("prefetch");
  if (has === 0) return undefined;
  const count = r.u32("prefetch");
  if (has !== 1 || count > MAX_PREFETCH_ENTRIES) throw bad("prefetch");
  const limited = r.u8("prefetch limited");
  if (limited !== 0 && limited !== 1) throw bad("prefetch limited");
  const remaining = limited === 1 ? r.u64("prefetch remaining") : undefined;
  const entries: PrefetchEntry[] = [];
  for (let i = 0; i < count; i++) {
    const key = r.bytesSub("prefetch key");
    const present = r.u8("prefetch presence");
    if (present !== 0 && present !== 1) throw bad("prefetch presence");
    const value = present === 1 ? r.bytesSub("prefetch value") : undefined;
    entries.push({ key, value, charge: r.u64("prefetch charge") });
  }
  return { remaining, entries };
}

function encodePrefetch(w: ByteWriter, p: PrefetchSet | undefined): void {
  if (p === undefined) {
    w.u8(0);
    return;
  }
  if (p.entries.length > MAX_PREFETCH_ENTRIES) throw bad("prefetch");
  w.u8(1).u32(p.entries.length);
  if (p.remaining === undefined) w.u8(0);
  else w.u8(1).u64(p.remaining);
  for (const e of p.entries) {
    w.bytes(e.key);
    if (e.value === undefined) w.u8(0);
    else w.u8(1).bytes(e.value);
    w.u64(e.charge);
  }
}

/** Exact (the writer then hands over its buffer without a copy). */
function prefetchSize(p: PrefetchSet | undefined): number {
  if (p === undefined) return 1;
  let n = 5 + (p.remaining === undefined ? 1 : 9);
  for (const e of p.entries) n += 13 + e.key.length + (e.value === undefined ? 0 : 4 + e.value.length);
  return n;
}

/**
 * The request (./README.md "ECALL wire format"). Byte fields the call only reads (msg, the signed tx's bytes,
 * prefetch keys and values, wasm) are views of the payload, not copies: the payload is the enclave's private
 * copy of the ECALL frame (channel/mailbox.ts), and nothing writes into them. Keys and proofs are copies.
 */
export function decodeContractRequest(payload: Uint8Array, verdict?: SignatureVerdict): ContractRequest {
  abytes(payload, undefined, "payload");
  const r = new ByteReader(payload);
  if (r.u8("payload") !== REQUEST_FORMAT) throw bad("payload");
  const codeHash = abytes(r.bytes("code_hash"), 32, "code_hash");
  const env = decodeEnv(r);
  const msgCounter = u64Of(r, "msg_counter");
  const queryDepth = number(r, "query_depth", 64);
  const contractKey = decodeKey(r);
  const callbackSig = r.optBytes("callback_sig");
  const admin = r.optBytes("admin");
  const adminProof = r.optBytes("admin_proof");
  const blockRandom = r.optBytes("block_random");
  const sigInfo = decodeSigInfo(r, verdict);
  const msg = r.bytesSub("msg");
  const prefetch = decodePrefetch(r);
  const wasm = r.restSub("wasm");
  // Two literals, not a spread: one fixed shape each (V8 copies maps for a spread per call).
  if (prefetch === undefined) {
    return {
      codeHash,
      wasm,
      env,
      msg,
      contractKey,
      callbackSig,
      sigInfo,
      admin,
      adminProof,
      blockRandom,
      msgCounter,
      queryDepth,
    };
  }
  return {
    codeHash,
    wasm,
    env,
    msg,
    contractKey,
    callbackSig,
    sigInfo,
    admin,
    adminProof,
    blockRandom,
    msgCounter,
    queryDepth,
    prefetch,
  };
}

const optSize = (b: Uint8Array | undefined): number => (b === undefined ? 1 : 5 + b.length);

/** Host side / tests: the inverse of decodeContractRequest, sized exactly. */
export function encodeContractRequest(r: ContractRequest): Uint8Array {
  return encodeRequest(r, undefined);
}

/** Where encodeRequest wrote the state parts (for a template). */
interface Marks {
  counter: number;
  random: number;
}

/**
 * The fields of a request that do not depend on the block's state as it stands when the call is made: all but
 * the message counter, the block random, the prefetch offer and the wasm bytes (./README.md "Request templates").
 */
export type RequestFields = Omit<ContractRequest, "msgCounter" | "blockRandom" | "prefetch" | "wasm">;

/**
 * A request encoded ahead without its state parts: `bytes` is encodeContractRequest of the fields with message
 * counter 0, no block random, no prefetch and no wasm, and the offsets say where the first two sit (the
 * prefetch flag is its last byte). spliceRequest fills them in at call time.
 */
export interface RequestTemplate {
  readonly bytes: Uint8Array;
  /** Offset of msg_counter: u8 1 ‖ u64 0 (9 bytes). */
  readonly counterAt: number;
  /** Offset of block_random: u8 0 (absent). */
  readonly randomAt: number;
}

const NO_BYTES = new Uint8Array(0);

/** The template of `f`'s requests (its bytes are exactly a request, with the empty state parts above). */
export function encodeRequestTemplate(f: RequestFields): RequestTemplate {
  const marks: Marks = { counter: 0, random: 0 };
  const bytes = encodeRequest(
    {
      codeHash: f.codeHash,
      env: f.env,
      msg: f.msg,
      contractKey: f.contractKey,
      callbackSig: f.callbackSig,
      sigInfo: f.sigInfo,
      admin: f.admin,
      adminProof: f.adminProof,
      queryDepth: f.queryDepth,
      msgCounter: 0n,
      blockRandom: undefined,
      prefetch: undefined,
      wasm: NO_BYTES,
    },
    marks,
  );
  return { bytes, counterAt: marks.counter, randomAt: marks.random };
}

/** writeU64's size. */
const u64Size = (v: bigint): number => (v < 0n || v >= 1n << 64n ? 1 : 9);

/**
 * encodeContractRequest of the template's fields with these state parts, byte for byte, by copying the
 * template's runs around them (no field of the template is encoded again). Sized exactly.
 */
export function spliceRequest(
  t: RequestTemplate,
  msgCounter: bigint,
  blockRandom: Uint8Array | undefined,
  prefetch: PrefetchSet | undefined,
  wasm: Uint8Array,
): Uint8Array {
  const b = t.bytes;
  const last = b.length - 1;
  const w = new ByteWriter(
    last - 10 + u64Size(msgCounter) + optSize(blockRandom) + prefetchSize(prefetch) + wasm.length,
  );
  w.raw(b.subarray(0, t.counterAt));
  writeU64(w, msgCounter);
  w.raw(b.subarray(t.counterAt + 9, t.randomAt)).optBytes(blockRandom);
  w.raw(b.subarray(t.randomAt + 1, last));
  encodePrefetch(w, prefetch);
  return w.raw(wasm).finish();
}

function encodeRequest(r: ContractRequest, marks: Marks | undefined): Uint8Array {
  const e = r.env;
  const strings = [e.block.chainId, e.message.sender];
  for (const c of e.message.funds) strings.push(c.denom, c.amount);
  strings.push(e.contract.address);
  if (e.transaction !== undefined) strings.push(e.transaction.hash);
  const texts = strings.map(textBytes);
  const k = r.contractKey;
  const g = r.sigInfo;
  let size = 1 + 4 + r.codeHash.length + 9 + 9 + 4 + (e.transaction === undefined ? 1 : 9) + 9 + 8;
  for (const t of texts) size += 5 + t.bytes.length;
  size += k === undefined ? 1 : 5 + k.ogContractKey.length;
  if (k !== undefined) size += optSize(k.currentContractKey) + optSize(k.currentContractKeyProof);
  size += optSize(r.callbackSig) + optSize(r.admin) + optSize(r.adminProof) + optSize(r.blockRandom);
  if (g !== undefined)
    size += 8 + optSize(g.publicKey) + 12 + g.signBytes.length + g.signature.length + g.txBytes.length;
  size += 1 + 4 + r.msg.length + prefetchSize(r.prefetch) + r.wasm.length;
  const w = new ByteWriter(size);
  const str = (i: number): void => {
    const t = texts[i]!;
    w.u8(t.form).bytes(t.bytes);
  };
  w.u8(REQUEST_FORMAT).bytes(r.codeHash);
  writeU64(w, e.block.height);
  writeU64(w, e.block.timeNanos);
  str(0);
  str(1);
  w.u32(e.message.funds.length);
  for (let i = 0; i < e.message.funds.length; i++) {
    str(2 + 2 * i);
    str(3 + 2 * i);
  }
  str(2 + 2 * e.message.funds.length);
  if (e.transaction === undefined) w.u8(0);
  else {
    w.u8(1).f64(e.transaction.index);
    str(3 + 2 * e.message.funds.length);
  }
  if (marks !== undefined) marks.counter = w.size;
  writeU64(w, r.msgCounter);
  w.f64(r.queryDepth);
  if (k === undefined) w.u8(0);
  else w.u8(1).bytes(k.ogContractKey).optBytes(k.currentContractKey).optBytes(k.currentContractKeyProof);
  w.optBytes(r.callbackSig).optBytes(r.admin).optBytes(r.adminProof);
  if (marks !== undefined) marks.random = w.size;
  w.optBytes(r.blockRandom);
  if (g === undefined) w.u8(0);
  else {
    w.u8(1).f64(g.signMode).optBytes(g.publicKey);
    w.bytes(g.signBytes).bytes(g.signature).bytes(g.txBytes);
  }
  w.bytes(r.msg);
  encodePrefetch(w, r.prefetch);
  return w.raw(r.wasm).finish();
}

/** The answer envelope: contract ok/err JSON plus the enclave-made ids, signatures and keys (base64). */
export function encodeContractResponse(op: ContractOp, out: ContractCallOutput): Uint8Array {
  const o = out.output;
  const env: J = { op };
  if (o.ok !== undefined) env.ok = o.ok;
  if (o.err !== undefined) env.err = o.err;
  // Same keys in the same order as before; no per-call closure (each one cost a `__name` under tsx).
  putB64(env, "internal_msg_id", o.internalMsgId);
  putB64(env, "internal_reply_enclave_sig", o.internalReplyEnclaveSig);
  putB64(env, "contract_key", out.contractKey);
  putB64(env, "admin_proof", out.adminProof);
  putB64(env, "contract_key_proof", out.contractKeyProof);
  return utf8.encode(JSON.stringify(env));
}

function putB64(env: J, name: string, v: Uint8Array | undefined): void {
  if (v !== undefined) env[name] = toBase64(v);
}

/** The updateAdmin ECALL payload (see ./README.md). */
export function decodeUpdateAdminRequest(payload: Uint8Array) {
  let j: J;
  try {
    j = obj(JSON.parse(utf8.decode(abytes(payload, undefined, "payload"))), "payload");
  } catch (e) {
    if (e instanceof InvalidInputError) throw e;
    throw bad("payload");
  }
  return {
    sender: str(j.sender, "sender"),
    contract: str(j.contract, "contract"),
    fields: {
      ogContractKey: abytes(b64(j.og_contract_key, "og_contract_key"), 64, "og_contract_key"),
      currentAdmin: b64(j.current_admin, "current_admin"),
      currentAdminProof: b64(j.current_admin_proof, "current_admin_proof"),
      newAdmin: b64(j.new_admin, "new_admin"),
    },
    sigInfo: decodeJsonSigInfo(j.sig_info),
    callbackSig: optB64(j.callback_sig, "callback_sig"),
  };
}
