// The staking module's wiring: keeper over narrow bank/auth views, message types with handlers in the tx
// registry, the query server, and the end-block entry point the app calls after all txs of a block.
import type {
  MsgBeginRedelegate,
  MsgCancelUnbondingDelegation,
  MsgCreateValidator,
  MsgDelegate,
  MsgEditValidator,
  MsgUndelegate,
} from "cosmjs-types/cosmos/staking/v1beta1/tx";
import type { Context } from "../../tx/context.js";
import type { MsgRegistry } from "../../tx/msgRegistry.js";
import type { StakingAccountKeeper, StakingBankKeeper } from "./expectedKeepers.js";
import { StakingKeeper } from "./keeper.js";
import { BONDED_POOL_NAME, MODULE_NAME, NOT_BONDED_POOL_NAME } from "./keys.js";
import {
  MsgBeginRedelegateType,
  MsgCancelUnbondingDelegationType,
  MsgCreateValidatorType,
  MsgDelegateType,
  MsgEditValidatorType,
  MsgUndelegateType,
} from "./msgs.js";
import {
  handleBeginRedelegate,
  handleCancelUnbonding,
  handleCreateValidator,
  handleDelegate,
  handleEditValidator,
  handleUndelegate,
} from "./msgServer.js";
import { StakingQueryServer } from "./queryServer.js";
import type { ValidatorUpdate } from "./types.js";
import { stakingEndBlock } from "./valset.js";

/** Module accounts staking needs in auth's permission table (SDK maccPerms: both pools burn and stake). */
export const STAKING_MODULE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  [BONDED_POOL_NAME]: ["burner", "staking"],
  [NOT_BONDED_POOL_NAME]: ["burner", "staking"],
});

export interface StakingModule {
  readonly name: string;
  readonly keeper: StakingKeeper;
  readonly query: StakingQueryServer;
  /** EndBlock: validator-set updates for FinalizeBlock, then maturity of unbondings and redelegations. */
  endBlock(ctx: Context): ValidatorUpdate[];
}

/** Builds the module and registers its six messages (codec + handler) in `registry`. */
export function createStakingModule(
  ak: StakingAccountKeeper,
  bank: StakingBankKeeper,
  registry: MsgRegistry,
): StakingModule {
  const keeper = new StakingKeeper(bank, ak);
  registry.register<MsgCreateValidator>(MsgCreateValidatorType, (ctx, m) =>
    handleCreateValidator(keeper, ctx, m),
  );
  registry.register<MsgEditValidator>(MsgEditValidatorType, (ctx, m) => handleEditValidator(keeper, ctx, m));
  registry.register<MsgDelegate>(MsgDelegateType, (ctx, m) => handleDelegate(keeper, ctx, m));
  registry.register<MsgUndelegate>(MsgUndelegateType, (ctx, m) => handleUndelegate(keeper, ctx, m));
  registry.register<MsgBeginRedelegate>(MsgBeginRedelegateType, (ctx, m) =>
    handleBeginRedelegate(keeper, ctx, m),
  );
  registry.register<MsgCancelUnbondingDelegation>(MsgCancelUnbondingDelegationType, (ctx, m) =>
    handleCancelUnbonding(keeper, ctx, m),
  );
  return {
    name: MODULE_NAME,
    keeper,
    query: new StakingQueryServer(keeper),
    endBlock: (ctx) => stakingEndBlock(keeper, ctx),
  };
}
