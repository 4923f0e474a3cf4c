// Staking queries in the grpc-gateway JSON shapes (/cosmos/staking/v1beta1/...): validators, delegations,
// unbonding delegations, redelegations, pool, params. Pagination is a single page (next_key null).
import { ChainError, GrpcCode, QueryError } from "../../errors.js";
import { fromBech32, toBech32 } from "../../address.js";
import type { Context } from "../../tx/context.js";
import { toBase64 } from "../../../util/bytes.js";
import type { StakingKeeper } from "./keeper.js";
import { BONDED_POOL_NAME, NOT_BONDED_POOL_NAME, VALOPER_PREFIX } from "./keys.js";
import { ED25519_PUBKEY_TYPE_URL } from "./msgs.js";
import { rfc3339Json } from "./time.js";
import { getHistoricalInfo, historicalInfoJson } from "./historical.js";
import {
  BOND_STATUS_NAMES,
  tokensFromShares,
  type Delegation,
  type Redelegation,
  type UnbondingDelegation,
  type Validator,
} from "./types.js";

type Json = Record<string, unknown>;
const page = (n: number): { next_key: null; total: string } => ({ next_key: null, total: String(n) });
const valStr = (op: Uint8Array): string => toBech32(op, VALOPER_PREFIX);

function parse(s: string, prefix?: string): Uint8Array {
  try {
    return prefix === undefined ? fromBech32(s) : fromBech32(s, "address", prefix);
  } catch (e) {
    throw new QueryError(GrpcCode.InvalidArgument, e instanceof ChainError ? e.message : "invalid address");
  }
}

/** Seconds as a protojson Duration ("90s", "1.5s"). */
export function durationJson(ns: bigint): string {
  const s = ns / 1_000_000_000n;
  const frac = ns % 1_000_000_000n;
  return frac === 0n ? `${s}s` : `${s}.${frac.toString().padStart(9, "0").replace(/0+$/, "")}s`;
}

export function validatorJson(v: Validator): Json {
  const d = v.description;
  return {
    operator_address: valStr(v.operator),
    consensus_pubkey: { "@type": ED25519_PUBKEY_TYPE_URL, key: toBase64(v.consPubKey) },
    jailed: v.jailed,
    status: BOND_STATUS_NAMES[v.status],
    tokens: v.tokens.toString(),
    delegator_shares: v.delegatorShares.toString(),
    description: {
      moniker: d.moniker,
      identity: d.identity,
      website: d.website,
      security_contact: d.securityContact,
      details: d.details,
    },
    unbonding_height: v.unbondingHeight.toString(),
    unbonding_time: rfc3339Json(v.unbondingTimeNs),
    commission: {
      commission_rates: {
        rate: v.commission.rate.toString(),
        max_rate: v.commission.maxRate.toString(),
        max_change_rate: v.commission.maxChangeRate.toString(),
      },
      update_time: rfc3339Json(v.commission.updateTimeNs),
    },
    min_self_delegation: v.minSelfDelegation.toString(),
    unbonding_on_hold_ref_count: "0",
    unbonding_ids: [],
  };
}

export class StakingQueryServer {
  constructor(private readonly k: StakingKeeper) {}

  /** `historical_info/{height}` → `{hist}` (the REST gap route calls this); gRPC 3 / 5 as the SDK. */
  historicalInfo(ctx: Context, height: bigint): Json {
    if (height < 0n) throw new QueryError(GrpcCode.InvalidArgument, "height cannot be negative");
    const hist = getHistoricalInfo(this.k, ctx, height);
    if (hist === undefined)
      throw new QueryError(GrpcCode.NotFound, `historical info for height ${height} not found`);
    return { hist: historicalInfoJson(hist) };
  }

  private validatorOrNotFound(ctx: Context, op: Uint8Array): Validator {
    const v = this.k.getValidator(ctx, op);
    if (v === undefined) throw new QueryError(GrpcCode.NotFound, `validator ${valStr(op)} not found`);
    return v;
  }

  private delegationResponse(ctx: Context, d: Delegation): Json {
    const v = this.validatorOrNotFound(ctx, d.validator);
    return {
      delegation: {
        delegator_address: toBech32(d.delegator),
        validator_address: valStr(d.validator),
        shares: d.shares.toString(),
      },
      balance: {
        denom: this.k.bondDenom(ctx),
        amount: tokensFromShares(v, d.shares).truncateInt().toString(),
      },
    };
  }

  /** GET /cosmos/staking/v1beta1/validators?status=BOND_STATUS_… */
  validators(ctx: Context, status = ""): Json {
    const vals = [...this.k.iterateValidators(ctx)].filter(
      (v) => status === "" || BOND_STATUS_NAMES[v.status] === status,
    );
    return { validators: vals.map(validatorJson), pagination: page(vals.length) };
  }

  /** GET /cosmos/staking/v1beta1/validators/{validator_addr} */
  validator(ctx: Context, addr: string): Json {
    return { validator: validatorJson(this.validatorOrNotFound(ctx, parse(addr, VALOPER_PREFIX))) };
  }

  /** GET /cosmos/staking/v1beta1/delegations/{delegator_addr} */
  delegatorDelegations(ctx: Context, addr: string): Json {
    const ds = [...this.k.iterateDelegations(ctx, parse(addr))];
    return {
      delegation_responses: ds.map((d) => this.delegationResponse(ctx, d)),
      pagination: page(ds.length),
    };
  }

  /** GET /cosmos/staking/v1beta1/validators/{validator_addr}/delegations */
  validatorDelegations(ctx: Context, addr: string): Json {
    const op = parse(addr, VALOPER_PREFIX);
    const ds = this.k.delegationsTo(ctx, op);
    return {
      delegation_responses: ds.map((d) => this.delegationResponse(ctx, d)),
      pagination: page(ds.length),
    };
  }

