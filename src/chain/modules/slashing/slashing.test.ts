// Slashing through the real keepers and begin/end blockers: downtime over the signed-blocks window (slash +
// jail + unjail after the jail time), double-sign evidence (slash incl. later unbondings, tombstone, no unjail)
// and MsgUnjail's failure modes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryOverlay } from "../../store/memory.js";
import { isError, SlashingErrors, type RegisteredError } from "../../errors.js";
import { Dec } from "../staking/dec.js";
import { checkStakingInvariants } from "../staking/invariants.js";
import { handleBeginRedelegate, handleDelegate, handleUndelegate } from "../staking/msgServer.js";
import {
  SEC,
  acc,
  accStr,
  consOf,
  createValidator,
  makePosChain,
  valStr,
  votesOf,
} from "../staking/testdata/posHarness.js";
import { handleUnjail } from "./msgServer.js";
import { isMissed } from "./keeper.js";

const U = 1_000_000n;
const fails = (f: () => unknown, e: RegisteredError): void => {
  assert.throws(f, (err) => isError(err, e), `expected ${e.codespace}/${e.code}`);
};

function setup() {
  const c = makePosChain({ 1: 100n * U, 2: 100n * U, 9: 100n * U });
  const s = new MemoryOverlay(c.state);
  const ctx = c.ctx(1n, 1000n * SEC, s);
  c.slashing.keeper.setParams(ctx, {
    signedBlocksWindow: 10n,
    minSignedPerWindow: Dec.fromString("0.5"),
    downtimeJailDurationNs: 60n * SEC,
    slashFractionDoubleSign: Dec.fromString("0.05"),
    slashFractionDowntime: Dec.fromString("0.01"),
  });
  createValidator(c, ctx, 1, 10n * U);
  createValidator(c, ctx, 2, 10n * U);
  c.endBlock(ctx);
  const at = (h: bigint) => c.ctx(h, 1000n * SEC + h * 5n * SEC, s);
  return { c, ctx, at, k: c.slashing.keeper, sk: c.staking.keeper };
}

test("downtime: more than window − min signed misses after the window → slash 1%, jail, power 0", () => {
  const { c, at, k, sk } = setup();
  assert.equal(k.getSigningInfo(at(1n), consOf(1))!.startHeight, 1n);
  let jailedAt = 0n;
  for (let h = 2n; h <= 12n; h++) {
    const ctx = at(h);
    c.beginBlock(ctx, votesOf(c, ctx, [1]));
    if (sk.getValidator(ctx, acc(1))!.jailed && jailedAt === 0n) {
      jailedAt = h;
      const slash = ctx.events.events.find((e) => e.type === "slash")!;
      assert.deepEqual(
        slash.attributes.map((a) => a.key),
        ["address", "power", "reason", "jailed", "burned_coins"],
      );
      assert.equal(slash.attributes.find((a) => a.key === "burned_coins")!.value, "100000");
    }
    c.endBlock(ctx);
  }
  assert.equal(jailedAt, 12n, "slashed only once the window has passed (height > start + window)");
  assert.equal(sk.getValidator(at(12n), acc(1))!.tokens, 10n * U - 100_000n);
  assert.equal(sk.getLastPower(at(12n), acc(1)), 0n, "left the set");
  const info = k.getSigningInfo(at(12n), consOf(1))!;
  assert.equal(info.missedBlocksCounter, 0n);
  assert.equal(info.jailedUntilNs, at(12n).blockTimeNs + 60n * SEC);
  assert.equal(k.getSigningInfo(at(12n), consOf(2))!.missedBlocksCounter, 0n);
  fails(() => handleUnjail(k, at(13n), { validatorAddr: valStr(1) }), SlashingErrors.ValidatorJailed);
  const free = c.ctx(30n, info.jailedUntilNs, at(1n).store);
  handleUnjail(k, free, { validatorAddr: valStr(1) });
  const upd = c.endBlock(free);
  assert.deepEqual(
    upd.map((u) => u.power),
    [9n],
  );
  fails(() => handleUnjail(k, free, { validatorAddr: valStr(1) }), SlashingErrors.ValidatorNotJailed);
  fails(() => handleUnjail(k, free, { validatorAddr: valStr(7) }), SlashingErrors.NoValidatorForAddress);
  assert.equal(checkStakingInvariants(sk, free), undefined);
  assert.equal(c.bank.keeper.checkSupplyInvariant(free), undefined);
});

test("signing without misses never slashes; NIL votes count as signed", () => {
  const { c, at, sk } = setup();
  for (let h = 2n; h <= 30n; h++) {
    const ctx = at(h);
    c.beginBlock(
      ctx,
      votesOf(c, ctx).map((v) => ({ ...v, blockIdFlag: h % 2n === 0n ? 3 : 2 })),
    );
    c.endBlock(ctx);
  }
  assert.equal(sk.getValidator(at(30n), acc(1))!.jailed, false);
  assert.equal(sk.getValidator(at(30n), acc(1))!.tokens, 10n * U);
});

