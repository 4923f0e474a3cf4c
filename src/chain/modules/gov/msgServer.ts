// Gov message handlers (SDK v0.50 x/gov/keeper/msg_server.go): parse and check, call the keeper, emit the
// msg-server events. runTx adds the baseapp `message` event and msg_index.
import type {
  MsgCancelProposal,
  MsgDeposit,
  MsgSubmitProposal,
  MsgUpdateParams,
  MsgVote,
  MsgVoteWeighted,
} from "cosmjs-types/cosmos/gov/v1/tx";
import { MsgCancelProposalResponse, MsgSubmitProposalResponse } from "cosmjs-types/cosmos/gov/v1/tx";
import { Proposal, VoteOption, type WeightedVoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { ChainError, GovErrors, SdkErrors } from "../../errors.js";
import { fromBech32, toBech32 } from "../../address.js";
import { SECRET_KV_GAS_CONFIG } from "../../gas.js";
import { parseCoins, type Coin, type CoinWire } from "../../tx/coins.js";
import type { Context } from "../../tx/context.js";
import type { MsgResult } from "../../tx/msgRegistry.js";
import { DEC_ONE, formatDec, tryParseDec } from "./dec.js";
import {
  EventTypeProposalDeposit,
  EventTypeSubmitProposal,
  emitCancel,
  emitVotingPeriodStart,
} from "./events.js";
import type { GovKeeper } from "./keeper.js";
import { RESPONSE_TYPE_URLS } from "./msgs.js";
import { validateGovParams } from "./params.js";
import { assertGovAuthority } from "./authority.js";
import { cancelProposal, submitProposal } from "./proposals.js";
import { isValidVoteOption, nsToTimestamp, unpackMessages } from "./types.js";

const EMPTY = new Uint8Array();

function address(s: string, what: string): Uint8Array {
  try {
    return fromBech32(s, what);
  } catch (e) {
    throw new ChainError(
      SdkErrors.InvalidAddress,
      `invalid ${what} address: ${e instanceof ChainError ? (e.detail ?? e.message) : ""}`,
    );
  }
}

/** SDK validateDeposit: valid and all positive (an empty amount is not). */
function depositAmount(list: readonly CoinWire[]): Coin[] {
  const c = parseCoins(list, "amount");
  if (c.length === 0) throw new ChainError(SdkErrors.InvalidCoins, "");
  return c;
}

/** When metadata is JSON (SDK ProposalMetadata), its title and summary must equal the proposal's. */
function checkMetadataJson(m: MsgSubmitProposal): void {
  let md: unknown;
  try {
    md = JSON.parse(m.metadata);
  } catch {
    return; // not the recommended format: allowed (SDK ignores the unmarshal error)
  }
  if (md !== null && (typeof md !== "object" || Array.isArray(md))) return;
  const o = (md ?? {}) as Record<string, unknown>;
  const str = (v: unknown): string | undefined =>
    v === undefined ? "" : typeof v === "string" ? v : undefined;
  const title = str(o.title);
  const summary = str(o.summary);
  // Any field of the wrong JSON type makes Go's Unmarshal fail, and then the SDK ignores the metadata.
  const others = [o.details, o.proposal_forum_url, o.vote_option_context].map(str);
  const authorsOk =
    o.authors === undefined ||
    o.authors === null ||
    (Array.isArray(o.authors) && o.authors.every((a) => typeof a === "string"));
  if (title === undefined || summary === undefined || others.includes(undefined) || !authorsOk) return;
  if (title !== m.title) {
    throw new ChainError(
      GovErrors.InvalidProposalContent,
      `metadata title '${title}' must equal proposal title '${m.title}'`,
    );
  }
  if (summary !== m.summary) {
    throw new ChainError(
      GovErrors.InvalidProposalContent,
      `metadata summary '${summary}' must equal proposal summary '${m.summary}'`,
    );
  }
}

/** MsgSubmitProposal: fails when title/summary are empty, proposer is bad, nothing is proposed, metadata JSON
 * disagrees, a message is invalid/unroutable/not signed by gov, or the initial deposit is short/bad/unfunded. */
export function handleSubmitProposal(k: GovKeeper, ctx: Context, m: MsgSubmitProposal): MsgResult {
  if (m.title === "") throw new ChainError(SdkErrors.InvalidRequest, "proposal title cannot be empty");
  if (m.summary === "") throw new ChainError(SdkErrors.InvalidRequest, "proposal summary cannot be empty");
  const proposer = address(m.proposer, "proposer");
  if (m.messages.length === 0 && m.metadata.length === 0) {
    throw new ChainError(GovErrors.NoProposalMsgs, "either metadata or Msgs length must be non-nil");
  }
  if (m.metadata.length !== 0) checkMetadataJson(m);
  const decoded = unpackMessages(k.deps.registry, m.messages);
  const initial = parseCoins(m.initialDeposit, "initial deposit");
  const params = k.getParams(ctx);
  k.validateInitialDeposit(params, initial, m.expedited);
  k.validateDepositDenom(params, initial);
  const p = submitProposal(k, ctx, {
    messages: m.messages,
    decoded,
    metadata: m.metadata,
    title: m.title,
    summary: m.summary,
    proposer,
    expedited: m.expedited,
  });
  // SDK (cosmos-sdk#9683): 3 × WriteCostPerByte × proposal size, at Secret's KV write rate.
  const size = BigInt(Proposal.encode(p).finish().length);
  ctx.gasMeter.consume(3n * SECRET_KV_GAS_CONFIG.writeCostPerByte * size, "submit proposal");
  if (k.addDeposit(ctx, p.id, proposer, initial)) {
    emitVotingPeriodStart(ctx.events, EventTypeSubmitProposal, p.id);
  }
  return {
    responseTypeUrl: RESPONSE_TYPE_URLS.submitProposal,
    response: MsgSubmitProposalResponse.encode({ proposalId: p.id }).finish(),
  };
}

/** MsgDeposit: fails when the depositor is bad, the amount is empty/invalid, the proposal is unknown or closed,
 * a denom is not in min_deposit, the amount is below min_deposit_ratio, or the depositor is short. */
export function handleDeposit(k: GovKeeper, ctx: Context, m: MsgDeposit): MsgResult {
  const depositor = address(m.depositor, "depositor");
  const amount = depositAmount(m.amount);
  if (k.addDeposit(ctx, m.proposalId, depositor, amount)) {
    emitVotingPeriodStart(ctx.events, EventTypeProposalDeposit, m.proposalId);
  }
  return { responseTypeUrl: RESPONSE_TYPE_URLS.deposit, response: EMPTY };
}

/** The `option` event attribute: Go json.Marshal of the options (omitempty fields). */
function optionsEventString(options: readonly WeightedVoteOption[]): string {
  return JSON.stringify(
    options.map((o) => ({
      ...(o.option !== VoteOption.VOTE_OPTION_UNSPECIFIED ? { option: o.option } : {}),
      ...(o.weight !== "" ? { weight: o.weight } : {}),
    })),
  );
}

/** MsgVote: fails when the voter is bad, the option is not one of the four, or the proposal is not in voting. */
export function handleVote(k: GovKeeper, ctx: Context, m: MsgVote): MsgResult {
  const voter = address(m.voter, "voter");
  if (!isValidVoteOption(m.option)) throw new ChainError(GovErrors.InvalidVote, String(m.option));
  const options = [{ option: m.option, weight: formatDec(DEC_ONE) }];
  k.addVote(ctx, m.proposalId, voter, options, optionsEventString(options), m.metadata);
  return { responseTypeUrl: RESPONSE_TYPE_URLS.vote, response: EMPTY };
}

/** MsgVoteWeighted: as MsgVote, plus: no options, a bad/non-positive/>1 weight, a duplicate option, or weights
 * not summing to exactly 1. */
export function handleVoteWeighted(k: GovKeeper, ctx: Context, m: MsgVoteWeighted): MsgResult {
  const voter = address(m.voter, "voter");
  if (m.options.length === 0) throw new ChainError(SdkErrors.InvalidRequest, "");
  let total = 0n;
  const used = new Set<number>();
  for (const o of m.options) {
    const w = tryParseDec(o.weight);
    if (!isValidVoteOption(o.option) || w === undefined || w <= 0n || w > DEC_ONE) {
      throw new ChainError(GovErrors.InvalidVote, `option:${o.option} weight:"${o.weight}"`);
    }
    total += w;
    if (used.has(o.option)) throw new ChainError(GovErrors.InvalidVote, "duplicated vote option");
    used.add(o.option);
  }
  if (total > DEC_ONE) throw new ChainError(GovErrors.InvalidVote, "total weight overflow 1.00");
  if (total < DEC_ONE) throw new ChainError(GovErrors.InvalidVote, "total weight lower than 1.00");
  k.addVote(ctx, m.proposalId, voter, m.options, optionsEventString(m.options), m.metadata);
  return { responseTypeUrl: RESPONSE_TYPE_URLS.voteWeighted, response: EMPTY };
}

/** MsgCancelProposal: fails when the proposer is bad, the proposal is unknown, not theirs, closed, or past its
 * voting end. */
export function handleCancelProposal(k: GovKeeper, ctx: Context, m: MsgCancelProposal): MsgResult {
  address(m.proposer, "proposer");
  cancelProposal(k, ctx, m.proposalId, m.proposer);
  emitCancel(ctx.events, m.proposer, m.proposalId);
  const response = MsgCancelProposalResponse.encode({
    proposalId: m.proposalId,
    canceledTime: nsToTimestamp(ctx.blockTimeNs),
    canceledHeight: ctx.blockHeight,
  }).finish();
  return { responseTypeUrl: RESPONSE_TYPE_URLS.cancelProposal, response };
}

/** MsgUpdateParams: fails when the authority is not the gov module account or the params are invalid. */
export function handleUpdateParams(k: GovKeeper, ctx: Context, m: MsgUpdateParams): MsgResult {
  assertGovAuthority(m.authority, toBech32(k.authority));
  validateGovParams(m.params);
  k.setParams(ctx, m.params);
  return { responseTypeUrl: RESPONSE_TYPE_URLS.updateParams, response: EMPTY };
}
