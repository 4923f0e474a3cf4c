// Contract → chain queries beyond bank and wasm, as Secret answers them (SN x/compute/internal/keeper/
// query_plugins.go; JSON shapes from SN go-cosmwasm/types/queries.go): staking, distribution rewards, mint,
// gov proposals, and allow-listed Stargate (gRPC) paths. Each answer is the value a contract gets as `Ok`.
import type { Context } from "../../tx/context.js";
import { ChainError, SdkErrors, StakingErrors } from "../../errors.js";
import { fromBech32, toBech32 } from "../../address.js";
import { equalBytes } from "../../../util/bytes.js";
import { addDecCoins, type Dec } from "../staking/dec.js";
import { VALOPER_PREFIX } from "../staking/keys.js";
import { byPowerThenOperator } from "../staking/valset.js";
import {
  BondStatus,
  tokensFromShares,
  type Delegation,
  type Redelegation,
  type UnbondingDelegation,
  type Validator,
} from "../staking/types.js";
import { isObj, type J } from "./json.js";

/** A query kind or variant Secret does not serve: answered `{"Err":{"unsupported_request":{"kind"}}}`. */
export class UnsupportedChainQuery extends Error {
  override readonly name = "UnsupportedChainQuery";
  constructor(readonly kind: string) {
    super(kind);
  }
}

/** The JSON query kinds answered by `ComputeChainQueries.json`, in the order the engine looks for them. */
export const CHAIN_QUERY_KINDS = ["staking", "dist", "mint", "gov"] as const;

/** What the compute engine asks of the rest of the chain for contract queries (undefined: not wired). */
export interface ComputeChainQueries {
  /** `staking`, `dist`, `mint` or `gov` request → the JSON `Ok` value; throws ChainError or UnsupportedChainQuery. */
  json(ctx: Context, kind: (typeof CHAIN_QUERY_KINDS)[number], q: J): unknown;
  /** An allow-listed gRPC query (`stargate {path, data}`) → its protobuf answer bytes. */
  stargate(ctx: Context, path: string, data: Uint8Array): Uint8Array;
}

/** The narrow keeper views the queries read (DESIGN.md rule 7). */
export interface ChainQueryKeepers {
  readonly staking: {
    bondDenom(ctx: Context): string;
    getParams(ctx: Context): { readonly maxValidators: number };
    iterateValidators(ctx: Context): Iterable<Validator>;
    getValidator(ctx: Context, op: Uint8Array): Validator | undefined;
    iterateDelegations(ctx: Context, del?: Uint8Array): Iterable<Delegation>;
    getDelegation(ctx: Context, del: Uint8Array, op: Uint8Array): Delegation | undefined;
    iterateUnbondings(ctx: Context, del?: Uint8Array): Iterable<UnbondingDelegation>;
    iterateRedelegations(ctx: Context, del?: Uint8Array): Iterable<Redelegation>;
  };
  readonly distribution: {
    pendingRewards(ctx: Context, del: Uint8Array, op: Uint8Array): readonly { denom: string; amount: Dec }[];
  };
  readonly mint: { getMinter(ctx: Context): { readonly inflation: Dec }; bondedRatio(ctx: Context): Dec };
  readonly gov: {
    iterateProposals(ctx: Context): Iterable<{
      readonly id: bigint;
      readonly status: number;
      readonly votingStartTime?: { seconds: bigint } | undefined;
      readonly votingEndTime?: { seconds: bigint } | undefined;
    }>;
  };
  /** gov v1 ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD. */
  readonly votingPeriodStatus: number;
  /** Full gRPC method path → handler (the app's table; looked up per query, so it may be filled late). */
  grpc(path: string): ((ctx: Context, data: Uint8Array) => Uint8Array) | undefined;
}

/**
 * The gRPC paths a contract may query (SN query_plugins.go `stargateQueryAllowlist`, O(1) queries only); a path
 * outside it is refused, a path inside it that this node does not serve answers "No route".
 */
