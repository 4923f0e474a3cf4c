// Dispatch of a contract's output messages (wasmd/SN message handler semantics): BankMsg::Send from the
// contract's account, wasm execute/instantiate/migrate/update_admin/clear_admin with `callback_sig` and
// sender = the calling contract, and v1 replies (reply_on never/success/error/always). Each sub-message runs in
// its own store cache: committed on success; on failure discarded, and the error either aborts the caller
// (never/success) or is handed to its `reply` (error/always). Staking, distribution, gov and Stargate messages
// run from the contract's account through the modules' own handlers (./sdkMsgs.ts); IBC and custom are refused.
import { fromBase64, toBase64, utf8 } from "../../../util/bytes.js";
import { fromBech32 } from "../../address.js";
import { ChainError, SdkErrors, UndefinedErrors } from "../../errors.js";
import { MemoryOverlay } from "../../store/memory.js";
import { parseAmount, type Coin } from "../../tx/coins.js";
import { EventManager, withStore, type Context, type Event } from "../../tx/context.js";
import { errText } from "./engine.js";
import { ComputeErrors } from "./errors.js";
import type { CallAnswer } from "./engine.js";
import { ContractFailure, type CallResult, type ContractRunner } from "./runner.js";
import { encodeContractSdkMsgs, runContractSdkMsgs } from "./sdkMsgs.js";
import { isObj, u64Field, type J } from "./json.js";
import { subMsgEvents } from "./events.js";
import { cachedWithGasLimit, isOutOfGasPanic, subMsgGasLimit } from "./subMsgGas.js";

function coins(v: unknown): Coin[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ChainError(ComputeErrors.InvalidMsg, "funds");
  return v.map((c) => {
    if (!isObj(c) || typeof c.denom !== "string") throw new ChainError(ComputeErrors.InvalidMsg, "coin");
    return { denom: c.denom, amount: parseAmount(c.amount, "amount") };
  });
}

const sigOf = (m: J): Uint8Array | undefined =>
  Array.isArray(m.callback_sig) ? Uint8Array.from(m.callback_sig as number[]) : undefined;

/**
 * Runs one CosmosMsg sent by `contract`; returns the callee's enclave answer (wasm execute/instantiate/migrate)
 * or, for an SDK message, its response bytes (a bank send has none).
 */
function runCosmosMsg(
  r: ContractRunner,
  ctx: Context,
  contract: Uint8Array,
  msg: unknown,
): CallAnswer | Uint8Array | undefined {
  if (!isObj(msg)) throw new ChainError(ComputeErrors.InvalidMsg, "message");
  if (isObj(msg.bank)) {
    const send = msg.bank.send;
    if (!isObj(send)) throw new ChainError(ComputeErrors.InvalidMsg, "Unknown variant of Bank");
    const to = fromBech32(String(send.to_address), "to_address");
    if (r.bank.blockedAddr(to))
      throw new ChainError(
        SdkErrors.Unauthorized,
        `${String(send.to_address)} is not allowed to receive funds`,
      );
    const amount = coins(send.amount);
    r.bank.isSendEnabledCoins(ctx, amount);
    r.bank.sendCoins(ctx, contract, to, amount);
    return undefined;
  }
  const sdkMsgs = encodeContractSdkMsgs(contract, msg);
  if (sdkMsgs !== undefined && r.sdkMsgs !== undefined)
    return runContractSdkMsgs(r.sdkMsgs, ctx, contract, sdkMsgs);
  if (!isObj(msg.wasm)) throw new ChainError(ComputeErrors.InvalidMsg, "unsupported message type");
  const w = msg.wasm;
  const caller = (m: J) => ({ sender: contract, callbackSig: sigOf(m) });
  if (isObj(w.execute)) {
    const m = w.execute;
    const contractAddr = fromBech32(String(m.contract_addr), "contract_addr");
    return r.execute(ctx, caller(m), {
      contract: contractAddr,
      msg: fromBase64(String(m.msg), "msg"),
      funds: coins(m.send ?? m.funds),
    }).answer;
  }
  if (isObj(w.instantiate)) {
    const m = w.instantiate;
    const res = r.instantiate(ctx, caller(m), {
      codeId: u64Field(m.code_id, "code_id"),
      label: String(m.label),
      msg: fromBase64(String(m.msg), "msg"),
      funds: coins(m.send ?? m.funds),
      admin: typeof m.admin === "string" ? m.admin : "",
    });
    return res.answer;
  }
  if (isObj(w.migrate)) {
    const m = w.migrate;
    const contractAddr = fromBech32(String(m.contract_addr), "contract_addr");
    return r.migrate(ctx, caller(m), {
      contract: contractAddr,
      // Secret's v1 WasmMsg::Migrate names it `code_id` (secret-cosmwasm-std 1.1.11 cosmos_msg.rs, SN go-cosmwasm
      // MigrateMsg), not upstream CosmWasm's `new_code_id`.
      codeId: u64Field(m.code_id, "code_id"),
      msg: fromBase64(String(m.msg), "msg"),
    }).answer;
  }
  if (isObj(w.update_admin)) {
    const m = w.update_admin;
    r.updateAdmin(ctx, caller(m), {
      contract: fromBech32(String(m.contract_addr), "contract_addr"),
      newAdmin: String(m.admin),
    });
    return undefined;
  }
  if (isObj(w.clear_admin)) {
    const m = w.clear_admin;
    r.updateAdmin(ctx, caller(m), {
      contract: fromBech32(String(m.contract_addr), "contract_addr"),
      newAdmin: "",
    });
    return undefined;
  }
  throw new ChainError(ComputeErrors.InvalidMsg, "unsupported wasm message");
}

