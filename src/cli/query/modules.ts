// The module query commands of `shroud query`, as a table: command spec → REST (LCD) path of the gRPC-gateway
// route secretd's own queries map to (cosmos-sdk v0.50 and Secret v1.x `google.api.http` paths).
import { accountArg, bech32Arg, registrationKeyArg, uintArg, VALCONS_PREFIX, valoperArg } from "./args.js";
import type { QueryParams } from "./rest.js";

export interface QueryRequest {
  readonly path: string;
  readonly params?: QueryParams;
}

/** One leaf command: its commander spec (`name <arg> [opt]`), help, flags and how it becomes a GET. */
export interface QueryLeaf {
  readonly spec: string;
  readonly description: string;
  /** `[flags, description]` pairs, e.g. `["--denom <denom>", "only this denom"]`. */
  readonly options?: readonly (readonly [string, string])[];
  readonly request: (
    args: readonly (string | undefined)[],
    opts: Readonly<Record<string, unknown>>,
  ) => QueryRequest;
  /** Part of the answer to print (default: all of it). */
  readonly pick?: (body: Record<string, unknown>) => unknown;
}

export interface QueryGroup {
  readonly name: string;
  readonly alias?: string;
  readonly description: string;
  readonly leaves: readonly QueryLeaf[];
}

const arg = (args: readonly (string | undefined)[], i: number): string => args[i] ?? "";
const optStr = (o: Readonly<Record<string, unknown>>, k: string): string | undefined =>
  typeof o[k] === "string" ? o[k] : undefined;
const leaf = (
  spec: string,
  description: string,
  request: QueryLeaf["request"],
  extra: Pick<QueryLeaf, "options" | "pick"> = {},
): QueryLeaf => ({ spec, description, request, ...extra });
const fixed = (spec: string, description: string, path: string): QueryLeaf =>
  leaf(spec, description, () => ({ path }));

const BANK = "/cosmos/bank/v1beta1";
const STAKING = "/cosmos/staking/v1beta1";
const DISTR = "/cosmos/distribution/v1beta1";
const GOV = "/cosmos/gov/v1";
const MINT = "/cosmos/mint/v1beta1";
const SLASHING = "/cosmos/slashing/v1beta1";
const REG = "/registration/v1beta1";

const bank: QueryGroup = {
  name: "bank",
  description: "balances and supply",
  leaves: [
    leaf(
      "balances <address>",
      "all balances of an account, or one denom's with --denom",
      (a, o) => {
        const denom = optStr(o, "denom");
        const address = accountArg(arg(a, 0));
        return denom === undefined
          ? { path: `${BANK}/balances/${address}` }
          : { path: `${BANK}/balances/${address}/by_denom`, params: { denom } };
      },
      { options: [["--denom <denom>", "only this denom"]] },
    ),
    leaf(
      "total",
      "total supply of every denom, or of one with --denom",
      (_a, o) => {
        const denom = optStr(o, "denom");
        return denom === undefined
          ? { path: `${BANK}/supply` }
          : { path: `${BANK}/supply/by_denom`, params: { denom } };
      },
      { options: [["--denom <denom>", "only this denom"]] },
    ),
  ],
};

const auth: QueryGroup = {
  name: "auth",
  description: "accounts",
  leaves: [
    leaf("account <address>", "an account (number, sequence, public key)", (a) => ({
      path: `/cosmos/auth/v1beta1/accounts/${accountArg(arg(a, 0))}`,
    })),
    fixed("accounts", "all accounts (first page of 100)", "/cosmos/auth/v1beta1/accounts"),
    fixed("module-accounts", "all module accounts", "/cosmos/auth/v1beta1/module_accounts"),
  ],
};

const staking: QueryGroup = {
  name: "staking",
  description: "validators, delegations, pool and params",
  leaves: [
    fixed("validators", "all validators", `${STAKING}/validators`),
    leaf("validator <validator-address>", "one validator (secretvaloper…)", (a) => ({
      path: `${STAKING}/validators/${valoperArg(arg(a, 0))}`,
    })),
    leaf("delegations <delegator-address>", "all delegations of a delegator", (a) => ({
      path: `${STAKING}/delegations/${accountArg(arg(a, 0), "delegator address")}`,
    })),
    leaf("delegation <delegator-address> <validator-address>", "one delegation", (a) => ({
      path: `${STAKING}/validators/${valoperArg(arg(a, 1))}/delegations/${accountArg(arg(a, 0), "delegator address")}`,
    })),
    leaf("unbonding-delegations <delegator-address>", "all unbonding delegations of a delegator", (a) => ({
      path: `${STAKING}/delegators/${accountArg(arg(a, 0), "delegator address")}/unbonding_delegations`,
    })),
    leaf("redelegations <delegator-address>", "all redelegations of a delegator", (a) => ({
      path: `${STAKING}/delegators/${accountArg(arg(a, 0), "delegator address")}/redelegations`,
    })),
    fixed("pool", "bonded and not-bonded token totals", `${STAKING}/pool`),
    fixed("params", "staking parameters", `${STAKING}/params`),
  ],
};

