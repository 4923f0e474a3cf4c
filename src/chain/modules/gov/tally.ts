// The tally (SDK v0.50 x/gov/keeper/tally.go): voting power is bonded stake; a delegator's own vote overrides
// their validator's for the shares they hold, and the validator votes with the rest. LegacyDec arithmetic with
// the SDK's rounding so yes/no/abstain/veto counts and outcomes match to the unit.
import { VoteOption, type Proposal, type TallyResult, type Vote } from "cosmjs-types/cosmos/gov/v1/gov";
import { toHex } from "../../../util/bytes.js";
import { fromBech32 } from "../../address.js";
import type { Context } from "../../tx/context.js";
import { decFromInt, decMul, decMulInt, decQuo, decTruncate, parseDec, type Dec } from "./dec.js";
import type { GovKeeper } from "./keeper.js";

export interface TallyOutcome {
  readonly passes: boolean;
  readonly burnDeposits: boolean;
  readonly result: TallyResult;
}

interface ValInfo {
  readonly bondedTokens: bigint;
  readonly delegatorShares: Dec;
  deductions: Dec;
  vote: Vote["options"] | undefined;
}

type Totals = Record<VoteOption.VOTE_OPTION_YES | 2 | 3 | 4, Dec>;

function addWeighted(results: Totals, options: Vote["options"], power: Dec): void {
  for (const o of options) {
    const key = o.option as keyof Totals;
    results[key] += decMul(power, parseDec(o.weight, "vote weight"));
  }
}

/** Sums votes into per-option power; `removeVotes` deletes each vote as the end-block tally does. */
function countVotes(
  k: GovKeeper,
  ctx: Context,
  id: bigint,
  removeVotes: boolean,
): { results: Totals; total: Dec } {
  const results: Totals = { 1: 0n, 2: 0n, 3: 0n, 4: 0n };
  let total = 0n;
  const vals = new Map<string, ValInfo>();
  for (const v of k.deps.staking.bondedValidators(ctx)) {
    vals.set(toHex(v.operator), {
      bondedTokens: v.bondedTokens,
      delegatorShares: v.delegatorShares,
      deductions: 0n,
      vote: undefined,
    });
  }
  for (const vote of k.getVotes(ctx, id)) {
    const voter = fromBech32(vote.voter, "voter");
    const asVal = vals.get(toHex(voter));
    if (asVal !== undefined) asVal.vote = vote.options;
    for (const d of k.deps.staking.delegationsOf(ctx, voter)) {
      const val = vals.get(toHex(d.validator));
      if (val === undefined || val.delegatorShares === 0n) continue;
      val.deductions += d.shares;
      const power = decQuo(decMulInt(d.shares, val.bondedTokens), val.delegatorShares);
      addWeighted(results, vote.options, power);
      total += power;
    }
    if (removeVotes) k.deleteVote(ctx, vote);
  }
  // Validators are visited in operator-byte order; the sum is order-independent anyway.
  for (const key of [...vals.keys()].sort()) {
    const val = vals.get(key)!;
    if (val.vote === undefined || val.delegatorShares === 0n) continue;
    const shares = val.delegatorShares - val.deductions;
    const power = decQuo(decMulInt(shares, val.bondedTokens), val.delegatorShares);
    addWeighted(results, val.vote, power);
    total += power;
  }
  return { results, total };
}

function tallyResult(r: Totals): TallyResult {
  return {
    yesCount: decTruncate(r[1]).toString(),
    abstainCount: decTruncate(r[2]).toString(),
    noCount: decTruncate(r[3]).toString(),
    noWithVetoCount: decTruncate(r[4]).toString(),
  };
}

/** SDK Keeper.Tally: quorum, then all-abstain, then veto, then threshold (expedited threshold if expedited). */
export function tally(k: GovKeeper, ctx: Context, p: Proposal, removeVotes: boolean): TallyOutcome {
  const { results, total } = countVotes(k, ctx, p.id, removeVotes);
  const result = tallyResult(results);
  const params = k.getParams(ctx);
  const fail = (burnDeposits: boolean): TallyOutcome => ({ passes: false, burnDeposits, result });
  const bonded = k.deps.staking.totalBondedTokens(ctx);
  if (bonded === 0n) return fail(false);
  if (decQuo(total, decFromInt(bonded)) < parseDec(params.quorum, "quorum"))
    return fail(params.burnVoteQuorum);
  const nonAbstain = total - results[VoteOption.VOTE_OPTION_ABSTAIN];
  if (nonAbstain === 0n) return fail(false);
  if (decQuo(results[VoteOption.VOTE_OPTION_NO_WITH_VETO], total) > parseDec(params.vetoThreshold, "veto")) {
    return fail(params.burnVoteVeto);
  }
  const threshold = parseDec(p.expedited ? params.expeditedThreshold : params.threshold, "threshold");
  if (decQuo(results[VoteOption.VOTE_OPTION_YES], nonAbstain) > threshold) {
    return { passes: true, burnDeposits: false, result };
  }
  return fail(false);
}
