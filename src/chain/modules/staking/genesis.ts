// Staking genesis in the SDK's JSON shape: {params, last_total_power, last_validator_powers, validators,
// delegations, unbonding_delegations, redelegations, exported}. Pool balances (in bank genesis) must equal the
// tokens the records hold, as the SDK checks. Returns the initial validator set for InitChain.
import { fromBech32, toBech32 } from "../../address.js";
import type { Context } from "../../tx/context.js";
import { fromBase64 } from "../../../util/bytes.js";
import { Dec } from "./dec.js";
import type { StakingKeeper } from "./keeper.js";
import {
  BONDED_POOL_NAME,
  NOT_BONDED_POOL_NAME,
  VALOPER_PREFIX,
  redelegationQueueKey,
  unbondingQueueKey,
  validatorQueueKey,
} from "./keys.js";
import { rfc3339Json } from "./time.js";
import { durationJson, unbondingJson, validatorJson } from "./queryServer.js";
import {
  BOND_STATUS_NAMES,
  BondStatus,
  DEFAULT_STAKING_PARAMS,
  type StakingParams,
  type Validator,
  type ValidatorUpdate,
} from "./types.js";
import { applyValidatorSetUpdates } from "./valset.js";

type Json = Record<string, unknown>;

export interface StakingGenesis {
  readonly params?: Json;
  readonly last_total_power?: string;
  readonly last_validator_powers?: readonly { address: string; power: string }[];
  readonly validators?: readonly Json[];
  readonly delegations?: readonly { delegator_address: string; validator_address: string; shares: string }[];
  readonly unbonding_delegations?: readonly Json[];
  readonly redelegations?: readonly Json[];
  readonly exported?: boolean;
}

const str = (o: Json, k: string): string => {
  const v = o[k];
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isSafeInteger(v)) return String(v);
  throw new Error(`staking genesis: ${k} missing`);
};
const obj = (o: Json, k: string): Json => {
  const v = o[k];
  if (typeof v !== "object" || v === null) throw new Error(`staking genesis: ${k} missing`);
  return v as Json;
};

/** "90s", "1814400s", "1.5s" -> ns. */
export function parseDuration(s: string): bigint {
  const m = /^([0-9]+)(?:\.([0-9]{1,9}))?s$/.exec(s);
  if (m === null) throw new Error(`invalid duration ${s}`);
  return BigInt(m[1]!) * 1_000_000_000n + BigInt((m[2] ?? "").padEnd(9, "0"));
}

/** RFC 3339 UTC ("…Z", optional fraction up to ns) -> ns since epoch. */
export function parseRfc3339(s: string): bigint {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(s);
  if (m === null) throw new Error(`invalid time ${s}`);
  const ms = Date.parse(`${m[1]!}Z`);
  if (Number.isNaN(ms)) throw new Error(`invalid time ${s}`);
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? "").padEnd(9, "0"));
}

function parseParams(p: Json | undefined): StakingParams {
  if (p === undefined) return DEFAULT_STAKING_PARAMS;
  return {
    unbondingTimeNs: parseDuration(str(p, "unbonding_time")),
    maxValidators: Number(str(p, "max_validators")),
    maxEntries: Number(str(p, "max_entries")),
    historicalEntries: Number(str(p, "historical_entries")),
    bondDenom: str(p, "bond_denom"),
    minCommissionRate: Dec.fromString(str(p, "min_commission_rate")),
  };
}

function parseStatus(s: string): BondStatus {
  for (const st of [BondStatus.Unbonded, BondStatus.Unbonding, BondStatus.Bonded]) {
    if (BOND_STATUS_NAMES[st] === s) return st;
  }
  throw new Error(`invalid bond status ${s}`);
}

