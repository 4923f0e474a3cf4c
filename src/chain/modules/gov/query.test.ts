// Gov queries in gateway JSON shapes (proposal, filters, votes, deposits, tally, params, errors) and genesis
// export → import → export round trip with an open proposal, votes and deposits.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ProposalStatus, VoteOption, type Params, type Proposal } from "cosmjs-types/cosmos/gov/v1/gov";
import {
  QueryParamsRequest,
  QueryParamsResponse,
  QueryProposalRequest,
  QueryProposalResponse,
  QueryProposalsRequest,
  QueryProposalsResponse,
  QueryTallyResultRequest,
  QueryTallyResultResponse,
} from "cosmjs-types/cosmos/gov/v1/query";
import { GrpcCode, QueryError } from "../../errors.js";
import { exportBankGenesis } from "../bank/genesis.js";
import { initBankGenesis } from "../bank/genesis.js";
import { exportGovGenesis, initGovGenesis, type GovGenesis } from "./genesis.js";
import { handleDeposit, handleSubmitProposal, handleVote } from "./msgServer.js";
import { makeGovChain, SEC, T0, type GovTestChain } from "./testdata/govHarness.js";
import { A, B, V1, bech, standardChain, submitMsg, toyAny, uscrt } from "./testdata/fixtures.js";

function qerr(fn: () => unknown, code: number, re?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof QueryError && e.grpcCode === code, String(e));
    if (re !== undefined) assert.match(e.message, re);
    return true;
  });
}

function populated(): GovTestChain {
  const c = standardChain();
  const ctx = c.ctx(T0);
  handleSubmitProposal(c.gov.keeper, ctx, submitMsg({ messages: [toyAny("v")] })); // 1: voting
  handleSubmitProposal(c.gov.keeper, ctx, submitMsg({ initialDeposit: uscrt(1_000_000) })); // 2: deposit
  handleDeposit(c.gov.keeper, ctx, { proposalId: 2n, depositor: bech(B), amount: uscrt(500_000) });
  handleVote(c.gov.keeper, ctx, {
    proposalId: 1n,
    voter: bech(V1),
    option: VoteOption.VOTE_OPTION_YES,
    metadata: "m",
  });
  return c;
}

