// The queryChain OCALL's host side: a contract's QueryRequest answered as Secret's x/compute answers it
// (SN query_plugins.go): bank and wasm here, staking/dist/mint/gov/Stargate through ./chainQueries.ts, in
// Secret's `{"Ok":{"Ok":b64}}` / `{"Ok":{"Err":…}}` / `{"Err":{…}}` result forms.
import { fromBase64, toBase64, toHex, utf8 } from "../../../util/bytes.js";
import { fromBech32 } from "../../address.js";
import { ChainError, QueryError, SdkErrors } from "../../errors.js";
import type { Context } from "../../tx/context.js";
import { CHAIN_QUERY_KINDS, UnsupportedChainQuery, type ComputeChainQueries } from "./chainQueries.js";
import type { ComputeBankKeeper } from "./expectedKeepers.js";
import type { ComputeKeeper } from "./keeper.js";
import { isObj, type J } from "./json.js";

/** What the answers read: bank, compute's keeper, the other modules' queries, and nested smart queries. */
export interface QueryChainDeps {
  readonly bank: ComputeBankKeeper;
  readonly keeper: ComputeKeeper;
  readonly chain: ComputeChainQueries | undefined;
  /** A nested smart query (a query ECALL at `depth`); contract errors come back as `error`. */
  smart(
    ctx: Context,
    addr: Uint8Array,
    msg: Uint8Array,
    gasLimit: bigint,
    depth: number,
  ): { data: string; gasUsed: bigint } | { error: string; gasUsed: bigint };
}

/** The queryChain OCALL: Secret's `{"Ok":{"Ok":b64}}` / `{"Ok":{"Err":…}}` / `{"Err":{…}}` answers. */
export function answerQueryChain(
  d: QueryChainDeps,
  ctx: Context,
  request: Uint8Array,
  gasLimit: bigint,
  depth: number,
): { result: Uint8Array; gasUsed: bigint } {
  const ans = (v: unknown, gasUsed = 0n) => ({ result: utf8.encode(JSON.stringify(v)), gasUsed });
  let req: unknown;
  try {
    req = JSON.parse(utf8.decode(request));
  } catch {
    return ans({ Err: { invalid_request: { error: "invalid JSON", request: toBase64(request) } } });
  }
  const okJson = (v: unknown) => ans({ Ok: { Ok: toBase64(utf8.encode(JSON.stringify(v))) } });
  const errStr = (msg: string, gas = 0n) => ans({ Ok: { Err: msg } }, gas);
  try {
    if (isObj(req) && isObj(req.bank)) return okJson(bankQuery(d, ctx, req.bank));
    if (isObj(req) && d.chain !== undefined) {
      for (const kind of CHAIN_QUERY_KINDS) {
        const q = req[kind];
        if (isObj(q)) return okJson(d.chain.json(ctx, kind, q));
      }
      if (isObj(req.stargate)) {
        const path = typeof req.stargate.path === "string" ? req.stargate.path : "";
        let data: Uint8Array;
        try {
          data = fromBase64(typeof req.stargate.data === "string" ? req.stargate.data : "", "data");
        } catch {
          return ans({
            Err: { invalid_request: { error: "invalid base64 data", request: toBase64(request) } },
          });
        }
        return ans({ Ok: { Ok: toBase64(d.chain.stargate(ctx, path, data)) } });
      }
    }
    if (isObj(req) && isObj(req.wasm)) {
      const w = req.wasm;
      if (isObj(w.smart)) return smartQuery(d, ctx, w.smart, gasLimit, depth);
      if (isObj(w.contract_info)) return okJson(contractInfoQuery(d, ctx, w.contract_info));
      if (isObj(w.raw)) return okJson(rawQuery(d, ctx, w.raw));
    }
  } catch (e) {
    if (e instanceof UnsupportedChainQuery) return ans({ Err: { unsupported_request: { kind: e.kind } } });
    if (e instanceof ChainError || e instanceof QueryError) return errStr(e.message);
    throw e;
  }
  const kind = isObj(req) ? (Object.keys(req)[0] ?? "unknown") : "unknown";
  return ans({ Err: { unsupported_request: { kind } } });
}

function bankQuery(d: QueryChainDeps, ctx: Context, q: J): unknown {
  const coin = (c: { denom: string; amount: bigint }) => ({ denom: c.denom, amount: c.amount.toString() });
  if (isObj(q.balance)) {
    const a = fromBech32(String(q.balance.address), "address");
    return { amount: coin(d.bank.getBalance(ctx, a, String(q.balance.denom))) };
  }
  if (isObj(q.all_balances)) {
    const a = fromBech32(String(q.all_balances.address), "address");
    return { amount: d.bank.getAllBalances(ctx, a).map(coin) };
  }
  throw new ChainError(SdkErrors.UnknownRequest, "unknown bank query");
}

/** SN WasmQuerier: a bad or unknown address is `sdk 7` "<addr>: invalid address" (the contract gets its text). */
function contractAddrOf(v: unknown): Uint8Array {
  try {
    return fromBech32(String(v), "contract_addr");
  } catch {
    throw new ChainError(SdkErrors.InvalidAddress, String(v));
  }
}

/**
 * SN WasmQuerier ContractInfo: go-cosmwasm ContractInfoResponse `{code_id, creator, admin (omitempty), pinned,
 * ibc_port (omitempty)}` with Admin always "" ("In secret we don't have an admin") and no IBC port here: so
 * `{code_id, creator, pinned: false}`, whatever the contract's admin.
 */
function contractInfoQuery(d: QueryChainDeps, ctx: Context, q: J): unknown {
  const addr = contractAddrOf(q.contract_addr);
  const c = d.keeper.getContract(ctx, addr);
  if (c === undefined) throw new ChainError(SdkErrors.InvalidAddress, String(q.contract_addr));
  return { code_id: Number(c.codeId), creator: c.creator, pinned: false };
}

/**
 * SN WasmQuerier Raw (keeper.go QueryRaw, kept "for upstream compatibility"): the contract's stored value under
 * `key` as `[{"Key": upper-case hex, "Value": base64}]` (types.Model JSON), `[]` when absent. State is encrypted,
 * so a contract only ever finds ciphertext (or nothing) — but it gets an answer, not an error.
 */
function rawQuery(d: QueryChainDeps, ctx: Context, q: J): unknown {
  const addr = contractAddrOf(q.contract_addr);
  let key: Uint8Array;
  try {
    key = fromBase64(typeof q.key === "string" ? q.key : "", "key"); // a contract's Binary is always valid
  } catch {
    throw new ChainError(SdkErrors.InvalidRequest, "key");
  }
  const value = d.keeper.contractState(ctx, addr).get(key);
  if (value === undefined) return [];
  return [{ Key: toHex(key).toUpperCase(), Value: toBase64(value) }];
}

function smartQuery(d: QueryChainDeps, ctx: Context, q: J, gasLimit: bigint, depth: number) {
  const ans = (v: unknown, gasUsed: bigint) => ({ result: utf8.encode(JSON.stringify(v)), gasUsed });
  const addr = fromBech32(String(q.contract_addr), "contract_addr");
  const msg = fromBase64(String(q.msg), "msg");
  const r = d.smart(ctx, addr, msg, gasLimit, depth);
  if ("error" in r) return ans({ Ok: { Err: r.error } }, r.gasUsed);
  return ans({ Ok: { Ok: r.data } }, r.gasUsed);
}
