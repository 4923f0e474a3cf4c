// Proof of stake and governance in the module list: builds staking, distribution, slashing, mint and gov in
// the order their hooks need (staking/README "Wiring") and presents each as an AppModule for modules.ts.
import type { Context } from "../tx/context.js";
import type { MsgRegistry } from "../tx/msgRegistry.js";
import type { AuthKeeper } from "../modules/auth/keeper.js";
import type { BankKeeper } from "../modules/bank/keeper.js";
import { trackHistoricalInfo } from "../modules/staking/historical.js";
import { createStakingModule, type StakingModule } from "../modules/staking/module.js";
import { initStakingGenesis, exportStakingGenesis, type StakingGenesis } from "../modules/staking/genesis.js";
import { STORE_PREFIX as STAKING_PREFIX } from "../modules/staking/keys.js";
import { toAbciValidatorUpdates } from "../modules/staking/abci.js";
import { BondStatus } from "../modules/staking/types.js";
import { createDistributionModule, type DistributionModule } from "../modules/distribution/module.js";
import {
  exportDistributionGenesis,
  initDistributionGenesis,
  type DistributionGenesis,
} from "../modules/distribution/genesis.js";
import { STORE_PREFIX as DISTR_PREFIX } from "../modules/distribution/keys.js";
import { createSlashingModule, type SlashingModule } from "../modules/slashing/module.js";
import {
  exportSlashingGenesis,
  initSlashingGenesis,
  type SlashingGenesis,
} from "../modules/slashing/genesis.js";
import { STORE_PREFIX as SLASHING_PREFIX } from "../modules/slashing/keys.js";
import { createMintModule, type MintModule } from "../modules/mint/module.js";
import { exportMintGenesis, initMintGenesis, type MintGenesis } from "../modules/mint/genesis.js";
import { STORE_PREFIX as MINT_PREFIX } from "../modules/mint/keys.js";
import { createGovModule, type GovModule } from "../modules/gov/module.js";
import type { GovStakingKeeper } from "../modules/gov/expectedKeepers.js";
import type { AppModule, BlockHookInfo } from "./module.js";

/** CometBFT BlockIDFlag values slashing reads (tendermint/types/validator.proto). */
const BLOCK_ID_FLAG_ABSENT = 1;
const BLOCK_ID_FLAG_COMMIT = 2;

export interface PosModules {
  readonly staking: StakingModule;
  readonly distribution: DistributionModule;
  readonly slashing: SlashingModule;
  readonly mint: MintModule;
  readonly gov: GovModule;
  /** Genesis order (SDK): distribution → staking → slashing → mint → gov (after auth and bank). */
  readonly genesisList: readonly AppModule[];
  /** Begin blockers in SDK v0.50 order: mint → distribution → slashing → staking (historical info). */
  readonly beginBlockers: readonly AppModule[];
  /** End blockers in SDK v0.50 order: gov → staking (staking's validator updates close the block). */
  readonly endBlockers: readonly AppModule[];
}

function section<T>(v: unknown, fallback: T): T {
  return (v === undefined ? fallback : v) as T;
}

/** gov's narrow staking view (gov README): bonded validators, a voter's delegations, total bonded. */
function govStakingView(sm: StakingModule): GovStakingKeeper {
  const sk = sm.keeper;
  return {
    bondedValidators: (ctx) =>
      [...sk.iterateValidators(ctx)]
        .filter((v) => v.status === BondStatus.Bonded)
        .map((v) => ({
          operator: v.operator,
          bondedTokens: v.tokens,
          delegatorShares: v.delegatorShares.raw,
        })),
    delegationsOf: (ctx, d) =>
      [...sk.iterateDelegations(ctx, d)].map((x) => ({ validator: x.validator, shares: x.shares.raw })),
    totalBondedTokens: (ctx) => sk.totalBondedTokens(ctx),
  };
}

/** Slashing reads a block-id flag; the app's hook info says signed (COMMIT or NIL) or not (ABSENT). */
function slashingVotes(b: BlockHookInfo): { address: Uint8Array; power: bigint; blockIdFlag: number }[] {
  return b.lastCommitVotes.map((v) => ({
    address: v.address,
    power: v.power,
    blockIdFlag: v.signed ? BLOCK_ID_FLAG_COMMIT : BLOCK_ID_FLAG_ABSENT,
  }));
}

