// REST answers the module query servers do not offer (yet): auth AccountInfo / AccountAddressByID /
// ModuleAccounts, bank SpendableBalanceByDenom / DenomMetadata(ByQueryString) / DenomsMetadata / DenomOwners /
// SendEnabled, compute AuthorizedMigration. Built from what the modules export (keepers, key layouts), in the
// gateway shapes of the cosmos-sdk v0.50 / Secret v1.x protos.
import { Metadata } from "cosmjs-types/cosmos/bank/v1beta1/bank";
import type { ShroudApp } from "../../chain/app.js";
import { toBech32, fromBech32 } from "../../chain/address.js";
import { ChainError, GrpcCode, QueryError } from "../../chain/errors.js";
import {
  DENOM_METADATA_PREFIX,
  SEND_ENABLED_PREFIX,
  STORE_PREFIX as BANK_PREFIX,
} from "../../chain/modules/bank/keys.js";
import { metadataJson as bankMetadataJson } from "../../chain/modules/bank/queryServer.js";
import { accountNumberIndexKey, STORE_PREFIX as AUTH_PREFIX } from "../../chain/modules/auth/keys.js";
import { SECP256K1_PUBKEY_TYPE_URL } from "../../chain/tx/decode.js";
import { PrefixStore, prefixEnd, type Context } from "../../chain/tx/context.js";
import { toBase64, utf8 } from "../../util/bytes.js";
import type { JsonQuery } from "./appBackend.js";
import type { PageRequest, QueryArgs } from "./params.js";

/** SDK query.DefaultLimit (types/query/pagination.go): the page size when `pagination.limit` is 0. */
const DEFAULT_PAGE_LIMIT = 100n;

interface PageJson {
  readonly next_key: string | null;
  readonly total: string;
}

/**
 * Offset/limit paging over an in-order list (the SDK pages by key; offset paging gives the same pages). The
 * `next_key` is the base64 of the next item's index, enough for a client to tell there is more.
 */
export function pageOf<T>(
  all: readonly T[],
  p: PageRequest | undefined,
): { items: T[]; pagination: PageJson } {
  const limit = p === undefined || p.limit === 0n ? DEFAULT_PAGE_LIMIT : p.limit;
  const ordered = p?.reverse === true ? [...all].reverse() : all;
  const from = Number(p?.offset ?? 0n);
  const to = Math.min(ordered.length, from + Number(limit));
  const items = ordered.slice(from, to);
  const next = to < ordered.length ? toBase64(utf8.encode(String(to))) : null;
  return { items, pagination: { next_key: next, total: String(all.length) } };
}

function parseAddr(s: string): Uint8Array {
  try {
    return fromBech32(s);
  } catch (e) {
    throw new QueryError(GrpcCode.InvalidArgument, e instanceof ChainError ? e.message : "invalid address");
  }
}

/** cosmos.bank.v1beta1.Metadata as the gateway renders it: bank's own renderer (one copy of the field list). */
export const metadataJson = bankMetadataJson;

function authGaps(app: ShroudApp): Record<string, JsonQuery> {
  const k = app.modules.auth.keeper;
  const A = "/cosmos.auth.v1beta1.Query/";
  return {
    // SDK v0.50 x/auth keeper/grpc_query.go AccountInfo: the BaseAccount view of any account, NotFound otherwise.
    [`${A}AccountInfo`]: (ctx, a) => {
      const address = a.str("address");
      const acc = k.getAccount(ctx, parseAddr(address));
      if (acc === undefined) throw new QueryError(GrpcCode.NotFound, `account ${address} not found`);
      return {
        info: {
          address: toBech32(acc.address),
          pub_key:
            acc.pubKey === undefined
              ? null
              : { "@type": SECP256K1_PUBKEY_TYPE_URL, key: toBase64(acc.pubKey) },
          account_number: acc.accountNumber.toString(),
          sequence: acc.sequence.toString(),
        },
      };
    },
    // SDK v0.50 AccountAddressByID: `account_id` wins over the deprecated path `id`; NotFound when no account has it.
    [`${A}AccountAddressByID`]: (ctx, a) => {
      const n = a.optU64("account_id") ?? a.u64("id");
      const addr = new PrefixStore(ctx.store, AUTH_PREFIX).get(accountNumberIndexKey(n));
      if (addr === undefined) {
        throw new QueryError(GrpcCode.NotFound, `account address not found with account number ${n}`);
      }
      return { account_address: toBech32(addr) };
    },
    // SDK ModuleAccounts: every configured module account by name; GetModuleAccount creates a missing one
    // (on the query's throwaway overlay here, as in the SDK's cached query context).
    [`${A}ModuleAccounts`]: (ctx) => ({
      accounts: k.moduleNames().map((name) => {
        const m = k.getModuleAccount(ctx, name);
        return {
          "@type": "/cosmos.auth.v1beta1.ModuleAccount",
          base_account: {
            address: toBech32(m.address),
            pub_key: null,
            account_number: m.accountNumber.toString(),
            sequence: m.sequence.toString(),
          },
          name: m.name,
          permissions: [...m.permissions],
        };
      }),
    }),
  };
}

