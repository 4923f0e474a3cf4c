// The staking keeper's state layer: the only code reading or writing staking's store prefix. Validators,
// delegations, unbonding/redelegation records and their time queues, params, last powers, and the two pools'
// token moves. Delegation flows live in delegation.ts, the validator set in valset.ts, slashing in slash.ts.
import type { KVStore } from "../../store/types.js";
import { PrefixStore, prefixEnd, type Context } from "../../tx/context.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, u64be } from "../../../util/bytes.js";
import type { StakingAccountKeeper, StakingBankKeeper, StakingHooks } from "./expectedKeepers.js";
import {
  BONDED_POOL_NAME,
  DELEGATIONS_PREFIX,
  LAST_POWER_PREFIX,
  LAST_TOTAL_POWER_KEY,
  NOT_BONDED_POOL_NAME,
  PARAMS_KEY,
  REDELEGATIONS_PREFIX,
  STORE_PREFIX,
  UNBONDING_PREFIX,
  VALIDATORS_PREFIX,
  delegationKey,
  lastPowerKey,
  lp,
  redelegationKey,
  splitLp,
  unbondingKey,
  validatorByConsKey,
  validatorKey,
} from "./keys.js";
import {
  BondStatus,
  DEFAULT_STAKING_PARAMS,
  decodeDelegation,
  decodeRedelegation,
  decodeStakingParams,
  decodeUnbonding,
  decodeValidator,
  encodeDelegation,
  encodeRedelegation,
  encodeStakingParams,
  encodeUnbonding,
  encodeValidator,
  type Delegation,
  type Redelegation,
  type StakingParams,
  type UnbondingDelegation,
  type Validator,
} from "./types.js";

/** Tendermint ed25519 address: SHA256(pubkey)[:20] (CometBFT crypto/ed25519 Address). */
export function consAddress(pubKey: Uint8Array): Uint8Array {
  return sha256(pubKey).slice(0, 20);
}

function readU64(b: Uint8Array | undefined): bigint {
  if (b === undefined) return 0n;
  if (b.length !== 8) throw new Error("corrupt staking power entry");
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0);
}

export class StakingKeeper {
  private readonly hooks: StakingHooks[] = [];

  constructor(
    readonly bank: StakingBankKeeper,
    readonly ak: StakingAccountKeeper,
    private readonly prefix: Uint8Array = STORE_PREFIX,
  ) {}

  /** Registers hooks (distribution first, then slashing, as SDK app.go orders them). */
  addHooks(h: StakingHooks): void {
    this.hooks.push(h);
  }

  /** Calls `name` on every registered hook in registration order. */
  hook<K extends keyof StakingHooks>(name: K, ...args: Parameters<NonNullable<StakingHooks[K]>>): void {
    for (const h of this.hooks) {
      const f = h[name] as ((...a: typeof args) => void) | undefined;
      if (f !== undefined) f.apply(h, args);
    }
  }

  store(ctx: Context): KVStore {
    return new PrefixStore(ctx.store, this.prefix);
  }

  // ---- params ------------------------------------------------------------------------------------------------

  getParams(ctx: Context): StakingParams {
    const b = this.store(ctx).get(PARAMS_KEY);
    return b === undefined ? DEFAULT_STAKING_PARAMS : decodeStakingParams(b);
  }

  setParams(ctx: Context, p: StakingParams): void {
    if (p.unbondingTimeNs <= 0n || p.maxValidators <= 0 || p.maxEntries <= 0) {
      throw new RangeError("staking params must be positive");
    }
    this.store(ctx).set(PARAMS_KEY, encodeStakingParams(p));
  }

  bondDenom(ctx: Context): string {
    return this.getParams(ctx).bondDenom;
  }

  // ---- validators --------------------------------------------------------------------------------------------

  getValidator(ctx: Context, op: Uint8Array): Validator | undefined {
    const b = this.store(ctx).get(validatorKey(op));
    return b === undefined ? undefined : decodeValidator(b);
  }

