// A Map whose entries also sit on a doubly linked list, oldest first: the order a bounded cache evicts in. Finding,
// dropping or moving the oldest entry costs the same however long the cache has run. A plain Map used as a queue
// does not: V8 keeps a deleted entry's slot at its place in the Map's ordered table until the table is rebuilt, so
// `map.keys().next()` walks over every slot deleted at the front since then (a full 65,536-entry map: 7 → 35 µs
// per eviction, docs/BENCHMARKS.md "Bounded caches that stay flat (session 14, P4)"). The list is never walked to
// find anything; the Map is never iterated.

/** One entry as the list holds it; read-only to callers. */
export interface LinkedEntry<K, V> {
  readonly key: K;
  readonly value: V;
}

interface Node<K, V> {
  readonly key: K;
  value: V;
  /** Toward the oldest entry. */
  prev: Node<K, V> | undefined;
  /** Toward the newest entry. */
  next: Node<K, V> | undefined;
}

/**
 * Entries in list order (oldest first). A new key goes last; `set` of a key already there replaces its value in
 * place (as `Map.set` does); `touch` / `getAndTouch` move an entry last (an LRU hit). FIFO caches never touch.
 */
export class LinkedMap<K, V> {
  private readonly map = new Map<K, Node<K, V>>();
  private head: Node<K, V> | undefined;
  private tail: Node<K, V> | undefined;

  get size(): number {
    return this.map.size;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** The value of `key`, its place unchanged. */
  get(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  /** The value of `key`, which becomes the newest entry (an LRU hit). */
  getAndTouch(key: K): V | undefined {
    const node = this.map.get(key);
    if (node === undefined) return undefined;
    this.moveLast(node);
    return node.value;
  }

  /** Makes `key` the newest entry; false when absent. */
  touch(key: K): boolean {
    const node = this.map.get(key);
    if (node === undefined) return false;
    this.moveLast(node);
    return true;
  }

  /** A new key goes last; an existing key keeps its place with the new value. */
  set(key: K, value: V): this {
    const node = this.map.get(key);
    if (node !== undefined) {
      node.value = value;
      return this;
    }
    const added: Node<K, V> = { key, value, prev: this.tail, next: undefined };
    if (this.tail === undefined) this.head = added;
    else this.tail.next = added;
    this.tail = added;
    this.map.set(key, added);
    return this;
  }

  delete(key: K): boolean {
    const node = this.map.get(key);
    if (node === undefined) return false;
    this.map.delete(key);
    this.unlink(node);
    return true;
  }

  /** The oldest entry, left in place, or undefined when empty. */
  oldest(): LinkedEntry<K, V> | undefined {
    return this.head;
  }

  /** Removes and returns the oldest entry, or undefined when empty. */
  shift(): LinkedEntry<K, V> | undefined {
    const node = this.head;
    if (node === undefined) return undefined;
    this.map.delete(node.key);
    this.unlink(node);
    return node;
  }

  clear(): void {
    this.map.clear();
    this.head = undefined;
    this.tail = undefined;
  }

  /** Keys, oldest first. */
  *keys(): IterableIterator<K> {
    for (let n = this.head; n !== undefined; n = n.next) yield n.key;
  }

  /** Values, oldest first. */
  *values(): IterableIterator<V> {
    for (let n = this.head; n !== undefined; n = n.next) yield n.value;
  }

  private moveLast(node: Node<K, V>): void {
    if (node === this.tail) return;
    this.unlink(node);
    node.prev = this.tail;
    this.tail!.next = node; // not the tail, so the list has another entry and a tail
    this.tail = node;
  }

  private unlink(node: Node<K, V>): void {
    if (node.prev === undefined) this.head = node.next;
    else node.prev.next = node.next;
    if (node.next === undefined) this.tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = undefined;
    node.next = undefined;
  }
}
