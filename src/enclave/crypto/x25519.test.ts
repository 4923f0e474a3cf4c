// X25519 over node:crypto: the RFC 7748 public-key vectors, DH symmetry, and the enclave-only caches (imported
// secret keys; shared secrets per full public key, bounded LRU, cleared on demand).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { fromHex, InvalidInputError, toHex } from "../../util/bytes.js";
import { mulberry32 } from "../../util/seeded.js";
import {
  clearX25519Caches,
  SHARED_SECRET_CACHE_SIZE,
  x25519CacheSizes,
  x25519SharedCacheOrder,
  x25519PublicKey,
  x25519SharedSecret,
  x25519SharedSecretCached,
} from "./x25519.js";

// RFC 7748 §6.1 (Alice's and Bob's key pairs).
const ALICE_SK = fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", "sk");
const ALICE_PK = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
const BOB_SK = fromHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", "sk");
const BOB_PK = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";

const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

/** A public key that differs from every other one this call makes (counter in the first bytes). */
function distinctPublicKey(i: number): Uint8Array {
  const sk = new Uint8Array(32).fill(7);
  new DataView(sk.buffer).setUint32(0, i);
  return x25519PublicKey(sk);
}

describe("x25519", () => {
  test("RFC 7748 §6.1 public keys, and both sides agree on the shared secret", () => {
    assert.equal(toHex(x25519PublicKey(ALICE_SK)), ALICE_PK);
    assert.equal(toHex(x25519PublicKey(BOB_SK)), BOB_PK);
    const ab = x25519SharedSecret(ALICE_SK, fromHex(BOB_PK, "pk"));
    assert.deepEqual(ab, x25519SharedSecret(BOB_SK, fromHex(ALICE_PK, "pk")));
    assert.deepEqual(x25519SharedSecretCached(ALICE_SK, fromHex(BOB_PK, "pk")), ab);
  });

  test("cached = uncached for random key pairs, on first and repeated use (property)", () => {
    clearX25519Caches();
    fc.assert(
      fc.property(key32, key32, (sk, peerSk) => {
        const pk = x25519PublicKey(peerSk);
        const plain = x25519SharedSecret(sk, pk);
        assert.deepEqual(x25519SharedSecretCached(sk, pk), plain);
        assert.deepEqual(x25519SharedSecretCached(sk, pk), plain);
        assert.deepEqual(x25519SharedSecret(peerSk, x25519PublicKey(sk)), plain);
      }),
      { seed: 42, numRuns: 40 },
    );
  });

  test("the cache is keyed by secret key and full public key; callers get copies", () => {
    clearX25519Caches();
    const pk = fromHex(BOB_PK, "pk");
    const first = x25519SharedSecretCached(ALICE_SK, pk);
    first.fill(0); // a caller zeroizing its copy must not poison the cache
    assert.deepEqual(x25519SharedSecretCached(ALICE_SK, pk), x25519SharedSecret(ALICE_SK, pk));
    const otherSk = new Uint8Array(32).fill(3);
    assert.deepEqual(x25519SharedSecretCached(otherSk, pk), x25519SharedSecret(otherSk, pk));
    assert.notDeepEqual(x25519SharedSecretCached(otherSk, pk), x25519SharedSecretCached(ALICE_SK, pk));
    // Same first 31 bytes, different last byte: a different key, a different entry.
    const near = pk.slice();
    near[31] = near[31]! ^ 1;
    assert.deepEqual(x25519SharedSecretCached(ALICE_SK, near), x25519SharedSecret(ALICE_SK, near));
    assert.deepEqual(x25519CacheSizes(), { secretKeys: 2, sharedSecrets: 3 });
  });

  test("low-order public keys throw and are not cached; bad sizes are refused", () => {
    clearX25519Caches();
    const zero = new Uint8Array(32);
    for (let i = 0; i < 2; i++) {
      assert.throws(() => x25519SharedSecretCached(ALICE_SK, zero), InvalidInputError);
    }
    assert.equal(x25519CacheSizes().sharedSecrets, 0);
    assert.throws(() => x25519SharedSecretCached(ALICE_SK, new Uint8Array(31)), InvalidInputError);
    assert.throws(() => x25519SharedSecretCached(new Uint8Array(33), zero), InvalidInputError);
  });

  test(`at most ${SHARED_SECRET_CACHE_SIZE} public keys per secret key, least recently used evicted`, () => {
    const pks = Array.from({ length: SHARED_SECRET_CACHE_SIZE + 11 }, (_, i) => distinctPublicKey(i));
    clearX25519Caches();
    const keep = pks[0]!;
    const expectedKeep = x25519SharedSecretCached(ALICE_SK, keep);
    for (let i = 1; i <= SHARED_SECRET_CACHE_SIZE + 10; i++) {
      x25519SharedSecretCached(ALICE_SK, pks[i]!);
      if (i % 100 === 0) x25519SharedSecretCached(ALICE_SK, keep); // recently used: survives
    }
    assert.deepEqual(x25519CacheSizes(), { secretKeys: 1, sharedSecrets: SHARED_SECRET_CACHE_SIZE });
    assert.deepEqual(x25519SharedSecretCached(ALICE_SK, keep), expectedKeep);
    // Still bounded, and an evicted key is recomputed correctly.
    const early = pks[1]!;
    assert.deepEqual(x25519SharedSecretCached(ALICE_SK, early), x25519SharedSecret(ALICE_SK, early));
    assert.equal(x25519CacheSizes().sharedSecrets, SHARED_SECRET_CACHE_SIZE);
  });

  test("last-key memo: alternating and zeroized caller keys, and more keys than the cache holds", () => {
    clearX25519Caches();
    const pk = fromHex(BOB_PK, "pk");
    const keys = Array.from({ length: 10 }, (_, i) => new Uint8Array(32).fill(i + 1));
    for (let round = 0; round < 2; round++) {
      for (const sk of [...keys, keys[0]!, keys[9]!, keys[0]!]) {
        // the keychain hands out a copy and zeroes it after use: the memo must keep its own
        const copy = sk.slice();
        const got = x25519SharedSecretCached(copy, pk);
        copy.fill(0);
        assert.deepEqual(got, x25519SharedSecret(sk, pk));
      }
    }
    assert.ok(x25519CacheSizes().secretKeys <= 8);
  });

  test("clearX25519Caches empties both caches; results stay the same afterwards", () => {
    const pk = fromHex(BOB_PK, "pk");
    const before = x25519SharedSecretCached(ALICE_SK, pk);
    assert.ok(x25519CacheSizes().sharedSecrets > 0);
    clearX25519Caches();
    assert.deepEqual(x25519CacheSizes(), { secretKeys: 0, sharedSecrets: 0 });
    assert.deepEqual(x25519SharedSecretCached(ALICE_SK, pk), before);
  });
});

