// Runs one tx against a state view, SDK v0.50 baseapp semantics: decode, ante in a cache (all-or-nothing),
// then messages in a nested cache. Failed messages keep ante's effects (fee, sequence); a failed ante keeps
// nothing. Always returns a result with a code; never throws for bad input.
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import type { KVStore } from "../store/types.js";
import { MemoryOverlay } from "../store/memory.js";
import { ChainError, SdkErrors, UndefinedErrors } from "../errors.js";
import { GasKVStore, GasMeter, MAX_GAS_WANTED, type KVGasConfig, SECRET_KV_GAS_CONFIG } from "../gas.js";
import { toBech32 } from "../address.js";
import { InvalidInputError } from "../../util/bytes.js";
import { runAnte, type AnteKeepers, type AnteOptions } from "./ante.js";
import { EventManager, type Context, type Event } from "./context.js";
import type { DecodedTx } from "./decode.js";
import { decodeTxCached, takeTxCached } from "./txCache.js";
import type { MsgRegistry } from "./msgRegistry.js";

export type RunMode = "check" | "deliver" | "simulate";

export interface TxResult {
  readonly code: number;
  readonly codespace: string;
  /** ABCI log / tx_response.raw_log: "" on success (SDK v0.50), the wrapped error message on failure. */
  readonly log: string;
  readonly gasWanted: bigint;
  readonly gasUsed: bigint;
  readonly events: Event[];
  /** TxMsgData proto bytes (msg_responses as Any); empty on failure. */
  readonly data: Uint8Array;
  readonly tx: DecodedTx | undefined;
}

export interface TxEnv {
  readonly registry: MsgRegistry;
  readonly keepers: AnteKeepers;
  readonly ante: AnteOptions;
  readonly kvGas?: KVGasConfig;
}

export interface BlockInfo {
  readonly chainId: string;
  readonly height: bigint;
  /** Header time, ns since epoch (default 0). */
  readonly timeNs?: bigint;
  /** Position of this tx in the block (default 0). */
  readonly txIndex?: number;
}

/** Turns any throwable into a registered error; non-chain exceptions become the SDK's "panic" (code 111222). */
export function toChainError(e: unknown): ChainError {
  if (e instanceof ChainError) return e;
  if (e instanceof InvalidInputError) return new ChainError(SdkErrors.InvalidRequest, e.message);
  // Details of unexpected exceptions are not consensus data (they could differ between versions): keep them out.
  return new ChainError(UndefinedErrors.Panic, "recovered from an unexpected error");
}

function failure(
  e: unknown,
  gasWanted: bigint,
  gasUsed: bigint,
  events: Event[],
  tx: DecodedTx | undefined,
): TxResult {
  const err = toChainError(e);
  return {
    code: err.code,
    codespace: err.codespace,
    log: err.message,
    gasWanted,
    gasUsed,
    events,
    data: new Uint8Array(),
    tx,
  };
}

/** SDK GetModuleNameFromTypeURL: "/cosmos.bank.v1beta1.MsgSend" -> "bank". */
export function moduleFromTypeUrl(typeUrl: string): string {
  return typeUrl.split(".")[1] ?? "";
}

