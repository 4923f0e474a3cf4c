// A per-height memo for facts of committed state (a contract's code and key for REST smart queries): state
// committed at a height never changes, so answers are kept until the height moves on. Bounded by entries.
/** Per-height memo of query targets (bounded; a new height starts over). */
export class HeightMemo<T> {
  private height = -1n;
  private readonly map = new Map<string, T | null>();

  constructor(private readonly maxEntries: number) {}

  get(height: bigint, key: Uint8Array, make: () => T | undefined): T | undefined {
    if (height !== this.height) {
      this.map.clear();
      this.height = height;
    }
    const id = Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("latin1");
    const hit = this.map.get(id);
    if (hit !== undefined) return hit ?? undefined;
    const v = make();
    if (this.map.size >= this.maxEntries) this.map.clear();
    this.map.set(id, v ?? null);
    return v;
  }
}
