// Keeper-level checks without an enclave: the contract address formula against node:crypto's independent
// sha256/ripemd160, record round-trips (seeded property test), sequences, labels, the per-block msg counter,
// contracts-by-code order and history order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { MemoryKVStore } from "../../store/memory.js";
import { plainContext } from "../../tx/testdata/testHarness.js";
import { concatBytes, u64be } from "../../../util/bytes.js";
import { ComputeKeeper } from "./keeper.js";
import { contractAddress } from "./runner.js";
import {
  decodeCodeInfo,
  decodeContractInfo,
  decodeHistory,
  encodeCodeInfo,
  encodeContractInfo,
  encodeHistory,
  HISTORY_OP,
} from "./types.js";

test("contract address = ripemd160(sha256(u64_be((code_id << 32) + instance_id) ‖ creator)) (spec §10)", () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 1n, max: (1n << 32n) - 1n }),
      fc.bigInt({ min: 1n, max: (1n << 32n) - 1n }),
      fc.uint8Array({ minLength: 20, maxLength: 20 }),
      (codeId, instanceId, creator) => {
        const id = Buffer.alloc(8);
        id.writeBigUInt64BE((codeId << 32n) + instanceId);
        const inner = createHash("sha256")
          .update(Buffer.concat([id, creator]))
          .digest();
        const want = createHash("ripemd160").update(inner).digest();
        assert.deepEqual(Buffer.from(contractAddress(codeId, instanceId, creator)), want);
      },
    ),
    { seed: 42, numRuns: 100 },
  );
});

test("records round-trip through their stored JSON", () => {
  const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
  const pos = fc.record({ blockHeight: u64, txIndex: u64 });
  fc.assert(
    fc.property(u64, fc.string(), fc.string(), pos, (id, s1, s2, rec) => {
      const p = { blockHeight: rec.blockHeight, txIndex: rec.txIndex };
      const code = { codeId: id, creator: s1, codeHash: "ab".repeat(32), source: s2, builder: s1 };
      assert.deepEqual(decodeCodeInfo(encodeCodeInfo(code)), code);
      const c = { codeId: id, creator: s1, label: s2, created: p, admin: s1, adminProof: "" };
      assert.deepEqual(decodeContractInfo(encodeContractInfo(c)), c);
      const h = { operation: HISTORY_OP.migrate, codeId: id, updated: p, msg: s2 };
      assert.deepEqual(decodeHistory(encodeHistory(h)), h);
    }),
    { seed: 42, numRuns: 200 },
  );
});

test("sequences start at 1; msg counter counts per block and restarts at a new height", () => {
  const store = new MemoryKVStore();
  const k = new ComputeKeeper();
  const at = (h: bigint) => plainContext(store, "c", h);
  assert.deepEqual([k.nextCodeId(at(1n)), k.nextCodeId(at(1n)), k.nextInstanceId(at(1n))], [1n, 2n, 1n]);
  assert.equal(k.peekSequence(at(1n), "code"), 3n);
  assert.deepEqual(
    [k.nextMsgCounter(at(5n)), k.nextMsgCounter(at(5n)), k.nextMsgCounter(at(5n))],
    [0n, 1n, 2n],
  );
  assert.equal(k.nextMsgCounter(at(6n)), 0n);
});

const U64_MAX = 0xffff_ffff_ffff_ffffn;

test("msg counter bytes: height ‖ counter as u64 BE, above 2^32 too (shift codec = u64be)", () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: U64_MAX }), fc.bigInt({ min: 0n, max: U64_MAX }), (h, n0) => {
      const store = new MemoryKVStore();
      const k = new ComputeKeeper();
      assert.equal(k.nextMsgCounter(plainContext(store, "c", h)), 0n);
      const entries = [...store.iterate(undefined, undefined)];
      assert.equal(entries.length, 1);
      const key = entries[0]?.[0] ?? new Uint8Array();
      assert.deepEqual(entries[0]?.[1], concatBytes(u64be(h), u64be(1n)));
      const n = n0 === U64_MAX ? n0 - 1n : n0;
      store.set(key, concatBytes(u64be(h), u64be(n)));
      assert.equal(k.nextMsgCounter(plainContext(store, "c", h)), n);
      assert.deepEqual(store.get(key), concatBytes(u64be(h), u64be(n + 1n)));
    }),
    { seed: 42, numRuns: 300 },
  );
});

test("contracts by code list in creation order; history keeps append order; labels map to addresses", () => {
  const ctx = plainContext(new MemoryKVStore());
  const k = new ComputeKeeper();
  const a = new Uint8Array(20).fill(9);
  const b = new Uint8Array(20).fill(1);
  k.indexByCode(ctx, 7n, { blockHeight: 10n, txIndex: 0n }, a);
  k.indexByCode(ctx, 7n, { blockHeight: 11n, txIndex: 0n }, b);
  k.indexByCode(ctx, 8n, { blockHeight: 1n, txIndex: 0n }, b);
  assert.deepEqual(k.contractsByCode(ctx, 7n), [a, b], "creation order, not address order");
  k.unindexByCode(ctx, 7n, { blockHeight: 10n, txIndex: 0n }, a);
  assert.deepEqual(k.contractsByCode(ctx, 7n), [b]);
  for (let i = 0; i < 12; i++) {
    k.appendHistory(ctx, a, {
      operation: HISTORY_OP.migrate,
      codeId: BigInt(i),
      updated: { blockHeight: 1n, txIndex: 0n },
      msg: "",
    });
  }
  assert.deepEqual(
    k.history(ctx, a).map((h) => h.codeId),
    Array.from({ length: 12 }, (_, i) => BigInt(i)),
  );
  k.setLabel(ctx, "x", a);
  assert.deepEqual(k.addressByLabel(ctx, "x"), a);
  assert.equal(k.addressByLabel(ctx, "y"), undefined);
});
