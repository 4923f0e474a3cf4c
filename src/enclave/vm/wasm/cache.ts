// Compiled-code cache: V8 compilation is the expensive step of running a contract, so compiled
// WebAssembly.Modules are kept, least recently used first out, bounded by entry count and total bytes.
// Only the runtime's speed depends on it: a miss recompiles the same metered bytes to the same behaviour.
import { abytes } from "../../../util/bytes.js";
import { byteString } from "../../byteMemo.js";
import { WasmGateError } from "./errors.js";
import { RUNTIME_MAX_MEMORY_PAGES } from "./limits.js";
import { wasmApi, type WebAssemblyModule } from "./webassembly.js";

/** What the cache needs from a PreparedCode. */
export interface CompilableCode {
  readonly codeHash: Uint8Array;
  readonly metered: Uint8Array;
  readonly memoryMinPages: number;
}

export interface CacheLimits {
  /** Most modules kept. */
  readonly maxEntries: number;
  /** Most metered wasm bytes kept (a proxy for compiled size, which V8 does not report). */
  readonly maxBytes: number;
}

/** Defaults: a few dozen typical contracts (Secret's enclave module cache is configured by count alone). */
export const DEFAULT_CACHE_LIMITS: CacheLimits = { maxEntries: 64, maxBytes: 128 * 1024 * 1024 };

export interface CacheStats {
  readonly entries: number;
  readonly bytes: number;
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
}

interface Entry {
  readonly module: WebAssemblyModule;
  readonly size: number;
}

/**
 * Compiles metered code, first refusing what Secret's enclave refuses at instantiation: a memory minimum
 * above the runtime cap (SN wasm3/validation.rs, "failed to initialize wasm memory").
 */
export function compileMetered(code: CompilableCode): WebAssemblyModule {
  if (code.memoryMinPages > RUNTIME_MAX_MEMORY_PAGES) {
    throw new WasmGateError("INSTANTIATE", "failed to initialize wasm memory");
  }
  return new wasmApi.Module(code.metered);
}

export class CompiledCodeCache {
  private readonly entries = new Map<string, Entry>(); // Map order = least recently used first
  /** The last key in `entries` (the most recently used) and its entry, or undefined: a hit on it moves
   * nothing, so it skips the delete + re-insert (a Map shrinks and rehashes on such a delete). */
  private newest: string | undefined;
  private newestEntry: Entry | undefined;
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(private readonly limits: CacheLimits = DEFAULT_CACHE_LIMITS) {
    if (!Number.isSafeInteger(limits.maxEntries) || limits.maxEntries < 1) {
      throw new RangeError("cache maxEntries must be a positive integer");
    }
    if (!Number.isSafeInteger(limits.maxBytes) || limits.maxBytes < 1) {
      throw new RangeError("cache maxBytes must be a positive integer");
    }
  }

  /** The compiled module for `code`, compiling and caching it on a miss. */
  getOrCompile(code: CompilableCode): WebAssemblyModule {
    const key = byteString(abytes(code.codeHash, 32, "codeHash"));
    abytes(code.metered, undefined, "metered");
    const hit = this.lookup(key);
    if (hit !== undefined) return hit.module;
    this.misses++;
    const module = compileMetered(code);
    const size = code.metered.length;
    if (size <= this.limits.maxBytes) {
      const entry = { module, size };
      this.entries.set(key, entry);
      this.newest = key;
      this.newestEntry = entry;
      this.bytes += size;
      this.evict();
    }
    return module;
  }

  /** The entry of `key` (counted as a hit and made most recent), or undefined. */
  private lookup(key: string): Entry | undefined {
    if (key === this.newest) {
      this.hits++;
      return this.newestEntry;
    }
    const hit = this.entries.get(key);
    if (hit === undefined) return undefined;
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, hit);
    this.newest = key;
    this.newestEntry = hit;
    return hit;
  }

  /** The cached module of `codeHash` (counted as a hit and made most recent), or undefined: one lookup. */
  cached(codeHash: Uint8Array): WebAssemblyModule | undefined {
    return this.lookup(byteString(codeHash))?.module;
  }

  has(codeHash: Uint8Array): boolean {
    return this.entries.has(byteString(codeHash));
  }

  delete(codeHash: Uint8Array): boolean {
    const key = byteString(codeHash);
    const e = this.entries.get(key);
    if (e === undefined) return false;
    this.entries.delete(key);
    this.forgetNewest(key);
    this.bytes -= e.size;
    return true;
  }

  stats(): CacheStats {
    const { hits, misses, evictions, bytes } = this;
    return { entries: this.entries.size, bytes, hits, misses, evictions };
  }

  private evict(): void {
    while (this.entries.size > this.limits.maxEntries || this.bytes > this.limits.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) return;
      const e = this.entries.get(oldest.value)!;
      this.entries.delete(oldest.value);
      this.forgetNewest(oldest.value);
      this.bytes -= e.size;
      this.evictions++;
    }
  }

  private forgetNewest(key: string): void {
    if (key !== this.newest) return;
    this.newest = undefined;
    this.newestEntry = undefined;
  }
}
