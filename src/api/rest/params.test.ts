// Parameter assertions and the router's choice between overlapping patterns.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { toBech32 } from "../../chain/address.js";
import { RestError } from "./errors.js";
import { parseBase64, parseParam, parsePagination, parseU64 } from "./params.js";
import { Router, normalisePath } from "./router.js";

const is400 = (f: () => unknown, re: RegExp): void => {
  assert.throws(f, (e: unknown) => e instanceof RestError && e.httpStatus === 400 && re.test(e.message));
};

describe("REST parameters", () => {
  test("uint64: digits only, at most 2^64-1", () => {
    assert.equal(parseU64("n", "18446744073709551615"), (1n << 64n) - 1n);
    is400(() => parseU64("n", "18446744073709551616"), /^n: .*overflows uint64/);
    for (const bad of ["", "-1", "+1", "1.0", " 1", "0x1", "1e3", "1".repeat(21)])
      is400(() => parseU64("n", bad), /^n: /);
  });

  test("base64: standard, URL-safe, unpadded, '+' arriving as a space; garbage refused", () => {
    const bytes = Uint8Array.from([0xfb, 0xff, 0xbf, 0x01]);
    for (const s of ["+/+/AQ==", "-_-_AQ==", "-_-_AQ", " /+/AQ=="])
      assert.deepEqual(parseBase64("q", s), bytes);
    for (const bad of ["A", "AAA=A", "****", "AQ==AQ=="])
      is400(() => parseBase64("q", bad), /^q: invalid base64$/);
  });

  test("bech32 kinds check prefix and checksum", () => {
    const addr = toBech32(new Uint8Array(20).fill(1));
    assert.equal(parseParam("acc", "a", addr), addr);
    is400(
      () => parseParam("acc", "a", addr.slice(0, -1) + (addr.endsWith("q") ? "p" : "q")),
      /^a: invalid bech32/,
    );
    is400(() => parseParam("val", "v", addr), /^v: invalid Bech32 prefix; expected secretvaloper/);
    const val = toBech32(new Uint8Array(20).fill(1), "secretvaloper");
    assert.equal(parseParam("val", "v", val), val);
  });

  test("key32 takes hex or base64 of exactly 32 bytes; hash is 64 hex, uppercased", () => {
    assert.deepEqual(parseParam("key32", "k", "0a".repeat(32)), new Uint8Array(32).fill(10));
    assert.deepEqual(
      parseParam("key32", "k", Buffer.alloc(32, 10).toString("base64")),
      new Uint8Array(32).fill(10),
    );
    is400(() => parseParam("key32", "k", Buffer.alloc(31).toString("base64")), /expected 32 bytes, got 31/);
    assert.equal(parseParam("hash", "h", "ab".repeat(32)), "AB".repeat(32));
    is400(() => parseParam("hash", "h", "ab".repeat(31)), /^h: /);
  });

  test("pagination reads pagination.* with defaults", () => {
    const p = parsePagination(
      new URLSearchParams("pagination.limit=5&pagination.offset=10&pagination.reverse=true"),
    );
    assert.deepEqual(p, { key: undefined, offset: 10n, limit: 5n, countTotal: false, reverse: true });
    is400(() => parsePagination(new URLSearchParams("pagination.count_total=yes")), /count_total/);
  });
});

describe("REST router", () => {
  const r = new Router<string>()
    .add("GET", "/b/blocks/{height:u64}", "byHeight")
    .add("GET", "/b/blocks/latest", "latest")
    .add("GET", "/m/{denom:denom*}", "rest");

  test("a literal segment beats a parameter; a bad parameter on the chosen route is 400", () => {
    assert.equal(r.match("GET", "/b/blocks/latest").route.handler, "latest");
    assert.equal(r.match("GET", "/b/blocks/7").params.get("height"), 7n);
    is400(() => r.match("GET", "/b/blocks/x"), /^height: /);
  });

  test("a rest parameter spans segments; 404 and 405 are told apart", () => {
    assert.equal(r.match("GET", "/m/ibc/ABC").params.get("denom"), "ibc/ABC");
    assert.throws(
      () => r.match("GET", "/zzz"),
      (e: unknown) => e instanceof RestError && e.httpStatus === 404,
    );
    assert.throws(
      () => r.match("POST", "/b/blocks/1"),
      (e: unknown) => e instanceof RestError && e.httpStatus === 405,
    );
  });

  test("sized and rest routes compete by literals; equal literals go to the route added first", () => {
    const t = new Router<string>()
      .add("GET", "/x/{a:u64}/y", "first")
      .add("GET", "/x/{b:denom*}", "restOnly")
      .add("GET", "/x/{c:u64}/y", "second")
      .add("GET", "/z/{d:denom*}", "restFirst")
      .add("GET", "/z/{e:u64}/{f:u64}", "sizedLater");
    assert.equal(t.match("GET", "/x/1/y").route.handler, "first");
    assert.equal(t.match("GET", "/x/ibc/ABC").route.handler, "restOnly");
    assert.equal(t.match("GET", "/z/ibc/ABC").route.handler, "restFirst");
    assert.equal(t.size, 5);
  });

  test("paths are normalised: repeated and trailing slashes", () => {
    assert.equal(normalisePath("//a///b//"), "/a/b");
    assert.equal(normalisePath(""), "/");
  });
});
