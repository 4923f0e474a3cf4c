// Gov genesis in the SDK v1 JSON shape: {starting_proposal_id, deposits, votes, proposals, params, constitution}
// (deprecated deposit/voting/tally_params are accepted as null only). Import re-queues open proposals and checks
// that the gov module account holds exactly the sum of deposits, as SDK InitGenesis does.
import { ProposalStatus } from "cosmjs-types/cosmos/gov/v1/gov";
import { ChainError, GovErrors } from "../../errors.js";
import { toBase64 } from "../../../util/bytes.js";
import { addCoins, coinsToString, parseCoins, type Coin } from "../../tx/coins.js";
import type { Context } from "../../tx/context.js";
import { depositFromJson, paramsFromJson, proposalFromJson, voteFromJson } from "./fromJson.js";
import type { GovKeeper } from "./keeper.js";
import { ACTIVE_QUEUE_PREFIX, GOV_MODULE_ADDRESS, INACTIVE_QUEUE_PREFIX } from "./keys.js";
import { defaultGovParams, validateGovParams } from "./params.js";
import { depositJson, paramsJson, proposalJson, timestampNs, voteJson } from "./types.js";

export interface GovGenesis {
  readonly starting_proposal_id?: string;
  readonly deposits?: readonly unknown[];
  readonly votes?: readonly unknown[];
  readonly proposals?: readonly unknown[];
  readonly params?: unknown;
  readonly constitution?: string;
}

function bad(msg: string): ChainError {
  return new ChainError(GovErrors.InvalidGenesis, msg);
}

export function initGovGenesis(ctx: Context, k: GovKeeper, g: GovGenesis): void {
  const params = g.params === undefined || g.params === null ? defaultGovParams() : paramsFromJson(g.params);
  validateGovParams(params);
  const startStr = g.starting_proposal_id ?? "1";
  if (!/^\d{1,20}$/.test(startStr)) throw bad("starting_proposal_id must be a uint64");
  const start = BigInt(startStr);
  if (start < 1n) throw bad("starting proposal id must be positive");
  k.setNextProposalId(ctx, start);
  k.setParams(ctx, params);
  k.setConstitution(ctx, g.constitution ?? "");
  let total: Coin[] = [];
  for (const dj of g.deposits ?? []) {
    const d = depositFromJson(dj);
    total = addCoins(total, parseCoins(d.amount, "genesis deposit"));
    k.setDeposit(ctx, d);
  }
  for (const vj of g.votes ?? []) {
    k.setVote(ctx, voteFromJson(vj));
  }
  for (const pj of g.proposals ?? []) {
    const p = proposalFromJson(pj);
    if (p.status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD) {
      k.queueInsert(ctx, INACTIVE_QUEUE_PREFIX, timestampNs(p.depositEndTime) ?? 0n, p.id);
    } else if (p.status === ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) {
      k.queueInsert(ctx, ACTIVE_QUEUE_PREFIX, timestampNs(p.votingEndTime) ?? 0n, p.id);
    }
    k.setProposal(ctx, p);
  }
  const balance = k.deps.bank.getAllBalances(ctx, GOV_MODULE_ADDRESS);
  if (coinsToString(balance) !== coinsToString(total)) {
    throw bad(`expected module account was ${coinsToString(balance)} but we got ${coinsToString(total)}`);
  }
}

/** Exports state in the shape initGovGenesis reads (proposal messages as {"@type", value: base64}). */
export function exportGovGenesis(ctx: Context, k: GovKeeper): Record<string, unknown> {
  const proposals = [...k.iterateProposals(ctx)].map((p) => ({
    ...proposalJson(k.deps.registry, p),
    messages: p.messages.map((m) => ({ "@type": m.typeUrl, value: toBase64(m.value) })),
  }));
  return {
    starting_proposal_id: k.peekProposalId(ctx).toString(),
    deposits: k.getAllDeposits(ctx).map(depositJson),
    votes: k.getAllVotes(ctx).map(voteJson),
    proposals,
    deposit_params: null,
    voting_params: null,
    tally_params: null,
    params: paramsJson(k.getParams(ctx)),
    constitution: k.getConstitution(ctx),
  };
}
