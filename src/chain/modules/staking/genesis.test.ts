// Genesis export → import → export is a fixed point for staking, distribution and slashing (with bank's pool
// balances carried along), the imported set reproduces the last powers, and a wrong pool balance is refused.
// Also Dec: parsing, rendering and the SDK's rounding rules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryOverlay } from "../../store/memory.js";
import { exportBankGenesis, initBankGenesis } from "../bank/genesis.js";
import { exportDistributionGenesis, initDistributionGenesis } from "../distribution/genesis.js";
import { exportSlashingGenesis, initSlashingGenesis } from "../slashing/genesis.js";
import { Dec } from "./dec.js";
import { exportStakingGenesis, initStakingGenesis } from "./genesis.js";
import { handleBeginRedelegate, handleDelegate, handleUndelegate } from "./msgServer.js";
import { SEC, accStr, createValidator, makePosChain, valStr, votesOf } from "./testdata/posHarness.js";

const U = 1_000_000n;
const coin = (n: bigint) => ({ denom: "uscrt", amount: n.toString() });

function scenario() {
  const c = makePosChain({ 1: 100n * U, 2: 100n * U, 9: 100n * U });
  const s = new MemoryOverlay(c.state);
  const ctx = c.ctx(1n, 1000n * SEC, s);
  createValidator(c, ctx, 1, 10n * U);
  createValidator(c, ctx, 2, 20n * U);
  c.endBlock(ctx);
  const k = c.staking.keeper;
  handleDelegate(k, ctx, { delegatorAddress: accStr(9), validatorAddress: valStr(1), amount: coin(7n * U) });
  handleUndelegate(k, ctx, {
    delegatorAddress: accStr(9),
    validatorAddress: valStr(1),
    amount: coin(2n * U),
  });
  handleBeginRedelegate(k, ctx, {
    delegatorAddress: accStr(9),
    validatorSrcAddress: valStr(1),
    validatorDstAddress: valStr(2),
    amount: coin(U),
  });
  const b = c.ctx(2n, 1005n * SEC, s);
  c.beginBlock(b, votesOf(c, b));
  c.endBlock(b);
  return { c, ctx: b };
}

test("staking/distribution/slashing genesis export is a fixed point of import", () => {
  const { c, ctx } = scenario();
  const st = exportStakingGenesis(ctx, c.staking.keeper);
  const bank = exportBankGenesis(ctx, c.bank.keeper);
  const dist = exportDistributionGenesis(ctx, c.distr.keeper);
  const sl = exportSlashingGenesis(ctx, c.slashing.keeper);
  const d = makePosChain({});
  const g = d.ctx(0n, 0n);
  initBankGenesis(g, d.bank.keeper, bank);
  const updates = initStakingGenesis(g, d.staking.keeper, st);
  initDistributionGenesis(g, d.distr.keeper, dist);
  initSlashingGenesis(g, d.slashing.keeper, sl);
  assert.deepEqual(exportStakingGenesis(g, d.staking.keeper), st);
  assert.deepEqual(exportDistributionGenesis(g, d.distr.keeper), dist);
  assert.deepEqual(exportSlashingGenesis(g, d.slashing.keeper), sl);
  assert.deepEqual(
    updates.map((u) => u.power),
    c.staking.keeper.lastPowers(ctx).map((e) => e.power),
  );
  assert.equal((st.unbonding_delegations ?? []).length, 1);
  assert.ok((dist.delegator_starting_infos ?? []).length >= 3);
  assert.notDeepEqual(
    c.distr.query.delegationRewards(ctx, accStr(2), valStr(2)).rewards,
    [],
    "rewards pending",
  );
  for (const [del, val] of [
    [9, 1],
    [1, 1],
    [2, 2],
  ] as const) {
    assert.deepEqual(
      d.distr.query.delegationRewards(g, accStr(del), valStr(val)),
      c.distr.query.delegationRewards(ctx, accStr(del), valStr(val)),
      "pending rewards survive the round trip",
    );
  }
  assert.equal((st.redelegations ?? []).length, 1);
});

test("determinism: the same blocks twice give byte-identical writes and events", () => {
  const runs = [scenario(), scenario()].map(({ ctx }) => ({
    writes: [...ctx.store.iterate(undefined, undefined)],
    events: JSON.stringify(ctx.events.events),
  }));
  assert.ok(runs[0]!.writes.length > 20, String(runs[0]!.writes.length));
  assert.deepEqual(runs[0], runs[1]);
});

test("import refuses a bonded pool that does not match the bonded tokens", () => {
  const { c, ctx } = scenario();
  const st = exportStakingGenesis(ctx, c.staking.keeper);
  const d = makePosChain({ 1: 5n });
  assert.throws(() => initStakingGenesis(d.ctx(0n, 0n), d.staking.keeper, st), /bonded pool balance/);
});

test("Dec: SDK string forms and rounding (half to even on Mul/Quo, truncation where named)", () => {
  assert.equal(Dec.fromString("0.05").toString(), "0.050000000000000000");
  assert.equal(Dec.fromString("-1.5").toString(), "-1.500000000000000000");
  assert.equal(Dec.fromAtomics("100000000000000000").toString(), "0.100000000000000000");
  assert.equal(Dec.fromAtomics("").toString(), "0.000000000000000000");
  for (const bad of ["", ".5", "1.", "1e5", "0.1234567890123456789", " 1"]) {
    assert.throws(() => Dec.fromString(bad), RangeError, bad);
  }
  assert.throws(() => Dec.fromAtomics("0.1"), RangeError);
  const tiny = Dec.fromRaw(5n); // 5e-18
  assert.equal(tiny.mul(Dec.fromString("0.1")).raw, 0n, "0.5e-18 rounds half to even → 0");
  assert.equal(Dec.fromRaw(15n).mul(Dec.fromString("0.1")).raw, 2n, "1.5e-18 → 2");
  assert.equal(Dec.fromRaw(25n).mul(Dec.fromString("0.1")).raw, 2n, "2.5e-18 → 2");
  assert.equal(Dec.fromRaw(25n).mulTruncate(Dec.fromString("0.1")).raw, 2n);
  assert.equal(Dec.ONE.quo(Dec.fromInt(3n)).toString(), "0.333333333333333333");
  assert.equal(Dec.fromInt(2n).quo(Dec.fromInt(3n)).toString(), "0.666666666666666667");
  assert.equal(Dec.fromInt(2n).quoTruncate(Dec.fromInt(3n)).toString(), "0.666666666666666666");
  assert.equal(Dec.fromInt(2n).quoRoundUp(Dec.fromInt(3n)).toString(), "0.666666666666666667");
  assert.equal(Dec.fromString("2.5").roundInt(), 2n);
  assert.equal(Dec.fromString("3.5").roundInt(), 4n);
  assert.equal(Dec.fromString("-2.7").truncateInt(), -2n);
  assert.equal(Dec.fromString("2.1").ceilInt(), 3n);
});
