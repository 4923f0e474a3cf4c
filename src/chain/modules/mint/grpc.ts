// Mint gRPC query methods over ABCI Query (Params, Inflation, AnnualProvisions); the Dec `bytes` fields carry
// LegacyDec.Marshal(), the integer atomics as text.
import {
  QueryAnnualProvisionsResponse,
  QueryInflationResponse,
  QueryParamsResponse,
} from "cosmjs-types/cosmos/mint/v1beta1/query";
import { utf8 } from "../../../util/bytes.js";
import type { GrpcHandler } from "../staking/grpc.js";
import type { MintKeeper } from "./keeper.js";

const M = "/cosmos.mint.v1beta1.Query/";

export function mintGrpc(k: MintKeeper): Record<string, GrpcHandler> {
  return {
    [`${M}Params`]: (ctx) => {
      const p = k.getParams(ctx);
      return QueryParamsResponse.encode({
        params: {
          mintDenom: p.mintDenom,
          inflationRateChange: p.inflationRateChange.toAtomics(),
          inflationMax: p.inflationMax.toAtomics(),
          inflationMin: p.inflationMin.toAtomics(),
          goalBonded: p.goalBonded.toAtomics(),
          blocksPerYear: p.blocksPerYear,
        },
      }).finish();
    },
    [`${M}Inflation`]: (ctx) =>
      QueryInflationResponse.encode({
        inflation: utf8.encode(k.getMinter(ctx).inflation.toAtomics()),
      }).finish(),
    [`${M}AnnualProvisions`]: (ctx) =>
      QueryAnnualProvisionsResponse.encode({
        annualProvisions: utf8.encode(k.getMinter(ctx).annualProvisions.toAtomics()),
      }).finish(),
  };
}
