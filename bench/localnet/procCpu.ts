// CPU of this process's descendants (the localnet's `shroud start` nodes and their CometBFT children), summed by
// command name from /proc (utime+stime, 10 ms ticks): is the localnet CPU-bound, and whose CPU is it? Linux only.
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { abciCpuDumpPath, type AbciCpuSnapshot } from "../../src/consensus/abciCpu.js";

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

/**
 * The whole machine's CPU ms (all cores, /proc/stat's first line): busy (user, nice, system, irq, softirq, steal)
 * and idle (idle, iowait). Over the load, busy − ours = the other work on the machine, and idle = cores the
 * localnet left unused: near 0 means it was starved of CPU (other work), not limited by its own pipeline.
 */
export function machineCpuMs(): { busy: number; idle: number } {
  try {
    const line = readFileSync("/proc/stat", "latin1").split("\n")[0] ?? "";
    const t = line.trim().split(/\s+/).slice(1).map(Number);
    const at = (i: number): number => t[i] ?? 0;
    const idle = at(3) + at(4);
    const busy = at(0) + at(1) + at(2) + at(5) + at(6) + at(7);
    return { busy: busy * 10, idle: idle * 10 }; // USER_HZ = 100 here, as readStat assumes
  } catch {
    return { busy: 0, idle: 0 };
  }
}

/** CPU ms of each pid (0 for one that is gone), e.g. each node's CometBFT. */
export function pidsCpuMs(pids: readonly number[]): number[] {
  return pids.map((p) => readStat(String(p))?.cpuMs ?? 0);
}

/** after − before per name (processes that exited in between are not counted). */
export function cpuDelta(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const d = new Map<string, number>();
  for (const [k, v] of after) d.set(k, v - (before.get(k) ?? 0));
  return d;
}

/**
 * CPU ms of each thread of each `shroud start` node (tid → ms, keyed `pid/tid`): the main thread has tid = pid;
 * workers and V8/libuv helpers are unnamed, so the bench ranks them by CPU (the busiest is the enclave worker).
 */
export function nodeThreadCpuMs(): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of descendantsCatchingUsr2()) {
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // exited meanwhile
    }
    for (const tid of tids) {
      const st = readStat(`${pid}/task/${tid}`);
      if (st !== undefined) out.set(`${pid}/${tid}`, st.cpuMs);
    }
  }
  return out;
}

/** Per node pid, in `pids` order: main thread, busiest other thread (the enclave worker), all the rest; ms. */
export function threadSplit(
  before: Map<string, number>,
  after: Map<string, number>,
  pids: readonly number[],
): { main: number; top: number; rest: number; others: number[] }[] {
  const byPid = new Map<string, { main: number; others: number[] }>();
  for (const [k, v] of after) {
    const [pid, tid] = k.split("/") as [string, string];
    const d = v - (before.get(k) ?? 0);
    const e = byPid.get(pid) ?? { main: 0, others: [] };
    if (pid === tid) e.main = d;
    else e.others.push(d);
    byPid.set(pid, e);
  }
  return pids.map((pid) => {
    const e = byPid.get(String(pid)) ?? { main: 0, others: [] };
    const others = e.others.sort((a, b) => b - a);
    return { main: e.main, top: others[0] ?? 0, rest: others.slice(1).reduce((a, b) => a + b, 0), others };
  });
}

/** Live descendants of this process that catch SIGUSR2 (/proc status SigCgt bit 12−1): the `shroud start` nodes. */
function descendantsCatchingUsr2(): number[] {
  const out: number[] = [];
  const parents = new Map<number, number>();
  const nodes = new Set<number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    const st = readStat(d);
    if (st !== undefined) parents.set(Number(d), st.ppid);
    if (st?.comm === "node") nodes.add(Number(d));
  }
  const isMine = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p))
      if (p === process.pid) return true;
    return false;
  };
  for (const pid of parents.keys()) {
    if (!nodes.has(pid) || !isMine(pid)) continue; // CometBFT (Go) catches SIGUSR2 too: only node processes
    try {
      const m = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, "latin1"));
      if (m !== null && (BigInt(`0x${m[1]!}`) & (1n << 11n)) !== 0n) out.push(pid);
    } catch {
      // exited meanwhile
    }
  }
  return out.sort((a, b) => a - b);
}

/**
 * Per-slot CPU ms summed over the nodes (src/consensus/abciCpu.ts dumps), plus `process total`; `only`: just these
 * node pids (the others' meters stay off: a node-by-node A/B of the meter's own cost).
 */
export async function abciCpuMs(only?: readonly number[]): Promise<Map<string, number>> {
  const pids = descendantsCatchingUsr2().filter((p) => only === undefined || only.includes(p));
  for (const pid of pids) process.kill(pid, "SIGUSR2");
  await new Promise((r) => setTimeout(r, 500));
  const out = new Map<string, number>();
  for (const pid of pids) {
    const snap = readDump(pid);
    if (snap === undefined) continue;
    out.set("process total", (out.get("process total") ?? 0) + snap.processCpuUs / 1000);
    for (const [k, v] of Object.entries(snap.slots)) {
      out.set(k, (out.get(k) ?? 0) + v.cpuUs / 1000);
      out.set(`calls:${k}`, (out.get(`calls:${k}`) ?? 0) + v.calls);
    }
  }
  return out;
}

function readDump(pid: number): AbciCpuSnapshot | undefined {
  try {
    const path = abciCpuDumpPath(pid);
    const snap = JSON.parse(readFileSync(path, "utf8")) as AbciCpuSnapshot;
    rmSync(path, { force: true }); // each SIGUSR2 writes a fresh one
    return snap;
  } catch {
    return undefined;
  }
}
