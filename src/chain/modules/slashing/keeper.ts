// The slashing keeper: the only code touching slashing's store prefix. Liveness tracking over a sliding window
// of blocks (downtime → slash + jail), double-sign evidence (slash + jail forever + tombstone), and unjail.
import type { KVStore } from "../../store/types.js";
import { PrefixStore, prefixEnd, type Context } from "../../tx/context.js";
import { ChainError } from "../../errors.js";
import type { StakingHooks } from "../staking/expectedKeepers.js";
import { consAddress as consOf } from "../staking/keeper.js";
import { SlashingErrors } from "./errors.js";
import { REASON_DOUBLE_SIGN, REASON_MISSING_SIGNATURE, emitLiveness, emitSlash } from "./events.js";
import type { SlashingStakingKeeper } from "./expectedKeepers.js";
import {
  PARAMS_KEY,
  SIGNING_INFO_PREFIX,
  STORE_PREFIX,
  missedKey,
  missedPrefix,
  signingInfoKey,
} from "./keys.js";
import {
  DEFAULT_SLASHING_PARAMS,
  DOUBLE_SIGN_JAIL_END_NS,
  decodeSigningInfo,
  decodeSlashingParams,
  encodeSigningInfo,
  encodeSlashingParams,
  type SigningInfo,
  type SlashingParams,
} from "./types.js";

/** CometBFT BlockIDFlag numbers (types/block.go): only ABSENT counts as a missed block. */
export const BlockIdFlag = { Unknown: 0, Absent: 1, Commit: 2, Nil: 3 } as const;

/** SDK ValidatorUpdateDelay: a validator-set change takes effect one block later. */
const VALIDATOR_UPDATE_DELAY = 1n;

/**
 * One vote of CometBFT's decided_last_commit. Give `blockIdFlag` when known (only ABSENT is a miss; NIL counts as
 * signed, as in the SDK); otherwise `signed` is used (app.ts's BlockHookInfo shape).
 */
export interface CommitVote {
  readonly address: Uint8Array;
  readonly power: bigint;
  readonly blockIdFlag?: number;
  readonly signed?: boolean;
}

/** True when the vote is a missed block. */
export function isMissed(v: CommitVote): boolean {
  return v.blockIdFlag !== undefined ? v.blockIdFlag === BlockIdFlag.Absent : v.signed === false;
}

/** One CometBFT misbehavior entry (type 1 duplicate vote, 2 light client attack; absent = equivocation). */
export interface Misbehavior {
  readonly type?: number;
  readonly address: Uint8Array;
  readonly power: bigint;
  readonly height: bigint;
  readonly timeNs: bigint;
}

export class SlashingKeeper implements StakingHooks {
  constructor(
    readonly staking: SlashingStakingKeeper,
    private readonly prefix: Uint8Array = STORE_PREFIX,
  ) {}

  private store(ctx: Context): KVStore {
    return new PrefixStore(ctx.store, this.prefix);
  }

  getParams(ctx: Context): SlashingParams {
    const b = this.store(ctx).get(PARAMS_KEY);
    return b === undefined ? DEFAULT_SLASHING_PARAMS : decodeSlashingParams(b);
  }

  setParams(ctx: Context, p: SlashingParams): void {
    if (p.signedBlocksWindow <= 0n) throw new RangeError("signed blocks window must be positive");
    this.store(ctx).set(PARAMS_KEY, encodeSlashingParams(p));
  }

  getSigningInfo(ctx: Context, cons: Uint8Array): SigningInfo | undefined {
    const b = this.store(ctx).get(signingInfoKey(cons));
    return b === undefined ? undefined : decodeSigningInfo(b);
  }

  setSigningInfo(ctx: Context, s: SigningInfo): void {
    this.store(ctx).set(signingInfoKey(s.address), encodeSigningInfo(s));
  }

  *iterateSigningInfos(ctx: Context): Generator<SigningInfo> {
    const p = SIGNING_INFO_PREFIX;
    for (const [, v] of this.store(ctx).iterate(p, prefixEnd(p))) yield decodeSigningInfo(v);
  }

  private clearMissed(ctx: Context, cons: Uint8Array): void {
    const p = missedPrefix(cons);
    const keys = [...this.store(ctx).iterate(p, prefixEnd(p))].map(([k]) => k.slice());
    for (const k of keys) this.store(ctx).delete(k);
  }

  /** Staking hook (SDK AfterValidatorBonded): a first-time bonded validator gets signing info. */
  afterValidatorBonded(ctx: Context, cons: Uint8Array): void {
    if (this.getSigningInfo(ctx, cons) !== undefined) return;
    this.setSigningInfo(ctx, {
      address: cons,
      startHeight: ctx.blockHeight,
      indexOffset: 0n,
      jailedUntilNs: 0n,
      tombstoned: false,
      missedBlocksCounter: 0n,
    });
  }

