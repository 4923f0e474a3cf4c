// The chain's OpenSSL secp256k1 verify must give the former pure-JS verdicts (noble, sha256 prehash, low-S
// only) on valid, tampered, high-S and bad-key inputs; the verdict cache must never change a verdict or gas.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MsgSend } from "secretjs";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { MemoryOverlay } from "../store/memory.js";
import {
  KEY_CACHE_MAX,
  keyCacheOrder,
  SECP256K1_BACKEND,
  verifyCosmosSecp256k1,
  verifyCosmosSecp256k1OpenSsl,
} from "./secp256k1.js";
import { mulberry32 } from "../../util/seeded.js";
import { SigVerdictCache } from "./sigCache.js";
import { defaultSigCache } from "./ante.js";
import { makeSigner } from "./testdata/secretjsSigner.js";
import { MNEMONIC_A, TEST_CHAIN_ID, makeTestChain } from "./testdata/testHarness.js";

const N = secp256k1.Point.CURVE().n;
const P = secp256k1.Point.CURVE().p;
const be32 = (x: bigint): Uint8Array => Buffer.from(x.toString(16).padStart(64, "0"), "hex");
const big = (b: Uint8Array): bigint => BigInt("0x" + Buffer.from(b).toString("hex"));

/** The verifier ante used before (kept here as the reference). */
function nobleVerify(pk: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  if (sig.length !== 64) return false;
  try {
    return secp256k1.verify(sig, msg, pk, { prehash: true, lowS: true, format: "compact" });
  } catch {
    return false;
  }
}

function mutate(mode: number, msg: Uint8Array, sig: Uint8Array, pk: Uint8Array, pos: number) {
  const flip = (b: Uint8Array): Uint8Array => {
    const c = Uint8Array.from(b.length > 0 ? b : [0]);
    c[pos % c.length]! ^= 1 << (pos % 8);
    return c;
  };
  const r = sig.subarray(0, 32);
  const s = big(sig.subarray(32));
  const sigOf = (rr: Uint8Array, ss: bigint) => Uint8Array.from([...rr, ...be32(ss)]);
  switch (mode) {
    case 0:
      return { msg, sig, pk }; // valid
    case 1:
      return { msg: flip(msg), sig, pk }; // tampered message
    case 2:
      return { msg, sig: flip(sig), pk }; // tampered signature
    case 3:
      return { msg, sig: sigOf(r, N - s), pk }; // high-S twin: rejected
    case 4:
      return { msg, sig: sigOf(r, s + N), pk }; // s ≥ n
    case 5:
      return { msg, sig: sigOf(be32(pos % 2 === 0 ? 0n : N), s), pk }; // r = 0 / r = n
    case 6:
      return { msg, sig: sigOf(r, 0n), pk }; // s = 0
    case 7:
      return { msg, sig, pk: Uint8Array.from([pk[0]!, ...flip(pk.subarray(1))]) }; // off-curve/other key
    case 8:
      return { msg, sig, pk: Uint8Array.from([pk[0]! ^ 1, ...pk.subarray(1)]) }; // other parity
    case 9:
      return { msg, sig, pk: Uint8Array.from([2, ...be32(P + BigInt(pos % 7))]) }; // x ≥ p
    case 10:
      return { msg, sig, pk: Uint8Array.from([4, ...pk.subarray(1)]) }; // 33 bytes, prefix 04
    case 11:
      return { msg, sig, pk: secp256k1.Point.fromBytes(pk).toBytes(false) }; // uncompressed: not Cosmos
    default:
      return { msg, sig: sig.subarray(0, 63), pk }; // short signature
  }
}

/** Account a's 1uscrt send to itself (account 0, sequence 0), signed for the test chain that funds it. */
async function selfSend(): Promise<{
  a: ReturnType<typeof makeSigner>;
  send: MsgSend;
  raw: Uint8Array;
  c: ReturnType<typeof makeTestChain>;
}> {
  const a = makeSigner(MNEMONIC_A);
  const send = new MsgSend({
    from_address: a.address,
    to_address: a.address,
    amount: [{ denom: "uscrt", amount: "1" }],
  });
  const raw = await a.sign([send], { accountNumber: 0, sequence: 0, chainId: TEST_CHAIN_ID });
  return { a, send, raw, c: makeTestChain({ [a.address]: 1_000_000n }) };
}

