// CompiledCodeCache: LRU by code hash, bounded by count and bytes; the runtime memory cap is enforced
// when compiling; real contracts from contracts/build go through prepareCode and the cache.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { CompiledCodeCache, compileMetered, type CompilableCode } from "./cache.js";
import { WasmGateError } from "./errors.js";
import { EXPORT_GAS_LEFT, RUNTIME_MAX_MEMORY_PAGES } from "./limits.js";
import { injectMetering } from "./metering.js";
import { parseModule } from "./module.js";
import { prepareCode } from "./prepare.js";
import { Metered, wat } from "./testutil.js";
import { wasmApi, type WebAssemblyGlobal } from "./webassembly.js";

const code = (hashByte: number, metered: Uint8Array, memoryMinPages = 1): CompilableCode => ({
  codeHash: new Uint8Array(32).fill(hashByte),
  metered,
  memoryMinPages,
});

describe("CompiledCodeCache", async () => {
  const metered = injectMetering(
    parseModule(await wat(`(module (memory 1) (func (export "f") (result i32) (i32.const 7)))`)),
  );

  test("hit returns the same compiled module; miss compiles", () => {
    const cache = new CompiledCodeCache({ maxEntries: 4, maxBytes: 1 << 20 });
    const a = cache.getOrCompile(code(1, metered));
    assert.equal(cache.getOrCompile(code(1, metered)), a);
    assert.deepEqual(cache.stats(), { entries: 1, bytes: metered.length, hits: 1, misses: 1, evictions: 0 });
    const inst = new wasmApi.Instance(a, {});
    (inst.exports[EXPORT_GAS_LEFT] as WebAssemblyGlobal).value = 100n; // metered code starts with no gas
    assert.equal((inst.exports["f"] as () => number)(), 7);
  });
  test("cached: the module on a hit (counted, made most recent), undefined on a miss", () => {
    const cache = new CompiledCodeCache({ maxEntries: 2, maxBytes: 1 << 20 });
    assert.equal(cache.cached(new Uint8Array(32).fill(1)), undefined);
    const a = cache.getOrCompile(code(1, metered));
    cache.getOrCompile(code(2, metered));
    assert.equal(cache.cached(new Uint8Array(32).fill(1)), a); // 1 is now the most recent
    cache.getOrCompile(code(3, metered)); // evicts 2
    assert.equal(cache.has(new Uint8Array(32).fill(2)), false);
    assert.equal(cache.cached(new Uint8Array(32).fill(1)), a);
    assert.deepEqual(cache.stats(), {
      entries: 2,
      bytes: 2 * metered.length,
      hits: 2,
      misses: 3,
      evictions: 1,
    });
  });
  test("evicts the least recently used entry when over the count", () => {
    const cache = new CompiledCodeCache({ maxEntries: 2, maxBytes: 1 << 20 });
    cache.getOrCompile(code(1, metered));
    cache.getOrCompile(code(2, metered));
    cache.getOrCompile(code(1, metered)); // 1 is now the most recent
    cache.getOrCompile(code(3, metered)); // evicts 2
    assert.ok(cache.has(code(1, metered).codeHash));
    assert.ok(!cache.has(code(2, metered).codeHash));
    assert.ok(cache.has(code(3, metered).codeHash));
    assert.equal(cache.stats().evictions, 1);
  });
  test("evicts by total bytes, and never keeps an entry larger than the budget", () => {
    const cache = new CompiledCodeCache({ maxEntries: 100, maxBytes: metered.length * 2 });
    for (let i = 1; i <= 5; i++) cache.getOrCompile(code(i, metered));
    assert.equal(cache.stats().entries, 2);
    assert.ok(cache.stats().bytes <= metered.length * 2);
    const tiny = new CompiledCodeCache({ maxEntries: 10, maxBytes: metered.length - 1 });
    tiny.getOrCompile(code(9, metered));
    assert.equal(tiny.stats().entries, 0);
  });
  test("seeded ops agree with a plain LRU model (hits on the newest entry move nothing)", () => {
    // Reference: an array, least recently used first. Keys 1..5, at most 3 entries.
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 16) % n;
    };
    const cache = new CompiledCodeCache({ maxEntries: 3, maxBytes: 1 << 20 });
    const modules = new Map<number, unknown>();
    let model: number[] = [];
    let hits = 0;
    let misses = 0;
    let evictions = 0;
    const use = (k: number): void => {
      model = [...model.filter((x) => x !== k), k];
    };
    for (let step = 0; step < 1000; step++) {
      const k = 1 + rnd(5);
      const op = rnd(4);
      const hash = code(k, metered).codeHash;
      if (op === 0) {
        const m = cache.getOrCompile(code(k, metered));
        if (model.includes(k)) {
          hits++;
          assert.equal(m, modules.get(k), `step ${step}: hit`);
        } else {
          misses++;
          modules.set(k, m);
          if (model.length === 3) {
            model.shift();
            evictions++;
          }
        }
        use(k);
      } else if (op === 1) {
        const m = cache.cached(hash);
        if (model.includes(k)) {
          hits++;
          assert.equal(m, modules.get(k), `step ${step}: cached`);
          use(k);
        } else assert.equal(m, undefined, `step ${step}: cached miss`);
      } else if (op === 2) {
        assert.equal(cache.delete(hash), model.includes(k), `step ${step}: delete`);
        model = model.filter((x) => x !== k);
      } else assert.equal(cache.has(hash), model.includes(k), `step ${step}: has`);
      for (let j = 1; j <= 5; j++) assert.equal(cache.has(code(j, metered).codeHash), model.includes(j));
      assert.deepEqual(cache.stats(), {
        entries: model.length,
        bytes: model.length * metered.length,
        hits,
        misses,
        evictions,
      });
    }
    assert.ok(hits > 100 && evictions > 15, `both paths exercised (${hits} hits, ${evictions} evictions)`);
  });
  test("delete drops an entry and its bytes", () => {
    const cache = new CompiledCodeCache();
    cache.getOrCompile(code(1, metered));
    assert.equal(cache.delete(code(1, metered).codeHash), true);
    assert.equal(cache.delete(code(1, metered).codeHash), false);
    assert.equal(cache.stats().bytes, 0);
  });
  test("inputs are checked at the edge", () => {
    const cache = new CompiledCodeCache();
    assert.throws(
      () => cache.getOrCompile({ ...code(1, metered), codeHash: new Uint8Array(31) }),
      /"codeHash" expected 32 bytes/,
    );
  });
  test("bad limits are refused", () => {
    assert.throws(() => new CompiledCodeCache({ maxEntries: 0, maxBytes: 1 }), RangeError);
    assert.throws(() => new CompiledCodeCache({ maxEntries: 1, maxBytes: 0.5 }), RangeError);
  });
  test("memory over the runtime cap cannot be instantiated (Secret: failed to initialize wasm memory)", () => {
    assert.throws(
      () => compileMetered(code(1, metered, 193)),
      (e: unknown) =>
        e instanceof WasmGateError && e.code === "INSTANTIATE" && /initialize wasm memory/.test(e.message),
    );
  });
});

