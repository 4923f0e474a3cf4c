// The LocalSecret-compatible development genesis (issue 4 §5): chain id secretdev-1, accounts validator, a, b,
// c, d each holding 1000000000000000000uscrt, derived from LocalSecret's published mnemonics (coin type 529,
// prefix secret), the bootstrap enclave's master keys in the registration section, and (given the engine's
// ed25519 key) the validator's gentx as staking genesis state.
import { pbkdf2Sync } from "node:crypto";
import { HDKey } from "@scure/bip32";
import { fromBech32, moduleAddress, secp256k1PubkeyToAddress, toBech32 } from "../chain/address.js";
import { Dec } from "../chain/modules/staking/dec.js";
import { NOT_BONDED_POOL_NAME, VALOPER_PREFIX } from "../chain/modules/staking/keys.js";
import { validatorJson } from "../chain/modules/staking/queryServer.js";
import { BondStatus, type Validator } from "../chain/modules/staking/types.js";
import { formatRfc3339Ns, type GenesisDoc } from "../chain/genesis.js";
import { toBase64, toHex } from "../util/bytes.js";

export const DEV_CHAIN_ID = "secretdev-1";
/** Each dev account's balance (LocalSecret's genesis). */
export const DEV_ACCOUNT_BALANCE = 1_000_000_000_000_000_000n;
/** Secret's HD path (SLIP-44 coin type 529), as secretjs' Wallet derives it. */
export const SECRET_HD_PATH = "m/44'/529'/0'/0/0";
/**
 * The dev validator's self-bond (1,000,000 SCRT → power 10^6). Anything ≥ 10^6 uscrt gives power. It is minted
 * on top of the validator account's DEV_ACCOUNT_BALANCE, so every dev account still holds exactly that much.
 */
export const DEV_VALIDATOR_BOND = 1_000_000_000_000n;

/** LocalSecret's published mnemonics (issue 4 §5 / scrtlabs LocalSecret README). */
export const DEV_MNEMONICS: Readonly<Record<"validator" | "a" | "b" | "c" | "d", string>> = Object.freeze({
  validator:
    "push certain add next grape invite tobacco bubble text romance again lava crater pill genius vital fresh guard great patch knee series era tonight",
  a: "grant rice replace explain federal release fix clever romance raise often wild taxi quarter soccer fiber love must tape steak together observe swap guitar",
  b: "jelly shadow frog dirt dragon use armed praise universe win jungle close inmate rain oil canvas beauty pioneer chef soccer icon dizzy thunder meadow",
  c: "chair love bleak wonder skirt permit say assist aunt credit roast size obtain minute throw sand usual age smart exact enough room shadow charge",
  d: "word twist toast cloth movie predict advance crumble escape whale sail such angry muffin balcony keen move employ cook valve hurt glimpse breeze brick",
});

/**
 * BIP-39 mnemonic → seed: PBKDF2-HMAC-SHA512(NFKD(mnemonic), "mnemonic" ‖ passphrase, 2048, 64). node:crypto
 * (OpenSSL) does it in milliseconds; the pure-JS version took ~0.2 s per mnemonic and delayed the first block.
 */
function bip39Seed(mnemonic: string): Uint8Array {
  return pbkdf2Sync(mnemonic.normalize("NFKD"), "mnemonic", 2048, 64, "sha512");
}

/** bech32 address of a mnemonic's first Secret key (ripemd160(sha256(compressed pubkey))). */
export function addressFromMnemonic(mnemonic: string): string {
  const key = HDKey.fromMasterSeed(bip39Seed(mnemonic)).derive(SECRET_HD_PATH);
  if (key.publicKey === null) throw new Error("HD derivation gave no public key");
  return toBech32(secp256k1PubkeyToAddress(key.publicKey));
}

type DevAccount = keyof typeof DEV_MNEMONICS;
let devAddresses: Readonly<Record<DevAccount, string>> | undefined;

/**
 * The dev accounts' addresses, derived once per process: five PBKDF2 seeds and HD derivations take 0.1-0.4 s,
 * which `shroud dev` spends while its enclave worker boots rather than on the way to block 1.
 */
export function devAccountAddresses(): Readonly<Record<DevAccount, string>> {
  devAddresses ??= Object.freeze(
    Object.fromEntries(
      Object.entries(DEV_MNEMONICS).map(([name, m]) => [name, addressFromMnemonic(m)]),
    ) as Record<DevAccount, string>,
  );
  return devAddresses;
}

