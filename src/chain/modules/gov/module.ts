// The gov module's wiring: keeper over bank/staking (and optionally distribution) views, its six message types
// registered with handlers, the query server, and the end-block hook the app calls once per block.
import type {
  MsgCancelProposal,
  MsgDeposit,
  MsgUpdateParams,
  MsgVote,
  MsgVoteWeighted,
} from "cosmjs-types/cosmos/gov/v1/tx";
import type { MsgSubmitProposal } from "cosmjs-types/cosmos/gov/v1/tx";
import type { AppModule } from "../../app/module.js";
import type { Context } from "../../tx/context.js";
import type { MsgRegistry } from "../../tx/msgRegistry.js";
import { endBlock } from "./abci.js";
import type { GovBankKeeper, GovDistributionKeeper, GovStakingKeeper } from "./expectedKeepers.js";
import { GovKeeper } from "./keeper.js";
import { MODULE_NAME, STORE_PREFIX } from "./keys.js";
import { exportGovGenesis, initGovGenesis } from "./genesis.js";
import { govGrpc } from "./grpc.js";
import {
  MsgCancelProposalType,
  MsgDepositType,
  MsgUpdateParamsType,
  MsgVoteType,
  MsgVoteWeightedType,
  msgSubmitProposalType,
} from "./msgs.js";
import {
  handleCancelProposal,
  handleDeposit,
  handleSubmitProposal,
  handleUpdateParams,
  handleVote,
  handleVoteWeighted,
} from "./msgServer.js";
import { GovQueryServer } from "./queryServer.js";

export interface GovModule {
  readonly name: string;
  readonly keeper: GovKeeper;
  readonly query: GovQueryServer;
  /** Moves proposals through deposit → voting → passed/rejected/failed by block time. */
  endBlock(ctx: Context): void;
  /** The entry for the app's module list (genesis section "gov", end-block hook, gRPC queries). */
  readonly appModule: AppModule;
}

export interface GovModuleDeps {
  readonly bank: GovBankKeeper;
  readonly staking: GovStakingKeeper;
  readonly distribution?: GovDistributionKeeper;
}

/** Builds the module and registers the cosmos.gov.v1 messages (codec + handler) in `registry`. */
export function createGovModule(deps: GovModuleDeps, registry: MsgRegistry): GovModule {
  const keeper = new GovKeeper({ ...deps, registry });
  registry.register<MsgSubmitProposal>(msgSubmitProposalType(registry), (ctx, m) =>
    handleSubmitProposal(keeper, ctx, m),
  );
  registry.register<MsgDeposit>(MsgDepositType, (ctx, m) => handleDeposit(keeper, ctx, m));
  registry.register<MsgVote>(MsgVoteType, (ctx, m) => handleVote(keeper, ctx, m));
  registry.register<MsgVoteWeighted>(MsgVoteWeightedType, (ctx, m) => handleVoteWeighted(keeper, ctx, m));
  registry.register<MsgCancelProposal>(MsgCancelProposalType, (ctx, m) =>
    handleCancelProposal(keeper, ctx, m),
  );
  registry.register<MsgUpdateParams>(MsgUpdateParamsType, (ctx, m) => handleUpdateParams(keeper, ctx, m));
  const appModule: AppModule = {
    name: MODULE_NAME,
    storePrefix: STORE_PREFIX,
    initGenesis: (ctx, g) => {
      initGovGenesis(ctx, keeper, g ?? {});
      return undefined;
    },
    exportGenesis: (ctx) => exportGovGenesis(ctx, keeper),
    endBlock: (ctx) => {
      endBlock(keeper, ctx);
      return undefined;
    },
    grpcQueries: govGrpc(keeper),
  };
  return {
    name: MODULE_NAME,
    keeper,
    query: new GovQueryServer(keeper),
    endBlock: (ctx) => {
      endBlock(keeper, ctx);
    },
    appModule,
  };
}
