// A sub-message's own gas limit (SN x/compute/internal/keeper/msg_dispatcher.go DispatchSubmessages and
// dispatchMsgWithGasLimit): the sub-call runs under a fresh meter of `gas_limit`; an out of gas inside it becomes an
// ordinary error ("SubMsg hit gas limit", sdk 11) after the caller is charged the whole limit, and otherwise the
// caller is charged what the sub-call spent.
import { ChainError, SdkErrors } from "../../errors.js";
import { MAX_GAS_WANTED, type GasMeter } from "../../gas.js";
import { MemoryOverlay } from "../../store/memory.js";
import type { KVStore } from "../../store/types.js";
import { EventManager, withStore, type Context } from "../../tx/context.js";
import { subMsgEvents } from "./events.js";
import { CountingStore, SubMsgMeter } from "./subMsgMeter.js";

/** Largest u64: Cosmos's infinite meter reports it as its limit (a simulation's meter here has none). */
const U64_MAX = (1n << 64n) - 1n;

/**
 * The limit a sub-message runs under, or undefined when it shares its caller's meter: SN applies `gas_limit` only
 * when it is below the caller's remaining gas (`limitGas := msg.GasLimit != nil && *msg.GasLimit < gasRemaining`).
 */
export function subMsgGasLimit(meter: GasMeter, gasLimit: bigint | undefined): bigint | undefined {
  if (gasLimit === undefined) return undefined;
  const remaining = meter.limit === undefined ? U64_MAX - meter.consumed : (meter.remaining ?? 0n);
  return gasLimit < remaining ? gasLimit : undefined;
}

/**
 * The error a sub-message that ran out of its own limit returns (SN `sdkerrors.ErrOutOfGas.Wrap("SubMsg hit gas
 * limit")`). Unlike a tx-meter out of gas (a panic in SN, which nothing catches), it is an ordinary error: it goes to
 * the caller's `reply` when asked, or fails the caller like any other error.
 */
export class SubMsgOutOfGas extends ChainError {
  constructor() {
    super(SdkErrors.OutOfGas, "SubMsg hit gas limit");
  }
}

/** True for an out of gas that unwinds the whole tx (SN: the ErrorOutOfGas panic), not a sub-message's own. */
export const isOutOfGasPanic = (e: unknown): boolean =>
  e instanceof ChainError && e.is(SdkErrors.OutOfGas) && !(e instanceof SubMsgOutOfGas);

/**
 * Reads of `inner` (whose accesses charge `from`) with every charge moved to `to` at once: the store charges
 * the sub-call makes land on its own meter, exactly as they would have landed on the caller's. Writes pass
 * through untouched: the sub-call's writes stay in its cache and are charged when the cache is committed, as
 * they are for every sub-message here (compute README "Gas").
 */
class ChargeRedirect implements KVStore {
  constructor(
    private readonly inner: KVStore,
    private readonly from: GasMeter,
    private readonly to: GasMeter,
  ) {}

  private moved<T>(access: () => T): T {
    const before = this.from.consumed;
    try {
      return access();
    } finally {
      // Also after a throw: the caller's meter then ran out first; the sub-call's (smaller) limit did too.
      const charge = this.from.consumed - before;
      if (charge > 0n) {
        this.from.refund(charge, "limited sub-message");
        this.to.consume(charge, "limited sub-message store");
      }
    }
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.moved(() => this.inner.get(key));
  }

  has(key: Uint8Array): boolean {
    return this.moved(() => this.inner.has(key));
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.inner.set(key, value);
  }

  delete(key: Uint8Array): void {
    this.inner.delete(key);
  }

  *iterate(
    start: Uint8Array | undefined,
    end: Uint8Array | undefined,
    reverse = false,
  ): Iterable<[Uint8Array, Uint8Array]> {
    const it = this.moved(() => this.inner.iterate(start, end, reverse)[Symbol.iterator]());
    try {
      for (;;) {
        const step = this.moved(() => it.next());
        if (step.done === true) return;
        yield step.value;
      }
    } finally {
      it.return?.();
    }
  }
}

/**
 * Runs `fn` in its own store/event cache under a meter of `limit` (see subMsgGasLimit) that sees SN's charges
 * (./subMsgMeter.ts: writes and cached reads count toward the limit). Success: the caller is billed what the
 * sub-call used, then the cache is committed (its writes charged then, as for any sub-message). Out of gas inside:
 * the caller is charged `limit` and SubMsgOutOfGas is thrown (the cache is dropped). Any other error: the caller
 * is billed what was used and the error is rethrown. A limited caller's own count takes the sub-call's as SN's
 * meter takes its `spent` (writes arrive with the commit instead; a failed sub-call's never will).
 */
export function cachedWithGasLimit<T>(
  ctx: Context,
  limit: bigint,
  isWasm: boolean,
  fn: (sub: Context) => T,
): T {
  const meter = new SubMsgMeter(limit > MAX_GAS_WANTED ? MAX_GAS_WANTED : limit);
  const overlay = new MemoryOverlay(new ChargeRedirect(ctx.store, ctx.gasMeter, meter));
  const events = new EventManager();
  const parent = ctx.gasMeter instanceof SubMsgMeter ? ctx.gasMeter : undefined;
  let out: T;
  if (parent !== undefined) parent.nested++;
  try {
    out = fn({ ...withStore(ctx, new CountingStore(overlay, meter), events), gasMeter: meter });
  } catch (e) {
    if (parent !== undefined) parent.nested--;
    if (isOutOfGasPanic(e)) {
      ctx.gasMeter.consume(limit, "Sub-Message OutOfGas panic");
      throw new SubMsgOutOfGas();
    }
    ctx.gasMeter.consume(meter.consumed, "From limited Sub-Message");
    parent?.count("read", meter.counted, "From limited Sub-Message");
    throw e;
  }
  if (parent !== undefined) parent.nested--;
  ctx.gasMeter.consume(meter.consumed, "From limited Sub-Message");
  parent?.count("read", meter.countedReadGas, "From limited Sub-Message");
  overlay.write();
  ctx.events.append(subMsgEvents(events.events, isWasm));
  return out;
}
