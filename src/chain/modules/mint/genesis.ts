// Mint genesis in the SDK's JSON shape: {minter: {inflation, annual_provisions}, params}.
import type { Context } from "../../tx/context.js";
import { Dec } from "../staking/dec.js";
import type { MintKeeper } from "./keeper.js";
import { MintQueryServer } from "./queryServer.js";

export interface MintGenesis {
  readonly minter?: { readonly inflation: string; readonly annual_provisions: string };
  readonly params?: Readonly<Record<string, string>>;
}

export function initMintGenesis(ctx: Context, k: MintKeeper, g: MintGenesis): void {
  if (g.minter !== undefined) {
    k.setMinter(ctx, {
      inflation: Dec.fromString(g.minter.inflation),
      annualProvisions: Dec.fromString(g.minter.annual_provisions),
    });
  }
  const p = g.params;
  if (p !== undefined) {
    k.setParams(ctx, {
      mintDenom: p.mint_denom ?? "",
      inflationRateChange: Dec.fromString(p.inflation_rate_change ?? ""),
      inflationMax: Dec.fromString(p.inflation_max ?? ""),
      inflationMin: Dec.fromString(p.inflation_min ?? ""),
      goalBonded: Dec.fromString(p.goal_bonded ?? ""),
      blocksPerYear: BigInt(p.blocks_per_year ?? "0"),
    });
  }
}

export function exportMintGenesis(ctx: Context, k: MintKeeper): MintGenesis {
  const m = k.getMinter(ctx);
  return {
    minter: { inflation: m.inflation.toString(), annual_provisions: m.annualProvisions.toString() },
    params: new MintQueryServer(k).params(ctx).params as Record<string, string>,
  };
}
