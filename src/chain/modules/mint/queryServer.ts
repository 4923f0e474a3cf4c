// Mint queries in the grpc-gateway JSON shapes (/cosmos/mint/v1beta1/{params,inflation,annual_provisions}).
// inflation and annual_provisions are `bytes` holding LegacyDec.Marshal() (the integer atomics as text), so the
// gateway shows base64 of that text (cosmjs reads it back with Decimal.fromAtomics(…, 18)).
import type { Context } from "../../tx/context.js";
import { toBase64, utf8 } from "../../../util/bytes.js";
import type { MintKeeper } from "./keeper.js";

type Json = Record<string, unknown>;
const b64 = (s: string): string => toBase64(utf8.encode(s));

export class MintQueryServer {
  constructor(private readonly k: MintKeeper) {}

  /** GET /cosmos/mint/v1beta1/params */
  params(ctx: Context): Json {
    const p = this.k.getParams(ctx);
    return {
      params: {
        mint_denom: p.mintDenom,
        inflation_rate_change: p.inflationRateChange.toString(),
        inflation_max: p.inflationMax.toString(),
        inflation_min: p.inflationMin.toString(),
        goal_bonded: p.goalBonded.toString(),
        blocks_per_year: p.blocksPerYear.toString(),
      },
    };
  }

  /** GET /cosmos/mint/v1beta1/inflation */
  inflation(ctx: Context): Json {
    return { inflation: b64(this.k.getMinter(ctx).inflation.toAtomics()) };
  }

  /** GET /cosmos/mint/v1beta1/annual_provisions */
  annualProvisions(ctx: Context): Json {
    return { annual_provisions: b64(this.k.getMinter(ctx).annualProvisions.toAtomics()) };
  }
}
