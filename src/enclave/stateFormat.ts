// Byte formats of encrypted contract state (spec secret-protocol §6.3; SN contract-engine/src/db.rs, wasm3/mod.rs):
// state keys, encrypted key names, new/old store keys, salts, stored values, and the flush shuffle.
import { AD_NONE, AesSivAuthError, aesSivDecrypt, aesSivEncrypt } from "./crypto/aesSiv.js";
import { sha256, zeroize } from "./crypto/hash.js";
import { sha256Js } from "./crypto/sha256Js.js";
import { deriveFromKey } from "./crypto/kdf.js";
import { EnclaveError } from "./errors.js";
import type { EnclaveKeys } from "./keys.js";
import { abytes, concatBytes, u64be, utf8 } from "../util/bytes.js";

/** SN crypto/src/consts.rs: ENCRYPTED_KEY_MAGIC_BYTES, CONSENSUS_SEED_VERSION, STATE_ENCRYPTION_VERSION. */
export const ENCRYPTED_KEY_MAGIC = utf8.encode("secret");
export const CONSENSUS_SEED_VERSION = 2;
export const STATE_ENCRYPTION_VERSION = 3;
/** Key names are always encrypted with seed #2's ikm (spec §6.3, §3.6). */
export const KEY_NAME_SEED_ID = 2;
/** SN utils/src/kv_cache.rs: pseudo gas charged per written value byte, refunded at flush. */
export const PSEUDO_GAS_STORE_PER_BYTE = 5000n;
export const SALT_LENGTH = 24;
const OLD_AD_LENGTH = 32;
export const CONTRACT_KEY_LENGTH = 64;
/** AES-SIV's synthetic IV, in front of every ciphertext. */
const SIV_TAG_LENGTH = 16;

/** Writes bincode2's u64le length at `at`; returns the offset after it. */
function putLength(out: Uint8Array, at: number, length: number): number {
  let n = length; // lengths are far below 2^53: low 32 bits then high bits
  for (let i = 0; i < 8; i++) {
    out[at + i] = n % 256;
    n = Math.floor(n / 256);
  }
  return at + 8;
}

/** Writes bincode2 `Vec<u8>` (u64le(len) ‖ bytes) at `at`; returns the end offset. */
function putVec(out: Uint8Array, at: number, b: Uint8Array): number {
  const start = putLength(out, at, b.length);
  out.set(b, start);
  return start + b.length;
}

/** Concatenated bincode2 `Vec<u8>`s, plus optional raw trailing bytes, in one allocation. */
function bincodeVecs(vecs: readonly Uint8Array[], prefix?: Uint8Array, trailer?: Uint8Array): Uint8Array {
  let len = (prefix?.length ?? 0) + (trailer?.length ?? 0);
  for (const v of vecs) len += 8 + v.length;
  const out = new Uint8Array(len);
  let at = 0;
  if (prefix) {
    out.set(prefix);
    at = prefix.length;
  }
  for (const v of vecs) at = putVec(out, at, v);
  if (trailer) out.set(trailer, at);
  return out;
}

/** `state_key_aes(seed_id)` = HKDF(ikm[seed_id-1] ‖ og_contract_key); bad ids → "failed to encrypt data". */
export function stateKeyAes(keys: EnclaveKeys, ogContractKey: Uint8Array, seedId: number): Uint8Array {
  if (seedId < 1 || seedId > keys.seedCount) throw new EnclaveError("EncryptionError");
  const ikm = keys.stateIkm(seedId - 1);
  const key = deriveFromKey(ikm, ogContractKey);
  zeroize(ikm);
  return key;
}

/** AES-SIV(state_key_aes(2), key, AD = zero strings): deterministic, so equal names map to equal keys. */
export function encryptKeyName(keys: EnclaveKeys, ogContractKey: Uint8Array, key: Uint8Array): Uint8Array {
  const k = stateKeyAes(keys, ogContractKey, KEY_NAME_SEED_ID);
  const out = aesSivEncrypt(k, key, AD_NONE);
  zeroize(k);
  return out;
}

/** bincode2 `EncryptedKey{magic "secret", seed version u16 2, state version u32 3, data}`. */
export function storeKeyNew(encKeyName: Uint8Array): Uint8Array {
  return bincodeVecs([encKeyName], STORE_KEY_HEADER);
}

