// CPU of this process's descendants (the localnet's `shroud start` nodes and their CometBFT children), summed by
// command name from /proc (utime+stime, 10 ms ticks): is the localnet CPU-bound, and whose CPU is it? Linux only.
import { readdirSync, readFileSync } from "node:fs";

interface ProcStat {
  readonly ppid: number;
  readonly comm: string;
  readonly cpuMs: number;
}

function readStat(pid: string): ProcStat | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "latin1");
    const close = s.lastIndexOf(")");
    const comm = s.slice(s.indexOf("(") + 1, close);
    const f = s.slice(close + 2).split(" ");
    // After ")": field 3 state, 4 ppid, 14 utime, 15 stime (proc(5)); ticks are 10 ms here.
    return { ppid: Number(f[1]), comm, cpuMs: (Number(f[11]) + Number(f[12])) * 10 };
  } catch {
    return undefined; // exited meanwhile
  }
}

/** CPU ms by command name of every live descendant of this process (not of this process itself). */
export function descendantCpuMs(): Map<string, number> {
  const stats = new Map<number, ProcStat>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    const st = readStat(d);
    if (st !== undefined) stats.set(Number(d), st);
  }
  const mine = new Set<number>([process.pid]);
  // Parents have lower pids than children almost always; loop until no more are found to be safe.
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, st] of stats) {
      if (!mine.has(pid) && mine.has(st.ppid)) {
        mine.add(pid);
        grew = true;
      }
    }
  }
  const out = new Map<string, number>();
  for (const pid of mine) {
    if (pid === process.pid) continue;
    const st = stats.get(pid)!;
    out.set(st.comm, (out.get(st.comm) ?? 0) + st.cpuMs);
  }
  return out;
}

/** after − before per name (processes that exited in between are not counted). */
export function cpuDelta(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const d = new Map<string, number>();
  for (const [k, v] of after) d.set(k, v - (before.get(k) ?? 0));
  return d;
}
