// prepareCode: the gatekeeper's one entry point for uploaded code. Inflates gzip, checks size, hashes,
// parses, validates against Secret's rules and injects metering, returning everything the VM runtime and
// the compute module need. Pure and deterministic: the same bytes always give the same result or error.
import { abytes } from "../../../util/bytes.js";
import { sha256 } from "../../crypto/hash.js";
import { analyzeBody, type BodyAnalysis } from "./analyze.js";
import { WasmGateError } from "./errors.js";
import { gunzipFirstMember } from "./gzip.js";
import { MAX_WASM_SIZE } from "./limits.js";
import { injectMetering } from "./metering.js";
import { parseModule, type WasmModule } from "./module.js";
import { validateContract, type ContractInterface, type ValidationOptions } from "./validate.js";
import { engineCompileError, wasmApi } from "./webassembly.js";

export interface PreparedCode {
  /** sha256 of the uncompressed wasm: Secret's code hash (spec §11 item 8). */
  readonly codeHash: Uint8Array;
  /** The uncompressed original, as stored on chain. */
  readonly wasm: Uint8Array;
  /** The instrumented module the runtime compiles (see README "Metering"). */
  readonly metered: Uint8Array;
  readonly interface: ContractInterface;
  readonly requiresRandom: boolean;
  /** `requires_<feature>` features, sorted. */
  readonly features: readonly string[];
  /** Names of the contract's function exports (entry points), in module order. */
  readonly exports: readonly string[];
  /** Declared memory minimum; above RUNTIME_MAX_MEMORY_PAGES the code is stored but cannot be instantiated. */
  readonly memoryMinPages: number;
}

/** gzip magic (RFC 1952) as Secret sniffs it (SN x/compute/internal/keeper/ioutil.go `gzipIdent`). */
const GZIP_IDENT = Uint8Array.of(0x1f, 0x8b, 0x08);

export function isGzip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 3 &&
    bytes[0] === GZIP_IDENT[0] &&
    bytes[1] === GZIP_IDENT[1] &&
    bytes[2] === GZIP_IDENT[2]
  );
}

/**
 * Returns the uncompressed wasm. Secret inflates the first gzip member through a reader limited to
 * MaxWasmSize and then refuses anything longer than MaxContractSize (also 2 MiB); we stop inflating at the
 * limit and refuse.
 */
export function uncompressCode(bytes: Uint8Array): Uint8Array {
  // Secret's MsgStoreCode.ValidateBasic limits the uploaded bytes, compressed or not (types/validation.go).
  if (bytes.length > MAX_WASM_SIZE) {
    throw new WasmGateError("TOO_LARGE", `cannot be longer than ${MAX_WASM_SIZE} bytes`);
  }
  return isGzip(bytes) ? gunzipFirstMember(bytes, MAX_WASM_SIZE) : bytes;
}

/** Validates and instruments uploaded code (raw or gzip). Throws WasmGateError. */
export function prepareCode(upload: Uint8Array, opts: ValidationOptions = {}): PreparedCode {
  abytes(upload, undefined, "wasm");
  const wasm = uncompressCode(upload);
  const codeHash = sha256(wasm);
  const mod = parseOrExplain(wasm);
  const analyses = analyzeAll(mod);
  if (!wasmApi.validate(wasm)) throw deserializationError(engineCompileError(wasm));
  const shape = validateContract(mod, analyses, opts);
  const metered = injectMetering(mod, analyses);
  if (!wasmApi.validate(metered)) {
    // Our own output being invalid is a gatekeeper bug, never the uploader's fault: say so.
    throw new WasmGateError("METERING", `failed to inject gas metering: ${engineCompileError(metered)}`);
  }
  return {
    codeHash,
    wasm,
    metered,
    interface: shape.interface,
    requiresRandom: shape.requiresRandom,
    features: shape.features,
    exports: mod.exports.filter((e) => e.kind === "func").map((e) => e.name),
    memoryMinPages: mod.memories[0]?.min ?? 0,
  };
}

/** Wording of CosmWasm's static check (SN sgx-vm/src/compatability.rs check_wasm). */
function deserializationError(detail: string): WasmGateError {
  return new WasmGateError(
    "MALFORMED",
    `Wasm bytecode could not be deserialized. Deserialization error: "${detail}"`,
  );
}

function parseOrExplain(wasm: Uint8Array): WasmModule {
  try {
    return parseModule(wasm);
  } catch (e) {
    if (e instanceof WasmGateError && e.code === "MALFORMED") throw deserializationError(e.message);
    throw e;
  }
}

function analyzeAll(mod: WasmModule): BodyAnalysis[] {
  try {
    return mod.codes.map((code, i) => analyzeBody(mod, mod.importedFuncCount + i, code));
  } catch (e) {
    if (e instanceof WasmGateError && e.code === "MALFORMED") throw deserializationError(e.message);
    throw e;
  }
}
