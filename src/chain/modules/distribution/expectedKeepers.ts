// The narrow bank/auth/staking views distribution needs (DESIGN.md rule 7).
import type { Coin } from "../../tx/coins.js";
import type { Context } from "../../tx/context.js";
import type { Delegation, Validator } from "../staking/types.js";

export interface DistributionBankKeeper {
  getAllBalances(ctx: Context, addr: Uint8Array): Coin[];
  sendCoinsFromModuleToModule(ctx: Context, from: string, to: string, amt: readonly Coin[]): void;
  sendCoinsFromModuleToAccount(ctx: Context, module: string, to: Uint8Array, amt: readonly Coin[]): void;
  sendCoinsFromAccountToModule(ctx: Context, from: Uint8Array, module: string, amt: readonly Coin[]): void;
  blockedAddr(addr: Uint8Array): boolean;
}

export interface DistributionAccountKeeper {
  getModuleAddress(name: string): Uint8Array;
}

export interface DistributionStakingKeeper {
  getValidator(ctx: Context, op: Uint8Array): Validator | undefined;
  getValidatorByConsAddr(ctx: Context, cons: Uint8Array): Validator | undefined;
  getDelegation(ctx: Context, del: Uint8Array, op: Uint8Array): Delegation | undefined;
  iterateDelegations(ctx: Context, del?: Uint8Array): Iterable<Delegation>;
  bondDenom(ctx: Context): string;
}
