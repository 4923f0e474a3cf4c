// Conversions between CometBFT's ABCI 2.0 types (cosmjs-types) and the PoS modules' begin/end-block inputs, so
// app.ts can pass FinalizeBlock's request through and return validator updates without knowing our shapes.
import type {
  CommitInfo,
  Misbehavior as AbciMisbehavior,
  ValidatorUpdate as AbciValidatorUpdate,
} from "cosmjs-types/tendermint/abci/types";
import type { VoteWeight } from "../distribution/keeper.js";
import type { CommitVote, Misbehavior } from "../slashing/keeper.js";
import type { ValidatorUpdate } from "./types.js";

/** `decided_last_commit` → slashing votes (address, power, block-id flag). */
export function commitVotes(info: CommitInfo | undefined): CommitVote[] {
  return (info?.votes ?? []).map((v) => ({
    address: v.validator.address,
    power: v.validator.power,
    blockIdFlag: v.blockIdFlag,
  }));
}

/** `decided_last_commit` → distribution weights (every vote counts, signed or not: SDK v0.50). */
export function voteWeights(info: CommitInfo | undefined): VoteWeight[] {
  return (info?.votes ?? []).map((v) => ({ address: v.validator.address, power: v.validator.power }));
}

export function misbehaviors(list: readonly AbciMisbehavior[] | undefined): Misbehavior[] {
  return (list ?? []).map((m) => ({
    type: m.type,
    address: m.validator.address,
    power: m.validator.power,
    height: m.height,
    timeNs: m.time.seconds * 1_000_000_000n + BigInt(m.time.nanos),
  }));
}

/** Our updates → FinalizeBlock `validator_updates` (ed25519 keys). */
export function toAbciValidatorUpdates(updates: readonly ValidatorUpdate[]): AbciValidatorUpdate[] {
  return updates.map((u) => ({ pubKey: { ed25519: u.pubKeyEd25519 }, power: u.power }));
}
