// The distribution module's wiring: keeper (also registered as staking hooks), message types with handlers,
// the query server, and the begin-block allocation the app calls after mint and before slashing.
import type {
  MsgFundCommunityPool,
  MsgSetWithdrawAddress,
  MsgWithdrawDelegatorReward,
  MsgWithdrawValidatorCommission,
} from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import type { Context } from "../../tx/context.js";
import type { MsgRegistry } from "../../tx/msgRegistry.js";
import type { StakingHooks } from "../staking/expectedKeepers.js";
import type {
  DistributionAccountKeeper,
  DistributionBankKeeper,
  DistributionStakingKeeper,
} from "./expectedKeepers.js";
import { DistributionKeeper, type VoteWeight } from "./keeper.js";
import { MODULE_NAME } from "./keys.js";
import {
  MsgFundCommunityPoolType,
  MsgSetWithdrawAddressType,
  MsgWithdrawDelegatorRewardType,
  MsgWithdrawValidatorCommissionType,
} from "./msgs.js";
import {
  handleFundCommunityPool,
  handleSetWithdrawAddress,
  handleWithdrawDelegatorReward,
  handleWithdrawValidatorCommission,
} from "./msgServer.js";
import { DistributionQueryServer } from "./queryServer.js";
import { distributionGrpc } from "./grpc.js";
import type { GrpcHandler } from "../staking/grpc.js";

/** The distribution module account holds rewards and the community pool (SDK maccPerms: no permissions). */
export const DISTRIBUTION_MODULE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  [MODULE_NAME]: [],
});

export interface DistributionModule {
  readonly name: string;
  readonly keeper: DistributionKeeper;
  readonly query: DistributionQueryServer;
  readonly grpcQueries: Readonly<Record<string, GrpcHandler>>;
  /** BeginBlock (height > 1): allocate fee_collector's balance by the previous block's votes. */
  beginBlock(ctx: Context, votes: readonly VoteWeight[]): void;
}

/**
 * Builds the module, registers its four messages and adds its hooks to staking via `addHooks` (call before
 * slashing's, as SDK app.go orders them).
 */
export function createDistributionModule(
  ak: DistributionAccountKeeper,
  bank: DistributionBankKeeper,
  staking: DistributionStakingKeeper & { addHooks(h: StakingHooks): void },
  registry: MsgRegistry,
): DistributionModule {
  const keeper = new DistributionKeeper(bank, ak, staking);
  staking.addHooks(keeper);
  registry.register<MsgSetWithdrawAddress>(MsgSetWithdrawAddressType, (ctx, m) =>
    handleSetWithdrawAddress(keeper, ctx, m),
  );
  registry.register<MsgWithdrawDelegatorReward>(MsgWithdrawDelegatorRewardType, (ctx, m) =>
    handleWithdrawDelegatorReward(keeper, ctx, m),
  );
  registry.register<MsgWithdrawValidatorCommission>(MsgWithdrawValidatorCommissionType, (ctx, m) =>
    handleWithdrawValidatorCommission(keeper, ctx, m),
  );
  registry.register<MsgFundCommunityPool>(MsgFundCommunityPoolType, (ctx, m) =>
    handleFundCommunityPool(keeper, ctx, m),
  );
  const query = new DistributionQueryServer(keeper);
  return {
    name: MODULE_NAME,
    keeper,
    query,
    grpcQueries: distributionGrpc(keeper, query),
    beginBlock: (ctx, votes) => {
      if (ctx.blockHeight > 1n) keeper.allocateTokens(ctx, votes);
    },
  };
}
