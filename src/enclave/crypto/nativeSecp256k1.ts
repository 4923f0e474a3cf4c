// libsecp256k1 as native code inside the enclave: the `secp256k1` package's prebuilt N-API addon (~40 µs per verify
// vs ~200 µs for its WebAssembly build), loaded only by enclave code and only under the isolate's native-call guard
// (./nativeGuard.ts). Two hazards of that addon in worker threads, both reproduced, both closed here:
// - Terminating a thread while it is inside (or can still enter) an addon call aborts the process: every
//   terminate path of the host closes the guard first, and this file enters the addon only while the guard is open.
// - The addon keeps its class constructor in a C++ static shared by every thread that loaded the same file;
//   each new load deletes the previous thread's reference, from the wrong thread or after that thread's
//   environment was freed (heap corruption within ~100 worker starts). So every isolate loads a private copy of
//   the binary (a fresh inode is a separate shared object with its own statics), written from the very bytes
//   the measurement covers (`nativeAddonImage`), and removed once loaded.
// When the addon does not load (no prebuild for the platform, an unwritable or noexec temp dir), callers take
// the WebAssembly path: same verdicts (seeded property test, secp256k1.test.ts).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { isMainThread } from "node:worker_threads";
import { enterNative, leaveNative, nativeGuardView } from "./nativeGuard.js";

/** The raw methods of the addon's `Secp256k1` class this enclave calls (status codes, no exceptions). */
export interface NativeSecp256k1 {
  /** 0 valid, 1 signature does not parse (r or s ≥ n), 2 key does not parse, 3 does not verify (high-S too). */
  ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): number;
  /** Parses `pubkey` (33/65 B, hybrid too) and writes it to `output` (33 B compressed, 65 B not): 0 ok, 1 bad key. */
  publicKeyConvert(output: Uint8Array, pubkey: Uint8Array): number;
}

/** Path of the prebuilt addon for this platform, or undefined (none, or the package is missing). */
function addonPath(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve("secp256k1/package.json");
    const gypBuild = createRequire(pkg)("node-gyp-build") as { path(dir: string): string };
    return gypBuild.path(dirname(pkg));
  } catch {
    return undefined;
  }
}

let image: Uint8Array | null | undefined;

/**
 * The addon binary this isolate measures and loads, read once per isolate; null when there is none. Measured as
 * enclave code (measurement.ts): the loaded copy is written from these same bytes.
 */
export function nativeAddonImage(): Uint8Array | null {
  if (image === undefined) {
    const path = addonPath();
    try {
      image = path === undefined ? null : new Uint8Array(readFileSync(path));
    } catch {
      image = null;
    }
  }
  return image;
}

/** This thread's guard (installed by worker.ts from the host's workerData); the main thread needs none. */
let guard: Int32Array | undefined;
/** The loaded addon; null once loading failed or is not allowed (wasm from then on); undefined before trying. */
let addon: NativeSecp256k1 | null | undefined;

/** Installs this isolate's guard (worker.ts, before the first ECALL). Anything but a guard buffer is ignored. */
export function installNativeGuard(buf: unknown): void {
  guard = nativeGuardView(buf);
}

/** Writes the measured image to a private file, loads it (with the guard held) and removes the file. */
function load(g: Int32Array | undefined): NativeSecp256k1 | null {
  const bytes = nativeAddonImage();
  if (bytes === null) return null;
  let dir: string | undefined;
  try {
    dir = mkdtempSync(join(tmpdir(), "shroud-secp256k1-"));
    const file = join(dir, "secp256k1.node");
    writeFileSync(file, bytes, { mode: 0o500 });
    // dlopen and the addon's init run native code: under the guard like any other call.
    if (g !== undefined && !enterNative(g)) return null;
    try {
      const mod = { exports: {} as { Secp256k1?: new () => NativeSecp256k1 } };
      process.dlopen(mod, file);
      const Ctor = mod.exports.Secp256k1;
      return typeof Ctor === "function" ? new Ctor() : null;
    } finally {
      if (g !== undefined) leaveNative(g);
    }
  } catch {
    return null;
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The addon, with this thread marked busy, or undefined (take the wasm path): no guard in a worker thread, the
 * guard closed (the host is about to terminate this isolate), or no addon. A defined answer must be paired with
 * `leaveNativeSecp256k1()` once the native calls are done (try/finally), and nothing in between may block.
 */
export function enterNativeSecp256k1(): NativeSecp256k1 | undefined {
  if (addon === null) return undefined;
  if (isMainThread) {
    // Nothing ever terminates the main thread from outside; it is the one that exits.
    addon ??= load(undefined);
    return addon ?? undefined;
  }
  const g = guard;
  if (g === undefined) return undefined;
  if (addon === undefined) {
    addon = load(g);
    if (addon === null) return undefined;
  }
  return enterNative(g) ? addon : undefined;
}

/** Ends the native section opened by a defined `enterNativeSecp256k1()`. */
export function leaveNativeSecp256k1(): void {
  if (!isMainThread && guard !== undefined) leaveNative(guard);
}

/** "native" when this thread verifies with the addon (loading it if need be), else "wasm" (benches, tests). */
export function secp256k1Backend(): "native" | "wasm" {
  const a = enterNativeSecp256k1();
  if (a === undefined) return "wasm";
  leaveNativeSecp256k1();
  return "native";
}
