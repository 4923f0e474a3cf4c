// Chain invariants through ShroudApp blocks (issue 4 §3): a seeded random multi-block run of secretjs-signed sends,
// delegations, undelegations (some maturing), redelegations, reward withdrawals and a double-sign slash; after
// every block: total supply == Σ balances, no negative balance, bonded pool == Σ tokens of the bonded
// validators' delegations (up to share rounding), the staking pool/share and distribution invariants.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  MsgBeginRedelegate,
  MsgCreateValidator,
  MsgDelegate,
  MsgSend,
  MsgUndelegate,
  MsgWithdrawDelegatorReward,
  type Msg,
} from "secretjs";
import { CheckTxType, MisbehaviorType, type Misbehavior } from "cosmjs-types/tendermint/abci/types";
import { ShroudApp } from "../../src/chain/app.js";
import { appContext } from "../../src/chain/app/context.js";
import { MemoryOverlay } from "../../src/chain/store/memory.js";
import { fromBech32, toBech32 } from "../../src/chain/address.js";
import type { Context } from "../../src/chain/tx/context.js";
import { consAddress } from "../../src/chain/modules/staking/keeper.js";
import { VALOPER_PREFIX } from "../../src/chain/modules/staking/keys.js";
import { checkStakingInvariants } from "../../src/chain/modules/staking/invariants.js";
import { BondStatus, tokensFromSharesTruncated } from "../../src/chain/modules/staking/types.js";
import { checkDistributionInvariant } from "../../src/chain/modules/distribution/keeper.js";
import { DEV_MNEMONICS } from "../../src/cli/devGenesis.js";
import { makeSigner, type Signer } from "../../src/chain/tx/testdata/secretjsSigner.js";
import { Ed25519Signer } from "../../src/consensus/votes.js";
import { GENESIS_TIME_NS, signNext, tempStore, type TempStore } from "./fixtures.js";
import { initChain, PROPOSER, VALSET_HASH } from "./lifecycle.js";
import { GOV_GENESIS, SEC } from "./govChain.js";

const U = 1_000_000n;
// The dev genesis with its validator bonded, shared with the gov tests.
const G = GOV_GENESIS;
const S = {
  val: makeSigner(DEV_MNEMONICS.validator),
  a: makeSigner(DEV_MNEMONICS.a),
  b: makeSigner(DEV_MNEMONICS.b),
  c: makeSigner(DEV_MNEMONICS.c),
  d: makeSigner(DEV_MNEMONICS.d),
};
const valoper = (s: Signer): string => toBech32(fromBech32(s.address), VALOPER_PREFIX);
const V2_KEY = new Ed25519Signer(new Uint8Array(32).fill(7)).publicKey;
const VALS = [valoper(S.val), valoper(S.d)];
const DELEGATORS = [S.a, S.b, S.c];
const coin = (amount: bigint) => ({ denom: "uscrt", amount: amount.toString() });

const temps: TempStore[] = [];
after(() => {
  for (const t of temps) t.close();
});

class Chain {
  readonly t = tempStore();
  readonly app = new ShroudApp({ store: this.t.store });
  height = 1n;
  timeNs = GENESIS_TIME_NS;
  private readonly seq = new Map<string, number>();
  constructor() {
    temps.push(this.t);
  }

  async sign(s: Signer, msg: Msg): Promise<Uint8Array> {
    return signNext(this.app, this.seq, s, msg, G.chain_id);
  }

  /** One height as CometBFT drives it, with optional evidence; returns the tx codes. */
  block(txs: Uint8Array[], misbehavior: Misbehavior[] = [], advanceNs = 5n * SEC): number[] {
    for (const tx of txs) assert.equal(this.app.checkTx({ tx, type: CheckTxType.NEW }).code, 0);
    this.timeNs += advanceNs;
    const time = { seconds: this.timeNs / SEC, nanos: Number(this.timeNs % SEC) };
    const common = { height: this.height, time, nextValidatorsHash: VALSET_HASH, proposerAddress: PROPOSER };
    const proposed = this.app.prepareProposal({
      ...common,
      misbehavior,
      txs,
      maxTxBytes: 1n << 22n,
      localLastCommit: { round: 0, votes: [] },
    }).txs;
    assert.equal(proposed.length, txs.length);
    const hash = new Uint8Array(32).fill(Number(this.height % 256n));
    const res = this.app.finalizeBlock({
      ...common,
      misbehavior,
      txs: proposed,
      decidedLastCommit: { round: 0, votes: [] },
      hash,
    });
    this.app.commit();
    this.height++;
    return res.txResults.map((r) => r.code);
  }

  ctx(): Context {
    return appContext(new MemoryOverlay(this.t.store.committed), G.chain_id, this.height, this.timeNs);
  }
}

/** Every invariant of issue 4 §3 on the committed state; returns the first violation. */
function violations(c: Chain): string | undefined {
  const ctx = c.ctx();
  const m = c.app.modules;
  const bank = m.bank.keeper;
  let sum = 0n;
  for (const { address, coin: bal } of bank.iterateAllBalances(ctx)) {
    if (bal.amount < 0n) return `negative balance at ${toBech32(address)}`;
    if (bal.denom === "uscrt") sum += bal.amount;
  }
  const supply = bank.getSupply(ctx, "uscrt").amount;
  if (supply !== sum) return `supply ${supply} != Σ balances ${sum}`;
  const sk = m.pos.staking.keeper;
  const staking = checkStakingInvariants(sk, ctx);
  if (staking !== undefined) return staking;
  // The bonded pool holds the bonded validators' tokens; their delegations own them (share rounding aside).
  let delegated = 0n;
  let count = 0n;
  for (const d of sk.iterateDelegations(ctx)) {
    const v = sk.getValidator(ctx, d.validator);
    if (v?.status !== BondStatus.Bonded) continue;
    delegated += tokensFromSharesTruncated(v, d.shares).truncateInt();
    count++;
  }
  const pool = sk.poolBalance(ctx, "bonded_tokens_pool");
  if (delegated > pool || pool - delegated > count)
    return `bonded pool ${pool} != Σ delegations ${delegated}`;
  return checkDistributionInvariant(m.pos.distribution.keeper, ctx, (a) => bank.getAllBalances(ctx, a));
}