const dataOf = (a: CallAnswer): string | null => {
  const ok = a.ok as { data?: unknown } | undefined;
  return typeof ok?.data === "string" ? ok.data : null;
};

/** Runs `fn` in a store/event cache: kept on success (events as SN keeps them: subMsgEvents), dropped on error. */
function cached<T>(ctx: Context, isWasm: boolean, fn: (sub: Context) => T): T {
  const overlay = new MemoryOverlay(ctx.store);
  const events = new EventManager();
  const out = fn(withStore(ctx, overlay, events));
  overlay.write();
  ctx.events.append(subMsgEvents(events.events, isWasm));
  return out;
}

/**
 * A SubMsg's `gas_limit` (cosmwasm `Option<u64>`, a JSON number): undefined when absent or null. A number past
 * 2^53 arrives rounded by JSON.parse (deterministically; any such limit is above every real tx's gas anyway).
 */
function gasLimitOf(v: unknown): bigint | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0)
    throw new ChainError(ComputeErrors.InvalidMsg, "gas_limit");
  return BigInt(v);
}

/** SN redactError's text for an SDK error handed to a contract (Issue #759: no error strings, for determinism). */
const redacted = (e: ChainError) =>
  `the error was redacted (codespace: ${e.codespace}, code: ${e.code}). For more info use latest localsecret and reproduce the issue`;

/**
 * The plaintext Reply to a non-wasm sub-message (SN DispatchSubmessages): id = the decimal sub-message id, the
 * first SDK response as data, events redacted to [], an error redacted to its codespace and code (SN
 * redactError; Secret's sub-message errors are never passed on verbatim, for determinism), the original call
 * having been encrypted (every sub-message of an encrypted call is: SN io.rs attach_reply_headers_to_submsgs).
 */
function plaintextReply(id: unknown, data: string | null, failure: ChainError | ContractFailure | undefined) {
  const n = typeof id === "number" && Number.isSafeInteger(id) && id >= 0 ? id : 0;
  return {
    id: toBase64(utf8.encode(String(n))),
    result: failure === undefined ? { ok: { events: [], data } } : { error: redacted(failure) },
    was_orig_msg_encrypted: true,
    is_encrypted: false,
  };
}

/**
 * The events a wasm sub-message's reply carries (SN DispatchSubmessages on success: the events it left in its
 * caller's list — no `message`, attributes sorted by key: subMsgEvents — as `{type, attributes: [{key,
 * value}]}`). The enclave passes them to the contract unverified, as Secret's does.
 */
function replyEvents(
  events: readonly Event[],
): { type: string; attributes: { key: string; value: string }[] }[] {
  return events.map((e) => ({
    type: e.type,
    attributes: e.attributes.map((a) => ({ key: a.key, value: a.value })),
  }));
}

/**
 * The failure a sub-message's `reply` gets, or throws what fails the caller instead (SN DispatchSubmessages): an
 * out of gas of the tx's meter always unwinds (SN: a panic); with reply_on never/success the error fails the
 * caller as it is; a wasm callee's reply needs its enclave reply id, which only a contract error carries, so any
 * other failure of a wasm sub-message fails the caller with SN's "an sdk error occurred while sending a
 * sub-message" (an unregistered Go error: `undefined` 1).
 */
function replyableFailure(e: unknown, isWasm: boolean, replyOn: string): ContractFailure | ChainError {
  if (!(e instanceof ChainError) || isOutOfGasPanic(e) || replyOn === "never" || replyOn === "success")
    throw e;
  if (!isWasm || e instanceof ContractFailure) return e;
  throw new ChainError(
    UndefinedErrors.Internal,
    `an sdk error occurred while sending a sub-message: ${redacted(e)}`,
  );
}

/**
 * What an error that aborts a contract's sub-messages becomes once it leaves that contract's call (SN keeper.go:
 * ContractResponseHandler.Handle wraps it "submessages"; Instantiate/Execute/Migrate then wrap it "dispatch",
 * keeping its code; `reply` turns it into ErrReplyFailed with its text). A tx-meter out of gas and a panic pass
 * as they are (SN: panics unwind). Wrapped, a callee's contract error is no longer one its caller's reply can get: SN's redactError
 * keeps only errors that start with "encrypted:".
 */
