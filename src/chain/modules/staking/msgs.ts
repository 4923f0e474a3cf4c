// Staking message types for the tx registry: codecs (cosmjs-types), signers, stateless checks (SDK v0.50
// Msg*.Validate / msg_server preludes) and REST/amino JSON. Proto Dec fields carry integer atomics.
import {
  MsgBeginRedelegate,
  MsgCancelUnbondingDelegation,
  MsgCreateValidator,
  MsgDelegate,
  MsgEditValidator,
  MsgUndelegate,
} from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import type { Coin as CoinProto } from "cosmjs-types/cosmos/base/v1beta1/coin";
import { ChainError, SdkErrors } from "../../errors.js";
import { fromBech32 } from "../../address.js";
import { assertDenom, parseAmount, type Coin } from "../../tx/coins.js";
import type { MsgType } from "../../tx/msgRegistry.js";
import { toBase64 } from "../../../util/bytes.js";
import { Dec } from "./dec.js";
import { StakingErrors } from "./errors.js";
import { MODULE_NAME, VALOPER_PREFIX } from "./keys.js";

export const ED25519_PUBKEY_TYPE_URL = "/cosmos.crypto.ed25519.PubKey";
/** SDK description field limits (x/staking/types/validator.go MaxMonikerLength …). */
export const DESCRIPTION_LIMITS = {
  moniker: 70,
  identity: 3000,
  website: 140,
  securityContact: 140,
  details: 280,
};
/** SDK DoNotModifyDesc: a MsgEditValidator description field left unchanged. */
export const DO_NOT_MODIFY = "[do-not-modify]";

export function accAddr(s: string, what: string): Uint8Array {
  try {
    return fromBech32(s, what);
  } catch {
    throw new ChainError(SdkErrors.InvalidAddress, `invalid ${what} address: ${s}`);
  }
}

export function valAddr(s: string, what = "validator"): Uint8Array {
  try {
    return fromBech32(s, what, VALOPER_PREFIX);
  } catch {
    throw new ChainError(SdkErrors.InvalidAddress, `invalid ${what} address: ${s}`);
  }
}

/** A coin that must be valid and positive (SDK: !IsValid() || !Amount.IsPositive()). */
export function positiveCoin(c: CoinProto | undefined, what: string): Coin {
  try {
    if (c === undefined) throw new Error("missing");
    const coin = { denom: assertDenom(c.denom), amount: parseAmount(c.amount) };
    if (coin.amount <= 0n) throw new Error("not positive");
    return coin;
  } catch {
    throw new ChainError(SdkErrors.InvalidRequest, `invalid ${what} amount`);
  }
}

export function decField(s: string, what: string): Dec {
  try {
    return Dec.fromAtomics(s);
  } catch {
    throw new ChainError(SdkErrors.InvalidRequest, `invalid ${what}: ${s}`);
  }
}

/** Optional positive integer field ("" = not set). */
export function optionalInt(s: string, what: string): bigint | undefined {
  if (s === "") return undefined;
  let v: bigint;
  try {
    v = parseAmount(s);
  } catch {
    throw new ChainError(SdkErrors.InvalidRequest, `${what} must be a positive integer`);
  }
  if (v <= 0n) throw new ChainError(SdkErrors.InvalidRequest, `${what} must be a positive integer`);
  return v;
}

/** SDK CommissionRates.Validate. */
export function validateCommission(rate: Dec, maxRate: Dec, maxChange: Dec): void {
  if (maxRate.isNegative()) throw new ChainError(StakingErrors.CommissionNegative);
  if (maxRate.gt(Dec.ONE)) throw new ChainError(StakingErrors.CommissionHuge);
  if (rate.isNegative()) throw new ChainError(StakingErrors.CommissionNegative);
  if (rate.gt(maxRate)) throw new ChainError(StakingErrors.CommissionGTMaxRate);
  if (maxChange.isNegative()) throw new ChainError(StakingErrors.CommissionChangeRateNegative);
  if (maxChange.gt(maxRate)) throw new ChainError(StakingErrors.CommissionChangeRateGTMaxRate);
}