type Op = { kind: number; who: number; v: number; amount: bigint };

test(
  "seeded random blocks keep supply, balance, bonded-pool and distribution invariants",
  { timeout: 120_000 },
  async () => {
    const c = new Chain();
    await initChain(c.app, G);
    c.block([]);
    // A second validator (d), so that redelegation and a slash of a non-proposer validator are possible.
    const create = new MsgCreateValidator({
      delegator_address: S.d.address,
      commission: { rate: 0.1, max_rate: 0.2, max_change_rate: 0.01 },
      description: { moniker: "second", identity: "", website: "", security_contact: "", details: "" },
      pubkey: Buffer.from(V2_KEY).toString("base64"),
      min_self_delegation: "1",
      initial_delegation: coin(100n * U),
    });
    assert.deepEqual(c.block([await c.sign(S.d, create)]), [0]);
    assert.equal(violations(c), undefined);

    const ops = fc.sample(
      fc.record({
        kind: fc.integer({ min: 0, max: 4 }),
        who: fc.integer({ min: 0, max: 2 }),
        v: fc.integer({ min: 0, max: 1 }),
        amount: fc.bigInt({ min: 1n, max: 5n * U }),
      }),
      { seed: 42, numRuns: 120 },
    );
    const ok = [0, 0, 0, 0, 0];
    const v2Now = () =>
      c.app.modules.pos.staking.keeper.getValidator(c.ctx(), fromBech32(VALS[1]!, "v", VALOPER_PREFIX));
    let tokensBeforeSlash = 0n;
    let tokensAfterSlash = 0n;
    const SLASH_AT = 12;
    for (let blk = 0; blk < 30; blk++) {
      // The slash block carries only the evidence, so the validator's tokens show the slash alone.
      const batch = blk === SLASH_AT ? [] : ops.slice(blk * 4, blk * 4 + 4);
      const txs: Uint8Array[] = [];
      const kinds: number[] = [];
      for (const [i, op] of batch.entries())
        txs.push(await c.sign(DELEGATORS[(op.who + i) % 3]!, msgOf(op, i)));
      kinds.push(...batch.map((o) => o.kind));
      const evidence: Misbehavior[] = [];
      if (blk === SLASH_AT) {
        const v2 = v2Now();
        tokensBeforeSlash = v2?.tokens ?? 0n;
        evidence.push({
          type: MisbehaviorType.DUPLICATE_VOTE,
          validator: { address: consAddress(V2_KEY), power: (v2?.tokens ?? 0n) / U },
          height: c.height - 1n,
          time: { seconds: c.timeNs / SEC, nanos: 0 },
          totalVotingPower: 0n,
        });
      }
      // Every 6th block jumps 40 s so that undelegations (90 s) mature during the run.
      const codes = c.block(txs, evidence, blk % 6 === 5 ? 40n * SEC : 5n * SEC);
      codes.forEach((code, i) => {
        if (code === 0) ok[kinds[i]!]!++;
      });
      assert.equal(violations(c), undefined, `after block ${c.height - 1n}`);
      if (blk === SLASH_AT) tokensAfterSlash = v2Now()?.tokens ?? 0n;
    }
    // The run exercised every kind (send, delegate, undelegate, redelegate, withdraw) and the slash happened.
    assert.ok(
      ok.every((n) => n > 0),
      `successful ops per kind: ${ok.join(",")}`,
    );
    assert.equal(v2Now()?.jailed, true, "the double-signer is jailed");
    // slash_fraction_double_sign 5% of its power at the infraction, part of it taken from the unbondings and
    // redelegations started since (SDK Slash), the rest from its tokens.
    assert.ok(tokensBeforeSlash > 100n * U);
    const burned = tokensBeforeSlash - tokensAfterSlash;
    assert.ok(burned > 0n && burned <= ((tokensBeforeSlash / U) * U) / 20n, `slashed ${burned}`);
    const matured = c.app.modules.pos.staking.keeper.iterateUnbondings(c.ctx());
    assert.ok([...matured].length < ok[2]!, "some undelegations matured and were paid out");
  },
);

/** One op as a secretjs message; the delegator rotates with the position in the block. */
function msgOf(op: Op, i: number): Msg {
  const who = DELEGATORS[(op.who + i) % 3]!;
  const val = VALS[op.v]!;
  switch (op.kind) {
    case 0:
      return new MsgSend({
        from_address: who.address,
        to_address: DELEGATORS[(op.who + i + 1) % 3]!.address,
        amount: [coin(op.amount)],
      });
    case 1:
      return new MsgDelegate({
        delegator_address: who.address,
        validator_address: val,
        amount: coin(op.amount),
      });
    case 2:
      return new MsgUndelegate({
        delegator_address: who.address,
        validator_address: val,
        amount: coin(op.amount / 4n + 1n),
      });
    case 3:
      return new MsgBeginRedelegate({
        delegator_address: who.address,
        validator_src_address: val,
        validator_dst_address: VALS[1 - op.v]!,
        amount: coin(op.amount / 4n + 1n),
      });
    default:
      return new MsgWithdrawDelegatorReward({ delegator_address: who.address, validator_address: val });
  }
}
