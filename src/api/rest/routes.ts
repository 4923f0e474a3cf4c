// The module query route table: LCD path → gRPC query method name (the key of the backend's handler map),
// with the kinds of its query-string parameters. Paths and names are the grpc-gateway ones secretjs 1.22
// calls (node_modules/secretjs/src/grpc_gateway/**/query.pb.ts). A module landing later adds one line here.
import type { ParamKind } from "./params.js";

/** `kind` or `kind!` (required). */
export type QuerySpec = Readonly<Record<string, ParamKind | `${ParamKind}!`>>;

export interface ModuleRoute {
  readonly pattern: string;
  readonly method: string;
  readonly query?: QuerySpec;
  /** Parses `pagination.*` into QueryArgs.pagination. */
  readonly paged?: boolean;
}

const r = (pattern: string, method: string, query?: QuerySpec, paged?: boolean): ModuleRoute => ({
  pattern,
  method,
  ...(query === undefined ? {} : { query }),
  ...(paged === true ? { paged } : {}),
});
const P = true;

const AUTH = "/cosmos.auth.v1beta1.Query/";
const BANK = "/cosmos.bank.v1beta1.Query/";
const REG = "/secret.registration.v1beta1.Query/";
const COMPUTE = "/secret.compute.v1beta1.Query/";
const STAKING = "/cosmos.staking.v1beta1.Query/";
const DISTR = "/cosmos.distribution.v1beta1.Query/";
const SLASHING = "/cosmos.slashing.v1beta1.Query/";
const MINT = "/cosmos.mint.v1beta1.Query/";
const GOV = "/cosmos.gov.v1.Query/";

const a = "/cosmos/auth/v1beta1";
const b = "/cosmos/bank/v1beta1";
const c = "/compute/v1beta1";
const s = "/cosmos/staking/v1beta1";
const d = "/cosmos/distribution/v1beta1";
const g = "/cosmos/gov/v1";

