// The software TEE's "MRENCLAVE": sha256 over the enclave's code bundle (sorted relative paths + contents) and the
// native code it loads (the libsecp256k1 addon), so sealed data and attestation bind to exactly this code. See
// README.keys.md §Measurement.
import { readdirSync, readFileSync, lstatSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { concatBytes, u32be, u64be, utf8 } from "../util/bytes.js";
import { sha256 } from "./crypto/hash.js";
import { nativeAddonImage } from "./crypto/nativeSecp256k1.js";
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

/** Native code the enclave loads, measured under a path of its own (no source file can have it). */
export interface NativeCode {
  readonly path: string;
  readonly content: Uint8Array;
}

/** Where the libsecp256k1 addon's bytes sit in the measured list. */
export const NATIVE_SECP256K1_PATH = "native/secp256k1.node";

/**
 * The native code this enclave loads on this platform: the libsecp256k1 addon image (crypto/nativeSecp256k1.ts
 * loads a copy of exactly these bytes), or nothing where no prebuilt addon exists (wasm only).
 */
export function enclaveNativeCode(): NativeCode[] {
  const image = nativeAddonImage();
  return image === null ? [] : [{ path: NATIVE_SECP256K1_PATH, content: image }];
}

/** The sorted (byte order of UTF-8 paths) list of measured files under `baseDir`. */
export function listMeasuredFiles(baseDir: string): string[] {
  const files: string[] = [];
  for (const root of MEASURED_ROOTS) walk(baseDir, join(baseDir, root), files);
  return files.sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
}

/**
 * sha256(domain ‖ u32(count) ‖ for each entry: u32(len(path)) ‖ path ‖ u64(len(content)) ‖ content), over the
 * files under `baseDir` (paths relative to it, "/" separators) and the `native` code entries, all sorted by path.
 */
export function measureCodeBundle(baseDir: string, native: readonly NativeCode[] = []): Uint8Array {
  const entries: NativeCode[] = listMeasuredFiles(baseDir).map((rel) => ({
    path: rel,
    content: new Uint8Array(readFileSync(join(baseDir, rel))),
  }));
  for (const n of native) {
    if (entries.some((e) => e.path === n.path))
      throw new EnclaveError("InternalError", `native code path clashes with a file: ${n.path}`);
    entries.push(n);
  }
  entries.sort((a, b) => Buffer.compare(Buffer.from(a.path, "utf8"), Buffer.from(b.path, "utf8")));
  const parts: Uint8Array[] = [MEASUREMENT_DOMAIN, u32be(entries.length)];
  for (const e of entries) {
    const path = utf8.encode(e.path);
    parts.push(u32be(path.length), path, u64be(BigInt(e.content.length)), e.content);
  }
  return sha256(concatBytes(...parts));
}

/** The directory holding `enclave/` for this running code: src/ under tsx, dist/ when compiled. */
export function defaultBundleBaseDir(): string {
  return dirname(dirname(fileURLToPath(import.meta.url)));
}

let cached: Uint8Array | undefined;

/** This enclave's own measurement, computed once per process from the files and native code it runs. */
export function enclaveMeasurement(): Uint8Array {
  cached ??= measureCodeBundle(defaultBundleBaseDir(), enclaveNativeCode());
  return Uint8Array.from(cached);
}
