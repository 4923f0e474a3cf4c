// Upload validation and prepareCode: Secret's acceptance rules and wording, gzip, size limit, code hash,
// interface detection, requires_random, and the metered output the runtime receives.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { crc32, gzipSync } from "node:zlib";
import { WasmGateError, type WasmGateErrorCode } from "./errors.js";
import { EXPORT_GAS_LEFT, MAX_WASM_SIZE } from "./limits.js";
import { prepareCode, uncompressCode } from "./prepare.js";
import { SECRET_V010_IMPORTS, SECRET_V1_IMPORTS } from "./secretImports.js";
import { Metered, wat, xorshift } from "./testutil.js";

interface Parts {
  imports?: string;
  memory?: string;
  exports?: string;
  extra?: string;
}

const V1_EXPORTS = `
  (func (export "interface_version_8"))
  (func (export "allocate") (param i32) (result i32) (i32.const 1024))
  (func (export "deallocate") (param i32))
  (func (export "instantiate") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "execute") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "query") (param i32 i32) (result i32) (i32.const 0))`;

const V010_EXPORTS = `
  (func (export "cosmwasm_vm_version_3"))
  (func (export "allocate") (param i32) (result i32) (i32.const 1024))
  (func (export "deallocate") (param i32))
  (func (export "init") (param i32 i32) (result i32) (i32.const 0))
  (func (export "handle") (param i32 i32) (result i32) (i32.const 0))
  (func (export "query") (param i32) (result i32) (i32.const 0))`;

const contract = (p: Parts = {}): Promise<Uint8Array> =>
  wat(`(module ${p.imports ?? ""} ${p.memory ?? `(memory (export "memory") 17)`}
    ${p.exports ?? V1_EXPORTS} ${p.extra ?? ""})`);

function rejects(bytes: Uint8Array, code: WasmGateErrorCode, message: string | RegExp): void {
  assert.throws(
    () => prepareCode(bytes),
    (e: unknown) => {
      assert.ok(e instanceof WasmGateError, String(e));
      assert.equal(e.code, code);
      if (typeof message === "string") assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    },
  );
}

describe("prepareCode accepts Secret contracts", async () => {
  const v1 = await contract({
    imports: SECRET_V1_IMPORTS.map(
      (h, i) =>
        `(import "env" "${h.name}" (func $i${i} (param ${h.params.join(" ")}) (result ${h.results.join(" ")})))`,
    ).join("\n"),
  });
  const v010 = await contract({
    exports: V010_EXPORTS,
    imports: SECRET_V010_IMPORTS.filter((h) => h.debugOnly !== true)
      .map(
        (h, i) =>
          `(import "env" "${h.name}" (func $i${i} (param ${h.params.join(" ")}) (result ${h.results.join(" ")})))`,
      )
      .join("\n"),
  });

  test("v1 with every Secret v1 import", () => {
    const p = prepareCode(v1);
    assert.equal(p.interface, "v1");
    assert.equal(p.requiresRandom, false);
    assert.deepEqual(p.wasm, v1);
    assert.deepEqual(p.codeHash, new Uint8Array(createHash("sha256").update(v1).digest()));
    assert.deepEqual(p.exports, [
      "interface_version_8",
      "allocate",
      "deallocate",
      "instantiate",
      "execute",
      "query",
    ]);
    assert.equal(p.memoryMinPages, 17);
    const m = new Metered(p.wasm, {
      env: Object.fromEntries(SECRET_V1_IMPORTS.map((h) => [h.name, () => 0])),
    });
    assert.equal(m.call("allocate", 100n, 5).result, 1024);
    assert.ok(m.instance.exports[EXPORT_GAS_LEFT] !== undefined);
  });
  test("v0.10 with every Secret v0.10 import", () => {
    assert.equal(prepareCode(v010).interface, "v010");
  });
  test("gzip upload: same code hash and wasm as the raw upload", () => {
    const raw = prepareCode(v1);
    const zipped = prepareCode(new Uint8Array(gzipSync(v1)));
    assert.deepEqual(zipped.codeHash, raw.codeHash);
    assert.deepEqual(zipped.wasm, v1);
    assert.deepEqual(zipped.metered, raw.metered);
  });
  test("requires_random and other supported features are reported", async () => {
    const p = prepareCode(
      await contract({ extra: `(func (export "requires_random")) (func (export "requires_staking"))` }),
    );
    assert.equal(p.requiresRandom, true);
    assert.deepEqual(p.features, ["random", "staking"]);
  });
  test("debug_print is accepted for v0.10 only when enabled", async () => {
    const bytes = await contract({
      exports: V010_EXPORTS,
      imports: `(import "env" "debug_print" (func (param i32)))`,
    });
    rejects(bytes, "IMPORTS", /unsupported import: "env.debug_print"/);
    assert.equal(prepareCode(bytes, { allowDebugPrint: true }).interface, "v010");
  });
  test("an unexported memory is exported as memory in the metered module", async () => {
    const p = prepareCode(await contract({ memory: "(memory 17)" }));
    const m = new Metered(p.wasm, { env: {} });
    assert.ok(m.instance.exports["memory"] !== undefined);
  });
  test("memory between the runtime cap and the upload cap is stored (it fails at instantiation)", async () => {
    assert.equal(
      prepareCode(await contract({ memory: `(memory (export "memory") 193)` })).memoryMinPages,
      193,
    );
  });
});

