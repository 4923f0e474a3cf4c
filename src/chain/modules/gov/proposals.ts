// Proposal submission and cancellation (SDK v0.50 x/gov/keeper/proposal.go SubmitProposal/CancelProposal):
// every proposal message must validate, be routable, and be signed by the gov module account alone.
import { Proposal, ProposalStatus } from "cosmjs-types/cosmos/gov/v1/gov";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { ChainError, GovErrors } from "../../errors.js";
import { toBech32 } from "../../address.js";
import { equalBytes } from "../../../util/bytes.js";
import type { Context } from "../../tx/context.js";
import type { DecodedMsg } from "../../tx/msgRegistry.js";
import { toChainError } from "../../tx/runTx.js";
import { emitSubmitProposal } from "./events.js";
import { assertMetadataLength, assertSummaryLength, type GovKeeper } from "./keeper.js";
import { GOV_MODULE_ADDRESS, INACTIVE_QUEUE_PREFIX } from "./keys.js";
import { durationNs } from "./params.js";
import { emptyTally, nsToTimestamp, timestampNs } from "./types.js";

export interface NewProposal {
  readonly messages: readonly Any[];
  readonly decoded: readonly DecodedMsg[];
  readonly metadata: string;
  readonly title: string;
  readonly summary: string;
  readonly proposer: Uint8Array;
  readonly expedited: boolean;
}

/** Checks one proposal message as the SDK does before accepting a proposal. */
function checkProposalMsg(k: GovKeeper, m: DecodedMsg): void {
  try {
    m.type.validateBasic(m.value);
  } catch (e) {
    throw new ChainError(GovErrors.InvalidProposalMsg, toChainError(e).message);
  }
  const signers = m.type.signers(m.value);
  if (signers.length !== 1) throw new ChainError(GovErrors.InvalidSigner);
  if (!equalBytes(signers[0]!, GOV_MODULE_ADDRESS)) {
    throw new ChainError(GovErrors.InvalidSigner, toBech32(signers[0]!));
  }
  if (k.deps.registry.handler(m.typeUrl) === undefined) {
    throw new ChainError(GovErrors.UnroutableProposalMsg, m.typeUrl);
  }
}

/** SDK Keeper.SubmitProposal: stores a deposit-period proposal and queues it by deposit end time. */
export function submitProposal(k: GovKeeper, ctx: Context, n: NewProposal): Proposal {
  assertMetadataLength(n.metadata);
  assertSummaryLength(n.summary);
  assertMetadataLength(n.title);
  for (const m of n.decoded) checkProposalMsg(k, m);
  const id = k.peekProposalId(ctx);
  k.setNextProposalId(ctx, id + 1n);
  const params = k.getParams(ctx);
  const depositEnd = ctx.blockTimeNs + (durationNs(params.maxDepositPeriod) ?? 0n);
  const p = Proposal.fromPartial({
    id,
    messages: n.messages.map((a) => ({ typeUrl: a.typeUrl, value: a.value })),
    status: ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD,
    finalTallyResult: emptyTally(),
    submitTime: nsToTimestamp(ctx.blockTimeNs),
    depositEndTime: nsToTimestamp(depositEnd),
    totalDeposit: [],
    metadata: n.metadata,
    title: n.title,
    summary: n.summary,
    proposer: toBech32(n.proposer),
    expedited: n.expedited,
  });
  k.setProposal(ctx, p);
  k.queueInsert(ctx, INACTIVE_QUEUE_PREFIX, depositEnd, id);
  emitSubmitProposal(
    ctx.events,
    id,
    n.decoded.map((m) => m.typeUrl),
  );
  return p;
}

/**
 * SDK Keeper.CancelProposal: only the proposer, only while open and before voting ends. Deposits are charged
 * `proposal_cancel_ratio` (see chargeDeposit), votes deleted, the proposal removed.
 */
export function cancelProposal(k: GovKeeper, ctx: Context, id: bigint, proposer: string): void {
  const p = k.getProposal(ctx, id);
  if (p === undefined) throw new ChainError(GovErrors.UnknownProposal, `proposal ${id} doesn't exist`);
  if (p.proposer === "") {
    throw new ChainError(
      GovErrors.InvalidProposal,
      `proposal ${id} doesn't have proposer ${proposer}, so cannot be canceled`,
    );
  }
  if (p.proposer !== proposer)
    throw new ChainError(GovErrors.InvalidProposer, `invalid proposer ${proposer}`);
  if (
    p.status !== ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD &&
    p.status !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD
  ) {
    throw new ChainError(GovErrors.InvalidProposal, "proposal should be in the deposit or voting period");
  }
  const votingEnd = timestampNs(p.votingEndTime);
  if (votingEnd !== undefined && votingEnd < ctx.blockTimeNs) {
    throw new ChainError(
      GovErrors.VotingPeriodEnded,
      `voting period is already ended for this proposal ${id}`,
    );
  }
  const params = k.getParams(ctx);
  k.chargeDeposit(ctx, id, params.proposalCancelDest, params.proposalCancelRatio);
  if (p.votingStartTime !== undefined) for (const v of k.getVotes(ctx, id)) k.deleteVote(ctx, v);
  k.deleteProposal(ctx, p);
}