// Built by contracts/ (see contracts/README.md and contracts/build/hostile.json).
const BUILD = new URL("../../../../contracts/build/", import.meta.url);
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, BUILD)));

describe("real contracts", { skip: !existsSync(new URL("counter.wasm", BUILD)) }, () => {
  test("Secret contracts are accepted, raw and gzip give one code hash", () => {
    for (const [name, iface] of [
      ["counter", "v1"],
      ["callbacks", "v1"],
      ["v010_token", "v010"],
    ] as const) {
      const raw = prepareCode(read(`${name}.wasm`));
      assert.equal(raw.interface, iface, name);
      assert.deepEqual(prepareCode(read(`${name}.wasm.gz`)).codeHash, raw.codeHash, name);
      assert.ok(new CompiledCodeCache().getOrCompile(raw), name);
    }
  });
  test("upload-phase hostile contracts are refused with the right code", () => {
    const hostile = JSON.parse(readFileSync(new URL("hostile.json", BUILD), "utf8")) as {
      file: string;
      phase: string;
    }[];
    const expected: Record<string, string> = {
      "hostile_float_op.wasm": "FLOATS",
      "hostile_iterator_import.wasm": "IMPORTS",
      "hostile_memory_over_512.wasm": "MEMORY",
      "hostile_missing_exports.wasm": "EXPORTS",
      "hostile_missing_interface_version.wasm": "EXPORTS",
    };
    for (const h of hostile) {
      if (h.phase !== "upload") {
        assert.doesNotThrow(() => prepareCode(read(h.file)), h.file);
        continue;
      }
      assert.throws(
        () => prepareCode(read(h.file)),
        (e: unknown) => e instanceof WasmGateError && e.code === expected[h.file],
        h.file,
      );
    }
  });
  test("run-phase hostile contracts are stopped by the metering: gas, stack budget, memory cap", () => {
    const env = { env: { db_read: () => 0, db_write: () => undefined, db_remove: () => undefined } };
    const run = (file: string, gas: bigint): Metered => {
      const m = new Metered(read(file), env);
      m.gasLeft = gas;
      assert.throws(() => m.fn("execute")(0, 0, 0), /unreachable/, file);
      return m;
    };
    const loop = run("hostile_infinite_loop.wasm", 10_000_000n);
    assert.notEqual(loop.exhausted, 0n);
    const deep = run("hostile_deep_recursion.wasm", 10_000_000_000n);
    assert.equal(deep.depthExceeded, 1);
    assert.equal(deep.exhausted, 0n);
    const grow = new Metered(read("hostile_memory_grow_bomb.wasm"), env);
    grow.gasLeft = 10_000_000_000n;
    try {
      grow.fn("execute")(0, 0, 0);
    } catch {
      // it may trap once growth fails; what matters is the page count
    }
    const pages = (grow.instance.exports["memory"] as { buffer: ArrayBuffer }).buffer.byteLength / 65536;
    assert.equal(pages, RUNTIME_MAX_MEMORY_PAGES);
  });
});
