// Test helpers for the gatekeeper's tests: WAT → wasm through the `wabt` devDependency, metered
// instantiation and gas bookkeeping through the exported globals. Not imported by production code.
import { EXPORT_DEPTH_EXCEEDED, EXPORT_GAS_EXHAUSTED, EXPORT_GAS_LEFT, EXPORT_STACK_LEFT } from "./limits.js";
import { injectMetering } from "./metering.js";
import { parseModule } from "./module.js";
import {
  wasmApi,
  type WebAssemblyGlobal,
  type WebAssemblyImports,
  type WebAssemblyInstance,
} from "./webassembly.js";

interface Wabt {
  parseWat(
    name: string,
    text: string,
    features?: Record<string, boolean>,
  ): { validate(): void; toBinary(o: object): { buffer: Uint8Array }; destroy(): void };
}

let wabtPromise: Promise<Wabt> | undefined;

/**
 * Compiles WAT text to wasm bytes (bulk memory, sign extension, multi-value enabled). With `check` false,
 * wabt skips type checking, for building ill-typed modules on purpose.
 */
export async function wat(text: string, check = true): Promise<Uint8Array> {
  wabtPromise ??= import("wabt").then(async (m) => (await m.default()) as unknown as Wabt);
  const wabt = await wabtPromise;
  const mod = wabt.parseWat("test.wat", text, {
    bulk_memory: true,
    sign_extension: true,
    multi_value: true,
    sat_float_to_int: true,
  });
  try {
    if (check) mod.validate();
    return new Uint8Array(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

export function instantiate(bytes: Uint8Array, imports: WebAssemblyImports = {}): WebAssemblyInstance {
  return new wasmApi.Instance(new wasmApi.Module(bytes), imports);
}

/** A metered instance plus gas helpers, as the VM runtime will use it. */
export class Metered {
  readonly instance: WebAssemblyInstance;
  constructor(original: Uint8Array, imports: WebAssemblyImports = {}) {
    this.instance = instantiate(injectMetering(parseModule(original)), imports);
  }
  global(name: string): WebAssemblyGlobal {
    return this.instance.exports[name] as WebAssemblyGlobal;
  }
  get gasLeft(): bigint {
    return BigInt.asUintN(64, this.global(EXPORT_GAS_LEFT).value as bigint);
  }
  set gasLeft(v: bigint) {
    this.global(EXPORT_GAS_LEFT).value = BigInt.asIntN(64, v);
  }
  get exhausted(): bigint {
    return this.global(EXPORT_GAS_EXHAUSTED).value as bigint;
  }
  get stackLeft(): number {
    return this.global(EXPORT_STACK_LEFT).value as number;
  }
  get depthExceeded(): number {
    return this.global(EXPORT_DEPTH_EXCEEDED).value as number;
  }
  fn(name: string): (...args: (number | bigint)[]) => unknown {
    return this.instance.exports[name] as (...args: (number | bigint)[]) => unknown;
  }
  /** Calls `name` with `limit` gas; returns the result and the gas used. */
  call(name: string, limit: bigint, ...args: (number | bigint)[]): { result: unknown; used: bigint } {
    this.gasLeft = limit;
    const result = this.fn(name)(...args);
    return { result, used: limit - this.gasLeft };
  }
}

/** Deterministic xorshift32 generator for fuzzing (seeded; never Math.random). */
export function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}
