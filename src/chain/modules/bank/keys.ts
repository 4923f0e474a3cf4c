// Store layout of the bank module (the only keys bank's keeper touches). Prefix bytes follow cosmos-sdk v0.50
// x/bank/types/keys.go (SupplyKey 0, DenomMetadataPrefix 1, BalancesPrefix 2, SendEnabledPrefix 4, ParamsKey 5).
import { concatBytes, utf8 } from "../../../util/bytes.js";

export const MODULE_NAME = "bank";
export const STORE_PREFIX = utf8.encode("bank/");

/** 0x00 | denom -> total supply (decimal string). */
export const SUPPLY_PREFIX = Uint8Array.of(0x00);
/** 0x01 | denom -> cosmos.bank.v1beta1.Metadata proto. */
export const DENOM_METADATA_PREFIX = Uint8Array.of(0x01);
/** 0x02 | len(addr) | addr | denom -> balance (decimal string); zero balances are deleted. */
export const BALANCES_PREFIX = Uint8Array.of(0x02);
/** 0x04 | denom -> 0x00/0x01 (per-denom send-enabled override). */
export const SEND_ENABLED_PREFIX = Uint8Array.of(0x04);
/** 0x05 -> Params proto (default_send_enabled). */
export const PARAMS_KEY = Uint8Array.of(0x05);

export function supplyKey(denom: string): Uint8Array {
  return concatBytes(SUPPLY_PREFIX, utf8.encode(denom));
}

export function denomMetadataKey(denom: string): Uint8Array {
  return concatBytes(DENOM_METADATA_PREFIX, utf8.encode(denom));
}

/** Balance key prefix of one account: 0x02 | len | addr (address length-prefixed, as SDK collections do). */
export function accountBalancesPrefix(addr: Uint8Array): Uint8Array {
  if (addr.length > 255) throw new RangeError("address longer than 255 bytes");
  return concatBytes(BALANCES_PREFIX, Uint8Array.of(addr.length), addr);
}

/**
 * 0x02 | len | addr | denom in one allocation: every send builds ~8 of these (fee and message, CheckTx and
 * FinalizeBlock). An ASCII denom (every SDK-valid one) is written byte by byte; anything else goes through UTF-8.
 */
export function balanceKey(addr: Uint8Array, denom: string): Uint8Array {
  return storeBalanceKey(EMPTY, addr, denom);
}

const EMPTY = new Uint8Array(0);

/**
 * `storePrefix` | balanceKey(addr, denom) in one allocation: the keeper reads and writes balances on the chain
 * store directly with it instead of through a PrefixStore, which would allocate the key a second time.
 */
export function storeBalanceKey(storePrefix: Uint8Array, addr: Uint8Array, denom: string): Uint8Array {
  if (addr.length > 255) throw new RangeError("address longer than 255 bytes");
  const p = storePrefix.length;
  const head = p + 2 + addr.length;
  let ascii = true;
  for (let i = 0; i < denom.length && ascii; i++) ascii = denom.charCodeAt(i) < 0x80;
  const tail = ascii ? undefined : utf8.encode(denom);
  const out = new Uint8Array(head + (tail?.length ?? denom.length));
  out.set(storePrefix);
  out[p] = BALANCES_PREFIX[0]!;
  out[p + 1] = addr.length;
  out.set(addr, p + 2);
  if (tail !== undefined) out.set(tail, head);
  else for (let i = 0; i < denom.length; i++) out[head + i] = denom.charCodeAt(i);
  return out;
}

export function sendEnabledKey(denom: string): Uint8Array {
  return concatBytes(SEND_ENABLED_PREFIX, utf8.encode(denom));
}
