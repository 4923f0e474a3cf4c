// The compute module's wiring: keeper, enclave engine, contract runner, message handlers registered in the tx
// registry (codecs are registered by ../../tx/secretMsgs.ts), the query server, and the AppModule entry
// (genesis) the app puts in its module list.
import type { AppModule } from "../../app/module.js";
import type { MsgRegistry } from "../../tx/msgRegistry.js";
import type { ComputeChainQueries } from "./chainQueries.js";
import { ComputeEngine } from "./engine.js";
import type {
  ComputeAccountKeeper,
  ComputeBankKeeper,
  ComputeBlockSource,
  ComputeEnclave,
} from "./expectedKeepers.js";
import { exportComputeGenesis, initComputeGenesis } from "./genesis.js";
import { ComputeKeeper } from "./keeper.js";
import { MODULE_NAME, STORE_PREFIX } from "./keys.js";
import {
  handleClearAdmin,
  handleExecute,
  handleInstantiate,
  handleMigrate,
  handleStoreCode,
  handleUpdateAdmin,
  type ComputeMsgDeps,
} from "./msgServer.js";
import {
  COMPUTE_TYPE_URLS as T,
  type MsgClearAdmin,
  type MsgExecuteContract,
  type MsgInstantiateContract,
  type MsgMigrateContract,
  type MsgStoreCode,
  type MsgUpdateAdmin,
} from "./proto.js";
import { ComputeQueryServer } from "./queryServer.js";
import { computeUpdateParamsSpec } from "./params.js";
import { computeGrpc } from "./grpcQueries.js";
import { registerUpdateParams } from "../gov/authority.js";
import { ContractRunner } from "./runner.js";

export interface ComputeModuleOptions {
  readonly enclave: ComputeEnclave;
  /** Bank's send-only keeper. */
  readonly bank: ComputeBankKeeper;
  readonly accounts: ComputeAccountKeeper;
  /** Per-block facts from the app: the block random and the tx being delivered. */
  readonly block: ComputeBlockSource;
  /** Registry in which the compute codecs are already registered (registerSecretMsgTypes). */
  readonly registry: MsgRegistry;
  /** Contract queries to staking, distribution, mint, gov and Stargate paths (./chainQueries.ts; optional). */
  readonly chainQueries?: ComputeChainQueries | undefined;
  /** This node's smart query gas limit (Secret: app.toml `contract-query-gas-limit`); default 10,000,000. */
  readonly queryGasLimit?: bigint | undefined;
}

export interface ComputeModule {
  readonly name: string;
  readonly keeper: ComputeKeeper;
  readonly engine: ComputeEngine;
  readonly runner: ContractRunner;
  readonly query: ComputeQueryServer;
  /** The entry for the app's module list (genesis section "compute"). */
  readonly appModule: AppModule;
}

export function createComputeModule(o: ComputeModuleOptions): ComputeModule {
  const keeper = new ComputeKeeper();
  const engine = new ComputeEngine(o.enclave, keeper, o.bank, o.block, o.chainQueries);
  const runner = new ContractRunner(engine, keeper, o.bank, o.accounts, o.enclave, o.registry);
  const d: ComputeMsgDeps = { keeper, runner, enclave: o.enclave, accounts: o.accounts, block: o.block };
  o.registry.setHandler<MsgStoreCode>(T.MsgStoreCode, (ctx, m) => handleStoreCode(d, ctx, m));
  o.registry.setHandler<MsgInstantiateContract>(T.MsgInstantiateContract, (ctx, m) =>
    handleInstantiate(d, ctx, m),
  );
  o.registry.setHandler<MsgExecuteContract>(T.MsgExecuteContract, (ctx, m) => handleExecute(d, ctx, m));
  o.registry.setHandler<MsgMigrateContract>(T.MsgMigrateContract, (ctx, m) => handleMigrate(d, ctx, m));
  o.registry.setHandler<MsgUpdateAdmin>(T.MsgUpdateAdmin, (ctx, m) => handleUpdateAdmin(d, ctx, m));
  o.registry.setHandler<MsgClearAdmin>(T.MsgClearAdmin, (ctx, m) => handleClearAdmin(d, ctx, m));
  // Codec and handler in one (the other modules' MsgUpdateParams are in ../../app/updateParams.ts, which runs
  // before this keeper exists).
  registerUpdateParams(
    o.registry,
    computeUpdateParamsSpec((ctx, p) => {
      keeper.setParams(ctx, p);
    }),
  );
  const query = new ComputeQueryServer(keeper, engine, o.queryGasLimit);
  const appModule: AppModule = {
    name: MODULE_NAME,
    storePrefix: STORE_PREFIX,
    initGenesis: (ctx, g) => {
      initComputeGenesis(ctx, keeper, o.enclave, g ?? {});
      return undefined;
    },
    exportGenesis: (ctx) => exportComputeGenesis(ctx, keeper),
    grpcQueries: computeGrpc(keeper, query),
  };
  return { name: MODULE_NAME, keeper, engine, runner, query, appModule };
}
