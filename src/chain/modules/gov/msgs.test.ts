// Each gov message's success and "fails when …" cases through the real handlers, and secretjs-built gov txs
// (MsgSubmitProposal, MsgDeposit, MsgVote, MsgVoteWeighted, MsgCancelProposal) through runTx.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  MsgCancelProposal,
  MsgDeposit,
  MsgSubmitProposal,
  MsgVote,
  MsgVoteWeighted,
  VoteOption,
} from "secretjs";
import { Proposal, ProposalStatus, VoteOption as V } from "cosmjs-types/cosmos/gov/v1/gov";
import { isError, GovErrors, SdkErrors, UndefinedErrors, type RegisteredError } from "../../errors.js";
import { fromBech32 } from "../../address.js";
import { parseGasPrices } from "../../tx/fees.js";
import { runTx, type TxEnv } from "../../tx/runTx.js";
import { makeSigner } from "../../tx/testdata/secretjsSigner.js";
import { MNEMONIC_A } from "../../tx/testdata/testHarness.js";
import type { MsgType } from "../../tx/msgRegistry.js";
import { GOV_AUTHORITY } from "./authority.js";
import { GOV_MODULE_ADDRESS } from "./keys.js";
import {
  handleCancelProposal,
  handleDeposit,
  handleSubmitProposal,
  handleUpdateParams,
  handleVote,
  handleVoteWeighted,
} from "./msgServer.js";
import { defaultGovParams } from "./params.js";
import { makeGovChain, T0, SEC, TOY_UPDATE_PARAMS, type GovTestChain } from "./testdata/govHarness.js";
import {
  A,
  B,
  POOR,
  V1,
  bech,
  govParamsAny,
  sendAny,
  standardChain,
  submitMsg,
  toyAny,
  uscrt,
} from "./testdata/fixtures.js";

function expectErr(fn: () => unknown, e: RegisteredError, msg?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isError(err, e), `expected ${e.codespace}/${e.code}, got ${String(err)}`);
    if (msg !== undefined) assert.match((err as Error).message, msg);
    return true;
  });
}

const submit = (c: GovTestChain, over: Parameters<typeof submitMsg>[0] = {}, t = T0) =>
  handleSubmitProposal(c.gov.keeper, c.ctx(t), submitMsg(over));

