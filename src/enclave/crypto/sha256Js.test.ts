// The JS SHA-256 / HMAC-SHA256 (sha256Js.ts) and the HKDF over it (kdf.ts): FIPS 180-4 and RFC 4231 /
// RFC 5869 vectors, and seeded properties against node:crypto (OpenSSL) at every length around the blocks.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac, hkdfSync } from "node:crypto";
import fc from "fast-check";
import { fromHex, toHex, utf8 } from "../../util/bytes.js";
import { HKDF_SALT, hkdfSha256 } from "./kdf.js";
import { HmacSha256Key, sha256Js } from "./sha256Js.js";

const nodeSha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

describe("SHA-256 / HMAC-SHA256 (JS)", () => {
  test("FIPS 180-4 examples: abc, the 448-bit message, empty", () => {
    assert.equal(
      toHex(sha256Js(utf8.encode("abc"))),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    const m448 = utf8.encode("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
    assert.equal(toHex(sha256Js(m448)), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    assert.equal(toHex(sha256Js()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  test("every length 0..200 and split updates equal OpenSSL", () => {
    for (let n = 0; n <= 200; n++) {
      const m = new Uint8Array(n).map((_, i) => (i * 29 + n) & 0xff);
      assert.equal(toHex(sha256Js(m)), nodeSha(m), `len ${n}`);
      assert.equal(toHex(sha256Js(m.subarray(0, n >> 1), m.subarray(n >> 1))), nodeSha(m));
    }
  });

  test("RFC 4231 case 2 (short key) and case 6 (131-byte key)", () => {
    const c2 = new HmacSha256Key(utf8.encode("Jefe")).mac(utf8.encode("what do ya want for nothing?"));
    assert.equal(toHex(c2), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    const c6 = new HmacSha256Key(new Uint8Array(131).fill(0xaa)).mac(
      utf8.encode("Test Using Larger Than Block-Size Key - Hash Key First"),
    );
    assert.equal(toHex(c6), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  });

  test("HMAC equals OpenSSL for random keys (0..100 B) and messages in parts, key reused", () => {
    const arb = fc.record({
      key: fc.uint8Array({ maxLength: 100 }),
      parts: fc.array(fc.uint8Array({ maxLength: 90 }), { maxLength: 4 }),
    });
    fc.assert(
      fc.property(arb, ({ key, parts }) => {
        const k = new HmacSha256Key(key);
        const want = createHmac("sha256", key);
        for (const p of parts) want.update(p);
        const hex = want.digest("hex");
        assert.equal(toHex(k.mac(...parts)), hex);
        assert.equal(toHex(k.mac(...parts)), hex); // the pad states are not consumed
      }),
      { seed: 47, numRuns: 300 },
    );
  });
});

describe("HKDF-SHA256 over the JS HMAC", () => {
  test("RFC 5869 A.1 (SHA-256, L = 42)", () => {
    const okm = hkdfSha256(
      fromHex("0b".repeat(22)),
      fromHex("000102030405060708090a0b0c"),
      fromHex("f0f1f2f3f4f5f6f7f8f9"),
      42,
    );
    assert.equal(
      toHex(okm),
      "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
    );
  });

  test("equals node:crypto hkdfSync for Secret's salt and random ones, L 1..100", () => {
    const arb = fc.record({
      ikm: fc.uint8Array({ maxLength: 80 }),
      salt: fc.option(fc.uint8Array({ maxLength: 70 }), { nil: undefined }),
      info: fc.uint8Array({ maxLength: 20 }),
      length: fc.integer({ min: 1, max: 100 }),
    });
    fc.assert(
      fc.property(arb, ({ ikm, salt, info, length }) => {
        const s = salt ?? HKDF_SALT;
        const want = new Uint8Array(hkdfSync("sha256", ikm, s, info, length));
        assert.equal(toHex(hkdfSha256(ikm, s, info, length)), toHex(want));
      }),
      { seed: 48, numRuns: 300 },
    );
  });
});
