// One contract instance: compile (or take a compiled module), link the host imports, attach the gas
// meter, and expose allocate/deallocate and the entry points. The CosmWasm interface version is read from
// the exports, as Secret does (SN wasm3/module_cache.rs / validation.rs: `interface_version_8` = v1,
// `cosmwasm_vm_version_3` = v0.10; `requires_random` marks the random feature). An instance of a reusable
// module can be bound to a new call (`bind`) after ./pool.ts has reset it.
import { VmError } from "./errors.js";
import { GasMeter } from "./gas.js";
import { buildImports, type HostEnv } from "./imports.js";
import type { Backend } from "./backend.js";
import {
  Wasm,
  isWasmGlobal,
  isWasmMemory,
  type WasmInstance,
  type WasmMemory,
  type WasmModule,
} from "./webassembly.js";

/** The metering pass's stack-depth flag export (src/enclave/vm/wasm/limits.ts EXPORT_DEPTH_EXCEEDED). */
const EXPORT_DEPTH_EXCEEDED = "shroud_depth_exceeded";
/** The metering pass's exports for reusable modules (src/enclave/vm/wasm/limits.ts, virtualMemory.ts). */
const EXPORT_REUSABLE = "shroud_reusable";
const EXPORT_MEMORY_BYTES = "shroud_memory_bytes";
const EXPORT_MEMORY_PAGES = "shroud_memory_pages";
/** The lowest address written (i32, unsigned; -1 = none): ./pool.ts resets memory from there up. */
export const EXPORT_MEMORY_LOW = "shroud_memory_low";
/** Every global the metering pass exports (gas, stack, memory size, the contract's own mutable globals). */
const RESERVED_PREFIX = "shroud_";

export type InterfaceVersion = "v1" | "v010";

/** Export marking a CosmWasm 1.x contract (cosmwasm-std `interface_version_8`). */
export const EXPORT_INTERFACE_V1 = "interface_version_8";
/** Export marking a CosmWasm 0.10 contract (cosmwasm-std 0.10 `cosmwasm_vm_version_3`). */
export const EXPORT_INTERFACE_V010 = "cosmwasm_vm_version_3";
/** Export a v1 contract adds to receive `env.block.random` (spec secret-protocol §9). */
export const EXPORT_REQUIRES_RANDOM = "requires_random";

export interface ModuleInfo {
  readonly version: InterfaceVersion;
  readonly requiresRandom: boolean;
  readonly exports: ReadonlySet<string>;
  /** The metering pass marked it reusable and virtualized its memory size (./pool.ts). */
  readonly reusable: boolean;
}

/** Export lists are read once per compiled module (every call asked V8 for them again). */
const infoCache = new WeakMap<WasmModule, ModuleInfo>();

/** Reads the interface version and features from a compiled module's export list. */
export function inspectModule(module: WasmModule): ModuleInfo {
  const cached = infoCache.get(module);
  if (cached) return cached;
  const exports = new Set(Wasm.Module.exports(module).map((e) => e.name));
  let version: InterfaceVersion;
  if (exports.has(EXPORT_INTERFACE_V1)) version = "v1";
  else if (exports.has(EXPORT_INTERFACE_V010)) version = "v010";
  else throw new VmError("InvalidWasm", "module exports no known CosmWasm interface version");
  const reusable =
    exports.has(EXPORT_REUSABLE) && exports.has(EXPORT_MEMORY_BYTES) && exports.has(EXPORT_MEMORY_PAGES);
  const info = { version, requiresRandom: exports.has(EXPORT_REQUIRES_RANDOM), exports, reusable };
  infoCache.set(module, info);
  return info;
}

/** Compiles raw wasm bytes. Production code gets a metered, validated module from ./wasm `prepareCode`. */
export function compileModule(wasm: Uint8Array): WasmModule {
  try {
    return new Wasm.Module(wasm);
  } catch (e) {
    throw new VmError("InvalidWasm", `cannot compile module: ${e instanceof Error ? e.message : "error"}`);
  }
}

export interface InstanceOptions {
  readonly backend: Backend;
  readonly gasLimit: bigint;
  readonly readonly: boolean;
  readonly debugSink?: ((message: string) => void) | undefined;
}

type BoundEnv = { -readonly [K in keyof HostEnv]: HostEnv[K] };

function unbound(): never {
  throw new VmError("Backend", "instance is not bound to a call");
}

/** What an idle pooled instance holds instead of a call's backend (so it keeps no storage or keys alive). */
const UNBOUND_BACKEND: Backend = {
  storage: { get: unbound, set: unbound, remove: unbound },
  api: { addrValidate: unbound, addrCanonicalize: unbound, addrHumanize: unbound },
  querier: { queryRaw: unbound },
};

const NO_GLOBALS: ReadonlyMap<string, unknown> = new Map();

/** A live instance plus the meter and host env its imports use. */
export class ContractInstance {
  readonly info: ModuleInfo;
  /** Values of the `shroud_*` globals right after instantiation, before any call (what a reset restores); empty
   * unless the module is reusable and the instance may be pooled. */
  readonly initialGlobals: ReadonlyMap<string, unknown>;
  /** May be reset and reused (a reusable module, constructed with `pooled`). */
  readonly poolable: boolean;
  private meter: GasMeter;
  private readonly env: BoundEnv;
  private readonly instance: WasmInstance;
  private readonly mem: WasmMemory;