function stakingAppModule(staking: StakingModule): AppModule {
  return {
    name: staking.name,
    storePrefix: STAKING_PREFIX,
    initGenesis: (ctx, g) =>
      toAbciValidatorUpdates(initStakingGenesis(ctx, staking.keeper, section<StakingGenesis>(g, {}))),
    exportGenesis: (ctx) => exportStakingGenesis(ctx, staking.keeper),
    // SDK v0.50 staking BeginBlocker: TrackHistoricalInfo.
    beginBlock: (ctx, b) => {
      trackHistoricalInfo(staking.keeper, ctx, {
        chainId: b.chainId ?? ctx.chainId,
        height: b.height,
        timeNs: b.timeNs,
        proposerAddress: b.proposerAddress,
        nextValidatorsHash: b.nextValidatorsHash ?? new Uint8Array(),
        appHash: b.lastAppHash ?? new Uint8Array(),
      });
    },
    endBlock: (ctx) => toAbciValidatorUpdates(staking.endBlock(ctx)),
    grpcQueries: staking.grpcQueries,
  };
}

function distributionAppModule(distr: DistributionModule): AppModule {
  return {
    name: distr.name,
    storePrefix: DISTR_PREFIX,
    initGenesis: (ctx, g) => {
      initDistributionGenesis(ctx, distr.keeper, section<DistributionGenesis>(g, {}));
      return undefined;
    },
    exportGenesis: (ctx) => exportDistributionGenesis(ctx, distr.keeper),
    // SDK v0.50 allocates by every vote of the last commit, signed or not.
    beginBlock: (ctx, b) => {
      distr.beginBlock(
        ctx,
        b.lastCommitVotes.map((v) => ({ address: v.address, power: v.power })),
      );
    },
    grpcQueries: distr.grpcQueries,
  };
}

function slashingAppModule(slashing: SlashingModule): AppModule {
  return {
    name: slashing.name,
    storePrefix: SLASHING_PREFIX,
    initGenesis: (ctx, g) => {
      initSlashingGenesis(ctx, slashing.keeper, section<SlashingGenesis>(g, {}));
      return undefined;
    },
    exportGenesis: (ctx) => exportSlashingGenesis(ctx, slashing.keeper),
    beginBlock: (ctx, b) => {
      slashing.beginBlock(ctx, slashingVotes(b), b.misbehavior);
    },
    grpcQueries: slashing.grpcQueries,
  };
}

function mintAppModule(mint: MintModule): AppModule {
  return {
    name: mint.name,
    storePrefix: MINT_PREFIX,
    initGenesis: (ctx, g) => {
      initMintGenesis(ctx, mint.keeper, section<MintGenesis>(g, {}));
      return undefined;
    },
    exportGenesis: (ctx) => exportMintGenesis(ctx, mint.keeper),
    beginBlock: (ctx: Context) => {
      mint.beginBlock(ctx);
    },
    grpcQueries: mint.grpcQueries,
  };
}

/**
 * Builds the five modules on auth's and bank's keepers; registers their messages in `registry`. Hooks go to
 * staking in SDK order: distribution first, then slashing.
 */
export function createPosModules(auth: AuthKeeper, bank: BankKeeper, registry: MsgRegistry): PosModules {
  const staking = createStakingModule(auth, bank, registry);
  const distribution = createDistributionModule(auth, bank, staking.keeper, registry);
  const slashing = createSlashingModule(staking.slashingView, registry);
  const mint = createMintModule(bank, staking.keeper);
  const gov = createGovModule({ bank, staking: govStakingView(staking) }, registry);
  const s = stakingAppModule(staking);
  const d = distributionAppModule(distribution);
  const sl = slashingAppModule(slashing);
  const m = mintAppModule(mint);
  return {
    staking,
    distribution,
    slashing,
    mint,
    gov,
    genesisList: [d, s, sl, m, gov.appModule],
    beginBlockers: [m, d, sl, s],
    endBlockers: [gov.appModule, s],
  };
}
