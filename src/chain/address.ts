// Account addresses: bech32 "secret…" strings <-> canonical bytes, and the two derivations the chain needs
// (secp256k1 pubkey -> address, module name -> module address). Pure functions, no state.
import { bech32 } from "@scure/base";
import { sha256 } from "@noble/hashes/sha2.js";
import { ripemd160 } from "@noble/hashes/legacy.js";
import { ChainError, SdkErrors } from "./errors.js";

/** Secret Network's account prefix (spec secretjs-compat §2: bech32 prefix `secret`). */
export const BECH32_PREFIX = "secret";
/** Canonical address length for accounts and contracts (spec secret-protocol §10: 20-byte addresses). */
export const ADDRESS_LENGTH = 20;
/** cosmos-sdk types/address.go MaxAddrLen: the longest address the SDK accepts. */
export const MAX_ADDRESS_LENGTH = 255;
/** Bech32 strings longer than this are rejected before decoding (BIP-173 allows 90; SDK lifts it to 1023). */
const MAX_BECH32_LENGTH = 1023;

/**
 * Memo of both directions of bech32 (pure functions; the checksum is a JS loop and a tx converts the same
 * few addresses a dozen times: signers, fee payer, events). Bounded: cleared whole when full.
 */
const MEMO_MAX = 4096;
const toMemo = new Map<string, string>();
const fromMemo = new Map<string, Uint8Array>();
/** fromBech32's memo of the default prefix, keyed by the bech32 string alone. */
const fromMemoSecret = new Map<string, Uint8Array>();

function remember<V>(memo: Map<string, V>, key: string, value: V): V {
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(key, value);
  return value;
}

// latin1Slice straight on the bytes: the memo key without a Buffer view per call (a tx encodes ~24 addresses).
// (A table keyed by a JS hash of the bytes was tried: no faster than this string key, and unlike V8's seeded
// string hash, a fixed hash lets chosen addresses pile up in one slot.)
const latin1Slice = (
  Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }
).latin1Slice;
/** The memo of the default prefix, keyed by the address bytes alone (no prefix string to concatenate). */
const toMemoSecret = new Map<string, string>();

/** Encodes canonical bytes as bech32 with `prefix` (default "secret"). */
export function toBech32(addr: Uint8Array, prefix = BECH32_PREFIX): string {
  if (addr.length > MAX_ADDRESS_LENGTH) return bech32.encode(prefix, bech32.toWords(addr), false);
  const bytes = latin1Slice.call(addr, 0, addr.length);
  const [memo, id] = prefix === BECH32_PREFIX ? [toMemoSecret, bytes] : [toMemo, `${prefix}\0${bytes}`];
  return memo.get(id) ?? remember(memo, id, bech32.encode(prefix, bech32.toWords(addr), false));
}

/**
 * Decodes a bech32 account address, requiring `prefix` and 1..255 bytes (SDK VerifyAddressFormat).
 * Throws ChainError(sdk 7 invalid address) naming `field`.
 */
export function fromBech32(s: string, field = "address", prefix = BECH32_PREFIX): Uint8Array {
  // Only valid addresses are remembered (errors name `field`); callers get their own copy. The default prefix's
  // memo is keyed by the string itself (no concatenated key to build and hash per call).
  const memo = prefix === BECH32_PREFIX ? fromMemoSecret : fromMemo;
  const id = prefix === BECH32_PREFIX ? s : `${prefix}\0${s}`;
  const hit = typeof s === "string" ? memo.get(id) : undefined;
  if (hit !== undefined) return hit.slice();
  return remember(memo, id, decodeBech32(s, field, prefix)).slice();
}

function decodeBech32(s: string, field: string, prefix: string): Uint8Array {
  if (typeof s !== "string" || s.length === 0) {
    throw new ChainError(SdkErrors.InvalidAddress, `empty address string is not allowed (${field})`);
  }
  if (s.length > MAX_BECH32_LENGTH) throw new ChainError(SdkErrors.InvalidAddress, `${field} too long`);
  let decoded;
  try {
    decoded = bech32.decode(s, MAX_BECH32_LENGTH);
  } catch {
    throw new ChainError(SdkErrors.InvalidAddress, `invalid bech32 ${field}: ${s}`);
  }
  if (decoded.prefix !== prefix) {
    throw new ChainError(
      SdkErrors.InvalidAddress,
      `invalid Bech32 prefix; expected ${prefix}, got ${decoded.prefix}`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = bech32.fromWords(decoded.words);
  } catch {
    throw new ChainError(SdkErrors.InvalidAddress, `invalid bech32 padding in ${field}`);
  }
  assertAddressBytes(bytes, field);
  return bytes;
}

/** Canonical address length check (SDK VerifyAddressFormat: non-empty, at most 255 bytes). */
export function assertAddressBytes(addr: Uint8Array, field = "address"): Uint8Array {
  if (addr.length === 0)
    throw new ChainError(SdkErrors.InvalidAddress, `${field}: addresses cannot be empty`);
  if (addr.length > MAX_ADDRESS_LENGTH) {
    throw new ChainError(SdkErrors.InvalidAddress, `${field}: address max length is ${MAX_ADDRESS_LENGTH}`);
  }
  return addr;
}

const pubkeyAddresses = new Map<string, Uint8Array>();

/** Tendermint/Cosmos secp256k1 address: RIPEMD160(SHA256(compressed 33-byte pubkey)). A fresh copy. */
export function secp256k1PubkeyToAddress(compressedPubkey: Uint8Array): Uint8Array {
  return pubkeyAddressShared(compressedPubkey).slice();
}

/**
 * Whether `addr` is the address of `compressedPubkey` (ante's SetPubKey check): the same answer as comparing
 * with secp256k1PubkeyToAddress, without its copy.
 */
export function isSecp256k1PubkeyAddress(compressedPubkey: Uint8Array, addr: Uint8Array): boolean {
  const a = pubkeyAddressShared(compressedPubkey);
  if (a.length !== addr.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== addr[i]) return false;
  return true;
}

/** The remembered address of a key (shared: never handed out without a copy), keyed by the key's latin1. */
function pubkeyAddressShared(compressedPubkey: Uint8Array): Uint8Array {
  if (compressedPubkey.length > 65) return ripemd160(sha256(compressedPubkey));
  const key = latin1Slice.call(compressedPubkey, 0, compressedPubkey.length);
  const hit = pubkeyAddresses.get(key);
  if (hit !== undefined) return hit;
  return remember(pubkeyAddresses, key, ripemd160(sha256(compressedPubkey)));
}

const moduleAddresses = new Map<string, Uint8Array>();

/** cosmos-sdk authtypes.NewModuleAddress: SHA256(module name)[:20] (crypto.AddressHash). A fresh copy. */
export function moduleAddress(name: string): Uint8Array {
  return moduleAddressShared(name).slice();
}

/**
 * moduleAddress without the copy, for callers that only read it (the auth keeper's store key for a module
 * account: ante's fee deduction looks up `fee_collector` twice per tx). Never write to it.
 */
export function moduleAddressShared(name: string): Uint8Array {
  let a = moduleAddresses.get(name);
  if (a === undefined) {
    a = sha256(new TextEncoder().encode(name)).slice(0, ADDRESS_LENGTH);
    if (moduleAddresses.size < MEMO_MAX) moduleAddresses.set(name, a);
  }
  return a;
}
