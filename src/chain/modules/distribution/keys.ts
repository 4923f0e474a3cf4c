// Store layout of the distribution module (the only keys its keeper touches). Prefix bytes follow cosmos-sdk
// v0.50 x/distribution/types/keys.go where a counterpart exists; 0x05/0x04 hold our per-share reward ratios.
import { concatBytes, utf8 } from "../../../util/bytes.js";

export const MODULE_NAME = "distribution";
export const STORE_PREFIX = utf8.encode("distribution/");

/** 0x00 -> fee pool (community pool DecCoins) (SDK FeePoolKey). */
export const FEE_POOL_KEY = Uint8Array.of(0x00);
/** 0x02 | len | operator -> outstanding rewards DecCoins (SDK ValidatorOutstandingRewardsPrefix). */
export const OUTSTANDING_PREFIX = Uint8Array.of(0x02);
/** 0x03 | len | delegator -> withdraw address (SDK DelegatorWithdrawAddrPrefix). */
export const WITHDRAW_ADDR_PREFIX = Uint8Array.of(0x03);
/** 0x04 | len | operator | len | delegator -> the delegation's starting reward-per-share ratio. */
export const DELEGATOR_START_PREFIX = Uint8Array.of(0x04);
/** 0x05 | len | operator -> cumulative reward per share (DecCoins). */
export const REWARD_RATIO_PREFIX = Uint8Array.of(0x05);
/** 0x06 | len | operator -> accumulated commission DecCoins (SDK ValidatorAccumulatedCommissionPrefix). */
export const COMMISSION_PREFIX = Uint8Array.of(0x06);
/** 0x09 -> params (SDK ParamsKey). */
export const PARAMS_KEY = Uint8Array.of(0x09);

const lp = (a: Uint8Array): Uint8Array => concatBytes(Uint8Array.of(a.length), a);

export const outstandingKey = (op: Uint8Array): Uint8Array => concatBytes(OUTSTANDING_PREFIX, lp(op));
export const withdrawAddrKey = (del: Uint8Array): Uint8Array => concatBytes(WITHDRAW_ADDR_PREFIX, lp(del));
export const startKey = (op: Uint8Array, del: Uint8Array): Uint8Array =>
  concatBytes(DELEGATOR_START_PREFIX, lp(op), lp(del));
export const ratioKey = (op: Uint8Array): Uint8Array => concatBytes(REWARD_RATIO_PREFIX, lp(op));
export const commissionKey = (op: Uint8Array): Uint8Array => concatBytes(COMMISSION_PREFIX, lp(op));