describe("verifyCosmosSecp256k1 (libsecp256k1, else OpenSSL)", () => {
  test("the native libsecp256k1 addon loads on linux-x64 (its prebuild ships with the package)", () => {
    if (process.platform === "linux" && process.arch === "x64")
      assert.equal(SECP256K1_BACKEND, "libsecp256k1");
  });

  test("both backends give the noble reference's verdicts (seeded property)", () => {
    let valid = 0;
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 400 }),
        fc.integer({ min: 0, max: 12 }),
        fc.nat(),
        (seed, msg0, mode, pos) => {
          const sk = sha256(seed);
          const pk0 = secp256k1.getPublicKey(sk, true);
          const sig0 = secp256k1.sign(msg0, sk, { prehash: true, lowS: true, format: "compact" });
          const { msg, sig, pk } = mutate(mode, msg0, sig0, pk0, pos);
          const want = mode === 11 ? false : nobleVerify(pk, msg, sig);
          assert.equal(verifyCosmosSecp256k1(pk, msg, sig), want, `mode ${mode} (${SECP256K1_BACKEND})`);
          assert.equal(verifyCosmosSecp256k1OpenSsl(pk, msg, sig), want, `mode ${mode} (OpenSSL)`);
          // Again, with the key's parsed forms (libsecp256k1's uncompressed point, OpenSSL's KeyObject) cached.
          assert.equal(
            verifyCosmosSecp256k1(pk, msg, sig),
            want,
            `mode ${mode} (${SECP256K1_BACKEND}, cached)`,
          );
          assert.equal(verifyCosmosSecp256k1OpenSsl(pk, msg, sig), want, `mode ${mode} (OpenSSL, cached)`);
          if (want) valid++;
        },
      ),
      { seed: 42, numRuns: 1000 },
    );
    assert.ok(valid > 60, `only ${valid} valid cases`);
  });
});

describe("the parsed-key cache (libsecp256k1's uncompressed point, OpenSSL's KeyObject)", () => {
  test("keeps the keys a Map-queue FIFO of the same bound keeps (12,000 seeded verifies of 8,000 keys, both backends)", () => {
    const rnd = mulberry32(11);
    // Compressed-form keys: one in five with a random x (about half of them points: a KeyObject), the rest with
    // x ≥ p (not a point: null, and no OpenSSL verify, which keeps the test short). Both kinds are cached.
    const pool = Array.from({ length: 8_000 }, () => {
      const k = new Uint8Array(33).fill(0xff);
      k[0] = rnd() < 0.5 ? 2 : 3;
      for (let j = rnd() < 0.2 ? 1 : 29; j < 33; j++) k[j] = Math.floor(rnd() * 256);
      return k;
    });
    const sig = new Uint8Array(64);
    sig[31] = 1; // r = 1, s = 1: passes the SDK's prechecks, so the key is looked up
    sig[63] = 1;
    const msg = new Uint8Array([1, 2, 3]);
    // The reference: the eviction this cache had until session 14, from whatever earlier tests left in it.
    const ref = new Map<string, true>(keyCacheOrder().map((k) => [k, true]));
    const recent: number[] = [];
    let evictions = 0;
    for (let step = 0; step < 12_000; step++) {
      const i =
        rnd() < 0.15 && recent.length > 0
          ? recent[Math.floor(rnd() * recent.length)]!
          : Math.floor(rnd() * pool.length);
      recent.push(i);
      if (recent.length > 200) recent.shift();
      // Either backend's verify files the key under the same entry.
      const verify = step % 3 === 0 ? verifyCosmosSecp256k1 : verifyCosmosSecp256k1OpenSsl;
      assert.equal(verify(pool[i]!, msg, sig), false);
      const id = Buffer.from(pool[i]!).toString("hex");
      if (!ref.has(id)) {
        if (ref.size >= KEY_CACHE_MAX) {
          ref.delete(ref.keys().next().value!);
          evictions++;
        }
        ref.set(id, true);
      }
      if (step % 250 === 249) assert.deepEqual(keyCacheOrder(), [...ref.keys()], `step ${step}`);
    }
    assert.deepEqual(keyCacheOrder(), [...ref.keys()]);
    assert.ok(evictions > 1_000, `${evictions} evictions`);
  });
});

