// directSignBytes: always SignDoc.encode of the tx's body, auth info, chain id and account number.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MsgSend } from "secretjs";
import { SignDoc } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { decodeTx } from "./decode.js";
import { decodeTxCached } from "./txCache.js";
import { directSignBytes, encodeDirectSignBytes } from "./signDoc.js";
import { makeSigner } from "./testdata/secretjsSigner.js";
import { MNEMONIC_A, TEST_CHAIN_ID, makeTestChain } from "./testdata/testHarness.js";

test("equals a fresh SignDoc encode for any chain id and account number, cached tx or not (seeded)", async () => {
  const a = makeSigner(MNEMONIC_A);
  const msg = new MsgSend({
    from_address: a.address,
    to_address: a.address,
    amount: [{ denom: "uscrt", amount: "1" }],
  });
  const raw = await a.signDeterministic([msg], { accountNumber: 0, sequence: 0, chainId: TEST_CHAIN_ID });
  const { registry } = makeTestChain({});
  const cached = decodeTxCached(raw, registry);
  const plain = decodeTx(raw, registry);
  assert.ok(Object.isFrozen(cached));
  fc.assert(
    fc.property(
      fc.constantFrom("c-1", "c-2", TEST_CHAIN_ID),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      (chainId, n) => {
        const want = SignDoc.encode({
          bodyBytes: cached.bodyBytes,
          authInfoBytes: cached.authInfoBytes,
          chainId,
          accountNumber: n,
        }).finish();
        assert.deepEqual(directSignBytes(cached, chainId, n), want);
        assert.deepEqual(directSignBytes(cached, chainId, n), want);
        assert.deepEqual(directSignBytes(plain, chainId, n), want);
        assert.deepEqual(encodeDirectSignBytes(cached, chainId, n), want);
      },
    ),
    { seed: 42, numRuns: 100 },
  );
  // Remembered for the frozen tx (same array again), never for a mutable one.
  assert.equal(directSignBytes(cached, "c-1", 3n), directSignBytes(cached, "c-1", 3n));
  assert.notEqual(directSignBytes(plain, "c-1", 3n), directSignBytes(plain, "c-1", 3n));
});
