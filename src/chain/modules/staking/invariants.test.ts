// Seeded random operation sequences over all four PoS modules: after every step bank supply = sum of balances,
// staking pools = the tokens their records hold, validator shares = sum of delegation shares, and the
// distribution account = community pool + outstanding rewards. Failures must be registered chain errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MemoryOverlay } from "../../store/memory.js";
import { ChainError } from "../../errors.js";
import { checkDistributionInvariant } from "../distribution/keeper.js";
import {
  handleFundCommunityPool,
  handleWithdrawDelegatorReward,
  handleWithdrawValidatorCommission,
} from "../distribution/msgServer.js";
import { handleUnjail } from "../slashing/msgServer.js";
import { checkStakingInvariants } from "./invariants.js";
import { handleBeginRedelegate, handleDelegate, handleUndelegate } from "./msgServer.js";
import {
  SEC,
  acc,
  accStr,
  consOf,
  createValidator,
  makePosChain,
  valStr,
  votesOf,
} from "./testdata/posHarness.js";
import { Dec } from "./dec.js";

const U = 1_000_000n;
const VALS = [1, 2, 3];
const DELS = [1, 2, 3, 7, 8];
const coin = (amount: bigint) => ({ denom: "uscrt", amount: amount.toString() });

type Op = [kind: number, a: number, b: number, c: number, amount: bigint];

test("random staking/distribution/slashing/mint sequences keep every invariant", () => {
  const c = makePosChain({ 1: 1000n * U, 2: 1000n * U, 3: 1000n * U, 7: 500n * U, 8: 500n * U });
  const base = new MemoryOverlay(c.state);
  const g = c.ctx(1n, 1000n * SEC, base);
  c.slashing.keeper.setParams(g, {
    signedBlocksWindow: 4n,
    minSignedPerWindow: Dec.fromString("0.5"),
    downtimeJailDurationNs: 20n * SEC,
    slashFractionDoubleSign: Dec.fromString("0.05"),
    slashFractionDowntime: Dec.fromString("0.01"),
  });
  c.staking.keeper.setParams(g, {
    ...c.staking.keeper.getParams(g),
    unbondingTimeNs: 30n * SEC,
    maxValidators: 2,
  });
  for (const v of VALS) createValidator(c, g, v, BigInt(v) * 10n * U);
  for (const d of [7, 8]) {
    for (const v of VALS) {
      handleDelegate(c.staking.keeper, g, {
        delegatorAddress: accStr(d),
        validatorAddress: valStr(v),
        amount: coin(20n * U),
      });
    }
  }
  c.endBlock(g);
  base.write();
  const op = fc.tuple(fc.nat(9), fc.nat(4), fc.nat(2), fc.nat(2), fc.bigInt({ min: 1n, max: 5n * U }));
  fc.assert(
    fc.property(fc.array(op, { minLength: 5, maxLength: 40 }), (ops: Op[]) => {
      const s = new MemoryOverlay(c.state);
      let h = 2n;
      for (const o of ops) {
        const ctx = c.ctx(h, 1000n * SEC + h * 6n * SEC, s);
        try {
          step(ctx, o);
        } catch (e) {
          assert.ok(e instanceof ChainError, `unexpected ${String(e)}`);
        }
        if (o[0] >= 7) h += 1n;
        assert.equal(c.bank.keeper.checkSupplyInvariant(ctx), undefined);
        assert.equal(checkStakingInvariants(c.staking.keeper, ctx), undefined);
        const bal = (a: Uint8Array) => c.bank.keeper.getAllBalances(ctx, a);
        assert.equal(checkDistributionInvariant(c.distr.keeper, ctx, bal), undefined);
      }
    }),
    { seed: 42, numRuns: 40 },
  );

  function step(ctx: ReturnType<typeof c.ctx>, [kind, a, b, x, amount]: Op): void {
    const del = accStr(DELS[a]!);
    const v1 = valStr(VALS[b]!);
    const v2 = valStr(VALS[x]!);
    const sk = c.staking.keeper;
    const dk = c.distr.keeper;
    if (kind === 0)
      handleDelegate(sk, ctx, { delegatorAddress: del, validatorAddress: v1, amount: coin(amount) });
    else if (kind === 1)
      handleUndelegate(sk, ctx, { delegatorAddress: del, validatorAddress: v1, amount: coin(amount) });
    else if (kind === 2) {
      handleBeginRedelegate(sk, ctx, {
        delegatorAddress: del,
        validatorSrcAddress: v1,
        validatorDstAddress: v2,
        amount: coin(amount),
      });
    } else if (kind === 3)
      handleWithdrawDelegatorReward(dk, ctx, { delegatorAddress: del, validatorAddress: v1 });
    else if (kind === 4) handleWithdrawValidatorCommission(dk, ctx, { validatorAddress: v1 });
    else if (kind === 5)
      handleFundCommunityPool(dk, ctx, { depositor: del, amount: [coin((amount % 1000n) + 1n)] });
    else if (kind === 6) handleUnjail(c.slashing.keeper, ctx, { validatorAddr: v1 });
    else {
      // A block: fees, begin blockers (some validator absent, maybe evidence), end blocker.
      c.bank.keeper.sendCoinsFromAccountToModule(
        ctx,
        acc(DELS[a]!),
        "fee_collector",
        [coin(amount % 5000n)]
          .filter((q) => q.amount !== "0")
          .map((q) => ({ denom: q.denom, amount: BigInt(q.amount) })),
      );
      const evidence =
        kind === 9
          ? [{ type: 1, address: consOf(VALS[b]!), power: 10n, height: ctx.blockHeight - 1n, timeNs: 0n }]
          : [];
      c.beginBlock(ctx, votesOf(c, ctx, kind === 8 ? [VALS[x]!] : []), evidence);
      c.endBlock(ctx);
    }
  }
});