function parseValidator(j: Json): Validator {
  const d = obj(j, "description");
  const c = obj(j, "commission");
  const r = obj(c, "commission_rates");
  return {
    operator: fromBech32(str(j, "operator_address"), "operator", VALOPER_PREFIX),
    consPubKey: fromBase64(str(obj(j, "consensus_pubkey"), "key")),
    jailed: j.jailed === true,
    status: parseStatus(str(j, "status")),
    tokens: BigInt(str(j, "tokens")),
    delegatorShares: Dec.fromString(str(j, "delegator_shares")),
    description: {
      moniker: str(d, "moniker"),
      identity: str(d, "identity"),
      website: str(d, "website"),
      securityContact: str(d, "security_contact"),
      details: str(d, "details"),
    },
    unbondingHeight: BigInt(str(j, "unbonding_height")),
    unbondingTimeNs: parseRfc3339(str(j, "unbonding_time")),
    commission: {
      rate: Dec.fromString(str(r, "rate")),
      maxRate: Dec.fromString(str(r, "max_rate")),
      maxChangeRate: Dec.fromString(str(r, "max_change_rate")),
      updateTimeNs: parseRfc3339(str(c, "update_time")),
    },
    minSelfDelegation: BigInt(str(j, "min_self_delegation")),
  };
}

function initValidators(k: StakingKeeper, ctx: Context, g: StakingGenesis): [bigint, bigint] {
  let bonded = 0n;
  let notBonded = 0n;
  for (const j of g.validators ?? []) {
    const v = parseValidator(j);
    k.setValidator(ctx, v);
    k.setValidatorByConsAddr(ctx, v);
    if (g.exported !== true) k.hook("afterValidatorCreated", ctx, v.operator);
    if (v.status === BondStatus.Unbonding) {
      k.store(ctx).set(validatorQueueKey(v.unbondingTimeNs, v.operator), new Uint8Array());
    }
    if (v.status === BondStatus.Bonded) bonded += v.tokens;
    else notBonded += v.tokens;
  }
  return [bonded, notBonded];
}

function initDelegations(k: StakingKeeper, ctx: Context, g: StakingGenesis): void {
  for (const d of g.delegations ?? []) {
    const del = fromBech32(d.delegator_address, "delegator");
    const op = fromBech32(d.validator_address, "validator", VALOPER_PREFIX);
    if (g.exported !== true) k.hook("beforeDelegationCreated", ctx, del, op);
    k.setDelegation(ctx, { delegator: del, validator: op, shares: Dec.fromString(d.shares) });
    if (g.exported !== true) k.hook("afterDelegationModified", ctx, del, op);
  }
}

function initUnbondings(k: StakingKeeper, ctx: Context, g: StakingGenesis): bigint {
  let total = 0n;
  for (const u of g.unbonding_delegations ?? []) {
    const del = fromBech32(str(u, "delegator_address"), "delegator");
    const op = fromBech32(str(u, "validator_address"), "validator", VALOPER_PREFIX);
    const entries = (u.entries as Json[]).map((e) => ({
      creationHeight: BigInt(str(e, "creation_height")),
      completionTimeNs: parseRfc3339(str(e, "completion_time")),
      initialBalance: BigInt(str(e, "initial_balance")),
      balance: BigInt(str(e, "balance")),
    }));
    k.setUnbonding(ctx, { delegator: del, validator: op, entries });
    for (const e of entries) {
      total += e.balance;
      k.store(ctx).set(unbondingQueueKey(e.completionTimeNs, del, op), new Uint8Array());
    }
  }
  return total;
}

function initRedelegations(k: StakingKeeper, ctx: Context, g: StakingGenesis): void {
  for (const r of g.redelegations ?? []) {
    const del = fromBech32(str(r, "delegator_address"), "delegator");
    const src = fromBech32(str(r, "validator_src_address"), "validator", VALOPER_PREFIX);
    const dst = fromBech32(str(r, "validator_dst_address"), "validator", VALOPER_PREFIX);
    const entries = (r.entries as Json[]).map((e) => ({
      creationHeight: BigInt(str(e, "creation_height")),
      completionTimeNs: parseRfc3339(str(e, "completion_time")),
      initialBalance: BigInt(str(e, "initial_balance")),
      sharesDst: Dec.fromString(str(e, "shares_dst")),
    }));
    k.setRedelegation(ctx, { delegator: del, src, dst, entries });
    for (const e of entries) {
      k.store(ctx).set(redelegationQueueKey(e.completionTimeNs, del, src, dst), new Uint8Array());
    }
  }
}

