// A limited sub-message's meter against a model of SN's layering (gaskv above the sub-message's cache, every access
// charged as it happens): random access sequences, seeded. The meter must see SN's charges (limit decision) while
// the caller is billed exactly what the shared (unlimited) path bills.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ChainError } from "../../errors.js";
import { GasKVStore, GasMeter } from "../../gas.js";
import { MemoryKVStore, MemoryOverlay } from "../../store/memory.js";
import type { KVStore } from "../../store/types.js";
import { EventManager, type Context } from "../../tx/context.js";
import { cachedWithGasLimit, SubMsgOutOfGas } from "./subMsgGas.js";
import { SubMsgMeter } from "./subMsgMeter.js";
import { probeRead } from "./prefetch.js";

type Op = { kind: "get" | "has" | "delete"; key: number } | { kind: "set"; key: number; len: number };

const keyOf = (k: number) => Uint8Array.of(0x03, k);
const valueOf = (len: number) => new Uint8Array(len).fill(7);

function apply(store: KVStore, ops: readonly Op[]): void {
  for (const op of ops) {
    const k = keyOf(op.key);
    if (op.kind === "set") store.set(k, valueOf(op.len));
    else if (op.kind === "get") store.get(k);
    else if (op.kind === "has") store.has(k);
    else store.delete(k);
  }
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom("get" as const, "has" as const, "delete" as const), key: fc.nat(5) }),
  fc.record({ kind: fc.constant("set" as const), key: fc.nat(5), len: fc.nat(40) }),
);
const opsArb = fc.array(opArb, { maxLength: 12 });

/** Committed state: keys 0..2 exist. */
function baseState(): MemoryKVStore {
  const s = new MemoryKVStore();
  for (let k = 0; k < 3; k++) s.set(keyOf(k), valueOf(10 + k));
  return s;
}

/** The limited sub-call's meter (cachedWithGasLimit hands the sub-call a SubMsgMeter). */
function meterOf(ctx: Context): SubMsgMeter {
  const m = ctx.gasMeter;
  assert.ok(m instanceof SubMsgMeter);
  return m;
}

function ctxOf(store: KVStore, gasMeter: GasMeter): Context {
  return {
    store,
    gasMeter,
    events: new EventManager(),
    chainId: "t",
    blockHeight: 1n,
    blockTimeNs: 0n,
    txHash: new Uint8Array(32),
    txIndex: 0,
    isCheckTx: false,
    simulate: false,
  };
}

/** SN: the sub-message's accesses on gaskv(cache(parent)) with its own meter; what that meter consumed. */
function snSeen(parentOps: readonly Op[], ops: readonly Op[], viaCache: boolean): bigint {
  const tx = new MemoryOverlay(baseState());
  const parent = viaCache ? new MemoryOverlay(tx) : tx;
  apply(new GasKVStore(parent, new GasMeter(undefined)), parentOps);
  const meter = new GasMeter(undefined);
  apply(new GasKVStore(new MemoryOverlay(parent), meter), ops);
  return meter.consumed;
}

/** Shroud: the tx's gaskv store, optionally an unlimited sub-message's cache, then the limited sub-message. */
function shroud(parentOps: readonly Op[], ops: readonly Op[], viaCache: boolean, limit: bigint) {
  const txMeter = new GasMeter(100_000_000n);
  const top = new GasKVStore(new MemoryOverlay(baseState()), txMeter);
  // viaCache: the limited sub-message runs inside an unlimited one, whose cache sits above the gas store.
  const cache = viaCache ? new MemoryOverlay(top) : undefined;
  const ctx = ctxOf(cache ?? top, txMeter);
  apply(ctx.store, parentOps);
  let seen = 0n;
  let oog = false;
  try {
    cachedWithGasLimit(ctx, limit, false, (sub) => {
      apply(sub.store, ops);
      seen = meterOf(sub).seen;
    });
  } catch (e) {
    if (!(e instanceof SubMsgOutOfGas)) throw e;
    oog = true;
  }
  cache?.write();
  return { seen, oog, billed: txMeter.consumed };
}

/** The shared path's bill: the sub-message's cache over the same store, the tx's meter, committed. */
function sharedBill(parentOps: readonly Op[], ops: readonly Op[], viaCache: boolean): bigint {
  const txMeter = new GasMeter(100_000_000n);
  const top = new GasKVStore(new MemoryOverlay(baseState()), txMeter);
  const outer = viaCache ? new MemoryOverlay(top) : top;
  apply(outer, parentOps);
  const sub = new MemoryOverlay(outer);
  apply(sub, ops);
  sub.write();
  if (outer instanceof MemoryOverlay) outer.write();
  return txMeter.consumed;
}

