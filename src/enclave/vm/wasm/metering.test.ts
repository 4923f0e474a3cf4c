// Exact gas for Secret's metering semantics (SN contract-engine/src/wasm3/gas.rs via walrus): 2 gas per
// instruction of each instruction sequence, charged on entry; nop/else/end free; dead code after
// br/br_table/return/unreachable not counted; memory.grow = 28 + 8192/page; deterministic stack limit.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { FRAME_OVERHEAD_SLOTS, RUNTIME_MAX_MEMORY_PAGES, STACK_BUDGET_SLOTS } from "./limits.js";
import { injectMetering } from "./metering.js";
import { parseModule } from "./module.js";
import { Metered, instantiate, wat } from "./testutil.js";
import { wasmApi } from "./webassembly.js";

const BIG = 1_000_000_000n;

const PROGRAMS = `(module
  (memory (export "memory") 1)
  (func (export "straight") (result i32) (i32.add (i32.const 1) (i32.const 2)))
  (func (export "nops") (result i32) nop nop (i32.const 7) nop)
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    (block $out
      (loop $top
        (br_if $out (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $top)))
    (local.get $i))
  (func (export "abs") (param i32) (result i32)
    (if (result i32) (i32.lt_s (local.get 0) (i32.const 0))
      (then (i32.sub (i32.const 0) (local.get 0)))
      (else (local.get 0))))
  (func (export "when") (param i32) (result i32)
    (if (local.get 0) (then (nop) (drop (i32.const 5))))
    (i32.const 1))
  (func (export "sw") (param i32) (result i32)
    (block $c (block $b (block $a
      (br_table $a $b $c (local.get 0)))
      (return (i32.const 10)))
     (return (i32.const 20)))
    (i32.const 30))
  (func (export "dead") (result i32)
    (return (i32.const 1))
    (drop (i32.const 2))
    (i32.const 3))
  (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func (export "calls") (result i32) (i32.add (call $sq (i32.const 3)) (call $sq (i32.const 4))))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "spin") (loop $l (br $l)))
  (func (export "early") (param i32) (result i32) (local $i i32)
    (loop $top
      (if (i32.eq (local.get $i) (local.get 0)) (then (return (i32.mul (local.get $i) (i32.const 2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $top))
    (i32.const -1))
  (func (export "pair") (param i32) (result i32 i32) (local.get 0) (i32.const 9))
)`;

describe("gas metering: exact charges", async () => {
  const bytes = await wat(PROGRAMS);
  const m = new Metered(bytes);

  test("straight-line code: 3 instructions = 6 gas", () => {
    assert.deepEqual(m.call("straight", BIG), { result: 3, used: 6n });
  });
  test("nop is free (walrus emits no instruction for it)", () => {
    assert.deepEqual(m.call("nops", BIG), { result: 7, used: 2n });
  });
  test("loop body is charged on every entry", () => {
    // body: block=1 (2 gas); block seq: loop=1 (2); loop seq: 9 instrs (18) entered n+1 times; local.get (2 in body)
    for (const n of [0, 1, 10, 1000]) {
      const body = 2n * 2n; // function seq: block, local.get
      assert.deepEqual(m.call("count", BIG, n), { result: n, used: body + 2n + 18n * BigInt(n + 1) });
    }
  });
  test("if/else: each arm charged only when taken", () => {
    assert.deepEqual(m.call("abs", BIG, -5), { result: 5, used: 8n + 6n });
    assert.deepEqual(m.call("abs", BIG, 5), { result: 5, used: 8n + 2n });
  });
  test("if without else: the missing arm costs nothing", () => {
    assert.deepEqual(m.call("when", BIG, 1), { result: 1, used: 6n + 4n }); // local.get if const | const drop
    assert.deepEqual(m.call("when", BIG, 0), { result: 1, used: 6n });
  });
  test("br_table: every enclosing sequence paid on entry", () => {
    for (const [arg, result] of [
      [0, 10],
      [1, 20],
      [2, 30],
      [99, 30],
    ] as const) {
      assert.deepEqual(m.call("sw", BIG, arg), { result, used: 4n + 6n + 6n + 4n });
    }
  });
  test("dead code after return is not counted", () => {
    assert.deepEqual(m.call("dead", BIG), { result: 1, used: 4n });
  });
  test("calls: caller and each callee body", () => {
    assert.deepEqual(m.call("calls", BIG), { result: 25, used: 10n + 6n + 6n });
  });
  test("memory.grow: 28 for the meter + 8192 per page, even when growth fails", () => {
    assert.deepEqual(m.call("grow", BIG, 3), { result: 1, used: 4n + 28n + 3n * 8192n });
    assert.deepEqual(m.call("grow", BIG, 0), { result: 4, used: 4n + 28n });
    const over = RUNTIME_MAX_MEMORY_PAGES; // 4 + 192 pages is over the cap
    assert.deepEqual(m.call("grow", BIG, over), { result: -1, used: 4n + 28n + BigInt(over) * 8192n });
  });
  test("return inside nested blocks still returns the right value", () => {
    // body: loop, const (4); loop seq: 9 instrs (18) entered 4 times; then-arm: get, const, mul, return (8)
    assert.deepEqual(m.call("early", BIG, 3), { result: 6, used: 4n + 4n * 18n + 8n });
    assert.equal(m.stackLeft, STACK_BUDGET_SLOTS);
  });
  test("multi-value results survive the wrapper block", () => {
    assert.deepEqual(m.call("pair", BIG, 4).result, [4, 9]);
  });
});