export const MODULE_ROUTES: readonly ModuleRoute[] = [
  r(`${a}/accounts`, `${AUTH}Accounts`, {}, P),
  r(`${a}/accounts/{address:acc}`, `${AUTH}Account`),
  r(`${a}/account_info/{address:acc}`, `${AUTH}AccountInfo`),
  r(`${a}/address_by_id/{id:u64}`, `${AUTH}AccountAddressByID`, { account_id: "u64" }),
  r(`${a}/params`, `${AUTH}Params`),
  r(`${a}/module_accounts`, `${AUTH}ModuleAccounts`),
  r(`${a}/module_accounts/{name:text}`, `${AUTH}ModuleAccountByName`),
  r(`${a}/bech32`, `${AUTH}Bech32Prefix`),

  r(`${b}/balances/{address:acc}`, `${BANK}AllBalances`, { resolve_denom: "bool" }, P),
  r(`${b}/balances/{address:acc}/by_denom`, `${BANK}Balance`, { denom: "denom!" }),
  r(`${b}/spendable_balances/{address:acc}`, `${BANK}SpendableBalances`, {}, P),
  r(`${b}/spendable_balances/{address:acc}/by_denom`, `${BANK}SpendableBalanceByDenom`, { denom: "denom!" }),
  r(`${b}/supply`, `${BANK}TotalSupply`, {}, P),
  r(`${b}/supply/by_denom`, `${BANK}SupplyOf`, { denom: "denom!" }),
  r(`${b}/params`, `${BANK}Params`),
  r(`${b}/denoms_metadata`, `${BANK}DenomsMetadata`, {}, P),
  r(`${b}/denoms_metadata/{denom:denom*}`, `${BANK}DenomMetadata`),
  r(`${b}/denoms_metadata_by_query_string`, `${BANK}DenomMetadataByQueryString`, { denom: "denom!" }),
  r(`${b}/denom_owners/{denom:denom*}`, `${BANK}DenomOwners`, {}, P),
  r(`${b}/send_enabled`, `${BANK}SendEnabled`, { denoms: "denom" }, P),

  r("/registration/v1beta1/tx-key", `${REG}TxKey`),
  r("/registration/v1beta1/registration-key", `${REG}RegistrationKey`),
  r("/registration/v1beta1/encrypted-seed/{pub_key:key32}", `${REG}EncryptedSeed`),

  r(`${c}/info/{contract_address:acc}`, `${COMPUTE}ContractInfo`),
  r(`${c}/contracts/{code_id:u64}`, `${COMPUTE}ContractsByCodeId`),
  r(`${c}/query/{contract_address:acc}`, `${COMPUTE}QuerySecretContract`, { query: "b64!" }),
  r(`${c}/code/{code_id:u64}`, `${COMPUTE}Code`),
  r(`${c}/codes`, `${COMPUTE}Codes`),
  r(`${c}/code_hash/by_contract_address/{contract_address:acc}`, `${COMPUTE}CodeHashByContractAddress`),
  r(`${c}/code_hash/by_code_id/{code_id:u64}`, `${COMPUTE}CodeHashByCodeId`),
  r(`${c}/label/{contract_address:acc}`, `${COMPUTE}LabelByAddress`),
  r(`${c}/contract_address/{label:text}`, `${COMPUTE}AddressByLabel`),
  r(`${c}/contract_history/{contract_address:acc}`, `${COMPUTE}ContractHistory`),
  r(`${c}/params`, `${COMPUTE}Params`),
  r(`${c}/authorized_migration/{contract_address:acc}`, `${COMPUTE}AuthorizedMigration`),

  r(`${s}/validators`, `${STAKING}Validators`, { status: "text" }, P),
  r(`${s}/validators/{validator_addr:val}`, `${STAKING}Validator`),
  r(`${s}/validators/{validator_addr:val}/delegations`, `${STAKING}ValidatorDelegations`, {}, P),
  r(
    `${s}/validators/{validator_addr:val}/unbonding_delegations`,
    `${STAKING}ValidatorUnbondingDelegations`,
    {},
    P,
  ),
  r(`${s}/validators/{validator_addr:val}/delegations/{delegator_addr:acc}`, `${STAKING}Delegation`),
  r(
    `${s}/validators/{validator_addr:val}/delegations/{delegator_addr:acc}/unbonding_delegation`,
    `${STAKING}UnbondingDelegation`,
  ),
  r(`${s}/delegations/{delegator_addr:acc}`, `${STAKING}DelegatorDelegations`, {}, P),
  r(
    `${s}/delegators/{delegator_addr:acc}/unbonding_delegations`,
    `${STAKING}DelegatorUnbondingDelegations`,
    {},
    P,
  ),
  r(
    `${s}/delegators/{delegator_addr:acc}/redelegations`,
    `${STAKING}Redelegations`,
    { src_validator_addr: "val", dst_validator_addr: "val" },
    P,
  ),
  r(`${s}/delegators/{delegator_addr:acc}/validators`, `${STAKING}DelegatorValidators`, {}, P),
  r(`${s}/delegators/{delegator_addr:acc}/validators/{validator_addr:val}`, `${STAKING}DelegatorValidator`),
  r(`${s}/historical_info/{height:u64}`, `${STAKING}HistoricalInfo`),
  r(`${s}/pool`, `${STAKING}Pool`),
  r(`${s}/params`, `${STAKING}Params`),

  r(`${d}/params`, `${DISTR}Params`),
  r(`${d}/validators/{validator_address:val}`, `${DISTR}ValidatorDistributionInfo`),
  r(`${d}/validators/{validator_address:val}/outstanding_rewards`, `${DISTR}ValidatorOutstandingRewards`),
  r(`${d}/validators/{validator_address:val}/commission`, `${DISTR}ValidatorCommission`),
  r(
    `${d}/validators/{validator_address:val}/slashes`,
    `${DISTR}ValidatorSlashes`,
    { starting_height: "u64", ending_height: "u64" },
    P,
  ),
  r(`${d}/delegators/{delegator_address:acc}/rewards/{validator_address:val}`, `${DISTR}DelegationRewards`),
  r(`${d}/delegators/{delegator_address:acc}/rewards`, `${DISTR}DelegationTotalRewards`),
  r(`${d}/delegators/{delegator_address:acc}/validators`, `${DISTR}DelegatorValidators`),
  r(`${d}/delegators/{delegator_address:acc}/withdraw_address`, `${DISTR}DelegatorWithdrawAddress`),
  r(`${d}/community_pool`, `${DISTR}CommunityPool`),

  r("/cosmos/slashing/v1beta1/params", `${SLASHING}Params`),
  r("/cosmos/slashing/v1beta1/signing_infos", `${SLASHING}SigningInfos`, {}, P),
  r("/cosmos/slashing/v1beta1/signing_infos/{cons_address:cons}", `${SLASHING}SigningInfo`),

  r("/cosmos/mint/v1beta1/params", `${MINT}Params`),
  r("/cosmos/mint/v1beta1/inflation", `${MINT}Inflation`),
  r("/cosmos/mint/v1beta1/annual_provisions", `${MINT}AnnualProvisions`),

  r(`${g}/constitution`, `${GOV}Constitution`),
  r(`${g}/params/{params_type:text}`, `${GOV}Params`),
  r(`${g}/proposals`, `${GOV}Proposals`, { proposal_status: "text", voter: "acc", depositor: "acc" }, P),
  r(`${g}/proposals/{proposal_id:u64}`, `${GOV}Proposal`),
  r(`${g}/proposals/{proposal_id:u64}/votes`, `${GOV}Votes`, {}, P),
  r(`${g}/proposals/{proposal_id:u64}/votes/{voter:acc}`, `${GOV}Vote`),
  r(`${g}/proposals/{proposal_id:u64}/deposits`, `${GOV}Deposits`, {}, P),
  r(`${g}/proposals/{proposal_id:u64}/deposits/{depositor:acc}`, `${GOV}Deposit`),
  r(`${g}/proposals/{proposal_id:u64}/tally`, `${GOV}TallyResult`),
];
