// Distribution through the real keepers: allocation by vote power with community tax and commission (exact
// numbers), withdrawals, hooks settling rewards on share changes, withdraw address, community pool, failures,
// and conservation: rewards paid + commission paid + community pool + outstanding = everything allocated.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryOverlay } from "../../store/memory.js";
import { DistributionErrors, isError, SdkErrors, type RegisteredError } from "../../errors.js";
import { toBech32 as toB } from "../../address.js";
import { checkStakingInvariants } from "../staking/invariants.js";
import { handleDelegate } from "../staking/msgServer.js";
import {
  SEC,
  acc,
  accStr,
  consOf,
  createValidator,
  makePosChain,
  valStr,
} from "../staking/testdata/posHarness.js";
import { checkDistributionInvariant } from "./keeper.js";
import {
  handleFundCommunityPool,
  handleSetWithdrawAddress,
  handleWithdrawDelegatorReward,
  handleWithdrawValidatorCommission,
} from "./msgServer.js";

const U = 1_000_000n;
const fails = (f: () => unknown, e: RegisteredError): void => {
  assert.throws(f, (err) => isError(err, e), `expected ${e.codespace}/${e.code}`);
};

function setup() {
  const c = makePosChain({ 1: 100n * U, 2: 100n * U, 3: 100n * U, 9: 100n * U });
  const s = new MemoryOverlay(c.state);
  const ctx = c.ctx(1n, 1000n * SEC, s);
  createValidator(c, ctx, 1, 10n * U, "0.1");
  createValidator(c, ctx, 2, 30n * U, "0.2");
  handleDelegate(c.staking.keeper, ctx, {
    delegatorAddress: accStr(9),
    validatorAddress: valStr(1),
    amount: { denom: "uscrt", amount: (10n * U).toString() },
  });
  c.endBlock(ctx);
  const fee = (amount: bigint) => {
    c.bank.keeper.sendCoinsFromAccountToModule(ctx, acc(3), "fee_collector", [{ denom: "uscrt", amount }]);
  };
  const votes = [
    { address: consOf(1), power: 20n },
    { address: consOf(2), power: 30n },
  ];
  const balances = (a: Uint8Array) => c.bank.keeper.getAllBalances(ctx, a);
  return { c, ctx, fee, votes, k: c.distr.keeper, balances };
}

test("allocation: 2% community tax, pro rata by power, commission at the validator's rate (exact)", () => {
  const { c, ctx, fee, votes, k, balances } = setup();
  fee(1000n);
  c.distr.beginBlock(c.ctx(2n, ctx.blockTimeNs, ctx.store), votes);
  // 980 to validators: 392 (val1) and 588 (val2); 20 to the pool.
  assert.deepEqual(c.distr.query.communityPool(ctx), {
    pool: [{ denom: "uscrt", amount: "20.000000000000000000" }],
  });
  assert.deepEqual(c.distr.query.validatorCommission(ctx, valStr(1)), {
    commission: { commission: [{ denom: "uscrt", amount: "39.200000000000000000" }] },
  });
  assert.deepEqual(c.distr.query.validatorOutstandingRewards(ctx, valStr(2)), {
    rewards: { rewards: [{ denom: "uscrt", amount: "588.000000000000000000" }] },
  });
  assert.deepEqual(c.distr.query.delegationRewards(ctx, accStr(9), valStr(1)), {
    rewards: [{ denom: "uscrt", amount: "176.400000000000000000" }],
  });
  assert.equal(checkDistributionInvariant(k, ctx, balances), undefined);
  const before = c.bank.keeper.getBalance(ctx, acc(9), "uscrt").amount;
  handleWithdrawDelegatorReward(k, ctx, { delegatorAddress: accStr(9), validatorAddress: valStr(1) });
  assert.equal(c.bank.keeper.getBalance(ctx, acc(9), "uscrt").amount, before + 176n);
  assert.deepEqual(c.distr.query.communityPool(ctx).pool, [
    { denom: "uscrt", amount: "20.400000000000000000" },
  ]);
  const ev = ctx.events.events.filter((e) => e.type === "withdraw_rewards").at(-1)!;
  assert.deepEqual(
    ev.attributes.map((a) => [a.key, a.value]),
    [
      ["amount", "176uscrt"],
      ["validator", valStr(1)],
      ["delegator", accStr(9)],
    ],
  );
  assert.deepEqual(c.distr.query.delegationRewards(ctx, accStr(9), valStr(1)).rewards, []);
  handleWithdrawValidatorCommission(k, ctx, { validatorAddress: valStr(1) });
  assert.deepEqual(c.distr.query.validatorCommission(ctx, valStr(1)).commission, {
    commission: [{ denom: "uscrt", amount: "0.200000000000000000" }],
  });
  assert.equal(checkDistributionInvariant(k, ctx, balances), undefined);
});

