// Test wiring for the proof-of-stake modules: an in-memory chain with auth, bank, staking, distribution,
// slashing and mint wired as the app will wire them, plus block contexts and the begin/end-block order.
// Not used by production code.
import { MemoryKVStore } from "../../../store/memory.js";
import type { KVStore } from "../../../store/types.js";
import { GasMeter } from "../../../gas.js";
import { toBech32 } from "../../../address.js";
import { EventManager, type Context } from "../../../tx/context.js";
import { MsgRegistry } from "../../../tx/msgRegistry.js";
import { createAuthModule, type AuthModule } from "../../auth/module.js";
import { initAuthGenesis } from "../../auth/genesis.js";
import { createBankModule, type BankModule } from "../../bank/module.js";
import { initBankGenesis } from "../../bank/genesis.js";
import { createDistributionModule, DISTRIBUTION_MODULE_PERMISSIONS, type DistributionModule } from "../../distribution/module.js";
import { createMintModule, MINT_MODULE_PERMISSIONS, type MintModule } from "../../mint/module.js";
import { createSlashingModule, type SlashingModule } from "../../slashing/module.js";
import type { CommitVote, Misbehavior } from "../../slashing/keeper.js";
import { createStakingModule, STAKING_MODULE_PERMISSIONS, type StakingModule } from "../module.js";
import { consAddress } from "../keeper.js";
import { VALOPER_PREFIX } from "../keys.js";
import { handleCreateValidator } from "../msgServer.js";
import { ED25519_PUBKEY_TYPE_URL } from "../msgs.js";
import type { ValidatorUpdate } from "../types.js";
import { Dec } from "../dec.js";
import { PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { MsgCreateValidator } from "cosmjs-types/cosmos/staking/v1beta1/tx";

export const SEC = 1_000_000_000n;

export interface PosChain {
  readonly state: KVStore;
  readonly registry: MsgRegistry;
  readonly auth: AuthModule;
  readonly bank: BankModule;
  readonly staking: StakingModule;
  readonly distr: DistributionModule;
  readonly slashing: SlashingModule;
  readonly mint: MintModule;
  ctx(height: bigint, timeNs: bigint, store?: KVStore): Context;
  /** Begin blockers in SDK v0.50 order: mint → distribution → slashing (liveness, then evidence). */
  beginBlock(ctx: Context, votes: readonly CommitVote[], misbehavior?: readonly Misbehavior[]): void;
  endBlock(ctx: Context): ValidatorUpdate[];
}

export const acc = (i: number): Uint8Array => new Uint8Array(20).fill(i);
export const accStr = (i: number): string => toBech32(acc(i));
export const valStr = (i: number): string => toBech32(acc(i), VALOPER_PREFIX);
export const consKey = (i: number): Uint8Array => new Uint8Array(32).fill(0x80 + i);
export const consOf = (i: number): Uint8Array => consAddress(consKey(i));

/** `funded`: test account index → uscrt; `extra`: bech32 address → uscrt (e.g. a secretjs wallet). */
export function makePosChain(funded: Record<number, bigint>, extra: Record<string, bigint> = {}): PosChain {
  const state = new MemoryKVStore();
  const registry = new MsgRegistry();
  const auth = createAuthModule({
    fee_collector: [],
    ...MINT_MODULE_PERMISSIONS,
    ...STAKING_MODULE_PERMISSIONS,
    ...DISTRIBUTION_MODULE_PERMISSIONS,
  });
  const blocked = auth.keeper.moduleNames().map((n) => auth.keeper.getModuleAddress(n));
  const bank = createBankModule(auth.keeper, blocked, registry);
  const staking = createStakingModule(auth.keeper, bank.keeper, registry);
  const distr = createDistributionModule(auth.keeper, bank.keeper, staking.keeper, registry);
  const slashing = createSlashingModule(staking.slashingView, registry);
  const mint = createMintModule(bank.keeper, staking.keeper);
  const ctx = (height: bigint, timeNs: bigint, store: KVStore = state): Context => ({
    store,
    gasMeter: new GasMeter(undefined),
    events: new EventManager(),
    chainId: "secretdev-1",
    blockHeight: height,
    blockTimeNs: timeNs,
    txHash: new Uint8Array(),
    txIndex: 0,
    isCheckTx: false,
    simulate: false,
  });
  const g = ctx(0n, 0n);
  const all: [string, bigint][] = [
    ...Object.keys(funded).map((i): [string, bigint] => [accStr(Number(i)), funded[Number(i)]!]),
    ...Object.keys(extra).map((a): [string, bigint] => [a, extra[a]!]),
  ];
  initAuthGenesis(g, auth.keeper, {
    accounts: all.map(([address]) => ({ "@type": "/cosmos.auth.v1beta1.BaseAccount", address })),
  });
  initBankGenesis(g, bank.keeper, {
    balances: all.map(([address, amount]) => ({ address, coins: [{ denom: "uscrt", amount: amount.toString() }] })),
  });
  return {
    state,
    registry,
    auth,
    bank,
    staking,
    distr,
    slashing,
    mint,
    ctx,
    beginBlock: (c, votes, misbehavior = []) => {
      mint.beginBlock(c);
      distr.beginBlock(c, votes);
      slashing.beginBlock(c, votes, misbehavior);
    },
    endBlock: (c) => staking.endBlock(c),
  };
}

export function createValidatorMsg(i: number, amount: bigint, rate = "0.1", minSelf = "1"): MsgCreateValidator {
  const atom = (s: string): string => Dec.fromString(s).toAtomics();
  return MsgCreateValidator.fromPartial({
    description: { moniker: `val${i}` },
    commission: { rate: atom(rate), maxRate: atom("0.5"), maxChangeRate: atom("0.05") },
    minSelfDelegation: minSelf,
    validatorAddress: valStr(i),
    pubkey: { typeUrl: ED25519_PUBKEY_TYPE_URL, value: PubKey.encode({ key: consKey(i) }).finish() },
    value: { denom: "uscrt", amount: amount.toString() },
  });
}

/** Creates validator `i` with a self-delegation of `amount` (the gentx path). */
export function createValidator(c: PosChain, ctx: Context, i: number, amount: bigint, rate = "0.1"): void {
  handleCreateValidator(c.staking.keeper, ctx, createValidatorMsg(i, amount, rate));
}

/** Votes of the current bonded set, all signed unless listed in `absent`. */
export function votesOf(c: PosChain, ctx: Context, absent: readonly number[] = []): CommitVote[] {
  const k = c.staking.keeper;
  return k.lastPowers(ctx).map((e) => {
    const v = k.getValidator(ctx, e.op)!;
    const cons = consAddress(v.consPubKey);
    const isAbsent = absent.some((i) => Buffer.compare(consOf(i), cons) === 0);
    return { address: cons, power: e.power, blockIdFlag: isAbsent ? 1 : 2 };
  });
}
