// The hostile contract set (contracts/build/hostile.json) through the gatekeeper (./wasm prepareCode) and
// this runtime: run-time defects must end in a coded VmError within a bounded time, never a crash or hang.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { utf8 } from "../../util/bytes.js";
import { callEntryPoint, parseContractResult, type EntryPoint } from "./calls.js";
import { CompiledCodeCache } from "./wasm/cache.js";
import { prepareCode } from "./wasm/prepare.js";
import { mockBackend } from "./testing/mockBackend.js";
import type { VmErrorKind } from "./errors.js";
import type { WasmModule } from "./webassembly.js";

const cache = new CompiledCodeCache();
const load = (name: string): WasmModule =>
  cache.getOrCompile(
    prepareCode(
      new Uint8Array(readFileSync(new URL(`../../../contracts/build/${name}.wasm`, import.meta.url))),
    ),
  ) as unknown as WasmModule;

const args = { env: utf8.encode("{}"), info: utf8.encode("{}"), msg: utf8.encode("{}") };
const GAS = 100_000_000n;

function run(name: string, entry: EntryPoint) {
  const backend = mockBackend();
  const started = process.hrtime.bigint();
  const out = callEntryPoint(
    load(name),
    { backend, gasLimit: GAS, readonly: entry === "query" },
    entry,
    args,
  );
  return { out, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

function expectError(name: string, entry: EntryPoint, kinds: VmErrorKind[]) {
  const { out, ms } = run(name, entry);
  assert.ok(!out.ok, `${name} should fail`);
  assert.ok(kinds.includes(out.error.kind), `${name}: got ${out.error.kind} (${out.error.message})`);
  assert.ok(ms < 10_000, `${name} took ${ms} ms`);
  return out;
}

describe("hostile contracts at run time", () => {
  test("baseline: instantiate, execute and query succeed", () => {
    for (const entry of ["instantiate", "execute", "query"] as const) {
      const { out } = run("hostile_baseline", entry);
      assert.ok(out.ok, entry);
      assert.ok("ok" in parseContractResult(out.output, "v1"));
    }
  });

  test("infinite loop → out of gas, whole limit used", () => {
    const out = expectError("hostile_infinite_loop", "execute", ["OutOfGas"]);
    assert.equal(out.gasUsed, GAS);
  });

  test("memory grow bomb → out of gas or bounded memory (no host allocation past the cap)", () => {
    const { out } = run("hostile_memory_grow_bomb", "execute");
    if (!out.ok)
      assert.ok(["OutOfGas", "RuntimeError", "BadResult", "MemoryAccess"].includes(out.error.kind));
  });

  test("deep recursion → trap (stack budget) or out of gas", () => {
    expectError("hostile_deep_recursion", "execute", ["RuntimeError", "OutOfGas"]);
  });

  test("huge result (24 MiB) → refused (memory cap 12 MiB makes it trap; else MAX_LENGTH_CONTRACT_RESULT)", () => {
    expectError("hostile_huge_output", "execute", ["MemoryAccess", "OutOfGas", "RuntimeError"]);
  });

  test("result region claiming ~2 GiB past memory → refused before copying", () => {
    expectError("hostile_huge_output_oob", "execute", ["MemoryAccess"]);
  });

  test("trap in allocate → the call fails when env is written", () => {
    expectError("hostile_trap_in_allocate", "instantiate", ["RuntimeError", "Allocation"]);
  });
});
