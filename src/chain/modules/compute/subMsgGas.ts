// A sub-message's own gas limit (SN x/compute/internal/keeper/msg_dispatcher.go DispatchSubmessages and
// dispatchMsgWithGasLimit): the sub-call runs under a fresh meter of `gas_limit`; an out of gas inside it becomes an
// ordinary error ("SubMsg hit gas limit", sdk 11) after the caller is charged the whole limit, and otherwise the
// caller is charged what the sub-call spent.
import { ChainError, SdkErrors } from "../../errors.js";
import { GasMeter, MAX_GAS_WANTED } from "../../gas.js";
import { MemoryOverlay } from "../../store/memory.js";
import type { KVStore } from "../../store/types.js";
import { EventManager, withStore, type Context } from "../../tx/context.js";

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
 * Runs `fn` in its own store/event cache under a meter of `limit` (see subMsgGasLimit). Success: the caller is
 * charged what the sub-call used, then the cache is committed. Out of gas inside: the caller is charged `limit`
 * and SubMsgOutOfGas is thrown (the cache is dropped). Any other error: the caller is charged what was used and
 * the error is rethrown.
 */
export function cachedWithGasLimit<T>(ctx: Context, limit: bigint, fn: (sub: Context) => T): T {
  const meter = new GasMeter(limit > MAX_GAS_WANTED ? MAX_GAS_WANTED : limit);
  const overlay = new MemoryOverlay(new ChargeRedirect(ctx.store, ctx.gasMeter, meter));
  const events = new EventManager();
  let out: T;
  try {
    out = fn({ ...withStore(ctx, overlay, events), gasMeter: meter });
  } catch (e) {
    if (isOutOfGasPanic(e)) {
      ctx.gasMeter.consume(limit, "Sub-Message OutOfGas panic");
      throw new SubMsgOutOfGas();
    }
    ctx.gasMeter.consume(meter.consumed, "From limited Sub-Message");
    throw e;
  }
  ctx.gasMeter.consume(meter.consumed, "From limited Sub-Message");
  overlay.write();
  ctx.events.append(events.events);
  return out;
}
