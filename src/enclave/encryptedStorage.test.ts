// Encrypted storage (spec §6.3) over an in-memory PlainStore: formats byte for byte, buffering and flush,
// old-format fallback and upgrade, remove of both formats, seed trailer, query write error, shuffle.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { concatBytes, toHex, utf8 } from "../util/bytes.js";
import { aesSivEncrypt } from "./crypto/aesSiv.js";
import { sha256 } from "./crypto/hash.js";
import { deriveFromKey } from "./crypto/kdf.js";
import type { EnclaveKeys } from "./keys.js";
import {
  EncryptedStorage,
  encryptKeyName,
  parseStoredValue,
  PSEUDO_GAS_STORE_PER_BYTE,
  shuffleDeterministic,
  storeKeyNew,
  storeKeyOld,
  type PlainStore,
} from "./encryptedStorage.js";
import { fixedKeys } from "./testing/fixedKeys.js";

/** In-memory PlainStore that logs every call and charges 1 gas per call. */
class MemStore implements PlainStore {
  readonly map = new Map<string, Uint8Array>();
  readonly log: string[] = [];
  read(key: Uint8Array) {
    this.log.push("r:" + toHex(key));
    return { value: this.map.get(toHex(key)), gas: 1n };
  }
  write(key: Uint8Array, value: Uint8Array) {
    this.log.push("w:" + toHex(key));
    this.map.set(toHex(key), value);
    return { gas: 1n };
  }
  remove(key: Uint8Array) {
    this.log.push("d:" + toHex(key));
    this.map.delete(toHex(key));
    return { gas: 1n };
  }
}

/** The same store with applyBatch: one call per flush, logged as the ops it applies plus a batch marker. */
class BatchingMemStore extends MemStore {
  batches = 0;
  applyBatch(ops: readonly { key: Uint8Array; value?: Uint8Array | undefined }[]) {
    this.batches++;
    let gas = 0n;
    for (const op of ops)
      gas += (op.value === undefined ? this.remove(op.key) : this.write(op.key, op.value)).gas;
    return { gas };
  }
}

const seeds = [1, 2, 3].map((i) => new Uint8Array(32).fill(i));
const keys2 = fixedKeys(seeds.slice(0, 2));
const ogKey = new Uint8Array(64).fill(8);
const params = (keys: EnclaveKeys, writable = true) => ({
  keys,
  ogContractKey: ogKey,
  blockTimeNs: 1_700_000_000_000_000_000n,
  msgCounter: { height: 100n, counter: 1n },
  writable,
});
const k = (s: string) => utf8.encode(s);

