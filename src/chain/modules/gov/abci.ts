// The gov end-block hook (SDK v0.50 x/gov/abci.go EndBlocker): drops proposals whose deposit period ended,
// tallies proposals whose voting period ended, and runs passed proposals' messages in a cache that is written
// only if every message succeeds (a failing message fails the proposal and leaves no trace of the others).
import { ProposalStatus, type Proposal } from "cosmjs-types/cosmos/gov/v1/gov";
import { MemoryOverlay } from "../../store/memory.js";
import { EventManager, withStore, type Context, type Event } from "../../tx/context.js";
import { toChainError } from "../../tx/runTx.js";
import { emitActive, emitInactive, ProposalResult } from "./events.js";
import type { GovKeeper } from "./keeper.js";
import { ACTIVE_QUEUE_PREFIX, INACTIVE_QUEUE_PREFIX } from "./keys.js";
import { durationNs } from "./params.js";
import { tally } from "./tally.js";
import { nsToTimestamp, timestampNs, unpackMessages } from "./types.js";

/** Called by the app at the end of every block, with block time in `ctx.blockTimeNs` and no gas limit. */
export function endBlock(k: GovKeeper, ctx: Context): void {
  for (const id of k.queuedUntil(ctx, INACTIVE_QUEUE_PREFIX, ctx.blockTimeNs)) dropProposal(k, ctx, id);
  for (const id of k.queuedUntil(ctx, ACTIVE_QUEUE_PREFIX, ctx.blockTimeNs)) finishVoting(k, ctx, id);
}

/** Deposit period over without reaching min deposit: delete, refund or burn (burn_proposal_deposit_prevote). */
function dropProposal(k: GovKeeper, ctx: Context, id: bigint): void {
  const p = k.getProposal(ctx, id);
  if (p === undefined) return;
  k.deleteProposal(ctx, p);
  if (k.getParams(ctx).burnProposalDepositPrevote) k.deleteAndBurnDeposits(ctx, id);
  else k.refundAndDeleteDeposits(ctx, id);
  emitInactive(ctx.events, id);
}

interface ExecOutcome {
  readonly ok: boolean;
  readonly log: string;
  readonly failedReason: string;
}

/** Runs every message of a passed proposal with the gov module as signer, all-or-nothing. */
function execute(k: GovKeeper, ctx: Context, p: Proposal): ExecOutcome {
  const cache = new MemoryOverlay(ctx.store);
  const events: Event[] = [];
  let idx = 0;
  let typeUrl = "";
  try {
    const msgs = unpackMessages(k.deps.registry, p.messages);
    for (const m of msgs) {
      typeUrl = m.typeUrl;
      const handler = k.deps.registry.handler(m.typeUrl);
      if (handler === undefined) throw new Error(`no handler for ${m.typeUrl}`);
      // The SDK v0.50 msg service router runs ValidateBasic before the handler; so do we.
      m.type.validateBasic(m.value);
      const ev = new EventManager();
      handler(withStore(ctx, cache, ev), m.value);
      events.push(...ev.events);
      idx++;
    }
  } catch (e) {
    const err = toChainError(e).message;
    return {
      ok: false,
      log: `passed, but msg ${idx} (${typeUrl}) failed on execution: ${err}`,
      failedReason: err,
    };
  }
  cache.write();
  ctx.events.append(events);
  return { ok: true, log: "passed", failedReason: "" };
}

/** Voting period over: tally, settle deposits, then pass (execute) / reject / convert an expedited proposal. */
function finishVoting(k: GovKeeper, ctx: Context, id: bigint): void {
  const p = k.getProposal(ctx, id);
  if (p === undefined) return;
  const out = tally(k, ctx, p, false);
  const expeditedRetry = p.expedited && !out.passes;
  // Votes are consumed by the tally (SDK deletes them); an expedited proposal that failed keeps them for the
  // regular tally it is converted to.
  if (!expeditedRetry) {
    for (const v of k.getVotes(ctx, id)) k.deleteVote(ctx, v);
    if (out.burnDeposits) k.deleteAndBurnDeposits(ctx, id);
    else k.refundAndDeleteDeposits(ctx, id);
  }
  const votingEnd = timestampNs(p.votingEndTime);
  if (votingEnd !== undefined) k.queueRemove(ctx, ACTIVE_QUEUE_PREFIX, votingEnd, id);
  let result: string;
  let log: string;
  if (out.passes) {
    const ex = execute(k, ctx, p);
    p.status = ex.ok ? ProposalStatus.PROPOSAL_STATUS_PASSED : ProposalStatus.PROPOSAL_STATUS_FAILED;
    p.failedReason = ex.failedReason;
    result = ex.ok ? ProposalResult.Passed : ProposalResult.Failed;
    log = ex.log;
  } else if (p.expedited) {
    p.expedited = false;
    const start = timestampNs(p.votingStartTime) ?? ctx.blockTimeNs;
    const end = start + (durationNs(k.getParams(ctx).votingPeriod) ?? 0n);
    p.votingEndTime = nsToTimestamp(end);
    k.queueInsert(ctx, ACTIVE_QUEUE_PREFIX, end, id);
    result = ProposalResult.ExpeditedRejected;
    log = "expedited proposal converted to regular";
  } else {
    p.status = ProposalStatus.PROPOSAL_STATUS_REJECTED;
    p.failedReason = "proposal did not get enough votes to pass";
    result = ProposalResult.Rejected;
    log = "rejected";
  }
  p.finalTallyResult = out.result;
  k.setProposal(ctx, p);
  emitActive(ctx.events, id, result, log);
}