test("hooks: changing a delegation pays its rewards first; withdraw address receives them", () => {
  const { c, ctx, fee, votes, k, balances } = setup();
  handleSetWithdrawAddress(k, ctx, { delegatorAddress: accStr(9), withdrawAddress: accStr(3) });
  assert.deepEqual(c.distr.query.withdrawAddress(ctx, accStr(9)), { withdraw_address: accStr(3) });
  fee(1000n);
  c.distr.beginBlock(c.ctx(2n, ctx.blockTimeNs, ctx.store), votes);
  const before3 = c.bank.keeper.getBalance(ctx, acc(3), "uscrt").amount;
  handleDelegate(c.staking.keeper, ctx, {
    delegatorAddress: accStr(9),
    validatorAddress: valStr(1),
    amount: { denom: "uscrt", amount: "1" },
  });
  assert.equal(c.bank.keeper.getBalance(ctx, acc(3), "uscrt").amount, before3 + 176n);
  assert.deepEqual(c.distr.query.delegationRewards(ctx, accStr(9), valStr(1)).rewards, []);
  assert.equal(checkDistributionInvariant(k, ctx, balances), undefined);
  assert.equal(checkStakingInvariants(c.staking.keeper, ctx), undefined);
});

test("distribution messages fail as the SDK does", () => {
  const { c, ctx, k } = setup();
  fails(
    () => handleWithdrawValidatorCommission(k, ctx, { validatorAddress: valStr(1) }),
    DistributionErrors.NoValidatorCommission,
  );
  fails(
    () => handleWithdrawDelegatorReward(k, ctx, { delegatorAddress: accStr(3), validatorAddress: valStr(1) }),
    DistributionErrors.EmptyDelegationDistInfo,
  );
  fails(
    () => handleWithdrawDelegatorReward(k, ctx, { delegatorAddress: accStr(9), validatorAddress: valStr(7) }),
    DistributionErrors.NoValidatorDistInfo,
  );
  const feeAddr = c.auth.keeper.getModuleAddress("distribution");
  fails(
    () => handleSetWithdrawAddress(k, ctx, { delegatorAddress: accStr(9), withdrawAddress: toB(feeAddr) }),
    SdkErrors.Unauthorized,
  );
  k.setParams(ctx, { ...k.getParams(ctx), withdrawAddrEnabled: false });
  fails(
    () => handleSetWithdrawAddress(k, ctx, { delegatorAddress: accStr(9), withdrawAddress: accStr(3) }),
    DistributionErrors.SetWithdrawAddrDisabled,
  );
  fails(() => handleFundCommunityPool(k, ctx, { depositor: accStr(9), amount: [] }), SdkErrors.InvalidCoins);
  fails(
    () =>
      handleFundCommunityPool(k, ctx, {
        depositor: accStr(9),
        amount: [{ denom: "uscrt", amount: (10n ** 12n).toString() }],
      }),
    SdkErrors.InsufficientFunds,
  );
  handleFundCommunityPool(k, ctx, { depositor: accStr(9), amount: [{ denom: "uscrt", amount: "55" }] });
  assert.deepEqual(c.distr.query.communityPool(ctx).pool, [
    { denom: "uscrt", amount: "55.000000000000000000" },
  ]);
});

test("conservation over many blocks: paid rewards + paid commission + pool + outstanding = allocated", () => {
  const { c, ctx, fee, votes, k, balances } = setup();
  let allocated = 0n;
  for (let h = 2n; h < 30n; h++) {
    const amount = 997n * h;
    fee(amount);
    allocated += amount;
    c.distr.beginBlock(c.ctx(h, ctx.blockTimeNs + h * SEC, ctx.store), votes);
    if (h % 7n === 0n)
      handleWithdrawDelegatorReward(k, ctx, { delegatorAddress: accStr(9), validatorAddress: valStr(1) });
  }
  let paid = 0n;
  const distrAddr = c.auth.keeper.getModuleAddress("distribution");
  const paidOut = () => {
    for (const e of ctx.events.events) {
      if (e.type !== "coin_spent") continue;
      const spender = e.attributes.find((a) => a.key === "spender")!.value;
      if (spender === toB(distrAddr))
        paid += BigInt(e.attributes.find((a) => a.key === "amount")!.value.replace("uscrt", ""));
    }
  };
  for (const [d, v] of [
    [9, 1],
    [1, 1],
    [2, 2],
  ] as const) {
    handleWithdrawDelegatorReward(k, ctx, { delegatorAddress: accStr(d), validatorAddress: valStr(v) });
  }
  handleWithdrawValidatorCommission(k, ctx, { validatorAddress: valStr(1) });
  handleWithdrawValidatorCommission(k, ctx, { validatorAddress: valStr(2) });
  paidOut();
  const pool = k.getCommunityPool(ctx)[0]!.amount;
  const outstanding = [...k.iterateOutstanding(ctx)]
    .map(([, cs]) => cs[0]?.amount.raw ?? 0n)
    .reduce((a, b) => a + b, 0n);
  const total = pool.raw + outstanding + paid * 10n ** 18n;
  assert.equal(total, allocated * 10n ** 18n, "nothing created or lost");
  assert.ok(outstanding < 2n * 10n ** 18n, "only sub-unit dust stays outstanding");
  assert.equal(checkDistributionInvariant(k, ctx, balances), undefined);
});
