// Staking records (validators, delegations, unbonding and redelegation entries, params) and their store
// encoding: canonical JSON with a fixed field order, bigints and Decs as strings (deterministic by construction).
import { fromHex, toHex, utf8 } from "../../../util/bytes.js";
import { Dec } from "./dec.js";

/** SDK BondStatus numbers (cosmos.staking.v1beta1.BondStatus). */
export const BondStatus = { Unbonded: 1, Unbonding: 2, Bonded: 3 } as const;
export type BondStatus = (typeof BondStatus)[keyof typeof BondStatus];
export const BOND_STATUS_NAMES: Record<BondStatus, string> = {
  1: "BOND_STATUS_UNBONDED",
  2: "BOND_STATUS_UNBONDING",
  3: "BOND_STATUS_BONDED",
};

export interface Description {
  readonly moniker: string;
  readonly identity: string;
  readonly website: string;
  readonly securityContact: string;
  readonly details: string;
}

export interface Commission {
  readonly rate: Dec;
  readonly maxRate: Dec;
  readonly maxChangeRate: Dec;
  readonly updateTimeNs: bigint;
}

export interface Validator {
  readonly operator: Uint8Array;
  /** ed25519 consensus public key, 32 bytes. */
  readonly consPubKey: Uint8Array;
  readonly jailed: boolean;
  readonly status: BondStatus;
  readonly tokens: bigint;
  readonly delegatorShares: Dec;
  readonly description: Description;
  readonly unbondingHeight: bigint;
  readonly unbondingTimeNs: bigint;
  readonly commission: Commission;
  readonly minSelfDelegation: bigint;
}

export interface Delegation {
  readonly delegator: Uint8Array;
  readonly validator: Uint8Array;
  readonly shares: Dec;
}

export interface UnbondingEntry {
  readonly creationHeight: bigint;
  readonly completionTimeNs: bigint;
  readonly initialBalance: bigint;
  readonly balance: bigint;
}

export interface UnbondingDelegation {
  readonly delegator: Uint8Array;
  readonly validator: Uint8Array;
  readonly entries: readonly UnbondingEntry[];
}

export interface RedelegationEntry {
  readonly creationHeight: bigint;
  readonly completionTimeNs: bigint;
  readonly initialBalance: bigint;
  readonly sharesDst: Dec;
}

export interface Redelegation {
  readonly delegator: Uint8Array;
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  readonly entries: readonly RedelegationEntry[];
}

export interface StakingParams {
  readonly unbondingTimeNs: bigint;
  readonly maxValidators: number;
  readonly maxEntries: number;
  readonly historicalEntries: number;
  readonly bondDenom: string;
  readonly minCommissionRate: Dec;
}

/**
 * Secret Network's values where they differ from the SDK defaults: bond denom `uscrt`, 100 validators; the
 * unbonding time is LocalSecret's 90 s (mainnet: 21 days; set it through genesis).
 */
export const DEFAULT_STAKING_PARAMS: StakingParams = Object.freeze({
  unbondingTimeNs: 90n * 1_000_000_000n,
  maxValidators: 100,
  maxEntries: 7,
  historicalEntries: 10_000,
  bondDenom: "uscrt",
  minCommissionRate: Dec.ZERO,
});

/** SDK DefaultPowerReduction: 10^6 base units per unit of consensus power. */
export const POWER_REDUCTION = 1_000_000n;

/** A validator-set change for FinalizeBlock (power 0 removes the validator). */
export interface ValidatorUpdate {
  readonly pubKeyEd25519: Uint8Array;
  readonly power: bigint;
}

// ---- encoding ------------------------------------------------------------------------------------------------

type J = Record<string, unknown>;

function enc(o: J): Uint8Array {
  return utf8.encode(JSON.stringify(o));
}

function dec(b: Uint8Array): J {
  return JSON.parse(utf8.decode(b)) as J;
}

const s = (o: J, k: string): string => {
  const v = o[k];
  if (typeof v !== "string") throw new Error(`corrupt staking record: ${k}`);
  return v;
};
const big = (o: J, k: string): bigint => BigInt(s(o, k));
const dc = (o: J, k: string): Dec => Dec.fromAtomics(s(o, k));
const hex = (o: J, k: string): Uint8Array => fromHex(s(o, k));

export function encodeValidator(v: Validator): Uint8Array {
  const d = v.description;
  const c = v.commission;
  return enc({
    op: toHex(v.operator),
    pk: toHex(v.consPubKey),
    jailed: v.jailed ? "1" : "0",
    status: String(v.status),
    tokens: v.tokens.toString(),
    shares: v.delegatorShares.toAtomics(),
    desc: [d.moniker, d.identity, d.website, d.securityContact, d.details],
    uh: v.unbondingHeight.toString(),
    ut: v.unbondingTimeNs.toString(),
    comm: [c.rate.toAtomics(), c.maxRate.toAtomics(), c.maxChangeRate.toAtomics(), c.updateTimeNs.toString()],
    msd: v.minSelfDelegation.toString(),
  });
}

