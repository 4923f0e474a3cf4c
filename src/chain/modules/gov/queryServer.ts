// Gov queries: proto-level answers (`GovQueries`, used by the gRPC handlers in grpc.ts) and their grpc-gateway
// JSON renderings (`GovQueryServer`, GET /cosmos/gov/v1/...). Pagination keys are not supported.
import {
  ProposalStatus,
  proposalStatusFromJSON,
  type Deposit,
  type Params,
  type Proposal,
  type TallyResult,
  type Vote,
} from "cosmjs-types/cosmos/gov/v1/gov";
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
const MAX_U64 = 0xffff_ffff_ffff_ffffn;

/** A route's proposal id: decimal uint64, not 0 (SDK "proposal id can not be 0"). */
export function parseProposalId(s: string | bigint): bigint {
  const id = typeof s === "bigint" ? s : U64_RE.test(s) ? BigInt(s) : -1n;
  if (id < 0n || id > MAX_U64) throw new QueryError(GrpcCode.InvalidArgument, `invalid proposal id: ${s}`);
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

/** Status filter: "" / absent = any; enum name or number otherwise. */
function parseStatus(s: string | number | undefined): ProposalStatus {
  if (s === undefined || s === "") return ProposalStatus.PROPOSAL_STATUS_UNSPECIFIED;
  const st = proposalStatusFromJSON(typeof s === "string" && /^\d+$/.test(s) ? Number(s) : s);
  if (st === ProposalStatus.UNRECOGNIZED) {
    throw new QueryError(GrpcCode.InvalidArgument, `invalid proposal status: ${String(s)}`);
  }
  return st;
}

export interface ProposalFilters {
  readonly proposal_status?: string | number;
  readonly voter?: string;
  readonly depositor?: string;
}

/** Proto-level answers with the SDK's validation and errors. */
export class GovQueries {
  constructor(readonly k: GovKeeper) {}

  proposal(ctx: Context, id: string | bigint): Proposal {
    const pid = parseProposalId(id);
    const p = this.k.getProposal(ctx, pid);
    if (p === undefined) throw new QueryError(GrpcCode.NotFound, `proposal ${pid} doesn't exist`);
    return p;
  }

  proposals(ctx: Context, f: ProposalFilters): Proposal[] {
    const status = parseStatus(f.proposal_status);
    const voter = f.voter === undefined || f.voter === "" ? undefined : parseAddr(f.voter, "voter");
    const dep =
      f.depositor === undefined || f.depositor === "" ? undefined : parseAddr(f.depositor, "depositor");
    const out: Proposal[] = [];
    for (const p of this.k.iterateProposals(ctx)) {
      if (status !== ProposalStatus.PROPOSAL_STATUS_UNSPECIFIED && p.status !== status) continue;
      if (voter !== undefined && this.k.getVote(ctx, p.id, voter) === undefined) continue;
      if (dep !== undefined && this.k.getDeposit(ctx, p.id, dep) === undefined) continue;
      out.push(p);
    }
    return out;
  }

  votes(ctx: Context, id: string | bigint): Vote[] {
    return this.k.getVotes(ctx, parseProposalId(id));
  }

  vote(ctx: Context, id: string | bigint, voter: string): Vote {
    const pid = parseProposalId(id);
    const v = this.k.getVote(ctx, pid, parseAddr(voter, "voter"));
    if (v === undefined)
      throw new QueryError(GrpcCode.NotFound, `voter: ${voter} not found for proposal: ${pid}`);
    return v;
  }

  deposits(ctx: Context, id: string | bigint): Deposit[] {
    return this.k.getDeposits(ctx, parseProposalId(id));
  }

  deposit(ctx: Context, id: string | bigint, depositor: string): Deposit {
    const pid = parseProposalId(id);
    const d = this.k.getDeposit(ctx, pid, parseAddr(depositor, "depositor"));
    if (d === undefined) {
      throw new QueryError(GrpcCode.NotFound, `depositer: ${depositor} not found for proposal: ${pid}`);
    }
    return d;
  }

  /** Zeros in deposit period, a live tally during voting (votes kept), the final tally afterwards. */
  tally(ctx: Context, id: string | bigint): TallyResult {
    const p = this.proposal(ctx, id);
    if (p.status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD) return emptyTally();
    if (p.status === ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) return tally(this.k, ctx, p, false).result;
    return p.finalTallyResult ?? emptyTally();
  }

  /** Params; `paramsType` must be voting | deposit | tallying (which legacy sub-object to fill). */
  params(ctx: Context, paramsType: string): Params {
    if (!["voting", "deposit", "tallying"].includes(paramsType)) {
      throw new QueryError(GrpcCode.InvalidArgument, `${paramsType} is not a valid parameter type`);
    }
    return this.k.getParams(ctx);
  }
}

/** The same answers in grpc-gateway JSON, as the REST routes return them. */
export class GovQueryServer {
  readonly q: GovQueries;

  constructor(private readonly k: GovKeeper) {
    this.q = new GovQueries(k);
  }

  /** GET /cosmos/gov/v1/proposals?proposal_status=&voter=&depositor= */
  proposals(
    ctx: Context,
    f: ProposalFilters = {},
  ): { proposals: unknown[]; pagination: ReturnType<typeof page> } {
    const ps = this.q.proposals(ctx, f).map((p) => proposalJson(this.k.deps.registry, p));
    return { proposals: ps, pagination: page(ps.length) };
  }

  /** GET /cosmos/gov/v1/proposals/{id} */
  proposal(ctx: Context, id: string): { proposal: unknown } {
    return { proposal: proposalJson(this.k.deps.registry, this.q.proposal(ctx, id)) };
  }

  /** GET /cosmos/gov/v1/proposals/{id}/votes */
  votes(ctx: Context, id: string): { votes: unknown[]; pagination: ReturnType<typeof page> } {
    const votes = this.q.votes(ctx, id).map(voteJson);
    return { votes, pagination: page(votes.length) };
  }

  /** GET /cosmos/gov/v1/proposals/{id}/votes/{voter} */
  vote(ctx: Context, id: string, voter: string): { vote: unknown } {
    return { vote: voteJson(this.q.vote(ctx, id, voter)) };
  }

  /** GET /cosmos/gov/v1/proposals/{id}/deposits */
  deposits(ctx: Context, id: string): { deposits: unknown[]; pagination: ReturnType<typeof page> } {
    const deposits = this.q.deposits(ctx, id).map(depositJson);
    return { deposits, pagination: page(deposits.length) };
  }

  /** GET /cosmos/gov/v1/proposals/{id}/deposits/{depositor} */
  deposit(ctx: Context, id: string, depositor: string): { deposit: unknown } {
    return { deposit: depositJson(this.q.deposit(ctx, id, depositor)) };
  }

  /** GET /cosmos/gov/v1/proposals/{id}/tally */
  tally(ctx: Context, id: string): { tally: unknown } {
    return { tally: tallyJson(this.q.tally(ctx, id)) };
  }

  /** GET /cosmos/gov/v1/params/{params_type}: the chosen legacy sub-object filled, the others null. */
  params(ctx: Context, paramsType: string): Record<string, unknown> {
    const p = this.q.params(ctx, paramsType);
    return {
      voting_params: paramsType === "voting" ? { voting_period: durationJson(p.votingPeriod) } : null,
      deposit_params:
        paramsType === "deposit"
          ? {
              min_deposit: p.minDeposit.map((c) => ({ denom: c.denom, amount: c.amount })),
              max_deposit_period: durationJson(p.maxDepositPeriod),
            }
          : null,
      tally_params:
        paramsType === "tallying"
          ? { quorum: p.quorum, threshold: p.threshold, veto_threshold: p.vetoThreshold }
          : null,
      params: paramsJson(p),
    };
  }

  /** GET /cosmos/gov/v1/constitution */
  constitution(ctx: Context): { constitution: string } {
    return { constitution: this.k.getConstitution(ctx) };
  }
}
