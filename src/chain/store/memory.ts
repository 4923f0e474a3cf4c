// In-memory sorted KV store and the write Overlay used for CheckTx state, proposal candidates and per-tx caches.
// Keys are ordered by memcmp (unsigned bytes, shorter prefix first), like the IAVL/sqlite stores they stand in for.
import { abytes } from "../../util/bytes.js";
import type { KVReader, KVStore, Overlay } from "./types.js";

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

/** Index of the first element >= key in a sorted key array. */
function lowerBound(keys: readonly Uint8Array[], key: Uint8Array): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareBytes(keys[mid]!, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Copies so later mutation of the caller's buffer cannot change stored state. */
function copy(b: Uint8Array): Uint8Array {
  return Uint8Array.prototype.slice.call(b);
}

/**
 * Largest chunk before it splits in two. Inserting memmoves at most this many slots, so a put is
 * O(log n + CHUNK_MAX) instead of O(n): a 1M-key genesis is no longer quadratic. Chosen by bench:store.
 */
export const CHUNK_MAX = 512;

/** find()'s answer for a key with no entry (a tombstone is a stored undefined). */
const ABSENT: unique symbol = Symbol("absent");

/** One run of the sorted entries: keys[i] ↦ values[i], keys ascending, never empty while linked. */
interface Chunk<V> {
  keys: Uint8Array[];
  values: V[];
}

/**
 * Sorted key → value entries as a list of sorted chunks (a two-level B-tree): binary search over the chunks'
 * first keys, then within one chunk. Order is memcmp order of the keys alone, so iteration is deterministic
 * and identical to one sorted array whatever the insertion order.
 */
class SortedEntries<V> {
  private chunks: Chunk<V>[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Index of the chunk that holds `key` or would receive it: the last chunk whose first key ≤ key (or 0). */
  private chunkFor(key: Uint8Array): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareBytes(this.chunks[mid]!.keys[0]!, key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : lo - 1;
  }

  /** The stored value (undefined for a tombstone) or ABSENT; allocates nothing (the overlays' read path). */
  find(key: Uint8Array): V | typeof ABSENT {
    if (this.count === 0) return ABSENT;
    const c = this.chunks[this.chunkFor(key)];
    if (c === undefined) return ABSENT;
    const i = lowerBound(c.keys, key);
    if (i < c.keys.length && compareBytes(c.keys[i]!, key) === 0) return c.values[i]!;
    return ABSENT;
  }

  put(key: Uint8Array, value: V): void {
    const ci = this.chunkFor(key);
    const c = this.chunks[ci];
    if (c === undefined) {
      this.chunks.push({ keys: [key], values: [value] });
      this.count++;
      return;
    }
    const i = lowerBound(c.keys, key);
    if (i < c.keys.length && compareBytes(c.keys[i]!, key) === 0) {
      c.values[i] = value;
      return;
    }
    if (i === c.keys.length) {
      c.keys.push(key);
      c.values.push(value);
    } else {
      c.keys.splice(i, 0, key);
      c.values.splice(i, 0, value);
    }
    this.count++;
    if (c.keys.length > CHUNK_MAX) {
      const half = c.keys.length >>> 1;
      this.chunks.splice(ci + 1, 0, { keys: c.keys.splice(half), values: c.values.splice(half) });
    }
  }

  remove(key: Uint8Array): void {
    const ci = this.chunkFor(key);
    const c = this.chunks[ci];
    if (c === undefined) return;
    const i = lowerBound(c.keys, key);
    if (i >= c.keys.length || compareBytes(c.keys[i]!, key) !== 0) return;
    c.keys.splice(i, 1);
    c.values.splice(i, 1);
    this.count--;
    if (c.keys.length === 0) this.chunks.splice(ci, 1);
  }

  /** A snapshot of the entries in [start, end), so mutation during iteration cannot skip or repeat keys. */
  slice(start: Uint8Array | undefined, end: Uint8Array | undefined, reverse: boolean): [Uint8Array, V][] {
    const out: [Uint8Array, V][] = [];
    let ci = start === undefined ? 0 : this.chunkFor(start);
    let i = start === undefined ? 0 : lowerBound(this.chunks[ci]?.keys ?? [], start);
    for (; ci < this.chunks.length; ci++, i = 0) {
      const { keys, values } = this.chunks[ci]!;
      for (; i < keys.length; i++) {
        if (end !== undefined && compareBytes(keys[i]!, end) >= 0) return finish(out, reverse);
        out.push([keys[i]!, values[i]!]);
      }
    }
    return finish(out, reverse);
  }

  /** Every entry in key order, chunk by chunk (for flushing; the caller must not mutate meanwhile). */
  *entries(): Generator<[Uint8Array, V]> {
    for (const { keys, values } of this.chunks) {
      for (let i = 0; i < keys.length; i++) yield [keys[i]!, values[i]!];
    }
  }

  clear(): void {
    this.chunks = [];
    this.count = 0;
  }
}

function finish<T>(out: T[], reverse: boolean): T[] {
  if (reverse) out.reverse();
  return out;
}

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
    const v = this.entries.find(assertKey(key));
    return v === ABSENT ? undefined : v;
  }

  has(key: Uint8Array): boolean {
    return this.entries.find(assertKey(key)) !== ABSENT;
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.entries.put(copy(assertKey(key)), copy(abytes(value, undefined, "value")));
  }

  delete(key: Uint8Array): void {
    this.entries.remove(assertKey(key));
  }

  iterate(
    start: Uint8Array | undefined,
    end: Uint8Array | undefined,
    reverse = false,
  ): Iterable<[Uint8Array, Uint8Array]> {
    return this.entries.slice(start, end, reverse);
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
export class MemoryOverlay implements Overlay {
  // undefined value = tombstone (pending delete).
  private readonly pending = new SortedEntries<Uint8Array | undefined>();

  constructor(readonly parent: KVReader) {}

  get(key: Uint8Array): Uint8Array | undefined {
    const v = this.pending.find(assertKey(key));
    return v === ABSENT ? this.parent.get(key) : v;
  }

  has(key: Uint8Array): boolean {
    const v = this.pending.find(assertKey(key));
    return v === ABSENT ? this.parent.has(key) : v !== undefined;
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.pending.put(copy(assertKey(key)), copy(abytes(value, undefined, "value")));
  }

  delete(key: Uint8Array): void {
    this.pending.put(copy(assertKey(key)), undefined);
  }

  iterate(
    start: Uint8Array | undefined,
    end: Uint8Array | undefined,
    reverse = false,
  ): Iterable<[Uint8Array, Uint8Array]> {
    const mine = this.pending.slice(start, end, reverse);
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
      for (const [k, v] of this.pending.entries()) parent.pending.put(k, v);
      this.pending.clear();
      return;
    }
    if (!isKVStore(parent))
      throw new TypeError("overlay parent is read-only; commit pendingWrites() instead");
    for (const [k, v] of this.pending.entries()) {
      if (v === undefined) parent.delete(k);
      else parent.set(k, v);
    }
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
