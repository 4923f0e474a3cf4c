// sha256PrefixPair against node:crypto (OpenSSL) over seeded random inputs, and FIPS-style fixed vectors.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { sha256PrefixPair, sha256PrefixPairInto } from "./sha256Pair.js";

const reference = (p: number, x: Uint8Array, y: Uint8Array): string =>
  createHash("sha256").update(Uint8Array.of(p)).update(x).update(y).digest("hex");
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

describe("sha256PrefixPair", () => {
  test("equals OpenSSL's sha256 of prefix ‖ x ‖ y (seeded property, 2,000 cases)", () => {
    const h32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), h32, h32, (p, x, y) => {
        assert.equal(hex(sha256PrefixPair(p, x, y)), reference(p, x, y));
      }),
      { seed: 42, numRuns: 2000 },
    );
  });

  test("every value of y's last byte (the precomputed second block's only input) equals OpenSSL", () => {
    const x = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 255);
    const y = Uint8Array.from({ length: 32 }, (_, i) => (i * 101 + 3) & 255);
    for (let b = 0; b < 256; b++) {
      y[31] = b;
      assert.equal(hex(sha256PrefixPair(b & 1, x, y)), reference(b & 1, x, y), `y[31] = ${b}`);
    }
  });

  test("edge bytes: all-zero and all-0xff inputs, both tree prefixes, results not aliased", () => {
    const zero = new Uint8Array(32);
    const ff = new Uint8Array(32).fill(0xff);
    for (const p of [0, 1, 0xff]) {
      for (const [x, y] of [
        [zero, zero],
        [ff, ff],
        [zero, ff],
        [ff, zero],
      ] as const) {
        assert.equal(hex(sha256PrefixPair(p, x, y)), reference(p, x, y));
      }
    }
    const a = sha256PrefixPair(1, zero, ff);
    const b = sha256PrefixPair(0, ff, zero);
    assert.notEqual(hex(a), hex(b)); // each call returns its own array
    // sha256(0x00 ‖ 64 zero bytes), computed independently (coreutils: head -c 65 /dev/zero | sha256sum)
    assert.equal(
      hex(sha256PrefixPair(0, zero, zero)),
      "98ce42deef51d40269d542f5314bef2c7468d401ad5d85168bfab4c0108f75f7",
    );
  });

  test("Into: inputs and output at offsets of flat arrays, output over an input's range (seeded)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ minLength: 160, maxLength: 160 }),
        fc.nat(64),
        fc.nat(64),
        fc.nat(64),
        fc.boolean(),
        (p, flat, xo, yo, oo, inPlace) => {
          const x = flat.slice(xo, xo + 32);
          const y = flat.slice(yo + 64, yo + 96);
          const out = inPlace ? flat : new Uint8Array(128);
          const at = inPlace ? xo : oo;
          sha256PrefixPairInto(p, flat, xo, flat, yo + 64, out, at);
          assert.equal(hex(out.subarray(at, at + 32)), reference(p, x, y));
        },
      ),
      { seed: 42, numRuns: 500 },
    );
  });
});
