// The narrow staking view slashing needs (DESIGN.md rule 7): look validators up, slash, jail, unjail.
import type { Context } from "../../tx/context.js";
import type { Dec } from "../staking/dec.js";
import type { StakingHooks } from "../staking/expectedKeepers.js";
import type { Delegation, Validator } from "../staking/types.js";

export interface SlashingStakingKeeper {
  getValidator(ctx: Context, op: Uint8Array): Validator | undefined;
  getValidatorByConsAddr(ctx: Context, cons: Uint8Array): Validator | undefined;
  getDelegation(ctx: Context, del: Uint8Array, op: Uint8Array): Delegation | undefined;
  /** Returns the tokens burned from the validator. */
  slash(ctx: Context, cons: Uint8Array, infractionHeight: bigint, power: bigint, fraction: Dec): bigint;
  jail(ctx: Context, cons: Uint8Array): void;
  unjail(ctx: Context, op: Uint8Array): void;
  bondDenom(ctx: Context): string;
  addHooks(h: StakingHooks): void;
}