/**
 * SDK InitGenesis. Throws (genesis is invalid) when a pool balance differs from the tokens its records hold.
 * Returns the validator set: recomputed from power unless `exported`, then taken from last_validator_powers.
 */
export function initStakingGenesis(ctx: Context, k: StakingKeeper, g: StakingGenesis): ValidatorUpdate[] {
  k.setParams(ctx, parseParams(g.params));
  const [bonded, notBondedVals] = initValidators(k, ctx, g);
  initDelegations(k, ctx, g);
  const notBonded = notBondedVals + initUnbondings(k, ctx, g);
  initRedelegations(k, ctx, g);
  const bondedBal = k.poolBalance(ctx, BONDED_POOL_NAME);
  const notBondedBal = k.poolBalance(ctx, NOT_BONDED_POOL_NAME);
  if (bondedBal !== bonded)
    throw new Error(`bonded pool balance ${bondedBal} differs from bonded tokens ${bonded}`);
  if (notBondedBal !== notBonded) {
    throw new Error(`not bonded pool balance ${notBondedBal} differs from not bonded tokens ${notBonded}`);
  }
  if (g.exported !== true) return applyValidatorSetUpdates(k, ctx);
  const updates: ValidatorUpdate[] = [];
  for (const lp of g.last_validator_powers ?? []) {
    const op = fromBech32(lp.address, "validator", VALOPER_PREFIX);
    const v = k.getValidator(ctx, op);
    if (v === undefined) throw new Error(`last validator ${lp.address} not found`);
    k.setLastPower(ctx, op, BigInt(lp.power));
    updates.push({ pubKeyEd25519: v.consPubKey, power: BigInt(lp.power) });
  }
  k.setLastTotalPower(ctx, BigInt(g.last_total_power ?? "0"));
  return updates;
}

export function exportStakingGenesis(ctx: Context, k: StakingKeeper): StakingGenesis {
  const p = k.getParams(ctx);
  return {
    params: {
      unbonding_time: durationJson(p.unbondingTimeNs),
      max_validators: p.maxValidators,
      max_entries: p.maxEntries,
      historical_entries: p.historicalEntries,
      bond_denom: p.bondDenom,
      min_commission_rate: p.minCommissionRate.toString(),
    },
    last_total_power: k.getLastTotalPower(ctx).toString(),
    last_validator_powers: k.lastPowers(ctx).map((e) => ({
      address: toBech32(e.op, VALOPER_PREFIX),
      power: e.power.toString(),
    })),
    validators: [...k.iterateValidators(ctx)].map(validatorJson),
    delegations: [...k.iterateDelegations(ctx)].map((d) => ({
      delegator_address: toBech32(d.delegator),
      validator_address: toBech32(d.validator, VALOPER_PREFIX),
      shares: d.shares.toString(),
    })),
    unbonding_delegations: [...k.iterateUnbondings(ctx)].map(unbondingJson),
    redelegations: [...k.iterateRedelegations(ctx)].map((r) => ({
      delegator_address: toBech32(r.delegator),
      validator_src_address: toBech32(r.src, VALOPER_PREFIX),
      validator_dst_address: toBech32(r.dst, VALOPER_PREFIX),
      entries: r.entries.map((e) => ({
        creation_height: e.creationHeight.toString(),
        completion_time: rfc3339Json(e.completionTimeNs),
        initial_balance: e.initialBalance.toString(),
        shares_dst: e.sharesDst.toString(),
      })),
    })),
    exported: true,
  };
}
