// A query lane's memo of the host's readDb answers at one committed height: a lane only ever serves smart
// queries over the state committed at the height in the query's env, which never changes, so a second read of
// the same (contract, key) at that height skips the OCALL round trip (two cross-thread wakes) and returns the
// bytes and gas the host gave the first time.
//
// Trust: the host already chooses what every read returns; remembering its own answer for the height it named
// grants it nothing new. Only ciphertext (the stored bytes) is held here; plaintext caching stays in
// stateCache.ts. The main isolate never uses this (its queries may run over a block's uncommitted state).

/** Bounds: past either, the memo starts over (a lane's working set is a few contracts' hot keys). */
export const LANE_READS_MAX_ENTRIES = 16_384;
export const LANE_READS_MAX_BYTES = 16 * 1024 * 1024;

/** One remembered host answer. */
export interface LaneRead {
  readonly value: Uint8Array | undefined;
  readonly gasUsed: bigint;
}

/** Per-entry overhead charged against the byte budget besides key and value (map slot, objects). */
const ENTRY_OVERHEAD = 64;

export class LaneReadCache {
  private height: bigint | undefined;
  private readonly reads = new Map<string, LaneRead>();
  private bytes = 0;

  constructor(
    private readonly maxEntries = LANE_READS_MAX_ENTRIES,
    private readonly maxBytes = LANE_READS_MAX_BYTES,
  ) {}

  /** Number of remembered answers (tests). */
  get size(): number {
    return this.reads.size;
  }

  /**
   * The reader for one query ECALL at `height` on `contract`: answers from the memo or from `read` (the OCALL),
   * remembering what `read` returned. A query at another height than the memo's starts it over.
   */
  scope(
    height: bigint,
    contract: string,
    read: (key: Uint8Array) => LaneRead,
  ): (key: Uint8Array) => LaneRead {
    // Height 0 is before the first commit (the host's genesis is not committed yet): never remembered.
    if (height < 1n) return read;
    if (this.height !== height) {
      this.clear();
      this.height = height;
    }
    const prefix = `${contract}/`;
    return (key) => {
      const id = prefix + Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("latin1");
      // Callers get their own copies: nothing they do to an answer can change what the memo holds.
      const hit = this.reads.get(id);
      if (hit !== undefined) return { value: hit.value?.slice(), gasUsed: hit.gasUsed };
      const answer = read(key);
      this.remember(id, { value: answer.value?.slice(), gasUsed: answer.gasUsed });
      return answer;
    };
  }

  clear(): void {
    this.reads.clear();
    this.bytes = 0;
    this.height = undefined;
  }

  private remember(id: string, answer: LaneRead): void {
    const cost = id.length + (answer.value?.length ?? 0) + ENTRY_OVERHEAD;
    if (this.reads.size >= this.maxEntries || this.bytes + cost > this.maxBytes) {
      const height = this.height;
      this.clear();
      this.height = height;
    }
    if (cost > this.maxBytes) return;
    this.reads.set(id, answer);
    this.bytes += cost;
  }
}
