// The sorted key → value container under MemoryKVStore and MemoryOverlay: a Map by key id for point reads and
// overwrites, plus the ids in sorted chunks (a two-level B-tree) for ordered iteration and inserts.

/** Largest chunk before it splits in two: an insert memmoves at most this many slots (chosen by bench:store). */
export const CHUNK_MAX = 512;

/** find()'s answer for a key with no entry (a tombstone is a stored undefined). */
export const ABSENT: unique symbol = Symbol("absent");

// latin1Slice straight on the key's bytes: one string per key, no Buffer view. JS compares one-byte strings by
// their char codes, i.e. by unsigned bytes with a shorter prefix first: exactly memcmp order of the keys, and
// inside V8 (Buffer.compare is a C++ call per comparison, the overlays' former hot spot).
const latin1Slice = (
  Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }
).latin1Slice;

/** A key's id: a string whose JS order is the key's memcmp order. */
export function keyId(key: Uint8Array): string {
  return latin1Slice.call(key, 0, key.length);
}

interface Entry<V> {
  readonly key: Uint8Array;
  value: V;
}

/** Index of the first id ≥ `id` in a sorted id array. */
function lowerBound(ids: readonly string[], id: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Sorted entries. A point read or an overwrite is one Map lookup; only a new key or a removal touches the
 * sorted chunks (binary search over the chunks' first ids, then within one chunk; ≤ CHUNK_MAX slots moved).
 * Order is memcmp order of the keys alone, so iteration is identical whatever the insertion order.
 */
export class SortedEntries<V> {
  private readonly map = new Map<string, Entry<V>>();
  private chunks: string[][] = [];

  get size(): number {
    return this.map.size;
  }

  /** The stored value (undefined for a tombstone) or ABSENT. */
  find(id: string): V | typeof ABSENT {
    const e = this.map.get(id);
    return e === undefined ? ABSENT : e.value;
  }

  /** Stores `value` under `key` (whose id is `id`); the key object is kept as given. */
  put(id: string, key: Uint8Array, value: V): void {
    const e = this.map.get(id);
    if (e !== undefined) {
      e.value = value;
      return;
    }
    this.map.set(id, { key, value });
    const ci = this.chunkFor(id);
    const c = this.chunks[ci];
    if (c === undefined) {
      this.chunks.push([id]);
      return;
    }
    const i = lowerBound(c, id);
    if (i === c.length) c.push(id);
    else c.splice(i, 0, id);
    if (c.length > CHUNK_MAX) this.chunks.splice(ci + 1, 0, c.splice(c.length >>> 1));
  }

  remove(id: string): void {
    if (!this.map.delete(id)) return;
    const ci = this.chunkFor(id);
    const c = this.chunks[ci]!;
    c.splice(lowerBound(c, id), 1);
    if (c.length === 0) this.chunks.splice(ci, 1);
  }

  /** A snapshot of the entries in [start, end) (ids), so mutation during iteration cannot skip or repeat keys. */
  slice(start: string | undefined, end: string | undefined, reverse: boolean): [Uint8Array, V][] {
    const out: [Uint8Array, V][] = [];
    let ci = start === undefined ? 0 : this.chunkFor(start);
    let i = start === undefined ? 0 : lowerBound(this.chunks[ci] ?? [], start);
    for (; ci < this.chunks.length; ci++, i = 0) {
      const ids = this.chunks[ci]!;
      for (; i < ids.length; i++) {
        if (end !== undefined && ids[i]! >= end) return finish(out, reverse);
        const e = this.map.get(ids[i]!)!;
        out.push([e.key, e.value]);
      }
    }
    return finish(out, reverse);
  }

  /** Every entry in key order with its id (for flushing; the caller must not mutate meanwhile). */
  forEachSorted(fn: (id: string, key: Uint8Array, value: V) => void): void {
    for (const ids of this.chunks) {
      for (const id of ids) {
        const e = this.map.get(id)!;
        fn(id, e.key, e.value);
      }
    }
  }

  clear(): void {
    this.map.clear();
    this.chunks = [];
  }

  /** Index of the chunk that holds `id` or would receive it: the last chunk whose first id ≤ id (or 0). */
  private chunkFor(id: string): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.chunks[mid]![0]! <= id) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : lo - 1;
  }
}

function finish<T>(out: T[], reverse: boolean): T[] {
  if (reverse) out.reverse();
  return out;
}