/** The ed25519 key inside a MsgCreateValidator pubkey Any; other key types are refused (staking 6). */
export function consPubKey(m: MsgCreateValidator): Uint8Array {
  if (m.pubkey === undefined) throw new ChainError(StakingErrors.EmptyValidatorPubKey);
  if (m.pubkey.typeUrl !== ED25519_PUBKEY_TYPE_URL) {
    throw new ChainError(
      StakingErrors.ValidatorPubKeyTypeNotSupported,
      `got: ${m.pubkey.typeUrl}, expected: [${ED25519_PUBKEY_TYPE_URL}]`,
    );
  }
  const key = Ed25519PubKey.decode(m.pubkey.value).key;
  if (key.length !== 32) throw new ChainError(SdkErrors.InvalidPubKey, "ed25519 public key must be 32 bytes");
  return key.slice();
}

const coinJson = (c: CoinProto | undefined): { denom: string; amount: string } => ({
  denom: c?.denom ?? "",
  amount: c?.amount ?? "",
});
const decJson = (s: string): string => {
  try {
    return Dec.fromAtomics(s).toString();
  } catch {
    return s;
  }
};

export function validateCreateValidator(m: MsgCreateValidator): void {
  valAddr(m.validatorAddress);
  consPubKey(m);
  const value = positiveCoin(m.value, "delegation");
  if (m.description.moniker === "") throw new ChainError(SdkErrors.InvalidRequest, "empty description");
  const c = m.commission;
  if (c.rate === "" && c.maxRate === "" && c.maxChangeRate === "") {
    throw new ChainError(SdkErrors.InvalidRequest, "empty commission");
  }
  validateCommission(
    decField(c.rate, "rate"),
    decField(c.maxRate, "max rate"),
    decField(c.maxChangeRate, "max change rate"),
  );
  const minSelf = optionalInt(m.minSelfDelegation, "minimum self delegation");
  if (minSelf === undefined) {
    throw new ChainError(SdkErrors.InvalidRequest, "minimum self delegation must be a positive integer");
  }
  if (value.amount < minSelf) throw new ChainError(StakingErrors.SelfDelegationBelowMinimum);
}

export const MsgCreateValidatorType: MsgType<MsgCreateValidator> = {
  typeUrl: "/cosmos.staking.v1beta1.MsgCreateValidator",
  module: MODULE_NAME,
  decode: (b) => MsgCreateValidator.decode(b),
  encode: (m) => MsgCreateValidator.encode(m).finish(),
  // SDK v0.50: cosmos.msg.v1.signer = "validator_address" (the operator's account bytes).
  signers: (m) => [valAddr(m.validatorAddress)],
  validateBasic: validateCreateValidator,
  toJson: (m) => ({
    description: {
      moniker: m.description.moniker,
      identity: m.description.identity,
      website: m.description.website,
      security_contact: m.description.securityContact,
      details: m.description.details,
    },
    commission: {
      rate: decJson(m.commission.rate),
      max_rate: decJson(m.commission.maxRate),
      max_change_rate: decJson(m.commission.maxChangeRate),
    },
    min_self_delegation: m.minSelfDelegation,
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- still a proto field; REST shows it
    delegator_address: m.delegatorAddress,
    validator_address: m.validatorAddress,
    pubkey:
      m.pubkey === undefined
        ? null
        : { "@type": m.pubkey.typeUrl, key: toBase64(Ed25519PubKey.decode(m.pubkey.value).key) },
    value: coinJson(m.value),
  }),
};

export function validateEditValidator(m: MsgEditValidator): void {
  valAddr(m.validatorAddress);
  const d = m.description;
  if (
    d.moniker === "" &&
    d.identity === "" &&
    d.website === "" &&
    d.securityContact === "" &&
    d.details === ""
  ) {
    throw new ChainError(SdkErrors.InvalidRequest, "empty description");
  }
  optionalInt(m.minSelfDelegation, "minimum self delegation");
  if (m.commissionRate !== "") {
    const r = decField(m.commissionRate, "commission rate");
    if (r.gt(Dec.ONE) || r.isNegative()) {
      throw new ChainError(SdkErrors.InvalidRequest, "commission rate must be between 0 and 1 (inclusive)");
    }
  }
}

