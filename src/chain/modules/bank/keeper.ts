// The bank keeper: the only code that reads or writes bank's store prefix. Balances, supply, denom metadata and
// send-enabled flags. Other modules get narrower views (SendKeeper below): compute never gets mint/burn.
import type { KVStore } from "../../store/types.js";
import { Params as ParamsProto, Metadata } from "cosmjs-types/cosmos/bank/v1beta1/bank";
import { PrefixStore, prefixEnd, type Context } from "../../tx/context.js";
import { ChainError, SdkErrors } from "../../errors.js";
import { toBech32 } from "../../address.js";
import { concatBytes, equalBytes, utf8 } from "../../../util/bytes.js";
import { coinsToString, parseAmount, type Coin } from "../../tx/coins.js";
import { BankErrors } from "./errors.js";
import {
  emitBurn,
  emitCoinReceived,
  emitCoinSpent,
  emitMessageSender,
  emitMint,
  emitTransfer,
} from "./events.js";
import type { BankAccountKeeper } from "./expectedKeepers.js";
import {
  BALANCES_PREFIX,
  PARAMS_KEY,
  SEND_ENABLED_PREFIX,
  STORE_PREFIX,
  SUPPLY_PREFIX,
  accountBalancesPrefix,
  denomMetadataKey,
  sendEnabledKey,
  storeBalanceKey,
  supplyKey,
} from "./keys.js";

export interface BankParams {
  readonly defaultSendEnabled: boolean;
}

export const DEFAULT_BANK_PARAMS: BankParams = Object.freeze({ defaultSendEnabled: true });

/** The only bank surface handed to compute (and any module that just moves its own funds): no mint, no burn. */
export interface SendKeeper {
  getBalance(ctx: Context, addr: Uint8Array, denom: string): Coin;
  getAllBalances(ctx: Context, addr: Uint8Array): Coin[];
  sendCoins(ctx: Context, from: Uint8Array, to: Uint8Array, amt: readonly Coin[]): void;
  isSendEnabledCoins(ctx: Context, coins: readonly Coin[]): void;
  blockedAddr(addr: Uint8Array): boolean;
}

// Stored amounts are decimal ASCII. Written and read byte by byte: a TextEncoder/TextDecoder per call cost
// ~0.4 / ~0.1 µs, and every send reads and writes ~8 balances. Non-ASCII bytes still go through fatal UTF-8.
function encodeAmount(v: bigint): Uint8Array {
  const s = v.toString();
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Decimal amounts this short are exact in a double (< 2^53): read without building a string. */
const SMALL_AMOUNT_DIGITS = 15;

/** A stored amount (decimal ASCII) → its value; throws parseAmount's error for anything else. Exported for tests. */
export function decodeAmount(b: Uint8Array): bigint {
  // 1..15 ASCII digits: the value parseAmount gives for them (they match its pattern and are far below
  // MAX_AMOUNT), summed exactly as a number. Anything else (empty, longer, another byte) takes the full path.
  if (b.length > 0 && b.length <= SMALL_AMOUNT_DIGITS) {
    let n = 0;
    let i = 0;
    for (; i < b.length; i++) {
      const d = b[i]! - 0x30;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (i === b.length) return BigInt(n);
  }
  let s = "";
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c >= 0x80) return parseAmount(utf8.decode(b), "stored amount");
    s += String.fromCharCode(c);
  }
  return parseAmount(s, "stored amount");
}

/** Denoms whose send-enabled key a keeper keeps built (a chain has a handful; more are built per call). */
const MAX_MEMO_DENOMS = 32;

export class BankKeeper implements SendKeeper {
  constructor(
    private readonly ak: BankAccountKeeper,
    /** Addresses that may not receive funds through user sends (SDK: module accounts). */
    private readonly blocked: readonly Uint8Array[] = [],
    private readonly prefix: Uint8Array = STORE_PREFIX,
  ) {
    this.paramsKey = concatBytes(prefix, PARAMS_KEY);
  }

  /** prefix | PARAMS_KEY, built once: every send reads the params (never mutated; stores copy what they keep). */
  private readonly paramsKey: Uint8Array;
  /** prefix | sendEnabledKey(denom) of the few denoms sends use, built once each (bounded). */
  private readonly sendEnabledKeys = new Map<string, Uint8Array>();

  private store(ctx: Context): KVStore {
    return new PrefixStore(ctx.store, this.prefix);
  }

  private sendEnabledStoreKey(denom: string): Uint8Array {
    let k = this.sendEnabledKeys.get(denom);
    if (k === undefined) {
      k = concatBytes(this.prefix, sendEnabledKey(denom));
      if (this.sendEnabledKeys.size < MAX_MEMO_DENOMS) this.sendEnabledKeys.set(denom, k);
    }
    return k;
  }

