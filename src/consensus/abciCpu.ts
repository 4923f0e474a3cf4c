// Per-ABCI-method CPU meter of a node process (issue 6 throughput): where a localnet node's CPU goes per request
// type (CheckTx NEW vs RECHECK, ProcessProposal, FinalizeBlock, …), framing/protobuf, and everything else.
// Read by the bench through a JSON file written on SIGUSR2; measurement only, never consensus input. Off until
// the first SIGUSR2: each reading is a getrusage syscall (~6 per request) that only the bench wants.
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
  private startUs = cpuNowUs();
  private lastUs = this.startUs;

  /** `enabled: false` runs the measured functions bare until enable() (the process meter's first SIGUSR2). */
  constructor(private enabled = true) {}

  get isEnabled(): boolean {
    return this.enabled;
  }

  /** Starts charging; the process total counts from here. */
  enable(): void {
    if (this.enabled) return;
    this.enabled = true;
    this.startUs = cpuNowUs();
  }

  /**
   * Runs `fn`, charging the process CPU it used to `slot` (fn is synchronous or its CPU is in the sync part).
   * `from`: a reading this meter just took (`last`, `read()`) to start from instead of taking another one: the
   * socket server chains a request's decode, handling and encode on shared readings (each is a syscall).
   */
  measure<T>(slot: string, fn: () => T, from?: number): T {
    if (!this.enabled) return fn();
    const t0 = from ?? cpuNowUs();
    try {
      return fn();
    } finally {
      this.charge(slot, t0);
    }
  }

  /** The meter's CPU reading now (µs), kept as `last`. */
  read(): number {
    this.lastUs = cpuNowUs();
    return this.lastUs;
  }

  /** The reading taken last (by `read`, or at the end of a charge or a synchronous measure). */
  get last(): number {
    return this.lastUs;
  }

  /** Charges `slot` with the CPU used since the reading `t0`; returns the one reading it takes (`last`). */
  charge(slot: string, t0: number): number {
    const t = this.read();
    this.add(slot, t - t0);
    return t;
  }

  /** Like measure, for an async fn whose CPU runs before its first real wait (the app's methods are sync). */
  async measureAsync<T>(slot: string, fn: () => Promise<T>): Promise<T> {
    if (!this.enabled) return fn();
    const t0 = cpuNowUs();
    try {
      return await fn();
    } finally {
      this.add(slot, cpuNowUs() - t0);
    }
  }

  /**
   * `measure` for a function that returns a value or a Promise: a Promise is charged as in `measureAsync`.
   * `from` as in `measure`.
   */
  measureNow<T>(slot: string, fn: () => T | Promise<T>, from?: number): T | Promise<T> {
    if (!this.enabled) return fn();
    const t0 = from ?? cpuNowUs();
    let r: T | Promise<T>;
    try {
      r = fn();
    } catch (e) {
      this.charge(slot, t0);
      throw e;
    }
    if (typeof (r as { then?: unknown } | null)?.then !== "function") {
      this.charge(slot, t0);
      return r;
    }
    return (r as Promise<T>).finally(() => {
      this.add(slot, cpuNowUs() - t0);
    });
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
 * The process-wide meter, off until the first SIGUSR2, whose handler (like every later one) writes its snapshot
 * to abciCpuDumpPath(pid) (once per process: several servers in one test process share it). The bench signals
 * before and after its load and takes the difference. Node's default SIGUSR2 action would kill the process; the
 * bench only signals processes whose /proc status shows SIGUSR2 caught.
 */
export function processAbciCpuMeter(): AbciCpuMeter {
  if (installed !== undefined) return installed;
  const meter = new AbciCpuMeter(false);
  installed = meter;
  process.on("SIGUSR2", () => {
    meter.enable();
    try {
      writeFileSync(abciCpuDumpPath(process.pid), JSON.stringify(meter.snapshot()));
    } catch {
      // measurement only: a full disk must not take the node down
    }
  });
  return meter;
}
