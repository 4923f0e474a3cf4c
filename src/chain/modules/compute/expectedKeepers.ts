// The narrow interfaces compute needs from others (DESIGN.md rule 7): bank send-only, account lookup/creation,
// the enclave door, and the app's per-block facts (block random, the tx being delivered).
import type { EcallName, EcallOptions, EcallResult } from "../../../enclave/api.js";
import type { Coin } from "../../tx/coins.js";
import type { Context } from "../../tx/context.js";
import type { DecodedTx } from "../../tx/decode.js";

/** Bank's send-only keeper (no mint, no burn). */
export interface ComputeBankKeeper {
  getBalance(ctx: Context, addr: Uint8Array, denom: string): Coin;
  getAllBalances(ctx: Context, addr: Uint8Array): Coin[];
  sendCoins(ctx: Context, from: Uint8Array, to: Uint8Array, amt: readonly Coin[]): void;
  isSendEnabledCoins(ctx: Context, coins: readonly Coin[]): void;
  blockedAddr(addr: Uint8Array): boolean;
}

export interface ComputeAccount {
  readonly accountNumber: bigint;
  readonly pubKey?: Uint8Array | undefined;
}

export interface ComputeAccountKeeper {
  getAccount(ctx: Context, addr: Uint8Array): ComputeAccount | undefined;
  hasAccount(ctx: Context, addr: Uint8Array): boolean;
  ensureAccount(ctx: Context, addr: Uint8Array): void;
}

/** The enclave door (EnclaveHost satisfies it). */
export interface ComputeEnclave {
  ecall(name: EcallName, payload: Uint8Array, opts?: EcallOptions): EcallResult;
  /** A query ECALL that does not block the thread (on a query lane when the node has them). */
  readonly ecallQueryAsync?: (payload: Uint8Array, opts?: EcallOptions) => Promise<EcallResult>;
}

/** Facts only the app knows, looked up per call. */
export interface ComputeBlockSource {
  /** The block's plaintext 32-byte random (spec §9), if the block has one. */
  blockRandom(ctx: Context): Uint8Array | undefined;
  /** The decoded tx being delivered (to build the enclave's sig_info); undefined outside a tx. */
  txOf(ctx: Context): DecodedTx | undefined;
}
