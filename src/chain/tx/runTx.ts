// Runs one tx against a state view, SDK v0.50 baseapp semantics: decode, ante in a cache (all-or-nothing),
// then messages in a nested cache. Failed messages keep ante's effects (fee, sequence); a failed ante keeps
// nothing. Always returns a result with a code; never throws for bad input.
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import type { KVReader, KVStore } from "../store/types.js";
import { MemoryOverlay } from "../store/memory.js";
import { ChainError, SdkErrors, UndefinedErrors } from "../errors.js";
import { GasKVStore, GasMeter, MAX_GAS_WANTED, type KVGasConfig, SECRET_KV_GAS_CONFIG } from "../gas.js";
import { toBech32 } from "../address.js";
import { InvalidInputError } from "../../util/bytes.js";
import { runAnte, type AnteKeepers, type AnteOptions } from "./ante.js";
import { attr, EventManager, type Context, type Event, type EventAttribute } from "./context.js";
import type { DecodedTx } from "./decode.js";
import { decodeTxCached, takeTxCached } from "./txCache.js";
import type { MsgRegistry } from "./msgRegistry.js";

/**
 * check: CheckTx (ante only, writes kept on success). recheck: the same run whose answer carries no events
 * (CometBFT reads only code, log and gas of a RECHECK): code, log, gas and state writes are check's, events are
 * neither built nor returned. deliver: FinalizeBlock. simulate: the Simulate query.
 */
export type RunMode = "check" | "recheck" | "deliver" | "simulate";

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

/** Whether any of a handler's events has a `module` attribute (then baseapp adds none to its message event). */
function hasModuleAttribute(events: readonly Event[]): boolean {
  for (const e of events) for (const a of e.attributes) if (a.key === "module") return true;
  return false;
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
    const index = String(i);
    // The baseapp message event, built with its msg_index; then each handler event copied with it (a handler's
    // attribute arrays stay its own: sub-message handling sorts them in place).
    const msgAttrs: EventAttribute[] = [attr("action", m.typeUrl)];
    if (signer !== undefined) msgAttrs.push(attr("sender", toBech32(signer)));
    if (!hasModuleAttribute(events.events)) msgAttrs.push(attr("module", moduleFromTypeUrl(m.typeUrl)));
    msgAttrs.push(attr("msg_index", index));
    const out = ctx.events.events;
    out.push({ type: "message", attributes: msgAttrs });
    for (const ev of events.events) {
      const n = ev.attributes.length;
      const attributes: EventAttribute[] = new Array<EventAttribute>(n + 1);
      for (let j = 0; j < n; j++) attributes[j] = ev.attributes[j]!;
      attributes[n] = attr("msg_index", index);
      out.push({ type: ev.type, attributes });
    }
    responses.push({ typeUrl: res.responseTypeUrl, value: res.response });
  });
  return TxMsgData.encode(TxMsgData.fromPartial({ msgResponses: responses })).finish();
}

/**
 * One tx's ante step as runTx runs it: its own cache over `state`, gas meter and events. `failed` with `error`
 * when ante threw (the caller then keeps nothing). Also run ahead by the app's speculative ante.
 */
export interface AnteRun {
  readonly ctx: Context;
  readonly anteCache: MemoryOverlay;
  readonly meter: GasMeter;
  readonly anteEvents: EventManager;
  readonly failed: boolean;
  readonly error: unknown;
}

/** The context of tx `tx` over `store` (a gas-metered view of its cache), as runTx builds it in every mode. */
function txContext(
  env: TxEnv,
  cache: KVStore,
  meter: GasMeter,
  events: EventManager,
  tx: DecodedTx,
  mode: RunMode,
  block: BlockInfo,
): Context {
  return {
    store: new GasKVStore(cache, meter, env.kvGas ?? SECRET_KV_GAS_CONFIG),
    gasMeter: meter,
    events,
    chainId: block.chainId,
    blockHeight: block.height,
    blockTimeNs: block.timeNs ?? 0n,
    txHash: tx.hash,
    txIndex: block.txIndex ?? 0,
    isCheckTx: mode === "check" || mode === "recheck",
    simulate: mode === "simulate",
  };
}

/** Runs ante for `tx` (gas limit already checked ≤ MAX_GAS_WANTED) in a fresh cache over `state`. */
export function runAnteStep(
  env: TxEnv,
  state: KVReader,
  tx: DecodedTx,
  mode: RunMode,
  block: BlockInfo,
): AnteRun {
  const meter = new GasMeter(mode === "simulate" ? undefined : tx.fee.gasLimit);
  const anteCache = new MemoryOverlay(state);
  const anteEvents = new EventManager(mode === "recheck");
  const ctx = txContext(env, anteCache, meter, anteEvents, tx, mode, block);
  try {
    runAnte(ctx, tx, env.keepers, env.ante);
  } catch (e) {
    return { ctx, anteCache, meter, anteEvents, failed: true, error: e };
  }
  return { ctx, anteCache, meter, anteEvents, failed: false, error: undefined };
}

/**
 * A passed deliver-mode ante run elsewhere (over another view of the same values: the app's speculative ante)
 * moved onto `state`: its writes copied into a fresh cache over `state`, its gas charged to a fresh meter, its
 * events as they are. The caller guarantees every value that run read is the value `state` holds.
 */
export function adoptAnte(
  env: TxEnv,
  state: KVStore,
  tx: DecodedTx,
  block: BlockInfo,
  run: AnteRun,
): AnteRun {
  const anteCache = new MemoryOverlay(state);
  for (const [k, v] of run.anteCache.pendingWrites()) {
    if (v === undefined) anteCache.delete(k);
    else anteCache.set(k, v);
  }
  const meter = new GasMeter(tx.fee.gasLimit);
  meter.consume(run.meter.consumed, "ante");
  const ctx = txContext(env, anteCache, meter, run.anteEvents, tx, "deliver", block);
  return { ctx, anteCache, meter, anteEvents: run.anteEvents, failed: false, error: undefined };
}

/** Optional hooks of a deliver-mode runTx (the app's speculative ante, src/chain/app/speculativeAnte.ts). */
export interface DeliverHooks {
  /** This tx's ante outcome computed ahead, over `state` (undefined: run ante now). */
  ante(tx: DecodedTx, state: KVStore): AnteRun | undefined;
  /** After a passed ante, before the messages: the tx's ante cache (only read by the hook). */
  afterAnte(anteCache: MemoryOverlay): void;
}

/**
 * Runs `raw` against `state`. check: ante only, writes kept on success (mempool state); recheck: the same,
 * without events. deliver: ante + messages, writes kept per SDK rules. simulate: ante (no signature check,
 * infinite gas) + messages, nothing kept.
 */
export function runTx(
  env: TxEnv,
  state: KVStore,
  raw: Uint8Array,
  mode: RunMode,
  block: BlockInfo,
  hooks?: DeliverHooks,
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
  const ahead = mode === "deliver" ? hooks?.ante(tx, state) : undefined;
  const { ctx, anteCache, meter, anteEvents, failed, error } =
    ahead ?? runAnteStep(env, state, tx, mode, block);
  if (failed) return failure(error, gasWanted, meter.consumed, [], tx);
  if (mode === "check" || mode === "recheck") {
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
  if (mode === "deliver") hooks?.afterAnte(anteCache);
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
