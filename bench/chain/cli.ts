// Small helpers the chain benches share: numeric flags, per-thread CPU from /proc, main-thread GC pauses.
import { readdirSync, readFileSync } from "node:fs";
import { PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";

/** `--name N` from the command line, else `dflt`. */
export function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  const v = i < 0 ? undefined : process.argv[i + 1];
  return v === undefined ? dflt : Number(v);
}

/**
 * The two tree paths of an A/B bench (`<base tree> <new tree>`, the first two arguments); prints the usage line and
 * exits with code 2 when they are missing.
 */
export function twoTrees(script: string): [baseDir: string, newDir: string] {
  const [baseDir, newDir] = [process.argv[2], process.argv[3]];
  if (baseDir === undefined || newDir === undefined || baseDir.startsWith("--")) {
    console.error(`usage: node --import tsx ${script} <base tree> <new tree> [--rounds R] …`);
    process.exit(2);
  }
  return [baseDir, newDir];
}

/** ns on CPU of each thread of this process, by thread id (schedstat's first field). */
export function threadNs(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      out.set(tid, Number(readFileSync(`/proc/self/task/${tid}/schedstat`, "latin1").split(" ")[0]));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

/**
 * Main-thread GC pause time by kind (1 scavenge, 4 mark-compact, 8 incremental, 16 weak callbacks) from now until
 * `stop()`, which waits a tick so the last entries arrive.
 */
export function gcPauses(): { stop(): Promise<Map<string, number>> } {
  const ms = new Map<string, number>();
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
      const kind = String(e.detail?.kind ?? "?");
      ms.set(kind, (ms.get(kind) ?? 0) + e.duration);
    }
  });
  obs.observe({ entryTypes: ["gc"] });
  return {
    stop: async () => {
      await new Promise((res) => setTimeout(res, 10));
      obs.disconnect();
      return ms;
    },
  };
}

/** Bytes as whole MiB ("123 MB"). */
export const mb = (x: number): string => `${(x / 2 ** 20).toFixed(0)} MB`;

/**
 * Wraps a prototype method to print each call longer than 0.5 s with the heap at its end (genesis phases);
 * `onReturn` sees every call's heapUsed.
 */
export function timeMethod(proto: object, name: string, onReturn?: (heapUsed: number) => void): void {
  const o = proto as Record<string, (...a: unknown[]) => unknown>;
  const orig = o[name];
  if (orig === undefined) throw new Error(`no method ${name}`);
  o[name] = function (this: unknown, ...a: unknown[]) {
    const t0 = performance.now();
    try {
      return orig.apply(this, a);
    } finally {
      const ms = performance.now() - t0;
      const used = process.memoryUsage().heapUsed;
      onReturn?.(used);
      if (ms > 500) console.log(`  ${name}: ${(ms / 1000).toFixed(1)} s (heapUsed ${mb(used)})`);
    }
  };
}