/** Runs every message; returns TxMsgData bytes. Events get the baseapp `message` event and `msg_index`. */
function runMsgs(ctx: Context, env: TxEnv, tx: DecodedTx): Uint8Array {
  const responses: { typeUrl: string; value: Uint8Array }[] = [];
  tx.messages.forEach((m, i) => {
    const handler = env.registry.handler(m.typeUrl);
    if (handler === undefined) {
      throw new ChainError(SdkErrors.UnknownRequest, `unrecognized message type: ${m.typeUrl}`);
    }
    const events = new EventManager();
    let res;
    try {
      res = handler({ ...ctx, events }, m.value);
    } catch (e) {
      const err = toChainError(e);
      throw new ChainError(
        err.registered,
        `failed to execute message; message index: ${i}: ${err.detail ?? ""}`.replace(/: $/, ""),
      );
    }
    const signer = m.type.signers(m.value)[0];
    const attrs: [string, string][] = [["action", m.typeUrl]];
    if (signer !== undefined) attrs.push(["sender", toBech32(signer)]);
    if (!events.events.some((e) => e.attributes.some((a) => a.key === "module"))) {
      attrs.push(["module", moduleFromTypeUrl(m.typeUrl)]);
    }
    const msgEvent: Event = {
      type: "message",
      attributes: attrs.map(([key, value]) => ({ key, value, index: true })),
    };
    for (const ev of [msgEvent, ...events.events]) {
      ctx.events.events.push({
        type: ev.type,
        attributes: [...ev.attributes, { key: "msg_index", value: String(i), index: true }],
      });
    }
    responses.push({ typeUrl: res.responseTypeUrl, value: res.response });
  });
  return TxMsgData.encode(TxMsgData.fromPartial({ msgResponses: responses })).finish();
}

/**
 * Runs `raw` against `state`. check: ante only, writes kept on success (mempool state). deliver: ante + messages,
 * writes kept per SDK rules. simulate: ante (no signature check, infinite gas) + messages, nothing kept.
 */
export function runTx(
  env: TxEnv,
  state: KVStore,
  raw: Uint8Array,
  mode: RunMode,
  block: BlockInfo,
): TxResult {
  let tx: DecodedTx;
  try {
    // deliver is the tx's last decode: take it out of the cache (txCache.ts `take`).
    tx = mode === "deliver" ? takeTxCached(raw, env.registry) : decodeTxCached(raw, env.registry);
  } catch (e) {
    return failure(e, 0n, 0n, [], undefined);
  }
  const gasWanted = tx.fee.gasLimit;
  if (gasWanted > MAX_GAS_WANTED) {
    return failure(
      new ChainError(SdkErrors.InvalidGasLimit, `gas limit ${gasWanted} too large`),
      gasWanted,
      0n,
      [],
      tx,
    );
  }
  const meter = new GasMeter(mode === "simulate" ? undefined : gasWanted);
  const anteCache = new MemoryOverlay(state);
  const anteEvents = new EventManager();
  const ctx: Context = {
    store: new GasKVStore(anteCache, meter, env.kvGas ?? SECRET_KV_GAS_CONFIG),
    gasMeter: meter,
    events: anteEvents,
    chainId: block.chainId,
    blockHeight: block.height,
    blockTimeNs: block.timeNs ?? 0n,
    txHash: tx.hash,
    txIndex: block.txIndex ?? 0,
    isCheckTx: mode === "check",
    simulate: mode === "simulate",
  };
  try {
    runAnte(ctx, tx, env.keepers, env.ante);
  } catch (e) {
    return failure(e, gasWanted, meter.consumed, [], tx);
  }
  if (mode === "check") {
    anteCache.write();
    return {
      code: 0,
      codespace: "",
      log: "",
      gasWanted,
      gasUsed: meter.consumed,
      events: anteEvents.events,
      data: new Uint8Array(),
      tx,
    };
  }
  const msgCache = new MemoryOverlay(anteCache);
  const msgEvents = new EventManager();
  let data: Uint8Array;
  try {
    data = runMsgs(
      {
        ...ctx,
        store: new GasKVStore(msgCache, meter, env.kvGas ?? SECRET_KV_GAS_CONFIG),
        events: msgEvents,
      },
      env,
      tx,
    );
  } catch (e) {
    if (mode === "deliver") anteCache.write();
    return failure(e, gasWanted, meter.consumed, anteEvents.events, tx);
  }
  if (mode === "deliver") {
    msgCache.write();
    anteCache.write();
  }
  const events = [...anteEvents.events, ...msgEvents.events];
  return { code: 0, codespace: "", log: "", gasWanted, gasUsed: meter.consumed, events, data, tx };
}