  // ---- params and flags -------------------------------------------------------------------------------------

  getParams(ctx: Context): BankParams {
    const b = ctx.store.get(this.paramsKey);
    return b === undefined
      ? DEFAULT_BANK_PARAMS
      : { defaultSendEnabled: ParamsProto.decode(b).defaultSendEnabled };
  }

  setParams(ctx: Context, p: BankParams): void {
    this.store(ctx).set(
      PARAMS_KEY,
      ParamsProto.encode(ParamsProto.fromPartial({ defaultSendEnabled: p.defaultSendEnabled })).finish(),
    );
  }

  setSendEnabled(ctx: Context, denom: string, enabled: boolean): void {
    this.store(ctx).set(sendEnabledKey(denom), Uint8Array.of(enabled ? 1 : 0));
  }

  /** The stored per-denom flag, or undefined when the denom follows default_send_enabled. */
  getSendEnabled(ctx: Context, denom: string): boolean | undefined {
    const b = this.store(ctx).get(sendEnabledKey(denom));
    return b === undefined ? undefined : b[0] === 1;
  }

  /** Removes the per-denom flag (the denom then follows default_send_enabled; SDK DeleteSendEnabled). */
  deleteSendEnabled(ctx: Context, denom: string): void {
    this.store(ctx).delete(sendEnabledKey(denom));
  }

  /** Every stored per-denom flag, in denom (byte) order. */
  sendEnabledEntries(ctx: Context): { denom: string; enabled: boolean }[] {
    const p = SEND_ENABLED_PREFIX;
    return [...this.store(ctx).iterate(p, prefixEnd(p))].map(([k, v]) => ({
      denom: utf8.decode(k.subarray(p.length)),
      enabled: v[0] === 1,
    }));
  }

  /**
   * Holders of `denom` with their balances, by address bytes (SDK DenomOwners order). A scan of every balance:
   * there is no denom → address index (fine for a rare query; see README).
   */
  denomOwners(ctx: Context, denom: string): { address: Uint8Array; amount: bigint }[] {
    const out: { address: Uint8Array; amount: bigint }[] = [];
    for (const { address, coin } of this.iterateAllBalances(ctx)) {
      if (coin.denom === denom) out.push({ address, amount: coin.amount });
    }
    return out.sort((x, y) => compareAddr(x.address, y.address));
  }

  isSendEnabledDenom(ctx: Context, denom: string): boolean {
    const b = ctx.store.get(this.sendEnabledStoreKey(denom));
    return b === undefined ? this.getParams(ctx).defaultSendEnabled : b[0] === 1;
  }

  /** Throws bank 5 for the first denom whose sends are disabled (SDK IsSendEnabledCoins). */
  isSendEnabledCoins(ctx: Context, coins: readonly Coin[]): void {
    for (const c of coins) {
      if (!this.isSendEnabledDenom(ctx, c.denom)) {
        throw new ChainError(BankErrors.SendDisabled, `${c.denom} transfers are currently disabled`);
      }
    }
  }

  blockedAddr(addr: Uint8Array): boolean {
    return this.blocked.some((b) => equalBytes(b, addr));
  }

  // ---- balances ---------------------------------------------------------------------------------------------

  // Balances go to the chain store with the whole key (storeBalanceKey) rather than through store(ctx): the
  // same reads and writes, one key allocation instead of two (PrefixStore copies the key to prefix it).
  getBalance(ctx: Context, addr: Uint8Array, denom: string): Coin {
    return { denom, amount: this.balanceAmount(ctx, addr, denom) };
  }

  /** getBalance's amount (the same read), without the coin object. */
  private balanceAmount(ctx: Context, addr: Uint8Array, denom: string): bigint {
    const b = ctx.store.get(storeBalanceKey(this.prefix, addr, denom));
    return b === undefined ? 0n : decodeAmount(b);
  }

  /** All non-zero balances of `addr`, sorted by denom (store order). */
  getAllBalances(ctx: Context, addr: Uint8Array): Coin[] {
    const p = accountBalancesPrefix(addr);
    const out: Coin[] = [];
    for (const [k, v] of this.store(ctx).iterate(p, prefixEnd(p))) {
      out.push({ denom: utf8.decode(k.subarray(p.length)), amount: decodeAmount(v) });
    }
    return out;
  }

  private setBalance(ctx: Context, addr: Uint8Array, c: Coin): void {
    this.writeBalance(ctx, addr, c.denom, c.amount);
  }

  private writeBalance(ctx: Context, addr: Uint8Array, denom: string, amount: bigint): void {
    if (amount < 0n) throw new Error("negative balance (invariant broken)");
    const k = storeBalanceKey(this.prefix, addr, denom);
    if (amount === 0n) ctx.store.delete(k);
    else ctx.store.set(k, encodeAmount(amount));
  }

