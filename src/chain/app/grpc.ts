// gRPC query methods over ABCI Query (path = full method name, data = protobuf request) for auth, bank (with
// SendEnabled and DenomOwners) and registration. Each decodes the request with cosmjs-types (or our registration codec), calls the module's
// query server (which validates and throws QueryError) and encodes the protobuf response.
import {
  QueryAccountRequest,
  QueryAccountResponse,
  QueryParamsResponse as AuthParamsResponse,
} from "cosmjs-types/cosmos/auth/v1beta1/query";
import {
  QueryAllBalancesRequest,
  QueryAllBalancesResponse,
  QueryBalanceRequest,
  QueryBalanceResponse,
  QueryDenomOwnersRequest,
  QueryDenomOwnersResponse,
  QueryParamsResponse as BankParamsResponse,
  QuerySendEnabledRequest,
  QuerySendEnabledResponse,
  QuerySupplyOfRequest,
  QuerySupplyOfResponse,
  QueryTotalSupplyResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import { Params as AuthParams } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { Any } from "cosmjs-types/google/protobuf/any";
import { encodeAccount, type Account } from "../modules/auth/types.js";
import { fromBech32, toBech32 } from "../address.js";
import { isValidDenom } from "../tx/coins.js";
import type { Context } from "../tx/context.js";
import { GrpcCode, QueryError } from "../errors.js";
import type { AuthModule } from "../modules/auth/module.js";
import type { BankModule } from "../modules/bank/module.js";
import type { RegistrationModule } from "../modules/registration/module.js";
import { decodeBytesField1, encodeBytesField1 } from "../modules/registration/proto.js";
import type { GrpcQueryHandler } from "./module.js";

/** Wraps a protobuf decode so malformed request bytes are InvalidArgument, not a crash. */
function req<T>(decode: (b: Uint8Array) => T, b: Uint8Array): T {
  try {
    return decode(b);
  } catch {
    throw new QueryError(GrpcCode.InvalidArgument, "malformed request");
  }
}

const page = (total: string | number) => ({ nextKey: new Uint8Array(), total: BigInt(total) });

export function authGrpc(auth: AuthModule): Record<string, GrpcQueryHandler> {
  return {
    "/cosmos.auth.v1beta1.Query/Account": (ctx, data) => {
      const { address } = req((b) => QueryAccountRequest.decode(b), data);
      auth.query.account(ctx, address); // validation and NotFound, as the REST answer
      const acc = auth.keeper.getAccount(ctx, fromBech32(address));
      if (acc === undefined) throw new QueryError(GrpcCode.NotFound, `account ${address} not found`);
      return QueryAccountResponse.encode({ account: accountAny(acc) }).finish();
    },
    "/cosmos.auth.v1beta1.Query/Params": (ctx) => {
      const p = auth.keeper.getParams(ctx);
      return AuthParamsResponse.encode({ params: AuthParams.fromPartial(p) }).finish();
    },
  };
}

/** The account as the Any the SDK returns (the same bytes the auth store holds). */
function accountAny(acc: Account): Any {
  return Any.decode(encodeAccount(acc));
}

export function bankGrpc(bank: BankModule): Record<string, GrpcQueryHandler> {
  return {
    "/cosmos.bank.v1beta1.Query/Balance": (ctx, data) => {
      const r = req((b) => QueryBalanceRequest.decode(b), data);
      const { balance } = bank.query.balance(ctx, r.address, r.denom);
      return QueryBalanceResponse.encode({ balance }).finish();
    },
    "/cosmos.bank.v1beta1.Query/AllBalances": (ctx, data) => {
      const r = req((b) => QueryAllBalancesRequest.decode(b), data);
      const { balances, pagination } = bank.query.allBalances(ctx, r.address);
      return QueryAllBalancesResponse.encode({ balances, pagination: page(pagination.total) }).finish();
    },
    "/cosmos.bank.v1beta1.Query/TotalSupply": (ctx) => {
      const { supply, pagination } = bank.query.totalSupply(ctx);
      return QueryTotalSupplyResponse.encode({ supply, pagination: page(pagination.total) }).finish();
    },
    "/cosmos.bank.v1beta1.Query/SupplyOf": (ctx, data) => {
      const r = req((b) => QuerySupplyOfRequest.decode(b), data);
      return QuerySupplyOfResponse.encode({ amount: bank.query.supplyOf(ctx, r.denom).amount }).finish();
    },
    "/cosmos.bank.v1beta1.Query/SendEnabled": (ctx, data) => {
      const r = req((b) => QuerySendEnabledRequest.decode(b), data);
      return QuerySendEnabledResponse.encode(sendEnabledAnswer(bank, ctx, r.denoms)).finish();
    },
    "/cosmos.bank.v1beta1.Query/DenomOwners": (ctx, data) => {
      const r = req((b) => QueryDenomOwnersRequest.decode(b), data);
      // SDK grpc_query.go: sdk.ValidateDenom → InvalidArgument.
      if (!isValidDenom(r.denom)) throw new QueryError(GrpcCode.InvalidArgument, `invalid denom: ${r.denom}`);
      const owners = bank.keeper.denomOwners(ctx, r.denom).map((o) => ({
        address: toBech32(o.address),
        balance: { denom: r.denom, amount: o.amount.toString() },
      }));
      return QueryDenomOwnersResponse.encode({
        denomOwners: owners,
        pagination: page(owners.length),
      }).finish();
    },
    "/cosmos.bank.v1beta1.Query/Params": (ctx) => {
      const { params } = bank.query.params(ctx);
      // send_enabled in Params is deprecated since SDK v0.47 (per-denom flags have their own query): left empty.
      const p = BankParamsResponse.fromPartial({
        params: { defaultSendEnabled: params.default_send_enabled },
      });
      return BankParamsResponse.encode(p).finish();
    },
  };
}

/** SDK v0.50 SendEnabled query: the stored flags of the asked denoms (absent ones left out), or all stored. */
function sendEnabledAnswer(bank: BankModule, ctx: Context, denoms: readonly string[]) {
  const k = bank.keeper;
  const entries =
    denoms.length === 0
      ? k.sendEnabledEntries(ctx)
      : denoms.flatMap((denom) => {
          const enabled = k.getSendEnabled(ctx, denom);
          return enabled === undefined ? [] : [{ denom, enabled }];
        });
  return { sendEnabled: entries, ...(denoms.length === 0 ? { pagination: page(entries.length) } : {}) };
}

/** SN proto/secret/registration/v1beta1/query.proto: Key{1 key}, QueryEncryptedSeed{Request 1 pub_key, Response 1 encrypted_seed}. */
export function registrationGrpc(reg: RegistrationModule): Record<string, GrpcQueryHandler> {
  return {
    "/secret.registration.v1beta1.Query/TxKey": (ctx) => encodeBytesField1(reg.query.txKey(ctx)),
    "/secret.registration.v1beta1.Query/RegistrationKey": (ctx) =>
      encodeBytesField1(reg.query.registrationKey(ctx)),
    "/secret.registration.v1beta1.Query/EncryptedSeed": (ctx, data) => {
      const pubKey = req((b) => decodeBytesField1(b, "pub_key"), data);
      return encodeBytesField1(reg.query.encryptedSeed(ctx, pubKey));
    },
  };
}
