// The per-tx execution context handed to ante and message handlers: a store view (gas-metered, overlaid),
// the gas meter, the event list and block facts. Plus PrefixStore, the module-store view keepers use.
import { OWN_KEY, OWN_VALUE, deleteHanded, setHanded, type KVStore } from "../store/types.js";
import { slabJoin } from "../store/byteSlab.js";
import type { GasMeter } from "../gas.js";

/** An ABCI event attribute (CometBFT v0.38 EventAttribute). */
export interface EventAttribute {
  readonly key: string;
  readonly value: string;
  readonly index: boolean;
}

/** An ABCI event, SDK 0.50 style (string keys/values, `index` true). */
export interface Event {
  readonly type: string;
  readonly attributes: EventAttribute[];
}

/** One attribute as `EventManager.emit` builds it (same fields, same order). */
export function attr(key: string, value: string): EventAttribute {
  return { key, value, index: true };
}

/** Collects events in emission order; the order is consensus-visible (it lands in the block results). */
export class EventManager {
  readonly events: Event[] = [];

  /**
   * `discard`: keeps no event (a RECHECK, whose answer carries none). Emitters that build attribute values
   * (bech32 addresses, coin strings, base64) check it first and skip that work; events never affect gas or state.
   */
  constructor(readonly discard = false) {}

  emit(type: string, attributes: readonly (readonly [string, string])[]): void {
    if (this.discard) return;
    const attrs: EventAttribute[] = new Array<EventAttribute>(attributes.length);
    for (let i = 0; i < attributes.length; i++) attrs[i] = attr(attributes[i]![0], attributes[i]![1]);
    this.events.push({ type, attributes: attrs });
  }

  /**
   * `emit` with the attributes already built (`attr`): the same event without the tuple arrays (ante and bank
   * emit ~7 events per tx, twice: CheckTx and FinalizeBlock). The array must be fresh: it becomes the event's.
   */
  emitBuilt(type: string, attributes: EventAttribute[]): void {
    if (this.discard) return;
    this.events.push({ type, attributes });
  }

  append(events: readonly Event[]): void {
    if (this.discard) return;
    for (const e of events) this.events.push(e);
  }
}

/** What a handler may see. Stores are already scoped to the tx (writes vanish unless the runner commits). */
export interface Context {
  /** The tx's view of the whole chain state; keepers wrap it with their own PrefixStore. */
  readonly store: KVStore;
  readonly gasMeter: GasMeter;
  readonly events: EventManager;
  readonly chainId: string;
  readonly blockHeight: bigint;
  /** Block header time in nanoseconds since the Unix epoch (CosmWasm env.block.time). */
  readonly blockTimeNs: bigint;
  /** sha256 of the tx bytes (empty outside a tx: genesis, queries, begin/end block). */
  readonly txHash: Uint8Array;
  /** Index of the tx in its block (CosmWasm env.transaction.index). */
  readonly txIndex: number;
  /** True in CheckTx/ReCheckTx (mempool admission): only then is the local minimum gas price enforced. */
  readonly isCheckTx: boolean;
  /** True for /simulate: signatures are not verified (secretjs sends 64 zero bytes). */
  readonly simulate: boolean;
}

/** A copy of `ctx` with a different store and/or event manager (for nested caches). */
export function withStore(ctx: Context, store: KVStore, events: EventManager = ctx.events): Context {
  return { ...ctx, store, events };
}

/** The first key after every key that starts with `prefix` (undefined when prefix is all 0xff). */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  const end = prefix.slice();
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.slice(0, i + 1);
    }
  }
  return undefined;
}

/** A view of `parent` restricted to keys under `prefix` (the prefix is stripped on the way out). */
export class PrefixStore implements KVStore {
  constructor(
    private readonly parent: KVStore,
    private readonly prefix: Uint8Array,
  ) {
    if (prefix.length === 0) throw new RangeError("store prefix must not be empty");
  }

  // The prefixed key is built once into the store's shared slab (byteSlab.ts `slabJoin`): no backing store of
  // its own (a contract key is ~80–110 bytes, over V8's 64-byte on-heap limit) and, for a write, handed over to
  // the parent (KVStore.setOwned), so the overlay keeps it instead of copying it again.
  private k(key: Uint8Array): Uint8Array {
    return slabJoin(this.prefix, key);
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.parent.get(this.k(key));
  }

  has(key: Uint8Array): boolean {
    return this.parent.has(this.k(key));
  }

  set(key: Uint8Array, value: Uint8Array): void {
    setHanded(this.parent, this.k(key), value, OWN_KEY);
  }

  /** `set` handing `value` over too when the caller does (`owned` & OWN_VALUE); the prefixed key always is. */
  setOwned(key: Uint8Array, value: Uint8Array, owned: number): void {
    setHanded(this.parent, this.k(key), value, OWN_KEY | (owned & OWN_VALUE));
  }

  delete(key: Uint8Array): void {
    deleteHanded(this.parent, this.k(key));
  }

  deleteOwned(key: Uint8Array): void {
    deleteHanded(this.parent, this.k(key));
  }

  *iterate(
    start: Uint8Array | undefined,
    end: Uint8Array | undefined,
    reverse = false,
  ): Iterable<[Uint8Array, Uint8Array]> {
    const s = start === undefined ? this.prefix : this.k(start);
    const e = end === undefined ? prefixEnd(this.prefix) : this.k(end);
    const n = this.prefix.length;
    for (const [key, value] of this.parent.iterate(s, e, reverse)) yield [key.subarray(n), value];
  }
}
