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
import { stakingGrpc, type GrpcHandler } from "./grpc.js";
import { historicalInfoGrpc } from "./historical.js";
import type { ValidatorUpdate } from "./types.js";
import { jail, stakingEndBlock, unjail } from "./valset.js";
import { slash } from "./slash.js";
import type { Dec } from "./dec.js";
import type { StakingHooks } from "./expectedKeepers.js";
import type { Delegation, Validator } from "./types.js";

/** Module accounts staking needs in auth's permission table (SDK maccPerms: both pools burn and stake). */
export const STAKING_MODULE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  [BONDED_POOL_NAME]: ["burner", "staking"],
  [NOT_BONDED_POOL_NAME]: ["burner", "staking"],
});

export interface StakingModule {
  readonly name: string;
  readonly keeper: StakingKeeper;
  readonly query: StakingQueryServer;
  /** gRPC method path → protobuf handler (ABCI Query). */
  readonly grpcQueries: Readonly<Record<string, GrpcHandler>>;
  /** EndBlock: validator-set updates for FinalizeBlock, then maturity of unbondings and redelegations. */
  endBlock(ctx: Context): ValidatorUpdate[];
  /** What slashing may do to staking: look up, slash, jail, unjail (hand this to createSlashingModule). */
  readonly slashingView: StakingSlashingView;
}

export interface StakingSlashingView {
  getValidator(ctx: Context, op: Uint8Array): Validator | undefined;
  getValidatorByConsAddr(ctx: Context, cons: Uint8Array): Validator | undefined;
  getDelegation(ctx: Context, del: Uint8Array, op: Uint8Array): Delegation | undefined;
  slash(ctx: Context, cons: Uint8Array, infractionHeight: bigint, power: bigint, fraction: Dec): bigint;
  jail(ctx: Context, cons: Uint8Array): void;
  unjail(ctx: Context, op: Uint8Array): void;
  bondDenom(ctx: Context): string;
  addHooks(h: StakingHooks): void;
}

function slashingView(k: StakingKeeper): StakingSlashingView {
  return Object.freeze({
    getValidator: (ctx: Context, op: Uint8Array) => k.getValidator(ctx, op),
    getValidatorByConsAddr: (ctx: Context, cons: Uint8Array) => k.getValidatorByConsAddr(ctx, cons),
    getDelegation: (ctx: Context, del: Uint8Array, op: Uint8Array) => k.getDelegation(ctx, del, op),
    slash: (ctx: Context, cons: Uint8Array, h: bigint, power: bigint, f: Dec) =>
      slash(k, ctx, cons, h, power, f),
    jail: (ctx: Context, cons: Uint8Array) => {
      jail(k, ctx, cons);
    },
    unjail: (ctx: Context, op: Uint8Array) => {
      unjail(k, ctx, op);
    },
    bondDenom: (ctx: Context) => k.bondDenom(ctx),
    addHooks: (h: StakingHooks) => {
      k.addHooks(h);
    },
  });
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
  const query = new StakingQueryServer(keeper);
  return {
    name: MODULE_NAME,
    keeper,
    query,
    grpcQueries: { ...stakingGrpc(keeper, query), ...historicalInfoGrpc(keeper) },
    endBlock: (ctx) => stakingEndBlock(keeper, ctx),
    slashingView: slashingView(keeper),
  };
}