export function dispatchError(e: unknown, inReply: boolean): unknown {
  if (!(e instanceof ChainError) || isOutOfGasPanic(e) || e.is(UndefinedErrors.Panic)) return e;
  if (inReply) return new ChainError(ComputeErrors.ReplyFailed, `submessages: ${e.message}`);
  const detail = e.detail === undefined || e.detail === "" ? undefined : e.detail;
  return new ChainError(
    e.registered,
    detail === undefined ? "dispatch: submessages" : `dispatch: submessages: ${detail}`,
  );
}

/**
 * SN DispatchSubmessages cannot reply to a wasm `Migrate` sub-message: it unmarshals the response into a
 * MsgMigrateContract and type-asserts it to *MsgMigrateContractResponse, which panics; baseapp turns the panic into
 * `undefined` 111222 for the whole tx. Reproduced so that a contract behaves here as it does on Secret.
 */
const migrateReplyPanic = () =>
  new ChainError(
    UndefinedErrors.Panic,
    "recovered: interface conversion: types.Msg is *types.MsgMigrateContract, not *types.MsgMigrateContractResponse",
  );

/**
 * A reply's result replaces its contract's (SN ContractResponseHandler.Handle: `rsp != nil`) when the reply set
 * data, or when its output is addressed to a replying caller: SN then wraps it as DataWithInternalReplyInfo, never
 * nil, so the caller's reply gets this reply's data (maybe none) under this reply's id and signature.
 */
const replaces = (res: CallResult): boolean => res.data !== null || res.answer.internalMsgId !== undefined;

/**
 * Dispatches the `messages` of a contract's ok output. Returns the result of the last reply that replaces the
 * caller's (see `replaces`), or undefined. `input` is the caller's own input (its first 64 bytes are the nonce
 * and user key the reply must carry, spec §7.4).
 */
export function dispatchMessages(
  r: ContractRunner,
  ctx: Context,
  contract: Uint8Array,
  input: Uint8Array,
  ok: unknown,
): CallResult | undefined {
  if (!isObj(ok) || !Array.isArray(ok.messages)) return undefined;
  let replaced: CallResult | undefined;
  for (const item of ok.messages) {
    const isSub = isObj(item) && isObj(item.msg) && typeof item.reply_on === "string";
    if (!isSub) {
      // v0.10 messages: SN turns them into reply_on never SubMsgs (V010MsgsToV1SubMsgs), same event rules.
      cached(ctx, isObj(item) && isObj(item.wasm), (sub) => runCosmosMsg(r, sub, contract, item));
      continue;
    }
    const replyOn = item.reply_on as string;
    const wasmMsg = isObj(item.msg) ? item.msg.wasm : undefined;
    const isWasm = isObj(wasmMsg);
    const isMigrate = isWasm && isObj(wasmMsg.migrate);
    const limit = subMsgGasLimit(ctx.gasMeter, gasLimitOf(item.gas_limit));
    const run = (sub: Context) => runCosmosMsg(r, sub, contract, item.msg);
    let out: CallAnswer | Uint8Array | undefined;
    let failure: ContractFailure | ChainError | undefined;
    const mark = ctx.events.events.length; // a sub-message's events are appended only when it succeeds
    try {
      out = limit === undefined ? cached(ctx, isWasm, run) : cachedWithGasLimit(ctx, limit, isWasm, run);
    } catch (e) {
      failure = replyableFailure(e, isWasm, replyOn);
    }
    const ok2 = failure === undefined;
    if (replyOn === "never" || (replyOn === "success" && !ok2) || (replyOn === "error" && ok2)) continue;
    if (!isWasm) {
      const data = out instanceof Uint8Array && out.length > 0 ? toBase64(out) : null;
      const res = r.reply(
        ctx,
        contract,
        input.slice(0, 64),
        plaintextReply(item.id, data, failure),
        undefined,
      );
      if (replaces(res)) replaced = res;
      continue;
    }
    if (isMigrate) throw migrateReplyPanic();
    const answer = failure instanceof ContractFailure ? failure.answer : (out as CallAnswer | undefined);
    if (answer?.internalMsgId === undefined)
      throw new ChainError(ComputeErrors.ReplyFailed, "callee gave no reply id");
    const wire = {
      id: answer.internalMsgId,
      result: ok2
        ? { ok: { events: replyEvents(ctx.events.events.slice(mark)), data: dataOf(answer) } }
        : { error: errText(answer.err) },
      was_orig_msg_encrypted: true,
      is_encrypted: true,
    };
    const sig =
      answer.internalReplyEnclaveSig === undefined
        ? undefined
        : fromBase64(answer.internalReplyEnclaveSig, "sig");
    const res = r.reply(ctx, contract, input.slice(0, 64), wire, sig);
    if (replaces(res)) replaced = res;
  }
  return replaced;
}
