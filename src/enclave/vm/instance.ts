// One contract instance: compile (or take a compiled module), link the host imports, attach the gas
// meter, and expose allocate/deallocate and the entry points. The CosmWasm interface version is read from
// the exports, as Secret does (SN wasm3/module_cache.rs / validation.rs: `interface_version_8` = v1,
// `cosmwasm_vm_version_3` = v0.10; `requires_random` marks the random feature).
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
}

/** Reads the interface version and features from a compiled module's export list. */
export function inspectModule(module: WasmModule): ModuleInfo {
  const exports = new Set(Wasm.Module.exports(module).map((e) => e.name));
  let version: InterfaceVersion;
  if (exports.has(EXPORT_INTERFACE_V1)) version = "v1";
  else if (exports.has(EXPORT_INTERFACE_V010)) version = "v010";
  else throw new VmError("InvalidWasm", "module exports no known CosmWasm interface version");
  return { version, requiresRandom: exports.has(EXPORT_REQUIRES_RANDOM), exports };
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

/** A live instance plus the meter and host env its imports use. */
export class ContractInstance {
  readonly gas: GasMeter;
  readonly info: ModuleInfo;
  private readonly instance: WasmInstance;
  private readonly mem: WasmMemory;

  constructor(module: WasmModule, opts: InstanceOptions) {
    this.info = inspectModule(module);
    this.gas = new GasMeter(opts.gasLimit);
    const env: HostEnv = {
      backend: opts.backend,
      gas: this.gas,
      readonly: opts.readonly,
      debugSink: opts.debugSink,
      memory: () => this.mem,
      allocate: (size) => this.allocate(size),
    };
    try {
      this.instance = new Wasm.Instance(module, buildImports(env));
    } catch (e) {
      throw new VmError(
        "InvalidWasm",
        `cannot instantiate module: ${e instanceof Error ? e.message : "error"}`,
      );
    }
    const mem = this.instance.exports.memory;
    if (!isWasmMemory(mem)) throw new VmError("InvalidWasm", "module exports no memory");
    this.mem = mem;
    this.gas.attach(this.instance);
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
