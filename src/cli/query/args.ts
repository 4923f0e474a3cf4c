// Checks of `shroud query` arguments before anything is sent: bech32 addresses with the right prefix, unsigned
// integers, tx hashes, and the registration key argument (a 32-byte key, or a quote carrying one).
import { fromBech32 } from "../../chain/address.js";
import { fromBase64, fromHex, toHex, utf8 } from "../../util/bytes.js";
import { CliError } from "../common.js";

export const ACC_PREFIX = "secret";
export const VALOPER_PREFIX = "secretvaloper";
export const VALCONS_PREFIX = "secretvalcons";

/** A bech32 address with `prefix`; the error names the argument and what was wrong. */
export function bech32Arg(value: string, name: string, prefix: string): string {
  try {
    fromBech32(value, name, prefix);
  } catch {
    throw new CliError(`invalid ${name} ${JSON.stringify(value)}: expected a bech32 address ${prefix}1…`);
  }
  return value;
}

export const accountArg = (v: string, name = "address"): string => bech32Arg(v, name, ACC_PREFIX);
export const valoperArg = (v: string, name = "validator address"): string =>
  bech32Arg(v, name, VALOPER_PREFIX);

/** Decimal without sign, ≤ 2^64−1 (heights, proposal ids, pages). */
export function uintArg(value: string, name: string): string {
  if (!/^\d{1,20}$/.test(value) || BigInt(value) > 0xffff_ffff_ffff_ffffn) {
    throw new CliError(`invalid ${name} ${JSON.stringify(value)}: expected an unsigned integer`);
  }
  return BigInt(value).toString();
}

/** A tx hash: 64 hex characters (returned uppercase, as CometBFT prints them). */
export function hashArg(value: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(value)) {
    throw new CliError(`invalid tx hash ${JSON.stringify(value)}: expected 64 hex characters`);
  }
  return value.toUpperCase();
}

/** Software quote layout (enclave/attestation/quote.ts): "SWQT" ‖ version u16 ‖ measurement 32 ‖ report_data 64. */
const SWQT_MAGIC = utf8.encode("SWQT");
const SWQT_REPORT_DATA_OFFSET = 4 + 2 + 32;
/** SGX DCAP quote v3/v4: 48-byte header, then the ISV report body whose report_data starts at byte 320. */
const DCAP_REPORT_DATA_OFFSET = 48 + 320;

function decodeHexOrBase64(value: string): Uint8Array | undefined {
  const v = value.startsWith("0x") ? value.slice(2) : value;
  try {
    return /^[0-9a-fA-F]+$/.test(v) && v.length % 2 === 0 ? fromHex(v.toLowerCase(), "key") : fromBase64(v);
  } catch {
    return undefined;
  }
}

/**
 * The registration public key (32 bytes, hex) of `encrypted-seed`'s argument: the key itself (64 hex characters
 * or base64), or a registration quote/certificate whose report_data[0..32] is the key (spec secret-protocol §3.1).
 */
export function registrationKeyArg(value: string): string {
  const b = decodeHexOrBase64(value.trim());
  if (b === undefined) throw new CliError("invalid key or certificate: expected hex or base64");
  if (b.length === 32) return toHex(b);
  let at: number | undefined;
  if (b.length >= SWQT_REPORT_DATA_OFFSET + 32 && SWQT_MAGIC.every((x, i) => b[i] === x)) {
    at = SWQT_REPORT_DATA_OFFSET;
  } else if (b.length >= DCAP_REPORT_DATA_OFFSET + 32 && (b[0] === 3 || b[0] === 4) && b[1] === 0) {
    at = DCAP_REPORT_DATA_OFFSET;
  }
  if (at === undefined) {
    throw new CliError(
      `invalid key or certificate: ${b.length} bytes is neither a 32-byte key nor a known quote`,
    );
  }
  return toHex(b.subarray(at, at + 32));
}
