// The contract ECALL wire format (src/enclave/ecalls/contract.ts). Only bytes cross the wall (DESIGN.md
// rule 2): payload = u32_be(json_len) ‖ JSON envelope (utf8) ‖ binary tail ‖ wasm bytes (may be empty when the
// code is already loaded). The tail carries the big byte fields raw (msg; the signed tx's sign bytes, signature
// and tx bytes) so neither side base64-codes ~1.5 KB per call; small binary fields in the JSON are base64,
// 64-bit numbers decimal strings. The answer is a JSON envelope. Full field tables: ./README.md "ECALL wire format".
import { abytes, fromBase64, fromHex, InvalidInputError, toBase64, utf8 } from "../../util/bytes.js";
import { ByteReader, ByteWriter } from "../channel/codec.js";
import type { ContractKeyInfo } from "../contractKey.js";
import { MAX_PREFETCH_ENTRIES } from "../channel/frames.js";
import type { PrefetchEntry, PrefetchSet } from "../prefetch.js";
import type { BaseEnv, Coin } from "../vm/environment.js";
import type { SigInfo } from "./txSignature.js";
import type { ContractCallInput, ContractCallOutput, ContractOp } from "./types.js";

/** Largest JSON envelope accepted (the contract msg is inside; Secret txs are ≤ a few MiB). */
export const MAX_ENVELOPE_LENGTH = 8 * 1024 * 1024;

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
function u64(v: unknown, field: string): bigint {
  const s = str(v, field);
  if (!/^[0-9]{1,20}$/.test(s) || BigInt(s) >= 1n << 64n) throw bad(field);
  return BigInt(s);
}
function b64(v: unknown, field: string): Uint8Array {
  return fromBase64(str(v, field), field);
}
function optB64(v: unknown, field: string): Uint8Array | undefined {
  return v === undefined || v === null ? undefined : b64(v, field);
}

function coins(v: unknown): Coin[] {
  if (!Array.isArray(v)) throw bad("funds");
  return v.map((c) => {
    const o = obj(c, "coin");
    const amount = str(o.amount, "coin amount");
    if (!/^[0-9]{1,39}$/.test(amount)) throw bad("coin amount");
    return { denom: str(o.denom, "coin denom"), amount };
  });
}

function decodeEnv(v: unknown): BaseEnv {
  const e = obj(v, "env");
  const block = obj(e.block, "env.block");
  const message = obj(e.message, "env.message");
  const contract = obj(e.contract, "env.contract");
  const tx =
    e.transaction === undefined || e.transaction === null ? undefined : obj(e.transaction, "env.transaction");
  const index = tx?.index;
  if (tx !== undefined && (typeof index !== "number" || !Number.isInteger(index) || index < 0))
    throw bad("env.transaction");
  return {
    block: {
      height: u64(block.height, "env.block.height"),
      timeNanos: u64(block.time, "env.block.time"),
      chainId: str(block.chain_id, "env.block.chain_id"),
    },
    message: { sender: str(message.sender, "env.message.sender"), funds: coins(message.funds) },
    contract: { address: str(contract.address, "env.contract.address") },
    ...(tx === undefined
      ? {}
      : { transaction: { index: index as number, hash: str(tx.hash, "env.transaction.hash") } }),
  };
}

function decodeKey(v: unknown): ContractKeyInfo | undefined {
  if (v === undefined || v === null) return undefined;
  const k = obj(v, "contract_key");
  const current = optB64(k.current, "contract_key.current");
  const proof = optB64(k.proof, "contract_key.proof");
  return {
    ogContractKey: abytes(b64(k.og, "contract_key.og"), 64, "contract_key.og"),
    ...(current === undefined ? {} : { currentContractKey: current }),
    ...(proof === undefined ? {} : { currentContractKeyProof: proof }),
  };
}

/** updateAdmin's sig_info: all JSON, binary fields base64 (a rare call; the contract calls use the tail). */
function decodeJsonSigInfo(v: unknown): SigInfo | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, "sig_info");
  const signed = {
    signBytes: b64(o.sign_bytes, "sig_info.sign_bytes"),
    signature: b64(o.signature, "sig_info.signature"),
    txBytes: b64(o.tx_bytes, "sig_info.tx_bytes"),
  };
  return decodeSigInfo(v, signed);
}

