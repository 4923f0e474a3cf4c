// One full V8 garbage collection after a commit of a huge write set (a genesis with ~1M accounts), run once the
// caller has dropped the block's structures. Without it their dead heap stays in V8's old space (measured: 2.5 GB
// after a 1M-account genesis, V8 schedules no full GC until the old space grows further), and every young-
// generation GC of the following blocks ran 20-300 ms instead of ~1 ms: bank sends fell to 1/4 of the rate.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { KVWrite } from "./types.js";

/**
 * Estimated JS heap per written entry beyond its key and value bytes: the overlay entry, its key id string,
 * the key and value objects and the write tuple. Measured ~460 B per entry of a genesis overlay (heap snapshot
 * at 50k accounts: 1.4 KB live per account of 3 keys); kept lower so the estimate errs small.
 */
export const ENTRY_OVERHEAD_BYTES = 256;

/**
 * A commit whose write set weighs at least this much (estimated heap, bytes) is followed by one full GC. A
 * 1M-account genesis weighs ~1 GB, a 200k one ~200 MB; a block of 500 SNIP-20 transfers ~4 MB.
 */
export const LARGE_COMMIT_BYTES = 128 * 2 ** 20;

/** Estimated heap held by a write set while it was built and committed: key and value bytes plus per entry. */
export function writeSetWeight(writes: readonly KVWrite[]): number {
  let w = 0;
  for (const [k, v] of writes) w += k.length + (v?.length ?? 0) + ENTRY_OVERHEAD_BYTES;
  return w;
}

type GcFn = () => void;
let cachedGc: GcFn | undefined;

/**
 * V8's full GC without starting node with --expose-gc: the flag set at run time exposes `gc` to contexts
 * created afterwards, so a fresh vm context hands it out, and the flag is cleared again at once (V8 flags are
 * process-wide: worker threads and vm contexts created later would otherwise get a global `gc`). The main
 * context's global stays as it was; a process started with --expose-gc uses its own `gc`.
 */
export function fullGc(): GcFn {
  if (cachedGc === undefined) {
    const own = (globalThis as { gc?: unknown }).gc;
    if (typeof own === "function") {
      cachedGc = own as GcFn;
    } else {
      setFlagsFromString("--expose-gc");
      try {
        cachedGc = runInNewContext("gc") as GcFn;
      } finally {
        setFlagsFromString("--no-expose-gc");
      }
    }
  }
  return cachedGc;
}

let scheduled = false;

/**
 * After a commit: if `weight` ≥ LARGE_COMMIT_BYTES, runs `gc` once on the next event-loop turn (by then the
 * ABCI call has returned and the app has dropped its genesis overlay and prepared block). Several large commits
 * before that turn share one collection. Returns whether a collection was scheduled. GC changes no state.
 */
export function relieveHeapAfterCommit(weight: number, gc: () => GcFn = fullGc): boolean {
  if (weight < LARGE_COMMIT_BYTES || scheduled) return false;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    gc()();
  }).unref();
  return true;
}
