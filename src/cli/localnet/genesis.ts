// The localnet genesis: LocalSecret's dev accounts, one funded operator account per validator, each validator's
// gentx as staking genesis state (an unbonded validator + its self-delegation, bonded by staking's InitGenesis),
// and the registration section: bootstrap master keys plus every other node's attested registration.
import { fromBech32, moduleAddress, toBech32 } from "../../chain/address.js";
import { Dec } from "../../chain/modules/staking/dec.js";
import { NOT_BONDED_POOL_NAME, VALOPER_PREFIX } from "../../chain/modules/staking/keys.js";
import { validatorJson } from "../../chain/modules/staking/queryServer.js";
import { BondStatus, type Validator } from "../../chain/modules/staking/types.js";
import type { GenesisDoc } from "../../chain/genesis.js";
import type { RegInfoJson } from "../../chain/modules/registration/genesis.js";
import { buildDevGenesis, DEV_ACCOUNT_BALANCE, DEV_VALIDATOR_BOND } from "../devGenesis.js";

export interface LocalnetValidator {
  readonly moniker: string;
  /** bech32 account of the operator (funded, self-delegates). */
  readonly operator: string;
  readonly consPubKey: Uint8Array;
}

export interface LocalnetGenesisOptions {
  readonly chainId: string;
  readonly genesisTimeNs: bigint;
  readonly nodeExchKey: Uint8Array;
  readonly ioExchKey: Uint8Array;
  readonly authorityPublicKeys: readonly Uint8Array[];
  readonly measurements: readonly Uint8Array[];
  readonly validators: readonly LocalnetValidator[];
  /** Registrations of the non-bootstrap enclaves (their quotes and the seeds encrypted to them). */
  readonly regInfo: readonly RegInfoJson[];
}

/** One gentx: same terms as devGenesis (secretd gentx defaults: 10% commission, max 20%, 1%/day). */
function gentx(v: LocalnetValidator, timeNs: bigint): { validator: unknown; delegation: unknown } {
  const op = fromBech32(v.operator, "operator");
  const shares = Dec.fromInt(DEV_VALIDATOR_BOND);
  const val: Validator = {
    operator: op,
    consPubKey: v.consPubKey,
    jailed: false,
    status: BondStatus.Unbonded,
    tokens: DEV_VALIDATOR_BOND,
    delegatorShares: shares,
    description: { moniker: v.moniker, identity: "", website: "", securityContact: "", details: "" },
    unbondingHeight: 0n,
    unbondingTimeNs: 0n,
    commission: {
      rate: Dec.fromString("0.1"),
      maxRate: Dec.fromString("0.2"),
      maxChangeRate: Dec.fromString("0.01"),
      updateTimeNs: timeNs,
    },
    minSelfDelegation: 1n,
  };
  return {
    validator: validatorJson(val),
    delegation: {
      delegator_address: v.operator,
      validator_address: toBech32(op, VALOPER_PREFIX),
      shares: shares.toString(),
    },
  };
}

export function buildLocalnetGenesis(o: LocalnetGenesisOptions): GenesisDoc {
  const extra: Record<string, bigint> = {};
  for (const v of o.validators) extra[v.operator] = DEV_ACCOUNT_BALANCE;
  const base = buildDevGenesis({
    chainId: o.chainId,
    genesisTimeNs: o.genesisTimeNs,
    nodeExchKey: o.nodeExchKey,
    ioExchKey: o.ioExchKey,
    authorityPublicKeys: o.authorityPublicKeys,
    measurements: o.measurements,
    extraAccounts: extra,
  });
  const txs = o.validators.map((v) => gentx(v, o.genesisTimeNs));
  const bank = base.app_state.bank as { balances: unknown[] };
  const pool = toBech32(moduleAddress(NOT_BONDED_POOL_NAME));
  const bonded = DEV_VALIDATOR_BOND * BigInt(o.validators.length);
  const register = base.app_state.register as Record<string, unknown>;
  return {
    ...base,
    app_state: {
      ...base.app_state,
      bank: {
        ...bank,
        balances: [...bank.balances, { address: pool, coins: [{ denom: "uscrt", amount: `${bonded}` }] }],
      },
      staking: { validators: txs.map((t) => t.validator), delegations: txs.map((t) => t.delegation) },
      register: { ...register, reg_info: o.regInfo },
    },
  };
}
