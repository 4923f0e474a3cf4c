// gRPC query methods of cosmos.gov.v1.Query over ABCI Query (path = full method name, data = protobuf request):
// decode the request (malformed → InvalidArgument), answer through GovQueries, encode the protobuf response.
import {
  QueryConstitutionResponse,
  QueryDepositRequest,
  QueryDepositResponse,
  QueryDepositsRequest,
  QueryDepositsResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryProposalRequest,
  QueryProposalResponse,
  QueryProposalsRequest,
  QueryProposalsResponse,
  QueryTallyResultRequest,
  QueryTallyResultResponse,
  QueryVoteRequest,
  QueryVoteResponse,
  QueryVotesRequest,
  QueryVotesResponse,
} from "cosmjs-types/cosmos/gov/v1/query";
import { GrpcCode, QueryError } from "../../errors.js";
import type { Context } from "../../tx/context.js";
import type { GovKeeper } from "./keeper.js";
import { GovQueries } from "./queryServer.js";

/** Same shape as the app's GrpcQueryHandler (chain/app/module.ts), declared here to keep the import downward. */
export type GovGrpcHandler = (ctx: Context, request: Uint8Array) => Uint8Array;

const SVC = "/cosmos.gov.v1.Query/";

function req<T>(decode: (b: Uint8Array) => T, b: Uint8Array): T {
  try {
    return decode(b);
  } catch {
    throw new QueryError(GrpcCode.InvalidArgument, "malformed request");
  }
}

const page = (n: number) => ({ nextKey: new Uint8Array(), total: BigInt(n) });

/** Full method name → handler, for the app's module list. */
export function govGrpc(k: GovKeeper): Readonly<Record<string, GovGrpcHandler>> {
  const q = new GovQueries(k);
  return {
    [`${SVC}Proposal`]: (ctx, b) => {
      const r = req((x) => QueryProposalRequest.decode(x), b);
      return QueryProposalResponse.encode({ proposal: q.proposal(ctx, r.proposalId) }).finish();
    },
    [`${SVC}Proposals`]: (ctx, b) => {
      const r = req((x) => QueryProposalsRequest.decode(x), b);
      const ps = q.proposals(ctx, {
        proposal_status: r.proposalStatus,
        voter: r.voter,
        depositor: r.depositor,
      });
      return QueryProposalsResponse.encode({ proposals: ps, pagination: page(ps.length) }).finish();
    },
    [`${SVC}Vote`]: (ctx, b) => {
      const r = req((x) => QueryVoteRequest.decode(x), b);
      return QueryVoteResponse.encode({ vote: q.vote(ctx, r.proposalId, r.voter) }).finish();
    },
    [`${SVC}Votes`]: (ctx, b) => {
      const r = req((x) => QueryVotesRequest.decode(x), b);
      const votes = q.votes(ctx, r.proposalId);
      return QueryVotesResponse.encode({ votes, pagination: page(votes.length) }).finish();
    },
    [`${SVC}Deposit`]: (ctx, b) => {
      const r = req((x) => QueryDepositRequest.decode(x), b);
      return QueryDepositResponse.encode({ deposit: q.deposit(ctx, r.proposalId, r.depositor) }).finish();
    },
    [`${SVC}Deposits`]: (ctx, b) => {
      const r = req((x) => QueryDepositsRequest.decode(x), b);
      const deposits = q.deposits(ctx, r.proposalId);
      return QueryDepositsResponse.encode({ deposits, pagination: page(deposits.length) }).finish();
    },
    [`${SVC}TallyResult`]: (ctx, b) => {
      const r = req((x) => QueryTallyResultRequest.decode(x), b);
      return QueryTallyResultResponse.encode({ tally: q.tally(ctx, r.proposalId) }).finish();
    },
    [`${SVC}Params`]: (ctx, b) => {
      const r = req((x) => QueryParamsRequest.decode(x), b);
      const p = q.params(ctx, r.paramsType);
      const out: QueryParamsResponse = { params: p };
      // SDK v0.50 still fills the deprecated legacy sub-object that matches params_type.
      /* eslint-disable @typescript-eslint/no-deprecated */
      if (r.paramsType === "voting" && p.votingPeriod !== undefined) {
        out.votingParams = { votingPeriod: p.votingPeriod };
      }
      if (r.paramsType === "deposit") {
        out.depositParams = { minDeposit: p.minDeposit };
        if (p.maxDepositPeriod !== undefined) out.depositParams.maxDepositPeriod = p.maxDepositPeriod;
      }
      if (r.paramsType === "tallying") {
        out.tallyParams = { quorum: p.quorum, threshold: p.threshold, vetoThreshold: p.vetoThreshold };
      }
      /* eslint-enable @typescript-eslint/no-deprecated */
      return QueryParamsResponse.encode(out).finish();
    },
    [`${SVC}Constitution`]: (ctx) =>
      QueryConstitutionResponse.encode({ constitution: k.getConstitution(ctx) }).finish(),
  };
}
