// Parser tests: structure read back from wabt-built modules, coded errors for malformed input, and a
// seeded fuzz (≥100,000 random and mutated modules) proving garbage never crashes the reader and that
// whenever V8 accepts a module our instrumented output is valid too.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { analyzeBody } from "./analyze.js";
import { ByteReader, ByteWriter } from "./bytesio.js";
import { WasmGateError } from "./errors.js";
import { injectMetering } from "./metering.js";
import { parseModule } from "./module.js";
import { prepareCode } from "./prepare.js";
import { wat, xorshift } from "./testutil.js";
import { wasmApi } from "./webassembly.js";

const RICH = `(module
  (type $t (func (param i32) (result i32)))
  (import "env" "db_read" (func $db_read (param i32) (result i32)))
  (import "env" "g" (global $g i32))
  (table 4 funcref)
  (memory (export "memory") 2)
  (global $m (mut i64) (i64.const -5))
  (elem (i32.const 0) $f0 $f1)
  (data (i32.const 8) "hello")
  (data $p "passive")
  (func $f0 (type $t) (i32.add (local.get 0) (global.get $g)))
  (func $f1 (type $t) (local i64 i32)
    (local.set 1 (i64.extend_i32_u (local.get 0)))
    (global.set $m (i64.rotl (local.get 1) (i64.const 3)))
    (block $a (result i32)
      (br_table $a $a (i32.const 1) (local.get 0))))
  (func (export "run") (param i32) (result i32) (local i32)
    (local.set 1 (call_indirect (type $t) (local.get 0) (i32.const 1)))
    (memory.copy (i32.const 0) (i32.const 8) (i32.const 5))
    (memory.init $p (i32.const 16) (i32.const 0) (i32.const 3))
    (data.drop $p)
    (i32.store16 offset=4 (i32.const 0) (i32.extend16_s (local.get 1)))
    (drop (select (i32.const 1) (i32.const 2) (local.get 0)))
    (drop (memory.size))
    (if (result i32) (local.get 0)
      (then (call $db_read (i32.const 0)))
      (else (unreachable))))
  (start $f0x)
  (func $f0x)
)`;

describe("parseModule", async () => {
  const rich = await wat(RICH);

  test("reads every declaration", () => {
    const m = parseModule(rich);
    assert.equal(m.types.length, 2); // (i32) -> i32 shared by $t and "run", and () -> ()
    assert.deepEqual(
      m.imports.map((i) => `${i.module}.${i.name}:${i.kind}`),
      ["env.db_read:func", "env.g:global"],
    );
    assert.equal(m.importedFuncCount, 1);
    assert.equal(m.funcTypes.length, 5);
    assert.deepEqual(m.tables, [{ min: 4, max: undefined }]);
    assert.deepEqual(m.memories, [{ min: 2, max: undefined }]);
    assert.deepEqual(
      m.globals.map((g) => g.mutable),
      [false, true],
    );
    assert.deepEqual(
      m.exports.map((e) => `${e.name}:${e.kind}:${e.index}`),
      ["memory:memory:0", "run:func:3"],
    );
    assert.equal(m.start, 4);
    assert.equal(m.elementCount, 1);
    assert.equal(m.dataCount, 2);
    assert.deepEqual(m.codes[1]!.localTypes, [0x7e, 0x7f]);
  });

  test("analyzes and instruments every body into a valid module", () => {
    const m = parseModule(rich);
    m.codes.forEach((c, i) => analyzeBody(m, m.importedFuncCount + i, c));
    assert.ok(wasmApi.validate(injectMetering(m)));
  });

  const cases: [string, Uint8Array, RegExp][] = [
    ["empty", new Uint8Array(0), /magic/],
    ["bad magic", Uint8Array.of(0, 0x61, 0x73, 0x6e, 1, 0, 0, 0), /magic/],
    ["bad version", Uint8Array.of(0, 0x61, 0x73, 0x6d, 2, 0, 0, 0), /version/],
    ["section size past end", Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 0), /exceeds module/],
    ["unknown section", Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 13, 0), /unknown section/],
    [
      "sections out of order",
      Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 3, 1, 0, 1, 1, 0),
      /out of order/,
    ],
    [
      "over-long LEB",
      Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0),
      /LEB/,
    ],
    ["count past end", Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 2, 0xff, 0x01), /count/],
  ];
  for (const [name, bytes, re] of cases) {
    test(`malformed: ${name}`, () => {
      assert.throws(
        () => parseModule(bytes),
        (e: unknown) => e instanceof WasmGateError && e.code === "MALFORMED" && re.test(e.message),
      );
    });
  }

  test("malformed bodies: bad nesting, depths, unknown and unsupported opcodes", async () => {
    const base = await wat(`(module (func (i32.const 0) (drop)))`);
    // replace the code section with one body of our own
    const withBody = (body: number[]): Uint8Array => {
      const head = base.subarray(0, base.length - 9); // drop the code section: 0a 07 01 05 00 41 00 1a 0b
      const w = new ByteWriter().bytes(head);
      const entry = Uint8Array.of(0, ...body);
      const code = new ByteWriter().u32(1).sized(entry).finish();
      return w.u8(10).sized(code).finish();
    };
    const bad: [number[], string, RegExp][] = [
      [[0x05, 0x0b], "MALFORMED", /else without if/],
      [[0x02, 0x40, 0x0b], "MALFORMED", /unexpected end/],
      [[0x0c, 0x01, 0x0b], "MALFORMED", /branch depth/],
      [[0xff, 0x0b], "MALFORMED", /unknown opcode/],
      [[0xfd, 0x00, 0x0b], "UNSUPPORTED_FEATURE", /SIMD/],
      [[0xfe, 0x00, 0x0b], "UNSUPPORTED_FEATURE", /threads/],
      [[0x12, 0x00, 0x0b], "UNSUPPORTED_FEATURE", /tail calls/],
      [[0x0b, 0x01, 0x0b], "MALFORMED", /after the function's final end/],
      [[0x20, 0x05, 0x1a, 0x0b], "MALFORMED", /local index/],
    ];
    assert.doesNotThrow(() => parseModule(withBody([0x01, 0x0b])));
    for (const [body, code, re] of bad) {
      const m = parseModule(withBody(body));
      assert.throws(
        () => analyzeBody(m, 0, m.codes[0]!),
        (e: unknown) => e instanceof WasmGateError && e.code === code && re.test(e.message),
        `body ${body.map((b) => b.toString(16)).join(" ")}`,
      );
    }
  });
});

