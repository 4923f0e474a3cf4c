// In-memory sorted KV store and the write Overlay used for CheckTx state, proposal candidates and per-tx caches.
// Keys are ordered by memcmp (unsigned bytes, shorter prefix first), like the IAVL/sqlite stores they stand in for.
import { abytes } from "../../util/bytes.js";
import { OWN_KEY, OWN_VALUE, type KVReader, type KVStore, type Overlay } from "./types.js";
import { ABSENT, CHUNK_MAX, SortedEntries, keyId } from "./sortedEntries.js";
import { slabCopy } from "./byteSlab.js";

export { CHUNK_MAX };

/** memcmp order: negative when a < b. Buffer.compare is a native memcmp and much faster than a JS loop. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/**
 * The first 6 bytes (zero-padded) as a number: ordering by it and breaking ties with compareBytes equals memcmp
 * order, and sorting large write sets this way avoids most native Buffer.compare calls (a profile hot spot).
 */
export function keyPrefix48(k: Uint8Array): number {
  return (
    (k[0] ?? 0) * 2 ** 40 +
    (k[1] ?? 0) * 2 ** 32 +
    (((k[2] ?? 0) << 24) >>> 0) +
    ((k[3] ?? 0) << 16) +
    ((k[4] ?? 0) << 8) +
    (k[5] ?? 0)
  );
}

/** Sorts [key, …] tuples by key in memcmp order (in place; returns the array). */
export function sortByKey<T extends readonly [Uint8Array, ...unknown[]]>(entries: T[]): T[] {
  const tagged = entries.map((e) => ({ p: keyPrefix48(e[0]), e }));
  tagged.sort((a, b) => a.p - b.p || compareBytes(a.e[0], b.e[0]));
  for (let i = 0; i < tagged.length; i++) entries[i] = tagged[i]!.e;
  return entries;
}

/** True when `key` lies in [start, end) (an undefined bound is open). */
export function inRange(
  key: Uint8Array,
  start: Uint8Array | undefined,
  end: Uint8Array | undefined,
): boolean {
  if (start !== undefined && compareBytes(key, start) < 0) return false;
  if (end !== undefined && compareBytes(key, end) >= 0) return false;
  return true;
}

/**
 * Copies so later mutation of the caller's buffer cannot change stored state. Ownership rule: a key or value
 * given to `set`/`delete` stays the caller's (it may reuse or mutate it); the stored copy is the overlay's and
 * is never written again, so `write()` hands it to the parent as it is. Small copies share slab chunks.
 */
const copy = slabCopy;

/** Validates a key/value at the store edge. Empty keys are rejected, as in the Cosmos SDK stores. */
export function assertKey(key: unknown): Uint8Array {
  const k = abytes(key, undefined, "key");
  if (k.length === 0) throw new RangeError('"key" must not be empty');
  return k;
}

/** A plain sorted in-memory KVStore (genesis building, tests, the reference model in store tests). */
export class MemoryKVStore implements KVStore {
  private readonly entries = new SortedEntries<Uint8Array>();

  get size(): number {
    return this.entries.size;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const v = this.entries.find(keyId(assertKey(key)));
    return v === ABSENT ? undefined : v;
  }

  has(key: Uint8Array): boolean {
    return this.entries.find(keyId(assertKey(key))) !== ABSENT;
  }

  set(key: Uint8Array, value: Uint8Array): void {
    const k = copy(assertKey(key));
    this.entries.put(keyId(k), k, copy(abytes(value, undefined, "value")));
  }

  delete(key: Uint8Array): void {
    this.entries.remove(keyId(assertKey(key)));
  }

  iterate(
    start: Uint8Array | undefined,
    end: Uint8Array | undefined,
    reverse = false,
  ): Iterable<[Uint8Array, Uint8Array]> {
    return this.entries.slice(optId(start), optId(end), reverse);
  }
}

function optId(key: Uint8Array | undefined): string | undefined {
  return key === undefined ? undefined : keyId(key);
}

/**
 * A reader that also answers by a key's id (keyId(key), already computed by the overlay above it): nested
 * overlays and the committed-state reader under them compute a key's id once per read, not once per level.
 */
export abstract class KeyIdReader implements KVReader {
  abstract get(key: Uint8Array): Uint8Array | undefined;
  abstract has(key: Uint8Array): boolean;
  abstract iterate(
    start: Uint8Array | undefined,
    end: Uint8Array | undefined,
    reverse?: boolean,
  ): Iterable<[Uint8Array, Uint8Array]>;
  /** get(key) where `id` is keyId(key) of an already validated key. */
  abstract getById(key: Uint8Array, id: string): Uint8Array | undefined;
  /** has(key) where `id` is keyId(key) of an already validated key. */
  abstract hasById(key: Uint8Array, id: string): boolean;
  /**
   * True only when this reader can tell that no key `id` exists here without a side effect anyone can see:
   * no gas charged, no read recorded (the committed view and overlays down to it answer). Any other reader
   * says false, "cannot tell". Used by `MemoryOverlay.delete` to skip tombstones for absent keys.
   */
  absentById(_key: Uint8Array, _id: string): boolean {
    return false;
  }
}

function isKVStore(r: KVReader): r is KVStore {
  const s = r as Partial<KVStore>;
  return typeof s.set === "function" && typeof s.delete === "function";
}

/**
 * Buffered writes over any parent reader. Reads see pending writes first (a tombstone hides the parent's key);
 * iteration merges the parent's range with the pending range in key order. `write()` flushes into a writable
 * parent (nested overlays, per-tx caches); a top-level overlay over committed state is instead handed to the
 * store's commit via `pendingWrites()`.
 */
