// Test wiring shared by tx/auth/bank tests (and usable by app tests): an in-memory chain with auth + bank,
// Secret's message codecs and a runTx bound to it. Not used by production code.
import { MemoryKVStore } from "../../store/memory.js";
import type { KVStore } from "../../store/types.js";
import { GasMeter } from "../../gas.js";
import { createAuthModule, type AuthModule } from "../../modules/auth/module.js";
import { createBankModule, type BankModule } from "../../modules/bank/module.js";
import { initAuthGenesis } from "../../modules/auth/genesis.js";
import { initBankGenesis } from "../../modules/bank/genesis.js";
import { EventManager, type Context } from "../context.js";
import { parseGasPrices } from "../fees.js";
import { MsgRegistry } from "../msgRegistry.js";
import { registerSecretMsgTypes } from "../secretMsgs.js";
import { runTx, type RunMode, type TxEnv, type TxResult } from "../runTx.js";

export const TEST_CHAIN_ID = "secretdev-1";
/** LocalSecret account "a" (secretjs-compat brief; HD m/44'/529'/0'/0/0). */
export const MNEMONIC_A =
  "grant rice replace explain federal release fix clever romance raise often wild taxi quarter soccer fiber love must tape steak together observe swap guitar";

export interface TestChain {
  readonly state: KVStore;
  readonly registry: MsgRegistry;
  readonly auth: AuthModule;
  readonly bank: BankModule;
  readonly env: TxEnv;
  run(raw: Uint8Array, mode?: RunMode, state?: KVStore): TxResult;
  /** A context over `state` (default: the chain state) with an infinite gas meter, for keeper calls/queries. */
  ctx(state?: KVStore): Context;
}

export function plainContext(store: KVStore, chainId = TEST_CHAIN_ID, height = 1n): Context {
  return {
    store,
    gasMeter: new GasMeter(undefined),
    events: new EventManager(),
    chainId,
    blockHeight: height,
    blockTimeNs: 0n,
    txHash: new Uint8Array(),
    txIndex: 0,
    isCheckTx: false,
    simulate: false,
  };
}

/** Builds a chain whose genesis funds `funded` (bech32 -> uscrt amount). */
export function makeTestChain(funded: Record<string, bigint>, minGasPrices = "0.0125uscrt"): TestChain {
  const state = new MemoryKVStore();
  const registry = new MsgRegistry();
  registerSecretMsgTypes(registry);
  const auth = createAuthModule();
  const blocked = auth.keeper.moduleNames().map((n) => auth.keeper.getModuleAddress(n));
  const bank = createBankModule(auth.keeper, blocked, registry);
  const g = plainContext(state, TEST_CHAIN_ID, 0n);
  const addrs = Object.keys(funded).sort();
  initAuthGenesis(g, auth.keeper, {
    accounts: addrs.map((address) => ({ "@type": "/cosmos.auth.v1beta1.BaseAccount", address })),
  });
  initBankGenesis(g, bank.keeper, {
    balances: addrs.map((address) => ({
      address,
      coins: [{ denom: "uscrt", amount: funded[address]!.toString() }],
    })),
  });
  const env: TxEnv = {
    registry,
    keepers: { accounts: auth.keeper, bank: bank.keeper },
    ante: { minGasPrices: parseGasPrices(minGasPrices) },
  };
  return {
    state,
    registry,
    auth,
    bank,
    env,
    run: (raw, mode = "deliver", s = state) =>
      runTx(env, s, raw, mode, { chainId: TEST_CHAIN_ID, height: 5n }),
    ctx: (s = state) => plainContext(s),
  };
}
