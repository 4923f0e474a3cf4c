// The native-call guard of one enclave isolate: two shared 32-bit words, `busy` (the isolate's thread sets it
// around every call into a native addon) and `closed` (the host sets it before anything may terminate that
// thread). Terminating a worker while it is inside an N-API call, or while its JS can still enter one, aborts the
// whole process (node-addon-api throws a C++ exception out of a callback once the thread is stopping), so no
// path may terminate an isolate until `closeNativeGuard` has returned. Both sides use sequentially consistent
// Atomics, so the handshake is Dekker's: worker `busy := 1; read closed`, host `closed := 1; read busy`; at least
// one of them sees the other's store, so either the worker backs off (wasm path) or the host waits for it.

/** Bytes of one guard: Int32 words `busy` (index 0) and `closed` (index 1). */
export const NATIVE_GUARD_BYTES = 8;
export const GUARD_BUSY = 0;
export const GUARD_CLOSED = 1;

/**
 * Longest the host waits for a native call to end (a verify takes ~40 µs; only a thread stalled by the OS for
 * seconds can exceed this). Past it the terminate goes ahead: a leaked or aborted process either way.
 */
export const NATIVE_GUARD_WAIT_MS = 5000;

/** A fresh guard (open, not busy) to hand to a new isolate with its workerData. */
export function createNativeGuard(): SharedArrayBuffer {
  return new SharedArrayBuffer(NATIVE_GUARD_BYTES);
}

/** Reads a guard handed over in workerData; undefined for anything else (the isolate then never goes native). */
export function nativeGuardView(buf: unknown): Int32Array | undefined {
  return buf instanceof SharedArrayBuffer && buf.byteLength === NATIVE_GUARD_BYTES
    ? new Int32Array(buf)
    : undefined;
}

/**
 * Host side, before any terminate: closes the guard (the isolate takes no native call from now on) and waits,
 * bounded, until a native call in progress has ended. True when the isolate is out of native code for good.
 */
export function closeNativeGuard(guard: Int32Array, waitMs = NATIVE_GUARD_WAIT_MS): boolean {
  Atomics.store(guard, GUARD_CLOSED, 1);
  return awaitNativeIdle(guard, performance.now() + waitMs);
}

/** Closes every guard first, then waits for each (a process exit: all isolates stop taking native calls at once). */
export function closeNativeGuards(guards: Iterable<Int32Array>, waitMs = NATIVE_GUARD_WAIT_MS): boolean {
  const all = [...guards];
  for (const g of all) Atomics.store(g, GUARD_CLOSED, 1);
  const end = performance.now() + waitMs;
  let idle = true;
  for (const g of all) idle = awaitNativeIdle(g, end) && idle;
  return idle;
}

function awaitNativeIdle(guard: Int32Array, end: number): boolean {
  while (Atomics.load(guard, GUARD_BUSY) !== 0) {
    const left = end - performance.now();
    if (left <= 0) return false;
    // Woken by the isolate's notify when it leaves native code (or by the timeout; then look again).
    Atomics.wait(guard, GUARD_BUSY, 1, Math.min(left, 50));
  }
  return true;
}

/**
 * Isolate side: marks this thread busy and returns true if it may enter native code now; false (and not busy)
 * once the host has closed the guard. Every true must be paired with `leaveNative`.
 */
export function enterNative(guard: Int32Array): boolean {
  Atomics.store(guard, GUARD_BUSY, 1);
  if (Atomics.load(guard, GUARD_CLOSED) === 0) return true;
  leaveNative(guard);
  return false;
}

/** Isolate side: the native call is over; wakes a host waiting to terminate this thread. */
export function leaveNative(guard: Int32Array): void {
  Atomics.store(guard, GUARD_BUSY, 0);
  if (Atomics.load(guard, GUARD_CLOSED) !== 0) Atomics.notify(guard, GUARD_BUSY);
}