describe("MsgSubmitProposal", () => {
  test("text proposal (metadata only) succeeds; JSON metadata must match title and summary", () => {
    const c = standardChain();
    assert.ok(submit(c, { metadata: JSON.stringify({ title: "Title", summary: "Summary", details: "x" }) }));
    assert.equal(c.gov.keeper.getProposal(c.ctx(), 1n)!.status, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
    expectErr(
      () => submit(c, { metadata: '{"title":"Other","summary":"Summary"}' }),
      GovErrors.InvalidProposalContent,
      /metadata title 'Other' must equal proposal title 'Title'/,
    );
    expectErr(
      () => submit(c, { metadata: '{"title":"Title"}' }),
      GovErrors.InvalidProposalContent,
      /metadata summary/,
    );
    assert.ok(
      submit(c, { metadata: '{"title":"Other","authors":5}' }),
      "not the recommended format: ignored",
    );
    assert.ok(submit(c, { metadata: '"ipfs://x"' }));
    assert.ok(submit(c, { metadata: "not json" }));
  });

  test("fails when …", () => {
    const c = standardChain();
    const cases: [Parameters<typeof submitMsg>[0], RegisteredError, RegExp?][] = [
      [{ title: "" }, SdkErrors.InvalidRequest, /proposal title cannot be empty/],
      [{ summary: "" }, SdkErrors.InvalidRequest, /proposal summary cannot be empty/],
      [{ proposer: "secret1xyz" }, SdkErrors.InvalidAddress, /invalid proposer address/],
      [
        { metadata: "", messages: [] },
        GovErrors.NoProposalMsgs,
        /either metadata or Msgs length must be non-nil/,
      ],
      [{ metadata: "x".repeat(256) }, GovErrors.MetadataTooLong, /got metadata with length 256/],
      [{ title: "t".repeat(256) }, GovErrors.MetadataTooLong],
      [{ summary: "s".repeat(10_201) }, GovErrors.SummaryTooLong],
      [{ messages: [sendAny(A, B)] }, GovErrors.InvalidSigner, new RegExp(bech(A))],
      [{ messages: [sendAny(GOV_MODULE_ADDRESS, B, 0)] }, GovErrors.InvalidProposalMsg, /not positive/],
      [{ messages: [toyAny("v", bech(A))] }, GovErrors.InvalidSigner],
      [
        { messages: [{ typeUrl: "/nope.v1.Msg", value: new Uint8Array() }] },
        SdkErrors.TxDecode,
        /unable to resolve type URL/,
      ],
      [
        { messages: [{ typeUrl: "/shroud.test.NoHandler", value: new Uint8Array() }] },
        GovErrors.UnroutableProposalMsg,
      ],
      [
        { initialDeposit: [{ denom: "uatom", amount: "10000000" }] },
        GovErrors.InvalidDepositDenom,
        /gov accepts only the following denom\(s\): \[uscrt\]/,
      ],
      [
        { initialDeposit: uscrt(99_999) },
        GovErrors.MinDepositTooSmall,
        /need at least one of the following: 100000uscrt/,
      ],
      [{ initialDeposit: [] }, GovErrors.MinDepositTooSmall],
      [{ initialDeposit: uscrt(0) }, SdkErrors.InvalidCoins],
      [{ proposer: bech(POOR) }, SdkErrors.InsufficientFunds],
    ];
    const noHandler: MsgType<null> = {
      typeUrl: "/shroud.test.NoHandler",
      module: "test",
      decode: () => null,
      encode: () => new Uint8Array(),
      signers: () => [fromBech32(GOV_AUTHORITY)],
      validateBasic: () => undefined,
      toJson: () => ({}),
    };
    c.registry.register(noHandler);
    for (const [over, e, re] of cases) expectErr(() => submit(c, over), e, re);
  });

  test("min_initial_deposit_ratio: initial deposit must reach round(min_deposit × ratio)", () => {
    const c = standardChain();
    const ctx = c.ctx();
    c.gov.keeper.setParams(ctx, { ...c.gov.keeper.getParams(ctx), minInitialDepositRatio: "0.25" });
    expectErr(
      () => submit(c, { initialDeposit: uscrt(2_499_999) }),
      GovErrors.MinDepositTooSmall,
      /need \(2500000uscrt\)/,
    );
    assert.ok(submit(c, { initialDeposit: uscrt(2_500_000) }));
  });

  test("charges exactly 3 × 5 gas per byte of the proposal as submitted (Secret's KV write rate)", () => {
    const c = standardChain();
    const ctx = c.ctx(); // a plain store: only explicit gas charges count
    handleSubmitProposal(c.gov.keeper, ctx, submitMsg({ metadata: "m".repeat(100) }));
    const stored = c.gov.keeper.getProposal(ctx, 1n)!;
    const { votingStartTime: _s, votingEndTime: _e, ...atSubmit } = stored;
    const bytes = Proposal.encode({
      ...atSubmit,
      status: ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD,
      totalDeposit: [],
    }).finish().length;
    assert.equal(ctx.gasMeter.consumed, 15n * BigInt(bytes));
  });
});

describe("MsgDeposit / MsgVote / MsgVoteWeighted / MsgCancelProposal / MsgUpdateParams", () => {
  test("deposit fails when …", () => {
    const c = standardChain();
    submit(c, { initialDeposit: uscrt(1_000_000) });
    const dep = (id: bigint, amount = uscrt(100_000), depositor = bech(B)) =>
      handleDeposit(c.gov.keeper, c.ctx(), { proposalId: id, depositor, amount });
    assert.ok(dep(1n));
    assert.equal(c.gov.keeper.getDeposit(c.ctx(), 1n, B)!.amount[0]!.amount, "100000");
    assert.ok(dep(1n));
    assert.equal(c.gov.keeper.getDeposit(c.ctx(), 1n, B)!.amount[0]!.amount, "200000", "deposits accumulate");
    expectErr(() => dep(9n), GovErrors.UnknownProposal);
    expectErr(() => dep(1n, []), SdkErrors.InvalidCoins);
    expectErr(() => dep(1n, [{ denom: "uatom", amount: "5" }]), GovErrors.InvalidDepositDenom);
    expectErr(() => dep(1n, uscrt(10)), GovErrors.MinDepositTooSmall);
    expectErr(() => dep(1n, uscrt(100_000), "bad"), SdkErrors.InvalidAddress, /invalid depositor address/);
    expectErr(() => dep(1n, uscrt(100_000), bech(POOR)), SdkErrors.InsufficientFunds);
    dep(1n, uscrt(9_000_000)); // reaches min deposit: voting
    c.gov.endBlock(c.ctx(T0 + 90n * SEC)); // no votes: rejected
    expectErr(() => dep(1n), GovErrors.InactiveProposal);
  });

  test("vote fails when …; a second vote replaces the first", () => {
    const c = standardChain();
    submit(c, { initialDeposit: uscrt(1_000_000) }); // 1: deposit period
    submit(c); // 2: voting
    const vote = (id: bigint, option: V, voter = bech(V1), metadata = "") =>
      handleVote(c.gov.keeper, c.ctx(), { proposalId: id, voter, option, metadata });
    assert.ok(vote(2n, V.VOTE_OPTION_YES));
    vote(2n, V.VOTE_OPTION_NO);
    assert.equal(c.gov.keeper.getVote(c.ctx(), 2n, V1)!.options[0]!.option, V.VOTE_OPTION_NO);
    expectErr(() => vote(1n, V.VOTE_OPTION_YES), GovErrors.InactiveProposal);
    expectErr(() => vote(9n, V.VOTE_OPTION_YES), GovErrors.InactiveProposal);
    expectErr(() => vote(2n, V.VOTE_OPTION_UNSPECIFIED), GovErrors.InvalidVote);
    expectErr(() => vote(2n, V.UNRECOGNIZED), GovErrors.InvalidVote);
    expectErr(
      () => vote(2n, V.VOTE_OPTION_YES, "secret1bad"),
      SdkErrors.InvalidAddress,
      /invalid voter address/,
    );
    expectErr(() => vote(2n, V.VOTE_OPTION_YES, bech(V1), "m".repeat(256)), GovErrors.MetadataTooLong);
  });

  test("weighted vote fails when weights are bad, duplicated or do not sum to 1", () => {
    const c = standardChain();
    submit(c);
    const w = (options: { option: V; weight: string }[]) =>
      handleVoteWeighted(c.gov.keeper, c.ctx(), { proposalId: 1n, voter: bech(V1), options, metadata: "" });
    const Y = V.VOTE_OPTION_YES;
    const N = V.VOTE_OPTION_NO;
    assert.ok(
      w([
        { option: Y, weight: "0.333333333333333333" },
        { option: N, weight: "0.666666666666666667" },
      ]),
    );
    expectErr(() => w([]), SdkErrors.InvalidRequest);
    expectErr(
      () =>
        w([
          { option: Y, weight: "0.5" },
          { option: N, weight: "0.4" },
        ]),
      GovErrors.InvalidVote,
      /total weight lower than 1.00/,
    );
    expectErr(
      () =>
        w([
          { option: Y, weight: "0.6" },
          { option: N, weight: "0.6" },
        ]),
      GovErrors.InvalidVote,
      /total weight overflow 1.00/,
    );
    expectErr(
      () =>
        w([
          { option: Y, weight: "0.5" },
          { option: Y, weight: "0.5" },
        ]),
      GovErrors.InvalidVote,
      /duplicated vote option/,
    );
    expectErr(
      () =>
        w([
          { option: Y, weight: "0" },
          { option: N, weight: "1" },
        ]),
      GovErrors.InvalidVote,
    );
    expectErr(() => w([{ option: Y, weight: "1.5" }]), GovErrors.InvalidVote);
    expectErr(() => w([{ option: Y, weight: "0.1234567890123456789" }]), GovErrors.InvalidVote);
    expectErr(() => w([{ option: V.VOTE_OPTION_UNSPECIFIED, weight: "1" }]), GovErrors.InvalidVote);
  });

  test("cancel fails when …", () => {
    const c = standardChain();
    submit(c);
    const cancel = (id: bigint, proposer = bech(A), t = T0) =>
      handleCancelProposal(c.gov.keeper, c.ctx(t), { proposalId: id, proposer });
    expectErr(() => cancel(9n), GovErrors.UnknownProposal, /proposal 9 doesn't exist/);
    expectErr(() => cancel(1n, bech(B)), GovErrors.InvalidProposer);
    expectErr(() => cancel(1n, "nope"), SdkErrors.InvalidAddress);
    expectErr(() => cancel(1n, bech(A), T0 + 91n * SEC), GovErrors.VotingPeriodEnded);
    c.gov.endBlock(c.ctx(T0 + 90n * SEC));
    expectErr(() => cancel(1n), GovErrors.InvalidProposal, /deposit or voting period/);
  });

  test("MsgUpdateParams fails when the authority is not gov or params are invalid", () => {
    const c = makeGovChain({});
    const up = (authority: string, change: Partial<ReturnType<typeof defaultGovParams>>) =>
      handleUpdateParams(c.gov.keeper, c.ctx(), { authority, params: { ...defaultGovParams(), ...change } });
    assert.ok(up(GOV_AUTHORITY, { quorum: "0.5" }));
    assert.equal(c.gov.keeper.getParams(c.ctx()).quorum, "0.5");
    expectErr(() => up(bech(A), {}), GovErrors.InvalidSigner, /invalid authority; expected secret1/);
    const bad: Partial<ReturnType<typeof defaultGovParams>>[] = [
      { minDeposit: [] },
      { expeditedMinDeposit: uscrt(10_000_000) },
      { quorum: "1.1" },
      { quorum: "-0.1" },
      { threshold: "0" },
      { expeditedThreshold: "0.5" },
      { vetoThreshold: "x" },
      { votingPeriod: { seconds: 0n, nanos: 0 } },
      { expeditedVotingPeriod: { seconds: 90n, nanos: 0 } },
      { minInitialDepositRatio: "2" },
      { proposalCancelRatio: "-1" },
      { minDepositRatio: "1.01" },
      { proposalCancelDest: "secret1bad" },
    ];
    for (const b of bad) expectErr(() => up(GOV_AUTHORITY, b), UndefinedErrors.Internal);
    const noPeriod = defaultGovParams();
    delete noPeriod.maxDepositPeriod;
    expectErr(
      () => handleUpdateParams(c.gov.keeper, c.ctx(), { authority: GOV_AUTHORITY, params: noPeriod }),
      UndefinedErrors.Internal,
      /maximum deposit period must not be nil/,
    );
  });

  test("another module's MsgUpdateParams refuses a non-gov authority even when signed by it", () => {
    const c = standardChain();
    const handler = c.registry.handler(TOY_UPDATE_PARAMS)!;
    const type = c.registry.type(TOY_UPDATE_PARAMS)!;
    const own = toyAny("x", bech(A));
    expectErr(() => handler(c.ctx(), type.decode(own.value)), GovErrors.InvalidSigner);
    assert.ok(submit(c, { messages: [toyAny("x"), govParamsAny({})] }));
  });
});

describe("secretjs gov messages through runTx", () => {
  const a = makeSigner(MNEMONIC_A);
  test("submit (text) → deposit → vote → weighted vote → cancel, events carry msg_index and module gov", async () => {
    const c = makeGovChain({ [a.address]: 100_000_000n });
    c.staking.addValidator(fromBech32(a.address), 100n);
    const env: TxEnv = {
      registry: c.registry,
      keepers: { accounts: c.auth.keeper, bank: c.bank.keeper },
      ante: { minGasPrices: parseGasPrices("0.0125uscrt") },
    };
    const acc = c.auth.keeper.getAccount(c.ctx(), fromBech32(a.address))!;
    let seq = 0;
    const run = async (msg: Parameters<typeof a.sign>[0][number]) => {
      const raw = await a.sign(
        [msg],
        { accountNumber: Number(acc.accountNumber), sequence: seq++, chainId: "secretdev-1" },
        { gasLimit: 200_000 },
      );
      return runTx(env, c.state, raw, "deliver", { chainId: "secretdev-1", height: 5n, timeNs: T0 });
    };
    const sub = await run(
      new MsgSubmitProposal({
        messages: [],
        initial_deposit: [{ denom: "uscrt", amount: "1000000" }],
        proposer: a.address,
        metadata: "ipfs://x",
        title: "Text",
        summary: "A text proposal",
        expedited: false,
      }),
    );
    assert.equal(sub.code, 0, sub.log);
    const ev = sub.events.find((e) => e.type === "submit_proposal")!;
    assert.deepEqual(
      ev.attributes.map((x) => [x.key, x.value]),
      [
        ["proposal_id", "1"],
        ["proposal_messages", ""],
        ["msg_index", "0"],
      ],
    );
    const msgEv = sub.events.find(
      (e) => e.type === "message" && e.attributes.some((x) => x.key === "action"),
    )!;
    assert.ok(msgEv.attributes.some((x) => x.key === "module" && x.value === "gov"));
    const dep = await run(
      new MsgDeposit({
        proposal_id: "1",
        depositor: a.address,
        amount: [{ denom: "uscrt", amount: "9000000" }],
      }),
    );
    assert.equal(dep.code, 0, dep.log);
    const v = await run(
      new MsgVote({ proposal_id: "1", voter: a.address, option: VoteOption.VOTE_OPTION_YES, metadata: "" }),
    );
    assert.equal(v.code, 0, v.log);
    const vw = await run(
      new MsgVoteWeighted({
        proposal_id: "1",
        voter: a.address,
        options: [
          { option: VoteOption.VOTE_OPTION_YES, weight: "0.7" },
          { option: VoteOption.VOTE_OPTION_NO, weight: "0.3" },
        ],
        metadata: "",
      }),
    );
    assert.equal(vw.code, 0, vw.log);
    assert.deepEqual(c.gov.query.tally(c.ctx(T0), "1").tally, {
      yes_count: "70",
      abstain_count: "0",
      no_count: "30",
      no_with_veto_count: "0",
    });
    const bad = await run(
      new MsgVote({ proposal_id: "2", voter: a.address, option: VoteOption.VOTE_OPTION_YES, metadata: "" }),
    );
    assert.equal(bad.codespace, "gov");
    assert.equal(bad.code, 3);
    assert.equal(bad.log, "failed to execute message; message index: 0: 2: inactive proposal");
    const cancel = await run(new MsgCancelProposal({ proposal_id: "1", proposer: a.address }));
    assert.equal(cancel.code, 0, cancel.log);
    assert.equal(c.gov.keeper.getProposal(c.ctx(), 1n), undefined);

    // A parameter-change proposal: secretjs packs any Msg's proto into the proposal's messages.
    const paramChange = govParamsAny({ quorum: "0.400000000000000000" });
    const custom = {
      toProto: () =>
        Promise.resolve({ type_url: paramChange.typeUrl, value: {}, encode: () => paramChange.value }),
      toAmino: () => Promise.reject(new Error("no amino")),
    };
    const sub2 = await run(
      new MsgSubmitProposal({
        messages: [custom],
        initial_deposit: [{ denom: "uscrt", amount: "10000000" }],
        proposer: a.address,
        metadata: "",
        title: "Raise quorum",
        summary: "0.4",
        expedited: false,
      }),
    );
    assert.equal(sub2.code, 0, sub2.log);
    const v2 = await run(
      new MsgVote({ proposal_id: "2", voter: a.address, option: VoteOption.VOTE_OPTION_YES, metadata: "" }),
    );
    assert.equal(v2.code, 0, v2.log);
    c.gov.endBlock(c.ctx(T0 + 90n * SEC));
    assert.equal(c.gov.keeper.getParams(c.ctx()).quorum, "0.400000000000000000");
    const unknown = {
      ...custom,
      toProto: () => Promise.resolve({ type_url: "/x.y.Msg", value: {}, encode: () => new Uint8Array() }),
    };
    const sub3 = await run(
      new MsgSubmitProposal({
        messages: [unknown],
        initial_deposit: [{ denom: "uscrt", amount: "10000000" }],
        proposer: a.address,
        metadata: "",
        title: "t",
        summary: "s",
        expedited: false,
      }),
    );
    assert.deepEqual([sub3.codespace, sub3.code], ["sdk", 2], "unknown nested type URL: tx decode error");
    assert.match(sub3.log, /unable to resolve type URL \/x.y.Msg/);
  });
});
