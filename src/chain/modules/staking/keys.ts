// Store layout of the staking module (the only keys the staking keeper touches). Prefix bytes follow cosmos-sdk
// v0.50 x/staking/types/keys.go where a counterpart exists; addresses are length-prefixed as SDK collections do.
import { concatBytes, u64be, utf8 } from "../../../util/bytes.js";

export const MODULE_NAME = "staking";
export const STORE_PREFIX = utf8.encode("staking/");
/** Module accounts (SDK types.BondedPoolName / NotBondedPoolName). */
export const BONDED_POOL_NAME = "bonded_tokens_pool";
export const NOT_BONDED_POOL_NAME = "not_bonded_tokens_pool";
/** bech32 prefixes of operator and consensus addresses on Secret Network. */
export const VALOPER_PREFIX = "secretvaloper";
export const VALCONS_PREFIX = "secretvalcons";

/** 0x11 | len | operator -> last bonded power (u64 BE) (SDK LastValidatorPowerKey). */
export const LAST_POWER_PREFIX = Uint8Array.of(0x11);
/** 0x12 -> last total power (u64 BE) (SDK LastTotalPowerKey). */
export const LAST_TOTAL_POWER_KEY = Uint8Array.of(0x12);
/** 0x21 | len | operator -> Validator record (SDK ValidatorsKey). */
export const VALIDATORS_PREFIX = Uint8Array.of(0x21);
/** 0x22 | len | consensus address -> operator (SDK ValidatorsByConsAddrKey). */
export const VALIDATORS_BY_CONS_PREFIX = Uint8Array.of(0x22);
/** 0x31 | len | delegator | len | validator -> Delegation (SDK DelegationKey). */
export const DELEGATIONS_PREFIX = Uint8Array.of(0x31);
/** 0x32 | len | delegator | len | validator -> UnbondingDelegation (SDK UnbondingDelegationKey). */
export const UNBONDING_PREFIX = Uint8Array.of(0x32);
/** 0x34 | len | delegator | len | src | len | dst -> Redelegation (SDK RedelegationKey). */
export const REDELEGATIONS_PREFIX = Uint8Array.of(0x34);
/** 0x41 | time(u64 BE ns) | len | delegator | len | validator -> "" (SDK UnbondingQueueKey). */
export const UNBONDING_QUEUE_PREFIX = Uint8Array.of(0x41);
/** 0x42 | time | len | delegator | len | src | len | dst -> "" (SDK RedelegationQueueKey). */
export const REDELEGATION_QUEUE_PREFIX = Uint8Array.of(0x42);
/** 0x43 | time | len | operator -> "" (SDK ValidatorQueueKey). */
export const VALIDATOR_QUEUE_PREFIX = Uint8Array.of(0x43);
/** 0x51 -> Params record (SDK ParamsKey). */
export const PARAMS_KEY = Uint8Array.of(0x51);

export function lp(addr: Uint8Array): Uint8Array {
  if (addr.length > 255) throw new RangeError("address longer than 255 bytes");
  return concatBytes(Uint8Array.of(addr.length), addr);
}

/** Splits `len | addr` parts off a key suffix. */
export function splitLp(b: Uint8Array, count: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  for (let n = 0; n < count; n++) {
    const len = b[i];
    if (len === undefined || i + 1 + len > b.length) throw new Error("corrupt staking key");
    out.push(b.slice(i + 1, i + 1 + len));
    i += 1 + len;
  }
  return out;
}

export const validatorKey = (op: Uint8Array): Uint8Array => concatBytes(VALIDATORS_PREFIX, lp(op));
export const validatorByConsKey = (cons: Uint8Array): Uint8Array =>
  concatBytes(VALIDATORS_BY_CONS_PREFIX, lp(cons));
export const lastPowerKey = (op: Uint8Array): Uint8Array => concatBytes(LAST_POWER_PREFIX, lp(op));
export const delegationKey = (del: Uint8Array, val: Uint8Array): Uint8Array =>
  concatBytes(DELEGATIONS_PREFIX, lp(del), lp(val));
export const unbondingKey = (del: Uint8Array, val: Uint8Array): Uint8Array =>
  concatBytes(UNBONDING_PREFIX, lp(del), lp(val));
export const redelegationKey = (del: Uint8Array, src: Uint8Array, dst: Uint8Array): Uint8Array =>
  concatBytes(REDELEGATIONS_PREFIX, lp(del), lp(src), lp(dst));
export const unbondingQueueKey = (timeNs: bigint, del: Uint8Array, val: Uint8Array): Uint8Array =>
  concatBytes(UNBONDING_QUEUE_PREFIX, u64be(timeNs), lp(del), lp(val));
export const redelegationQueueKey = (
  timeNs: bigint,
  del: Uint8Array,
  src: Uint8Array,
  dst: Uint8Array,
): Uint8Array => concatBytes(REDELEGATION_QUEUE_PREFIX, u64be(timeNs), lp(del), lp(src), lp(dst));
export const validatorQueueKey = (timeNs: bigint, op: Uint8Array): Uint8Array =>
  concatBytes(VALIDATOR_QUEUE_PREFIX, u64be(timeNs), lp(op));
