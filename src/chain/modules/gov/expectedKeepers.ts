// The narrow interfaces gov needs from other modules (DESIGN.md rule 7): bank moves and burns deposits, staking
// gives the bonded stake to tally, distribution (optional) takes cancellation charges into the community pool.
import type { Coin } from "../../tx/coins.js";
import type { Context } from "../../tx/context.js";
import type { Dec } from "./dec.js";

/** Bank as gov uses it (SDK x/gov/types/expected_keepers.go BankKeeper). `burnCoins` needs gov = burner. */
export interface GovBankKeeper {
  getAllBalances(ctx: Context, addr: Uint8Array): Coin[];
  sendCoinsFromAccountToModule(ctx: Context, from: Uint8Array, module: string, amt: readonly Coin[]): void;
  sendCoinsFromModuleToAccount(ctx: Context, module: string, to: Uint8Array, amt: readonly Coin[]): void;
  burnCoins(ctx: Context, module: string, amt: readonly Coin[]): void;
}

/** A bonded validator as the tally sees it. The operator bytes are also the operator's account address. */
export interface GovValidator {
  readonly operator: Uint8Array;
  readonly bondedTokens: bigint;
  /** Total delegator shares, LegacyDec raw (value × 10^18). */
  readonly delegatorShares: Dec;
}

/** One delegation of a voter. */
export interface GovDelegation {
  readonly validator: Uint8Array;
  /** Shares, LegacyDec raw (value × 10^18). */
  readonly shares: Dec;
}

/** Staking as gov uses it (SDK ValidatorSet/DelegationSet subset used by Tally). */
export interface GovStakingKeeper {
  /** Every bonded validator (order does not matter to the tally). */
  bondedValidators(ctx: Context): GovValidator[];
  /** Every delegation of `delegator`, to any validator. */
  delegationsOf(ctx: Context, delegator: Uint8Array): GovDelegation[];
  /** Sum of bonded tokens (the quorum denominator). */
  totalBondedTokens(ctx: Context): bigint;
}

/** Distribution as gov uses it: only when `proposal_cancel_dest` is the distribution module address. */
export interface GovDistributionKeeper {
  readonly moduleAddress: Uint8Array;
  fundCommunityPool(ctx: Context, amount: readonly Coin[], sender: Uint8Array): void;
}