const distribution: QueryGroup = {
  name: "distribution",
  description: "rewards, commission, community pool and params",
  leaves: [
    leaf(
      "rewards <delegator-address> [validator-address]",
      "a delegator's rewards (all, or from one)",
      (a) => {
        const del = accountArg(arg(a, 0), "delegator address");
        const val = a[1];
        return {
          path: `${DISTR}/delegators/${del}/rewards${val === undefined ? "" : `/${valoperArg(val)}`}`,
        };
      },
    ),
    leaf("commission <validator-address>", "a validator's accumulated commission", (a) => ({
      path: `${DISTR}/validators/${valoperArg(arg(a, 0))}/commission`,
    })),
    leaf(
      "validator-outstanding-rewards <validator-address>",
      "rewards not yet withdrawn from a validator",
      (a) => ({
        path: `${DISTR}/validators/${valoperArg(arg(a, 0))}/outstanding_rewards`,
      }),
    ),
    leaf("slashes <validator-address>", "a validator's slashing events", (a) => ({
      path: `${DISTR}/validators/${valoperArg(arg(a, 0))}/slashes`,
    })),
    fixed("community-pool", "the community pool", `${DISTR}/community_pool`),
    fixed("params", "distribution parameters", `${DISTR}/params`),
  ],
};

const govId = (a: readonly (string | undefined)[]): string => uintArg(arg(a, 0), "proposal id");
const gov: QueryGroup = {
  name: "gov",
  description: "proposals, votes, tallies and params (gov v1)",
  leaves: [
    fixed("proposals", "all proposals", `${GOV}/proposals`),
    leaf("proposal <proposal-id>", "one proposal", (a) => ({ path: `${GOV}/proposals/${govId(a)}` })),
    leaf("votes <proposal-id>", "the votes on a proposal", (a) => ({
      path: `${GOV}/proposals/${govId(a)}/votes`,
    })),
    leaf("vote <proposal-id> <voter-address>", "one voter's vote on a proposal", (a) => ({
      path: `${GOV}/proposals/${govId(a)}/votes/${accountArg(arg(a, 1), "voter address")}`,
    })),
    leaf("deposits <proposal-id>", "the deposits on a proposal", (a) => ({
      path: `${GOV}/proposals/${govId(a)}/deposits`,
    })),
    leaf("tally <proposal-id>", "the current tally of a proposal", (a) => ({
      path: `${GOV}/proposals/${govId(a)}/tally`,
    })),
    // secretd v0.50 prints the whole Params; the gateway needs a params_type but answers `params` for any.
    leaf("params", "gov parameters", () => ({ path: `${GOV}/params/tallying` }), {
      pick: (b) => ({ params: b.params }),
    }),
  ],
};

const mint: QueryGroup = {
  name: "mint",
  description: "inflation, annual provisions and params",
  leaves: [
    fixed("inflation", "current inflation rate", `${MINT}/inflation`),
    fixed("annual-provisions", "current annual provisions", `${MINT}/annual_provisions`),
    fixed("params", "mint parameters", `${MINT}/params`),
  ],
};

const slashing: QueryGroup = {
  name: "slashing",
  description: "validator signing infos and params",
  leaves: [
    fixed("signing-infos", "signing infos of all validators", `${SLASHING}/signing_infos`),
    leaf("signing-info <consensus-address>", "one validator's signing info (secretvalcons…)", (a) => ({
      path: `${SLASHING}/signing_infos/${bech32Arg(arg(a, 0), "consensus address", VALCONS_PREFIX)}`,
    })),
    fixed("params", "slashing parameters", `${SLASHING}/params`),
  ],
};

const registration: QueryGroup = {
  name: "registration",
  alias: "register",
  description: "network keys and node registration (Secret x/registration)",
  leaves: [
    fixed("tx-key", "the network's tx-encryption public key (io exchange key)", `${REG}/tx-key`),
    fixed(
      "registration-key",
      "the network's registration public key (node exchange key)",
      `${REG}/registration-key`,
    ),
    leaf(
      "encrypted-seed <cert-hex-or-pubkey>",
      "a registered node's encrypted seed (by its 32-byte key, or the registration quote carrying it)",
      (a) => ({ path: `${REG}/encrypted-seed/${registrationKeyArg(arg(a, 0))}` }),
    ),
  ],
};

export const QUERY_GROUPS: readonly QueryGroup[] = [
  bank,
  auth,
  staking,
  distribution,
  gov,
  mint,
  slashing,
  registration,
];