export interface DevGenesisOptions {
  readonly genesisTimeNs: bigint;
  /** From the bootstrap enclave (initBootstrap): seed-exchange and IO master public keys. */
  readonly nodeExchKey: Uint8Array;
  readonly ioExchKey: Uint8Array;
  /** The attestation policy: the dev authority and this build's measurement. */
  readonly authorityPublicKeys: readonly Uint8Array[];
  readonly measurements: readonly Uint8Array[];
  readonly chainId?: string;
  /** Extra funded accounts (bech32 → uscrt), e.g. a faucet. */
  readonly extraAccounts?: Readonly<Record<string, bigint>>;
  /**
   * The block producer's ed25519 public key (the dev engine's): when given, LocalSecret's "validator" account
   * bonds DEV_VALIDATOR_BOND to a validator with this consensus key, as its gentx does. Absent: no validator
   * (CometBFT keeps its genesis validators; nothing is staked).
   */
  readonly validatorPubKey?: Uint8Array;
}

/**
 * The gentx as genesis state: an unbonded validator holding the self-bond in the not-bonded pool, and its
 * self-delegation. Staking's InitGenesis bonds it (moving the tokens to the bonded pool, running the
 * distribution and slashing hooks) and returns it as the InitChain validator set.
 */
function devValidatorGenesis(
  operator: string,
  consPubKey: Uint8Array,
  timeNs: bigint,
): Record<string, unknown> {
  const op = fromBech32(operator, "validator");
  const shares = Dec.fromInt(DEV_VALIDATOR_BOND);
  const v: Validator = {
    operator: op,
    consPubKey,
    jailed: false,
    status: BondStatus.Unbonded,
    tokens: DEV_VALIDATOR_BOND,
    delegatorShares: shares,
    description: { moniker: "validator", identity: "", website: "", securityContact: "", details: "" },
    unbondingHeight: 0n,
    unbondingTimeNs: 0n,
    // secretd gentx defaults: 10% commission, at most 20%, changing at most 1% a day.
    commission: {
      rate: Dec.fromString("0.1"),
      maxRate: Dec.fromString("0.2"),
      maxChangeRate: Dec.fromString("0.01"),
      updateTimeNs: timeNs,
    },
    minSelfDelegation: 1n,
  };
  return {
    validators: [validatorJson(v)],
    delegations: [
      {
        delegator_address: operator,
        validator_address: toBech32(op, VALOPER_PREFIX),
        shares: shares.toString(),
      },
    ],
  };
}

export function buildDevGenesis(o: DevGenesisOptions): GenesisDoc {
  const funded = new Map<string, bigint>();
  const addresses = devAccountAddresses();
  for (const a of Object.values(addresses)) funded.set(a, DEV_ACCOUNT_BALANCE);
  for (const [a, v] of Object.entries(o.extraAccounts ?? {})) funded.set(a, v);
  const validator = addresses.validator;
  let staking: Record<string, unknown> | undefined;
  if (o.validatorPubKey !== undefined) {
    staking = devValidatorGenesis(validator, o.validatorPubKey, o.genesisTimeNs);
  }
  const addrs = [...funded.keys()].sort();
  const pool = toBech32(moduleAddress(NOT_BONDED_POOL_NAME));
  const poolBalance =
    staking === undefined
      ? []
      : [{ address: pool, coins: [{ denom: "uscrt", amount: `${DEV_VALIDATOR_BOND}` }] }];
  return {
    genesis_time: formatRfc3339Ns(o.genesisTimeNs),
    chain_id: o.chainId ?? DEV_CHAIN_ID,
    initial_height: "1",
    app_hash: "",
    app_state: {
      auth: { accounts: addrs.map((address) => ({ "@type": "/cosmos.auth.v1beta1.BaseAccount", address })) },
      bank: {
        balances: addrs
          .map((address) => ({
            address,
            coins: [{ denom: "uscrt", amount: funded.get(address)!.toString() }],
          }))
          .concat(poolBalance),
      },
      ...(staking === undefined ? {} : { staking }),
      register: {
        params: {
          attestation_policy: {
            authority_public_keys: o.authorityPublicKeys.map(toHex),
            allowed_measurements: o.measurements.map(toHex),
            revoked_platform_ids: [],
            max_age_ns: (600n * 1_000_000_000n).toString(),
            allowed_tcb_statuses: [],
          },
        },
        reg_info: [],
        node_exch_key: { bytes: toBase64(o.nodeExchKey) },
        io_exch_key: { bytes: toBase64(o.ioExchKey) },
      },
    },
  };
}