test("double sign: slash 5% (later unbondings first), jail forever, tombstone; unjail refused", () => {
  const { c, at, k, sk } = setup();
  const supply0 = c.bank.keeper.getSupply(at(1n), "uscrt").amount;
  const d3 = at(3n);
  handleDelegate(sk, d3, {
    delegatorAddress: accStr(9),
    validatorAddress: valStr(2),
    amount: { denom: "uscrt", amount: (2n * U).toString() },
  });
  c.endBlock(d3);
  const d5 = at(5n);
  handleUndelegate(sk, d5, {
    delegatorAddress: accStr(9),
    validatorAddress: valStr(2),
    amount: { denom: "uscrt", amount: U.toString() },
  });
  c.endBlock(d5);
  const ctx = at(6n);
  c.beginBlock(ctx, votesOf(c, ctx), [
    { type: 1, address: consOf(2), power: 12n, height: 4n, timeNs: at(4n).blockTimeNs },
  ]);
  // 12 power × 10^6 × 5% = 600000: 50000 from the unbonding entry made after the infraction, the rest from the validator.
  assert.equal(sk.getUnbonding(ctx, acc(9), acc(2))!.entries[0]!.balance, U - 50_000n);
  assert.equal(sk.getValidator(ctx, acc(2))!.tokens, 11n * U - 550_000n);
  assert.equal(c.bank.keeper.getSupply(ctx, "uscrt").amount < supply0, true);
  const info = k.getSigningInfo(ctx, consOf(2))!;
  assert.ok(info.tombstoned);
  assert.ok(sk.getValidator(ctx, acc(2))!.jailed);
  c.endBlock(ctx);
  const years = c.ctx(100n, ctx.blockTimeNs + 10n ** 18n, ctx.store);
  fails(() => handleUnjail(k, years, { validatorAddr: valStr(2) }), SlashingErrors.ValidatorJailed);
  // Evidence against a tombstoned validator is ignored.
  const again = at(7n);
  c.beginBlock(again, votesOf(c, again), [
    { type: 1, address: consOf(2), power: 12n, height: 5n, timeNs: 0n },
  ]);
  assert.equal(sk.getValidator(again, acc(2))!.tokens, 11n * U - 550_000n);
  assert.equal(checkStakingInvariants(sk, again), undefined);
  assert.equal(c.bank.keeper.checkSupplyInvariant(again), undefined);
});

test("double sign also slashes redelegations made after the infraction, at the destination", () => {
  const { c, at, sk } = setup();
  const d3 = at(3n);
  handleDelegate(sk, d3, {
    delegatorAddress: accStr(9),
    validatorAddress: valStr(1),
    amount: { denom: "uscrt", amount: (10n * U).toString() },
  });
  c.endBlock(d3);
  const d5 = at(5n);
  handleBeginRedelegate(sk, d5, {
    delegatorAddress: accStr(9),
    validatorSrcAddress: valStr(1),
    validatorDstAddress: valStr(2),
    amount: { denom: "uscrt", amount: (4n * U).toString() },
  });
  c.endBlock(d5);
  const ctx = at(6n);
  c.slashing.keeper.handleEquivocation(ctx, {
    type: 1,
    address: consOf(1),
    power: 20n,
    height: 4n,
    timeNs: 0n,
  });
  // 20 × 10^6 × 5% = 1000000: 200000 via the redelegation (unbonded at val2 and burned), 800000 from val1.
  assert.equal(sk.getValidator(ctx, acc(1))!.tokens, 16n * U - 800_000n);
  assert.equal(sk.getValidator(ctx, acc(2))!.tokens, 14n * U - 200_000n);
  assert.equal(sk.getDelegation(ctx, acc(9), acc(2))!.shares.toString(), "3800000.000000000000000000");
  assert.equal(checkStakingInvariants(sk, ctx), undefined);
  assert.equal(c.bank.keeper.checkSupplyInvariant(ctx), undefined);
});

test("unjail fails without enough self-delegation", () => {
  const { c, at, k, sk } = setup();
  const ctx = at(2n);
  handleUndelegate(sk, ctx, {
    delegatorAddress: accStr(1),
    validatorAddress: valStr(1),
    amount: { denom: "uscrt", amount: (10n * U).toString() },
  });
  assert.ok(sk.getValidator(ctx, acc(1))!.jailed);
  fails(() => handleUnjail(k, ctx, { validatorAddr: valStr(1) }), SlashingErrors.MissingSelfDelegation);
  c.endBlock(ctx);
  assert.deepEqual(c.slashing.query.params(ctx), {
    params: {
      signed_blocks_window: "10",
      min_signed_per_window: "0.500000000000000000",
      downtime_jail_duration: "60s",
      slash_fraction_double_sign: "0.050000000000000000",
      slash_fraction_downtime: "0.010000000000000000",
    },
  });
  assert.equal((c.slashing.query.signingInfos(ctx).info as unknown[]).length, 2);
});

test("a miss is ABSENT only; app.ts's {signed} form is accepted too", () => {
  const a = new Uint8Array(20);
  assert.equal(isMissed({ address: a, power: 1n, blockIdFlag: 1 }), true);
  assert.equal(isMissed({ address: a, power: 1n, blockIdFlag: 2 }), false);
  assert.equal(isMissed({ address: a, power: 1n, blockIdFlag: 3 }), false);
  assert.equal(isMissed({ address: a, power: 1n, signed: false }), true);
  assert.equal(isMissed({ address: a, power: 1n, signed: true }), false);
});
