// The libsecp256k1 verify paths (secp256k1VerifySha256, secp256k1Verify; native addon or WebAssembly) must give
// the noble reference's verdicts and errors exactly: valid, tampered, high-S, r/s edge values and malformed or
// off-curve keys (seeded property tests; each backend on its own, key parsing included).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { fromHex, InvalidInputError, toHex } from "../../util/bytes.js";
import { mulberry32 } from "../../util/seeded.js";
import { sha256 } from "./hash.js";
import {
  SECP256K1_KEY_CACHE_MAX,
  secp256k1KeyCacheOrder,
  secp256k1PublicKey,
  secp256k1Sign,
  secp256k1Verify,
  secp256k1VerifyNoble,
  secp256k1VerifyOn,
  secp256k1VerifySha256,
} from "./secp256k1.js";
import { nativeAddonImage, secp256k1Backend } from "./nativeSecp256k1.js";

const N = secp256k1.Point.CURVE().n;
const P = secp256k1.Point.CURVE().p;
const be32 = (x: bigint): Uint8Array => fromHex(x.toString(16).padStart(64, "0"));

type Verdict = boolean | "InvalidInputError";
function verdict(f: () => boolean): Verdict {
  try {
    return f();
  } catch (e) {
    if (e instanceof InvalidInputError) return "InvalidInputError";
    throw e;
  }
}

/** The noble reference and both libsecp256k1 paths (prehashed, and hashing inside) on the same input. */
function all3(
  msg: Uint8Array,
  sig: Uint8Array,
  pk: Uint8Array,
  rejectHighS: boolean,
): [Verdict, Verdict, Verdict] {
  return [
    verdict(() => secp256k1VerifyNoble(sha256(msg), sig, pk, { rejectHighS })),
    verdict(() => secp256k1VerifySha256(msg, sig, pk, { rejectHighS })),
    verdict(() => secp256k1Verify(sha256(msg), sig, pk, { rejectHighS })),
  ];
}

/** One way to damage (or not) a valid (msg, sig, pk) triple, chosen by the property's `mode`. */
function mutate(
  mode: number,
  msg: Uint8Array,
  sig: Uint8Array,
  pk33: Uint8Array,
  pk65: Uint8Array,
  pos: number,
): [Uint8Array, Uint8Array, Uint8Array] {
  const flip = (b: Uint8Array, i: number): Uint8Array => {
    const c = Uint8Array.from(b);
    c[i % c.length]! ^= 1 << (pos % 8);
    return c;
  };
  const withS = (s: bigint): Uint8Array => Uint8Array.from([...sig.subarray(0, 32), ...be32(s)]);
  const withR = (r: bigint): Uint8Array => Uint8Array.from([...be32(r), ...sig.subarray(32)]);
  const s = BigInt("0x" + toHex(sig.subarray(32)));
  const hybrid = Uint8Array.from(pk65);
  hybrid[0] = 6 + (pk65[64]! & 1);
  switch (mode) {
    case 0:
      return [msg, sig, pk33]; // valid, compressed key
    case 1:
      return [msg, sig, pk65]; // valid, uncompressed key
    case 2:
      return [msg, sig, hybrid]; // valid, hybrid key with the right parity
    case 3:
      return [flip(msg.length > 0 ? msg : new Uint8Array(1), pos), sig, pk33]; // tampered message
    case 4:
      return [msg, flip(sig, pos), pk33]; // tampered signature
    case 5:
      return [msg, withS(N - s), pk33]; // high-S twin (valid only without rejectHighS)
    case 6:
      return [msg, withS(N + (pos % 3 === 0 ? 0n : 5n) - 0n), pk33]; // s ≥ n → error
    case 7:
      return [msg, withR(pos % 2 === 0 ? 0n : N), pk33]; // r = 0 → false; r = n → error
    case 8:
      return [msg, withS(0n), pk33]; // s = 0 → false
    case 9:
      return [msg, sig, flip(pk33, 1 + (pos % 32))]; // tampered key x: off-curve or another key
    case 10:
      return [msg, sig, flip(pk65, 1 + (pos % 64))]; // tampered uncompressed key: off the curve
    case 11:
      return [msg, sig, Uint8Array.from([pk33[0]! ^ 1, ...pk33.subarray(1)])]; // wrong parity: other key
    case 12:
      return [msg, sig, Uint8Array.from([6 + 1 - (pk65[64]! & 1), ...pk65.subarray(1)])]; // bad hybrid parity
    case 13:
      return [msg, sig, Uint8Array.from([2, ...be32(P + BigInt(pos % 7))])]; // x ≥ p
    case 14:
      return [msg, sig, Uint8Array.from([5, ...pk33.subarray(1)])]; // unknown prefix
    case 15:
      return [msg, sig, pk33.subarray(0, 32)]; // wrong length
    default:
      return [msg, sig.subarray(0, 63), pk33]; // wrong signature length
  }
}

