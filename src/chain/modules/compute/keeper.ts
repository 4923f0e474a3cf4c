// The compute keeper: the only code touching compute's store prefix. Codes, contracts, labels, keys, history,
// sequences, the per-block message counter, and each contract's plain state view (0x03 ‖ addr) the enclave's
// OCALLs read and write. Enclave calls and message dispatch live in ./engine.ts and ./dispatch.ts.
import { concatBytes, fromBase64, toBase64, u64be, utf8 } from "../../../util/bytes.js";
import { toBech32 } from "../../address.js";
import { ChainError } from "../../errors.js";
import { PrefixStore, type Context } from "../../tx/context.js";
import type { KVStore } from "../../store/types.js";
import { ComputeErrors } from "./errors.js";
import {
  BY_CODE_PREFIX,
  byCodePrefix,
  codeKey,
  CODE_PREFIX,
  contractKey,
  contractKeyKey,
  CONTRACT_PREFIX,
  contractStorePrefix,
  historyKey,
  historyPrefix,
  KEY_LAST_CODE_ID,
  KEY_LAST_INSTANCE_ID,
  labelKey,
  MSG_COUNTER_KEY,
  PARAMS_KEY,
  STORE_PREFIX,
  wasmKey,
} from "./keys.js";
import {
  decodeCodeInfo,
  decodeContractInfo,
  decodeHistory,
  encodeCodeInfo,
  encodeContractInfo,
  encodeHistory,
  type CodeInfo,
  type ComputeParams,
  type ContractInfo,
  type HistoryEntry,
  type StoredContractKey,
} from "./types.js";
import { decodeParams, DEFAULT_PARAMS, encodeParams } from "./params.js";
import { DecodeMemo } from "./decodeMemo.js";

/** "{": the first byte of the pre-Secret-params JSON value (proto Params starts with 0x0a). */
const LEGACY_JSON_PARAMS = 0x7b;

/** The stored contract key record (JSON of base64 fields) → its bytes. */
function decodeContractKey(b: Uint8Array): StoredContractKey {
  const o = JSON.parse(utf8.decode(b)) as Record<string, string | undefined>;
  return {
    og: fromBase64(o.og ?? "", "og"),
    ...(o.current === undefined ? {} : { current: fromBase64(o.current, "current") }),
    ...(o.proof === undefined ? {} : { proof: fromBase64(o.proof, "proof") }),
  };
}

// Every execute reads its contract's info, code info and key (./decodeMemo.ts). Records are frozen: the memo
// hands one object to every caller, who only reads it.
const codeInfos = new DecodeMemo((b) => Object.freeze(decodeCodeInfo(b)));
const contractInfos = new DecodeMemo((b) => {
  const c = decodeContractInfo(b);
  return Object.freeze({ ...c, created: Object.freeze(c.created) });
});
const contractKeys = new DecodeMemo((b) => Object.freeze(decodeContractKey(b)));

const readU64 = (b: Uint8Array | undefined): bigint =>
  b === undefined ? 0n : new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, false);

