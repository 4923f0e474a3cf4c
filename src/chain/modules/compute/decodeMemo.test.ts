// DecodeMemo: a hit is exactly the decode of equal bytes, by object or by content; failures are not remembered.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DecodeMemo } from "./decodeMemo.js";
import { ComputeKeeper } from "./keeper.js";
import { MemoryKVStore } from "../../store/memory.js";
import { appContext } from "../../app/context.js";
import { concatBytes, utf8 } from "../../../util/bytes.js";
import { contractKeyKey, STORE_PREFIX } from "./keys.js";

describe("DecodeMemo", () => {
  test("equals the decode of the same bytes, by object and by equal content (seeded)", () => {
    let calls = 0;
    const decode = (b: Uint8Array): string => {
      calls++;
      return Buffer.from(b).toString("hex");
    };
    const memo = new DecodeMemo(decode, 8);
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 30 }), (inputs) => {
        for (const b of inputs) {
          assert.equal(memo.get(b), decode(b));
          assert.equal(memo.get(b.slice()), decode(b)); // another object, same content
        }
      }),
      { seed: 42, numRuns: 200 },
    );
    assert.ok(calls > 0);
  });

  test("decodes once per content; a failure is thrown and not remembered; the bound clears", () => {
    let calls = 0;
    const memo = new DecodeMemo((b: Uint8Array) => {
      calls++;
      if (b[0] === 0) throw new Error("bad");
      return { first: b[0] };
    }, 2);
    const a = Uint8Array.of(1, 2);
    const first = memo.get(a);
    assert.equal(memo.get(a), first);
    assert.equal(memo.get(Uint8Array.of(1, 2)), first);
    assert.equal(calls, 1);
    assert.throws(() => memo.get(Uint8Array.of(0)), /bad/);
    assert.throws(() => memo.get(Uint8Array.of(0)), /bad/);
    assert.equal(calls, 3);
    memo.get(Uint8Array.of(2));
    memo.get(Uint8Array.of(3)); // full: cleared, then remembered
    assert.deepEqual(memo.get(Uint8Array.of(1, 2)), { first: 1 });
    assert.equal(calls, 6);
  });
});

describe("ComputeKeeper records through the memo", () => {
  const ctx = appContext(new MemoryKVStore(), "memo-1", 5n, 0n);
  const k = new ComputeKeeper();
  const addr = new Uint8Array(20).fill(7);

  test("contract key: the stored record, frozen; a bad record still throws", () => {
    const key = { og: new Uint8Array(64).fill(1), current: new Uint8Array(64).fill(2) };
    k.setContractKey(ctx, addr, key);
    const got = k.getContractKey(ctx, addr);
    assert.deepEqual(got, key);
    assert.ok(Object.isFrozen(got));
    assert.equal(k.getContractKey(ctx, addr), got);
    const other = new Uint8Array(20).fill(8);
    ctx.store.set(concatBytes(STORE_PREFIX, contractKeyKey(other)), utf8.encode('{"og":"!!"}'));
    assert.throws(() => k.getContractKey(ctx, other), /"og" is not valid base64/);
  });

  test("contract info: equal to what was stored, frozen deeply, and a rewrite is seen", () => {
    const info = {
      codeId: 3n,
      creator: "secret1creator",
      label: "l",
      created: { blockHeight: 4n, txIndex: 1n },
      admin: "",
      adminProof: "",
    };
    k.setContract(ctx, addr, info);
    const got = k.getContract(ctx, addr);
    assert.deepEqual(got, info);
    assert.ok(Object.isFrozen(got) && Object.isFrozen(got.created));
    k.setContract(ctx, addr, { ...info, codeId: 9n });
    assert.equal(k.getContract(ctx, addr)?.codeId, 9n);
  });
});