  /** Subtracts coins, failing with sdk 5 before any write if a balance is short (SDK subUnlockedCoins). */
  private subCoins(ctx: Context, addr: Uint8Array, amt: readonly Coin[]): void {
    // All reads first, then every check, then the writes (the same store calls in the same order as ever).
    const balances: bigint[] = new Array<bigint>(amt.length);
    for (let i = 0; i < amt.length; i++) balances[i] = this.balanceAmount(ctx, addr, amt[i]!.denom);
    for (let i = 0; i < amt.length; i++) {
      const c = amt[i]!;
      if (balances[i]! < c.amount) {
        throw new ChainError(
          SdkErrors.InsufficientFunds,
          `spendable balance ${balances[i]!}${c.denom} is smaller than ${c.amount}${c.denom}`,
        );
      }
    }
    for (let i = 0; i < amt.length; i++) {
      const c = amt[i]!;
      this.writeBalance(ctx, addr, c.denom, balances[i]! - c.amount);
    }
    emitCoinSpent(ctx.events, addr, amt);
  }

  private addCoins(ctx: Context, addr: Uint8Array, amt: readonly Coin[]): void {
    for (const c of amt) {
      this.writeBalance(ctx, addr, c.denom, this.balanceAmount(ctx, addr, c.denom) + c.amount);
    }
    emitCoinReceived(ctx.events, addr, amt);
  }

  /** Moves coins between accounts, creating the recipient account if needed (SDK v0.50 SendCoins). */
  sendCoins(ctx: Context, from: Uint8Array, to: Uint8Array, amt: readonly Coin[]): void {
    this.subCoins(ctx, from, amt);
    this.addCoins(ctx, to, amt);
    this.ak.ensureAccount(ctx, to);
    emitTransfer(ctx.events, to, from, amt);
    emitMessageSender(ctx.events, from);
  }

  /** One input, many outputs whose sum equals the input (checked by the caller), SDK v0.50 InputOutputCoins. */
  inputOutputCoins(
    ctx: Context,
    input: { address: Uint8Array; coins: readonly Coin[] },
    outputs: readonly { address: Uint8Array; coins: readonly Coin[] }[],
  ): void {
    this.subCoins(ctx, input.address, input.coins);
    emitMessageSender(ctx.events, input.address);
    for (const out of outputs) {
      this.addCoins(ctx, out.address, out.coins);
      emitTransfer(ctx.events, out.address, undefined, out.coins);
      this.ak.ensureAccount(ctx, out.address);
    }
  }

  // ---- module accounts, mint and burn -------------------------------------------------------------------------

  sendCoinsFromAccountToModule(ctx: Context, from: Uint8Array, module: string, amt: readonly Coin[]): void {
    const macc = this.ak.getModuleAccount(ctx, module);
    this.sendCoins(ctx, from, macc.address, amt);
  }

  sendCoinsFromModuleToAccount(ctx: Context, module: string, to: Uint8Array, amt: readonly Coin[]): void {
    if (this.blockedAddr(to)) {
      throw new ChainError(SdkErrors.Unauthorized, `${toBech32(to)} is not allowed to receive funds`);
    }
    this.sendCoins(ctx, this.ak.getModuleAccount(ctx, module).address, to, amt);
  }

  sendCoinsFromModuleToModule(ctx: Context, from: string, to: string, amt: readonly Coin[]): void {
    const src = this.ak.getModuleAccount(ctx, from).address;
    this.sendCoins(ctx, src, this.ak.getModuleAccount(ctx, to).address, amt);
  }

  private requirePermission(ctx: Context, module: string, perm: string): Uint8Array {
    const macc = this.ak.getModuleAccount(ctx, module);
    if (!macc.permissions.includes(perm)) {
      throw new ChainError(
        SdkErrors.Unauthorized,
        `module account ${module} does not have permissions to ${perm === "minter" ? "mint" : "burn"} tokens`,
      );
    }
    return macc.address;
  }

  mintCoins(ctx: Context, module: string, amt: readonly Coin[]): void {
    const addr = this.requirePermission(ctx, module, "minter");
    this.addCoins(ctx, addr, amt);
    for (const c of amt)
      this.setSupply(ctx, { denom: c.denom, amount: this.getSupply(ctx, c.denom).amount + c.amount });
    emitMint(ctx.events, addr, amt);
  }

  burnCoins(ctx: Context, module: string, amt: readonly Coin[]): void {
    const addr = this.requirePermission(ctx, module, "burner");
    this.subCoins(ctx, addr, amt);
    for (const c of amt)
      this.setSupply(ctx, { denom: c.denom, amount: this.getSupply(ctx, c.denom).amount - c.amount });
    emitBurn(ctx.events, addr, amt);
  }