/**
 * The tail after the JSON: u32 len ‖ msg ‖ u8 signed (0|1) ‖ [u32 len ‖ sign bytes ‖ u32 len ‖ signature ‖
 * u32 len ‖ tx bytes] ‖ [prefetch, when the JSON's `prefetch` count is present] ‖ wasm.
 */
interface Tail {
  readonly msg: Uint8Array;
  readonly signed?: { signBytes: Uint8Array; signature: Uint8Array; txBytes: Uint8Array } | undefined;
  readonly prefetch?: PrefetchSet | undefined;
  readonly wasm: Uint8Array;
}

/** prefetch: u8 limited (0|1) ‖ [u64 remaining] ‖ (u32 len ‖ key ‖ u8 present ‖ [u32 len ‖ value] ‖ u64 charge)ⁿ. */
function decodePrefetch(r: ByteReader, count: number): PrefetchSet {
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

function encodePrefetch(w: ByteWriter, p: PrefetchSet): void {
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
  if (p === undefined) return 0;
  let n = p.remaining === undefined ? 1 : 9;
  for (const e of p.entries) n += 13 + e.key.length + (e.value === undefined ? 0 : 4 + e.value.length);
  return n;
}

/**
 * The tail's fields are views of the payload, not copies: the payload is the enclave's private copy of the
 * ECALL frame (channel/mailbox.ts), and nothing writes into these fields.
 */
function decodeTail(bytes: Uint8Array, prefetchCount: number | undefined): Tail {
  const r = new ByteReader(bytes);
  const msg = r.bytesSub("msg");
  const flag = r.u8("sig_info presence");
  if (flag !== 0 && flag !== 1) throw bad("sig_info presence");
  const signed =
    flag === 0
      ? undefined
      : {
          signBytes: r.bytesSub("sig_info.sign_bytes"),
          signature: r.bytesSub("sig_info.signature"),
          txBytes: r.bytesSub("sig_info.tx_bytes"),
        };
  const prefetch = prefetchCount === undefined ? undefined : decodePrefetch(r, prefetchCount);
  return { msg, signed, prefetch, wasm: r.restSub("wasm") };
}

/** sig_info: its sign mode (and amino public key) from the JSON, its bytes from the tail; both or neither. */
function decodeSigInfo(v: unknown, signed: Tail["signed"]): SigInfo | undefined {
  if (v === undefined || v === null) {
    if (signed !== undefined) throw bad("sig_info");
    return undefined;
  }
  const o = obj(v, "sig_info");
  if (signed === undefined) throw bad("sig_info");
  const mode = o.sign_mode;
  if (typeof mode !== "number" || !Number.isInteger(mode) || mode < 0) throw bad("sig_info.sign_mode");
  return {
    signMode: mode,
    ...signed,
    ...(o.public_key === undefined || o.public_key === null
      ? {}
      : { publicKey: b64(o.public_key, "sig_info.public_key") }),
  };
}

export function decodeContractRequest(payload: Uint8Array): ContractRequest {
  abytes(payload, undefined, "payload");
  if (payload.length < 4) throw bad("payload");
  const len = new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0, false);
  if (len > MAX_ENVELOPE_LENGTH || 4 + len > payload.length) throw bad("envelope length");
  let j: J;
  try {
    j = obj(JSON.parse(utf8.decode(payload.subarray(4, 4 + len))), "envelope");
  } catch (e) {
    if (e instanceof InvalidInputError) throw e;
    throw bad("envelope");
  }
  const depth = j.query_depth ?? 0;
  if (typeof depth !== "number" || !Number.isInteger(depth) || depth < 0 || depth > 64)
    throw bad("query_depth");
  const codeHash = abytes(fromHex(str(j.code_hash, "code_hash"), "code_hash"), 32, "code_hash");
  const env = decodeEnv(j.env);
  const count = j.prefetch;
  if (
    count !== undefined &&
    (typeof count !== "number" || !Number.isInteger(count) || count < 0 || count > MAX_PREFETCH_ENTRIES)
  )
    throw bad("prefetch");
  const tail = decodeTail(payload.subarray(4 + len), count);
  return {
    codeHash,
    wasm: tail.wasm,
    env,
    msg: tail.msg,
    contractKey: decodeKey(j.contract_key),
    callbackSig: optB64(j.callback_sig, "callback_sig"),
    sigInfo: decodeSigInfo(j.sig_info, tail.signed),
    admin: optB64(j.admin, "admin"),
    adminProof: optB64(j.admin_proof, "admin_proof"),
    blockRandom: optB64(j.block_random, "block_random"),
    msgCounter: j.msg_counter === undefined ? 0n : u64(j.msg_counter, "msg_counter"),
    queryDepth: depth,
    ...(tail.prefetch === undefined ? {} : { prefetch: tail.prefetch }),
  };
}

