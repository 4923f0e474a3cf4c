// Test helper: compiles a .wat fixture with the `wabt` dev dependency (tests only; never imported by
// production code).
import { readFileSync } from "node:fs";
import wabtInit from "wabt";

let wabtPromise: ReturnType<typeof wabtInit> | undefined;

/** Compiles WAT text to wasm bytes. */
export async function watToWasm(name: string, text: string): Promise<Uint8Array> {
  wabtPromise ??= wabtInit();
  const wabt = await wabtPromise;
  const mod = wabt.parseWat(name, text);
  try {
    mod.validate();
    return new Uint8Array(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

/** Compiles a .wat file (path relative to the caller's `import.meta.url`). */
export async function watFileToWasm(url: URL): Promise<Uint8Array> {
  return watToWasm(url.pathname, readFileSync(url, "utf8"));
}
