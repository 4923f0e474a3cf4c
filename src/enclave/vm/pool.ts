// Instance reuse. Secret runs every call in a fresh instance; allocating a fresh ≥ 1 MiB wasm memory per call
// kept V8's garbage collector busy for about half of a plaintext call. A module the metering pass marked
// reusable (no table or segment changes, memory size virtualized: ./wasm/virtualMemory.ts) has memory and
// globals as its whole mutable state, so after a clean call we restore both exactly and keep the instance:
// memory zeroed and the initial contents (data segments) rewritten, every `shroud_*` global (gas, stack,
// visible memory size, the contract's own mutable globals) set back to its value at instantiation. The
// reset happens when the call ends, so no plaintext stays in an idle instance. Bounded: 16 modules × 2 idle
// instances, each within 1 MiB of a fresh instance's memory.
import { ContractInstance, inspectModule, type InstanceOptions } from "./instance.js";
import type { WasmModule } from "./webassembly.js";

/** Idle instances kept per module: enough for a contract that queries itself (re-entrant calls). */
const MAX_IDLE_PER_MODULE = 2;
/** Modules with a pool, least recently used dropped first: bounds the memory idle instances hold. */
const MAX_POOLED_MODULES = 16;
/** An instance whose real memory grew more than this past a fresh one's is dropped (reset cost, memory held). */
const MAX_EXTRA_BYTES = 16 * 65536;
/** Zero runs shorter than this are kept inside one initial-content run (fewer, larger copies). */
const MERGE_GAP = 64;

/** A fresh instance's memory: its size and non-zero runs; everything else is zero. */
interface InitialMemory {
  readonly byteLength: number;
  readonly runs: readonly { readonly at: number; readonly bytes: Uint8Array }[];
}

interface ModulePool {
  readonly memory: InitialMemory;
  readonly globals: ReadonlyMap<string, unknown>;
  readonly idle: ContractInstance[];
}

/** Insertion order = least recently used first. */
const pools = new Map<WasmModule, ModulePool>();
/** The last module in `pools` (most recently used), or undefined: touching it again moves nothing, so it
 * skips the delete + re-insert (a Map shrinks and rehashes on such a delete: ~1% of a SNIP-20 call). */
let newest: WasmModule | undefined;

function touch(module: WasmModule, pool: ModulePool): void {
  if (module === newest) return;
  pools.delete(module);
  pools.set(module, pool);
  newest = module;
  if (pools.size > MAX_POOLED_MODULES) {
    const oldest = pools.keys().next().value!;
    pools.delete(oldest);
    if (oldest === newest) newest = undefined;
  }
}

/** The non-zero runs of a fresh memory (data segments), gaps under MERGE_GAP merged. */
function captureMemory(buf: ArrayBuffer): InitialMemory {
  const b = new Uint8Array(buf);
  const runs: { at: number; bytes: Uint8Array }[] = [];
  let i = 0;
  while (i < b.length) {
    while (i < b.length && b[i] === 0) i++;
    if (i >= b.length) break;
    const start = i;
    let lastNonZero = i;
    while (i < b.length && i - lastNonZero < MERGE_GAP) {
      if (b[i] !== 0) lastNonZero = i;
      i++;
    }
    runs.push({ at: start, bytes: b.slice(start, lastNonZero + 1) });
  }
  return { byteLength: b.length, runs };
}

/**
 * Back to a fresh instance's state. Only bytes from the call's low-water mark up can differ (every store,
 * fill, copy and host write lowers it; ./wasm/virtualMemory.ts), so only they are zeroed and the initial runs
 * there rewritten: a Rust contract's 1 MiB stack region below its data is mostly untouched (snip20 transfer:
 * ~130 KiB of 1.1 MiB). The globals' reset puts the mark back at "nothing written".
 */
function reset(inst: ContractInstance, pool: ModulePool): void {
  const mem = new Uint8Array(inst.rawMemory().buffer);
  const from = Math.min(inst.lowestWrite() ?? 0, mem.length);
  mem.fill(0, from);
  for (const r of pool.memory.runs) if (r.at + r.bytes.length > from) mem.set(r.bytes, r.at);
  inst.writeGlobals(pool.globals);
}

/**
 * An instance for one call: an idle reset one of the same module when there is one, otherwise a fresh one.
 * `reuse: false` (or a module not marked reusable) always gives a fresh instance.
 */
export function acquireInstance(module: WasmModule, opts: InstanceOptions, reuse = true): ContractInstance {
  if (!reuse || !inspectModule(module).reusable) return new ContractInstance(module, opts, false);
  const pool = pools.get(module);
  if (pool) touch(module, pool);
  const idle = pool?.idle.pop();
  if (idle) {
    idle.bind(opts);
    return idle;
  }
  const inst = new ContractInstance(module, opts);
  if (!pool) {
    const memory = captureMemory(inst.rawMemory().buffer);
    touch(module, { memory, globals: inst.initialGlobals, idle: [] });
  }
  return inst;
}

/**
 * Ends a call on `inst`. Only a call that returned normally (no trap, no host error, gas not exhausted)
 * gives its instance back; it is reset now. Anything else is dropped and collected.
 */
export function releaseInstance(module: WasmModule, inst: ContractInstance, clean: boolean): void {
  if (!clean || !inst.poolable) return;
  if (inst.gas.isExhausted() || inst.callDepthExceeded()) return;
  const pool = pools.get(module);
  if (!pool || pool.idle.length >= MAX_IDLE_PER_MODULE) return;
  const bytes = inst.rawMemory().buffer.byteLength;
  if (bytes < pool.memory.byteLength || bytes > pool.memory.byteLength + MAX_EXTRA_BYTES) return;
  try {
    reset(inst, pool);
  } catch {
    return; // cannot happen with a live memory; if it did, dropping the instance is the safe answer
  }
  inst.unbind();
  pool.idle.push(inst);
}

/** Idle instances kept for `module` (tests). */
export function idleCount(module: WasmModule): number {
  return pools.get(module)?.idle.length ?? 0;
}
