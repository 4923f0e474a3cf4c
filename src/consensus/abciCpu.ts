// Per-ABCI-method CPU meter of a node process (issue 6 throughput): where a localnet node's CPU goes per request
// type (CheckTx NEW vs RECHECK, ProcessProposal, FinalizeBlock, …), framing/protobuf, and everything else.
// Read by the bench through a JSON file written on SIGUSR2; measurement only, never consensus input.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CheckTxType, type Request } from "cosmjs-types/tendermint/abci/types";

/** Calls and CPU microseconds (user+system of the whole process, all threads) of one kind of work. */
export interface CpuSlot {
  calls: number;
  cpuUs: number;
}

/** A snapshot: per-slot totals plus the process's total CPU since the meter started. */
export interface AbciCpuSnapshot {
  readonly pid: number;
  readonly processCpuUs: number;
  readonly slots: Record<string, CpuSlot>;
}

/** Where the SIGUSR2 dump of process `pid` goes (the bench reads it back). */
export function abciCpuDumpPath(pid: number, dir: string = tmpdir()): string {
  return join(dir, `shroud-abci-cpu-${pid}.json`);
}

/** The slot name of a request: the oneof arm, CheckTx split by NEW / RECHECK. */
export function requestKind(req: Request): string {
  if (req.checkTx) return req.checkTx.type === CheckTxType.RECHECK ? "checkTx.recheck" : "checkTx.new";
  for (const k of Object.keys(req) as (keyof Request)[]) if (req[k] !== undefined) return k;
  return "unknown";
}

function cpuNowUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

export class AbciCpuMeter {
  private readonly slots = new Map<string, CpuSlot>();
  private readonly startUs = cpuNowUs();

  /** Runs `fn`, charging the process CPU it used to `slot` (fn is synchronous or its CPU is in the sync part). */
  measure<T>(slot: string, fn: () => T): T {
    const t0 = cpuNowUs();
    try {
      return fn();
    } finally {
      this.add(slot, cpuNowUs() - t0);
    }
  }

  /** Like measure, for an async fn whose CPU runs before its first real wait (the app's methods are sync). */
  async measureAsync<T>(slot: string, fn: () => Promise<T>): Promise<T> {
    const t0 = cpuNowUs();
    try {
      return await fn();
    } finally {
      this.add(slot, cpuNowUs() - t0);
    }
  }

  add(slot: string, cpuUs: number): void {
    const s = this.slots.get(slot);
    if (s === undefined) this.slots.set(slot, { calls: 1, cpuUs });
    else {
      s.calls += 1;
      s.cpuUs += cpuUs;
    }
  }

  snapshot(): AbciCpuSnapshot {
    const slots: Record<string, CpuSlot> = {};
    for (const [k, v] of [...this.slots].sort((a, b) => (a[0] < b[0] ? -1 : 1))) slots[k] = { ...v };
    return { pid: process.pid, processCpuUs: cpuNowUs() - this.startUs, slots };
  }
}

let installed: AbciCpuMeter | undefined;

/**
 * The process-wide meter, with a SIGUSR2 handler writing its snapshot to abciCpuDumpPath(pid) (once per process:
 * several servers in one test process share it). Node's default SIGUSR2 action would kill the process; the
 * bench only signals processes whose /proc status shows SIGUSR2 caught.
 */
export function processAbciCpuMeter(): AbciCpuMeter {
  if (installed !== undefined) return installed;
  const meter = new AbciCpuMeter();
  installed = meter;
  process.on("SIGUSR2", () => {
    try {
      writeFileSync(abciCpuDumpPath(process.pid), JSON.stringify(meter.snapshot()));
    } catch {
      // measurement only: a full disk must not take the node down
    }
  });
  return meter;
}
