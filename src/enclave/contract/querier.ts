// The contract→contract query path inside the enclave (spec secret-protocol §8.2; SN contract-engine
// query_chain.rs): Wasm smart queries are encrypted with the current call's nonce and user key, the depth
// is limited, and answers (and "encrypted: …: query contract failed" errors) are decrypted before the
// contract sees them. Other queries (bank, staking, …) pass in plaintext. The VM sees only a Querier.
import { concatBytes, fromBase64, toBase64, utf8 } from "../../util/bytes.js";
import type { TxCrypto } from "../io.js";
import type { GasInfo, Querier } from "../vm/backend.js";
import { HOST_GAS } from "../vm/gas.js";

/** SN utils/src/recursion_depth.rs: queries nested this deep answer ExceededRecursionLimit. */
export const MAX_QUERY_DEPTH = 10;

/** The host's query OCALL: the request JSON, the gas available, and the depth of the nested call. */
export type RawQueryFn = (
  request: Uint8Array,
  gasLimit: bigint,
  depth: number,
) => { result: Uint8Array; gasUsed: bigint };

const ERROR_PREFIX = "encrypted: ";
const ERROR_SUFFIX = ": query contract failed";

function answer(v: unknown, cost: bigint): { result: Uint8Array; gas: GasInfo } {
  return { result: utf8.encode(JSON.stringify(v)), gas: { cost } };
}

type Smart = { contract_addr: string; code_hash?: string; callback_code_hash?: string; msg: string };

function smartOf(req: unknown): Smart | undefined {
  if (typeof req !== "object" || req === null) return undefined;
  const wasm = (req as { wasm?: { smart?: Smart } }).wasm;
  const smart = wasm?.smart;
  return typeof smart === "object" && typeof smart.msg === "string" ? smart : undefined;
}

/** Decrypts one smart-query answer: SIV → base64 string → the contract's answer bytes (§8.1 step 3). */
function decryptOk(tx: TxCrypto, b64ct: string): string {
  const b64 = utf8.decode(tx.decrypt(fromBase64(b64ct, "query answer")));
  return toBase64(fromBase64(b64, "query answer"));
}

/** Turns an "encrypted: <b64>: query contract failed" error back into the callee's StdError text. */
function decryptError(tx: TxCrypto, msg: string): string {
  if (!msg.startsWith(ERROR_PREFIX) || !msg.endsWith(ERROR_SUFFIX)) return msg;
  const inner = msg.slice(ERROR_PREFIX.length, msg.length - ERROR_SUFFIX.length);
  return utf8.decode(tx.decrypt(fromBase64(inner, "query error")));
}

export class EncryptingQuerier implements Querier {
  constructor(
    private readonly raw: RawQueryFn,
    private readonly tx: TxCrypto,
    /** Depth of the running call: 0 for a tx, n for a query issued n levels down. */
    private readonly depth: number,
  ) {}

  queryRaw(request: Uint8Array, gasLimit: bigint): { result: Uint8Array; gas: GasInfo } {
    if (this.depth >= MAX_QUERY_DEPTH) return answer({ Err: { exceeded_recursion_limit: {} } }, 0n);
    let req: unknown;
    try {
      req = JSON.parse(utf8.decode(request));
    } catch {
      const error = { invalid_request: { error: "request is not JSON", request: toBase64(request) } };
      return answer({ Err: error }, HOST_GAS.invalidQueryRequest);
    }
    const smart = smartOf(req);
    if (smart === undefined) {
      const r = this.raw(request, gasLimit, this.depth + 1);
      return { result: r.result, gas: { cost: r.gasUsed } };
    }
    const codeHash = smart.code_hash ?? smart.callback_code_hash ?? "";
    let inner: Uint8Array;
    try {
      inner = concatBytes(utf8.encode(codeHash), fromBase64(smart.msg, "query msg"));
    } catch {
      const error = { invalid_request: { error: "msg is not base64", request: toBase64(request) } };
      return answer({ Err: error }, HOST_GAS.invalidQueryRequest);
    }
    const sealed = this.tx.seal(inner);
    smart.msg = toBase64(sealed.message);
    const r = this.raw(utf8.encode(JSON.stringify(req)), gasLimit, this.depth + 1);
    return { result: this.decryptAnswer(r.result), gas: { cost: r.gasUsed } };
  }

  /**
   * SystemResult<ContractResult<Binary>> as secret-cosmwasm-std serializes it: `{"Ok":{"Ok":b64}}`,
   * `{"Ok":{"Err":"…"}}`, `{"Err":{…SystemError}}` (upstream's lower-case keys are read too). The
   * decrypted error stays a string so v1 contracts parse it as `ContractResult::Err(String)`.
   */
  private decryptAnswer(result: Uint8Array): Uint8Array {
    const v = JSON.parse(utf8.decode(result)) as Record<string, Record<string, unknown> | undefined>;
    const inner = v.Ok ?? v.ok;
    if (inner === undefined) return result;
    const ok = inner.Ok ?? inner.ok;
    if (typeof ok === "string") return utf8.encode(JSON.stringify({ Ok: { Ok: decryptOk(this.tx, ok) } }));
    const err = inner.Err ?? inner.error;
    if (typeof err === "string")
      return utf8.encode(JSON.stringify({ Ok: { Err: decryptError(this.tx, err) } }));
    return result;
  }
}
