// Auth queries in the grpc-gateway JSON shapes secretjs reads (spec secretjs-compat §1: /cosmos/auth/v1beta1/…).
import { QueryError, GrpcCode, ChainError } from "../../errors.js";
import { BECH32_PREFIX, fromBech32, toBech32 } from "../../address.js";
import { toBase64 } from "../../../util/bytes.js";
import type { Context } from "../../tx/context.js";
import { SECP256K1_PUBKEY_TYPE_URL } from "../../tx/decode.js";
import type { AuthKeeper } from "./keeper.js";
import { BASE_ACCOUNT_TYPE_URL, MODULE_ACCOUNT_TYPE_URL, type Account, type AuthParams } from "./types.js";

function baseJson(a: Account): Record<string, unknown> {
  return {
    address: toBech32(a.address),
    pub_key: a.pubKey === undefined ? null : { "@type": SECP256K1_PUBKEY_TYPE_URL, key: toBase64(a.pubKey) },
    account_number: a.accountNumber.toString(),
    sequence: a.sequence.toString(),
  };
}

/** Any JSON of an account: BaseAccount flat, ModuleAccount with `base_account` (what secretjs accepts). */
export function accountJson(a: Account): Record<string, unknown> {
  if (a.kind === "base") return { "@type": BASE_ACCOUNT_TYPE_URL, ...baseJson(a) };
  return {
    "@type": MODULE_ACCOUNT_TYPE_URL,
    base_account: baseJson(a),
    name: a.name,
    permissions: [...a.permissions],
  };
}

export function paramsJson(p: AuthParams): Record<string, string> {
  return {
    max_memo_characters: p.maxMemoCharacters.toString(),
    tx_sig_limit: p.txSigLimit.toString(),
    tx_size_cost_per_byte: p.txSizeCostPerByte.toString(),
    sig_verify_cost_ed25519: p.sigVerifyCostEd25519.toString(),
    sig_verify_cost_secp256k1: p.sigVerifyCostSecp256k1.toString(),
  };
}

function parseAddr(s: string): Uint8Array {
  try {
    return fromBech32(s);
  } catch (e) {
    throw new QueryError(GrpcCode.InvalidArgument, e instanceof ChainError ? e.message : "invalid address");
  }
}

export class AuthQueryServer {
  constructor(private readonly k: AuthKeeper) {}

  /** GET /cosmos/auth/v1beta1/accounts/{address}; NotFound as the SDK words it. */
  account(ctx: Context, address: string): { account: Record<string, unknown> } {
    const acc = this.k.getAccount(ctx, parseAddr(address));
    if (acc === undefined) throw new QueryError(GrpcCode.NotFound, `account ${address} not found`);
    return { account: accountJson(acc) };
  }

  /** GET /cosmos/auth/v1beta1/accounts (address order, no pagination beyond `limit`). */
  accounts(
    ctx: Context,
    limit = 100,
  ): { accounts: Record<string, unknown>[]; pagination: { next_key: null; total: string } } {
    const all = [...this.k.iterateAccounts(ctx)];
    return {
      accounts: all.slice(0, limit).map(accountJson),
      pagination: { next_key: null, total: String(all.length) },
    };
  }

  params(ctx: Context): { params: Record<string, string> } {
    return { params: paramsJson(this.k.getParams(ctx)) };
  }

  moduleAccountByName(ctx: Context, name: string): { account: Record<string, unknown> } {
    if (this.k.permissionsOf(name) === undefined) {
      throw new QueryError(GrpcCode.NotFound, `module account ${name} not found`);
    }
    const acc = this.k.getAccount(ctx, this.k.getModuleAddress(name));
    if (acc === undefined) throw new QueryError(GrpcCode.NotFound, `module account ${name} not found`);
    return { account: accountJson(acc) };
  }

  bech32Prefix(): { bech32_prefix: string } {
    return { bech32_prefix: BECH32_PREFIX };
  }
}