  // ---- supply and metadata ------------------------------------------------------------------------------------

  getSupply(ctx: Context, denom: string): Coin {
    const b = this.store(ctx).get(supplyKey(denom));
    return { denom, amount: b === undefined ? 0n : decodeAmount(b) };
  }

  private setSupply(ctx: Context, c: Coin): void {
    if (c.amount < 0n) throw new Error(`negative supply of ${c.denom} (invariant broken)`);
    if (c.amount === 0n) this.store(ctx).delete(supplyKey(c.denom));
    else this.store(ctx).set(supplyKey(c.denom), encodeAmount(c.amount));
  }

  /** Total supply of every denom, sorted by denom. */
  getTotalSupply(ctx: Context): Coin[] {
    const out: Coin[] = [];
    for (const [k, v] of this.store(ctx).iterate(SUPPLY_PREFIX, prefixEnd(SUPPLY_PREFIX))) {
      out.push({ denom: utf8.decode(k.subarray(1)), amount: decodeAmount(v) });
    }
    return out;
  }

  setDenomMetadata(ctx: Context, md: Metadata): void {
    this.store(ctx).set(denomMetadataKey(md.base), Metadata.encode(md).finish());
  }

  getDenomMetadata(ctx: Context, denom: string): Metadata | undefined {
    const b = this.store(ctx).get(denomMetadataKey(denom));
    return b === undefined ? undefined : Metadata.decode(b);
  }

  /**
   * Genesis only: credits each balance, and each denom's supply once at the end with the sum. The state is the
   * one crediting the supply per entry leaves (only a key's last write counts), without rewriting the supply
   * key once per genesis account (1M copies of key and value in the genesis overlay at 1M accounts).
   */
  initBalances(ctx: Context, entries: Iterable<{ address: Uint8Array; coins: readonly Coin[] }>): void {
    const supply = new Map<string, bigint>();
    for (const { address, coins } of entries) {
      for (const c of coins) {
        this.setBalance(ctx, address, {
          denom: c.denom,
          amount: this.getBalance(ctx, address, c.denom).amount + c.amount,
        });
        supply.set(c.denom, (supply.get(c.denom) ?? this.getSupply(ctx, c.denom).amount) + c.amount);
      }
    }
    for (const [denom, amount] of supply) this.setSupply(ctx, { denom, amount });
  }

  /** Every (address, balance) pair in store order (genesis export, invariants). */
  *iterateAllBalances(ctx: Context): Generator<{ address: Uint8Array; coin: Coin }> {
    for (const [k, v] of this.store(ctx).iterate(BALANCES_PREFIX, prefixEnd(BALANCES_PREFIX))) {
      const len = k[1]!;
      yield {
        address: k.slice(2, 2 + len),
        coin: { denom: utf8.decode(k.subarray(2 + len)), amount: decodeAmount(v) },
      };
    }
  }

  /**
   * Invariant (SDK TotalSupply invariant): the stored supply of each denom equals the sum of all balances, and no
   * balance is negative. Returns a description of the first violation, or undefined.
   */
  checkSupplyInvariant(ctx: Context): string | undefined {
    const sums: Record<string, bigint> = Object.create(null) as Record<string, bigint>;
    for (const { coin } of this.iterateAllBalances(ctx)) {
      if (coin.amount <= 0n) return `non-positive stored balance ${coin.amount}${coin.denom}`;
      sums[coin.denom] = (sums[coin.denom] ?? 0n) + coin.amount;
    }
    const supply = this.getTotalSupply(ctx);
    const summed = Object.keys(sums)
      .sort()
      .map((denom) => ({ denom, amount: sums[denom]! }));
    if (coinsToString(supply) !== coinsToString(summed)) {
      return `supply ${coinsToString(supply)} != sum of balances ${coinsToString(summed)}`;
    }
    return undefined;
  }
}

function compareAddr(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** A send-only view of a bank keeper for modules that must never mint or burn (compute, DESIGN.md rule 7). */
export function sendOnlyView(k: BankKeeper): SendKeeper {
  return Object.freeze({
    getBalance: (ctx: Context, addr: Uint8Array, denom: string) => k.getBalance(ctx, addr, denom),
    getAllBalances: (ctx: Context, addr: Uint8Array) => k.getAllBalances(ctx, addr),
    sendCoins: (ctx: Context, from: Uint8Array, to: Uint8Array, amt: readonly Coin[]) => {
      k.sendCoins(ctx, from, to, amt);
    },
    isSendEnabledCoins: (ctx: Context, coins: readonly Coin[]) => {
      k.isSendEnabledCoins(ctx, coins);
    },
    blockedAddr: (addr: Uint8Array) => k.blockedAddr(addr),
  });
}
