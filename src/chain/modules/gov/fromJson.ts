// Reads the gateway/genesis JSON forms (snake_case, jsonpb) back into cosmos.gov.v1 protos for genesis import:
// durations "90s", RFC 3339 timestamps, enum names or numbers, Any messages as {"@type", value: base64}.
import {
  proposalStatusFromJSON,
  voteOptionFromJSON,
  type Deposit,
  type Params,
  type Proposal,
  type TallyResult,
  type Vote,
} from "cosmjs-types/cosmos/gov/v1/gov";
import type { Duration } from "cosmjs-types/google/protobuf/duration";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import { fromBase64 } from "../../../util/bytes.js";
import { ChainError, GovErrors } from "../../errors.js";
import type { CoinWire } from "../../tx/coins.js";
import { nsToTimestamp } from "./types.js";

type Obj = Record<string, unknown>;
const DURATION_RE = /^(\d{1,12})(?:\.(\d{1,9}))?s$/;
const RFC3339_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/;

function bad(msg: string): ChainError {
  return new ChainError(GovErrors.InvalidGenesis, msg);
}

const obj = (v: unknown, what: string): Obj => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad(`${what} must be an object`);
  return v as Obj;
};
const str = (v: unknown, what: string): string => {
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") throw bad(`${what} must be a string`);
  return v;
};
const list = (v: unknown, what: string): unknown[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw bad(`${what} must be a list`);
  return v;
};
const u64 = (v: unknown, what: string): bigint => {
  const s = typeof v === "number" ? String(v) : str(v, what);
  if (!/^\d{1,20}$/.test(s)) throw bad(`${what} must be a uint64`);
  return BigInt(s);
};
const coins = (v: unknown, what: string): CoinWire[] =>
  list(v, what).map((c) => {
    const o = obj(c, what);
    return { denom: str(o.denom, `${what}.denom`), amount: str(o.amount, `${what}.amount`) };
  });

export function durationFromJson(v: unknown, what: string): Duration | undefined {
  if (v === undefined || v === null) return undefined;
  const text = str(v, what);
  const m = DURATION_RE.exec(text);
  if (m === null) throw bad(`${what}: bad duration ${text}`);
  return { seconds: BigInt(m[1]!), nanos: Number((m[2] ?? "").padEnd(9, "0")) };
}

export function timestampFromJson(v: unknown, what: string): Timestamp | undefined {
  if (v === undefined || v === null) return undefined;
  const text = str(v, what);
  const m = RFC3339_RE.exec(text);
  const ms = m === null ? NaN : Date.parse(`${m[1]!}Z`);
  if (m === null || Number.isNaN(ms)) throw bad(`${what}: bad timestamp ${text}`);
  return nsToTimestamp(BigInt(ms) * 1_000_000n + BigInt((m[2] ?? "").padEnd(9, "0")));
}

/** Sets `key` only when `value` is defined (exactOptionalPropertyTypes: absent ≠ undefined). */
function setOpt<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

export function paramsFromJson(v: unknown): Params {
  const o = obj(v, "params");
  const p: Params = {
    minDeposit: coins(o.min_deposit, "min_deposit"),
    quorum: str(o.quorum, "quorum"),
    threshold: str(o.threshold, "threshold"),
    vetoThreshold: str(o.veto_threshold, "veto_threshold"),
    minInitialDepositRatio: str(o.min_initial_deposit_ratio, "min_initial_deposit_ratio"),
    proposalCancelRatio: str(o.proposal_cancel_ratio, "proposal_cancel_ratio"),
    proposalCancelDest: str(o.proposal_cancel_dest, "proposal_cancel_dest"),
    expeditedThreshold: str(o.expedited_threshold, "expedited_threshold"),
    expeditedMinDeposit: coins(o.expedited_min_deposit, "expedited_min_deposit"),
    burnVoteQuorum: o.burn_vote_quorum === true,
    burnProposalDepositPrevote: o.burn_proposal_deposit_prevote === true,
    burnVoteVeto: o.burn_vote_veto === true,
    minDepositRatio: str(o.min_deposit_ratio, "min_deposit_ratio"),
  };
  setOpt(p, "maxDepositPeriod", durationFromJson(o.max_deposit_period, "max_deposit_period"));
  setOpt(p, "votingPeriod", durationFromJson(o.voting_period, "voting_period"));
  setOpt(p, "expeditedVotingPeriod", durationFromJson(o.expedited_voting_period, "expedited_voting_period"));
  return p;
}

export function depositFromJson(v: unknown): Deposit {
  const o = obj(v, "deposit");
  return {
    proposalId: u64(o.proposal_id, "deposit.proposal_id"),
    depositor: str(o.depositor, "depositor"),
    amount: coins(o.amount, "deposit.amount"),
  };
}

export function voteFromJson(v: unknown): Vote {
  const o = obj(v, "vote");
  return {
    proposalId: u64(o.proposal_id, "vote.proposal_id"),
    voter: str(o.voter, "voter"),
    options: list(o.options, "vote.options").map((x) => {
      const w = obj(x, "vote option");
      return { option: voteOptionFromJSON(w.option), weight: str(w.weight, "weight") };
    }),
    metadata: str(o.metadata, "vote.metadata"),
  };
}

function tallyFromJson(v: unknown): TallyResult | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, "final_tally_result");
  return {
    yesCount: str(o.yes_count, "yes_count"),
    abstainCount: str(o.abstain_count, "abstain_count"),
    noCount: str(o.no_count, "no_count"),
    noWithVetoCount: str(o.no_with_veto_count, "no_with_veto_count"),
  };
}

export function proposalFromJson(v: unknown): Proposal {
  const o = obj(v, "proposal");
  const p: Proposal = {
    id: u64(o.id, "proposal.id"),
    messages: list(o.messages, "proposal.messages").map((m) => {
      const a = obj(m, "proposal message");
      return { typeUrl: str(a["@type"], "@type"), value: fromBase64(str(a.value, "message value")) };
    }),
    status: proposalStatusFromJSON(o.status),
    totalDeposit: coins(o.total_deposit, "total_deposit"),
    metadata: str(o.metadata, "metadata"),
    title: str(o.title, "title"),
    summary: str(o.summary, "summary"),
    proposer: str(o.proposer, "proposer"),
    expedited: o.expedited === true,
    failedReason: str(o.failed_reason, "failed_reason"),
  };
  setOpt(p, "finalTallyResult", tallyFromJson(o.final_tally_result));
  setOpt(p, "submitTime", timestampFromJson(o.submit_time, "submit_time"));
  setOpt(p, "depositEndTime", timestampFromJson(o.deposit_end_time, "deposit_end_time"));
  setOpt(p, "votingStartTime", timestampFromJson(o.voting_start_time, "voting_start_time"));
  setOpt(p, "votingEndTime", timestampFromJson(o.voting_end_time, "voting_end_time"));
  return p;
}
