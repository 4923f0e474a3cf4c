// Store layout of the slashing module. Prefix bytes follow cosmos-sdk v0.50 x/slashing/types/keys.go
// (ParamsKey 0x00, ValidatorSigningInfoKeyPrefix 0x01, ValidatorMissedBlockBitmapKeyPrefix 0x02).
import { concatBytes, u64be, utf8 } from "../../../util/bytes.js";

export const MODULE_NAME = "slashing";
export const STORE_PREFIX = utf8.encode("slashing/");

export const PARAMS_KEY = Uint8Array.of(0x00);
/** 0x01 | len | consensus address -> signing info. */
export const SIGNING_INFO_PREFIX = Uint8Array.of(0x01);
/** 0x02 | len | consensus address | u64 index -> 0x01 when that block of the window was missed. */
export const MISSED_PREFIX = Uint8Array.of(0x02);

const lp = (a: Uint8Array): Uint8Array => concatBytes(Uint8Array.of(a.length), a);
export const signingInfoKey = (cons: Uint8Array): Uint8Array => concatBytes(SIGNING_INFO_PREFIX, lp(cons));
export const missedPrefix = (cons: Uint8Array): Uint8Array => concatBytes(MISSED_PREFIX, lp(cons));
export const missedKey = (cons: Uint8Array, i: bigint): Uint8Array =>
  concatBytes(missedPrefix(cons), u64be(i));