export function decodeValidator(b: Uint8Array): Validator {
  const o = dec(b);
  const d = o.desc as string[];
  const c = o.comm as string[];
  const status = Number(s(o, "status"));
  if (status !== 1 && status !== 2 && status !== 3) throw new Error("corrupt validator status");
  return {
    operator: hex(o, "op"),
    consPubKey: hex(o, "pk"),
    jailed: s(o, "jailed") === "1",
    status,
    tokens: big(o, "tokens"),
    delegatorShares: dc(o, "shares"),
    description: {
      moniker: d[0]!,
      identity: d[1]!,
      website: d[2]!,
      securityContact: d[3]!,
      details: d[4]!,
    },
    unbondingHeight: big(o, "uh"),
    unbondingTimeNs: big(o, "ut"),
    commission: {
      rate: Dec.fromAtomics(c[0]!),
      maxRate: Dec.fromAtomics(c[1]!),
      maxChangeRate: Dec.fromAtomics(c[2]!),
      updateTimeNs: BigInt(c[3]!),
    },
    minSelfDelegation: big(o, "msd"),
  };
}

export function encodeDelegation(d: Delegation): Uint8Array {
  return enc({ del: toHex(d.delegator), val: toHex(d.validator), shares: d.shares.toAtomics() });
}

export function decodeDelegation(b: Uint8Array): Delegation {
  const o = dec(b);
  return { delegator: hex(o, "del"), validator: hex(o, "val"), shares: dc(o, "shares") };
}

export function encodeUnbonding(u: UnbondingDelegation): Uint8Array {
  return enc({
    del: toHex(u.delegator),
    val: toHex(u.validator),
    entries: u.entries.map((e) => [
      e.creationHeight.toString(),
      e.completionTimeNs.toString(),
      e.initialBalance.toString(),
      e.balance.toString(),
    ]),
  });
}

export function decodeUnbonding(b: Uint8Array): UnbondingDelegation {
  const o = dec(b);
  return {
    delegator: hex(o, "del"),
    validator: hex(o, "val"),
    entries: (o.entries as string[][]).map((e) => ({
      creationHeight: BigInt(e[0]!),
      completionTimeNs: BigInt(e[1]!),
      initialBalance: BigInt(e[2]!),
      balance: BigInt(e[3]!),
    })),
  };
}

export function encodeRedelegation(r: Redelegation): Uint8Array {
  return enc({
    del: toHex(r.delegator),
    src: toHex(r.src),
    dst: toHex(r.dst),
    entries: r.entries.map((e) => [
      e.creationHeight.toString(),
      e.completionTimeNs.toString(),
      e.initialBalance.toString(),
      e.sharesDst.toAtomics(),
    ]),
  });
}

export function decodeRedelegation(b: Uint8Array): Redelegation {
  const o = dec(b);
  return {
    delegator: hex(o, "del"),
    src: hex(o, "src"),
    dst: hex(o, "dst"),
    entries: (o.entries as string[][]).map((e) => ({
      creationHeight: BigInt(e[0]!),
      completionTimeNs: BigInt(e[1]!),
      initialBalance: BigInt(e[2]!),
      sharesDst: Dec.fromAtomics(e[3]!),
    })),
  };
}

export function encodeStakingParams(p: StakingParams): Uint8Array {
  return enc({
    ut: p.unbondingTimeNs.toString(),
    mv: String(p.maxValidators),
    me: String(p.maxEntries),
    he: String(p.historicalEntries),
    denom: p.bondDenom,
    mcr: p.minCommissionRate.toAtomics(),
  });
}

export function decodeStakingParams(b: Uint8Array): StakingParams {
  const o = dec(b);
  return {
    unbondingTimeNs: big(o, "ut"),
    maxValidators: Number(s(o, "mv")),
    maxEntries: Number(s(o, "me")),
    historicalEntries: Number(s(o, "he")),
    bondDenom: s(o, "denom"),
    minCommissionRate: dc(o, "mcr"),
  };
}

// ---- share math (SDK x/staking/types/validator.go) -----------------------------------------------------------

/** Tokens worth `shares` (SDK TokensFromShares: shares × tokens / delegatorShares, rounded). */
export function tokensFromShares(v: Validator, shares: Dec): Dec {
  return shares.mulInt(v.tokens).quo(v.delegatorShares);
}

export function tokensFromSharesTruncated(v: Validator, shares: Dec): Dec {
  return shares.mulInt(v.tokens).quoTruncate(v.delegatorShares);
}

/** Shares worth `amt` tokens (SDK SharesFromTokens); fails on a zero-token validator. */
export function sharesFromTokens(v: Validator, amt: bigint): Dec {
  return v.delegatorShares.mulInt(amt).quoInt(v.tokens);
}

export function sharesFromTokensTruncated(v: Validator, amt: bigint): Dec {
  return v.delegatorShares.mulInt(amt).quoTruncate(Dec.fromInt(v.tokens));
}

/** Consensus power: tokens / 10^6 for a bonded validator, else 0 (SDK ConsensusPower). */
export function consensusPower(v: Validator): bigint {
  return v.status === BondStatus.Bonded ? v.tokens / POWER_REDUCTION : 0n;
}

/** Power the validator would have if bonded (SDK PotentialConsensusPower). */
export function potentialPower(v: Validator): bigint {
  return v.tokens / POWER_REDUCTION;
}

/** SDK InvalidExRate: tokens gone but shares remain (a 100% slash). */
export function invalidExRate(v: Validator): boolean {
  return v.tokens === 0n && v.delegatorShares.isPositive();
}