  /** GET /cosmos/staking/v1beta1/validators/{validator_addr}/delegations/{delegator_addr} */
  delegation(ctx: Context, valAddr: string, delAddr: string): Json {
    const d = this.k.getDelegation(ctx, parse(delAddr), parse(valAddr, VALOPER_PREFIX));
    if (d === undefined) {
      throw new QueryError(
        GrpcCode.NotFound,
        `delegation with delegator ${delAddr} not found for validator ${valAddr}`,
      );
    }
    return { delegation_response: this.delegationResponse(ctx, d) };
  }

  /** GET /cosmos/staking/v1beta1/delegators/{delegator_addr}/unbonding_delegations */
  delegatorUnbondingDelegations(ctx: Context, addr: string): Json {
    const us = [...this.k.iterateUnbondings(ctx, parse(addr))];
    return { unbonding_responses: us.map(unbondingJson), pagination: page(us.length) };
  }

  /** GET /cosmos/staking/v1beta1/validators/{validator_addr}/delegations/{delegator_addr}/unbonding_delegation */
  unbondingDelegation(ctx: Context, valAddr: string, delAddr: string): Json {
    const u = this.k.getUnbonding(ctx, parse(delAddr), parse(valAddr, VALOPER_PREFIX));
    if (u === undefined) {
      throw new QueryError(
        GrpcCode.NotFound,
        `unbonding delegation with delegator ${delAddr} not found for validator ${valAddr}`,
      );
    }
    return { unbond: unbondingJson(u) };
  }

  /** GET /cosmos/staking/v1beta1/delegators/{delegator_addr}/redelegations */
  redelegations(ctx: Context, addr: string): Json {
    const rs = [...this.k.iterateRedelegations(ctx, parse(addr))];
    return {
      redelegation_responses: rs.map((r) => this.redelegationJson(ctx, r)),
      pagination: page(rs.length),
    };
  }

  private redelegationJson(ctx: Context, r: Redelegation): Json {
    const dst = this.k.getValidator(ctx, r.dst);
    const entries = r.entries.map((e) => ({
      creation_height: e.creationHeight.toString(),
      completion_time: rfc3339Json(e.completionTimeNs),
      initial_balance: e.initialBalance.toString(),
      shares_dst: e.sharesDst.toString(),
      unbonding_id: "0",
      unbonding_on_hold_ref_count: "0",
    }));
    return {
      redelegation: {
        delegator_address: toBech32(r.delegator),
        validator_src_address: valStr(r.src),
        validator_dst_address: valStr(r.dst),
        entries,
      },
      entries: r.entries.map((e, i) => ({
        redelegation_entry: entries[i],
        balance: dst === undefined ? "0" : tokensFromShares(dst, e.sharesDst).truncateInt().toString(),
      })),
    };
  }

  /** GET /cosmos/staking/v1beta1/delegators/{delegator_addr}/validators */
  delegatorValidators(ctx: Context, addr: string): Json {
    const vals = [...this.k.iterateDelegations(ctx, parse(addr))].map((d) =>
      this.validatorOrNotFound(ctx, d.validator),
    );
    return { validators: vals.map(validatorJson), pagination: page(vals.length) };
  }

  /** GET /cosmos/staking/v1beta1/validators/{validator_addr}/unbonding_delegations */
  validatorUnbondingDelegations(ctx: Context, valAddr: string): Json {
    const op = parse(valAddr, VALOPER_PREFIX);
    const us = [...this.k.iterateUnbondings(ctx)].filter((u) => Buffer.compare(u.validator, op) === 0);
    return { unbonding_responses: us.map(unbondingJson), pagination: page(us.length) };
  }

  /** GET /cosmos/staking/v1beta1/delegators/{delegator_addr}/validators/{validator_addr} */
  delegatorValidator(ctx: Context, delAddr: string, valAddr: string): Json {
    const op = parse(valAddr, VALOPER_PREFIX);
    if (this.k.getDelegation(ctx, parse(delAddr), op) === undefined) {
      throw new QueryError(
        GrpcCode.NotFound,
        `delegation with delegator ${delAddr} not found for validator ${valAddr}`,
      );
    }
    return { validator: validatorJson(this.validatorOrNotFound(ctx, op)) };
  }

  /** GET /cosmos/staking/v1beta1/pool */
  pool(ctx: Context): Json {
    return {
      pool: {
        not_bonded_tokens: this.k.poolBalance(ctx, NOT_BONDED_POOL_NAME).toString(),
        bonded_tokens: this.k.poolBalance(ctx, BONDED_POOL_NAME).toString(),
      },
    };
  }

  /** GET /cosmos/staking/v1beta1/params */
  params(ctx: Context): Json {
    const p = this.k.getParams(ctx);
    return {
      params: {
        unbonding_time: durationJson(p.unbondingTimeNs),
        max_validators: p.maxValidators,
        max_entries: p.maxEntries,
        historical_entries: p.historicalEntries,
        bond_denom: p.bondDenom,
        min_commission_rate: p.minCommissionRate.toString(),
      },
    };
  }
}

export function unbondingJson(u: UnbondingDelegation): Json {
  return {
    delegator_address: toBech32(u.delegator),
    validator_address: valStr(u.validator),
    entries: u.entries.map((e) => ({
      creation_height: e.creationHeight.toString(),
      completion_time: rfc3339Json(e.completionTimeNs),
      initial_balance: e.initialBalance.toString(),
      balance: e.balance.toString(),
      unbonding_id: "0",
      unbonding_on_hold_ref_count: "0",
    })),
  };
}
