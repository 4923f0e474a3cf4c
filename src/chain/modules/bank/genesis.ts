// Bank genesis in the SDK's JSON shape: {params, balances: [{address, coins}], supply, denom_metadata}. Supply
// is computed from balances; a non-empty declared supply must match it (the SDK panics otherwise).
import { Metadata } from "cosmjs-types/cosmos/bank/v1beta1/bank";
import { fromBech32, toBech32 } from "../../address.js";
import { coinsToString, coinsToWire, parseCoins, type CoinWire } from "../../tx/coins.js";
import type { Context } from "../../tx/context.js";
import type { BankKeeper } from "./keeper.js";

export interface BankGenesis {
  readonly params?: { readonly default_send_enabled?: boolean };
  readonly balances: readonly { readonly address: string; readonly coins: readonly CoinWire[] }[];
  readonly supply?: readonly CoinWire[];
  readonly denom_metadata?: readonly unknown[];
  readonly send_enabled?: readonly { readonly denom: string; readonly enabled: boolean }[];
}

export function initBankGenesis(ctx: Context, k: BankKeeper, g: BankGenesis): void {
  k.setParams(ctx, { defaultSendEnabled: g.params?.default_send_enabled ?? true });
  for (const se of g.send_enabled ?? []) k.setSendEnabled(ctx, se.denom, se.enabled);
  k.initBalances(
    ctx,
    (function* () {
      for (const b of g.balances)
        yield { address: fromBech32(b.address), coins: parseCoins(b.coins, `balance of ${b.address}`) };
    })(),
  );
  for (const md of g.denom_metadata ?? []) k.setDenomMetadata(ctx, Metadata.fromJSON(md));
  const declared = parseCoins(g.supply ?? [], "supply");
  const actual = k.getTotalSupply(ctx);
  if (declared.length > 0 && coinsToString(declared) !== coinsToString(actual)) {
    throw new Error(
      `genesis supply is incorrect, expected ${coinsToString(declared)}, got ${coinsToString(actual)}`,
    );
  }
}

export function exportBankGenesis(ctx: Context, k: BankKeeper): BankGenesis {
  const byAddr: { address: string; coins: CoinWire[] }[] = [];
  for (const { address, coin } of k.iterateAllBalances(ctx)) {
    const a = toBech32(address);
    const last = byAddr[byAddr.length - 1];
    if (last?.address === a) last.coins.push(...coinsToWire([coin]));
    else byAddr.push({ address: a, coins: coinsToWire([coin]) });
  }
  return {
    params: { default_send_enabled: k.getParams(ctx).defaultSendEnabled },
    balances: byAddr,
    supply: coinsToWire(k.getTotalSupply(ctx)),
  };
}