export const STARGATE_ALLOWLIST: ReadonlySet<string> = new Set([
  "/cosmos.auth.v1beta1.Query/Account",
  "/cosmos.auth.v1beta1.Query/Params",
  "/cosmos.bank.v1beta1.Query/Balance",
  "/cosmos.bank.v1beta1.Query/DenomMetadata",
  "/cosmos.bank.v1beta1.Query/SupplyOf",
  "/cosmos.bank.v1beta1.Query/Params",
  "/cosmos.distribution.v1beta1.Query/Params",
  "/cosmos.distribution.v1beta1.Query/DelegatorWithdrawAddress",
  "/cosmos.distribution.v1beta1.Query/FoundationTax",
  "/cosmos.distribution.v1beta1.Query/ValidatorCommission",
  "/cosmos.feegrant.v1beta1.Query/Allowance",
  "/cosmos.gov.v1beta1.Query/Deposit",
  "/cosmos.gov.v1beta1.Query/Params",
  "/cosmos.gov.v1beta1.Query/Proposal",
  "/cosmos.gov.v1beta1.Query/Vote",
  "/cosmos.mint.v1beta1.Query/Params",
  "/cosmos.mint.v1beta1.Query/Inflation",
  "/cosmos.mint.v1beta1.Query/AnnualProvisions",
  "/cosmos.params.v1beta1.Query/Params",
  "/cosmos.slashing.v1beta1.Query/Params",
  "/cosmos.slashing.v1beta1.Query/SigningInfo",
  "/cosmos.staking.v1beta1.Query/Validator",
  "/cosmos.staking.v1beta1.Query/Delegation",
  "/cosmos.staking.v1beta1.Query/UnbondingDelegation",
  "/cosmos.staking.v1beta1.Query/Params",
  "/ibc.applications.transfer.v1.Query/DenomHash",
  "/ibc.applications.transfer.v1.Query/DenomTrace",
  "/ibc.applications.transfer.v1.Query/Params",
  "/secret.compute.v1beta1.Query/ContractInfo",
  "/secret.compute.v1beta1.Query/CodeHashByContractAddress",
  "/secret.compute.v1beta1.Query/CodeHashByCodeId",
  "/secret.compute.v1beta1.Query/LabelByAddress",
  "/secret.compute.v1beta1.Query/AddressByLabel",
  "/secret.compute.v1beta1.Query/ContractsByCodeId",
]);

/** SDK ErrInvalidAddress.Wrap(s): "<s>: invalid address". */
function address(s: unknown, prefix?: string): Uint8Array {
  const str = typeof s === "string" ? s : "";
  try {
    return prefix === undefined ? fromBech32(str) : fromBech32(str, "address", prefix);
  } catch {
    throw new ChainError(SdkErrors.InvalidAddress, str);
  }
}

const coin = (denom: string, amount: bigint) => ({ denom, amount: amount.toString() });

function validatorJson(v: Validator): J {
  return {
    address: toBech32(v.operator, VALOPER_PREFIX),
    commission: v.commission.rate.toString(),
    max_commission: v.commission.maxRate.toString(),
    max_change_rate: v.commission.maxChangeRate.toString(),
  };
}

/** SDK GetBondedValidatorsByPower: bonded validators, power descending then operator ascending, ≤ max. */
function bondedByPower(k: ChainQueryKeepers, ctx: Context): Validator[] {
  const vals = [...k.staking.iterateValidators(ctx)].filter((v) => v.status === BondStatus.Bonded);
  vals.sort(byPowerThenOperator);
  return vals.slice(0, k.staking.getParams(ctx).maxValidators);
}

function mustValidator(k: ChainQueryKeepers, ctx: Context, op: Uint8Array): Validator {
  const v = k.staking.getValidator(ctx, op);
  // SN: errorsmod.Wrap(ErrNoValidatorFound, "can't load validator for delegation").
  if (v === undefined)
    throw new ChainError(StakingErrors.NoValidatorFound, "can't load validator for delegation");
  return v;
}

function delegationAmount(
  k: ChainQueryKeepers,
  ctx: Context,
  d: Delegation,
): { denom: string; amount: string } {
  const v = mustValidator(k, ctx, d.validator);
  return coin(k.staking.bondDenom(ctx), tokensFromShares(v, d.shares).truncateInt());
}

function delegationJson(k: ChainQueryKeepers, ctx: Context, d: Delegation): J {
  return {
    delegator: toBech32(d.delegator),
    validator: toBech32(d.validator, VALOPER_PREFIX),
    amount: delegationAmount(k, ctx, d),
  };
}

/** SN sdkToFullDelegation: amount, rewards truncated to integers, can_redelegate all or nothing. */
function fullDelegationJson(k: ChainQueryKeepers, ctx: Context, d: Delegation): J {
  const amount = delegationAmount(k, ctx, d);
  const receiving = [...k.staking.iterateRedelegations(ctx, d.delegator)].some((r) =>
    equalBytes(r.dst, d.validator),
  );
  const rewards = k.distribution
    .pendingRewards(ctx, d.delegator, d.validator)
    .map((c) => coin(c.denom, c.amount.truncateInt()));
  return {
    delegator: toBech32(d.delegator),
    validator: toBech32(d.validator, VALOPER_PREFIX),
    amount,
    accumulated_rewards: rewards,
    can_redelegate: receiving ? coin(amount.denom, 0n) : amount,
  };
}

