// The cross-call state caches (stateCache.ts) as EncryptedStorage uses them: a warm cache gives exactly the
// bytes, values and gas of a cold one (seeded random call sequences), a changed or reverted host value is
// never answered from the cache, the bounds hold, and seed changes or destroy empty the caches.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { toHex, utf8 } from "../util/bytes.js";
import { EncryptedStorage, type PlainStore } from "./encryptedStorage.js";
import { Keychain } from "./keychain.js";
import type { EnclaveKeys } from "./keys.js";
import {
  clearStateCaches,
  MAX_CACHED_CONTRACTS,
  MAX_CACHED_KEYS,
  MAX_CACHED_VALUE_BYTES,
  MAX_CACHED_VALUE_LENGTH,
  stateCacheSize,
} from "./stateCache.js";
import { fixedKeys } from "./testing/fixedKeys.js";

/** Logs every host call with its bytes and answers gas by operation, as a host store would. */
class LogStore implements PlainStore {
  readonly map = new Map<string, Uint8Array>();
  readonly log: string[] = [];
  read(key: Uint8Array) {
    const v = this.map.get(toHex(key));
    this.log.push(`r:${toHex(key)}`);
    return { value: v?.slice(), gas: 3n };
  }
  write(key: Uint8Array, value: Uint8Array) {
    this.log.push(`w:${toHex(key)}=${toHex(value)}`);
    this.map.set(toHex(key), value.slice());
    return { gas: 7n + BigInt(value.length) };
  }
  remove(key: Uint8Array) {
    this.log.push(`d:${toHex(key)}`);
    this.map.delete(toHex(key));
    return { gas: 2n };
  }
}

/** As LogStore, promising the cache it never modifies the values it is given (the production store's flag). */
class IntactStore extends LogStore {
  readonly leavesValuesIntact = true;
}

/** Keeps the very arrays it is given to write (a host that may tamper with them in place later). */
class KeepingStore extends LogStore {
  override write(key: Uint8Array, value: Uint8Array) {
    this.map.set(toHex(key), value);
    return { gas: 1n };
  }
}

const seeds = [1, 2].map((i) => new Uint8Array(32).fill(i));
const ogKey = new Uint8Array(64).fill(8);
const params = (keys: EnclaveKeys, counter: bigint, writable = true, og = ogKey) => ({
  keys,
  ogContractKey: og,
  blockTimeNs: 1_700_000_000_000_000_000n + counter,
  msgCounter: { height: 100n, counter },
  writable,
});
const k = (s: string) => utf8.encode(s);

type Op = { op: "get" | "remove"; key: number } | { op: "set"; key: number; value: Uint8Array };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("get" as const), key: fc.nat(5) }),
  fc.record({ op: fc.constant("remove" as const), key: fc.nat(5) }),
  fc.record({ op: fc.constant("set" as const), key: fc.nat(5), value: fc.uint8Array({ maxLength: 70 }) }),
);
const keyOf = (i: number) => k(`key-${i}`);

/** Runs calls of ops on one storage per call; returns everything observable: results, gas, host log. */
function replay(keys: EnclaveKeys, calls: readonly Op[][], cold: boolean, intact = false): string[] {
  const store = intact ? new IntactStore() : new LogStore();
  const seen: string[] = [];
  calls.forEach((ops, i) => {
    if (cold) clearStateCaches(keys);
    const s = new EncryptedStorage(store, params(keys, BigInt(i)));
    for (const o of ops) {
      if (o.op === "get") {
        const r = s.get(keyOf(o.key));
        seen.push(`get ${r.value === undefined ? "-" : toHex(r.value)} ${r.gas.cost}`);
      } else if (o.op === "set") {
        seen.push(`set ${s.set(keyOf(o.key), o.value).gas.cost}`);
      } else {
        seen.push(`remove ${s.remove(keyOf(o.key)).gas.cost}`);
      }
    }
    const f = i % 3 === 2 ? (s.discard(), { refund: 0n, gas: 0n }) : s.flush(new Uint8Array([i]));
    seen.push(`flush ${f.refund} ${f.gas}`);
  });
  return [...seen, ...store.log];
}

