// Instance reuse (./pool.ts) must be invisible: a contract that looks for leftovers of earlier calls (its own
// globals, memory contents, memory size, its bump pointer, pages past the visible end) sees exactly what a
// fresh instance sees, with the same gas, traps included; and reuse really happens.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Bech32Api } from "./addressApi.js";
import { MockQuerier } from "./testing/mockQuerier.js";
import { MockStorage } from "./testing/mockStorage.js";
import { humanize } from "./testing/mockApi.js";
import { toHex, utf8 } from "../../util/bytes.js";
import { callEntryPoint, type CallOutcome } from "./calls.js";
import { v1EnvJson, v1MessageInfoJson, type BaseEnv } from "./environment.js";
import { compileModule, inspectModule } from "./instance.js";
import { writeRegion } from "./memory.js";
import { acquireInstance, idleCount, releaseInstance } from "./pool.js";
import { mockBackend } from "./testing/mockBackend.js";
import { watFileToWasm, watToWasm } from "./testing/wat.js";
import { compileMetered } from "./wasm/cache.js";
import { prepareCode } from "./wasm/prepare.js";
import type { WasmModule } from "./webassembly.js";

const raw = await watFileToWasm(new URL("./testdata/leftovers.wat", import.meta.url));
const metered = (): WasmModule => compileMetered(prepareCode(raw)) as unknown as WasmModule;

const base: BaseEnv = {
  block: { height: 7n, timeNanos: 1_700_000_000_000_000_000n, chainId: "secret-4" },
  message: { sender: "secret1sender", funds: [] },
  contract: { address: "secret1contract" },
};
const env = utf8.encode(v1EnvJson(base, { codeHashHex: "00".repeat(32) }));
const info = utf8.encode(v1MessageInfoJson(base));

function call(module: WasmModule, op: string, reuse: boolean): CallOutcome {
  const opts = { backend: mockBackend(), gasLimit: 50_000_000n, readonly: false };
  return callEntryPoint(module, opts, "execute", { env, info, msg: utf8.encode(op) }, reuse);
}

/** What a caller can observe of an outcome: result bytes or error kind, and gas. */
function seen(o: CallOutcome): string {
  return o.ok ? `ok ${toHex(o.output)} gas ${o.gasUsed}` : `err ${o.error.kind} gas ${o.gasUsed}`;
}

// 'a' observes; the others grow, trap past the visible end, or dirty pages beyond it (leftovers.wat).
const PLAN = [
  "a",
  "g",
  "a",
  "g",
  "o",
  "a",
  "x",
  "a",
  "g",
  "f",
  "g",
  "c",
  "a",
  "g",
  "r",
  "a",
  "g",
  "g",
  "x",
  "a",
  "a",
  "F",
  "a",
  "C",
  "a",
  "S",
  "a",
];