/** Every stored (key suffix, value) under one bank prefix, in key order. */
function bankEntries(ctx: Context, prefix: Uint8Array): [string, Uint8Array][] {
  const s = new PrefixStore(ctx.store, BANK_PREFIX);
  const out: [string, Uint8Array][] = [];
  for (const [k, v] of s.iterate(prefix, prefixEnd(prefix))) out.push([utf8.decode(k.subarray(1)), v]);
  return out;
}

function denomOwners(app: ShroudApp, ctx: Context, a: QueryArgs): unknown {
  const denom = a.str("denom");
  const owners: { address: string; balance: { denom: string; amount: string } }[] = [];
  for (const { address, coin } of app.modules.bank.keeper.iterateAllBalances(ctx)) {
    if (coin.denom === denom && coin.amount > 0n) {
      owners.push({ address: toBech32(address), balance: { denom, amount: coin.amount.toString() } });
    }
  }
  const { items, pagination } = pageOf(owners, a.pagination);
  return { denom_owners: items, pagination };
}

function bankGaps(app: ShroudApp): Record<string, JsonQuery> {
  const bank = app.modules.bank;
  const B = "/cosmos.bank.v1beta1.Query/";
  return {
    [`${B}SpendableBalanceByDenom`]: (ctx, a) => bank.query.balance(ctx, a.str("address"), a.str("denom")),
    [`${B}DenomMetadata`]: (ctx, a) => {
      const denom = a.str("denom");
      const md = bank.keeper.getDenomMetadata(ctx, denom);
      if (md === undefined) throw new QueryError(GrpcCode.NotFound, `client metadata for denom ${denom}`);
      return { metadata: metadataJson(md) };
    },
    [`${B}DenomMetadataByQueryString`]: (ctx, a) => {
      const denom = a.str("denom");
      const md = bank.keeper.getDenomMetadata(ctx, denom);
      if (md === undefined) throw new QueryError(GrpcCode.NotFound, `client metadata for denom ${denom}`);
      return { metadata: metadataJson(md) };
    },
    [`${B}DenomsMetadata`]: (ctx, a) => {
      const all = bankEntries(ctx, DENOM_METADATA_PREFIX).map(([, v]) => metadataJson(Metadata.decode(v)));
      const { items, pagination } = pageOf(all, a.pagination);
      return { metadatas: items, pagination };
    },
    [`${B}DenomOwners`]: (ctx, a) => denomOwners(app, ctx, a),
    // SDK v0.50 SendEnabled: only explicitly stored per-denom entries; with `denoms` given, those of them stored.
    [`${B}SendEnabled`]: (ctx, a) => {
      const stored = bankEntries(ctx, SEND_ENABLED_PREFIX).map(([denom, v]) => ({
        denom,
        enabled: v[0] === 1,
      }));
      const asked = a.optStr("denoms");
      if (asked !== undefined) {
        return { send_enabled: stored.filter((e) => e.denom === asked), pagination: null };
      }
      const { items, pagination } = pageOf(stored, a.pagination);
      return { send_enabled: items, pagination };
    },
  };
}

function otherGaps(): Record<string, JsonQuery> {
  return {
    // Secret x/compute grpc_query.go AuthorizedMigration: NotFound when the contract has no authorized
    // migration (Shroud's compute has no authorized-migration store: every contract is in that case).
    "/secret.compute.v1beta1.Query/AuthorizedMigration": () => {
      throw new QueryError(GrpcCode.NotFound, "no authorized migration found for the given contract address");
    },
  };
}

/** The gap tables; appQueryHandlers registers them first, so a module that adds one of these later wins. */
export function gapQueries(app: ShroudApp): Record<string, JsonQuery> {
  return { ...authGaps(app), ...bankGaps(app), ...otherGaps() };
}