describe("state caches across calls", () => {
  test("a warm cache gives the same values, gas and host bytes as a cold one (seeded property)", () => {
    fc.assert(
      fc.property(fc.array(fc.array(opArb, { maxLength: 12 }), { minLength: 1, maxLength: 6 }), (calls) => {
        const warm = replay(fixedKeys(seeds), calls, false);
        const cold = replay(fixedKeys(seeds), calls, true);
        assert.deepEqual(warm, cold);
        // The cache sharing the written stored bytes (a store that leaves them intact) changes nothing.
        assert.deepEqual(replay(fixedKeys(seeds), calls, false, true), cold);
      }),
      { seed: 42, numRuns: 80 },
    );
  });

  test("the host's bytes decide: a reverted value reads back as the old one, a tampered one fails", () => {
    const keys = fixedKeys(seeds);
    const store = new LogStore();
    const s1 = new EncryptedStorage(store, params(keys, 1n));
    s1.set(k("a"), k("old"));
    s1.flush();
    const [id, oldBytes] = [...store.map.entries()][0]!;
    const s2 = new EncryptedStorage(store, params(keys, 2n));
    assert.equal(utf8.decode(s2.get(k("a")).value!), "old");
    s2.set(k("a"), k("new"));
    s2.flush();
    assert.ok(stateCacheSize(keys).valueBytes > 0, "the written value is cached");
    store.map.set(id, oldBytes); // the chain reverted the tx that wrote "new"
    assert.equal(utf8.decode(new EncryptedStorage(store, params(keys, 3n)).get(k("a")).value!), "old");
    const bad = oldBytes.slice();
    bad[bad.length - 1]! ^= 1;
    store.map.set(id, bad);
    assert.throws(() => new EncryptedStorage(store, params(keys, 4n)).get(k("a")), /failed to decrypt data/);
  });

  test("the written stored bytes are shared with the cache only when the store leaves them intact", () => {
    for (const intact of [false, true]) {
      const keys = fixedKeys(seeds);
      const store = new KeepingStore();
      Object.assign(store, { leavesValuesIntact: intact });
      const s1 = new EncryptedStorage(store, params(keys, 1n));
      s1.set(k("a"), k("value"));
      s1.flush();
      const kept = [...store.map.values()][0]!;
      kept[kept.length - 1]! ^= 1; // the host breaks its promise: the array it was given changes in place
      const read = () => new EncryptedStorage(store, params(keys, 2n)).get(k("a")).value!;
      if (intact)
        assert.equal(utf8.decode(read()), "value", "shared: the cache's bytes changed with the host's");
      else assert.throws(read, /failed to decrypt data/, "copied: the cache kept the bytes as written");
    }
  });

  test("bounded: keys, value bytes, value length and contracts", () => {
    const keys = fixedKeys(seeds);
    const store = new LogStore();
    const big = new Uint8Array(MAX_CACHED_VALUE_LENGTH + 1).fill(1);
    const s0 = new EncryptedStorage(store, params(keys, 0n));
    s0.set(k("big"), big);
    s0.flush();
    assert.equal(stateCacheSize(keys).valueBytes, 0, "a value over the length limit is not cached");
    const value = new Uint8Array(MAX_CACHED_VALUE_LENGTH).fill(2);
    const n = Math.ceil((0.75 * MAX_CACHED_VALUE_BYTES) / value.length); // stored + plain: 1.5× the budget
    const s1 = new EncryptedStorage(store, params(keys, 1n));
    for (let i = 0; i < n; i++) s1.set(k(`v${i}`), value);
    s1.flush();
    const afterValues = stateCacheSize(keys);
    assert.ok(afterValues.valueBytes <= MAX_CACHED_VALUE_BYTES, `${afterValues.valueBytes} value bytes`);
    assert.ok(afterValues.valueBytes > 0, "the newest values stay");
    const s2 = new EncryptedStorage(store, params(keys, 2n, false));
    for (let i = 0; i < MAX_CACHED_KEYS + 100; i++) s2.get(k(`absent ${i}`));
    const afterKeys = stateCacheSize(keys).keys;
    assert.ok(afterKeys <= MAX_CACHED_KEYS && afterKeys >= MAX_CACHED_KEYS / 2, `${afterKeys} keys`);
    for (let i = 0; i < MAX_CACHED_CONTRACTS + 5; i++) {
      const og = new Uint8Array(64).fill(i & 0xff);
      og[0] = i >> 8;
      new EncryptedStorage(store, params(keys, 3n, false, og)).get(k("x"));
    }
    const contracts = stateCacheSize(keys).contracts;
    assert.ok(contracts <= MAX_CACHED_CONTRACTS && contracts > 0, `${contracts} contracts`);
  });

  test("a key promoted from the old generation in the very insert that rotates keeps caching values", () => {
    const keys = fixedKeys(seeds);
    const store = new LogStore();
    const half = MAX_CACHED_KEYS / 2;
    const s0 = new EncryptedStorage(store, params(keys, 0n));
    s0.set(k("hot"), k("v0"));
    s0.flush(); // young: hot (+ its value)
    const filler = new EncryptedStorage(store, params(keys, 1n, false));
    for (let i = 1; i < half; i++) filler.get(k(`f${i}`)); // young full: hot + half - 1 others
    for (let i = 0; i < half; i++) filler.get(k(`g${i}`)); // rotated once: hot is old; young full again
    assert.equal(stateCacheSize(keys).valueBytes > 0, true, "hot's value is still cached (old generation)");
    // This read promotes hot, and the insert rotates: the old generation (hot's value with it) is dropped.
    const r = new EncryptedStorage(store, params(keys, 2n, false)).get(k("hot"));
    assert.equal(utf8.decode(r.value!), "v0");
    assert.ok(stateCacheSize(keys).valueBytes > 0, "the value read again is cached again");
  });

  test("emptied when the keychain gains a seed or is destroyed, and on clearStateCaches", () => {
    const kc = Keychain.fromSeeds(seeds);
    const store = new LogStore();
    const use = () => {
      const s = new EncryptedStorage(store, params(kc, 1n));
      s.set(k("a"), k("1"));
      s.flush();
      assert.equal(utf8.decode(new EncryptedStorage(store, params(kc, 2n)).get(k("a")).value!), "1");
      assert.ok(stateCacheSize(kc).keys > 0 && stateCacheSize(kc).valueBytes > 0);
    };
    use();
    kc.appendSeed(new Uint8Array(32).fill(3));
    assert.deepEqual(stateCacheSize(kc), { contracts: 0, keys: 0, valueBytes: 0 });
    use();
    clearStateCaches(kc);
    assert.deepEqual(stateCacheSize(kc), { contracts: 0, keys: 0, valueBytes: 0 });
    use();
    kc.destroy();
    assert.deepEqual(stateCacheSize(kc), { contracts: 0, keys: 0, valueBytes: 0 });
  });
});
