// Gov params (cosmos.gov.v1.Params): LocalSecret defaults, SDK v0.50 Params.ValidateBasic, and the time/duration
// helpers the keeper needs. Decimal params stay strings exactly as submitted (the SDK stores them verbatim).
import { Params } from "cosmjs-types/cosmos/gov/v1/gov";
import type { Duration } from "cosmjs-types/google/protobuf/duration";
import { ChainError, UndefinedErrors } from "../../errors.js";
import { fromBech32 } from "../../address.js";
import { coinsGte, parseCoins, type Coin } from "../../tx/coins.js";
import { DEC_ONE, formatDec, tryParseDec, type Dec } from "./dec.js";

const SECOND_NS = 1_000_000_000n;
const dur = (seconds: bigint): Duration => ({ seconds, nanos: 0 });
const decStr = (permille: bigint): string => formatDec((permille * DEC_ONE) / 1000n);

/**
 * Shroud's defaults: SDK v0.50 DefaultParams with LocalSecret's 90 s voting period (issue 4 §3) and `uscrt`.
 * The expedited period must stay below the voting period (ValidateBasic), hence 60 s.
 */
export function defaultGovParams(denom = "uscrt"): Params {
  return Params.fromPartial({
    minDeposit: [{ denom, amount: "10000000" }],
    maxDepositPeriod: dur(172_800n),
    votingPeriod: dur(90n),
    quorum: decStr(334n),
    threshold: decStr(500n),
    vetoThreshold: decStr(334n),
    minInitialDepositRatio: decStr(0n),
    proposalCancelRatio: decStr(500n),
    proposalCancelDest: "",
    expeditedVotingPeriod: dur(60n),
    expeditedThreshold: decStr(667n),
    expeditedMinDeposit: [{ denom, amount: "50000000" }],
    burnVoteQuorum: false,
    burnProposalDepositPrevote: false,
    burnVoteVeto: true,
    minDepositRatio: decStr(10n),
  });
}

/** Duration -> ns; undefined stays undefined. */
export function durationNs(d: Duration | undefined): bigint | undefined {
  return d === undefined ? undefined : d.seconds * SECOND_NS + BigInt(d.nanos);
}

function invalid(msg: string): ChainError {
  // SDK ValidateBasic returns plain errors (fmt.Errorf): unregistered, so ABCI shows undefined/1.
  return new ChainError(UndefinedErrors.Internal, msg);
}

function ratio(s: string, name: string, opts: { positive: boolean }): Dec {
  const d = tryParseDec(s);
  if (d === undefined) throw invalid(`invalid ${name} string: ${s}`);
  if (opts.positive ? d <= 0n : d < 0n) {
    throw invalid(`${name} must be ${opts.positive ? "positive" : "non-negative"}: ${s}`);
  }
  if (d > DEC_ONE) throw invalid(`${name} too large: ${s}`);
  return d;
}

function positivePeriod(d: Duration | undefined, name: string): bigint {
  const ns = durationNs(d);
  if (ns === undefined) throw invalid(`${name} must not be nil: ${String(ns)}`);
  if (ns <= 0n) throw invalid(`${name} must be positive: ${ns}`);
  return ns;
}

function depositCoins(list: Params["minDeposit"], name: string): Coin[] {
  let coins: Coin[];
  try {
    coins = parseCoins(list, name);
  } catch {
    throw invalid(`invalid ${name}`);
  }
  if (coins.length === 0) throw invalid(`invalid ${name}: empty`);
  return coins;
}

/** SDK v0.50 x/gov/types/v1/params.go ValidateBasic. */
export function validateGovParams(p: Params): void {
  const minDeposit = depositCoins(p.minDeposit, "minimum deposit");
  const expeditedMin = depositCoins(p.expeditedMinDeposit, "expedited minimum deposit");
  // SDK: minExpeditedDeposit.IsAllLTE(minDeposit) is an error.
  if (coinsGte(minDeposit, expeditedMin)) {
    throw invalid("expedited minimum deposit must be greater than minimum deposit");
  }
  positivePeriod(p.maxDepositPeriod, "maximum deposit period");
  ratio(p.quorum, "quorum", { positive: false });
  const threshold = ratio(p.threshold, "vote threshold", { positive: true });
  const expeditedThreshold = ratio(p.expeditedThreshold, "expedited threshold", { positive: true });
  if (expeditedThreshold <= threshold) {
    throw invalid("expedited threshold must be greater than the regular threshold");
  }
  ratio(p.vetoThreshold, "veto threshold", { positive: true });
  const voting = positivePeriod(p.votingPeriod, "voting period");
  const expedited = positivePeriod(p.expeditedVotingPeriod, "expedited voting period");
  if (expedited >= voting)
    throw invalid("expedited voting period must be strictly less than the voting period");
  ratio(p.minInitialDepositRatio, "minimum initial deposit ratio", { positive: false });
  ratio(p.proposalCancelRatio, "proposal cancel ratio", { positive: false });
  ratio(p.minDepositRatio, "minimum deposit ratio", { positive: false });
  if (p.proposalCancelDest !== "") {
    try {
      fromBech32(p.proposalCancelDest, "proposal cancel dest");
    } catch {
      throw invalid(`invalid address for proposal cancel dest: ${p.proposalCancelDest}`);
    }
  }
}
