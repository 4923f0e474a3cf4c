// The VM's echo harness (src/enclave/vm/testdata/harness.wat: its answer is its msg) as wasm for compute tests,
// compiled with wabt.
import { readFileSync } from "node:fs";
import wabtInit from "wabt";

/** harness.wat without its `env.abort` import (Secret's gatekeeper refuses it; only `t_abort` wraps it). */
export async function echoHarnessWasm(): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const url = new URL("../../../../enclave/vm/testdata/harness.wat", import.meta.url);
  const text = readFileSync(url, "utf8")
    .split("\n")
    .filter((l) => !l.includes("$abort"))
    .join("\n");
  const mod = wabt.parseWat("harness.wat", text);
  const wasm = new Uint8Array(mod.toBinary({}).buffer);
  mod.destroy();
  return wasm;
}