function stakingQuery(k: ChainQueryKeepers, ctx: Context, q: J): unknown {
  if (isObj(q.bonded_denom)) return { denom: k.staking.bondDenom(ctx) };
  // v0.10 `validators` and v1 `all_validators` are the same list in SN.
  if (isObj(q.validators) || isObj(q.all_validators))
    return { validators: bondedByPower(k, ctx).map(validatorJson) };
  if (isObj(q.validator)) {
    const v = k.staking.getValidator(ctx, address(q.validator.address, VALOPER_PREFIX));
    return { validator: v === undefined ? null : validatorJson(v) };
  }
  if (isObj(q.all_delegations)) {
    const del = address(q.all_delegations.delegator);
    return { delegations: [...k.staking.iterateDelegations(ctx, del)].map((d) => delegationJson(k, ctx, d)) };
  }
  if (isObj(q.delegation)) {
    const del = address(q.delegation.delegator);
    const op = address(q.delegation.validator, VALOPER_PREFIX);
    const d = k.staking.getDelegation(ctx, del, op);
    // `delegation` is omitempty in SN's DelegationResponse: `{}` when there is none.
    return d === undefined ? {} : { delegation: fullDelegationJson(k, ctx, d) };
  }
  if (isObj(q.unbonding_delegations)) return unbondings(k, ctx, address(q.unbonding_delegations.delegator));
  throw new UnsupportedChainQuery("unknown Staking variant");
}

/**
 * SN sdkToUnbondingDelegations, quirk kept: one row per unbonding delegation carrying its LAST entry's balance
 * (the loop overwrites), and an entry-less one as an all-empty row.
 */
function unbondings(k: ChainQueryKeepers, ctx: Context, del: Uint8Array): J {
  const denom = k.staking.bondDenom(ctx);
  const rows = [...k.staking.iterateUnbondings(ctx, del)].map((u) => {
    const last = u.entries[u.entries.length - 1];
    if (last === undefined) return { delegator: "", validator: "", amount: { denom: "", amount: "" } };
    return {
      delegator: toBech32(u.delegator),
      validator: toBech32(u.validator, VALOPER_PREFIX),
      amount: coin(denom, last.balance),
    };
  });
  return { delegations: rows };
}

/** SN DistQuerier `rewards`: per delegation and total, amounts cut to integers; empty lists are omitted. */
function distQuery(k: ChainQueryKeepers, ctx: Context, q: J): unknown {
  if (!isObj(q.rewards)) throw new UnsupportedChainQuery("unknown DistQuery variant");
  const del = address(q.rewards.delegator);
  const all: (readonly { denom: string; amount: Dec }[])[] = [];
  const rewards = [...k.staking.iterateDelegations(ctx, del)].map((d) => {
    const rs = k.distribution.pendingRewards(ctx, del, d.validator);
    all.push(rs);
    return {
      validator_address: toBech32(d.validator, VALOPER_PREFIX),
      reward: rs.map((r) => coin(r.denom, r.amount.truncateInt())),
    };
  });
  // SDK DelegationTotalRewards: the DecCoins sum (sorted by denom, zero coins dropped).
  const total = addDecCoins(...all).map((c) => coin(c.denom, c.amount.truncateInt()));
  const out: J = {};
  if (rewards.length > 0) out.rewards = rewards;
  if (total.length > 0) out.total = total;
  return out;
}

function mintQuery(k: ChainQueryKeepers, ctx: Context, q: J): unknown {
  if (isObj(q.bonded_ratio)) return { bonded_ratio: k.mint.bondedRatio(ctx).toString() };
  if (isObj(q.inflation)) return { inflation_rate: k.mint.getMinter(ctx).inflation.toString() };
  throw new UnsupportedChainQuery("unknown MintQuery variant");
}

/** SN GovQuerier `proposals`: the proposals in their voting period, times in Unix seconds. */
function govQuery(k: ChainQueryKeepers, ctx: Context, q: J): unknown {
  if (!isObj(q.proposals)) throw new UnsupportedChainQuery("unknown GovQuery variant");
  const active = [...k.gov.iterateProposals(ctx)]
    .filter((p) => p.status === k.votingPeriodStatus)
    .map((p) => ({
      id: Number(p.id),
      voting_start_time: Number(p.votingStartTime?.seconds ?? 0n),
      voting_end_time: Number(p.votingEndTime?.seconds ?? 0n),
    }));
  return { proposals: active };
}

export function createChainQueries(k: ChainQueryKeepers): ComputeChainQueries {
  return {
    json(ctx, kind, q) {
      switch (kind) {
        case "staking":
          return stakingQuery(k, ctx, q);
        case "dist":
          return distQuery(k, ctx, q);
        case "mint":
          return mintQuery(k, ctx, q);
        case "gov":
          return govQuery(k, ctx, q);
      }
    },
    stargate(ctx, path, data) {
      if (!STARGATE_ALLOWLIST.has(path))
        throw new UnsupportedChainQuery(`query path '${path}' is not allowed from the contract`);
      const h = k.grpc(path);
      if (h === undefined) throw new UnsupportedChainQuery(`No route to query path '${path}'`);
      return h(ctx, data);
    },
  };
}
