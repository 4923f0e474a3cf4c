// AES-SIV: RFC 5297 vectors, the one-empty-AD vs zero-AD distinction, and fast-check cross-checks against
// two independent implementations (@noble/ciphers aessiv and miscreant, the one secretjs uses).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { aessiv } from "@noble/ciphers/aes.js";
import { miscreantSiv } from "../testing/miscreant.js";
import { fromHex, toHex } from "../../util/bytes.js";
import { AD_NONE, AD_ONE_EMPTY, AesSivAuthError, AesSivKey, aesSivDecrypt, aesSivEncrypt } from "./aesSiv.js";

interface Vector {
  name: string;
  key: string;
  ad: string[];
  plaintext: string;
  output: string;
}
const rfc = JSON.parse(readFileSync(new URL("./testdata/rfc5297.json", import.meta.url), "utf8")) as {
  vectors: Vector[];
};

async function miscreantSeal(key: Uint8Array, pt: Uint8Array, ad: Uint8Array[]): Promise<Uint8Array> {
  const siv = await miscreantSiv(key);
  return siv.seal(pt, ad);
}

describe("AES-SIV RFC 5297", () => {
  for (const v of rfc.vectors) {
    test(v.name, () => {
      const key = fromHex(v.key);
      const ad = v.ad.map((a) => fromHex(a));
      const out = aesSivEncrypt(key, fromHex(v.plaintext), ad);
      assert.equal(toHex(out), v.output);
      assert.equal(toHex(aesSivDecrypt(key, out, ad)), v.plaintext);
      const bad = Uint8Array.from(out);
      bad[bad.length - 1]! ^= 1;
      assert.throws(() => aesSivDecrypt(key, bad, ad), AesSivAuthError);
    });
  }

  test("[] and [empty] give different tags; each needs its own AD to open", () => {
    const key = new Uint8Array(32).fill(9);
    const pt = new Uint8Array([1, 2, 3]);
    const a = aesSivEncrypt(key, pt, AD_ONE_EMPTY);
    const b = aesSivEncrypt(key, pt, AD_NONE);
    assert.notEqual(toHex(a), toHex(b));
    assert.throws(() => aesSivDecrypt(key, a, AD_NONE), AesSivAuthError);
    assert.throws(() => aesSivDecrypt(key, b, AD_ONE_EMPTY), AesSivAuthError);
    assert.throws(() => aesSivDecrypt(key, new Uint8Array(15), AD_NONE), AesSivAuthError);
  });
});

