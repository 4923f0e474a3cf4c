// Store layout of the auth module (the only keys auth's keeper touches). Byte prefixes follow cosmos-sdk v0.50
// x/auth/types/keys.go (collections prefixes 0, 1, 2, 3) under the module's own store prefix.
import { concatBytes, u64be, utf8 } from "../../../util/bytes.js";

export const MODULE_NAME = "auth";
/** The fee collector module account (SDK authtypes.FeeCollectorName). */
export const FEE_COLLECTOR_NAME = "fee_collector";
/** Our single chain store is split by module prefix; auth's store key in the SDK is "acc". */
export const STORE_PREFIX = utf8.encode("acc/");

/** 0x00 -> Params proto. */
export const PARAMS_KEY = Uint8Array.of(0x00);
/** 0x01 | address -> Any(BaseAccount | ModuleAccount) proto. */
export const ACCOUNTS_PREFIX = Uint8Array.of(0x01);
/** 0x02 -> next account number, u64 big-endian. */
export const GLOBAL_ACCOUNT_NUMBER_KEY = Uint8Array.of(0x02);
/** 0x03 | u64be(account number) -> address (the SDK's account-number index). */
export const ACCOUNT_NUMBER_INDEX_PREFIX = Uint8Array.of(0x03);

export function accountKey(addr: Uint8Array): Uint8Array {
  return concatBytes(ACCOUNTS_PREFIX, addr);
}

/**
 * `storePrefix` | accountKey(addr) in one allocation: the keeper reads and writes accounts on the chain store
 * directly with it instead of through a PrefixStore, which would allocate the key a second time.
 */
export function storeAccountKey(storePrefix: Uint8Array, addr: Uint8Array): Uint8Array {
  const p = storePrefix.length;
  const out = new Uint8Array(p + 1 + addr.length);
  out.set(storePrefix);
  out[p] = ACCOUNTS_PREFIX[0]!;
  out.set(addr, p + 1);
  return out;
}

export function accountNumberIndexKey(n: bigint): Uint8Array {
  return concatBytes(ACCOUNT_NUMBER_INDEX_PREFIX, u64be(n));
}

/**
 * `storePrefix` | accountNumberIndexKey(n) in one allocation, the number written big-endian without u64be's
 * DataView (every setAccount — each ante sequence bump — writes this index entry). Wraps like u64be
 * (`BigInt.asUintN(64, n)`): the masks below take the low 64 bits in two's complement.
 */
export function storeAccountNumberIndexKey(storePrefix: Uint8Array, n: bigint): Uint8Array {
  const p = storePrefix.length;
  const out = new Uint8Array(p + 9);
  out.set(storePrefix);
  out[p] = ACCOUNT_NUMBER_INDEX_PREFIX[0]!;
  let lo = Number(n & 0xffffffffn);
  let hi = Number((n >> 32n) & 0xffffffffn);
  for (let i = p + 8; i > p + 4; i--) {
    out[i] = lo & 0xff;
    lo = lo >>> 8;
  }
  for (let i = p + 4; i > p; i--) {
    out[i] = hi & 0xff;
    hi = hi >>> 8;
  }
  return out;
}