  /**
   * `pooled: false` for an instance that will never be reset and reused (./pool.ts): it skips recording the
   * initial globals and binds the host to the real memory, which in an instance never reset always has exactly
   * the visible size (the virtual grow grows the real memory whenever the visible size passes it).
   */
  constructor(module: WasmModule, opts: InstanceOptions, pooled = true) {
    this.info = inspectModule(module);
    this.meter = new GasMeter(opts.gasLimit);
    this.env = {
      backend: opts.backend,
      gas: this.meter,
      readonly: opts.readonly,
      debugSink: opts.debugSink,
      memory: () => this.mem,
      allocate: (size) => this.allocate(size),
    };
    try {
      this.instance = new Wasm.Instance(module, buildImports(this.env));
    } catch (e) {
      throw new VmError(
        "InvalidWasm",
        `cannot instantiate module: ${e instanceof Error ? e.message : "error"}`,
      );
    }
    const mem = this.instance.exports.memory;
    if (!isWasmMemory(mem)) throw new VmError("InvalidWasm", "module exports no memory");
    this.poolable = this.info.reusable && pooled;
    this.mem = this.poolable ? this.visibleMemory(mem) : mem;
    this.initialGlobals = this.poolable ? this.readGlobals() : NO_GLOBALS;
    this.meter.attach(this.instance);
  }

  get gas(): GasMeter {
    return this.meter;
  }

  /** Binds a (reset) instance to a new call: backend, query mode, debug sink and a new gas meter. */
  bind(opts: InstanceOptions): void {
    this.meter = new GasMeter(opts.gasLimit);
    this.env.gas = this.meter;
    this.env.backend = opts.backend;
    this.env.readonly = opts.readonly;
    this.env.debugSink = opts.debugSink;
    this.meter.attach(this.instance);
  }

  /** Drops the call's backend and debug sink (an idle pooled instance references neither). */
  unbind(): void {
    this.env.backend = UNBOUND_BACKEND;
    this.env.debugSink = undefined;
  }

  /** The real memory (for resets; may be larger than what the contract sees). */
  rawMemory(): WasmMemory {
    const mem = this.instance.exports.memory;
    if (!isWasmMemory(mem)) throw new VmError("InvalidWasm", "module exports no memory");
    return mem;
  }

  /** The lowest address written since instantiation or the last reset (unsigned); undefined if untracked. */
  lowestWrite(): number | undefined {
    const g = this.instance.exports[EXPORT_MEMORY_LOW];
    return isWasmGlobal(g) ? (g.value as number) >>> 0 : undefined;
  }

  /** Current values of every exported `shroud_*` global. */
  readGlobals(): Map<string, unknown> {
    const out = new Map<string, unknown>();
    for (const [name, g] of Object.entries(this.instance.exports)) {
      if (name.startsWith(RESERVED_PREFIX) && name !== EXPORT_REUSABLE && isWasmGlobal(g))
        out.set(name, g.value);
    }
    return out;
  }

  /** Writes exported globals back (a reset; only names from `readGlobals`). */
  writeGlobals(values: ReadonlyMap<string, unknown>): void {
    for (const [name, v] of values) {
      const g = this.instance.exports[name];
      if (isWasmGlobal(g) && g.value !== v) g.value = v;
    }
  }

  /** For a virtualized module: the memory as the contract sees it (host bounds use the visible size). */
  private visibleMemory(mem: WasmMemory): WasmMemory {
    const bytes = this.instance.exports[EXPORT_MEMORY_BYTES];
    if (!isWasmGlobal(bytes)) throw new VmError("InvalidWasm", "module exports no memory size");
    const exported = this.instance.exports[EXPORT_MEMORY_LOW];
    const low = isWasmGlobal(exported) ? exported : undefined; // absent: the pool resets all memory
    return {
      get buffer() {
        return mem.buffer;
      },
      get visibleBytes() {
        return Number(bytes.value);
      },
      grow: (n: number) => mem.grow(n),
      noteWrite(offset: number): void {
        if (low !== undefined && offset >>> 0 < (low.value as number) >>> 0) low.value = offset | 0;
      },
    };
  }

  memory(): WasmMemory {
    return this.mem;
  }

  hasExport(name: string): boolean {
    return typeof this.instance.exports[name] === "function";
  }

  /** The exported function `name`; InvalidWasm when missing. */
  fn(name: string): (...args: number[]) => unknown {
    const f = this.instance.exports[name];
    if (typeof f !== "function") throw new VmError("InvalidWasm", `module does not export "${name}"`);
    return f as (...args: number[]) => unknown;
  }

  /** True when the metering pass's stack-budget flag (`shroud_depth_exceeded`, ./wasm limits.ts) is set. */
  callDepthExceeded(): boolean {
    const g = this.instance.exports[EXPORT_DEPTH_EXCEEDED];
    return isWasmGlobal(g) && g.value !== 0;
  }

  /** Calls the contract's allocate(size) and returns the Region pointer. */
  allocate(size: number): number {
    const ptr = this.fn("allocate")(size);
    if (typeof ptr !== "number" || ptr === 0)
      throw new VmError("Allocation", "allocate returned a null region");
    return ptr >>> 0;
  }

  /** Calls the contract's deallocate(ptr) when it exports one (cleanup is best effort). */
  deallocate(ptr: number): void {
    if (this.hasExport("deallocate")) this.fn("deallocate")(ptr);
  }
}