describe("AES-SIV cross-checks (seeded properties)", () => {
  const arb = fc.record({
    key: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    pt: fc.uint8Array({ maxLength: 300 }),
    ad: fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 4 }),
  });

  test("equals @noble/ciphers aessiv and round-trips", () => {
    fc.assert(
      fc.property(arb, ({ key, pt, ad }) => {
        const ours = aesSivEncrypt(key, pt, ad);
        assert.equal(toHex(ours), toHex(aessiv(key, ...ad).encrypt(pt)));
        assert.deepEqual(aesSivDecrypt(key, ours, ad), pt);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  test("equals miscreant (secretjs's SIV) with AD = [empty] and arbitrary ADs", async () => {
    await fc.assert(
      fc.asyncProperty(arb, async ({ key, pt, ad }) => {
        assert.equal(toHex(aesSivEncrypt(key, pt, ad)), toHex(await miscreantSeal(key, pt, ad)));
        const oneEmpty = await miscreantSeal(key, pt, [new Uint8Array()]);
        assert.equal(toHex(aesSivEncrypt(key, pt, AD_ONE_EMPTY)), toHex(oneEmpty));
      }),
      { seed: 43, numRuns: 150 },
    );
  });

  // AesSivKey keeps its CBC (CMAC) and ECB (CTR) contexts across messages: the chained CBC state and the
  // counter must not leak from one message into the next, also after a failed open.
  test("a reused AesSivKey equals @noble/ciphers message after message", () => {
    const msgs = fc.array(
      fc.record({
        pt: fc.uint8Array({ maxLength: 600 }),
        ad: fc.array(fc.uint8Array({ maxLength: 70 }), { maxLength: 3 }),
        tamper: fc.boolean(),
      }),
      { minLength: 1, maxLength: 12 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), msgs, (key, list) => {
        const k = new AesSivKey(key);
        for (const { pt, ad, tamper } of list) {
          const sealed = k.encrypt(pt, ad);
          assert.equal(toHex(sealed), toHex(aessiv(key, ...ad).encrypt(pt)));
          // The precomputed-AD form (adMac once, then *Macs) is the same function.
          const macs = ad.map((a) => k.adMac(a));
          assert.equal(toHex(k.encryptMacs(pt, macs)), toHex(sealed));
          assert.deepEqual(k.decryptMacs(sealed, macs), pt);
          if (tamper) {
            const bad = Uint8Array.from(sealed);
            bad[0]! ^= 0x40;
            assert.throws(() => k.decrypt(bad, ad), AesSivAuthError);
          }
          assert.deepEqual(k.decrypt(sealed, ad), pt);
        }
      }),
      { seed: 44, numRuns: 60 },
    );
  });

  type SealJob = { pt: Uint8Array; ad: Uint8Array[]; at: number };
  /** Seals `list` with one sealAllInto into 0xee-filled buffers (3 spare bytes after each). */
  const sealAll = (k: AesSivKey, list: readonly SealJob[]): Uint8Array[] => {
    const outs = list.map(({ pt, at }) => new Uint8Array(at + 16 + pt.length + 3).fill(0xee));
    k.sealAllInto(
      list.map(({ pt, ad, at }, i) => ({
        plaintext: pt,
        adMacs: ad.map((a) => k.adMac(a)),
        out: outs[i]!,
        at,
      })),
    );
    return outs;
  };
  /** Each sealed message equals noble's AES-SIV, and nothing around it was written. */
  const assertSealedAsNoble = (
    key: Uint8Array,
    list: readonly SealJob[],
    outs: readonly Uint8Array[],
  ): void => {
    list.forEach(({ pt, ad, at }, i) => {
      const out = outs[i]!;
      assert.equal(toHex(out.subarray(at, at + 16 + pt.length)), toHex(aessiv(key, ...ad).encrypt(pt)));
      assert.ok(
        out.subarray(0, at).every((b) => b === 0xee) &&
          out.subarray(at + 16 + pt.length).every((b) => b === 0xee),
      );
    });
  };

  test("sealAllInto (one keystream call for many messages) equals @noble/ciphers message by message", () => {
    const jobs = fc.array(
      fc.record({
        pt: fc.uint8Array({ maxLength: 300 }),
        ad: fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 3 }),
        at: fc.nat(20),
      }),
      { maxLength: 9 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), jobs, (key, list) => {
        assertSealedAsNoble(key, list, sealAll(new AesSivKey(key), list));
      }),
      { seed: 45, numRuns: 80 },
    );
    assert.throws(() => {
      new AesSivKey(new Uint8Array(32)).sealInto(new Uint8Array(5), [], new Uint8Array(20), 0);
    }, RangeError);
  });

  // A key that is not ephemeral seals a batch with all its one-block CMACs in one ECB call, longer messages by
  // one CBC pass each, then one keystream call (`sealAllNative`): batches dense in values of 0..17 bytes (the
  // one-block / two-block edge, empty values, no AD, repeated AD), mixed with long ones, against noble and
  // against the same batch under an ephemeral key (the per-message path).
  test("sealAllInto batches of short and long values equal noble and the per-message path", () => {
    const short = fc.uint8Array({ maxLength: 17 });
    const jobs = fc.array(
      fc.record({
        pt: fc.oneof(
          { weight: 4, arbitrary: short },
          { weight: 1, arbitrary: fc.uint8Array({ maxLength: 600 }) },
        ),
        ad: fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 3 }),
        at: fc.nat(70),
      }),
      { maxLength: 16 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), jobs, (key, list) => {
        const ways = [new AesSivKey(key), new AesSivKey(key, { ephemeral: true })];
        const [batched, perMessage] = ways.map((k) => sealAll(k, list));
        assert.deepEqual(batched!.map(toHex), perMessage!.map(toHex));
        assertSealedAsNoble(key, list, batched!);
        // The same key keeps working message by message after a batch (the CMAC's CBC chain is intact).
        const pt = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18);
        assert.equal(toHex(ways[0]!.encrypt(pt, [pt])), toHex(aessiv(key, pt).encrypt(pt)));
      }),
      { seed: 46, numRuns: 150 },
    );
  });

  // An ephemeral key's short inputs run on the JS AES, its long ones on node:crypto contexts built at first need
  // (its path changes with input sizes); other keys are native only: every length, all ways, against noble.
  test("JS and native paths agree at every length 0..700 (ephemeral, native and mixed keys)", () => {
    const key = new Uint8Array(32).map((_, i) => (i * 7 + 1) & 0xff);
    const ad = [new Uint8Array(5).fill(1), new Uint8Array(33).fill(2)];
    const mixed = new AesSivKey(key, { ephemeral: true });
    for (let len = 0; len <= 700; len += len < 80 ? 1 : 7) {
      const pt = new Uint8Array(len).map((_, i) => (i * 13 + len) & 0xff);
      const want = toHex(aessiv(key, ...ad).encrypt(pt));
      for (const k of [new AesSivKey(key), new AesSivKey(key, { ephemeral: true }), mixed]) {
        const sealed = k.encrypt(pt, ad);
        assert.equal(toHex(sealed), want, `len ${len}`);
        assert.deepEqual(k.decrypt(sealed, ad), pt);
        // A long AD goes through the native CMAC once contexts exist.
        assert.equal(toHex(k.adMac(pt)), toHex(new AesSivKey(key).adMac(pt)));
      }
    }
  });

  test("dispose() wipes the key: an ephemeral key's later seals differ, a native key refuses", () => {
    const key = new Uint8Array(32).fill(5);
    const k = new AesSivKey(key, { ephemeral: true });
    const before = toHex(k.encrypt(new Uint8Array(3), AD_ONE_EMPTY));
    k.dispose();
    assert.notEqual(toHex(k.encrypt(new Uint8Array(3), AD_ONE_EMPTY)), before);
    const n = new AesSivKey(key);
    n.encrypt(new Uint8Array(3), AD_ONE_EMPTY);
    n.dispose();
    assert.throws(() => n.encrypt(new Uint8Array(3), AD_ONE_EMPTY), /after dispose/);
  });

  test("only ephemeral keys use the table-based JS AES (long-lived keys stay on AES-NI)", () => {
    const key = new Uint8Array(32).fill(6);
    const viaJs = (k: AesSivKey) => (k as unknown as { js: unknown }).js !== undefined;
    assert.equal(viaJs(new AesSivKey(key)), false);
    assert.equal(viaJs(new AesSivKey(key, { ephemeral: true })), true);
  });

  test("CTR counter carries across bytes (messages of ~250 blocks)", () => {
    // 250 counter blocks from a tag-derived start: the low byte wraps (carry into byte 14) in almost every
    // message, and across the 40 tags below certainly.
    const key = new Uint8Array(32).fill(3);
    const k = new AesSivKey(key);
    for (let len = 4000; len < 4040; len++) {
      const pt = new Uint8Array(len).map((_, i) => (i * 31) & 0xff);
      const sealed = k.encrypt(pt, [pt.subarray(0, 5)]);
      assert.equal(toHex(sealed), toHex(aessiv(key, pt.subarray(0, 5)).encrypt(pt)));
    }
  });
});