/** The u64 BE at `b[off..off+8]` (the caller checked the length). */
function u64At(b: Uint8Array, off: number): bigint {
  const hi =
    (((b[off] ?? 0) << 24) | ((b[off + 1] ?? 0) << 16) | ((b[off + 2] ?? 0) << 8) | (b[off + 3] ?? 0)) >>> 0;
  const lo =
    (((b[off + 4] ?? 0) << 24) | ((b[off + 5] ?? 0) << 16) | ((b[off + 6] ?? 0) << 8) | (b[off + 7] ?? 0)) >>>
    0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Writes `n` mod 2^64 as u64 BE at `out[off..off+8]` (as u64be does). */
function putU64(out: Uint8Array, off: number, n: bigint): void {
  const v = BigInt.asUintN(64, n);
  const hi = Number(v >> 32n);
  const lo = Number(v & 0xffff_ffffn);
  out[off] = hi >>> 24;
  out[off + 1] = (hi >>> 16) & 0xff;
  out[off + 2] = (hi >>> 8) & 0xff;
  out[off + 3] = hi & 0xff;
  out[off + 4] = lo >>> 24;
  out[off + 5] = (lo >>> 16) & 0xff;
  out[off + 6] = (lo >>> 8) & 0xff;
  out[off + 7] = lo & 0xff;
}

export class ComputeKeeper {
  constructor(private readonly prefix: Uint8Array = STORE_PREFIX) {}

  private store(ctx: Context): KVStore {
    return new PrefixStore(ctx.store, this.prefix);
  }

  /** The contract's plain state (what readDb/writeDb/removeDb see; keys and values are enclave ciphertext). */
  contractState(ctx: Context, addr: Uint8Array): KVStore {
    return new PrefixStore(ctx.store, concatBytes(this.prefix, contractStorePrefix(addr)));
  }

  // Sequences (SN keeper.go autoIncrementID: returns the current value, stores value + 1; first id is 1).
  private next(ctx: Context, key: Uint8Array): bigint {
    const st = this.store(ctx);
    const id = readU64(st.get(key)) || 1n;
    st.set(key, u64be(id + 1n));
    return id;
  }
  nextCodeId(ctx: Context): bigint {
    return this.next(ctx, KEY_LAST_CODE_ID);
  }
  nextInstanceId(ctx: Context): bigint {
    return this.next(ctx, KEY_LAST_INSTANCE_ID);
  }
  peekSequence(ctx: Context, which: "code" | "instance"): bigint {
    return readU64(this.store(ctx).get(which === "code" ? KEY_LAST_CODE_ID : KEY_LAST_INSTANCE_ID)) || 1n;
  }
  setSequence(ctx: Context, which: "code" | "instance", value: bigint): void {
    this.store(ctx).set(which === "code" ? KEY_LAST_CODE_ID : KEY_LAST_INSTANCE_ID, u64be(value));
  }

  setCode(ctx: Context, info: CodeInfo, wasm: Uint8Array): void {
    const st = this.store(ctx);
    st.set(codeKey(info.codeId), encodeCodeInfo(info));
    st.set(wasmKey(info.codeId), wasm);
  }
  getCodeInfo(ctx: Context, codeId: bigint): CodeInfo | undefined {
    const b = this.store(ctx).get(codeKey(codeId));
    return b === undefined ? undefined : codeInfos.get(b);
  }
  mustCodeInfo(ctx: Context, codeId: bigint): CodeInfo {
    const c = this.getCodeInfo(ctx, codeId);
    if (c === undefined) throw new ChainError(ComputeErrors.NotFound, `code id ${codeId}`);
    return c;
  }
  getWasm(ctx: Context, codeId: bigint): Uint8Array | undefined {
    return this.store(ctx).get(wasmKey(codeId));
  }
  /** All codes in id order. */
  listCodes(ctx: Context): CodeInfo[] {
    const out: CodeInfo[] = [];
    for (const [, v] of this.store(ctx).iterate(CODE_PREFIX, Uint8Array.of(CODE_PREFIX[0]! + 1)))
      out.push(decodeCodeInfo(v));
    return out;
  }

  setContract(ctx: Context, addr: Uint8Array, info: ContractInfo): void {
    this.store(ctx).set(contractKey(addr), encodeContractInfo(info));
  }
  getContract(ctx: Context, addr: Uint8Array): ContractInfo | undefined {
    const b = this.store(ctx).get(contractKey(addr));
    return b === undefined ? undefined : contractInfos.get(b);
  }
  mustContract(ctx: Context, addr: Uint8Array): ContractInfo {
    const c = this.getContract(ctx, addr);
    if (c === undefined) throw new ChainError(ComputeErrors.NotFound, `contract ${toBech32(addr)}`);
    return c;
  }
  /** Every contract address in address order. */
  listContracts(ctx: Context): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const [k] of this.store(ctx).iterate(CONTRACT_PREFIX, Uint8Array.of(CONTRACT_PREFIX[0]! + 1)))
      out.push(k.slice(1));
    return out;
  }

  /** Secondary index code_id → contracts in creation order. */
  indexByCode(
    ctx: Context,
    codeId: bigint,
    created: { blockHeight: bigint; txIndex: bigint },
    addr: Uint8Array,
  ) {
    const k = concatBytes(byCodePrefix(codeId), u64be(created.blockHeight), u64be(created.txIndex), addr);
    this.store(ctx).set(k, Uint8Array.of(1));
  }
  unindexByCode(
    ctx: Context,
    codeId: bigint,
    created: { blockHeight: bigint; txIndex: bigint },
    addr: Uint8Array,
  ) {
    this.store(ctx).delete(
      concatBytes(byCodePrefix(codeId), u64be(created.blockHeight), u64be(created.txIndex), addr),
    );
  }
  contractsByCode(ctx: Context, codeId: bigint): Uint8Array[] {
    const p = byCodePrefix(codeId);
    const end = concatBytes(BY_CODE_PREFIX, u64be(codeId + 1n));
    const out: Uint8Array[] = [];
    for (const [k] of this.store(ctx).iterate(p, end)) out.push(k.slice(p.length + 16));
    return out;
  }

  setLabel(ctx: Context, label: string, addr: Uint8Array): void {
    this.store(ctx).set(labelKey(label), addr);
  }
  addressByLabel(ctx: Context, label: string): Uint8Array | undefined {
    return this.store(ctx).get(labelKey(label));
  }

  setContractKey(ctx: Context, addr: Uint8Array, k: StoredContractKey): void {
    const o: Record<string, string> = { og: toBase64(k.og) };
    if (k.current !== undefined) o.current = toBase64(k.current);
    if (k.proof !== undefined) o.proof = toBase64(k.proof);
    this.store(ctx).set(contractKeyKey(addr), utf8.encode(JSON.stringify(o)));
  }
  getContractKey(ctx: Context, addr: Uint8Array): StoredContractKey | undefined {
    const b = this.store(ctx).get(contractKeyKey(addr));
    return b === undefined ? undefined : contractKeys.get(b);
  }

  appendHistory(ctx: Context, addr: Uint8Array, e: HistoryEntry): void {
    const pos = BigInt(this.history(ctx, addr).length);
    this.store(ctx).set(historyKey(addr, pos), encodeHistory(e));
  }
  history(ctx: Context, addr: Uint8Array): HistoryEntry[] {
    const p = historyPrefix(addr);
    const out: HistoryEntry[] = [];
    for (const [, v] of this.store(ctx).iterate(
      p,
      concatBytes(p, new Uint8Array(8).fill(0xff), Uint8Array.of(0xff)),
    ))
      out.push(decodeHistory(v));
    return out;
  }

  /** The enclave's msg_counter for the next contract call in this block, advancing it (spec §6.3, §9). */
  nextMsgCounter(ctx: Context): bigint {
    const st = this.store(ctx);
    const b = st.get(MSG_COUNTER_KEY);
    // The stored value is always our own 16 bytes (height ‖ counter, both u64 BE); read and written by shifts
    // into one array (no DataView, subarray or concat: once per contract call). Any other length reads as before.
    if (b !== undefined && b.length !== 16) return this.nextMsgCounterSlow(ctx, st, b);
    const n = b !== undefined && u64At(b, 0) === ctx.blockHeight ? u64At(b, 8) : 0n;
    const out = new Uint8Array(16);
    putU64(out, 0, ctx.blockHeight);
    putU64(out, 8, n + 1n);
    st.set(MSG_COUNTER_KEY, out);
    return n;
  }

  private nextMsgCounterSlow(ctx: Context, st: KVStore, b: Uint8Array): bigint {
    const sameBlock = readU64(b) === ctx.blockHeight;
    const n = sameBlock ? readU64(b.subarray(8)) : 0n;
    st.set(MSG_COUNTER_KEY, concatBytes(u64be(ctx.blockHeight), u64be(n + 1n)));
    return n;
  }

  /**
   * Params as stored (Secret's proto bytes). Never set → the defaults (our genesis may omit them). A value
   * starting with "{" is the JSON {query_gas_limit} of Shroud before Secret's params: read as the defaults.
   */
  getParams(ctx: Context): ComputeParams {
    const b = this.store(ctx).get(PARAMS_KEY);
    if (b === undefined || b[0] === LEGACY_JSON_PARAMS) return DEFAULT_PARAMS;
    return decodeParams(b);
  }
  setParams(ctx: Context, p: ComputeParams): void {
    this.store(ctx).set(PARAMS_KEY, encodeParams(p));
  }
}