describe("limited sub-message meter (SN: gas above the cache)", () => {
  test("sees exactly SN's charges (writes, deletes, reads of pending keys); bills what the shared path bills", () => {
    fc.assert(
      fc.property(opsArb, opsArb, fc.boolean(), (parentOps, ops, viaCache) => {
        const sn = snSeen(parentOps, ops, viaCache);
        const r = shroud(parentOps, ops, viaCache, 10_000_000n);
        assert.equal(r.oog, false);
        assert.equal(r.seen, sn);
        assert.equal(r.billed, sharedBill(parentOps, ops, viaCache));
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  test("runs out exactly where SN's meter would: limit below SN's total fails, at it succeeds", () => {
    fc.assert(
      fc.property(opsArb, opsArb, fc.boolean(), (parentOps, ops, viaCache) => {
        const sn = snSeen(parentOps, ops, viaCache);
        fc.pre(sn > 0n);
        assert.equal(shroud(parentOps, ops, viaCache, sn).oog, false);
        const short = shroud(parentOps, ops, viaCache, sn - 1n);
        assert.equal(short.oog, true);
        // The caller is charged the whole limit on top of what its own accesses cost.
        const parentOnly = shroud(parentOps, [], viaCache, 1n).billed;
        assert.equal(
          short.billed,
          parentOnly + sn - 1n,
          "the caller pays the whole limit; the writes are dropped",
        );
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  test("a sub-call over its limit only through writes fails (the old rule counted reads and VM gas only)", () => {
    const ops: Op[] = [{ kind: "set", key: 9, len: 20 }];
    const write = 200n + 5n * (2n + 20n);
    assert.equal(shroud([], ops, false, write).oog, false);
    assert.equal(shroud([], ops, false, write - 1n).oog, true);
  });

  test("nested limits: the outer meter sees the inner sub-call's spent (SN), reads and writes", () => {
    fc.assert(
      fc.property(opsArb, opsArb, opsArb, (before, inner, after) => {
        // SN: one meter for the outer sub-message; the inner's spent is charged to it, its commit is free.
        const tx = new MemoryOverlay(baseState());
        const outerMeter = new GasMeter(undefined);
        const outerCache = new MemoryOverlay(tx);
        apply(new GasKVStore(outerCache, outerMeter), before);
        const innerMeter = new GasMeter(undefined);
        const innerCache = new MemoryOverlay(outerCache);
        apply(new GasKVStore(innerCache, innerMeter), inner);
        outerMeter.consume(innerMeter.consumed, "inner");
        innerCache.write();
        apply(new GasKVStore(outerCache, outerMeter), after);

        const txMeter = new GasMeter(100_000_000n);
        const ctx = ctxOf(new GasKVStore(new MemoryOverlay(baseState()), txMeter), txMeter);
        let seen = 0n;
        cachedWithGasLimit(ctx, 10_000_000n, false, (outer) => {
          apply(outer.store, before);
          cachedWithGasLimit(outer, 5_000_000n, false, (sub) => {
            apply(sub.store, inner);
          });
          apply(outer.store, after);
          seen = meterOf(outer).seen;
        });
        // The inner writes reach the outer meter with its commit, one per key (SN: one per write).
        const innerKeys = inner.filter((o) => o.kind === "set" || o.kind === "delete").map((o) => o.key);
        if (new Set(innerKeys).size === innerKeys.length) assert.equal(seen, outerMeter.consumed);
        else assert.ok(seen <= outerMeter.consumed);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  test("a prefetch probe leaves the count as it was (the replay counts the read)", () => {
    const txMeter = new GasMeter(1_000_000n);
    const ctx = ctxOf(new GasKVStore(new MemoryOverlay(baseState()), txMeter), txMeter);
    cachedWithGasLimit(ctx, 100_000n, false, (sub) => {
      const m = meterOf(sub);
      sub.store.set(keyOf(4), valueOf(8));
      const seen = m.seen;
      const probe = probeRead(m, sub.store, keyOf(4));
      assert.equal(probe?.charge, 0n, "a pending key costs the caller nothing here");
      assert.equal(m.seen, seen);
      sub.store.get(keyOf(4));
      assert.equal(m.seen, seen + 100n + 10n, "ReadFlat + 1 per key and value byte");
    });
  });

  test("reads inside uncharged() (a node-local wasm fetch) count nothing", () => {
    const txMeter = new GasMeter(1_000_000n);
    const ctx = ctxOf(new GasKVStore(new MemoryOverlay(baseState()), txMeter), txMeter);
    cachedWithGasLimit(ctx, 100_000n, false, (sub) => {
      const m = meterOf(sub);
      sub.gasMeter.uncharged(() => {
        sub.store.get(keyOf(0));
      });
      assert.equal(m.seen, 0n);
      sub.store.set(keyOf(5), valueOf(1));
      assert.throws(
        () => {
          m.count("write", 200_000n, "x");
        },
        (e: unknown) => e instanceof ChainError && e.code === 11,
      );
    });
  });
});

describe("SubMsgMeter number charges", () => {
  test("consumeSmall sees the counted gas as consume does: same throw, same message", () => {
    const viaBig = new SubMsgMeter(1_000n);
    const viaNumber = new SubMsgMeter(1_000n);
    for (const m of [viaBig, viaNumber]) m.count("write", 900n, "WriteFlat");
    assert.throws(
      () => {
        viaBig.consume(150n, "ReadFlat");
      },
      (e: unknown) => e instanceof ChainError && /gasUsed: 1050/.test(e.message),
    );
    assert.throws(
      () => {
        viaNumber.consumeSmall(150, "ReadFlat");
      },
      (e: unknown) => e instanceof ChainError && /gasUsed: 1050/.test(e.message),
    );
    // A GasKVStore over the meter charges numbers: the limit still holds.
    const m = new SubMsgMeter(100n);
    m.count("write", 95n, "WriteFlat");
    assert.throws(() => new GasKVStore(new MemoryKVStore(), m).get(keyOf(1)), ChainError);
  });
});
