// Bank queries in the grpc-gateway JSON shapes secretjs reads (spec secretjs-compat §1: balances, by_denom).
// The gateway renders proto field names (snake_case) and emits defaults, so JSON here is built by hand.
import type { Metadata } from "cosmjs-types/cosmos/bank/v1beta1/bank";
import { ChainError, GrpcCode, QueryError } from "../../errors.js";
import { fromBech32 } from "../../address.js";
import { isValidDenom, type Coin, type CoinWire } from "../../tx/coins.js";
import type { Context } from "../../tx/context.js";
import type { BankKeeper } from "./keeper.js";

const wire = (c: Coin): CoinWire => ({ denom: c.denom, amount: c.amount.toString() });
const page = (total: number): { next_key: null; total: string } => ({ next_key: null, total: String(total) });

function parseAddr(s: string): Uint8Array {
  try {
    return fromBech32(s);
  } catch (e) {
    throw new QueryError(GrpcCode.InvalidArgument, e instanceof ChainError ? e.message : "invalid address");
  }
}

function checkDenom(denom: string): void {
  if (!isValidDenom(denom)) throw new QueryError(GrpcCode.InvalidArgument, `invalid denom: ${denom}`);
}

/**
 * cosmos.bank.v1beta1.Metadata as the gRPC gateway renders it (SDK v0.50 gateway JSONPb: OrigName, EmitDefaults):
 * proto field names (`denom_units`, `uri_hash`), `exponent` a number, empty strings and `aliases: []` kept.
 */
export function metadataJson(m: Metadata): {
  description: string;
  denom_units: { denom: string; exponent: number; aliases: string[] }[];
  base: string;
  display: string;
  name: string;
  symbol: string;
  uri: string;
  uri_hash: string;
} {
  return {
    description: m.description,
    denom_units: m.denomUnits.map((u) => ({ denom: u.denom, exponent: u.exponent, aliases: [...u.aliases] })),
    base: m.base,
    display: m.display,
    name: m.name,
    symbol: m.symbol,
    uri: m.uri,
    uri_hash: m.uriHash,
  };
}

export class BankQueryServer {
  constructor(private readonly k: BankKeeper) {}

  /** GET /cosmos/bank/v1beta1/balances/{address}/by_denom?denom= */
  balance(ctx: Context, address: string, denom: string): { balance: CoinWire } {
    checkDenom(denom);
    return { balance: wire(this.k.getBalance(ctx, parseAddr(address), denom)) };
  }

  /** GET /cosmos/bank/v1beta1/balances/{address} */
  allBalances(ctx: Context, address: string): { balances: CoinWire[]; pagination: ReturnType<typeof page> } {
    const b = this.k.getAllBalances(ctx, parseAddr(address));
    return { balances: b.map(wire), pagination: page(b.length) };
  }

  /** GET /cosmos/bank/v1beta1/spendable_balances/{address} (no vesting: all balances are spendable). */
  spendableBalances(
    ctx: Context,
    address: string,
  ): { balances: CoinWire[]; pagination: ReturnType<typeof page> } {
    return this.allBalances(ctx, address);
  }

  totalSupply(ctx: Context): { supply: CoinWire[]; pagination: ReturnType<typeof page> } {
    const s = this.k.getTotalSupply(ctx);
    return { supply: s.map(wire), pagination: page(s.length) };
  }

  /** GET /cosmos/bank/v1beta1/supply/by_denom?denom= */
  supplyOf(ctx: Context, denom: string): { amount: CoinWire } {
    checkDenom(denom);
    return { amount: wire(this.k.getSupply(ctx, denom)) };
  }

  params(ctx: Context): { params: { send_enabled: never[]; default_send_enabled: boolean } } {
    return { params: { send_enabled: [], default_send_enabled: this.k.getParams(ctx).defaultSendEnabled } };
  }

  /** GET /cosmos/bank/v1beta1/denoms_metadata/{denom} */
  denomMetadata(ctx: Context, denom: string): { metadata: ReturnType<typeof metadataJson> } {
    const md = this.k.getDenomMetadata(ctx, denom);
    if (md === undefined) throw new QueryError(GrpcCode.NotFound, `client metadata for denom ${denom}`);
    return { metadata: metadataJson(md) };
  }

  sendEnabled(
    ctx: Context,
    denoms: readonly string[],
  ): { send_enabled: { denom: string; enabled: boolean }[] } {
    for (const d of denoms) checkDenom(d);
    return {
      send_enabled: denoms.map((denom) => ({ denom, enabled: this.k.isSendEnabledDenom(ctx, denom) })),
    };
  }
}
