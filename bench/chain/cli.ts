// Small helpers the chain benches share: numeric flags and per-thread CPU from /proc.
import { readdirSync, readFileSync } from "node:fs";

/** `--name N` from the command line, else `dflt`. */
export function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  const v = i < 0 ? undefined : process.argv[i + 1];
  return v === undefined ? dflt : Number(v);
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