  setValidator(ctx: Context, v: Validator): void {
    this.store(ctx).set(validatorKey(v.operator), encodeValidator(v));
  }

  setValidatorByConsAddr(ctx: Context, v: Validator): void {
    this.store(ctx).set(validatorByConsKey(consAddress(v.consPubKey)), v.operator);
  }

  getValidatorByConsAddr(ctx: Context, cons: Uint8Array): Validator | undefined {
    const op = this.store(ctx).get(validatorByConsKey(cons));
    return op === undefined ? undefined : this.getValidator(ctx, op);
  }

  hasConsAddr(ctx: Context, cons: Uint8Array): boolean {
    return this.store(ctx).has(validatorByConsKey(cons));
  }

  /** Deletes a validator with no shares left (SDK RemoveValidator); its cons-address index goes too. */
  removeValidator(ctx: Context, op: Uint8Array): void {
    const v = this.getValidator(ctx, op);
    if (v === undefined) return;
    if (v.status !== BondStatus.Unbonded) throw new Error("cannot remove a bonded or unbonding validator");
    if (v.tokens !== 0n) throw new Error("attempting to remove a validator which still contains tokens");
    const cons = consAddress(v.consPubKey);
    this.store(ctx).delete(validatorKey(op));
    this.store(ctx).delete(validatorByConsKey(cons));
    this.hook("afterValidatorRemoved", ctx, cons, op);
  }

  /** All validators in operator-key order. */
  *iterateValidators(ctx: Context): Generator<Validator> {
    for (const [, v] of this.store(ctx).iterate(VALIDATORS_PREFIX, prefixEnd(VALIDATORS_PREFIX))) {
      yield decodeValidator(v);
    }
  }

  // ---- last powers -------------------------------------------------------------------------------------------

  getLastPower(ctx: Context, op: Uint8Array): bigint {
    return readU64(this.store(ctx).get(lastPowerKey(op)));
  }

  setLastPower(ctx: Context, op: Uint8Array, power: bigint): void {
    if (power === 0n) this.store(ctx).delete(lastPowerKey(op));
    else this.store(ctx).set(lastPowerKey(op), u64be(power));
  }

  /** (operator, power) of the last bonded set, in key order. */
  lastPowers(ctx: Context): { op: Uint8Array; power: bigint }[] {
    const out: { op: Uint8Array; power: bigint }[] = [];
    for (const [k, v] of this.store(ctx).iterate(LAST_POWER_PREFIX, prefixEnd(LAST_POWER_PREFIX))) {
      out.push({ op: splitLp(k.subarray(1), 1)[0]!, power: readU64(v) });
    }
    return out;
  }

  getLastTotalPower(ctx: Context): bigint {
    return readU64(this.store(ctx).get(LAST_TOTAL_POWER_KEY));
  }

  setLastTotalPower(ctx: Context, p: bigint): void {
    this.store(ctx).set(LAST_TOTAL_POWER_KEY, u64be(p));
  }

  // ---- delegations -------------------------------------------------------------------------------------------

  getDelegation(ctx: Context, del: Uint8Array, op: Uint8Array): Delegation | undefined {
    const b = this.store(ctx).get(delegationKey(del, op));
    return b === undefined ? undefined : decodeDelegation(b);
  }

  setDelegation(ctx: Context, d: Delegation): void {
    this.store(ctx).set(delegationKey(d.delegator, d.validator), encodeDelegation(d));
  }

  removeDelegation(ctx: Context, d: Delegation): void {
    this.hook("beforeDelegationRemoved", ctx, d.delegator, d.validator);
    this.store(ctx).delete(delegationKey(d.delegator, d.validator));
  }

  /** Delegations of one delegator (key order), or every delegation when `del` is undefined. */
  *iterateDelegations(ctx: Context, del?: Uint8Array): Generator<Delegation> {
    const p = del === undefined ? DELEGATIONS_PREFIX : concatBytes(DELEGATIONS_PREFIX, lp(del));
    for (const [, v] of this.store(ctx).iterate(p, prefixEnd(p))) yield decodeDelegation(v);
  }

