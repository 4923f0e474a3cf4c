// CPU time of the calling thread, exact to the ns, for the benches' per-thread figures (Linux).
import { openSync, readSync } from "node:fs";

let fd: number | undefined;
const buf = Buffer.alloc(128);

/**
 * ns on CPU of the calling thread: /proc/thread-self/schedstat (time on CPU) read right after a
 * getrusage(RUSAGE_SELF) (process.cpuUsage), which brings the running thread's own runtime up to date. Without
 * that call the kernel reports the runtime as of this thread's last tick or context switch, so a window that
 * opens with a read and closes after a sleep (an ECALL's first mailbox wait) is charged with the CPU the thread
 * spent *before* the window since then: that bias made "of it in ECALLs" read ~1.2 ms per SNIP-20 transfer
 * where the fresh reading gives ~0.5 (bench/chain/probe.ts). One descriptor, read again from offset 0 (~5 µs)
 * instead of readFileSync (~40-50 µs); it names the thread that opened it: call only from the main thread.
 * NaN off Linux.
 */
export function threadCpuNs(): number {
  try {
    fd ??= openSync("/proc/thread-self/schedstat", "r");
    process.cpuUsage();
    const n = readSync(fd, buf, 0, buf.length, 0);
    const s = buf.toString("latin1", 0, n);
    return Number(s.slice(0, s.indexOf(" ")));
  } catch {
    return NaN;
  }
}

/** threadCpuNs in ms. */
export function threadCpuMs(): number {
  return threadCpuNs() / 1e6;
}