describe("prepareCode refuses what Secret refuses", () => {
  test("garbage and invalid wasm", async () => {
    rejects(
      Uint8Array.of(1, 2, 3),
      "MALFORMED",
      /^Wasm bytecode could not be deserialized. Deserialization error: /,
    );
    // structurally fine but ill-typed: only V8's validation catches it
    const illTyped = await wat(`(module (func (export "f") (result i32) (i64.const 1)))`, false);
    rejects(illTyped, "MALFORMED", /could not be deserialized.*type/i);
  });
  test("floating point", async () => {
    rejects(
      await contract({
        extra: `(func (export "f") (param i32) (result i32) (i32.trunc_f32_s (f32.convert_i32_s (local.get 0))))`,
      }),
      "FLOATS",
      "found floating point operation in module code",
    );
    rejects(await contract({ extra: `(func (param f64))` }), "FLOATS", /floating point/);
    rejects(
      await contract({ extra: `(global $g (mut f32) (f32.const 0)) (func (drop (global.get $g)))` }),
      "FLOATS",
      /floating/,
    );
    rejects(
      await contract({ extra: `(func (param i32) (result i32) (i32.trunc_sat_f64_s (f64.const 1)))` }),
      "FLOATS",
      /floating/,
    );
  });
  test("memory rules (CosmWasm wording)", async () => {
    rejects(await contract({ memory: "" }), "MEMORY", "Wasm contract doesn't have a memory section");
    rejects(
      await contract({ memory: `(memory (export "memory") 513)` }),
      "MEMORY",
      "Wasm contract memory's minimum must not exceed 512 pages.",
    );
    rejects(
      await contract({ memory: `(memory (export "memory") 17 100)` }),
      "MEMORY",
      "Wasm contract memory's maximum must be unset. The host will set it for you.",
    );
    rejects(
      await contract({ memory: "", imports: `(import "env" "memory" (memory 1))` }),
      "MEMORY",
      "Wasm contract doesn't have a memory section",
    );
  });
  test("missing interface marker or required exports", async () => {
    rejects(
      await contract({ exports: `(func (export "instantiate"))` }),
      "EXPORTS",
      /interface_version_8.*cosmwasm_vm_version_3/,
    );
    rejects(
      await contract({ exports: V1_EXPORTS.replace(`(export "deallocate")`, "") }),
      "EXPORTS",
      'Wasm contract doesn\'t have required export: "deallocate". Exports required by VM: ' +
        '["interface_version_8", "allocate", "deallocate", "instantiate"].',
    );
    rejects(
      await contract({ exports: V010_EXPORTS.replace(`(export "handle")`, "") }),
      "EXPORTS",
      /"handle"/,
    );
    rejects(await contract({ extra: `(func (export "shroud_gas_left"))` }), "EXPORTS", /reserved/);
    rejects(
      await contract({ memory: "(memory 17)", extra: `(func (export "memory"))` }),
      "EXPORTS",
      'Wasm contract export "memory" must be its memory',
    );
  });
  test("imports outside the interface's Secret set", async () => {
    rejects(
      await contract({ imports: `(import "env" "db_scan" (func (param i32 i32 i32) (result i32)))` }),
      "IMPORTS",
      /^Wasm contract requires unsupported import: "env.db_scan". Iterators are not supported/,
    );
    rejects(
      await contract({ imports: `(import "env" "db_next" (func (param i32) (result i32)))` }),
      "IMPORTS",
      /Iterators are not supported/,
    );
    rejects(
      await contract({
        imports: `(import "env" "canonicalize_address" (func (param i32 i32) (result i32)))`,
      }),
      "IMPORTS",
      /^Wasm contract requires unsupported import: "env.canonicalize_address". Imports supported by VM: \["env.db_read"/,
    );
    rejects(
      await contract({ imports: `(import "other" "db_read" (func (param i32) (result i32)))` }),
      "IMPORTS",
      /"other.db_read"/,
    );
    rejects(
      await contract({ imports: `(import "env" "db_read" (func (param i64) (result i32)))` }),
      "IMPORTS",
      'Wasm contract import "env.db_read" has signature (i64) -> (i32), expected (i32) -> (i32)',
    );
    rejects(
      await contract({ imports: `(import "env" "db_read" (global i32))` }),
      "IMPORTS",
      /non-function import: "env.db_read"/,
    );
  });
  test("unsupported requires_ features, start functions, big tables", async () => {
    rejects(
      await contract({
        extra: `(func (export "requires_teleport")) (func (export "requires_cosmwasm_1_4"))`,
      }),
      "FEATURES",
      'Wasm contract requires unsupported features: {"cosmwasm_1_4", "teleport"}',
    );
    rejects(await contract({ extra: `(func $s) (start $s)` }), "START_FUNCTION", /start function/);
    rejects(await contract({ extra: `(table 2501 funcref)` }), "TOO_LARGE", /2500/);
  });
});

describe("code size and gzip", () => {
  test("raw code over MaxWasmSize is refused", () => {
    rejects(new Uint8Array(MAX_WASM_SIZE + 1), "TOO_LARGE", "cannot be longer than 2097152 bytes");
    const bigGzip = new Uint8Array(MAX_WASM_SIZE + 1);
    bigGzip.set([0x1f, 0x8b, 0x08]);
    rejects(bigGzip, "TOO_LARGE", "cannot be longer than 2097152 bytes");
  });
  test("gzip inflating past MaxWasmSize is refused without inflating it all", () => {
    const bomb = new Uint8Array(gzipSync(new Uint8Array(64 * 1024 * 1024)));
    assert.ok(bomb.length < 100_000);
    assert.throws(
      () => uncompressCode(bomb),
      (e: unknown) => e instanceof WasmGateError && e.code === "TOO_LARGE",
    );
  });
  test("exactly MaxWasmSize inflated is allowed through the size check", () => {
    assert.equal(
      uncompressCode(new Uint8Array(gzipSync(new Uint8Array(MAX_WASM_SIZE)))).length,
      MAX_WASM_SIZE,
    );
  });
  test("only the first gzip member counts, trailing bytes are ignored (Go's Multistream(false))", () => {
    const first = new Uint8Array(gzipSync(Uint8Array.of(1, 2, 3)));
    const second = new Uint8Array(gzipSync(Uint8Array.of(4, 5)));
    assert.deepEqual(uncompressCode(new Uint8Array([...first, ...second])), Uint8Array.of(1, 2, 3));
    assert.deepEqual(uncompressCode(new Uint8Array([...first, 0xde, 0xad])), Uint8Array.of(1, 2, 3));
  });
  test("gzip headers with name, comment, extra field and header CRC", () => {
    const body = new Uint8Array(gzipSync(Uint8Array.of(9, 8, 7))).subarray(10);
    const header = [0x1f, 0x8b, 0x08, 0x1e, 0, 0, 0, 0, 0, 0xff, 2, 0, 0xaa, 0xbb, 0x61, 0, 0x62, 0];
    const hcrc = crc32(Uint8Array.from(header)) & 0xffff;
    const full = new Uint8Array([...header, hcrc & 0xff, hcrc >> 8, ...body]);
    assert.deepEqual(uncompressCode(full), Uint8Array.of(9, 8, 7));
    full[header.length]! ^= 1; // wrong header CRC
    assert.throws(() => uncompressCode(full), /invalid gzip stream/);
  });
  test("bad CRC-32, bad length and truncated trailers are refused", () => {
    const good = new Uint8Array(gzipSync(Uint8Array.of(1, 2, 3)));
    for (const at of [good.length - 8, good.length - 4]) {
      const b = good.slice();
      b[at]! ^= 1;
      rejects(b, "GZIP", "invalid gzip stream");
    }
    rejects(good.subarray(0, good.length - 1), "GZIP", "invalid gzip stream");
  });
  test("broken gzip", () => {
    rejects(Uint8Array.of(0x1f, 0x8b, 0x08), "GZIP", "invalid gzip stream");
    rejects(Uint8Array.of(0x1f, 0x8b, 0x08, 1, 2, 3, 4, 5), "GZIP", "invalid gzip stream");
  });
  test("mutated gzip uploads fail only with coded errors (seeded)", async () => {
    const gz = new Uint8Array(gzipSync(await contract()));
    const rnd = xorshift(7);
    for (let i = 0; i < 3000; i++) {
      const b = gz.slice(0, 3 + (rnd() % gz.length));
      for (let k = 0; k < 1 + (rnd() % 3); k++) b[3 + (rnd() % (b.length - 3))] = rnd() & 0xff;
      try {
        prepareCode(b);
      } catch (e) {
        assert.ok(e instanceof WasmGateError, String(e));
      }
    }
  });
  test("input must be bytes", () => {
    assert.throws(() => prepareCode("wasm" as unknown as Uint8Array), /expected bytes/);
  });
});
