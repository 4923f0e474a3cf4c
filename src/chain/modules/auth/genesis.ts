// Auth genesis: params and accounts in the SDK's JSON shape ({params, accounts: [Any JSON]}); module accounts
// are created for every configured module name so their account numbers are fixed at genesis.
import { fromBase64 } from "../../../util/bytes.js";
import { fromBech32 } from "../../address.js";
import type { Context } from "../../tx/context.js";
import type { AuthKeeper } from "./keeper.js";
import { accountJson, paramsJson } from "./queryServer.js";
import { BASE_ACCOUNT_TYPE_URL, DEFAULT_AUTH_PARAMS, type AuthParams } from "./types.js";

export interface AuthGenesisAccount {
  readonly "@type": string;
  readonly address: string;
  readonly pub_key?: { readonly key: string } | null;
  readonly account_number?: string;
  readonly sequence?: string;
}

export interface AuthGenesis {
  readonly params?: Partial<Record<keyof ReturnType<typeof paramsJson>, string>>;
  readonly accounts: readonly AuthGenesisAccount[];
}

function parseParams(p: AuthGenesis["params"]): AuthParams {
  const d = DEFAULT_AUTH_PARAMS;
  const n = (v: string | undefined, dflt: bigint): bigint => (v === undefined ? dflt : BigInt(v));
  return {
    maxMemoCharacters: n(p?.max_memo_characters, d.maxMemoCharacters),
    txSigLimit: n(p?.tx_sig_limit, d.txSigLimit),
    txSizeCostPerByte: n(p?.tx_size_cost_per_byte, d.txSizeCostPerByte),
    sigVerifyCostEd25519: n(p?.sig_verify_cost_ed25519, d.sigVerifyCostEd25519),
    sigVerifyCostSecp256k1: n(p?.sig_verify_cost_secp256k1, d.sigVerifyCostSecp256k1),
  };
}

/** Loads genesis. Accounts without an account_number get the next one in list order. Throws on bad input. */
export function initAuthGenesis(ctx: Context, k: AuthKeeper, g: AuthGenesis): void {
  k.setParams(ctx, parseParams(g.params));
  // Numbers handed out locally, the counter written once after the list (same state as nextAccountNumber per
  // account); read lazily so a genesis whose accounts all carry numbers writes no counter, as before.
  let next: bigint | undefined;
  for (const a of g.accounts) {
    if (a["@type"] !== BASE_ACCOUNT_TYPE_URL)
      throw new Error(`unsupported genesis account type ${a["@type"]}`);
    const address = fromBech32(a.address);
    if (k.hasAccount(ctx, address)) throw new Error(`duplicate genesis account ${a.address}`);
    let accountNumber: bigint;
    if (a.account_number === undefined) {
      accountNumber = next ?? k.peekNextAccountNumber(ctx);
      next = accountNumber + 1n;
    } else {
      accountNumber = BigInt(a.account_number);
    }
    const pk = a.pub_key?.key;
    k.setAccount(ctx, {
      kind: "base",
      address,
      pubKey: pk === undefined ? undefined : fromBase64(pk, "pub_key"),
      accountNumber,
      sequence: BigInt(a.sequence ?? "0"),
    });
  }
  if (next !== undefined) k.setNextAccountNumber(ctx, next);
  for (const name of k.moduleNames()) k.getModuleAccount(ctx, name);
}

export function exportAuthGenesis(
  ctx: Context,
  k: AuthKeeper,
): { params: Record<string, string>; accounts: Record<string, unknown>[] } {
  return { params: paramsJson(k.getParams(ctx)), accounts: [...k.iterateAccounts(ctx)].map(accountJson) };
}