/** A verify case: key seed, message, `mutate` mode and position, and whether high-S is rejected. */
const verifyCase = [
  fc.uint8Array({ minLength: 32, maxLength: 32 }),
  fc.uint8Array({ maxLength: 300 }),
  fc.integer({ min: 0, max: 16 }),
  fc.nat(),
  fc.boolean(),
] as const;

describe("secp256k1VerifySha256 and secp256k1Verify (libsecp256k1) ≡ secp256k1VerifyNoble (noble)", () => {
  test("same verdicts and errors over valid, tampered, high-S and bad-key inputs (seeded property)", () => {
    let valid = 0;
    fc.assert(
      fc.property(...verifyCase, (seed, msg, mode, pos, rejectHighS) => {
        const sk = sha256(seed);
        const { signature } = secp256k1Sign(sha256(msg), sk);
        const pk33 = secp256k1PublicKey(sk);
        const pk65 = secp256k1PublicKey(sk, false);
        const [m, s, k] = mutate(mode, msg, signature, pk33, pk65, pos);
        const [noble, libsecp, prehashed] = all3(m, s, k, rejectHighS);
        assert.equal(libsecp, noble, `mode ${mode}`);
        assert.equal(prehashed, noble, `mode ${mode} (prehashed)`);
        if (noble === true) valid++;
      }),
      { seed: 42, numRuns: 600 },
    );
    assert.ok(valid > 100, `only ${valid} valid cases`);
  });

  test("fixed cases: high-S twin valid only when allowed; off-curve key is an error", () => {
    const sk = sha256(new Uint8Array([1]));
    const msg = new Uint8Array([1, 2, 3]);
    const { signature } = secp256k1Sign(sha256(msg), sk);
    const pk = secp256k1PublicKey(sk);
    const s = BigInt("0x" + toHex(signature.subarray(32)));
    const high = Uint8Array.from([...signature.subarray(0, 32), ...be32(N - s)]);
    assert.equal(secp256k1VerifySha256(msg, signature, pk, { rejectHighS: true }), true);
    assert.equal(secp256k1VerifySha256(msg, high, pk, { rejectHighS: true }), false);
    assert.equal(secp256k1VerifySha256(msg, high, pk), true);
    const offCurve = Uint8Array.from([4, ...new Uint8Array(64).fill(1)]);
    assert.throws(() => secp256k1VerifySha256(msg, signature, offCurve), InvalidInputError);
    // A failed key is not remembered as valid.
    assert.throws(() => secp256k1VerifySha256(msg, signature, offCurve), InvalidInputError);
  });
  test("range edges of r and s (n−1, n, n/2, n/2+1) and a remembered key give the reference's answers", () => {
    const sk = sha256(new Uint8Array([2]));
    const msg = new Uint8Array([9, 8, 7]);
    const { signature } = secp256k1Sign(sha256(msg), sk);
    const pk = secp256k1PublicKey(sk);
    const half = N >> 1n;
    const r = signature.subarray(0, 32);
    const s = signature.subarray(32);
    const cases: [Uint8Array, Uint8Array][] = [
      [be32(N - 1n), s],
      [be32(N), s],
      [be32(N + 1n), s],
      [r, be32(half)],
      [r, be32(half + 1n)],
      [r, be32(N - 1n)],
      [r, be32(N)],
      [be32(0n), s],
      [be32(1n), be32(1n)],
    ];
    // Each case twice per setting: the first verify remembers the key (uncompressed), the second uses that.
    for (const [rb, sb] of cases)
      for (const rejectHighS of [false, true])
        for (let round = 0; round < 2; round++) {
          const sig = Uint8Array.from([...rb, ...sb]);
          const [noble, libsecp, prehashed] = all3(msg, sig, pk, rejectHighS);
          assert.equal(libsecp, noble);
          assert.equal(prehashed, noble);
        }
    assert.deepEqual(all3(msg, signature, pk, true), [true, true, true]);
  });
});

