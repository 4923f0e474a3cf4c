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

/** A writable view. Writes are buffered until the owner commits or discards them. */
export interface KVStore extends KVReader {
  set(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): void;
}

/** An in-memory write overlay on a parent view (CheckTx state, proposal candidates, one tx's cache). */
export interface Overlay extends KVStore {
  /** Applies this overlay's writes to its parent. */
  write(): void;
  /** Sorted list of this overlay's pending writes (value undefined = delete). */
  pendingWrites(): [Uint8Array, Uint8Array | undefined][];
}
