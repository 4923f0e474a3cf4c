// THE module list: every chain module is built and wired here, once, in dependency order, and the app only
// sees the resulting `AppModule` list. A new module (staking, gov, compute …) plugs in with one entry in
// `createChainModules` (build it, push its AppModule).
import { createAuthModule, type AuthModule } from "../modules/auth/module.js";
import { Permission } from "../modules/auth/types.js";
import { FEE_COLLECTOR_NAME } from "../modules/auth/keys.js";
import type { ModulePermissions } from "../modules/auth/keeper.js";
import { exportAuthGenesis, initAuthGenesis, type AuthGenesis } from "../modules/auth/genesis.js";
import { STORE_PREFIX as AUTH_PREFIX } from "../modules/auth/keys.js";
import { BASE_ACCOUNT_TYPE_URL } from "../modules/auth/types.js";
import { createBankModule, type BankModule } from "../modules/bank/module.js";
import { exportBankGenesis, initBankGenesis, type BankGenesis } from "../modules/bank/genesis.js";
import { STORE_PREFIX as BANK_PREFIX } from "../modules/bank/keys.js";
import { createRegistrationModule, type RegistrationModule } from "../modules/registration/module.js";
import {
  exportRegistrationGenesis,
  initRegistrationGenesis,
  type RegistrationGenesis,
} from "../modules/registration/genesis.js";
import {
  MODULE_NAME as REGISTRATION_NAME,
  STORE_PREFIX as REG_PREFIX,
} from "../modules/registration/keys.js";
import type { RegistrationEnclave } from "../modules/registration/expectedKeepers.js";
import { createComputeModule, type ComputeModule } from "../modules/compute/module.js";
import { createChainQueries } from "../modules/compute/chainQueries.js";
import { ProposalStatus } from "cosmjs-types/cosmos/gov/v1/gov";
import type { ComputeBlockSource, ComputeEnclave } from "../modules/compute/expectedKeepers.js";
import { RANDOM_STORE_PREFIX } from "../random.js";
import type { GasPrice } from "../tx/fees.js";
import { MsgRegistry } from "../tx/msgRegistry.js";
import type { TxEnv } from "../tx/runTx.js";
import { registerSecretMsgTypes } from "../tx/secretMsgs.js";
import { authGrpc, bankGrpc, registrationGrpc } from "./grpc.js";
import type { AppModule, GrpcQueryHandler } from "./module.js";
import { registerModuleUpdateParams } from "./updateParams.js";
import { createPosModules, type PosModules } from "./pos.js";
import { MINT_MODULE_PERMISSIONS } from "../modules/mint/module.js";
import { STAKING_MODULE_PERMISSIONS } from "../modules/staking/module.js";
import { DISTRIBUTION_MODULE_PERMISSIONS } from "../modules/distribution/module.js";
import { MODULE_NAME as GOV_NAME } from "../modules/gov/keys.js";

/** What the modules need from the node's enclave (EnclaveHost satisfies it). */
export type ModulesEnclave = RegistrationEnclave & ComputeEnclave;

/**
 * Stand-in when the node has no enclave (tests of the plain state machine, genesis dry runs): every compute
 * ECALL answers a coded error, so contract messages fail as results instead of the module being absent.
 */
const NO_ENCLAVE: ComputeEnclave = {
  ecall: () => ({ error: { code: 1, message: "this node has no enclave" }, gasUsed: 0n }),
};

export interface ChainModulesOptions {
  /** The node's enclave (registration, compute); absent in tests of the plain state machine. */
  readonly enclave?: ModulesEnclave | undefined;
  /** Per-block facts compute needs from the app (block random, the tx being delivered). */
  readonly block?: ComputeBlockSource;
  /** Validator-local minimum gas prices (CheckTx only). */
  readonly minGasPrices: readonly GasPrice[];
}

export interface ChainModules {
  readonly registry: MsgRegistry;
  readonly auth: AuthModule;
  readonly bank: BankModule;
  /** staking, distribution, slashing, mint, gov. */
  readonly pos: PosModules;
  readonly registration: RegistrationModule;
  readonly compute: ComputeModule;
  /** In genesis order (InitChain runs them in this order; export too). */
  readonly list: readonly AppModule[];
  /** FinalizeBlock runs these `beginBlock`s before the txs, in this order (mint → distribution → slashing). */
  readonly beginBlockers: readonly AppModule[];
  /** … and these `endBlock`s after them (gov → staking); their validator updates go to CometBFT. */
  readonly endBlockers: readonly AppModule[];
  /** The runTx environment (registry, ante keepers, local min gas prices). */
  readonly txEnv: TxEnv;
  /** Store names for `store/<name>/key` queries → their prefix. */
  readonly storePrefixes: ReadonlyMap<string, Uint8Array>;
}

function section<T>(v: unknown, fallback: T): T {
  return (v === undefined ? fallback : v) as T;
}