/** The constant head of every new-format store key: bincode2 magic vec, u16le seed version, u32le state version. */
const STORE_KEY_HEADER = ((): Uint8Array => {
  const ver = new Uint8Array(6);
  const dv = new DataView(ver.buffer);
  dv.setUint16(0, CONSENSUS_SEED_VERSION, true);
  dv.setUint32(2, STATE_ENCRYPTION_VERSION, true);
  return concatBytes(bincodeVecs([ENCRYPTED_KEY_MAGIC]), ver);
})();

/** Old format store key: sha256(plaintext_key ‖ contract_key) (JS SHA-256: no native call for ~100 bytes). */
export function storeKeyOld(key: Uint8Array, ogContractKey: Uint8Array): Uint8Array {
  return sha256Js(key, ogContractKey);
}

/** The salt is built here (public numbers), then copied out. */
const SALT_SCRATCH = new DataView(new ArrayBuffer(SALT_LENGTH));
const SALT_SCRATCH_BYTES = new Uint8Array(SALT_SCRATCH.buffer);

/** `get_encryption_salt`: u64_be(block_time_ns) ‖ u64_be(counter.height) ‖ u64_be(counter.counter). */
export function encryptionSalt(blockTimeNs: bigint, height: bigint, counter: bigint): Uint8Array {
  const out = new Uint8Array(SALT_LENGTH);
  // Through a scratch: a DataView over `out` would move it off V8's heap (one malloc and copy per call).
  SALT_SCRATCH.setBigUint64(0, BigInt.asUintN(64, blockTimeNs), false);
  SALT_SCRATCH.setBigUint64(8, BigInt.asUintN(64, height), false);
  SALT_SCRATCH.setBigUint64(16, BigInt.asUintN(64, counter), false);
  out.set(SALT_SCRATCH_BYTES);
  return out;
}

/** A parsed stored value: bincode2 `EncryptedValue{salt, data}` then an optional u16le seed id (default 2). */
export interface ParsedValue {
  readonly salt: Uint8Array;
  readonly data: Uint8Array;
  readonly seedId: number;
}

function readVec(b: Uint8Array, at: number): { v: Uint8Array; next: number } {
  if (b.length - at < 8) throw new EnclaveError("DecryptionError");
  const len = new DataView(b.buffer, b.byteOffset + at, 8).getBigUint64(0, true);
  if (len > BigInt(b.length - at - 8)) throw new EnclaveError("DecryptionError");
  const start = at + 8;
  const end = start + Number(len);
  return { v: b.slice(start, end), next: end };
}

/** Parses a stored value; malformed input is "failed to decrypt data" (as SN maps bincode errors). */
export function parseStoredValue(bytes: Uint8Array): ParsedValue {
  abytes(bytes, undefined, "stored value");
  const salt = readVec(bytes, 0);
  const data = readVec(bytes, salt.next);
  let seedId = KEY_NAME_SEED_ID;
  if (data.next !== bytes.length) {
    if (bytes.length - data.next < 2) throw new EnclaveError("DecryptionError");
    seedId = bytes[data.next]! | (bytes[data.next + 1]! << 8);
  }
  return { salt: salt.v, data: data.v, seedId };
}

/**
 * The stored form of a value of `valueLength` bytes with its ciphertext still to be written at `ctAt`
 * (tag ‖ ct, 16 + valueLength bytes): bincode2 `{salt, ct}`, then u16le(seed count) only with > 2 seeds.
 * Lets a caller seal straight into it (as `storedValueBytes`, without an intermediate ciphertext array).
 */
export function storedValueLayout(
  salt: Uint8Array,
  valueLength: number,
  seedCount: number,
): { readonly bytes: Uint8Array; readonly ctAt: number } {
  abytes(salt, SALT_LENGTH, "encryption salt");
  const ctLength = SIV_TAG_LENGTH + valueLength;
  const trailer = seedCount <= 2 ? 0 : 2;
  const bytes = new Uint8Array(8 + salt.length + 8 + ctLength + trailer);
  putVec(bytes, 0, salt);
  const ctAt = putLength(bytes, 8 + salt.length, ctLength);
  if (trailer) {
    bytes[ctAt + ctLength] = seedCount & 0xff;
    bytes[ctAt + ctLength + 1] = (seedCount >> 8) & 0xff;
  }
  return { bytes, ctAt };
}