describe("gas metering: exhaustion and determinism", async () => {
  const bytes = await wat(PROGRAMS);

  test("an infinite loop runs out of gas and says how much it asked for", () => {
    const m = new Metered(bytes);
    m.gasLeft = 1001n;
    assert.throws(() => m.fn("spin")(), /unreachable/);
    assert.equal(m.exhausted, 2n); // the loop sequence (one br) could not be paid
    assert.equal(m.gasLeft, 1n);
  });
  test("exactly enough gas succeeds; one less fails", () => {
    const m = new Metered(bytes);
    assert.equal(m.call("calls", 22n).used, 22n);
    assert.equal(m.exhausted, 0n);
    m.gasLeft = 21n;
    assert.throws(() => m.fn("calls")());
    assert.notEqual(m.exhausted, 0n);
  });
  test("grow without enough gas traps before growing", () => {
    const m = new Metered(bytes);
    m.gasLeft = 4n + 28n + 8191n;
    assert.throws(() => m.fn("grow")(1));
    assert.equal(m.exhausted, 8192n);
    assert.equal(m.gasLeft, 8191n - 6n); // Secret's meter also pays for its own 3-instruction out-of-gas arm
    assert.equal(m.call("grow", BIG, 0).result, 1); // memory did not grow
  });
  test("a sequence opening with blocks: one merged check, the separate charges' gas and trap state", async () => {
    // body: block, const (4); outer block: block (2); inner block: const, drop, call, drop (8); $leaf: const (2).
    // Merged, body + outer + inner are one check of 14 before the first const; the callee charges its own 2.
    const nested = await wat(`(module (memory 1)
      (func $leaf (result i32) (i32.const 9))
      (func (export "nested") (result i32) (block (block (drop (i32.const 1)) (drop (call $leaf)))) (i32.const 3)))`);
    assert.deepEqual(new Metered(nested).call("nested", BIG), { result: 3, used: 4n + 2n + 8n + 2n });
    // Each limit short of a separate charge leaves what that charge would leave: Secret's gas_left / exhausted.
    const cases: [bigint, bigint, bigint][] = [
      [3n, 4n, 3n], // the body's 4 cannot be paid
      [5n, 2n, 1n], // body paid; the outer block's 2 cannot be
      [11n, 8n, 5n], // body + outer paid; the inner block's 8 cannot be
      [15n, 2n, 1n], // all three paid (14); the callee's 2 cannot be
    ];
    for (const [limit, exhausted, left] of cases) {
      const fresh = new Metered(nested);
      fresh.gasLeft = limit;
      assert.throws(() => fresh.fn("nested")(), /unreachable/);
      assert.deepEqual([fresh.exhausted, fresh.gasLeft], [exhausted, left], `limit ${limit}`);
    }
  });
  test("same call twice, on one instance or two, uses the same gas", () => {
    const a = new Metered(bytes);
    const b = new Metered(bytes);
    const first = a.call("count", BIG, 777);
    assert.deepEqual(a.call("count", BIG, 777), first);
    assert.deepEqual(b.call("count", BIG, 777), first);
  });
  test("instrumentation is deterministic byte for byte", () => {
    assert.deepEqual(injectMetering(parseModule(bytes)), injectMetering(parseModule(bytes)));
  });
});

