// Events the gov module emits, SDK v0.50 shapes (x/gov/types/events.go, keeper/{proposal,deposit,vote}.go,
// abci.go, msg_server.go). runTx adds `message{action, sender, module}` and msg_index to tx events.
import type { EventManager } from "../../tx/context.js";

export const EventTypeSubmitProposal = "submit_proposal";
export const EventTypeProposalDeposit = "proposal_deposit";
export const EventTypeProposalVote = "proposal_vote";
export const EventTypeInactiveProposal = "inactive_proposal";
export const EventTypeActiveProposal = "active_proposal";
export const EventTypeCancelProposal = "cancel_proposal";

/** `proposal_result` values (x/gov/types/events.go). */
export const ProposalResult = {
  Dropped: "proposal_dropped",
  Passed: "proposal_passed",
  Rejected: "proposal_rejected",
  Failed: "proposal_failed",
  ExpeditedRejected: "expedited_proposal_rejected",
} as const;

export function emitSubmitProposal(ev: EventManager, id: bigint, msgTypeUrls: readonly string[]): void {
  // SDK builds msgsStr as "," + url per message, so it starts with a comma (and is "" for text proposals).
  ev.emit(EventTypeSubmitProposal, [
    ["proposal_id", id.toString()],
    ["proposal_messages", msgTypeUrls.map((u) => `,${u}`).join("")],
  ]);
}

/** `submit_proposal{voting_period_start}` (msg server) when the initial deposit opened voting. */
export function emitVotingPeriodStart(ev: EventManager, type: string, id: bigint): void {
  ev.emit(type, [["voting_period_start", id.toString()]]);
}

export function emitDeposit(ev: EventManager, depositor: string, amount: string, id: bigint): void {
  ev.emit(EventTypeProposalDeposit, [
    ["depositor", depositor],
    ["amount", amount],
    ["proposal_id", id.toString()],
  ]);
}

export function emitVote(ev: EventManager, voter: string, options: string, id: bigint): void {
  ev.emit(EventTypeProposalVote, [
    ["voter", voter],
    ["option", options],
    ["proposal_id", id.toString()],
  ]);
}

export function emitInactive(ev: EventManager, id: bigint): void {
  ev.emit(EventTypeInactiveProposal, [
    ["proposal_id", id.toString()],
    ["proposal_result", ProposalResult.Dropped],
  ]);
}

export function emitActive(ev: EventManager, id: bigint, result: string, log: string): void {
  ev.emit(EventTypeActiveProposal, [
    ["proposal_id", id.toString()],
    ["proposal_result", result],
    ["proposal_log", log],
  ]);
}

export function emitCancel(ev: EventManager, sender: string, id: bigint): void {
  ev.emit(EventTypeCancelProposal, [
    ["sender", sender],
    ["proposal_id", id.toString()],
  ]);
}
