// A typed handle on the engine's global `WebAssembly`. The project compiles with lib ES2022 and no DOM
// lib, so TypeScript has no WebAssembly declarations; we declare only what the VM uses, in a module
// (not a global `declare`), so another file declaring the same names cannot clash with ours.

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  /** Set on a virtualized memory (reusable modules): the bytes the contract may address, ≤ buffer size. */
  readonly visibleBytes?: number;
  grow(deltaPages: number): number;
  /** Set on a virtualized memory: the host wrote at `offset` and above (lowers the reset's low-water mark). */
  noteWrite?(offset: number): void;
}

export interface WasmGlobal {
  value: unknown;
}

export type WasmExportValue = WasmMemory | WasmGlobal | ((...args: never[]) => unknown);

export interface WasmModule {
  readonly __brand?: "WasmModule";
}

export interface WasmInstance {
  readonly exports: Readonly<Record<string, WasmExportValue | undefined>>;
}

export type WasmImportValue = ((...args: never[]) => unknown) | WasmMemory | WasmGlobal | number;
export type WasmImports = Record<string, Record<string, WasmImportValue>>;

export interface WasmModuleExportDescriptor {
  readonly name: string;
  readonly kind: "function" | "table" | "memory" | "global" | "tag";
}

export interface WasmModuleImportDescriptor {
  readonly module: string;
  readonly name: string;
  readonly kind: "function" | "table" | "memory" | "global" | "tag";
}

interface WasmModuleCtor {
  new (bytes: Uint8Array): WasmModule;
  exports(module: WasmModule): WasmModuleExportDescriptor[];
  imports(module: WasmModule): WasmModuleImportDescriptor[];
}

interface WasmNamespace {
  Module: WasmModuleCtor;
  Instance: new (module: WasmModule, imports: WasmImports) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  Global: new (descriptor: { value: "i32" | "i64"; mutable: boolean }, value: number | bigint) => WasmGlobal;
  validate(bytes: Uint8Array): boolean;
  CompileError: new (...args: never[]) => Error;
  RuntimeError: new (...args: never[]) => Error;
  LinkError: new (...args: never[]) => Error;
}

/** The engine's WebAssembly namespace (V8 in Node), typed for the VM. */
export const Wasm: WasmNamespace = (globalThis as unknown as { WebAssembly: WasmNamespace }).WebAssembly;

export function isWasmMemory(v: unknown): v is WasmMemory {
  return typeof v === "object" && v !== null && "buffer" in v && "grow" in v;
}

export function isWasmGlobal(v: unknown): v is WasmGlobal {
  return typeof v === "object" && v !== null && "value" in v && !("buffer" in v);
}