describe("instance pool", () => {
  test("metered modules are marked reusable; the original module is not", () => {
    assert.equal(inspectModule(metered()).reusable, true);
    assert.equal(inspectModule(compileModule(raw)).reusable, false);
  });

  test("a reused instance is indistinguishable from a fresh one (outputs, traps, gas)", () => {
    const pooled = metered();
    const fresh = metered();
    const a = PLAN.map((op) => seen(call(pooled, op, true)));
    const b = PLAN.map((op) => seen(call(fresh, op, false)));
    assert.deepEqual(a, b);
    assert.equal(idleCount(pooled), 1, "the pooled module kept an instance");
    assert.equal(idleCount(fresh), 0);
    // Every observing call saw a fresh instance: no calls counted, "hello" intact, zero @60000, 2 pages,
    // zero @100 (written only by F, C and S, below every other write: the reset's low-water mark).
    for (const [i, op] of PLAN.entries()) {
      if (op === "a") assert.match(a[i]!, /^ok 00680002[0-9a-f]{8}00 /, `call ${i}`);
    }
    // The traps past the visible end did trap, also in reused instances (whose real memory is larger).
    for (const op of ["o", "f", "c", "r"]) {
      assert.match(a[PLAN.indexOf(op)]!, /^err (RuntimeError|MemoryAccess)/, op);
    }
  });

  test("an instance whose memory grew by more than 16 pages is dropped", () => {
    const m = metered();
    call(m, "a", true);
    assert.equal(idleCount(m), 1);
    assert.equal(call(m, "b", true).ok, true);
    assert.equal(idleCount(m), 0);
    assert.match(seen(call(m, "a", true)), /^ok 00680002/);
    assert.equal(idleCount(m), 1);
  });

  test("an instance made with reuse: false is never pooled, even when its module has a pool", () => {
    const m = metered();
    call(m, "a", true);
    assert.equal(idleCount(m), 1);
    const inst = acquireInstance(m, { backend: mockBackend(), gasLimit: 1_000_000n, readonly: false }, false);
    assert.equal(inst.poolable, false);
    assert.equal(inst.initialGlobals.size, 0, "no reset state recorded");
    releaseInstance(m, inst, true);
    assert.equal(idleCount(m), 1, "the fresh instance was dropped");
    assert.match(seen(call(m, "a", false)), /^ok 00680002/);
  });

  test("host writes into memory lower the reset's low-water mark too", () => {
    const m = metered();
    call(m, "a", true);
    const inst = acquireInstance(m, { backend: mockBackend(), gasLimit: 1_000_000n, readonly: false });
    const raw = new Uint8Array(inst.rawMemory().buffer);
    const dv = new DataView(raw.buffer);
    dv.setUint32(200, 300, true); // a Region at 200: data at 300, capacity 4 (set up behind the mark's back)
    dv.setUint32(204, 4, true);
    writeRegion(inst.memory(), 200, Uint8Array.of(9, 9, 9, 9), "test");
    assert.equal(inst.lowestWrite(), 208, "the length field at 208 is the lowest byte the host wrote");
    releaseInstance(m, inst, true);
    assert.equal(idleCount(m), 1);
    assert.deepEqual([...raw.subarray(300, 304)], [0, 0, 0, 0], "the host's bytes were reset");
    assert.equal(inst.lowestWrite(), 0xffffffff, "the mark is back at 'nothing written'");
  });

  test("after a trap the instance is dropped, not reused", () => {
    const m = metered();
    call(m, "a", true);
    assert.equal(idleCount(m), 1);
    assert.equal(call(m, "o", true).ok, false);
    assert.equal(idleCount(m), 0);
    assert.match(seen(call(m, "a", true)), /^ok 00680002/);
  });

  // Tables and segments are not reset, and memory.init is bounded by the real memory: such modules always
  // get fresh instances.
  const DEALLOC = '(func (export "deallocate") (param i32))';
  const variants: [string, string][] = [
    [
      "table.set",
      '(table 1 funcref) (func (export "deallocate") (param i32) (table.set (i32.const 0) (ref.null func)))',
    ],
    ["data.drop", '(data $p "xy") (func (export "deallocate") (param i32) (data.drop $p))'],
    [
      "memory.init",
      '(data $p "xy") (func (export "deallocate") (param i32) (memory.init $p (i32.const 0) (i32.const 0) (i32.const 2)))',
    ],
  ];
  for (const [name, dealloc] of variants) {
    test(`a module using ${name} is never reused`, async () => {
      const wat = readFileSync(new URL("./testdata/leftovers.wat", import.meta.url), "utf8");
      const changed = wat.replace(DEALLOC, dealloc);
      assert.notEqual(changed, wat);
      const m = compileMetered(prepareCode(await watToWasm(`${name}.wat`, changed))) as unknown as WasmModule;
      assert.equal(inspectModule(m).reusable, false);
      assert.match(seen(call(m, "a", true)), /^ok 00680002/);
      assert.equal(idleCount(m), 0);
    });
  }

  // The real SNIP-20 (contracts/build/snip20.wasm): a token instantiated and transferred from on two
  // identical states, once with reuse and once with a fresh instance per call, answers and charges the same.
  test("snip20: reused and fresh instances give the same outputs and gas, call after call", () => {
    const wasm = new Uint8Array(
      readFileSync(new URL("../../../contracts/build/snip20.wasm", import.meta.url)),
    );
    const sender = humanize(new Uint8Array(20).fill(5));
    const to = humanize(new Uint8Array(20).fill(8));
    const e = { ...base, message: { sender, funds: [] } };
    const args = (msg: object) => ({
      env: utf8.encode(v1EnvJson(e, { codeHashHex: "00".repeat(32) })),
      info: utf8.encode(v1MessageInfoJson(e)),
      msg: utf8.encode(JSON.stringify(msg)),
    });
    const init = {
      name: "Token",
      symbol: "TKN",
      decimals: 6,
      initial_balances: [{ address: sender, amount: "1000" }],
      prng_seed: "c2VlZA==",
    };
    const snip20 = (): WasmModule => compileMetered(prepareCode(wasm)) as unknown as WasmModule;
    const run = (reuse: boolean): string[] => {
      const module = snip20();
      const backend = { storage: new MockStorage(), api: new Bech32Api(), querier: new MockQuerier() };
      const opts = { backend, gasLimit: 10_000_000_000n, readonly: false };
      const out = [seen(callEntryPoint(module, opts, "instantiate", args(init), reuse))];
      for (let i = 0; i < 4; i++) {
        const amount = i === 3 ? "5000" : "1"; // the last one fails in the contract (insufficient funds)
        out.push(
          seen(callEntryPoint(module, opts, "execute", args({ transfer: { recipient: to, amount } }), reuse)),
        );
      }
      if (reuse) assert.equal(idleCount(module), 1);
      return out;
    };
    assert.deepEqual(run(true), run(false));
  });
});
