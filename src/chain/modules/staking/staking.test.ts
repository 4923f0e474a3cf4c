// Staking through the real handlers and end blocker: every message's success and "fails when …" cases,
// validator-set updates, unbonding maturity, redelegation, cancel-unbonding, and the pool invariants.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryOverlay } from "../../store/memory.js";
import { isError, SdkErrors, StakingErrors, type RegisteredError } from "../../errors.js";
import { PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { MisbehaviorType } from "cosmjs-types/tendermint/abci/types";
import { commitVotes, misbehaviors, toAbciValidatorUpdates, voteWeights } from "./abci.js";
import { Dec } from "./dec.js";
import { checkStakingInvariants } from "./invariants.js";
import {
  handleBeginRedelegate,
  handleCancelUnbonding,
  handleCreateValidator,
  handleDelegate,
  handleEditValidator,
  handleUndelegate,
} from "./msgServer.js";
import { BondStatus } from "./types.js";
import {
  SEC,
  acc,
  accStr,
  consKey,
  createValidator,
  createValidatorMsg,
  makePosChain,
  valStr,
} from "./testdata/posHarness.js";

const U = 1_000_000n;
const coin = (amount: bigint, denom = "uscrt") => ({ denom, amount: amount.toString() });
const fails = (f: () => unknown, e: RegisteredError): void => {
  assert.throws(f, (err) => isError(err, e), `expected ${e.codespace}/${e.code}`);
};

function setup() {
  const c = makePosChain({ 1: 1000n * U, 2: 1000n * U, 3: 1000n * U, 9: 1000n * U });
  const s = new MemoryOverlay(c.state);
  const ctx = c.ctx(1n, 1000n * SEC, s);
  return { c, s, ctx, k: c.staking.keeper };
}

test("create validator: bonds at end block, power = tokens / 10^6, pools and queries agree", () => {
  const { c, ctx, k } = setup();
  createValidator(c, ctx, 1, 10n * U);
  createValidator(c, ctx, 2, 5n * U);
  const v = k.getValidator(ctx, acc(1))!;
  assert.equal(v.status, BondStatus.Unbonded);
  assert.equal(v.tokens, 10n * U);
  assert.ok(v.delegatorShares.eq(Dec.fromInt(10n * U)));
  const updates = c.endBlock(ctx);
  assert.deepEqual(
    updates.map((u) => [Buffer.from(u.pubKeyEd25519).toString("hex"), u.power]),
    [
      [Buffer.from(consKey(1)).toString("hex"), 10n],
      [Buffer.from(consKey(2)).toString("hex"), 5n],
    ],
  );
  assert.equal(k.getValidator(ctx, acc(1))!.status, BondStatus.Bonded);
  assert.deepEqual(c.staking.query.pool(ctx), {
    pool: { not_bonded_tokens: "0", bonded_tokens: "15000000" },
  });
  const q = c.staking.query.validator(ctx, valStr(1)).validator as Record<string, unknown>;
  assert.equal(q.status, "BOND_STATUS_BONDED");
  assert.equal(q.delegator_shares, "10000000.000000000000000000");
  assert.deepEqual(q.consensus_pubkey, {
    "@type": "/cosmos.crypto.ed25519.PubKey",
    key: Buffer.from(consKey(1)).toString("base64"),
  });
  assert.equal(c.endBlock(ctx).length, 0, "no change, no update");
  assert.equal(
    c.staking.query.params(ctx).params &&
      (c.staking.query.params(ctx).params as { unbonding_time: string }).unbonding_time,
    "90s",
  );
  assert.equal(checkStakingInvariants(k, ctx), undefined);
  const ev = ctx.events.events.find((e) => e.type === "create_validator")!;
  assert.deepEqual(
    ev.attributes.map((a) => [a.key, a.value]),
    [
      ["validator", valStr(1)],
      ["amount", "10000000uscrt"],
    ],
  );
});

test("create validator fails as the SDK does", () => {
  const { c, ctx, k } = setup();
  createValidator(c, ctx, 1, 10n * U);
  type Msg = ReturnType<typeof createValidatorMsg>;
  const m = (i: number, patch: Record<string, unknown>): Msg => ({
    ...createValidatorMsg(i, 5n * U),
    ...patch,
  });
  const run = (msg: ReturnType<typeof createValidatorMsg>) => handleCreateValidator(k, ctx, msg);
  fails(() => run(createValidatorMsg(1, 5n * U)), StakingErrors.ValidatorOwnerExists);
  fails(() => run(m(2, { pubkey: createValidatorMsg(1, 1n).pubkey })), StakingErrors.ValidatorPubKeyExists);
  fails(
    () =>
      run(
        m(2, {
          pubkey: {
            typeUrl: "/cosmos.crypto.secp256k1.PubKey",
            value: PubKey.encode({ key: new Uint8Array(33) }).finish(),
          },
        }),
      ),
    StakingErrors.ValidatorPubKeyTypeNotSupported,
  );
  fails(() => run(m(2, { pubkey: undefined })), StakingErrors.EmptyValidatorPubKey);
  fails(() => run(m(2, { value: coin(5n * U, "uatom") })), SdkErrors.InvalidRequest);
  fails(() => run(m(2, { value: coin(0n) })), SdkErrors.InvalidRequest);
  fails(() => run(createValidatorMsg(2, 5n * U, "0.6")), StakingErrors.CommissionGTMaxRate);
  fails(() => run(m(2, { minSelfDelegation: "6000000" })), StakingErrors.SelfDelegationBelowMinimum);
  fails(
    () =>
      run(
        m(2, { description: { moniker: "", identity: "", website: "", securityContact: "", details: "" } }),
      ),
    SdkErrors.InvalidRequest,
  );
  fails(
    () =>
      run(
        m(2, {
          description: {
            moniker: "x".repeat(71),
            identity: "",
            website: "",
            securityContact: "",
            details: "",
          },
        }),
      ),
    SdkErrors.InvalidRequest,
  );
  fails(() => run(m(2, { validatorAddress: accStr(2) })), SdkErrors.InvalidAddress);
  fails(() => run(createValidatorMsg(2, 2000n * U)), SdkErrors.InsufficientFunds);
  k.setParams(ctx, { ...k.getParams(ctx), minCommissionRate: Dec.fromString("0.2") });
  fails(() => run(createValidatorMsg(2, 5n * U, "0.1")), StakingErrors.CommissionLTMinRate);
});

test("edit validator: description and commission rules (24 h, max change), min self delegation", () => {
  const { c, ctx, k } = setup();
  createValidator(c, ctx, 1, 10n * U);
  const atom = (s: string) => Dec.fromString(s).toAtomics();
  const desc = {
    moniker: "renamed",
    identity: "[do-not-modify]",
    website: "[do-not-modify]",
    securityContact: "[do-not-modify]",
    details: "[do-not-modify]",
  };
  const edit = (commissionRate: string, minSelfDelegation = "", t = ctx) =>
    handleEditValidator(k, t, {
      validatorAddress: valStr(1),
      description: desc,
      commissionRate,
      minSelfDelegation,
    });
  fails(() => edit(atom("0.12")), StakingErrors.CommissionUpdateTime);
  const later = c.ctx(2n, ctx.blockTimeNs + 86_400n * SEC, ctx.store);
  fails(() => edit(atom("0.2"), "", later), StakingErrors.CommissionGTMaxChangeRate);
  fails(() => edit(atom("0.6"), "", later), StakingErrors.CommissionGTMaxRate);
  edit(atom("0.15"), "", later);
  assert.equal(k.getValidator(ctx, acc(1))!.commission.rate.toString(), "0.150000000000000000");
  edit(atom("0.01"), "", c.ctx(3n, later.blockTimeNs + 86_400n * SEC, ctx.store));
  assert.equal(
    k.getValidator(ctx, acc(1))!.commission.rate.toString(),
    "0.010000000000000000",
    "decreases are free",
  );
  assert.equal(k.getValidator(ctx, acc(1))!.description.moniker, "renamed");
  fails(() => edit("", "1"), StakingErrors.MinSelfDelegationDecreased);
  fails(() => edit("", "20000000"), StakingErrors.SelfDelegationBelowMinimum);
  edit("", "2000000");
  assert.equal(k.getValidator(ctx, acc(1))!.minSelfDelegation, 2_000_000n);
  fails(
    () =>
      handleEditValidator(k, ctx, {
        validatorAddress: valStr(5),
        description: desc,
        commissionRate: "",
        minSelfDelegation: "",
      }),
    StakingErrors.NoValidatorFound,
  );
  fails(() => edit(atom("1.5")), SdkErrors.InvalidRequest);
});

test("delegate: shares pro rata; fails for unknown validator, wrong denom, short funds", () => {
  const { c, ctx, k } = setup();
  createValidator(c, ctx, 1, 10n * U);
  c.endBlock(ctx);
  const del = (amount: bigint, val = valStr(1), denom = "uscrt") =>
    handleDelegate(k, ctx, {
      delegatorAddress: accStr(9),
      validatorAddress: val,
      amount: coin(amount, denom),
    });
  del(5n * U);
  assert.ok(k.getDelegation(ctx, acc(9), acc(1))!.shares.eq(Dec.fromInt(5n * U)));
  assert.equal(
    c.staking.query.pool(ctx).pool &&
      (c.staking.query.pool(ctx).pool as { bonded_tokens: string }).bonded_tokens,
    "15000000",
  );
  const ev = ctx.events.events.filter((e) => e.type === "delegate").at(-1)!;
  assert.deepEqual(
    ev.attributes.map((a) => a.key),
    ["validator", "delegator", "amount", "new_shares"],
  );
  fails(() => del(1n, valStr(7)), StakingErrors.NoValidatorFound);
  fails(() => del(1n, valStr(1), "uatom"), SdkErrors.InvalidRequest);
  fails(() => del(10_000n * U), SdkErrors.InsufficientFunds);
  fails(() => del(0n), SdkErrors.InvalidRequest);
  assert.equal(c.endBlock(ctx)[0]!.power, 15n);
  assert.equal(checkStakingInvariants(k, ctx), undefined);
});

test("undelegate: unbonding entry, tokens back only after the unbonding time; max entries", () => {
  const { c, ctx, k } = setup();
  createValidator(c, ctx, 1, 10n * U);
  c.endBlock(ctx);
  handleDelegate(k, ctx, { delegatorAddress: accStr(9), validatorAddress: valStr(1), amount: coin(5n * U) });
  const before = c.bank.keeper.getBalance(ctx, acc(9), "uscrt").amount;
  const und = (amount: bigint, t = ctx) =>
    handleUndelegate(k, t, {
      delegatorAddress: accStr(9),
      validatorAddress: valStr(1),
      amount: coin(amount),
    });
  und(2n * U);
  const ubd = k.getUnbonding(ctx, acc(9), acc(1))!;
  assert.deepEqual(
    ubd.entries.map((e) => [e.balance, e.completionTimeNs]),
    [[2n * U, ctx.blockTimeNs + 90n * SEC]],
  );
  assert.equal(checkStakingInvariants(k, ctx), undefined);
  const early = c.ctx(2n, ctx.blockTimeNs + 89n * SEC, ctx.store);
  c.endBlock(early);
  assert.equal(c.bank.keeper.getBalance(ctx, acc(9), "uscrt").amount, before);
  const due = c.ctx(3n, ctx.blockTimeNs + 90n * SEC, ctx.store);
  c.endBlock(due);
  assert.equal(c.bank.keeper.getBalance(ctx, acc(9), "uscrt").amount, before + 2n * U);
  assert.equal(k.getUnbonding(ctx, acc(9), acc(1)), undefined);
  assert.ok(due.events.events.some((e) => e.type === "complete_unbonding"));
  fails(() => und(10n * U, due), SdkErrors.InvalidRequest);
  fails(
    () =>
      handleUndelegate(k, due, {
        delegatorAddress: accStr(2),
        validatorAddress: valStr(1),
        amount: coin(1n),
      }),
    StakingErrors.NoDelegation,
  );
  for (let h = 0n; h < 7n; h++) und(1000n, c.ctx(10n + h, due.blockTimeNs + h, ctx.store));
  fails(
    () => und(1000n, c.ctx(20n, due.blockTimeNs + 20n, ctx.store)),
    StakingErrors.MaxUnbondingDelegationEntries,
  );
  assert.equal(checkStakingInvariants(k, ctx), undefined);
});

test("undelegating the whole self-delegation removes the validator after unbonding", () => {
  const { c, ctx, k } = setup();
  createValidator(c, ctx, 1, 10n * U);
  createValidator(c, ctx, 2, 10n * U);
  c.endBlock(ctx);
  handleUndelegate(k, ctx, {
    delegatorAddress: accStr(1),
    validatorAddress: valStr(1),
    amount: coin(10n * U),
  });
  const v = k.getValidator(ctx, acc(1))!;
  assert.ok(v.jailed, "self-delegation below minimum jails");
  const t1 = c.ctx(2n, ctx.blockTimeNs + SEC, ctx.store);
  const upd = c.endBlock(t1);
  assert.deepEqual(
    upd.map((u) => u.power),
    [0n],
  );
  assert.equal(k.getValidator(ctx, acc(1))!.status, BondStatus.Unbonding);
  c.endBlock(c.ctx(3n, t1.blockTimeNs + 90n * SEC, ctx.store));
  assert.equal(k.getValidator(ctx, acc(1)), undefined, "removed once unbonded with no shares");
  assert.equal(checkStakingInvariants(k, ctx), undefined);
});

test("redelegate: moves tokens at once; transitive, self and unknown destination fail", () => {
  const { c, ctx, k } = setup();
  createValidator(c, ctx, 1, 10n * U);
  createValidator(c, ctx, 2, 10n * U);
  createValidator(c, ctx, 3, 10n * U);
  c.endBlock(ctx);
  handleDelegate(k, ctx, { delegatorAddress: accStr(9), validatorAddress: valStr(1), amount: coin(6n * U) });
  const red = (src: number, dst: number, amount: bigint) =>
    handleBeginRedelegate(k, ctx, {
      delegatorAddress: accStr(9),
      validatorSrcAddress: valStr(src),
      validatorDstAddress: valStr(dst),
      amount: coin(amount),
    });
  red(1, 2, 4n * U);
  assert.equal(k.getValidator(ctx, acc(2))!.tokens, 14n * U);
  assert.equal(k.getValidator(ctx, acc(1))!.tokens, 12n * U);
  assert.equal(k.getRedelegation(ctx, acc(9), acc(1), acc(2))!.entries.length, 1);
  fails(() => red(2, 3, 1n * U), StakingErrors.TransitiveRedelegation);
  fails(() => red(1, 1, 1n * U), StakingErrors.SelfRedelegation);
  fails(() => red(1, 7, 1n * U), StakingErrors.BadRedelegationDst);
  fails(() => red(1, 2, 100n * U), SdkErrors.InvalidRequest);
  assert.equal(checkStakingInvariants(k, ctx), undefined);
  const due = c.ctx(5n, ctx.blockTimeNs + 90n * SEC, ctx.store);
  c.endBlock(due);
  assert.equal(k.getRedelegation(ctx, acc(9), acc(1), acc(2)), undefined, "matured");
  assert.ok(due.events.events.some((e) => e.type === "complete_redelegation"));
  handleBeginRedelegate(k, due, {
    delegatorAddress: accStr(9),
    validatorSrcAddress: valStr(2),
    validatorDstAddress: valStr(3),
    amount: coin(U),
  });
  assert.equal(checkStakingInvariants(k, ctx), undefined);
});

test("cancel unbonding re-delegates the entry; fails for wrong height, too much, processed", () => {
  const { c, ctx, k } = setup();
  createValidator(c, ctx, 1, 10n * U);
  c.endBlock(ctx);
  handleUndelegate(k, ctx, {
    delegatorAddress: accStr(1),
    validatorAddress: valStr(1),
    amount: coin(3n * U),
  });
  const cancel = (amount: bigint, h: bigint, t = ctx) =>
    handleCancelUnbonding(k, t, {
      delegatorAddress: accStr(1),
      validatorAddress: valStr(1),
      amount: coin(amount),
      creationHeight: h,
    });
  fails(() => cancel(U, 9n), SdkErrors.InvalidRequest);
  fails(() => cancel(4n * U, 1n), SdkErrors.InvalidRequest);
  fails(() => cancel(U, 0n), SdkErrors.InvalidRequest);
  cancel(U, 1n);
  assert.equal(k.getUnbonding(ctx, acc(1), acc(1))!.entries[0]!.balance, 2n * U);
  assert.equal(k.getValidator(ctx, acc(1))!.tokens, 8n * U);
  assert.equal(checkStakingInvariants(k, ctx), undefined);
  fails(() => cancel(U, 1n, c.ctx(9n, ctx.blockTimeNs + 90n * SEC, ctx.store)), SdkErrors.InvalidRequest);
  fails(
    () =>
      handleCancelUnbonding(k, ctx, {
        delegatorAddress: accStr(9),
        validatorAddress: valStr(1),
        amount: coin(1n),
        creationHeight: 1n,
      }),
    StakingErrors.NoUnbondingDelegation,
  );
});

test("max validators: only the top N by power bond; ties go to the lower operator address", () => {
  const { c, ctx, k } = setup();
  k.setParams(ctx, { ...k.getParams(ctx), maxValidators: 2 });
  createValidator(c, ctx, 3, 5n * U);
  createValidator(c, ctx, 2, 5n * U);
  createValidator(c, ctx, 1, 3n * U);
  const upd = c.endBlock(ctx);
  assert.deepEqual(
    upd.map((u) => u.pubKeyEd25519[0]),
    [0x82, 0x83],
  );
  assert.equal(k.getValidator(ctx, acc(1))!.status, BondStatus.Unbonded);
  handleDelegate(k, ctx, { delegatorAddress: accStr(9), validatorAddress: valStr(1), amount: coin(10n * U) });
  const upd2 = c.endBlock(c.ctx(2n, ctx.blockTimeNs + SEC, ctx.store));
  assert.deepEqual(
    upd2.map((u) => [u.pubKeyEd25519[0], u.power]),
    [
      [0x81, 13n],
      [0x83, 0n],
    ],
  );
  assert.equal(k.getValidator(ctx, acc(3))!.status, BondStatus.Unbonding);
  assert.equal(checkStakingInvariants(k, ctx), undefined);
});

test("ABCI conversions: commit votes, weights, misbehavior, validator updates", () => {
  const info = {
    round: 0,
    votes: [{ validator: { address: new Uint8Array(20).fill(1), power: 7n }, blockIdFlag: 1 }],
  };
  assert.deepEqual(commitVotes(info), [{ address: new Uint8Array(20).fill(1), power: 7n, blockIdFlag: 1 }]);
  assert.deepEqual(voteWeights(info), [{ address: new Uint8Array(20).fill(1), power: 7n }]);
  assert.deepEqual(commitVotes(undefined), []);
  const mb = misbehaviors([
    {
      type: MisbehaviorType.DUPLICATE_VOTE,
      validator: { address: new Uint8Array(20).fill(2), power: 3n },
      height: 9n,
      time: { seconds: 2n, nanos: 5 },
      totalVotingPower: 10n,
    },
  ]);
  assert.deepEqual(mb, [
    { type: 1, address: new Uint8Array(20).fill(2), power: 3n, height: 9n, timeNs: 2_000_000_005n },
  ]);
  assert.deepEqual(toAbciValidatorUpdates([{ pubKeyEd25519: consKey(1), power: 5n }]), [
    { pubKey: { ed25519: consKey(1) }, power: 5n },
  ]);
});
