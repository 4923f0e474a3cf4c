// The narrow bank/staking views mint needs (DESIGN.md rule 7): mint into its own account, pay fee_collector,
// and read the staking supply and bonded ratio.
import type { Coin } from "../../tx/coins.js";
import type { Context } from "../../tx/context.js";

export interface MintBankKeeper {
  mintCoins(ctx: Context, module: string, amt: readonly Coin[]): void;
  sendCoinsFromModuleToModule(ctx: Context, from: string, to: string, amt: readonly Coin[]): void;
}

export interface MintStakingKeeper {
  stakingTokenSupply(ctx: Context): bigint;
  totalBondedTokens(ctx: Context): bigint;
}
