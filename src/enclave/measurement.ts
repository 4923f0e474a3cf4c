// The software TEE's "MRENCLAVE": sha256 over the enclave's code bundle (sorted relative paths + contents),
// so sealed data and attestation bind to exactly this code. See README.keys.md §Measurement.
import { readdirSync, readFileSync, lstatSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { concatBytes, u32be, u64be, utf8 } from "../util/bytes.js";
import { sha256 } from "./crypto/hash.js";
import { EnclaveError } from "./errors.js";

/** 32-byte measurement, like SGX MRENCLAVE. */
export const MEASUREMENT_SIZE = 32;

/** Domain tag so a measurement can never equal a hash of anything else we compute. */
const MEASUREMENT_DOMAIN = utf8.encode("shroud/enclave-measurement/v1\0");

/**
 * Directories measured, relative to the directory that contains `enclave/` (src/ or dist/): the enclave
 * itself and util/, the only code outside it that enclave files import (a test checks that claim).
 */
export const MEASURED_ROOTS: readonly string[] = Object.freeze(["enclave", "util"]);

/** True for files that are not enclave code: tests, test data, docs, type declarations and source maps. */
export function isExcludedFromMeasurement(relPath: string): boolean {
  const parts = relPath.split("/");
  const name = parts[parts.length - 1] ?? "";
  if (parts.includes("testdata") || parts.includes("node_modules")) return true;
  return (
    /\.test\.[cm]?[jt]s$/.test(name) ||
    name.endsWith(".md") ||
    name.endsWith(".d.ts") ||
    name.endsWith(".map") ||
    name.endsWith(".tsbuildinfo")
  );
}

function walk(base: string, dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    const abs = join(dir, name);
    const rel = relative(base, abs).split(sep).join("/");
    const st = lstatSync(abs);
    if (st.isDirectory()) {
      if (!isExcludedFromMeasurement(rel + "/x")) walk(base, abs, out);
    } else if (st.isFile()) {
      if (!isExcludedFromMeasurement(rel)) out.push(rel);
    } else {
      // A symlink or device could point at unmeasured code: refuse rather than guess.
      throw new EnclaveError("InternalError", `unmeasurable entry in enclave bundle: ${rel}`);
    }
  }
}

/** The sorted (byte order of UTF-8 paths) list of measured files under `baseDir`. */
export function listMeasuredFiles(baseDir: string): string[] {
  const files: string[] = [];
  for (const root of MEASURED_ROOTS) walk(baseDir, join(baseDir, root), files);
  return files.sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
}

/**
 * sha256(domain ‖ u32(count) ‖ for each file: u32(len(path)) ‖ path ‖ u64(len(content)) ‖ content), paths
 * relative to `baseDir` with "/" separators.
 */
export function measureCodeBundle(baseDir: string): Uint8Array {
  const files = listMeasuredFiles(baseDir);
  const parts: Uint8Array[] = [MEASUREMENT_DOMAIN, u32be(files.length)];
  for (const rel of files) {
    const path = utf8.encode(rel);
    const content = new Uint8Array(readFileSync(join(baseDir, rel)));
    parts.push(u32be(path.length), path, u64be(BigInt(content.length)), content);
  }
  return sha256(concatBytes(...parts));
}

/** The directory holding `enclave/` for this running code: src/ under tsx, dist/ when compiled. */
export function defaultBundleBaseDir(): string {
  return dirname(dirname(fileURLToPath(import.meta.url)));
}

let cached: Uint8Array | undefined;

/** This enclave's own measurement, computed once per process from the files it was loaded from. */
export function enclaveMeasurement(): Uint8Array {
  cached ??= measureCodeBundle(defaultBundleBaseDir());
  return Uint8Array.from(cached);
}