describe("the x25519 caches against Map-queue LRUs (the structure they had until session 14)", () => {
  test("the same secret keys and shared secrets survive, in the same order, over 12,000 seeded calls", () => {
    const rnd = mulberry32(3);
    const sks = Array.from({ length: 12 }, (_, i) => new Uint8Array(32).fill(0x40 + i));
    const pks = Array.from({ length: 1_600 }, (_, i) => distinctPublicKey(i));
    const hexes = pks.map((pk) => toHex(pk));
    clearX25519Caches();
    // Reference: secret key index → (peer key index → true), both LRU by Map order (a hit: delete + set), 8 and
    // SHARED_SECRET_CACHE_SIZE entries; the secret key of the previous call is taken without touching its LRU.
    const ref = new Map<number, Map<number, true>>();
    let last: number | undefined;
    const touch = <K, V>(m: Map<K, V>, k: K, v: V, max: number): K | undefined => {
      m.delete(k);
      m.set(k, v);
      if (m.size <= max) return undefined;
      const oldest = m.keys().next().value!;
      m.delete(oldest);
      return oldest;
    };
    const recent: number[] = [];
    for (let step = 0; step < 12_000; step++) {
      const s = rnd() < 0.85 ? 0 : 1 + Math.floor(rnd() * 11);
      const p =
        rnd() < 0.4 && recent.length > 0
          ? recent[Math.floor(rnd() * recent.length)]!
          : Math.floor(rnd() * pks.length);
      recent.push(p);
      if (recent.length > 300) recent.shift();
      assert.deepEqual(x25519SharedSecretCached(sks[s]!, pks[p]!), x25519SharedSecret(sks[s]!, pks[p]!));
      if (s !== last) {
        const evicted = touch(ref, s, ref.get(s) ?? new Map<number, true>(), 8);
        if (evicted === last) last = undefined;
        last = s;
      }
      const shared = ref.get(s)!;
      touch(shared, p, true, SHARED_SECRET_CACHE_SIZE);
      let total = 0;
      for (const m of ref.values()) total += m.size;
      const what = `step ${step}`;
      assert.deepEqual(x25519CacheSizes(), { secretKeys: ref.size, sharedSecrets: total }, what);
      if (step % 200 === 199) {
        for (let k = 0; k < sks.length; k++) {
          const want = [...(ref.get(k)?.keys() ?? [])].map((i) => hexes[i]);
          assert.deepEqual(x25519SharedCacheOrder(sks[k]!), want, what);
        }
      }
    }
  });
});
