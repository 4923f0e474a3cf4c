// Gov value helpers: block time <-> protobuf Timestamp, the gateway JSON forms of proposals, votes, deposits,
// tallies and params (jsonpb: proto names, uint64 as strings, enums by name, RFC 3339 times, "90s" durations),
// and unpacking a proposal's messages through the tx registry.
import {
  ProposalStatus,
  VoteOption,
  type Params,
  type Proposal,
  type TallyResult,
} from "cosmjs-types/cosmos/gov/v1/gov";
import {
  proposalStatusToJSON,
  voteOptionToJSON,
  type Deposit,
  type Vote,
} from "cosmjs-types/cosmos/gov/v1/gov";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { Duration } from "cosmjs-types/google/protobuf/duration";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import { ChainError, SdkErrors } from "../../errors.js";
import { toBase64 } from "../../../util/bytes.js";
import type { DecodedMsg, MsgRegistry } from "../../tx/msgRegistry.js";

const NS = 1_000_000_000n;

export function nsToTimestamp(ns: bigint): Timestamp {
  return { seconds: ns / NS, nanos: Number(ns % NS) };
}

export function timestampNs(t: Timestamp | undefined): bigint | undefined {
  return t === undefined ? undefined : t.seconds * NS + BigInt(t.nanos);
}

/** jsonpb fraction: 9 digits with trailing zero groups of three dropped ("", ".5" never: ".500"). */
function fraction(nanos: bigint): string {
  if (nanos === 0n) return "";
  let f = nanos.toString().padStart(9, "0");
  while (f.endsWith("000")) f = f.slice(0, -3);
  return `.${f}`;
}

/** jsonpb Timestamp: "2006-01-02T15:04:05[.fff]Z"; undefined -> null (gateway EmitDefaults). */
export function timestampJson(t: Timestamp | undefined): string | null {
  const ns = timestampNs(t);
  if (ns === undefined) return null;
  const secs = ns / NS;
  // Seconds since epoch fit a Number exactly for any realistic block time (< 2^53 ms).
  const iso = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  return `${iso}${fraction(ns % NS)}Z`;
}

/** jsonpb Duration: "172800s", "1.500s"; undefined -> null. */
export function durationJson(d: Duration | undefined): string | null {
  if (d === undefined) return null;
  return `${d.seconds}${fraction(BigInt(d.nanos))}s`;
}

/** Decodes each Any through the registry; an unknown type URL is a decode error (SDK UnpackAny, sdk 2). */
export function unpackMessages(registry: MsgRegistry, anys: readonly Any[]): DecodedMsg[] {
  return anys.map((a, i) => {
    const type = registry.type(a.typeUrl);
    if (type === undefined)
      throw new ChainError(SdkErrors.TxDecode, `unable to resolve type URL ${a.typeUrl}`);
    try {
      return { typeUrl: a.typeUrl, value: type.decode(a.value), raw: a.value.slice(), type };
    } catch (e) {
      if (e instanceof ChainError) throw e;
      throw new ChainError(SdkErrors.TxDecode, `proposal message ${i} (${a.typeUrl}) is malformed`);
    }
  });
}

/** Any JSON of proposal messages; a type the registry cannot render falls back to base64 bytes. */
export function messagesJson(registry: MsgRegistry, anys: readonly Any[]): Record<string, unknown>[] {
  return anys.map((a) => {
    const type = registry.type(a.typeUrl);
    if (type === undefined) return { "@type": a.typeUrl, value: toBase64(a.value) };
    return { "@type": a.typeUrl, ...type.toJson(type.decode(a.value)) };
  });
}

export function tallyJson(t: TallyResult | undefined): Record<string, string> | null {
  if (t === undefined) return null;
  return {
    yes_count: t.yesCount,
    abstain_count: t.abstainCount,
    no_count: t.noCount,
    no_with_veto_count: t.noWithVetoCount,
  };
}

export function emptyTally(): TallyResult {
  return { yesCount: "0", abstainCount: "0", noCount: "0", noWithVetoCount: "0" };
}

const coinsJson = (cs: readonly { denom: string; amount: string }[]) =>
  cs.map((c) => ({ denom: c.denom, amount: c.amount }));

export function proposalJson(registry: MsgRegistry, p: Proposal): Record<string, unknown> {
  return {
    id: p.id.toString(),
    messages: messagesJson(registry, p.messages),
    status: proposalStatusToJSON(p.status),
    final_tally_result: tallyJson(p.finalTallyResult),
    submit_time: timestampJson(p.submitTime),
    deposit_end_time: timestampJson(p.depositEndTime),
    total_deposit: coinsJson(p.totalDeposit),
    voting_start_time: timestampJson(p.votingStartTime),
    voting_end_time: timestampJson(p.votingEndTime),
    metadata: p.metadata,
    title: p.title,
    summary: p.summary,
    proposer: p.proposer,
    expedited: p.expedited,
    failed_reason: p.failedReason,
  };
}

export function voteJson(v: Vote): Record<string, unknown> {
  return {
    proposal_id: v.proposalId.toString(),
    voter: v.voter,
    options: v.options.map((o) => ({ option: voteOptionToJSON(o.option), weight: o.weight })),
    metadata: v.metadata,
  };
}

export function depositJson(d: Deposit): Record<string, unknown> {
  return { proposal_id: d.proposalId.toString(), depositor: d.depositor, amount: coinsJson(d.amount) };
}

export function paramsJson(p: Params): Record<string, unknown> {
  return {
    min_deposit: coinsJson(p.minDeposit),
    max_deposit_period: durationJson(p.maxDepositPeriod),
    voting_period: durationJson(p.votingPeriod),
    quorum: p.quorum,
    threshold: p.threshold,
    veto_threshold: p.vetoThreshold,
    min_initial_deposit_ratio: p.minInitialDepositRatio,
    proposal_cancel_ratio: p.proposalCancelRatio,
    proposal_cancel_dest: p.proposalCancelDest,
    expedited_voting_period: durationJson(p.expeditedVotingPeriod),
    expedited_threshold: p.expeditedThreshold,
    expedited_min_deposit: coinsJson(p.expeditedMinDeposit),
    burn_vote_quorum: p.burnVoteQuorum,
    burn_proposal_deposit_prevote: p.burnProposalDepositPrevote,
    burn_vote_veto: p.burnVoteVeto,
    min_deposit_ratio: p.minDepositRatio,
  };
}

/** The four real options (SDK ValidVoteOption). */
export function isValidVoteOption(o: VoteOption): boolean {
  return (
    o === VoteOption.VOTE_OPTION_YES ||
    o === VoteOption.VOTE_OPTION_ABSTAIN ||
    o === VoteOption.VOTE_OPTION_NO ||
    o === VoteOption.VOTE_OPTION_NO_WITH_VETO
  );
}

/** Statuses in which a proposal is still open (deposits and cancellation allowed). */
export function isOpen(status: ProposalStatus): boolean {
  return (
    status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD ||
    status === ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD
  );
}