/** The stored form of a sealed value: bincode2 `{salt, ct}`, then u16le(seed id) only with > 2 seeds. */
export function storedValueBytes(salt: Uint8Array, ct: Uint8Array, seedCount: number): Uint8Array {
  if (seedCount <= 2) return bincodeVecs([salt, ct]);
  return bincodeVecs([salt, ct], undefined, new Uint8Array([seedCount & 0xff, (seedCount >> 8) & 0xff]));
}

/** Encrypts a value: SIV(state_key_aes(last), value, AD = [enc_key, salt]); the seed trailer only with > 2 seeds. */
export function encryptValue(
  keys: EnclaveKeys,
  ogContractKey: Uint8Array,
  encKeyName: Uint8Array,
  value: Uint8Array,
  salt: Uint8Array,
): Uint8Array {
  abytes(salt, SALT_LENGTH, "encryption salt");
  const k = stateKeyAes(keys, ogContractKey, keys.seedCount);
  const ct = aesSivEncrypt(k, value, [encKeyName, salt]);
  zeroize(k);
  return storedValueBytes(salt, ct, keys.seedCount);
}

/** Opens; a bad tag is "failed to decrypt data". */
export function sivOpen(open: () => Uint8Array): Uint8Array {
  try {
    return open();
  } catch (e) {
    if (e instanceof AesSivAuthError) throw new EnclaveError("DecryptionError");
    throw e;
  }
}

/** Opens with a one-off raw key, zeroized afterwards. */
function sivOpenRaw(key: Uint8Array, ct: Uint8Array, ad: readonly Uint8Array[]): Uint8Array {
  try {
    return sivOpen(() => aesSivDecrypt(key, ct, ad));
  } finally {
    zeroize(key);
  }
}

/** Decrypts a new-format stored value for `encKeyName`. */
export function decryptValue(
  keys: EnclaveKeys,
  ogContractKey: Uint8Array,
  encKeyName: Uint8Array,
  stored: Uint8Array,
): Uint8Array {
  const p = parseStoredValue(stored);
  return sivOpenRaw(stateKeyAes(keys, ogContractKey, p.seedId), p.data, [encKeyName, p.salt]);
}

/** Old format value: ad(32) ‖ SIV(HKDF(ikm[0] ‖ store_key ‖ contract_key), value, AD = [ad]). */
export function decryptValueOld(
  keys: EnclaveKeys,
  ogContractKey: Uint8Array,
  oldStoreKey: Uint8Array,
  stored: Uint8Array,
): Uint8Array {
  if (stored.length < OLD_AD_LENGTH) throw new EnclaveError("DecryptionError");
  const ikm0 = keys.stateIkm(0);
  const key = deriveFromKey(ikm0, concatBytes(oldStoreKey, ogContractKey));
  zeroize(ikm0);
  return sivOpenRaw(key, stored.subarray(OLD_AD_LENGTH), [stored.subarray(0, OLD_AD_LENGTH)]);
}

/**
 * Deterministic Fisher–Yates over a SHA-256 counter stream seeded by sha256(block random). Secret uses
 * sgx_rand's StdRng here; the permutation differs but only the host-visible write order depends on it
 * (the resulting state and app hash do not).
 */
export function shuffleDeterministic<T>(items: T[], random: Uint8Array): T[] {
  const seed = sha256(random);
  let ctr = 0n;
  let pool: number[] = [];
  const next32 = (): number => {
    if (pool.length === 0) {
      const block = sha256(seed, u64be(ctr++));
      const dv = new DataView(block.buffer, block.byteOffset, block.byteLength);
      pool = Array.from({ length: 8 }, (_, i) => dv.getUint32(i * 4, false));
    }
    return pool.pop()!;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const bound = i + 1;
    const limit = 0x1_0000_0000 - (0x1_0000_0000 % bound); // rejection sampling: no modulo bias
    let r = next32();
    while (r >= limit) r = next32();
    const j = r % bound;
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}
