// The narrow bank/auth interfaces staking needs (DESIGN.md rule 7): moving coins between accounts and its two
// pools, burning slashed tokens, and pool balances. Hooks are what distribution and slashing plug in.
import type { Coin } from "../../tx/coins.js";
import type { Context } from "../../tx/context.js";
import type { Dec } from "./dec.js";

export interface StakingBankKeeper {
  getBalance(ctx: Context, addr: Uint8Array, denom: string): Coin;
  getSupply(ctx: Context, denom: string): Coin;
  sendCoinsFromAccountToModule(ctx: Context, from: Uint8Array, module: string, amt: readonly Coin[]): void;
  sendCoinsFromModuleToAccount(ctx: Context, module: string, to: Uint8Array, amt: readonly Coin[]): void;
  sendCoinsFromModuleToModule(ctx: Context, from: string, to: string, amt: readonly Coin[]): void;
  burnCoins(ctx: Context, module: string, amt: readonly Coin[]): void;
}

export interface StakingAccountKeeper {
  getModuleAddress(name: string): Uint8Array;
}

/**
 * Staking hooks (SDK x/staking/types/hooks.go, the subset this chain uses). Distribution settles rewards around
 * share changes; slashing creates signing info when a validator bonds.
 */
export interface StakingHooks {
  afterValidatorCreated?(ctx: Context, op: Uint8Array): void;
  afterValidatorBonded?(ctx: Context, consAddr: Uint8Array, op: Uint8Array): void;
  afterValidatorRemoved?(ctx: Context, consAddr: Uint8Array, op: Uint8Array): void;
  beforeDelegationCreated?(ctx: Context, del: Uint8Array, op: Uint8Array): void;
  beforeDelegationSharesModified?(ctx: Context, del: Uint8Array, op: Uint8Array): void;
  beforeDelegationRemoved?(ctx: Context, del: Uint8Array, op: Uint8Array): void;
  afterDelegationModified?(ctx: Context, del: Uint8Array, op: Uint8Array): void;
  beforeValidatorSlashed?(ctx: Context, op: Uint8Array, fraction: Dec): void;
}