export const MsgEditValidatorType: MsgType<MsgEditValidator> = {
  typeUrl: "/cosmos.staking.v1beta1.MsgEditValidator",
  module: MODULE_NAME,
  decode: (b) => MsgEditValidator.decode(b),
  encode: (m) => MsgEditValidator.encode(m).finish(),
  signers: (m) => [valAddr(m.validatorAddress)],
  validateBasic: validateEditValidator,
  toJson: (m) => ({
    description: {
      moniker: m.description.moniker,
      identity: m.description.identity,
      website: m.description.website,
      security_contact: m.description.securityContact,
      details: m.description.details,
    },
    validator_address: m.validatorAddress,
    commission_rate: m.commissionRate === "" ? null : decJson(m.commissionRate),
    min_self_delegation: m.minSelfDelegation === "" ? null : m.minSelfDelegation,
  }),
};

type DelegLike = { delegatorAddress: string; validatorAddress: string; amount?: CoinProto };

function validateDelegLike(m: DelegLike, what: string): void {
  accAddr(m.delegatorAddress, "delegator");
  valAddr(m.validatorAddress);
  positiveCoin(m.amount, what);
}

function delegLikeType<T extends DelegLike>(
  typeUrl: string,
  amino: string,
  codec: { decode(b: Uint8Array): T; encode(m: T): { finish(): Uint8Array } },
  what: string,
): MsgType<T> {
  return {
    typeUrl,
    module: MODULE_NAME,
    decode: (b) => codec.decode(b),
    encode: (m) => codec.encode(m).finish(),
    signers: (m) => [accAddr(m.delegatorAddress, "delegator")],
    validateBasic: (m) => {
      validateDelegLike(m, what);
    },
    toJson: (m) => ({
      delegator_address: m.delegatorAddress,
      validator_address: m.validatorAddress,
      amount: coinJson(m.amount),
    }),
    toAmino: (m) => ({
      type: amino,
      value: {
        delegator_address: m.delegatorAddress,
        validator_address: m.validatorAddress,
        amount: coinJson(m.amount),
      },
    }),
  };
}

export const MsgDelegateType = delegLikeType(
  "/cosmos.staking.v1beta1.MsgDelegate",
  "cosmos-sdk/MsgDelegate",
  MsgDelegate,
  "delegation",
);

export const MsgUndelegateType = delegLikeType(
  "/cosmos.staking.v1beta1.MsgUndelegate",
  "cosmos-sdk/MsgUndelegate",
  MsgUndelegate,
  "shares",
);

export const MsgBeginRedelegateType: MsgType<MsgBeginRedelegate> = {
  typeUrl: "/cosmos.staking.v1beta1.MsgBeginRedelegate",
  module: MODULE_NAME,
  decode: (b) => MsgBeginRedelegate.decode(b),
  encode: (m) => MsgBeginRedelegate.encode(m).finish(),
  signers: (m) => [accAddr(m.delegatorAddress, "delegator")],
  validateBasic: (m) => {
    accAddr(m.delegatorAddress, "delegator");
    valAddr(m.validatorSrcAddress, "source validator");
    valAddr(m.validatorDstAddress, "destination validator");
    positiveCoin(m.amount, "shares");
  },
  toJson: (m) => ({
    delegator_address: m.delegatorAddress,
    validator_src_address: m.validatorSrcAddress,
    validator_dst_address: m.validatorDstAddress,
    amount: coinJson(m.amount),
  }),
  toAmino: (m) => ({
    type: "cosmos-sdk/MsgBeginRedelegate",
    value: {
      delegator_address: m.delegatorAddress,
      validator_src_address: m.validatorSrcAddress,
      validator_dst_address: m.validatorDstAddress,
      amount: coinJson(m.amount),
    },
  }),
};

export const MsgCancelUnbondingDelegationType: MsgType<MsgCancelUnbondingDelegation> = {
  typeUrl: "/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation",
  module: MODULE_NAME,
  decode: (b) => MsgCancelUnbondingDelegation.decode(b),
  encode: (m) => MsgCancelUnbondingDelegation.encode(m).finish(),
  signers: (m) => [accAddr(m.delegatorAddress, "delegator")],
  validateBasic: (m) => {
    validateDelegLike(m, "amount");
    if (m.creationHeight <= 0n) throw new ChainError(SdkErrors.InvalidRequest, "invalid height");
  },
  toJson: (m) => ({
    delegator_address: m.delegatorAddress,
    validator_address: m.validatorAddress,
    amount: coinJson(m.amount),
    creation_height: m.creationHeight.toString(),
  }),
};
