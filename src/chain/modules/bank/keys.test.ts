// balanceKey's one-allocation build equals the SDK layout 0x02 | len | addr | utf8(denom) (seeded property).
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { concatBytes, utf8 } from "../../../util/bytes.js";
import { BALANCES_PREFIX, accountBalancesPrefix, balanceKey, storeBalanceKey } from "./keys.js";

const reference = (addr: Uint8Array, denom: string): Uint8Array =>
  concatBytes(BALANCES_PREFIX, Uint8Array.of(addr.length), addr, utf8.encode(denom));

describe("bank balanceKey", () => {
  test("equals prefix | len | addr | utf8(denom) for any address and denom, ASCII or not", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 255 }), fc.string({ unit: "binary" }), (a, d) => {
        assert.deepEqual(balanceKey(a, d), reference(a, d));
      }),
      { seed: 42, numRuns: 2000 },
    );
    const addr = new Uint8Array(20).fill(7);
    for (const d of [
      "uscrt",
      "",
      "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2",
      "é",
      "\u007f",
    ]) {
      assert.deepEqual(balanceKey(addr, d), reference(addr, d), d);
    }
    assert.deepEqual(balanceKey(addr, "uscrt").subarray(0, 22), accountBalancesPrefix(addr));
  });

  test("storeBalanceKey = store prefix | balanceKey (what PrefixStore would build)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 8 }),
        fc.uint8Array({ maxLength: 255 }),
        fc.string({ unit: "binary", maxLength: 20 }),
        (p, a, d) => {
          assert.deepEqual(storeBalanceKey(p, a, d), concatBytes(p, reference(a, d)));
        },
      ),
      { seed: 43, numRuns: 2000 },
    );
    assert.throws(() => storeBalanceKey(utf8.encode("bank/"), new Uint8Array(256), "uscrt"), RangeError);
  });

  test("an address over 255 bytes is refused, as accountBalancesPrefix does", () => {
    assert.throws(() => balanceKey(new Uint8Array(256), "uscrt"), RangeError);
  });
});
