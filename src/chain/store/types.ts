// The chain's storage interfaces. Reads are synchronous because contract storage reads happen
// synchronously inside wasm (spec consensus-storage-perf §5). Keys are raw bytes ordered by memcmp.

/** A readable key-value view. `iterate` visits keys in ascending byte order within [start, end). */
export interface KVReader {
  get(key: Uint8Array): Uint8Array | undefined;
  has(key: Uint8Array): boolean;
  iterate(
    start: Uint8Array | undefined,
    end: Uint8Array | undefined,
    reverse?: boolean,
  ): Iterable<[Uint8Array, Uint8Array]>;
}

/** `setOwned`'s `owned` bits: which of key and value the caller hands over. */
export const OWN_KEY = 1;
export const OWN_VALUE = 2;

/**
 * A writable view. Writes are buffered until the owner commits or discards them. `set`/`delete` leave the key
 * and value the caller's (a store that keeps them copies them); `setOwned`/`deleteOwned` hand them over.
 */
export interface KVStore extends KVReader {
  set(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): void;
  /**
   * Optional ownership-passing `set` (src/chain/store/README.md "Ownership"): the bytes named by `owned`
   * (OWN_KEY | OWN_VALUE) were built for this call and nobody writes them again, so a store may keep them
   * instead of a copy. Call it through `setHanded`, which falls back to `set` for stores without it.
   */
  setOwned?(key: Uint8Array, value: Uint8Array, owned: number): void;
  /** Optional ownership-passing `delete`: `key` is handed over as in `setOwned`. Through `deleteHanded`. */
  deleteOwned?(key: Uint8Array): void;
}

/** `store.setOwned(key, value, owned)`, or `store.set(key, value)` (a copy) when the store has no such method. */
export function setHanded(store: KVStore, key: Uint8Array, value: Uint8Array, owned: number): void {
  if (store.setOwned !== undefined) store.setOwned(key, value, owned);
  else store.set(key, value);
}

/** `store.deleteOwned(key)`, or `store.delete(key)` when the store has no such method. */
export function deleteHanded(store: KVStore, key: Uint8Array): void {
  if (store.deleteOwned !== undefined) store.deleteOwned(key);
  else store.delete(key);
}

/** An in-memory write overlay on a parent view (CheckTx state, proposal candidates, one tx's cache). */
export interface Overlay extends KVStore {
  /** Applies this overlay's writes to its parent. */
  write(): void;
  /** Sorted list of this overlay's pending writes (value undefined = delete). */
  pendingWrites(): [Uint8Array, Uint8Array | undefined][];
}

/** One entry of a block's write set: value undefined = delete. Write sets are sorted by key, keys unique. */
export type KVWrite = readonly [key: Uint8Array, value: Uint8Array | undefined];

/**
 * The app-hash commitment over the whole state, kept swappable (spec consensus-storage-perf §5: an SMT of ours
 * or @ethereumjs/mpt behind an adapter). Proofs are opaque bytes checked by the same implementation's `verify`.
 */
export interface StateCommitment {
  /** Root over the last published (committed) state. */
  root(): Uint8Array;
  /** Computes the root after `writes` without persisting anything (FinalizeBlock must not persist). */
  prepare(writes: readonly KVWrite[]): PreparedCommitment;
  /**
   * Optional: the root after `writes` on top of `base`, an unpublished update from this commitment that is not
   * stale (equal to one prepare of both write sets merged, later writes winning). Lets a caller re-prepare a big
   * update with a few more writes without hashing it all again (genesis: InitChain, then block 1).
   */
  prepareOver?(base: PreparedCommitment, writes: readonly KVWrite[]): PreparedCommitment;
  /**
   * Optional size hint before the first update of an empty commitment (a genesis of `keys` writes): it may lay
   * itself out for that size. Changes no root or proof; updates prepared before it may become stale.
   */
  fitSize?(keys: number): void;
  /** Inclusion or absence proof for `key` against `root()`. */
  prove(key: Uint8Array): Uint8Array;
  /** True when `proof` shows `key` → `value` (or absence when `value` is undefined) under `root`. */
  verify(root: Uint8Array, key: Uint8Array, value: Uint8Array | undefined, proof: Uint8Array): boolean;
}

/** A computed but unpersisted commitment update. Valid only until another one is published. */
export interface PreparedCommitment {
  readonly root: Uint8Array;
  /** Writes the update's rows; called inside the store's one commit transaction. */
  persist(): void;
  /** Makes the update visible to root()/prove(); called after that transaction committed. */
  publish(): void;
}