describe("metered modules behave like the original", async () => {
  const bytes = await wat(`(module
    (memory (export "memory") 1)
    (func $fib (export "fib") (param i64) (result i64)
      (if (result i64) (i64.lt_u (local.get 0) (i64.const 2)) (then (local.get 0))
        (else (i64.add (call $fib (i64.sub (local.get 0) (i64.const 1)))
                       (call $fib (i64.sub (local.get 0) (i64.const 2)))))))
    (func (export "mix") (param i32 i32) (result i32) (local $i i32) (local $h i32)
      (local.set $h (local.get 1))
      (block $done (loop $l
        (br_if $done (i32.ge_u (local.get $i) (i32.and (local.get 0) (i32.const 63))))
        (i32.store8 (local.get $i) (i32.extend8_s (local.get $h)))
        (local.set $h (i32.xor (i32.rotl (local.get $h) (i32.const 5)) (i32.load (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
      (memory.fill (i32.const 100) (local.get $h) (i32.const 8))
      (i32.add (local.get $h) (i32.load (i32.const 100)))))`);
  test("same results for seeded random inputs", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), (a, b) => {
        const plain = instantiate(bytes).exports["mix"] as (x: number, y: number) => number;
        const metered = new Metered(bytes);
        assert.equal(metered.call("mix", BIG, a, b).result, plain(a, b));
      }),
      { seed: 42, numRuns: 200 },
    );
    const fib = instantiate(bytes).exports["fib"] as (n: bigint) => bigint;
    assert.equal(new Metered(bytes).call("fib", BIG, 20n).result, fib(20n));
  });
});

describe("deterministic call-stack limit", () => {
  const rec = (locals: number): Promise<Uint8Array> =>
    wat(`(module (func $r (export "r") (param i32) (result i32) ${locals > 0 ? `(local ${"i64 ".repeat(locals)})` : ""}
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
        (else (i32.add (i32.const 1) (call $r (i32.sub (local.get 0) (i32.const 1))))))))`);

  test("recursion fails at the same depth on every run, before V8's own stack limit", async () => {
    const small = await rec(0);
    const frame = FRAME_OVERHEAD_SLOTS + 1;
    const maxDepth = Math.floor(STACK_BUDGET_SLOTS / frame); // frames of r(n) = n + 1
    const m = new Metered(small);
    assert.equal(m.call("r", BIG, maxDepth - 1).result, maxDepth - 1);
    assert.equal(m.stackLeft, STACK_BUDGET_SLOTS); // refunded on every return
    assert.equal(m.depthExceeded, 0);
    assert.throws(() => m.call("r", BIG, maxDepth), /unreachable/);
    assert.equal(m.depthExceeded, 1);
    const deep = new Metered(small);
    assert.throws(() => deep.call("r", BIG, 1_000_000), /unreachable/); // not "Maximum call stack size"
    assert.equal(deep.depthExceeded, 1);
  });
  test("big frames are charged by their locals", async () => {
    const m = new Metered(await rec(2000));
    const maxDepth = Math.floor(STACK_BUDGET_SLOTS / (FRAME_OVERHEAD_SLOTS + 2001));
    assert.equal(m.call("r", BIG, maxDepth - 1).result, maxDepth - 1);
    assert.throws(() => m.call("r", BIG, maxDepth), /unreachable/);
    assert.equal(m.depthExceeded, 1);
  });
});

describe("memory cap", () => {
  test("the metered memory maximum is the runtime cap and an export named memory exists", async () => {
    const bytes = await wat(
      `(module (memory 2) (func (export "g") (param i32) (result i32) (memory.grow (local.get 0))))`,
    );
    const metered = injectMetering(parseModule(bytes));
    assert.ok(wasmApi.validate(metered));
    const m = new Metered(bytes);
    assert.equal(m.call("g", BIG, RUNTIME_MAX_MEMORY_PAGES - 2).result, 2);
    assert.equal(m.call("g", BIG, 1).result, -1);
    assert.ok(m.instance.exports["memory"] !== undefined);
  });
});
