// Wasm upload handling shared by the msg server (validation) and queries (the code query returns raw wasm).
import { gunzipSync } from "node:zlib";
import { equalBytes } from "../../../util/bytes.js";
import { ChainError } from "../../errors.js";
import { ComputeErrors } from "./errors.js";

/** Largest uncompressed wasm (SN x/compute/internal/types/validation.go MaxWasmSize; spec §10). */
export const MAX_WASM_SIZE = 2 * 1024 * 1024;
const GZIP_MAGIC = Uint8Array.of(0x1f, 0x8b);

/** The raw wasm of an upload: gzip is inflated through a MaxWasmSize limit (SN ioutil.go). */
export function uncompressUpload(b: Uint8Array): Uint8Array {
  if (b.length >= 2 && equalBytes(b.subarray(0, 2), GZIP_MAGIC)) {
    try {
      return new Uint8Array(gunzipSync(b, { maxOutputLength: MAX_WASM_SIZE }));
    } catch {
      throw new ChainError(ComputeErrors.CreateFailed, "cannot uncompress wasm (or larger than MaxWasmSize)");
    }
  }
  if (b.length > MAX_WASM_SIZE)
    throw new ChainError(ComputeErrors.CreateFailed, "wasm larger than MaxWasmSize");
  return b;
}
