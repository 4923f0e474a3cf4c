// Staking gRPC query methods over ABCI Query (path = full method name, data = protobuf request): each decodes the
// request with cosmjs-types, reuses the JSON query server's validation (bad address → gRPC 3, missing → gRPC 5)
// and encodes the protobuf response. Dec fields are atomics, as gogoproto LegacyDec marshals them.
import {
  QueryDelegationRequest,
  QueryDelegationResponse,
  QueryDelegatorDelegationsRequest,
  QueryDelegatorDelegationsResponse,
  QueryDelegatorUnbondingDelegationsRequest,
  QueryDelegatorUnbondingDelegationsResponse,
  QueryParamsResponse,
  QueryPoolResponse,
  QueryValidatorRequest,
  QueryValidatorResponse,
  QueryValidatorsRequest,
  QueryValidatorsResponse,
} from "cosmjs-types/cosmos/staking/v1beta1/query";
import {
  bondStatusFromJSON,
  type DelegationResponse,
  type UnbondingDelegation as UbdProto,
  type Validator as ValidatorProto,
} from "cosmjs-types/cosmos/staking/v1beta1/staking";
import { PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { GrpcCode, QueryError } from "../../errors.js";
import { fromBech32, toBech32 } from "../../address.js";
import type { Context } from "../../tx/context.js";
import type { StakingKeeper } from "./keeper.js";
import { BONDED_POOL_NAME, NOT_BONDED_POOL_NAME, VALOPER_PREFIX } from "./keys.js";
import { ED25519_PUBKEY_TYPE_URL } from "./msgs.js";
import type { StakingQueryServer } from "./queryServer.js";
import { nsToTimestamp } from "./time.js";
import {
  BOND_STATUS_NAMES,
  tokensFromShares,
  type Delegation,
  type UnbondingDelegation,
  type Validator,
} from "./types.js";

/** Same shape as app/module.ts GrpcQueryHandler (kept structural: modules do not import the app). */
export type GrpcHandler = (ctx: Context, request: Uint8Array) => Uint8Array;

export function decodeRequest<T>(decode: (b: Uint8Array) => T, b: Uint8Array): T {
  try {
    return decode(b);
  } catch {
    throw new QueryError(GrpcCode.InvalidArgument, "malformed request");
  }
}

export const onePage = (n: number): { nextKey: Uint8Array; total: bigint } => ({
  nextKey: new Uint8Array(),
  total: BigInt(n),
});

export function validatorProto(v: Validator): ValidatorProto {
  return {
    operatorAddress: toBech32(v.operator, VALOPER_PREFIX),
    consensusPubkey: {
      typeUrl: ED25519_PUBKEY_TYPE_URL,
      value: PubKey.encode({ key: v.consPubKey }).finish(),
    },
    jailed: v.jailed,
    status: bondStatusFromJSON(BOND_STATUS_NAMES[v.status]),
    tokens: v.tokens.toString(),
    delegatorShares: v.delegatorShares.toAtomics(),
    description: { ...v.description },
    unbondingHeight: v.unbondingHeight,
    unbondingTime: nsToTimestamp(v.unbondingTimeNs),
    commission: {
      commissionRates: {
        rate: v.commission.rate.toAtomics(),
        maxRate: v.commission.maxRate.toAtomics(),
        maxChangeRate: v.commission.maxChangeRate.toAtomics(),
      },
      updateTime: nsToTimestamp(v.commission.updateTimeNs),
    },
    minSelfDelegation: v.minSelfDelegation.toString(),
    unbondingOnHoldRefCount: 0n,
    unbondingIds: [],
  };
}

function delegationProto(k: StakingKeeper, ctx: Context, d: Delegation): DelegationResponse {
  const v = k.getValidator(ctx, d.validator);
  if (v === undefined) throw new QueryError(GrpcCode.NotFound, "validator not found");
  return {
    delegation: {
      delegatorAddress: toBech32(d.delegator),
      validatorAddress: toBech32(d.validator, VALOPER_PREFIX),
      shares: d.shares.toAtomics(),
    },
    balance: { denom: k.bondDenom(ctx), amount: tokensFromShares(v, d.shares).truncateInt().toString() },
  };
}

function ubdProto(u: UnbondingDelegation): UbdProto {
  return {
    delegatorAddress: toBech32(u.delegator),
    validatorAddress: toBech32(u.validator, VALOPER_PREFIX),
    entries: u.entries.map((e) => ({
      creationHeight: e.creationHeight,
      completionTime: nsToTimestamp(e.completionTimeNs),
      initialBalance: e.initialBalance.toString(),
      balance: e.balance.toString(),
      unbondingId: 0n,
      unbondingOnHoldRefCount: 0n,
    })),
  };
}

const S = "/cosmos.staking.v1beta1.Query/";

export function stakingGrpc(k: StakingKeeper, q: StakingQueryServer): Record<string, GrpcHandler> {
  return {
    [`${S}Validators`]: (ctx, data) => {
      const { status } = decodeRequest((b) => QueryValidatorsRequest.decode(b), data);
      const vals = [...k.iterateValidators(ctx)].filter(
        (v) => status === "" || BOND_STATUS_NAMES[v.status] === status,
      );
      return QueryValidatorsResponse.encode({
        validators: vals.map(validatorProto),
        pagination: onePage(vals.length),
      }).finish();
    },
    [`${S}Validator`]: (ctx, data) => {
      const { validatorAddr } = decodeRequest((b) => QueryValidatorRequest.decode(b), data);
      q.validator(ctx, validatorAddr);
      const v = k.getValidator(ctx, fromBech32(validatorAddr, "validator", VALOPER_PREFIX))!;
      return QueryValidatorResponse.encode({ validator: validatorProto(v) }).finish();
    },
    [`${S}DelegatorDelegations`]: (ctx, data) => {
      const { delegatorAddr } = decodeRequest((b) => QueryDelegatorDelegationsRequest.decode(b), data);
      q.delegatorDelegations(ctx, delegatorAddr);
      const ds = [...k.iterateDelegations(ctx, fromBech32(delegatorAddr))];
      return QueryDelegatorDelegationsResponse.encode({
        delegationResponses: ds.map((d) => delegationProto(k, ctx, d)),
        pagination: onePage(ds.length),
      }).finish();
    },
    [`${S}Delegation`]: (ctx, data) => {
      const r = decodeRequest((b) => QueryDelegationRequest.decode(b), data);
      q.delegation(ctx, r.validatorAddr, r.delegatorAddr);
      const d = k.getDelegation(
        ctx,
        fromBech32(r.delegatorAddr),
        fromBech32(r.validatorAddr, "v", VALOPER_PREFIX),
      )!;
      return QueryDelegationResponse.encode({ delegationResponse: delegationProto(k, ctx, d) }).finish();
    },
    [`${S}DelegatorUnbondingDelegations`]: (ctx, data) => {
      const { delegatorAddr } = decodeRequest(
        (b) => QueryDelegatorUnbondingDelegationsRequest.decode(b),
        data,
      );
      q.delegatorUnbondingDelegations(ctx, delegatorAddr);
      const us = [...k.iterateUnbondings(ctx, fromBech32(delegatorAddr))];
      return QueryDelegatorUnbondingDelegationsResponse.encode({
        unbondingResponses: us.map(ubdProto),
        pagination: onePage(us.length),
      }).finish();
    },
    [`${S}Pool`]: (ctx) =>
      QueryPoolResponse.encode({
        pool: {
          notBondedTokens: k.poolBalance(ctx, NOT_BONDED_POOL_NAME).toString(),
          bondedTokens: k.poolBalance(ctx, BONDED_POOL_NAME).toString(),
        },
      }).finish(),
    [`${S}Params`]: (ctx) => {
      const p = k.getParams(ctx);
      return QueryParamsResponse.encode({
        params: {
          unbondingTime: {
            seconds: p.unbondingTimeNs / 1_000_000_000n,
            nanos: Number(p.unbondingTimeNs % 1_000_000_000n),
          },
          maxValidators: p.maxValidators,
          maxEntries: p.maxEntries,
          historicalEntries: p.historicalEntries,
          bondDenom: p.bondDenom,
          minCommissionRate: p.minCommissionRate.toAtomics(),
        },
      }).finish();
    },
  };
}