describe("SigVerdictCache", () => {
  test("CheckTx then RECHECK of the same bytes in new objects: one verify, then the decoded tx's verdict", async () => {
    const { raw, c } = await selfSend();
    defaultSigCache.clear();
    const before = defaultSigCache.stats;
    const first = c.run(raw.slice(), "check", new MemoryOverlay(c.state));
    const again = c.run(raw.slice(), "check", new MemoryOverlay(c.state));
    assert.deepEqual(defaultSigCache.stats, { hits: before.hits + 1, misses: before.misses + 1 });
    assert.equal(first.code, 0, first.log);
    assert.deepEqual([again.code, again.gasUsed, again.events], [first.code, first.gasUsed, first.events]);
  });

  test("an invalid signature is verified every time and fails every time (nothing remembered)", async () => {
    const { raw, c } = await selfSend();
    const bad = raw.slice();
    bad[bad.length - 5]! ^= 1; // inside the 64-byte signature, TxRaw's last field
    defaultSigCache.clear();
    const before = defaultSigCache.stats;
    const r1 = c.run(bad, "check", new MemoryOverlay(c.state));
    const r2 = c.run(bad.slice(), "check", new MemoryOverlay(c.state));
    assert.deepEqual(defaultSigCache.stats, { hits: before.hits, misses: before.misses + 2 });
    assert.deepEqual([r1.code, r2.code], [4, 4]);
    assert.equal(r2.log, r1.log);
  });

  test("deliver twice of the same bytes (deliver takes the cached tx): both verify, same code, gas and events", async () => {
    const { a, send, raw, c } = await selfSend();
    defaultSigCache.clear();
    const before = defaultSigCache.stats;
    const first = c.run(raw, "deliver", new MemoryOverlay(c.state));
    const second = c.run(raw, "deliver", new MemoryOverlay(c.state));
    assert.deepEqual(defaultSigCache.stats, { hits: before.hits, misses: before.misses + 2 });
    assert.equal(first.code, 0, first.log);
    assert.equal(second.code, 0, second.log);
    assert.equal(second.gasUsed, first.gasUsed);
    assert.deepEqual(second.events, first.events);
    // Same tx under another chain id: other sign bytes, so it fails.
    const other = await a.sign([send], { accountNumber: 0, sequence: 0, chainId: "other-1" });
    const r = c.run(other, "deliver", new MemoryOverlay(c.state));
    assert.equal(r.code, 4);
  });

  test("verdicts by decoded tx: only the exact binding hits; nothing kept when disabled or after clear", () => {
    const c = new SigVerdictCache();
    const tx = {};
    const b = { pubKey: new Uint8Array(33).fill(2), chainId: "c-1", accountNumber: 4n, sequence: 7n };
    assert.equal(c.validFor(tx, 0, b), false);
    c.rememberValid(tx, 0, b);
    assert.equal(c.validFor(tx, 0, { ...b, pubKey: b.pubKey.slice() }), true);
    assert.equal(c.validFor(tx, 1, b), false);
    assert.equal(c.validFor({}, 0, b), false);
    const pk = b.pubKey.slice();
    pk[32] = 3;
    for (const other of [
      { ...b, pubKey: pk },
      { ...b, chainId: "c-2" },
      { ...b, accountNumber: 5n },
      { ...b, sequence: 8n },
    ])
      assert.equal(c.validFor(tx, 0, other), false);
    b.pubKey[0] = 9; // the remembered binding is a copy
    assert.equal(c.validFor(tx, 0, { ...b, pubKey: new Uint8Array(33).fill(2) }), true);
    c.clear();
    assert.equal(c.validFor(tx, 0, { ...b, pubKey: new Uint8Array(33).fill(2) }), false);
    const none = new SigVerdictCache(false);
    none.rememberValid(tx, 0, b);
    assert.equal(none.validFor(tx, 0, b), false);
  });

  test("CheckTx then deliver of the same cached tx: deliver builds no sign bytes, same outcome as a cold deliver", async () => {
    const { a, raw, c } = await selfSend();
    defaultSigCache.clear();
    const checked = c.run(raw, "check", new MemoryOverlay(c.state));
    const after = defaultSigCache.stats;
    const warm = c.run(raw, "deliver", new MemoryOverlay(c.state));
    assert.deepEqual(defaultSigCache.stats, { ...after, hits: after.hits + 1 }); // the decoded tx's verdict
    defaultSigCache.clear();
    const cold = makeTestChain({ [a.address]: 1_000_000n }).run(raw, "deliver");
    assert.equal(checked.code, 0, checked.log);
    assert.deepEqual([warm.code, warm.gasUsed, warm.events], [cold.code, cold.gasUsed, cold.events]);
  });
});