/**
 * Auth's export as its InitGenesis can load it back: module accounts are dropped (InitGenesis recreates every
 * configured one) and base accounts are listed by account number without explicit numbers (InitGenesis does
 * not advance the number counter past explicit numbers, so keeping them would collide with the recreated
 * module accounts). Relative order is kept; numbers become dense.
 */
function importableAuthExport(g: {
  params: Record<string, string>;
  accounts: Record<string, unknown>[];
}): AuthGenesis {
  const base = g.accounts.filter((a) => a["@type"] === BASE_ACCOUNT_TYPE_URL);
  base.sort((x, y) => {
    const d = BigInt(String(x.account_number)) - BigInt(String(y.account_number));
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  });
  return {
    params: g.params,
    accounts: base.map((a) => ({
      "@type": BASE_ACCOUNT_TYPE_URL,
      address: String(a.address),
      pub_key: (a.pub_key ?? null) as { key: string } | null,
      sequence: String(a.sequence),
    })),
  };
}

/**
 * Every module account and what it may do (SDK app.go maccPerms): fee collector, mint, the staking pools,
 * distribution, and gov (burns deposits). staking README "Wiring"; gov README.
 */
export const CHAIN_MODULE_PERMISSIONS: ModulePermissions = Object.freeze({
  [FEE_COLLECTOR_NAME]: [],
  ...MINT_MODULE_PERMISSIONS,
  ...STAKING_MODULE_PERMISSIONS,
  ...DISTRIBUTION_MODULE_PERMISSIONS,
  [GOV_NAME]: [Permission.Burner],
});

export function createChainModules(opts: ChainModulesOptions): ChainModules {
  const registry = new MsgRegistry();
  registerSecretMsgTypes(registry);
  const auth = createAuthModule(CHAIN_MODULE_PERMISSIONS);
  const blocked = auth.keeper.moduleNames().map((n) => auth.keeper.getModuleAddress(n));
  const bank = createBankModule(auth.keeper, blocked, registry);
  const pos = createPosModules(auth.keeper, bank.keeper, registry);
  registerModuleUpdateParams(registry, { auth: auth.keeper, bank: bank.keeper, pos });
  const registration = createRegistrationModule(opts.enclave, registry);
  // Filled once the module list exists below; contract Stargate queries look paths up at query time.
  const grpc = new Map<string, GrpcQueryHandler>();
  const compute = createComputeModule({
    enclave: opts.enclave ?? NO_ENCLAVE,
    bank: bank.sendKeeper,
    accounts: auth.keeper,
    registry,
    block: opts.block ?? { blockRandom: () => undefined, txOf: () => undefined },
    chainQueries: createChainQueries({
      staking: pos.staking.keeper,
      distribution: pos.distribution.keeper,
      mint: pos.mint.keeper,
      gov: pos.gov.keeper,
      votingPeriodStatus: ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD,
      grpc: (path) => grpc.get(path),
    }),
  });

  const list: AppModule[] = [
    {
      name: "auth",
      storePrefix: AUTH_PREFIX,
      initGenesis: (ctx, g) => {
        initAuthGenesis(ctx, auth.keeper, section<AuthGenesis>(g, { accounts: [] }));
        return undefined;
      },
      exportGenesis: (ctx) => importableAuthExport(exportAuthGenesis(ctx, auth.keeper)),
      grpcQueries: authGrpc(auth),
    },
    {
      name: "bank",
      storePrefix: BANK_PREFIX,
      initGenesis: (ctx, g) => {
        initBankGenesis(ctx, bank.keeper, section<BankGenesis>(g, { balances: [] }));
        return undefined;
      },
      exportGenesis: (ctx) => exportBankGenesis(ctx, bank.keeper),
      grpcQueries: bankGrpc(bank),
    },
    ...pos.genesisList,
    {
      name: REGISTRATION_NAME,
      storePrefix: REG_PREFIX,
      initGenesis: (ctx, g) => {
        initRegistrationGenesis(ctx, registration.keeper, section<RegistrationGenesis>(g, {}));
        return undefined;
      },
      exportGenesis: (ctx) => exportRegistrationGenesis(ctx, registration.keeper),
      grpcQueries: registrationGrpc(registration),
    },
    compute.appModule,
  ];

  for (const m of list) for (const [path, h] of Object.entries(m.grpcQueries ?? {})) grpc.set(path, h);
  const storePrefixes = new Map<string, Uint8Array>(list.map((m) => [m.name, m.storePrefix]));
  storePrefixes.set("random", RANDOM_STORE_PREFIX);
  const txEnv: TxEnv = {
    registry,
    keepers: { accounts: auth.keeper, bank: bank.keeper },
    ante: { minGasPrices: opts.minGasPrices },
  };
  return {
    registry,
    auth,
    bank,
    pos,
    registration,
    compute,
    list,
    beginBlockers: pos.beginBlockers,
    endBlockers: pos.endBlockers,
    txEnv,
    storePrefixes,
  };
}
