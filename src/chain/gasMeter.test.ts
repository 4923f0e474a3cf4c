// GasMeter's number/bigint count against a plain bigint reference meter (the pre-session-8 implementation),
// and GasKVStore's number charges against bigint charges of the same schedule: same counts, same errors.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { GasKVStore, GasMeter, MAX_GAS_WANTED, SECRET_KV_GAS_CONFIG, type KVGasConfig } from "./gas.js";
import { MemoryKVStore } from "./store/memory.js";

/** The reference: every count a bigint (gas.ts before session 8). */
class RefMeter {
  used = 0n;
  constructor(readonly limit: bigint | undefined) {}
  consume(amount: bigint, d: string): void {
    if (amount < 0n) throw new RangeError(`negative gas charge for ${d}`);
    this.used += amount;
    if (this.limit !== undefined && this.used > this.limit) {
      throw new Error(
        `out of gas in location: ${d}; gasWanted: ${this.limit}, gasUsed: ${this.used}: out of gas`,
      );
    }
  }
  refund(amount: bigint, d: string): void {
    if (amount < 0n || amount > this.used) throw new RangeError(`invalid gas refund for ${d}`);
    this.used -= amount;
  }
}

type Op = { k: "big"; a: bigint } | { k: "small"; a: number } | { k: "refund"; a: bigint };

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const amount = fc.oneof(
  fc.bigInt({ min: 0n, max: 1000n }),
  fc.bigInt({ min: SAFE - 1000n, max: SAFE + 1000n }),
  fc.bigInt({ min: 0n, max: MAX_GAS_WANTED }),
  fc.constant(-1n),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  amount.map((a) => ({ k: "big" as const, a })),
  fc.nat({ max: 2 ** 30 }).map((a) => ({ k: "small" as const, a })),
  fc.oneof(fc.bigInt({ min: 0n, max: 500n }), amount).map((a) => ({ k: "refund" as const, a })),
);
const limit = fc.oneof(
  fc.constant(undefined),
  fc.bigInt({ min: 0n, max: 5000n }),
  fc.bigInt({ min: SAFE - 2000n, max: SAFE + 2000n }),
  fc.constant(MAX_GAS_WANTED),
);

function outcome(f: () => void): string {
  try {
    f();
    return "ok";
  } catch (e) {
    return `${(e as Error).constructor.name === "RangeError" ? "range" : "gas"}: ${(e as Error).message}`;
  }
}

describe("GasMeter", () => {
  test("number count = bigint reference (counts, remaining, errors)", () => {
    fc.assert(
      fc.property(limit, fc.array(op, { maxLength: 40 }), (lim, ops) => {
        const m = new GasMeter(lim);
        const r = new RefMeter(lim);
        for (const o of ops) {
          const got =
            o.k === "big"
              ? outcome(() => {
                  m.consume(o.a, "D");
                })
              : o.k === "small"
                ? outcome(() => {
                    m.consumeSmall(o.a, "D");
                  })
                : outcome(() => {
                    m.refund(o.a, "D");
                  });
          const want = outcome(() => {
            if (o.k === "refund") r.refund(o.a, "D");
            else r.consume(o.k === "big" ? o.a : BigInt(o.a), "D");
          });
          assert.equal(got, want);
          assert.equal(m.consumed, r.used);
          assert.equal(m.isPastLimit(), lim !== undefined && r.used > lim);
          assert.equal(m.remaining, lim === undefined ? undefined : r.used >= lim ? 0n : lim - r.used);
        }
      }),
      { seed: 42, numRuns: 400 },
    );
  });

  test("the out-of-gas message is the SDK's, with exact figures", () => {
    const m = new GasMeter(250n);
    m.consumeSmall(200, "WriteFlat");
    assert.throws(
      () => {
        m.consumeSmall(60, "WritePerByte");
      },
      {
        message: "out of gas in location: WritePerByte; gasWanted: 250, gasUsed: 260: out of gas",
      },
    );
    assert.equal(m.consumed, 260n);
    const big = new GasMeter(undefined);
    big.consume(SAFE, "a");
    big.consumeSmall(5, "b");
    assert.equal(big.consumed, SAFE + 5n);
    big.refund(SAFE + 5n, "c");
    assert.equal(big.consumed, 0n);
  });

  test("uncharged() ignores both kinds of charge", () => {
    const m = new GasMeter(10n);
    m.uncharged(() => {
      m.consume(100n, "x");
      m.consumeSmall(100, "y");
    });
    assert.equal(m.consumed, 0n);
  });
});

describe("GasKVStore", () => {
  // A schedule too large for number charges takes the bigint path: both must charge the same.
  const huge: KVGasConfig = { ...SECRET_KV_GAS_CONFIG, writeCostFlat: 2n ** 21n };
  const scaled: KVGasConfig = { ...SECRET_KV_GAS_CONFIG, writeCostFlat: 2n ** 21n - 1n };

  test("number charges = bigint charges, same out-of-gas point", () => {
    const access = fc.tuple(
      fc.constantFrom("get", "set", "delete", "has", "iterate"),
      fc.uint8Array({ minLength: 1, maxLength: 40 }),
      fc.uint8Array({ maxLength: 300 }),
    );
    fc.assert(
      fc.property(fc.array(access, { maxLength: 30 }), fc.bigInt({ min: 0n, max: 60_000n }), (ops, lim) => {
        for (const [cfgA, cfgB] of [
          [SECRET_KV_GAS_CONFIG, SECRET_KV_GAS_CONFIG],
          [scaled, scaled],
        ] as const) {
          const run = (cfg: KVGasConfig, forceBig: boolean): string[] => {
            const m = new GasMeter(lim);
            const s = new GasKVStore(new MemoryKVStore(), m, forceBig ? { ...cfg } : cfg);
            if (forceBig) (s as unknown as { n: undefined }).n = undefined;
            const log: string[] = [];
            for (const [k, key, v] of ops) {
              log.push(
                outcome(() => {
                  if (k === "get") s.get(key);
                  else if (k === "set") s.set(key, v);
                  else if (k === "delete") s.delete(key);
                  else if (k === "has") s.has(key);
                  else [...s.iterate(undefined, undefined)].forEach(() => undefined);
                }),
                String(m.consumed),
              );
            }
            return log;
          };
          assert.deepEqual(run(cfgA, false), run(cfgB, true));
        }
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  test("a schedule past the number bound still charges exactly", () => {
    const m = new GasMeter(undefined);
    const s = new GasKVStore(new MemoryKVStore(), m, huge);
    s.set(new Uint8Array([1]), new Uint8Array(3));
    assert.equal(m.consumed, 2n ** 21n + 5n + 15n);
  });
});
