// Gov queries in the grpc-gateway JSON shapes (GET /cosmos/gov/v1/...): proposals (with status/voter/depositor
// filters), one proposal, votes, deposits, tally, params, constitution. Pagination keys are not supported.
import { ProposalStatus, proposalStatusFromJSON, type Params } from "cosmjs-types/cosmos/gov/v1/gov";
import { GrpcCode, QueryError } from "../../errors.js";
import { fromBech32 } from "../../address.js";
import type { Context } from "../../tx/context.js";
import type { GovKeeper } from "./keeper.js";
import { tally } from "./tally.js";
import {
  depositJson,
  durationJson,
  emptyTally,
  paramsJson,
  proposalJson,
  tallyJson,
  voteJson,
} from "./types.js";

const page = (total: number): { next_key: null; total: string } => ({ next_key: null, total: String(total) });
const U64_RE = /^[0-9]{1,20}$/;

function parseId(s: string): bigint {
  if (!U64_RE.test(s) || BigInt(s) > 0xffff_ffff_ffff_ffffn) {
    throw new QueryError(GrpcCode.InvalidArgument, `invalid proposal id: ${s}`);
  }
  const id = BigInt(s);
  if (id === 0n) throw new QueryError(GrpcCode.InvalidArgument, "proposal id can not be 0");
  return id;
}

function parseAddr(s: string, what: string): Uint8Array {
  try {
    return fromBech32(s, what);
  } catch {
    throw new QueryError(GrpcCode.InvalidArgument, `invalid ${what} address: ${s}`);
  }
}

export interface ProposalFilters {
  readonly proposal_status?: string;
  readonly voter?: string;
  readonly depositor?: string;
}

export class GovQueryServer {
  constructor(private readonly k: GovKeeper) {}

  private mustGet(ctx: Context, idStr: string) {
    const id = parseId(idStr);
    const p = this.k.getProposal(ctx, id);
    if (p === undefined) throw new QueryError(GrpcCode.NotFound, `proposal ${id} doesn't exist`);
    return p;
  }

  /** GET /cosmos/gov/v1/proposals?proposal_status=&voter=&depositor= */
  proposals(
    ctx: Context,
    f: ProposalFilters = {},
  ): { proposals: unknown[]; pagination: ReturnType<typeof page> } {
    const status =
      f.proposal_status === undefined || f.proposal_status === ""
        ? ProposalStatus.PROPOSAL_STATUS_UNSPECIFIED
        : proposalStatusFromJSON(
            /^\d+$/.test(f.proposal_status) ? Number(f.proposal_status) : f.proposal_status,
          );
    if (status === ProposalStatus.UNRECOGNIZED) {
      throw new QueryError(GrpcCode.InvalidArgument, `invalid proposal status: ${String(f.proposal_status)}`);
    }
    const voter = f.voter === undefined || f.voter === "" ? undefined : parseAddr(f.voter, "voter");
    const dep =
      f.depositor === undefined || f.depositor === "" ? undefined : parseAddr(f.depositor, "depositor");
    const out: unknown[] = [];
    for (const p of this.k.iterateProposals(ctx)) {
      if (status !== ProposalStatus.PROPOSAL_STATUS_UNSPECIFIED && p.status !== status) continue;
      if (voter !== undefined && this.k.getVote(ctx, p.id, voter) === undefined) continue;
      if (dep !== undefined && this.k.getDeposit(ctx, p.id, dep) === undefined) continue;
      out.push(proposalJson(this.k.deps.registry, p));
    }
    return { proposals: out, pagination: page(out.length) };
  }

  /** GET /cosmos/gov/v1/proposals/{id} */
  proposal(ctx: Context, id: string): { proposal: unknown } {
    return { proposal: proposalJson(this.k.deps.registry, this.mustGet(ctx, id)) };
  }

  /** GET /cosmos/gov/v1/proposals/{id}/votes */
  votes(ctx: Context, id: string): { votes: unknown[]; pagination: ReturnType<typeof page> } {
    const votes = this.k.getVotes(ctx, parseId(id)).map(voteJson);
    return { votes, pagination: page(votes.length) };
  }

  /** GET /cosmos/gov/v1/proposals/{id}/votes/{voter} */
  vote(ctx: Context, id: string, voter: string): { vote: unknown } {
    const pid = parseId(id);
    const v = this.k.getVote(ctx, pid, parseAddr(voter, "voter"));
    if (v === undefined) {
      throw new QueryError(GrpcCode.NotFound, `voter: ${voter} not found for proposal: ${pid}`);
    }
    return { vote: voteJson(v) };
  }

  /** GET /cosmos/gov/v1/proposals/{id}/deposits */
  deposits(ctx: Context, id: string): { deposits: unknown[]; pagination: ReturnType<typeof page> } {
    const deposits = this.k.getDeposits(ctx, parseId(id)).map(depositJson);
    return { deposits, pagination: page(deposits.length) };
  }

  /** GET /cosmos/gov/v1/proposals/{id}/deposits/{depositor} */
  deposit(ctx: Context, id: string, depositor: string): { deposit: unknown } {
    const pid = parseId(id);
    const d = this.k.getDeposit(ctx, pid, parseAddr(depositor, "depositor"));
    if (d === undefined) {
      throw new QueryError(GrpcCode.NotFound, `depositer: ${depositor} not found for proposal: ${pid}`);
    }
    return { deposit: depositJson(d) };
  }

  /** GET /cosmos/gov/v1/proposals/{id}/tally: live during voting, final afterwards, zeros in deposit period. */
  tally(ctx: Context, id: string): { tally: unknown } {
    const p = this.mustGet(ctx, id);
    if (p.status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD) return { tally: tallyJson(emptyTally()) };
    if (p.status === ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) {
      return { tally: tallyJson(tally(this.k, ctx, p, false).result) };
    }
    return { tally: tallyJson(p.finalTallyResult ?? emptyTally()) };
  }

  /** GET /cosmos/gov/v1/params/{params_type}: type in voting|deposit|tallying; `params` always complete. */
  params(ctx: Context, paramsType: string): Record<string, unknown> {
    const p: Params = this.k.getParams(ctx);
    const out: Record<string, unknown> = {
      voting_params: null,
      deposit_params: null,
      tally_params: null,
      params: paramsJson(p),
    };
    if (paramsType === "voting") out.voting_params = { voting_period: durationJson(p.votingPeriod) };
    else if (paramsType === "deposit") {
      out.deposit_params = {
        min_deposit: p.minDeposit.map((c) => ({ denom: c.denom, amount: c.amount })),
        max_deposit_period: durationJson(p.maxDepositPeriod),
      };
    } else if (paramsType === "tallying") {
      out.tally_params = { quorum: p.quorum, threshold: p.threshold, veto_threshold: p.vetoThreshold };
    } else throw new QueryError(GrpcCode.InvalidArgument, `${paramsType} is not a valid parameter type`);
    return out;
  }

  /** GET /cosmos/gov/v1/constitution */
  constitution(ctx: Context): { constitution: string } {
    return { constitution: this.k.getConstitution(ctx) };
  }
}