  /** Delegations to one validator (a full scan: there is no by-validator index). */
  delegationsTo(ctx: Context, op: Uint8Array): Delegation[] {
    const hexOp = Buffer.from(op).toString("hex");
    return [...this.iterateDelegations(ctx)].filter(
      (d) => Buffer.from(d.validator).toString("hex") === hexOp,
    );
  }

  // ---- unbonding delegations and redelegations ---------------------------------------------------------------

  getUnbonding(ctx: Context, del: Uint8Array, op: Uint8Array): UnbondingDelegation | undefined {
    const b = this.store(ctx).get(unbondingKey(del, op));
    return b === undefined ? undefined : decodeUnbonding(b);
  }

  setUnbonding(ctx: Context, u: UnbondingDelegation): void {
    const k = unbondingKey(u.delegator, u.validator);
    if (u.entries.length === 0) this.store(ctx).delete(k);
    else this.store(ctx).set(k, encodeUnbonding(u));
  }

  *iterateUnbondings(ctx: Context, del?: Uint8Array): Generator<UnbondingDelegation> {
    const p = del === undefined ? UNBONDING_PREFIX : concatBytes(UNBONDING_PREFIX, lp(del));
    for (const [, v] of this.store(ctx).iterate(p, prefixEnd(p))) yield decodeUnbonding(v);
  }

  getRedelegation(ctx: Context, del: Uint8Array, src: Uint8Array, dst: Uint8Array): Redelegation | undefined {
    const b = this.store(ctx).get(redelegationKey(del, src, dst));
    return b === undefined ? undefined : decodeRedelegation(b);
  }

  setRedelegation(ctx: Context, r: Redelegation): void {
    const k = redelegationKey(r.delegator, r.src, r.dst);
    if (r.entries.length === 0) this.store(ctx).delete(k);
    else this.store(ctx).set(k, encodeRedelegation(r));
  }

  *iterateRedelegations(ctx: Context, del?: Uint8Array): Generator<Redelegation> {
    const p = del === undefined ? REDELEGATIONS_PREFIX : concatBytes(REDELEGATIONS_PREFIX, lp(del));
    for (const [, v] of this.store(ctx).iterate(p, prefixEnd(p))) yield decodeRedelegation(v);
  }

  // ---- pools -------------------------------------------------------------------------------------------------

  poolName(status: BondStatus): string {
    return status === BondStatus.Bonded ? BONDED_POOL_NAME : NOT_BONDED_POOL_NAME;
  }

  /** Moves `amount` bond-denom tokens between the pools when the status class changes (no-op otherwise). */
  movePoolTokens(ctx: Context, from: BondStatus, to: BondStatus, amount: bigint): void {
    const a = this.poolName(from);
    const b = this.poolName(to);
    if (a === b || amount === 0n) return;
    this.bank.sendCoinsFromModuleToModule(ctx, a, b, [{ denom: this.bondDenom(ctx), amount }]);
  }

  /** Burns `amount` from the pool holding tokens of a validator with `status`. */
  burnFromPool(ctx: Context, status: BondStatus, amount: bigint): void {
    if (amount <= 0n) return;
    this.bank.burnCoins(ctx, this.poolName(status), [{ denom: this.bondDenom(ctx), amount }]);
  }

  poolBalance(ctx: Context, name: string): bigint {
    return this.bank.getBalance(ctx, this.ak.getModuleAddress(name), this.bondDenom(ctx)).amount;
  }

  totalBondedTokens(ctx: Context): bigint {
    return this.poolBalance(ctx, BONDED_POOL_NAME);
  }

  stakingTokenSupply(ctx: Context): bigint {
    return this.bank.getSupply(ctx, this.bondDenom(ctx)).amount;
  }
}
