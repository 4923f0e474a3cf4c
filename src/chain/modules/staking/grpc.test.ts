// gRPC query methods of the four PoS modules: protobuf requests in, protobuf responses out, carrying the same
// facts as the JSON query servers (Dec fields as atomics), and gRPC 3/5 for bad/missing addresses.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  QueryDelegationRequest,
  QueryDelegationResponse,
  QueryParamsResponse as StakingParams,
  QueryPoolResponse,
  QueryValidatorsRequest,
  QueryValidatorsResponse,
  QueryDelegatorUnbondingDelegationsRequest,
  QueryDelegatorUnbondingDelegationsResponse,
} from "cosmjs-types/cosmos/staking/v1beta1/query";
import {
  QueryCommunityPoolResponse,
  QueryDelegationTotalRewardsRequest,
  QueryDelegationTotalRewardsResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/query";
import { QueryInflationResponse } from "cosmjs-types/cosmos/mint/v1beta1/query";
import {
  QuerySigningInfoRequest,
  QuerySigningInfoResponse,
  QueryParamsResponse as SlashingParams,
} from "cosmjs-types/cosmos/slashing/v1beta1/query";
import { MemoryOverlay } from "../../store/memory.js";
import { GrpcCode, QueryError } from "../../errors.js";
import { toBech32 } from "../../address.js";
import { Dec } from "./dec.js";
import { VALCONS_PREFIX } from "./keys.js";
import { handleDelegate, handleUndelegate } from "./msgServer.js";
import {
  SEC,
  accStr,
  consOf,
  createValidator,
  makePosChain,
  valStr,
  votesOf,
} from "./testdata/posHarness.js";

const U = 1_000_000n;

function setup() {
  const c = makePosChain({ 1: 100n * U, 9: 100n * U });
  const s = new MemoryOverlay(c.state);
  const ctx = c.ctx(1n, 1000n * SEC, s);
  createValidator(c, ctx, 1, 10n * U);
  c.endBlock(ctx);
  const coin = (n: bigint) => ({ denom: "uscrt", amount: n.toString() });
  handleDelegate(c.staking.keeper, ctx, {
    delegatorAddress: accStr(9),
    validatorAddress: valStr(1),
    amount: coin(5n * U),
  });
  handleUndelegate(c.staking.keeper, ctx, {
    delegatorAddress: accStr(9),
    validatorAddress: valStr(1),
    amount: coin(U),
  });
  const b = c.ctx(2n, 1005n * SEC, s);
  c.beginBlock(b, votesOf(c, b));
  c.endBlock(b);
  return { c, ctx: b };
}

test("staking gRPC: validators, delegation, unbonding, pool, params", () => {
  const { c, ctx } = setup();
  const g = c.staking.grpcQueries;
  const call = (m: string, req: Uint8Array) => g[`/cosmos.staking.v1beta1.Query/${m}`]!(ctx, req);
  const vals = QueryValidatorsResponse.decode(
    call("Validators", QueryValidatorsRequest.encode({ status: "BOND_STATUS_BONDED" }).finish()),
  );
  assert.equal(vals.validators.length, 1);
  assert.equal(vals.validators[0]!.operatorAddress, valStr(1));
  assert.equal(vals.validators[0]!.tokens, (14n * U).toString());
  assert.equal(
    Dec.fromAtomics(vals.validators[0]!.commission.commissionRates.rate).toString(),
    "0.100000000000000000",
  );
  const d = QueryDelegationResponse.decode(
    call(
      "Delegation",
      QueryDelegationRequest.encode({ delegatorAddr: accStr(9), validatorAddr: valStr(1) }).finish(),
    ),
  );
  assert.equal(d.delegationResponse!.balance.amount, (4n * U).toString());
  assert.equal(
    Dec.fromAtomics(d.delegationResponse!.delegation.shares).toString(),
    "4000000.000000000000000000",
  );
  const u = QueryDelegatorUnbondingDelegationsResponse.decode(
    call(
      "DelegatorUnbondingDelegations",
      QueryDelegatorUnbondingDelegationsRequest.encode({ delegatorAddr: accStr(9) }).finish(),
    ),
  );
  assert.equal(u.unbondingResponses[0]!.entries[0]!.balance, U.toString());
  assert.equal(u.unbondingResponses[0]!.entries[0]!.completionTime.seconds, 1090n);
  assert.deepEqual(QueryPoolResponse.decode(call("Pool", new Uint8Array())).pool, {
    notBondedTokens: U.toString(),
    bondedTokens: (14n * U).toString(),
  });
  const p = StakingParams.decode(call("Params", new Uint8Array())).params;
  assert.equal(p.unbondingTime.seconds, 90n);
  assert.equal(p.bondDenom, "uscrt");
  assert.throws(
    () =>
      call(
        "Delegation",
        QueryDelegationRequest.encode({ delegatorAddr: accStr(1), validatorAddr: valStr(7) }).finish(),
      ),
    (e) => e instanceof QueryError && e.grpcCode === GrpcCode.NotFound,
  );
  assert.throws(
    () => call("Delegation", Uint8Array.of(0xff, 0xff)),
    (e) => e instanceof QueryError && e.grpcCode === GrpcCode.InvalidArgument,
  );
});

test("distribution, mint and slashing gRPC carry the JSON servers' facts", () => {
  const { c, ctx } = setup();
  const tot = QueryDelegationTotalRewardsResponse.decode(
    c.distr.grpcQueries["/cosmos.distribution.v1beta1.Query/DelegationTotalRewards"]!(
      ctx,
      QueryDelegationTotalRewardsRequest.encode({ delegatorAddress: accStr(9) }).finish(),
    ),
  );
  const json = c.distr.query.delegationTotalRewards(ctx, accStr(9)) as { total: { amount: string }[] };
  assert.ok(json.total.length > 0, "rewards accrued");
  assert.equal(Dec.fromAtomics(tot.total[0]!.amount).toString(), json.total[0]!.amount);
  const pool = QueryCommunityPoolResponse.decode(
    c.distr.grpcQueries["/cosmos.distribution.v1beta1.Query/CommunityPool"]!(ctx, new Uint8Array()),
  );
  assert.equal(pool.pool.length, 1);
  const infl = QueryInflationResponse.decode(
    c.mint.grpcQueries["/cosmos.mint.v1beta1.Query/Inflation"]!(ctx, new Uint8Array()),
  );
  assert.equal(Buffer.from(infl.inflation).toString(), c.mint.keeper.getMinter(ctx).inflation.toAtomics());
  const sp = SlashingParams.decode(
    c.slashing.grpcQueries["/cosmos.slashing.v1beta1.Query/Params"]!(ctx, new Uint8Array()),
  ).params;
  assert.equal(sp.signedBlocksWindow, 22_500n);
  assert.equal(Buffer.from(sp.slashFractionDoubleSign).toString(), Dec.fromString("0.05").toAtomics());
  const cons = toBech32(consOf(1), VALCONS_PREFIX);
  const si = QuerySigningInfoResponse.decode(
    c.slashing.grpcQueries["/cosmos.slashing.v1beta1.Query/SigningInfo"]!(
      ctx,
      QuerySigningInfoRequest.encode({ consAddress: cons }).finish(),
    ),
  );
  assert.equal(si.valSigningInfo.address, cons);
  assert.equal(si.valSigningInfo.indexOffset, 1n);
});

test("JSON extras the LCD routes name: validator unbondings, delegator validator, distribution lists", () => {
  const { c, ctx } = setup();
  const ubds = c.staking.query.validatorUnbondingDelegations(ctx, valStr(1)) as {
    unbonding_responses: unknown[];
  };
  assert.equal(ubds.unbonding_responses.length, 1);
  const dv = c.staking.query.delegatorValidator(ctx, accStr(9), valStr(1)) as {
    validator: { operator_address: string };
  };
  assert.equal(dv.validator.operator_address, valStr(1));
  assert.throws(() => c.staking.query.delegatorValidator(ctx, accStr(1), valStr(7)), QueryError);
  assert.deepEqual(c.distr.query.delegatorValidators(ctx, accStr(9)), { validators: [valStr(1)] });
  assert.deepEqual(c.distr.query.validatorSlashes(ctx, valStr(1)), {
    slashes: [],
    pagination: { next_key: null, total: "0" },
  });
});
