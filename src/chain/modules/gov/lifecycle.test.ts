// Gov end to end through the real handlers and end-block hook, with the in-memory store and a staking double:
// submit → deposit → vote → tally → execute (a gov param change and a toy module's MsgUpdateParams), veto, quorum
// failure, weighted votes, deposit refund/burn rules, expedited conversion, cancellation, failing execution.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ProposalStatus, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { MsgSubmitProposalResponse } from "cosmjs-types/cosmos/gov/v1/tx";
import type { Context } from "../../tx/context.js";
import {
  handleCancelProposal,
  handleDeposit,
  handleSubmitProposal,
  handleVote,
  handleVoteWeighted,
} from "./msgServer.js";
import { GOV_MODULE_ADDRESS } from "./keys.js";
import { SEC, T0, toyValue, type GovTestChain } from "./testdata/govHarness.js";
import {
  A,
  B,
  D,
  V1,
  V2,
  bech,
  govParamsAny,
  standardChain,
  submitMsg,
  toyAny,
  uscrt,
} from "./testdata/fixtures.js";

const Y = VoteOption.VOTE_OPTION_YES;
const N = VoteOption.VOTE_OPTION_NO;
const AB = VoteOption.VOTE_OPTION_ABSTAIN;
const NWV = VoteOption.VOTE_OPTION_NO_WITH_VETO;

function bal(c: GovTestChain, a: Uint8Array, ctx = c.ctx()): bigint {
  return c.bank.keeper.getBalance(ctx, a, "uscrt").amount;
}
function supply(c: GovTestChain): bigint {
  return c.bank.keeper.getSupply(c.ctx(), "uscrt").amount;
}
function submit(c: GovTestChain, ctx: Context, over: Parameters<typeof submitMsg>[0] = {}): bigint {
  const r = handleSubmitProposal(c.gov.keeper, ctx, submitMsg(over));
  return MsgSubmitProposalResponse.decode(r.response).proposalId;
}
function vote(c: GovTestChain, ctx: Context, id: bigint, who: Uint8Array, option: VoteOption): void {
  handleVote(c.gov.keeper, ctx, { proposalId: id, voter: bech(who), option, metadata: "" });
}
function endBlock(c: GovTestChain, timeNs: bigint): Context {
  const ctx = c.ctx(timeNs);
  c.gov.endBlock(ctx);
  return ctx;
}
const attrs = (ctx: Context, type: string) =>
  ctx.events.events
    .filter((e) => e.type === type)
    .map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));