  /** SDK HandleValidatorSignature: updates the window; too many misses → slash, jail for the downtime period. */
  handleValidatorSignature(ctx: Context, cons: Uint8Array, power: bigint, missed: boolean): void {
    const v = this.staking.getValidatorByConsAddr(ctx, cons);
    if (v === undefined || v.jailed) return;
    const info = this.getSigningInfo(ctx, cons);
    if (info === undefined) throw new Error("expected signing info for a bonded validator");
    const p = this.getParams(ctx);
    const index = info.indexOffset % p.signedBlocksWindow;
    const key = missedKey(cons, index);
    const previous = this.store(ctx).has(key);
    let counter = info.missedBlocksCounter;
    if (!previous && missed) {
      this.store(ctx).set(key, Uint8Array.of(1));
      counter += 1n;
    } else if (previous && !missed) {
      this.store(ctx).delete(key);
      counter -= 1n;
    }
    if (missed) emitLiveness(ctx.events, cons, counter, ctx.blockHeight);
    let next: SigningInfo = { ...info, indexOffset: info.indexOffset + 1n, missedBlocksCounter: counter };
    const minSigned = p.minSignedPerWindow.mulInt(p.signedBlocksWindow).roundInt();
    const maxMissed = p.signedBlocksWindow - minSigned;
    if (ctx.blockHeight > info.startHeight + p.signedBlocksWindow && counter > maxMissed) {
      const distributionHeight = ctx.blockHeight - VALIDATOR_UPDATE_DELAY - 1n;
      const burned = this.staking.slash(ctx, cons, distributionHeight, power, p.slashFractionDowntime);
      emitSlash(ctx.events, cons, power, REASON_MISSING_SIGNATURE, true, burned);
      this.staking.jail(ctx, cons);
      next = {
        ...next,
        jailedUntilNs: ctx.blockTimeNs + p.downtimeJailDurationNs,
        missedBlocksCounter: 0n,
        indexOffset: 0n,
      };
      this.clearMissed(ctx, cons);
    }
    this.setSigningInfo(ctx, next);
  }

  /**
   * Double-sign evidence (SDK x/evidence HandleEquivocationEvidence): unknown, unbonded or tombstoned validators
   * are ignored; otherwise slash at the infraction height, jail until 9999-12-31 and tombstone.
   */
  handleEquivocation(ctx: Context, e: Misbehavior): void {
    const v = this.staking.getValidatorByConsAddr(ctx, e.address);
    if (v === undefined || v.status === 1) return;
    const info = this.getSigningInfo(ctx, e.address);
    if (info === undefined || info.tombstoned) return;
    const distributionHeight = e.height - VALIDATOR_UPDATE_DELAY;
    const fraction = this.getParams(ctx).slashFractionDoubleSign;
    const burned = this.staking.slash(ctx, e.address, distributionHeight, e.power, fraction);
    emitSlash(ctx.events, e.address, e.power, REASON_DOUBLE_SIGN, !v.jailed, burned);
    if (!v.jailed) this.staking.jail(ctx, e.address);
    this.setSigningInfo(ctx, { ...info, jailedUntilNs: DOUBLE_SIGN_JAIL_END_NS, tombstoned: true });
  }

  /** SDK Unjail: fails unless the validator is jailed, self-bonded enough, not tombstoned and out of jail time. */
  unjail(ctx: Context, op: Uint8Array): void {
    const v = this.staking.getValidator(ctx, op);
    if (v === undefined) throw new ChainError(SlashingErrors.NoValidatorForAddress);
    const self = this.staking.getDelegation(ctx, op, op);
    if (self === undefined) throw new ChainError(SlashingErrors.MissingSelfDelegation);
    const selfTokens = self.shares.mulInt(v.tokens).quo(v.delegatorShares).truncateInt();
    if (selfTokens < v.minSelfDelegation) throw new ChainError(SlashingErrors.SelfDelegationTooLowToUnjail);
    if (!v.jailed) throw new ChainError(SlashingErrors.ValidatorNotJailed);
    const info = this.getSigningInfo(ctx, consOf(v.consPubKey));
    if (info !== undefined) {
      if (info.tombstoned) throw new ChainError(SlashingErrors.ValidatorJailed);
      if (ctx.blockTimeNs < info.jailedUntilNs) throw new ChainError(SlashingErrors.ValidatorJailed);
    }
    this.staking.unjail(ctx, op);
  }
}
