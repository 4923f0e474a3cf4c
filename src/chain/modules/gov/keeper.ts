// The gov keeper: the only code that reads or writes gov's store prefix. Proposals, their time queues, deposits,
// votes and params, with SDK v0.50 x/gov/keeper semantics (proposal.go, deposit.go, vote.go). Tally and the
// end-block state machine live in tally.ts and abci.ts.
import { Deposit, Params, Proposal, ProposalStatus, Vote } from "cosmjs-types/cosmos/gov/v1/gov";
import type { WeightedVoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import type { KVStore } from "../../store/types.js";
import { PrefixStore, prefixEnd, type Context } from "../../tx/context.js";
import { GovErrors } from "../../errors.js";
import { ChainError } from "../../errors.js";
import { fromBech32, toBech32 } from "../../address.js";
import { u64be, utf8 } from "../../../util/bytes.js";
import { addCoins, coinsGte, coinsToString, coinsToWire, parseCoins, type Coin } from "../../tx/coins.js";
import type { MsgRegistry } from "../../tx/msgRegistry.js";
import { emitDeposit, emitVote } from "./events.js";
import type { GovBankKeeper, GovDistributionKeeper, GovStakingKeeper } from "./expectedKeepers.js";
import * as K from "./keys.js";
import { defaultGovParams, durationNs } from "./params.js";
import { decFromInt, decMul, decRoundInt, decTruncate, parseDec } from "./dec.js";
import { isOpen, nsToTimestamp, timestampNs } from "./types.js";

/** SDK x/gov/types/config.go defaults: MaxMetadataLen 255, MaxSummaryLen 10200. */
export const MAX_METADATA_LEN = 255;
export const MAX_SUMMARY_LEN = 10_200;

export interface GovKeeperDeps {
  readonly bank: GovBankKeeper;
  readonly staking: GovStakingKeeper;
  readonly distribution?: GovDistributionKeeper;
  /** Resolves and runs proposal messages (the app's tx registry). */
  readonly registry: MsgRegistry;
}

export class GovKeeper {
  readonly authority = K.GOV_MODULE_ADDRESS;

  constructor(readonly deps: GovKeeperDeps) {}

  store(ctx: Context): KVStore {
    return new PrefixStore(ctx.store, K.STORE_PREFIX);
  }

  // ---- params, ids, constitution ------------------------------------------------------------------------------

  getParams(ctx: Context): Params {
    const b = this.store(ctx).get(K.PARAMS_KEY);
    return b === undefined ? defaultGovParams() : Params.decode(b);
  }

  setParams(ctx: Context, p: Params): void {
    this.store(ctx).set(K.PARAMS_KEY, Params.encode(p).finish());
  }

  /** The next proposal id (SDK ProposalID sequence; genesis starting_proposal_id, default 1). */
  peekProposalId(ctx: Context): bigint {
    const b = this.store(ctx).get(K.PROPOSAL_ID_KEY);
    return b === undefined ? 1n : new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, false);
  }

  setNextProposalId(ctx: Context, id: bigint): void {
    this.store(ctx).set(K.PROPOSAL_ID_KEY, u64be(id));
  }

  getConstitution(ctx: Context): string {
    const b = this.store(ctx).get(K.CONSTITUTION_KEY);
    return b === undefined ? "" : utf8.decode(b);
  }

  setConstitution(ctx: Context, c: string): void {
    this.store(ctx).set(K.CONSTITUTION_KEY, utf8.encode(c));
  }

  // ---- proposals and queues -------------------------------------------------------------------------------------

  getProposal(ctx: Context, id: bigint): Proposal | undefined {
    const b = this.store(ctx).get(K.proposalKey(id));
    return b === undefined ? undefined : Proposal.decode(b);
  }

  /** Stores a proposal and keeps the voting-period index in step with its status (SDK SetProposal). */
  setProposal(ctx: Context, p: Proposal): void {
    const s = this.store(ctx);
    if (p.status === ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD)
      s.set(K.votingPeriodKey(p.id), Uint8Array.of(1));
    else s.delete(K.votingPeriodKey(p.id));
    s.set(K.proposalKey(p.id), Proposal.encode(p).finish());
  }

  /** Removes a proposal, its queue entries and voting index (SDK DeleteProposal). Deposits/votes are separate. */
  deleteProposal(ctx: Context, p: Proposal): void {
    const s = this.store(ctx);
    const depEnd = timestampNs(p.depositEndTime);
    const voteEnd = timestampNs(p.votingEndTime);
    if (depEnd !== undefined) s.delete(K.queueKey(K.INACTIVE_QUEUE_PREFIX, depEnd, p.id));
    if (voteEnd !== undefined) s.delete(K.queueKey(K.ACTIVE_QUEUE_PREFIX, voteEnd, p.id));
    s.delete(K.votingPeriodKey(p.id));
    s.delete(K.proposalKey(p.id));
  }

  isInVotingPeriod(ctx: Context, id: bigint): boolean {
    return this.store(ctx).has(K.votingPeriodKey(id));
  }

  /** Every proposal, ascending id. */
  *iterateProposals(ctx: Context): Generator<Proposal> {
    const s = this.store(ctx);
    for (const [, v] of s.iterate(K.PROPOSALS_PREFIX, prefixEnd(K.PROPOSALS_PREFIX)))
      yield Proposal.decode(v);
  }

  queueInsert(ctx: Context, prefix: Uint8Array, timeNs: bigint, id: bigint): void {
    this.store(ctx).set(K.queueKey(prefix, timeNs, id), new Uint8Array());
  }

  queueRemove(ctx: Context, prefix: Uint8Array, timeNs: bigint, id: bigint): void {
    this.store(ctx).delete(K.queueKey(prefix, timeNs, id));
  }

  /** Ids queued at a time ≤ `untilNs` (inclusive, SDK NewPrefixUntilPairRange), by time then id; collected first. */
  queuedUntil(ctx: Context, prefix: Uint8Array, untilNs: bigint): bigint[] {
    const end = prefixEnd(K.queueKey(prefix, untilNs, 0n).subarray(0, prefix.length + 8));
    const out: bigint[] = [];
    for (const [k] of this.store(ctx).iterate(prefix, end)) {
      out.push(new DataView(k.buffer, k.byteOffset + prefix.length + 8, 8).getBigUint64(0, false));
    }
    return out;
  }

  // ---- deposits -------------------------------------------------------------------------------------------------

  getDeposit(ctx: Context, id: bigint, depositor: Uint8Array): Deposit | undefined {
    const b = this.store(ctx).get(K.depositKey(id, depositor));
    return b === undefined ? undefined : Deposit.decode(b);
  }

  setDeposit(ctx: Context, d: Deposit): void {
    const addr = fromBech32(d.depositor, "depositor");
    this.store(ctx).set(K.depositKey(d.proposalId, addr), Deposit.encode(d).finish());
  }

  /** A proposal's deposits in store order (depositor length, then bytes), collected before any mutation. */
  getDeposits(ctx: Context, id: bigint): Deposit[] {
    const p = K.depositsPrefix(id);
    return [...this.store(ctx).iterate(p, prefixEnd(p))].map(([, v]) => Deposit.decode(v));
  }

  /** Every deposit of every proposal (genesis export). */
  getAllDeposits(ctx: Context): Deposit[] {
    const p = K.DEPOSITS_PREFIX;
    return [...this.store(ctx).iterate(p, prefixEnd(p))].map(([, v]) => Deposit.decode(v));
  }

  private removeDeposit(ctx: Context, d: Deposit): void {
    this.store(ctx).delete(K.depositKey(d.proposalId, fromBech32(d.depositor, "depositor")));
  }

  /** SDK validateDepositDenom: every deposited denom must appear in min_deposit. */
  validateDepositDenom(params: Params, amount: readonly Coin[]): void {
    const denoms = params.minDeposit.map((c) => c.denom);
    for (const c of amount) {
      if (!denoms.includes(c.denom)) {
        throw new ChainError(
          GovErrors.InvalidDepositDenom,
          `deposited ${coinsToString(amount)}, but gov accepts only the following denom(s): [${denoms.join(" ")}]`,
        );
      }
    }
  }

  /** SDK validateInitialDeposit: initial ≥ round(min deposit × min_initial_deposit_ratio) unless the ratio is 0. */
  validateInitialDeposit(params: Params, initial: readonly Coin[], expedited: boolean): void {
    const ratio = parseDec(params.minInitialDepositRatio, "min_initial_deposit_ratio");
    if (ratio === 0n) return;
    const base = parseCoins(expedited ? params.expeditedMinDeposit : params.minDeposit, "min deposit");
    const need = base.map((c) => ({
      denom: c.denom,
      amount: decRoundInt(decMul(decFromInt(c.amount), ratio)),
    }));
    if (!coinsGte(initial, need)) {
      throw new ChainError(
        GovErrors.MinDepositTooSmall,
        `was (${coinsToString(initial)}), need (${coinsToString(need.filter((c) => c.amount > 0n))})`,
      );
    }
  }

  /** SDK min_deposit_ratio check: at least one denom reaches truncate(min deposit × ratio), unless ratio is 0. */
  private checkDepositRatio(params: Params, minDeposit: Coin[], amount: readonly Coin[]): void {
    const ratio = parseDec(params.minDepositRatio, "min_deposit_ratio");
    if (ratio === 0n) return;
    const thresholds = minDeposit.map((c) => ({
      denom: c.denom,
      amount: decTruncate(decMul(decFromInt(c.amount), ratio)),
    }));
    const met = thresholds.some((t) => {
      const d = amount.find((c) => c.denom === t.denom);
      return d !== undefined && d.amount >= t.amount;
    });
    if (!met) {
      throw new ChainError(
        GovErrors.MinDepositTooSmall,
        `received ${coinsToString(amount)} but need at least one of the following: ${thresholds.map((t) => `${t.amount}${t.denom}`).join(",")}`,
      );
    }
  }

  /** SDK AddDeposit: returns true when this deposit moved the proposal into its voting period. */
  addDeposit(ctx: Context, id: bigint, depositor: Uint8Array, amount: readonly Coin[]): boolean {
    const p = this.getProposal(ctx, id);
    if (p === undefined) throw new ChainError(GovErrors.UnknownProposal, `${id}`);
    if (!isOpen(p.status)) throw new ChainError(GovErrors.InactiveProposal, `${id}`);
    const params = this.getParams(ctx);
    const minDeposit = parseCoins(
      p.expedited ? params.expeditedMinDeposit : params.minDeposit,
      "min deposit",
    );
    this.validateDepositDenom(params, amount);
    this.checkDepositRatio(params, minDeposit, amount);
    this.deps.bank.sendCoinsFromAccountToModule(ctx, depositor, K.MODULE_NAME, amount);
    const total = addCoins(parseCoins(p.totalDeposit, "total deposit"), amount);
    p.totalDeposit = coinsToWire(total);
    this.setProposal(ctx, p);
    let activated = false;
    if (p.status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD && coinsGte(total, minDeposit)) {
      this.activateVotingPeriod(ctx, p);
      activated = true;
    }
    const who = toBech32(depositor);
    const prev = this.getDeposit(ctx, id, depositor);
    const sum = addCoins(prev === undefined ? [] : parseCoins(prev.amount, "deposit"), amount);
    emitDeposit(ctx.events, who, coinsToString(amount), id);
    this.setDeposit(ctx, { proposalId: id, depositor: who, amount: coinsToWire(sum) });
    return activated;
  }

  /** SDK ActivateVotingPeriod: voting starts at block time, ends after the (expedited) voting period. */
  activateVotingPeriod(ctx: Context, p: Proposal): void {
    const params = this.getParams(ctx);
    const period = durationNs(p.expedited ? params.expeditedVotingPeriod : params.votingPeriod) ?? 0n;
    const end = ctx.blockTimeNs + period;
    p.votingStartTime = nsToTimestamp(ctx.blockTimeNs);
    p.votingEndTime = nsToTimestamp(end);
    p.status = ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD;
    this.setProposal(ctx, p);
    const depEnd = timestampNs(p.depositEndTime);
    if (depEnd !== undefined) this.queueRemove(ctx, K.INACTIVE_QUEUE_PREFIX, depEnd, p.id);
    this.queueInsert(ctx, K.ACTIVE_QUEUE_PREFIX, end, p.id);
  }

  /** SDK RefundAndDeleteDeposits: every depositor gets their deposit back. */
  refundAndDeleteDeposits(ctx: Context, id: bigint): void {
    for (const d of this.getDeposits(ctx, id)) {
      const amt = parseCoins(d.amount, "deposit");
      this.deps.bank.sendCoinsFromModuleToAccount(ctx, K.MODULE_NAME, fromBech32(d.depositor), amt);
      this.removeDeposit(ctx, d);
    }
  }

  /** SDK DeleteAndBurnDeposits: all deposits are burned from the gov module account. */
  deleteAndBurnDeposits(ctx: Context, id: bigint): void {
    let burn: Coin[] = [];
    for (const d of this.getDeposits(ctx, id)) {
      burn = addCoins(burn, parseCoins(d.amount, "deposit"));
      this.removeDeposit(ctx, d);
    }
    this.deps.bank.burnCoins(ctx, K.MODULE_NAME, burn);
  }

  /**
   * SDK ChargeDeposit (cancellation): truncate(amount × rate) of each coin is charged, the rest refunded. Charges
   * are burned (dest ""), sent to the community pool (dest = distribution module) or to the dest account.
   */
  chargeDeposit(ctx: Context, id: bigint, dest: string, rateStr: string): void {
    const rate = parseDec(rateStr, "proposal_cancel_ratio");
    let charges: Coin[] = [];
    for (const d of this.getDeposits(ctx, id)) {
      const amt = parseCoins(d.amount, "deposit");
      const burn = amt.map((c) => ({
        denom: c.denom,
        amount: decTruncate(decMul(decFromInt(c.amount), rate)),
      }));
      const remaining = addCoins(amt.map((c, i) => ({ denom: c.denom, amount: c.amount - burn[i]!.amount })));
      charges = addCoins(charges, burn);
      if (remaining.length > 0) {
        this.deps.bank.sendCoinsFromModuleToAccount(ctx, K.MODULE_NAME, fromBech32(d.depositor), remaining);
      }
      this.removeDeposit(ctx, d);
    }
    if (charges.length === 0) return;
    const distr = this.deps.distribution;
    if (dest === "") this.deps.bank.burnCoins(ctx, K.MODULE_NAME, charges);
    else if (distr !== undefined && toBech32(distr.moduleAddress) === dest) {
      distr.fundCommunityPool(ctx, charges, K.GOV_MODULE_ADDRESS);
    } else this.deps.bank.sendCoinsFromModuleToAccount(ctx, K.MODULE_NAME, fromBech32(dest), charges);
  }

  // ---- votes ----------------------------------------------------------------------------------------------------

  getVote(ctx: Context, id: bigint, voter: Uint8Array): Vote | undefined {
    const b = this.store(ctx).get(K.voteKey(id, voter));
    return b === undefined ? undefined : Vote.decode(b);
  }

  setVote(ctx: Context, v: Vote): void {
    this.store(ctx).set(K.voteKey(v.proposalId, fromBech32(v.voter, "voter")), Vote.encode(v).finish());
  }

  /** A proposal's votes with their store keys, collected before any mutation. */
  getVotes(ctx: Context, id: bigint): Vote[] {
    const p = K.votesPrefix(id);
    return [...this.store(ctx).iterate(p, prefixEnd(p))].map(([, v]) => Vote.decode(v));
  }

  getAllVotes(ctx: Context): Vote[] {
    const p = K.VOTES_PREFIX;
    return [...this.store(ctx).iterate(p, prefixEnd(p))].map(([, v]) => Vote.decode(v));
  }

  deleteVote(ctx: Context, v: Vote): void {
    this.store(ctx).delete(K.voteKey(v.proposalId, fromBech32(v.voter, "voter")));
  }

  /** SDK AddVote: only during the voting period; replaces an earlier vote of the same voter. */
  addVote(
    ctx: Context,
    id: bigint,
    voter: Uint8Array,
    options: WeightedVoteOption[],
    optionsEvent: string,
    metadata: string,
  ): void {
    if (!this.isInVotingPeriod(ctx, id)) throw new ChainError(GovErrors.InactiveProposal, `${id}`);
    assertMetadataLength(metadata);
    const who = toBech32(voter);
    this.setVote(ctx, { proposalId: id, voter: who, options, metadata });
    emitVote(ctx.events, who, optionsEvent, id);
  }
}

/** SDK assertMetadataLength (also used for titles): at most MAX_METADATA_LEN bytes. */
export function assertMetadataLength(metadata: string): void {
  const n = utf8.encode(metadata).length;
  if (n > MAX_METADATA_LEN) throw new ChainError(GovErrors.MetadataTooLong, `got metadata with length ${n}`);
}

export function assertSummaryLength(summary: string): void {
  const n = utf8.encode(summary).length;
  if (n > MAX_SUMMARY_LEN) throw new ChainError(GovErrors.SummaryTooLong, `got summary with length ${n}`);
}
