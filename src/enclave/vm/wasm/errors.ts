// Coded errors of the wasm gatekeeper (parse, upload validation, metering, compile). Every failure the
// gatekeeper can produce is a WasmGateError with a stable code and a message safe to show a contract uploader.

/** Stable error codes; append only (callers and tests match on them). */
export type WasmGateErrorCode =
  /** Not a well-formed wasm binary (truncated, bad LEB, unknown opcode, bad nesting …). */
  | "MALFORMED"
  /** Well-formed, but uses a wasm feature we do not run (SIMD, threads, tail calls, memory64 …). */
  | "UNSUPPORTED_FEATURE"
  /** A floating-point instruction, type or value (non-deterministic across platforms). */
  | "FLOATS"
  /** Memory section missing, more than one memory, minimum too large, or maximum set. */
  | "MEMORY"
  /** Missing CosmWasm interface marker or required export, or a reserved export name. */
  | "EXPORTS"
  /** An import outside the Secret import set, or with the wrong signature. */
  | "IMPORTS"
  /** A `requires_*` export naming a feature this chain does not offer. */
  | "FEATURES"
  /** Raw or uncompressed code over MaxWasmSize, or a table/function count over our limits. */
  | "TOO_LARGE"
  /** Bad gzip stream. */
  | "GZIP"
  /** A start function (Secret refuses to run these). */
  | "START_FUNCTION"
  /** Our own instrumented output failed WebAssembly.validate: a gatekeeper bug, never the uploader's. */
  | "METERING"
  /** The code cannot be instantiated under the runtime limits (memory minimum over the runtime cap). */
  | "INSTANTIATE";

export class WasmGateError extends Error {
  override readonly name = "WasmGateError";
  constructor(
    readonly code: WasmGateErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Shorthand for the most common failure: malformed input at a byte offset. */
export function malformed(offset: number, what: string): WasmGateError {
  return new WasmGateError("MALFORMED", `invalid wasm at byte ${offset}: ${what}`);
}
