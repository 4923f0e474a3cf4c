// Test wiring for gov: an in-memory chain with auth (gov = burner), bank, a staking double and gov, plus a
// test-only "toy" module whose MsgUpdateParams follows the documented authority pattern. Not production code.
import { BinaryWriter } from "cosmjs-types/binary";
import { MemoryKVStore } from "../../../store/memory.js";
import type { KVStore } from "../../../store/types.js";
import { GasMeter } from "../../../gas.js";
import { toBech32 } from "../../../address.js";
import { equalBytes, utf8 } from "../../../../util/bytes.js";
import { createAuthModule, type AuthModule } from "../../auth/module.js";
import { Permission } from "../../auth/types.js";
import { initAuthGenesis } from "../../auth/genesis.js";
import { createBankModule, type BankModule } from "../../bank/module.js";
import { initBankGenesis } from "../../bank/genesis.js";
import { EventManager, PrefixStore, type Context } from "../../../tx/context.js";
import { MsgRegistry } from "../../../tx/msgRegistry.js";
import { decodeFields, readString } from "../../../tx/proto.js";
import { ChainError, SdkErrors } from "../../../errors.js";
import { DEC_ONE } from "../dec.js";
import type { GovDelegation, GovStakingKeeper, GovValidator } from "../expectedKeepers.js";
import { createGovModule, type GovModule } from "../module.js";
import { registerUpdateParams, type UpdateParamsSpec } from "../authority.js";

export const SEC = 1_000_000_000n;
export const T0 = 1_700_000_000n * SEC;

/** A staking double: validators with bonded tokens and shares, delegations per delegator. */
export class StakingDouble implements GovStakingKeeper {
  readonly validators: GovValidator[] = [];
  readonly delegations = new Map<string, GovDelegation[]>();

  /** Adds a validator whose operator self-delegates `selfTokens` at 1 share per token. */
  addValidator(operator: Uint8Array, selfTokens: bigint): void {
    this.validators.push({ operator, bondedTokens: selfTokens, delegatorShares: selfTokens * DEC_ONE });
    this.addDelegationRecord(operator, operator, selfTokens * DEC_ONE);
  }

  /** Delegates `tokens` at the validator's current exchange rate (shares = tokens × shares / bonded). */
  delegate(delegator: Uint8Array, operator: Uint8Array, tokens: bigint): void {
    const i = this.validators.findIndex((v) => equalBytes(v.operator, operator));
    const v = this.validators[i]!;
    const shares = (tokens * v.delegatorShares) / v.bondedTokens;
    this.validators[i] = {
      operator,
      bondedTokens: v.bondedTokens + tokens,
      delegatorShares: v.delegatorShares + shares,
    };
    this.addDelegationRecord(delegator, operator, shares);
  }

  /** Slash-like change of a validator's tokens without touching shares (exchange rate ≠ 1). */
  setBondedTokens(operator: Uint8Array, tokens: bigint): void {
    const i = this.validators.findIndex((v) => equalBytes(v.operator, operator));
    this.validators[i] = { ...this.validators[i]!, bondedTokens: tokens };
  }

  private addDelegationRecord(delegator: Uint8Array, validator: Uint8Array, shares: bigint): void {
    const key = toBech32(delegator);
    const list = this.delegations.get(key) ?? [];
    list.push({ validator, shares });
    this.delegations.set(key, list);
  }

  bondedValidators(): GovValidator[] {
    return [...this.validators];
  }

  delegationsOf(_ctx: Context, delegator: Uint8Array): GovDelegation[] {
    return this.delegations.get(toBech32(delegator)) ?? [];
  }

  totalBondedTokens(): bigint {
    return this.validators.reduce((s, v) => s + v.bondedTokens, 0n);
  }
}

/** A toy module with one param (a string) changed only by `/shroud.toy.MsgUpdateParams{authority, value}`. */
export interface ToyUpdateParams {
  readonly authority: string;
  readonly value: string;
}
export const TOY_UPDATE_PARAMS = "/shroud.toy.v1.MsgUpdateParams";
const TOY_KEY = utf8.encode("value");
const toyStore = (ctx: Context): KVStore => new PrefixStore(ctx.store, utf8.encode("toy/"));

export function toyValue(ctx: Context): string {
  const b = toyStore(ctx).get(TOY_KEY);
  return b === undefined ? "" : utf8.decode(b);
}

export function encodeToy(m: ToyUpdateParams): Uint8Array {
  return BinaryWriter.create().uint32(10).string(m.authority).uint32(18).string(m.value).finish();
}

const toySpec: UpdateParamsSpec<ToyUpdateParams> = {
  typeUrl: TOY_UPDATE_PARAMS,
  responseTypeUrl: "/shroud.toy.v1.MsgUpdateParamsResponse",
  module: "toy",
  decode: (b) => {
    let authority = "";
    let value = "";
    decodeFields(b, (f, wt, r) => {
      if (f === 1) authority = readString(r, wt, "authority");
      else if (f === 2) value = readString(r, wt, "value");
      else return false;
      return true;
    });
    return { authority, value };
  },
  encode: encodeToy,
  toJson: (m) => ({ authority: m.authority, value: m.value }),
  apply: (ctx, m) => {
    if (m.value === "") throw new ChainError(SdkErrors.InvalidRequest, "empty value");
    toyStore(ctx).set(TOY_KEY, utf8.encode(m.value));
  },
};

export interface GovTestChain {
  readonly state: MemoryKVStore;
  readonly registry: MsgRegistry;
  readonly auth: AuthModule;
  readonly bank: BankModule;
  readonly staking: StakingDouble;
  readonly gov: GovModule;
  ctx(timeNs?: bigint, store?: KVStore): Context;
}

export function makeGovChain(funded: Record<string, bigint>): GovTestChain {
  const state = new MemoryKVStore();
  const registry = new MsgRegistry();
  const auth = createAuthModule({ fee_collector: [], mint: [Permission.Minter], gov: [Permission.Burner] });
  const blocked = auth.keeper.moduleNames().map((n) => auth.keeper.getModuleAddress(n));
  const bank = createBankModule(auth.keeper, blocked, registry);
  const staking = new StakingDouble();
  const gov = createGovModule({ bank: bank.keeper, staking }, registry);
  registerUpdateParams(registry, toySpec);
  const ctx = (timeNs = T0, store: KVStore = state): Context => ({
    store,
    gasMeter: new GasMeter(undefined),
    events: new EventManager(),
    chainId: "secretdev-1",
    blockHeight: 10n,
    blockTimeNs: timeNs,
    txHash: new Uint8Array(),
    txIndex: 0,
    isCheckTx: false,
    simulate: false,
  });
  const g = ctx(T0);
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
  return { state, registry, auth, bank, staking, gov, ctx };
}