describe("gov queries", () => {
  test("proposal JSON shape (jsonpb: strings for uint64, enum names, RFC 3339, Any messages)", () => {
    const c = populated();
    const { proposal } = c.gov.query.proposal(c.ctx(), "1") as { proposal: Record<string, unknown> };
    assert.deepEqual(proposal, {
      id: "1",
      messages: [
        {
          "@type": "/shroud.toy.v1.MsgUpdateParams",
          authority: "secret10d07y265gmmuvt4z0w9aw880jnsr700jc88vt0",
          value: "v",
        },
      ],
      status: "PROPOSAL_STATUS_VOTING_PERIOD",
      final_tally_result: { yes_count: "0", abstain_count: "0", no_count: "0", no_with_veto_count: "0" },
      submit_time: "2023-11-14T22:13:20Z",
      deposit_end_time: "2023-11-16T22:13:20Z",
      total_deposit: [{ denom: "uscrt", amount: "10000000" }],
      voting_start_time: "2023-11-14T22:13:20Z",
      voting_end_time: "2023-11-14T22:14:50Z",
      metadata: "ipfs://meta",
      title: "Title",
      summary: "Summary",
      proposer: bech(A),
      expedited: false,
      failed_reason: "",
    });
    const p2 = c.gov.query.proposal(c.ctx(), "2").proposal as Record<string, unknown>;
    assert.equal(p2.voting_start_time, null);
    assert.equal(p2.status, "PROPOSAL_STATUS_DEPOSIT_PERIOD");
  });

  test("proposals with status / voter / depositor filters", () => {
    const c = populated();
    const ids = (f: Parameters<typeof c.gov.query.proposals>[1]) =>
      (c.gov.query.proposals(c.ctx(), f).proposals as { id: string }[]).map((p) => p.id);
    assert.deepEqual(ids({}), ["1", "2"]);
    assert.deepEqual(c.gov.query.proposals(c.ctx()).pagination, { next_key: null, total: "2" });
    assert.deepEqual(ids({ proposal_status: "PROPOSAL_STATUS_DEPOSIT_PERIOD" }), ["2"]);
    assert.deepEqual(ids({ proposal_status: "2" }), ["1"]);
    assert.deepEqual(ids({ voter: bech(V1) }), ["1"]);
    assert.deepEqual(ids({ depositor: bech(B) }), ["2"]);
    assert.deepEqual(ids({ depositor: bech(A) }), ["1", "2"]);
    qerr(() => ids({ proposal_status: "BOGUS" }), GrpcCode.InvalidArgument);
    qerr(() => ids({ voter: "x" }), GrpcCode.InvalidArgument);
  });

  test("votes, deposits, tally, errors", () => {
    const c = populated();
    const ctx = c.ctx();
    assert.deepEqual(c.gov.query.vote(ctx, "1", bech(V1)), {
      vote: {
        proposal_id: "1",
        voter: bech(V1),
        options: [{ option: "VOTE_OPTION_YES", weight: "1.000000000000000000" }],
        metadata: "m",
      },
    });
    assert.equal(c.gov.query.votes(ctx, "1").votes.length, 1);
    assert.deepEqual(c.gov.query.deposit(ctx, "2", bech(B)), {
      deposit: { proposal_id: "2", depositor: bech(B), amount: [{ denom: "uscrt", amount: "500000" }] },
    });
    assert.equal(c.gov.query.deposits(ctx, "2").pagination.total, "2");
    assert.deepEqual(c.gov.query.tally(ctx, "1").tally, {
      yes_count: "800",
      abstain_count: "0",
      no_count: "0",
      no_with_veto_count: "0",
    });
    assert.deepEqual(c.gov.query.tally(ctx, "2").tally, {
      yes_count: "0",
      abstain_count: "0",
      no_count: "0",
      no_with_veto_count: "0",
    });
    assert.equal(c.gov.query.votes(ctx, "1").votes.length, 1, "a tally query does not consume votes");
    qerr(() => c.gov.query.proposal(ctx, "0"), GrpcCode.InvalidArgument, /proposal id can not be 0/);
    qerr(() => c.gov.query.proposal(ctx, "abc"), GrpcCode.InvalidArgument);
    qerr(() => c.gov.query.proposal(ctx, "9"), GrpcCode.NotFound, /proposal 9 doesn't exist/);
    qerr(() => c.gov.query.vote(ctx, "2", bech(V1)), GrpcCode.NotFound, /not found for proposal: 2/);
    qerr(() => c.gov.query.deposit(ctx, "1", bech(B)), GrpcCode.NotFound);
    c.gov.endBlock(c.ctx(T0 + 90n * SEC));
    assert.deepEqual(
      c.gov.query.tally(c.ctx(), "1").tally,
      { yes_count: "800", abstain_count: "0", no_count: "0", no_with_veto_count: "0" },
      "final tally kept",
    );
  });

  test("params by type", () => {
    const c = makeGovChain({});
    const all = c.gov.query.params(c.ctx(), "voting");
    assert.deepEqual(all.voting_params, { voting_period: "90s" });
    assert.equal(all.deposit_params, null);
    const p = all.params as Record<string, unknown>;
    assert.equal(p.max_deposit_period, "172800s");
    assert.equal(p.quorum, "0.334000000000000000");
    assert.equal(p.min_deposit_ratio, "0.010000000000000000");
    assert.deepEqual(c.gov.query.params(c.ctx(), "tallying").tally_params, {
      quorum: "0.334000000000000000",
      threshold: "0.500000000000000000",
      veto_threshold: "0.334000000000000000",
    });
    assert.ok(c.gov.query.params(c.ctx(), "deposit").deposit_params);
    qerr(() => c.gov.query.params(c.ctx(), "nope"), GrpcCode.InvalidArgument, /not a valid parameter type/);
  });
});

describe("gov genesis", () => {
  test("export → import into a fresh chain → export is identical, and the queues still work", () => {
    const c = populated();
    const exported = exportGovGenesis(c.ctx(), c.gov.keeper);
    const bank = exportBankGenesis(c.ctx(), c.bank.keeper);
    const fresh = makeGovChain({});
    for (const v of c.staking.validators) fresh.staking.validators.push(v);
    for (const [k, v] of c.staking.delegations) fresh.staking.delegations.set(k, v);
    const g = fresh.ctx(T0);
    initBankGenesis(g, fresh.bank.keeper, { balances: bank.balances });
    initGovGenesis(g, fresh.gov.keeper, JSON.parse(JSON.stringify(exported)) as GovGenesis);
    assert.deepEqual(exportGovGenesis(fresh.ctx(), fresh.gov.keeper), exported);
    const end = fresh.ctx(T0 + 90n * SEC);
    fresh.gov.endBlock(end);
    assert.equal(
      (fresh.gov.query.proposal(end, "1").proposal as { status: string }).status,
      "PROPOSAL_STATUS_PASSED",
    );
  });

  test("import fails when the gov module balance differs from the deposits, or params are invalid", () => {
    const c = populated();
    const exported = JSON.parse(JSON.stringify(exportGovGenesis(c.ctx(), c.gov.keeper))) as GovGenesis;
    const fresh = makeGovChain({});
    assert.throws(() => {
      initGovGenesis(fresh.ctx(T0), fresh.gov.keeper, exported);
    }, /expected module account was {2}but we got 11500000uscrt/);
    const fresh2 = makeGovChain({});
    fresh2.bank.keeper.mintCoins(fresh2.ctx(), "mint", [{ denom: "uscrt", amount: 11_500_000n }]);
    fresh2.bank.keeper.sendCoinsFromModuleToModule(fresh2.ctx(), "mint", "gov", [
      { denom: "uscrt", amount: 11_500_000n },
    ]);
    assert.throws(() => {
      initGovGenesis(fresh2.ctx(T0), fresh2.gov.keeper, {
        ...exported,
        params: { ...(exported.params as object), quorum: "7" },
      });
    }, /quorum too large/);
  });
});

describe("gov gRPC queries (appModule.grpcQueries)", () => {
  test("protobuf requests → protobuf responses, with the same validation", () => {
    const c = populated();
    const grpc = c.gov.appModule.grpcQueries!;
    const call = (method: string, req: Uint8Array) => grpc[`/cosmos.gov.v1.Query/${method}`]!(c.ctx(), req);
    const p = QueryProposalResponse.decode(
      call("Proposal", QueryProposalRequest.encode({ proposalId: 1n }).finish()),
    );
    const prop: Proposal | undefined = p.proposal;
    assert.ok(prop);
    assert.equal(prop.title, "Title");
    assert.equal(prop.status, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
    const ps = QueryProposalsResponse.decode(
      call(
        "Proposals",
        QueryProposalsRequest.encode({
          proposalStatus: ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD,
          voter: "",
          depositor: "",
        }).finish(),
      ),
    );
    assert.deepEqual(
      ps.proposals.map((x) => x.id),
      [2n],
    );
    const t = QueryTallyResultResponse.decode(
      call("TallyResult", QueryTallyResultRequest.encode({ proposalId: 1n }).finish()),
    );
    assert.equal(t.tally?.yesCount, "800");
    const par = QueryParamsResponse.decode(
      call("Params", QueryParamsRequest.encode({ paramsType: "tallying" }).finish()),
    );
    const params: Params | undefined = par.params;
    assert.ok(params);
    assert.equal(params.quorum, "0.334000000000000000");
    assert.equal(params.votingPeriod?.seconds, 90n);
    qerr(
      () => call("Proposal", QueryProposalRequest.encode({ proposalId: 0n }).finish()),
      GrpcCode.InvalidArgument,
    );
    qerr(() => call("Proposal", QueryProposalRequest.encode({ proposalId: 7n }).finish()), GrpcCode.NotFound);
    qerr(() => call("Vote", Uint8Array.of(0xff, 0xff)), GrpcCode.InvalidArgument, /malformed request/);
  });

  test("appModule genesis round trip and end-block hook", () => {
    const c = populated();
    const exported = c.gov.appModule.exportGenesis(c.ctx());
    const fresh = makeGovChain({});
    fresh.bank.keeper.mintCoins(fresh.ctx(), "mint", [{ denom: "uscrt", amount: 11_500_000n }]);
    fresh.bank.keeper.sendCoinsFromModuleToModule(fresh.ctx(), "mint", "gov", [
      { denom: "uscrt", amount: 11_500_000n },
    ]);
    fresh.gov.appModule.initGenesis(fresh.ctx(T0), JSON.parse(JSON.stringify(exported)));
    assert.deepEqual(fresh.gov.appModule.exportGenesis(fresh.ctx()), exported);
    const end = fresh.ctx(T0 + 172_800n * SEC);
    fresh.gov.appModule.endBlock!(end, {
      height: 2n,
      timeNs: end.blockTimeNs,
      proposerAddress: new Uint8Array(20),
      lastCommitVotes: [],
      misbehavior: [],
    });
    assert.ok(
      end.events.events.some((e) => e.type === "inactive_proposal"),
      "proposal 2 dropped",
    );
  });
});