describe("gov lifecycle", () => {
  test("submit (half deposit) → deposit → votes with inheritance → pass → param changes executed", () => {
    const c = standardChain();
    const ctx = c.ctx(T0);
    const id = submit(c, ctx, {
      messages: [govParamsAny({ votingPeriod: { seconds: 120n, nanos: 0 } }), toyAny("hello")],
      initialDeposit: uscrt(4_000_000),
    });
    assert.equal(id, 1n);
    assert.deepEqual(attrs(ctx, "submit_proposal")[0], {
      proposal_id: "1",
      proposal_messages: ",/cosmos.gov.v1.MsgUpdateParams,/shroud.toy.v1.MsgUpdateParams",
    });
    assert.equal(c.gov.keeper.getProposal(ctx, id)!.status, ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD);
    assert.equal(bal(c, GOV_MODULE_ADDRESS), 4_000_000n);

    const t1 = T0 + 10n * SEC;
    const dctx = c.ctx(t1);
    handleDeposit(c.gov.keeper, dctx, { proposalId: id, depositor: bech(B), amount: uscrt(6_000_000) });
    const p = c.gov.keeper.getProposal(dctx, id)!;
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
    assert.equal(p.votingEndTime!.seconds, (t1 + 90n * SEC) / SEC);
    assert.deepEqual(attrs(dctx, "proposal_deposit")[1], { voting_period_start: "1" });

    const vctx = c.ctx(t1 + SEC);
    vote(c, vctx, id, V1, Y); // 800 power, 200 of it overridden by D
    vote(c, vctx, id, D, N);
    vote(c, vctx, id, V2, AB);
    assert.equal(attrs(vctx, "proposal_vote")[0]!.option, '[{"option":1,"weight":"1.000000000000000000"}]');
    assert.deepEqual(c.gov.query.tally(vctx, "1").tally, {
      yes_count: "600",
      abstain_count: "400",
      no_count: "200",
      no_with_veto_count: "0",
    });

    assert.equal(attrs(endBlock(c, t1 + 89n * SEC), "active_proposal").length, 0, "not before voting end");
    const before = [bal(c, A), bal(c, B)];
    const ectx = endBlock(c, t1 + 90n * SEC);
    assert.deepEqual(attrs(ectx, "active_proposal")[0], {
      proposal_id: "1",
      proposal_result: "proposal_passed",
      proposal_log: "passed",
    });
    const done = c.gov.keeper.getProposal(ectx, id)!;
    assert.equal(done.status, ProposalStatus.PROPOSAL_STATUS_PASSED);
    assert.equal(done.finalTallyResult!.yesCount, "600");
    assert.equal(c.gov.keeper.getParams(ectx).votingPeriod!.seconds, 120n, "gov param changed");
    assert.equal(toyValue(ectx), "hello", "another module's param changed through its MsgUpdateParams");
    assert.deepEqual([bal(c, A), bal(c, B)], [before[0]! + 4_000_000n, before[1]! + 6_000_000n], "refunded");
    assert.equal(bal(c, GOV_MODULE_ADDRESS), 0n);
    assert.equal(c.gov.keeper.getVotes(ectx, id).length, 0, "votes consumed by the tally");
    assert.equal(c.gov.keeper.getDeposits(ectx, id).length, 0);
  });

  test("a failing message fails the proposal and leaves no trace of the earlier ones", () => {
    const c = standardChain();
    const id = submit(c, c.ctx(T0), { messages: [toyAny("first"), govParamsAny({ quorum: "2" })] });
    vote(c, c.ctx(T0), id, V1, Y);
    const ctx = endBlock(c, T0 + 90n * SEC);
    const p = c.gov.keeper.getProposal(ctx, id)!;
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_FAILED);
    assert.match(p.failedReason, /quorum too large/);
    assert.equal(toyValue(ctx), "", "toy change rolled back");
    assert.equal(c.gov.keeper.getParams(ctx).quorum, "0.334000000000000000");
    assert.match(
      attrs(ctx, "active_proposal")[0]!.proposal_log!,
      /^passed, but msg 1 \(\/cosmos.gov.v1.MsgUpdateParams\) failed/,
    );
    assert.equal(bal(c, GOV_MODULE_ADDRESS), 0n, "deposits still refunded");
  });

  test("veto: NoWithVeto > 1/3 rejects and burns the deposits (burn_vote_veto)", () => {
    const c = standardChain();
    const id = submit(c, c.ctx(T0));
    const s0 = supply(c);
    vote(c, c.ctx(T0), id, V1, Y); // 600 after D's override
    vote(c, c.ctx(T0), id, V2, NWV); // 400
    vote(c, c.ctx(T0), id, D, NWV); // 200: veto 600/1200 = 0.5 > 0.334
    const ctx = endBlock(c, T0 + 90n * SEC);
    const p = c.gov.keeper.getProposal(ctx, id)!;
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_REJECTED);
    assert.equal(p.finalTallyResult!.noWithVetoCount, "600");
    assert.equal(supply(c), s0 - 10_000_000n, "deposit burned");
    assert.equal(attrs(ctx, "burn").length, 1);
  });

  test("veto below veto_threshold (400/1200 < 0.334) does not veto; the proposal passes on yes", () => {
    const c = standardChain();
    const id = submit(c, c.ctx(T0));
    vote(c, c.ctx(T0), id, V1, Y); // 800 of 1200
    vote(c, c.ctx(T0), id, V2, NWV); // 400/1200 = 0.3333… < 0.334
    const ctx = endBlock(c, T0 + 90n * SEC);
    assert.equal(c.gov.keeper.getProposal(ctx, id)!.status, ProposalStatus.PROPOSAL_STATUS_PASSED);
  });

  test("quorum failure: rejected, deposits refunded by default and burned with burn_vote_quorum", () => {
    for (const burn of [false, true]) {
      const c = standardChain();
      const ctx0 = c.ctx(T0);
      c.gov.keeper.setParams(ctx0, { ...c.gov.keeper.getParams(ctx0), burnVoteQuorum: burn });
      const id = submit(c, ctx0);
      vote(c, c.ctx(T0), id, D, Y); // 200/1200 = 0.167 < 0.334
      const a0 = bal(c, A);
      const s0 = supply(c);
      const ctx = endBlock(c, T0 + 90n * SEC);
      const p = c.gov.keeper.getProposal(ctx, id)!;
      assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_REJECTED);
      assert.equal(p.failedReason, "proposal did not get enough votes to pass");
      assert.equal(bal(c, A), burn ? a0 : a0 + 10_000_000n);
      assert.equal(supply(c), burn ? s0 - 10_000_000n : s0);
    }
  });

  test("all-abstain fails without burning; no bonded stake fails", () => {
    const c = standardChain();
    const id = submit(c, c.ctx(T0));
    vote(c, c.ctx(T0), id, V1, AB);
    vote(c, c.ctx(T0), id, V2, AB);
    const s0 = supply(c);
    const ctx = endBlock(c, T0 + 90n * SEC);
    assert.equal(c.gov.keeper.getProposal(ctx, id)!.status, ProposalStatus.PROPOSAL_STATUS_REJECTED);
    assert.equal(supply(c), s0);
    const empty = standardChain();
    empty.staking.validators.length = 0;
    const id2 = submit(empty, empty.ctx(T0));
    vote(empty, empty.ctx(T0), id2, A, Y);
    const ctx2 = endBlock(empty, T0 + 90n * SEC);
    assert.equal(empty.gov.keeper.getProposal(ctx2, id2)!.status, ProposalStatus.PROPOSAL_STATUS_REJECTED);
  });

  test("weighted votes split power by weight (V1 0.6 yes / 0.4 no, D inherits the split)", () => {
    const c = standardChain();
    const id = submit(c, c.ctx(T0));
    handleVoteWeighted(c.gov.keeper, c.ctx(T0), {
      proposalId: id,
      voter: bech(V1),
      options: [
        { option: Y, weight: "0.6" },
        { option: N, weight: "0.4" },
      ],
      metadata: "",
    });
    vote(c, c.ctx(T0), id, V2, N);
    const t = c.gov.query.tally(c.ctx(T0), "1").tally;
    assert.deepEqual(t, { yes_count: "480", abstain_count: "0", no_count: "720", no_with_veto_count: "0" });
    const ctx = endBlock(c, T0 + 90n * SEC);
    assert.equal(c.gov.keeper.getProposal(ctx, id)!.status, ProposalStatus.PROPOSAL_STATUS_REJECTED);
  });

  test("deposit period ends: dropped and refunded; burned with burn_proposal_deposit_prevote", () => {
    for (const burn of [false, true]) {
      const c = standardChain();
      const ctx0 = c.ctx(T0);
      c.gov.keeper.setParams(ctx0, { ...c.gov.keeper.getParams(ctx0), burnProposalDepositPrevote: burn });
      const id = submit(c, ctx0, { initialDeposit: uscrt(1_000_000) });
      handleDeposit(c.gov.keeper, c.ctx(T0), {
        proposalId: id,
        depositor: bech(B),
        amount: uscrt(2_000_000),
      });
      const [a0, b0, s0] = [bal(c, A), bal(c, B), supply(c)];
      assert.equal(attrs(endBlock(c, T0 + 172_799n * SEC), "inactive_proposal").length, 0);
      const ctx = endBlock(c, T0 + 172_800n * SEC);
      assert.deepEqual(attrs(ctx, "inactive_proposal")[0], {
        proposal_id: "1",
        proposal_result: "proposal_dropped",
      });
      assert.equal(c.gov.keeper.getProposal(ctx, id), undefined, "deleted");
      assert.deepEqual(
        [bal(c, A), bal(c, B), supply(c)],
        burn ? [a0, b0, s0 - 3_000_000n] : [a0 + 1_000_000n, b0 + 2_000_000n, s0],
      );
    }
  });

  test("expedited: higher deposit and threshold, shorter period; failing converts to regular and re-tallies", () => {
    const c = standardChain();
    const ctx0 = c.ctx(T0);
    const id = submit(c, ctx0, { expedited: true, initialDeposit: uscrt(10_000_000) });
    assert.equal(c.gov.keeper.getProposal(ctx0, id)!.status, ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD);
    handleDeposit(c.gov.keeper, ctx0, { proposalId: id, depositor: bech(B), amount: uscrt(40_000_000) });
    const p = c.gov.keeper.getProposal(ctx0, id)!;
    assert.equal(p.votingEndTime!.seconds, (T0 + 60n * SEC) / SEC);
    vote(c, ctx0, id, V1, Y); // 600 yes after D's override
    vote(c, ctx0, id, D, N); // 200 no
    vote(c, ctx0, id, V2, N); // 400 no: yes 600/1200 = 0.5, below the expedited 0.667
    const ctx = endBlock(c, T0 + 60n * SEC);
    assert.equal(attrs(ctx, "active_proposal")[0]!.proposal_result, "expedited_proposal_rejected");
    const q = c.gov.keeper.getProposal(ctx, id)!;
    assert.equal(q.expedited, false);
    assert.equal(q.status, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
    assert.equal(q.votingEndTime!.seconds, (T0 + 90n * SEC) / SEC);
    assert.equal(bal(c, GOV_MODULE_ADDRESS), 50_000_000n, "deposits kept for the regular tally");
    vote(c, ctx, id, V2, AB); // V2 changes its vote: yes 600 / non-abstain 800 = 0.75 > 0.5
    const end = endBlock(c, T0 + 90n * SEC);
    assert.equal(c.gov.keeper.getProposal(end, id)!.status, ProposalStatus.PROPOSAL_STATUS_PASSED);
    assert.equal(bal(c, GOV_MODULE_ADDRESS), 0n);
  });

  test("cancel: proposer only, charges proposal_cancel_ratio (burned), refunds the rest, deletes votes", () => {
    const c = standardChain();
    const id = submit(c, c.ctx(T0), { initialDeposit: uscrt(10_000_001) });
    vote(c, c.ctx(T0), id, V1, Y);
    const [a0, s0] = [bal(c, A), supply(c)];
    const ctx = c.ctx(T0 + SEC);
    handleCancelProposal(c.gov.keeper, ctx, { proposalId: id, proposer: bech(A) });
    // truncate(10_000_001 × 0.5) = 5_000_000 charged and burned; 5_000_001 back to A.
    assert.equal(bal(c, A), a0 + 5_000_001n);
    assert.equal(supply(c), s0 - 5_000_000n);
    assert.equal(c.gov.keeper.getProposal(ctx, id), undefined);
    assert.equal(c.gov.keeper.getVotes(ctx, id).length, 0);
    assert.deepEqual(attrs(ctx, "cancel_proposal")[0], { sender: bech(A), proposal_id: "1" });
    assert.equal(attrs(endBlock(c, T0 + 90n * SEC), "active_proposal").length, 0, "dequeued");
  });

  test("cancel charges go to proposal_cancel_dest when set", () => {
    const c = standardChain();
    const ctx0 = c.ctx(T0);
    c.gov.keeper.setParams(ctx0, { ...c.gov.keeper.getParams(ctx0), proposalCancelDest: bech(B) });
    const id = submit(c, ctx0);
    const b0 = bal(c, B);
    handleCancelProposal(c.gov.keeper, c.ctx(T0), { proposalId: id, proposer: bech(A) });
    assert.equal(bal(c, B), b0 + 5_000_000n);
  });
});