describe("encrypted storage", () => {
  test("writes are buffered until flush; reads see the buffer; store key layout", () => {
    const store = new MemStore();
    const s = new EncryptedStorage(store, params(keys2));
    const g = s.set(k("a"), k("12345"));
    assert.equal(g.gas.cost, 5n * PSEUDO_GAS_STORE_PER_BYTE);
    assert.equal(store.map.size, 0);
    assert.equal(utf8.decode(s.get(k("a")).value!), "12345");
    assert.equal(store.log.length, 0);
    const { refund } = s.flush();
    assert.equal(refund, 5n * PSEUDO_GAS_STORE_PER_BYTE);
    const enc = encryptKeyName(keys2, ogKey, k("a"));
    const sk = storeKeyNew(enc);
    const expected = concatBytes(
      new Uint8Array([6, 0, 0, 0, 0, 0, 0, 0]),
      k("secret"),
      new Uint8Array([2, 0, 3, 0, 0, 0]),
      new Uint8Array([enc.length, 0, 0, 0, 0, 0, 0, 0]),
      enc,
    );
    assert.deepEqual(sk, expected);
    const stored = store.map.get(toHex(sk))!;
    const p = parseStoredValue(stored);
    assert.equal(p.salt.length, 24);
    assert.equal(p.seedId, 2);
    assert.equal(stored.length, 8 + 24 + 8 + 5 + 16, "no seed trailer with 2 seeds");
    const reader = new EncryptedStorage(store, params(keys2, false));
    assert.equal(utf8.decode(reader.get(k("a")).value!), "12345");
    assert.equal(reader.get(k("missing")).value, undefined);
  });

  test("more than 2 seeds: u16le seed trailer, values under the last ikm, still readable", () => {
    const store = new MemStore();
    const keys3 = fixedKeys(seeds);
    const s = new EncryptedStorage(store, params(keys3));
    s.set(k("x"), k("v"));
    s.flush();
    const stored = [...store.map.values()][0]!;
    assert.deepEqual(stored.subarray(stored.length - 2), new Uint8Array([3, 0]));
    assert.equal(parseStoredValue(stored).seedId, 3);
    assert.equal(utf8.decode(new EncryptedStorage(store, params(keys3)).get(k("x")).value!), "v");
    // Key names use seed #2 regardless, so the same name maps to the same store key under 2 or 3 seeds.
    assert.deepEqual(encryptKeyName(keys3, ogKey, k("x")), encryptKeyName(keys2, ogKey, k("x")));
  });

  test("queries cannot write or remove", () => {
    const s = new EncryptedStorage(new MemStore(), params(keys2, false));
    assert.throws(() => s.set(k("a"), k("b")), /contract tried to write to storage during a query/);
    assert.throws(() => s.remove(k("a")), /contract tried to write to storage during a query/);
  });

  test("remove deletes both formats and the buffered value", () => {
    const store = new MemStore();
    const s = new EncryptedStorage(store, params(keys2));
    s.set(k("a"), k("1"));
    s.flush();
    s.set(k("a"), k("2"));
    s.remove(k("a"));
    assert.equal(store.log.filter((l) => l.startsWith("d:")).length, 3, "1 at flush + old + new");
    assert.ok(store.log.includes("d:" + toHex(storeKeyOld(k("a"), ogKey))));
    assert.equal(s.get(k("a")).value, undefined);
    s.flush();
    assert.equal(store.map.size, 0);
  });

  test("old format is read as a fallback and upgraded when writable", () => {
    const store = new MemStore();
    const oldKey = storeKeyOld(k("legacy"), ogKey);
    const ad = sha256(oldKey);
    const key = deriveFromKey(keys2.stateIkm(0), concatBytes(oldKey, ogKey));
    store.map.set(toHex(oldKey), concatBytes(ad, aesSivEncrypt(key, k("old value"), [ad])));
    const q = new EncryptedStorage(store, params(keys2, false));
    assert.equal(utf8.decode(q.get(k("legacy")).value!), "old value");
    assert.ok(store.map.has(toHex(oldKey)), "queries do not rewrite");
    const s = new EncryptedStorage(store, params(keys2));
    const r = s.get(k("legacy"));
    assert.equal(utf8.decode(r.value!), "old value");
    assert.equal(r.gas.cost, 4n, "2 reads + remove old + write new");
    assert.ok(!store.map.has(toHex(oldKey)));
    assert.equal(
      utf8.decode(new EncryptedStorage(store, params(keys2)).get(k("legacy")).value!),
      "old value",
    );
  });

  test("tampered or foreign values fail with the decrypt error", () => {
    const store = new MemStore();
    const s = new EncryptedStorage(store, params(keys2));
    s.set(k("a"), k("1"));
    s.flush();
    const id = [...store.map.keys()][0]!;
    const v = store.map.get(id)!;
    v[v.length - 1]! ^= 1;
    assert.throws(() => new EncryptedStorage(store, params(keys2)).get(k("a")), /failed to decrypt data/);
    const other = { ...params(keys2), ogContractKey: new Uint8Array(64).fill(9) };
    assert.equal(
      new EncryptedStorage(store, other).get(k("a")).value,
      undefined,
      "other contract: other key",
    );
  });

  test("flush: sorted by plaintext key without random; deterministic shuffle with random", () => {
    const order = (random?: Uint8Array) => {
      const store = new MemStore();
      const s = new EncryptedStorage(store, params(keys2));
      for (const name of ["d", "b", "a", "c", "e", "f", "g", "h"]) s.set(k(name), k(name));
      s.flush(random);
      return store.log.filter((l) => l.startsWith("w:"));
    };
    const sorted = order();
    const expected = ["a", "b", "c", "d", "e", "f", "g", "h"].map(
      (n) => "w:" + toHex(storeKeyNew(encryptKeyName(keys2, ogKey, k(n)))),
    );
    assert.deepEqual(sorted, expected);
    const r1 = order(new Uint8Array(32).fill(1));
    assert.deepEqual(order(new Uint8Array(32).fill(1)), r1);
    assert.notDeepEqual(r1, sorted);
    assert.deepEqual([...r1].sort(), [...sorted].sort());
  });

  test("a batching store gets one applyBatch per flush with the same ops, order, values and gas", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 0, maxLength: 12 }),
        fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 }), { nil: undefined }),
        (names, random) => {
          const run = (store: MemStore) => {
            const s = new EncryptedStorage(store, params(keys2));
            for (const name of names) s.set(k(name), k(name + "!"));
            if (names.length > 0) s.remove(k(names[0]!));
            const out = s.flush(random);
            return { out, log: store.log, map: [...store.map].sort(([a], [b]) => (a < b ? -1 : 1)) };
          };
          const batching = new BatchingMemStore();
          const one = run(new MemStore());
          const many = run(batching);
          assert.deepEqual(many, one);
          assert.equal(batching.batches, names.length > 1 ? 1 : 0);
        },
      ),
      { seed: 42, numRuns: 60 },
    );
  });

  test("shuffle is a permutation (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 50 }), fc.uint8Array({ maxLength: 32 }), (xs, r) => {
        const out = shuffleDeterministic([...xs], r);
        assert.deepEqual(
          [...out].sort((a, b) => a - b),
          [...xs].sort((a, b) => a - b),
        );
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  test("round trip of arbitrary keys and values (property)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 100 })), {
          selector: ([key]) => toHex(key),
          maxLength: 10,
        }),
        (entries) => {
          const store = new MemStore();
          const s = new EncryptedStorage(store, params(keys2));
          for (const [key, value] of entries) s.set(key, value);
          s.flush(new Uint8Array([1]));
          const r = new EncryptedStorage(store, params(keys2, false));
          for (const [key, value] of entries) assert.deepEqual(r.get(key).value, value);
        },
      ),
      { seed: 42, numRuns: 60 },
    );
  });
  test("a value get hands out stays as read through later writes/removes of its key; zeroed when the call ends", () => {
    const store = new MemStore();
    const w = new EncryptedStorage(store, params(keys2));
    w.set(k("a"), k("first value, long enough to live off the V8 heap: 0123456789012345678901234567890123"));
    w.flush();
    const s = new EncryptedStorage(store, params(keys2));
    const read = s.get(k("a")).value!;
    const want = read.slice();
    s.set(k("a"), k("second")); // as a contract's allocate could, while the VM copies `read` out
    assert.deepEqual(read, want);
    const own = s.get(k("a")).value!;
    assert.equal(utf8.decode(own), "second");
    s.remove(k("a"));
    assert.deepEqual(read, want);
    assert.equal(utf8.decode(own), "second");
    assert.equal(s.get(k("a")).value, undefined);
    s.set(k("b"), k("kept"));
    const b = s.get(k("b")).value!;
    s.flush();
    assert.ok(read.every((x) => x === 0) && own.every((x) => x === 0), "lent values no key holds are zeroed");
    const again = new EncryptedStorage(store, params(keys2, false));
    assert.equal(utf8.decode(again.get(k("b")).value!), "kept", "a lent write is stored as written");
    assert.equal(utf8.decode(b), "kept", "a flushed write is the cache's now, not zeroed");
    const d = new EncryptedStorage(store, params(keys2));
    const kept = d.get(k("b")).value!;
    d.discard();
    assert.ok(
      kept.every((x) => x === 0),
      "discard zeroes what it lent",
    );
  });
});