export class MemoryOverlay extends KeyIdReader implements Overlay {
  // undefined value = tombstone (pending delete).
  private readonly pending = new SortedEntries<Uint8Array | undefined>();

  constructor(readonly parent: KVReader) {
    super();
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.getById(key, keyId(assertKey(key)));
  }

  has(key: Uint8Array): boolean {
    return this.hasById(key, keyId(assertKey(key)));
  }

  // Nested overlays (a tx's message cache over its ante cache over the block, over the committed state) pass
  // the key's id down instead of computing it again at each level.
  getById(key: Uint8Array, id: string): Uint8Array | undefined {
    const v = this.pending.find(id);
    if (v !== ABSENT) return v;
    const p = this.parent;
    return p instanceof KeyIdReader ? p.getById(key, id) : p.get(key);
  }

  hasById(key: Uint8Array, id: string): boolean {
    const v = this.pending.find(id);
    if (v !== ABSENT) return v !== undefined;
    const p = this.parent;
    return p instanceof KeyIdReader ? p.hasById(key, id) : p.has(key);
  }

  set(key: Uint8Array, value: Uint8Array): void {
    const k = copy(assertKey(key));
    this.pending.put(keyId(k), k, copy(abytes(value, undefined, "value")));
  }

  // A delete of a key that no level holds changes no read, so it records nothing (see `absentById`): a
  // SNIP-20 transfer removes ~7 never-written old-format keys, whose tombstones cost a key copy, a put at each
  // overlay level and a check in `prepare` (which drops them: `effectiveWrites`), with nothing to show for it.
  delete(key: Uint8Array): void {
    const id = keyId(assertKey(key));
    if (this.absentBelow(key, id)) return;
    this.pending.put(id, copy(key), undefined);
  }

  override absentById(key: Uint8Array, id: string): boolean {
    const v = this.pending.find(id);
    if (v !== ABSENT) return v === undefined;
    const p = this.parent;
    return p instanceof KeyIdReader && p.absentById(key, id);
  }

  /** Nothing pending here for `id`, and the parent can tell the key is absent (KeyIdReader.absentById). */
  private absentBelow(key: Uint8Array, id: string): boolean {
    if (this.pending.find(id) !== ABSENT) return false;
    const p = this.parent;
    return p instanceof KeyIdReader && p.absentById(key, id);
  }

  // Ownership passing (types.ts KVStore.setOwned): what the caller hands over is kept as it is, the rest copied.
  setOwned(key: Uint8Array, value: Uint8Array, owned: number): void {
    assertKey(key);
    const k = (owned & OWN_KEY) === 0 ? copy(key) : key;
    abytes(value, undefined, "value");
    this.pending.put(keyId(k), k, (owned & OWN_VALUE) === 0 ? copy(value) : value);
  }

  deleteOwned(key: Uint8Array): void {
    const id = keyId(assertKey(key));
    if (this.absentBelow(key, id)) return;
    this.pending.put(id, key, undefined);
  }

  iterate(
    start: Uint8Array | undefined,
    end: Uint8Array | undefined,
    reverse = false,
  ): Iterable<[Uint8Array, Uint8Array]> {
    const mine = this.pending.slice(optId(start), optId(end), reverse);
    return mergeIterate(mine, this.parent.iterate(start, end, reverse), reverse);
  }

  /** Number of pending writes (sets and deletes). */
  get size(): number {
    return this.pending.size;
  }

  pendingWrites(): [Uint8Array, Uint8Array | undefined][] {
    return this.pending.slice(undefined, undefined, false);
  }

  write(): void {
    const parent = this.parent;
    if (parent instanceof MemoryOverlay) {
      // The entries are this overlay's private copies and leave it with clear(): hand them over as they are
      // instead of copying key and value again at every level (a contract write crosses 3-4 nested overlays).
      const into = parent.pending;
      this.pending.forEachSorted((id, k, v) => {
        into.put(id, k, v);
      });
      this.pending.clear();
      return;
    }
    if (!isKVStore(parent))
      throw new TypeError("overlay parent is read-only; commit pendingWrites() instead");
    this.pending.forEachSorted((_, k, v) => {
      if (v === undefined) parent.delete(k);
      else parent.set(k, v);
    });
    this.pending.clear();
  }

  /** Drops all pending writes. */
  discard(): void {
    this.pending.clear();
  }
}

/** Merges a pending snapshot (with tombstones) over a parent iterator, both in the same direction. */
export function* mergeIterate(
  mine: readonly [Uint8Array, Uint8Array | undefined][],
  parentIt: Iterable<[Uint8Array, Uint8Array]>,
  reverse: boolean,
): Generator<[Uint8Array, Uint8Array]> {
  const dir = reverse ? -1 : 1;
  let i = 0;
  const emitMineBefore = function* (limit: Uint8Array | undefined): Generator<[Uint8Array, Uint8Array]> {
    // Emits pending entries strictly before `limit` in iteration order (all of them when limit is undefined).
    while (i < mine.length) {
      const [k, v] = mine[i]!;
      if (limit !== undefined && compareBytes(k, limit) * dir >= 0) return;
      i++;
      if (v !== undefined) yield [k, v];
    }
  };
  for (const [pk, pv] of parentIt) {
    yield* emitMineBefore(pk);
    const cur = mine[i];
    if (cur !== undefined && compareBytes(cur[0], pk) === 0) {
      i++;
      if (cur[1] !== undefined) yield [cur[0], cur[1]];
      continue;
    }
    yield [pk, pv];
  }
  yield* emitMineBefore(undefined);
}