/** Host side / tests: the inverse of decodeContractRequest. */
export function encodeContractRequest(r: ContractRequest): Uint8Array {
  const e = r.env;
  const envelope: J = {
    code_hash: Buffer.from(r.codeHash).toString("hex"),
    env: {
      block: {
        height: e.block.height.toString(),
        time: e.block.timeNanos.toString(),
        chain_id: e.block.chainId,
      },
      message: { sender: e.message.sender, funds: e.message.funds },
      contract: { address: e.contract.address },
      ...(e.transaction === undefined ? {} : { transaction: e.transaction }),
    },
    msg_counter: r.msgCounter.toString(),
    query_depth: r.queryDepth,
  };
  if (r.prefetch !== undefined) {
    if (r.prefetch.entries.length > MAX_PREFETCH_ENTRIES) throw bad("prefetch");
    envelope.prefetch = r.prefetch.entries.length;
  }
  if (r.contractKey !== undefined) {
    const k = r.contractKey;
    envelope.contract_key = {
      og: toBase64(k.ogContractKey),
      ...(k.currentContractKey === undefined ? {} : { current: toBase64(k.currentContractKey) }),
      ...(k.currentContractKeyProof === undefined ? {} : { proof: toBase64(k.currentContractKeyProof) }),
    };
  }
  const g = r.sigInfo;
  if (g !== undefined) {
    envelope.sig_info = {
      sign_mode: g.signMode,
      ...(g.publicKey === undefined ? {} : { public_key: toBase64(g.publicKey) }),
    };
  }
  for (const [name, v] of [
    ["callback_sig", r.callbackSig],
    ["admin", r.admin],
    ["admin_proof", r.adminProof],
    ["block_random", r.blockRandom],
  ] as const) {
    if (v !== undefined) envelope[name] = toBase64(v);
  }
  const json = utf8.encode(JSON.stringify(envelope));
  const signedLen = g === undefined ? 0 : 12 + g.signBytes.length + g.signature.length + g.txBytes.length;
  const size = 4 + json.length + 5 + r.msg.length + signedLen + prefetchSize(r.prefetch) + r.wasm.length;
  const w = new ByteWriter(size);
  w.bytes(json).bytes(r.msg);
  if (g === undefined) w.u8(0);
  else w.u8(1).bytes(g.signBytes).bytes(g.signature).bytes(g.txBytes);
  if (r.prefetch !== undefined) encodePrefetch(w, r.prefetch);
  return w.raw(r.wasm).finish();
}

/** The answer envelope: contract ok/err JSON plus the enclave-made ids, signatures and keys (base64). */
export function encodeContractResponse(op: ContractOp, out: ContractCallOutput): Uint8Array {
  const o = out.output;
  const env: J = { op };
  if (o.ok !== undefined) env.ok = o.ok;
  if (o.err !== undefined) env.err = o.err;
  const opt = (name: string, v: Uint8Array | undefined): void => {
    if (v !== undefined) env[name] = toBase64(v);
  };
  opt("internal_msg_id", o.internalMsgId);
  opt("internal_reply_enclave_sig", o.internalReplyEnclaveSig);
  opt("contract_key", out.contractKey);
  opt("admin_proof", out.adminProof);
  opt("contract_key_proof", out.contractKeyProof);
  return utf8.encode(JSON.stringify(env));
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