describe("native addon ≡ WebAssembly ≡ noble (each backend on its own, key parsing included)", () => {
  // The addon ships prebuilt for linux-x64, darwin-arm64 and win32-x64; elsewhere only wasm runs (and is tested).
  const native = nativeAddonImage() !== null;
  test("this platform's backend: native where the prebuilt addon exists", () => {
    assert.equal(secp256k1Backend(), native ? "native" : "wasm");
  });

  test("same verdicts and errors over valid, invalid, high-S, r/s ≥ n, off-curve and hybrid keys (seeded)", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(...verifyCase, (seed, msg, mode, pos, rejectHighS) => {
        const sk = sha256(seed);
        const { signature } = secp256k1Sign(sha256(msg), sk);
        const [m, s, k] = mutate(
          mode,
          msg,
          signature,
          secp256k1PublicKey(sk),
          secp256k1PublicKey(sk, false),
          pos,
        );
        const h = sha256(m);
        const noble = verdict(() => secp256k1VerifyNoble(h, s, k, { rejectHighS }));
        assert.equal(
          verdict(() => secp256k1VerifyOn("wasm", h, s, k, { rejectHighS })),
          noble,
          `wasm ${mode}`,
        );
        if (native)
          assert.equal(
            verdict(() => secp256k1VerifyOn("native", h, s, k, { rejectHighS })),
            noble,
            `native mode ${mode}`,
          );
        seen.add(String(noble));
      }),
      { seed: 1106, numRuns: 800 },
    );
    assert.deepEqual([...seen].sort(), ["InvalidInputError", "false", "true"]);
  });

  test("r/s edges and the high-S twin, both settings, on each backend", () => {
    const sk = sha256(new Uint8Array([3]));
    const h = sha256(new Uint8Array([4, 5]));
    const { signature } = secp256k1Sign(h, sk);
    const keys = [secp256k1PublicKey(sk), secp256k1PublicKey(sk, false)];
    const r = signature.subarray(0, 32);
    const s = BigInt("0x" + toHex(signature.subarray(32)));
    const half = N >> 1n;
    const sigs = [
      signature,
      Uint8Array.from([...r, ...be32(N - s)]),
      Uint8Array.from([...r, ...be32(half)]),
      Uint8Array.from([...r, ...be32(half + 1n)]),
      Uint8Array.from([...r, ...be32(N - 1n)]),
      Uint8Array.from([...r, ...be32(N)]),
      Uint8Array.from([...be32(N - 1n), ...signature.subarray(32)]),
      Uint8Array.from([...be32(N), ...signature.subarray(32)]),
    ];
    let trueCount = 0;
    for (const k of keys)
      for (const sig of sigs)
        for (const rejectHighS of [false, true]) {
          const noble = verdict(() => secp256k1VerifyNoble(h, sig, k, { rejectHighS }));
          if (noble === true) trueCount++;
          assert.equal(
            verdict(() => secp256k1VerifyOn("wasm", h, sig, k, { rejectHighS })),
            noble,
          );
          if (native)
            assert.equal(
              verdict(() => secp256k1VerifyOn("native", h, sig, k, { rejectHighS })),
              noble,
            );
        }
    // The signature itself (both settings) and its high-S twin (allowed only without rejectHighS), per key.
    assert.equal(trueCount, 6);
  });
});

describe("the parsed-key cache", () => {
  test("keeps the keys a Map-queue FIFO of the same bound keeps (12,000 seeded verifies, every key form)", () => {
    const rnd = mulberry32(5);
    // 4,000 points, each as compressed, uncompressed and hybrid (06/07, cached as its 04 form), and 1,000 keys
    // whose x ≥ p (an error, never cached).
    const pool: { key: Uint8Array; id: string | undefined }[] = [];
    for (let i = 0; i < 4_000; i++) {
      const sk = new Uint8Array(32);
      for (let j = 0; j < 32; j++) sk[j] = Math.floor(rnd() * 256);
      sk[0] = 1 + (i % 200); // nonzero and below n
      const full = secp256k1PublicKey(sk, false);
      const hybrid = full.slice();
      hybrid[0] = 6 + (full[64]! & 1);
      const compressed = new Uint8Array(33);
      compressed[0] = 2 + (full[64]! & 1);
      compressed.set(full.subarray(1, 33), 1);
      pool.push({ key: compressed, id: undefined });
      pool.push({ key: full, id: undefined });
      pool.push({ key: hybrid, id: toHex(full) });
    }
    for (let i = 0; i < 1_000; i++) {
      const bad = new Uint8Array(33).fill(0xff);
      bad[0] = 2 + (i & 1);
      for (let j = 29; j < 33; j++) bad[j] = Math.floor(rnd() * 256);
      pool.push({ key: bad, id: "bad" });
    }
    const hash = new Uint8Array(32).fill(9);
    const rZero = new Uint8Array(64);
    rZero[63] = 1; // r = 0: false after the key is checked, no curve arithmetic
    // The reference: the eviction this cache had until session 14, from whatever earlier tests left in it.
    const ref = new Map<string, true>(secp256k1KeyCacheOrder().map((k) => [k, true]));
    const recent: number[] = [];
    let evictions = 0;
    for (let step = 0; step < 12_000; step++) {
      const i =
        rnd() < 0.15 && recent.length > 0
          ? recent[Math.floor(rnd() * recent.length)]!
          : Math.floor(rnd() * pool.length);
      recent.push(i);
      if (recent.length > 200) recent.shift();
      const { key, id } = pool[i]!;
      if (id === "bad") {
        assert.throws(() => secp256k1Verify(hash, rZero, key), InvalidInputError);
      } else {
        assert.equal(secp256k1Verify(hash, rZero, key), false);
        const want = id ?? toHex(key);
        if (!ref.has(want)) {
          if (ref.size >= SECP256K1_KEY_CACHE_MAX) {
            ref.delete(ref.keys().next().value!);
            evictions++;
          }
          ref.set(want, true);
        }
      }
      if (step % 250 === 249) assert.deepEqual(secp256k1KeyCacheOrder(), [...ref.keys()], `step ${step}`);
    }
    assert.deepEqual(secp256k1KeyCacheOrder(), [...ref.keys()]);
    assert.ok(evictions > 1_000, `${evictions} evictions`);
  });
});
