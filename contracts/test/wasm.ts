// Typed handle on the engine's global `WebAssembly` for these tests: the project compiles with lib ES2022 and
// no DOM lib, so TypeScript has no WebAssembly declarations. Only what the tests use is declared.

export interface WasmModule {
  readonly __brand?: "WasmModule";
}
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
interface Descriptor {
  readonly module: string;
  readonly name: string;
  readonly kind: string;
}
interface WasmApi {
  Module: (new (bytes: Uint8Array) => WasmModule) & {
    exports(m: WasmModule): Descriptor[];
    imports(m: WasmModule): Descriptor[];
  };
  Instance: new (m: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  RuntimeError: new (...args: never[]) => Error;
}

export const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
