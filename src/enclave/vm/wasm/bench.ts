// Measures the gatekeeper on real contracts: prepareCode (inflate, parse, validate, meter), V8 compile of
// the metered module, and instantiation from a cached compiled module. Not imported by production code.
// Run: node --import tsx src/enclave/vm/wasm/bench.ts [file.wasm ...]   (default: contracts/build/*.wasm)
import { readFileSync } from "node:fs";
import { CompiledCodeCache } from "./cache.js";
import { EXPORT_GAS_LEFT } from "./limits.js";
import { prepareCode, type PreparedCode } from "./prepare.js";
import { wasmApi, type WebAssemblyGlobal } from "./webassembly.js";

function median(fn: () => void, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)]!;
}

/** `wasm` plus a custom section named "bench" holding `n`: same code, different bytes. */
function withCustomSection(wasm: Uint8Array, n: number): Uint8Array {
  const payload = Uint8Array.of(5, 0x62, 0x65, 0x6e, 0x63, 0x68, n & 0x7f); // name "bench", one byte
  const out = new Uint8Array(wasm.length + 2 + payload.length);
  out.set(wasm);
  out.set([0, payload.length], wasm.length);
  out.set(payload, wasm.length + 2);
  return out;
}

/** Imports for any Secret contract: every host function answers 0 (enough to instantiate and allocate). */
function stubImports(p: PreparedCode): Record<string, Record<string, () => number | bigint>> {
  const env: Record<string, () => number | bigint> = {};
  const mod = new wasmApi.Module(p.wasm) as unknown;
  const list = (wasmApi as unknown as { Module: { imports(m: unknown): { name: string }[] } }).Module.imports(
    mod,
  );
  for (const i of list) env[i.name] = () => 0;
  return { env };
}

function measure(path: string): void {
  const upload = new Uint8Array(readFileSync(path));
  const prepared = prepareCode(upload);
  const prepareMs = median(() => prepareCode(upload), 5);
  // V8 reuses a compiled module for identical bytes, so each timed compile gets a unique custom section.
  let run = 0;
  const compileMs = median(() => new wasmApi.Module(withCustomSection(prepared.metered, run++)), 5);
  const cache = new CompiledCodeCache();
  cache.getOrCompile(prepared);
  const imports = stubImports(prepared);
  const instantiateMs = median(() => new wasmApi.Instance(cache.getOrCompile(prepared), imports), 50);
  const inst = new wasmApi.Instance(cache.getOrCompile(prepared), imports);
  (inst.exports[EXPORT_GAS_LEFT] as WebAssemblyGlobal).value = 10_000_000n;
  const allocate = inst.exports["allocate"] as (n: number) => number;
  const firstCallMs = median(() => allocate(64), 1);
  const nextCallMs = median(() => allocate(64), 50);
  const name = path.split("/").pop() ?? path;
  console.log(
    `${name}: upload ${upload.length} B, wasm ${prepared.wasm.length} B, metered ${prepared.metered.length} B | ` +
      `prepareCode ${prepareMs.toFixed(1)} ms | V8 compile ${compileMs.toFixed(2)} ms | ` +
      `instantiate from cache ${(instantiateMs * 1000).toFixed(0)} µs | allocate first call ${firstCallMs.toFixed(2)} ms, ` +
      `then ${(nextCallMs * 1000).toFixed(1)} µs`,
  );
}

const args = process.argv.slice(2);
const files =
  args.length > 0
    ? args
    : ["counter.wasm", "callbacks.wasm", "v010_token.wasm", "counter.wasm.gz"].map(
        (f) => `contracts/build/${f}`,
      );
for (const f of files) measure(f);
