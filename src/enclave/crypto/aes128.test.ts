// The JS AES-128 core (aes128.ts): the FIPS-197 example vectors and seeded random keys/blocks against
// OpenSSL's AES-128-ECB (node:crypto), plus the word helpers.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createCipheriv } from "node:crypto";
import fc from "fast-check";
import { fromHex, toHex } from "../../util/bytes.js";
import { encryptWords, expandKey128, expandKey128Into, loadWord, storeWord } from "./aes128.js";

function encryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  const st = new Int32Array(4);
  for (let i = 0; i < 4; i++) st[i] = loadWord(block, 4 * i);
  encryptWords(expandKey128(key), st);
  const out = new Uint8Array(16);
  for (let i = 0; i < 4; i++) storeWord(out, 4 * i, st[i]!);
  return out;
}

function opensslBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  const c = createCipheriv("aes-128-ecb", key, null);
  c.setAutoPadding(false);
  return new Uint8Array(c.update(block));
}

describe("AES-128 (JS core)", () => {
  test("FIPS-197 Appendix B and C.1 vectors", () => {
    // FIPS-197 Appendix B (cipher example) and Appendix C.1 (AES-128 example vector).
    const b = encryptBlock(
      fromHex("2b7e151628aed2a6abf7158809cf4f3c"),
      fromHex("3243f6a8885a308d313198a2e0370734"),
    );
    assert.equal(toHex(b), "3925841d02dc09fbdc118597196a0b32");
    const c1 = encryptBlock(
      fromHex("000102030405060708090a0b0c0d0e0f"),
      fromHex("00112233445566778899aabbccddeeff"),
    );
    assert.equal(toHex(c1), "69c4e0d86a7b0430d8cdb78070b4c55a");
  });

  test("FIPS-197 A.1 key expansion: last round key", () => {
    const rk = expandKey128(fromHex("2b7e151628aed2a6abf7158809cf4f3c"));
    const last = [...rk.subarray(40)].map((w) => (w >>> 0).toString(16).padStart(8, "0")).join("");
    assert.equal(last, "d014f9a8c9ee2589e13f0cc8b6630ca6");
  });

  test("equals OpenSSL AES-128-ECB on random keys and blocks", () => {
    const bytes16 = fc.uint8Array({ minLength: 16, maxLength: 16 });
    fc.assert(
      fc.property(bytes16, bytes16, (key, block) => {
        assert.equal(toHex(encryptBlock(key, block)), toHex(opensslBlock(key, block)));
      }),
      { seed: 46, numRuns: 500 },
    );
  });

  test("expandKey128Into writes the same schedule into a view of a larger array, and only there", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 48, maxLength: 48 }), fc.nat(32), (bytes, at) => {
        const all = new Int32Array(3 * 44).fill(-1);
        expandKey128Into(all.subarray(44, 88), bytes, at);
        assert.deepEqual([...all.subarray(44, 88)], [...expandKey128(bytes.slice(at, at + 16))]);
        assert.ok(all.subarray(0, 44).every((w) => w === -1) && all.subarray(88).every((w) => w === -1));
      }),
      { seed: 42, numRuns: 100 },
    );
    assert.throws(() => {
      expandKey128Into(new Int32Array(43), new Uint8Array(16), 0);
    }, RangeError);
    assert.throws(() => {
      expandKey128Into(new Int32Array(44), new Uint8Array(16), 1);
    }, RangeError);
  });

  test("refuses other key sizes", () => {
    assert.throws(() => expandKey128(new Uint8Array(32)), RangeError);
  });

  test("word helpers are big-endian and round-trip", () => {
    const b = fromHex("80010203");
    assert.equal(loadWord(b, 0), 0x80010203 | 0);
    const out = new Uint8Array(4);
    storeWord(out, 0, loadWord(b, 0));
    assert.equal(toHex(out), "80010203");
  });
});
