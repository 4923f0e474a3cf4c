// Typed access to the engine's WebAssembly API. The project compiles without the DOM lib, which is where
// TypeScript declares `WebAssembly`, so we describe the small part we use and read it from globalThis.

/** An engine-compiled module (opaque). */
export interface WebAssemblyModule {
  readonly __brand?: "WebAssembly.Module";
}

export interface WebAssemblyGlobal {
  value: number | bigint;
}

export interface WebAssemblyMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface WebAssemblyInstance {
  readonly exports: Readonly<Record<string, unknown>>;
}

export type WebAssemblyImports = Record<string, Record<string, unknown>>;

interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WebAssemblyModule;
  Instance: new (module: WebAssemblyModule, imports?: WebAssemblyImports) => WebAssemblyInstance;
}

export const wasmApi: WebAssemblyApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** The engine's compile error message for bytes `validate` rejected (only called on the failure path). */
export function engineCompileError(bytes: Uint8Array): string {
  try {
    new wasmApi.Module(bytes);
    return "unknown validation error";
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