describe("float detection follows walrus", () => {
  test("reachable float ops are found; dead code after br/return is not inspected (it can never run)", async () => {
    const m = parseModule(
      await wat(`(module
        (func (result i32) (i32.trunc_f32_s (f32.const 1)))
        (func (result i32) (return (i32.const 1)) (drop (f64.const 2)) (i32.const 3))
        (func (result i32) (block (result i32) (br 0 (i32.const 1)) (drop (f32.const 2))))
        (func (param f32))
        (func (local f64) (nop)))`),
    );
    const floats = m.codes.map((c, i) => analyzeBody(m, i, c).floatAt >= 0);
    assert.deepEqual(floats, [true, false, false, true, false]);
  });
});

describe("LEB128", () => {
  test("u32 and signed round trips (fast-check, seeded)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
        (u, s) => {
          const bytes = new ByteWriter().u32(u).sleb(s).finish();
          const r = new ByteReader(bytes);
          assert.equal(r.u32(), u);
          assert.equal(r.sleb(64), s);
          assert.ok(r.atEnd());
        },
      ),
      { seed: 42, numRuns: 2000 },
    );
  });
  test("range checks on the last byte", () => {
    assert.throws(() => new ByteReader(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x1f)).u32(), /out of range/);
    assert.equal(new ByteReader(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f)).u32(), 0xffffffff);
    assert.throws(() => new ByteReader(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x70)).sleb(32), /out of range/);
    assert.equal(new ByteReader(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x78)).sleb(32), -(1n << 31n));
  });
});

describe("seeded fuzz", async () => {
  const seeds = [
    await wat(RICH),
    await wat(`(module (memory 1) (func (export "f") (param i32) (result i32) (local i64)
      (block (loop (br_if 1 (i32.eqz (local.get 0))) (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br 0)))
      (i64.store (i32.const 0) (i64.extend_i32_s (local.get 0)))
      (i32.wrap_i64 (i64.load (i32.const 0)))))`),
    await wat(`(module (import "env" "db_read" (func (param i32) (result i32))) (memory (export "memory") 17)
      (func (export "interface_version_8")) (func (export "allocate") (param i32) (result i32) (i32.const 0))
      (func (export "deallocate") (param i32))
      (func (export "instantiate") (param i32 i32 i32) (result i32) (call 0 (local.get 2))))`),
  ];

  test("100,000+ random and mutated modules: only coded errors, and V8-valid ⇒ metered-valid", (t) => {
    const rnd = xorshift(42);
    const stats = { total: 0, parsed: 0, engineValid: 0, accepted: 0 };
    const mutate = (src: Uint8Array): Uint8Array => {
      const out = Array.from(src);
      const edits = 1 + (rnd() % 4);
      for (let e = 0; e < edits; e++) {
        const at = rnd() % (out.length + 1);
        switch (rnd() % 5) {
          case 0:
            out[at] = rnd() & 0xff;
            break;
          case 1:
            out.splice(at, 1 + (rnd() % 3));
            break;
          case 2:
            out.splice(at, 0, rnd() & 0xff);
            break;
          case 3:
            out.length = Math.max(8, at);
            break;
          default:
            out[at] = (out[at] ?? 0) ^ (1 << (rnd() % 8));
        }
      }
      return Uint8Array.from(out);
    };
    const random = (): Uint8Array => {
      const n = rnd() % 64;
      const out = new Uint8Array(8 + n);
      out.set([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
      for (let i = 8; i < out.length; i++) out[i] = rnd() & 0xff;
      return out;
    };
    for (let i = 0; i < 100_000; i++) {
      const bytes = i % 10 === 0 ? random() : mutate(seeds[i % seeds.length]!);
      stats.total++;
      try {
        const m = parseModule(bytes);
        stats.parsed++;
        const analyses = m.codes.map((c, k) => analyzeBody(m, m.importedFuncCount + k, c));
        if (!wasmApi.validate(bytes)) continue;
        stats.engineValid++;
        const metered = injectMetering(m, analyses);
        assert.ok(wasmApi.validate(metered), `metered output invalid for fuzz case ${i}`);
        prepareCode(bytes); // the full upload path: throws only coded errors
        stats.accepted++;
      } catch (e) {
        if (!(e instanceof WasmGateError)) throw new Error(`fuzz case ${i}: ${String(e)}`);
      }
    }
    assert.equal(stats.total, 100_000);
    t.diagnostic(`fuzz: ${JSON.stringify(stats)}`);
    assert.ok(stats.parsed > 1000 && stats.engineValid > 100 && stats.accepted > 10, JSON.stringify(stats));
  });
});
