// LegacyDec arithmetic against SDK rounding, and the tally's stake arithmetic: a non-unit exchange rate where the
// SDK's banker's-rounded Quo decides a count, and a seeded property (everyone votes yes → yes ≈ bonded stake).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { DEC_ONE, decMul, decQuo, decRoundInt, decTruncate, formatDec, tryParseDec } from "./dec.js";
import { handleVote } from "./msgServer.js";
import { tally } from "./tally.js";
import { T0, makeGovChain } from "./testdata/govHarness.js";
import { addr, bech, submitMsg } from "./testdata/fixtures.js";
import { handleSubmitProposal } from "./msgServer.js";

describe("LegacyDec", () => {
  test("parse/format as cosmossdk.io/math LegacyNewDecFromStr/String", () => {
    assert.equal(formatDec(tryParseDec("0.334")!), "0.334000000000000000");
    assert.equal(formatDec(tryParseDec("1")!), "1.000000000000000000");
    assert.equal(formatDec(tryParseDec("-2.5")!), "-2.500000000000000000");
    assert.equal(tryParseDec(".5"), DEC_ONE / 2n);
    for (const bad of ["", "5.", "1.0000000000000000001", "abc", "1e3", "--1", " 1"]) {
      assert.equal(tryParseDec(bad), undefined, bad);
    }
  });

  test("Quo and Mul round half to even at the 18th decimal (chopPrecisionAndRound)", () => {
    assert.equal(formatDec(decQuo(DEC_ONE, 3n * DEC_ONE)), "0.333333333333333333");
    assert.equal(formatDec(decQuo(2n * DEC_ONE, 3n * DEC_ONE)), "0.666666666666666667");
    const tenth = DEC_ONE / 10n;
    assert.equal(decMul(5n, tenth), 0n, "0.5 unit → 0 (even)");
    assert.equal(decMul(15n, tenth), 2n, "1.5 units → 2 (even)");
    assert.equal(decMul(25n, tenth), 2n, "2.5 units → 2 (even)");
    assert.equal(decMul(-15n, tenth), -2n, "symmetric for negatives");
    assert.equal(decRoundInt(25n * tenth), 2n);
    assert.equal(decRoundInt(35n * tenth), 4n);
    assert.equal(decTruncate(-19n * tenth), -1n);
  });
});

describe("tally arithmetic", () => {
  test("non-unit exchange rate: the SDK's rounded Quo gives no=333 where exact math would truncate to 332", () => {
    const c = makeGovChain({ [bech(addr(1))]: 100_000_000n });
    const val = addr(11);
    const del = addr(13);
    // 1000 shares backed by 999 tokens (after a slash); the delegator holds a third of the shares.
    c.staking.validators.push({ operator: val, bondedTokens: 999n, delegatorShares: 1000n * DEC_ONE });
    const third = 333_333_333_333_333_333_333n;
    c.staking.delegations.set(bech(val), [{ validator: val, shares: 1000n * DEC_ONE - third }]);
    c.staking.delegations.set(bech(del), [{ validator: val, shares: third }]);
    const ctx = c.ctx(T0);
    handleSubmitProposal(c.gov.keeper, ctx, submitMsg({ proposer: bech(addr(1)) }));
    handleVote(c.gov.keeper, ctx, {
      proposalId: 1n,
      voter: bech(val),
      option: VoteOption.VOTE_OPTION_YES,
      metadata: "",
    });
    handleVote(c.gov.keeper, ctx, {
      proposalId: 1n,
      voter: bech(del),
      option: VoteOption.VOTE_OPTION_NO,
      metadata: "",
    });
    const out = tally(c.gov.keeper, ctx, c.gov.keeper.getProposal(ctx, 1n)!, false);
    // delegator: 333.333…333 × 999 / 1000 = 332.999…999667 → rounds to 333.000…000
    // validator (votes with its self-delegation, nothing left to inherit): 666.666…667 × 999 / 1000
    // = 666.000…000333 → 666.000…000
    assert.deepEqual(out.result, {
      yesCount: "666",
      abstainCount: "0",
      noCount: "333",
      noWithVetoCount: "0",
    });
    assert.equal(out.passes, true);
  });

  test("property: when every delegator votes yes, yes ≈ total bonded and the proposal passes", () => {
    const holdings = fc.array(fc.tuple(fc.nat(2), fc.bigInt({ min: 1n, max: 10n ** 12n })), {
      minLength: 1,
      maxLength: 8,
    });
    fc.assert(
      fc.property(
        holdings,
        fc.array(fc.bigInt({ min: 1n, max: 10n ** 12n }), { minLength: 3, maxLength: 3 }),
        (dels, selfs) => {
          const c = makeGovChain({ [bech(addr(1))]: 100_000_000n });
          const vals = [addr(100), addr(101), addr(102)];
          vals.forEach((v, i) => {
            c.staking.addValidator(v, selfs[i]!);
          });
          dels.forEach(([vi, tokens], i) => {
            c.staking.delegate(addr(150 + i), vals[vi]!, tokens);
          });
          const ctx = c.ctx(T0);
          handleSubmitProposal(c.gov.keeper, ctx, submitMsg({ proposer: bech(addr(1)) }));
          const voters = [...vals, ...dels.map((_, i) => addr(150 + i))];
          for (const v of voters) {
            handleVote(c.gov.keeper, ctx, {
              proposalId: 1n,
              voter: bech(v),
              option: VoteOption.VOTE_OPTION_YES,
              metadata: "",
            });
          }
          const out = tally(c.gov.keeper, ctx, c.gov.keeper.getProposal(ctx, 1n)!, false);
          const bonded = c.staking.totalBondedTokens();
          const yes = BigInt(out.result.yesCount);
          assert.ok(yes <= bonded && yes >= bonded - 1n, `yes ${yes} vs bonded ${bonded}`);
          assert.equal(out.passes, true);
        },
      ),
      { seed: 42, numRuns: 60 },
    );
  });
});
