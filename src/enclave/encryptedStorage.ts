// A VM `Storage` that encrypts contract state (spec secret-protocol §6.3; SN contract-engine/src/db.rs,
// wasm3/mod.rs, utils/src/kv_cache.rs) over a plain OCALL-backed store. The VM never sees this.
import { AD_NONE, AesSivAuthError, AesSivKey, aesSivDecrypt, aesSivEncrypt } from "./crypto/aesSiv.js";
import { sha256, zeroize } from "./crypto/hash.js";
import { deriveFromKey } from "./crypto/kdf.js";
import { EnclaveError } from "./errors.js";
import type { EnclaveKeys } from "./keys.js";
import type { GasInfo, Storage } from "./vm/backend.js";
import { abytes, concatBytes, toHex, u64be, utf8 } from "../util/bytes.js";

/** The host's plain contract store (already prefixed `0x03 ‖ contract_addr` by the host). Gas per call. */
export interface PlainStore {
  read(key: Uint8Array): { value: Uint8Array | undefined; gas: bigint };
  write(key: Uint8Array, value: Uint8Array): { gas: bigint };
  remove(key: Uint8Array): { gas: bigint };
}

/** SN crypto/src/consts.rs: ENCRYPTED_KEY_MAGIC_BYTES, CONSENSUS_SEED_VERSION, STATE_ENCRYPTION_VERSION. */
export const ENCRYPTED_KEY_MAGIC = utf8.encode("secret");
export const CONSENSUS_SEED_VERSION = 2;
export const STATE_ENCRYPTION_VERSION = 3;
/** Key names are always encrypted with seed #2's ikm (spec §6.3, §3.6). */
export const KEY_NAME_SEED_ID = 2;
/** SN utils/src/kv_cache.rs: pseudo gas charged per written value byte, refunded at flush. */
export const PSEUDO_GAS_STORE_PER_BYTE = 5000n;
const SALT_LENGTH = 24;
const OLD_AD_LENGTH = 32;
const CONTRACT_KEY_LENGTH = 64;

export interface EncryptedStorageParams {
  readonly keys: EnclaveKeys;
  /** State is always keyed by the og contract key, even after migrations (spec §6.2). */
  readonly ogContractKey: Uint8Array;
  readonly blockTimeNs: bigint;
  /** MSG_COUNTER: (height, contract messages so far in this block). */
  readonly msgCounter: { readonly height: bigint; readonly counter: bigint };
  /** False for queries: set/remove then fail with "contract tried to write to storage during a query". */
  readonly writable: boolean;
}

/** Writes bincode2 `Vec<u8>` (u64le(len) ‖ bytes) at `at`; returns the end offset. */
function putVec(out: Uint8Array, at: number, b: Uint8Array): number {
  let n = b.length; // lengths are far below 2^53: low 32 bits then high bits
  for (let i = 0; i < 8; i++) {
    out[at + i] = n % 256;
    n = Math.floor(n / 256);
  }
  out.set(b, at + 8);
  return at + 8 + b.length;
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

/** Contracts whose state keys stay ready across calls (cipher contexts only; no raw key bytes are kept). */
const SIV_KEY_CACHE_ENTRIES = 256;
/** Per keychain, so keys of different enclaves (tests) never mix; an LRU by seed id and og contract key. */
const sivKeyCache = new WeakMap<EnclaveKeys, Map<string, AesSivKey>>();

/**
 * `state_key_aes(seedId)` of a contract as a ready `AesSivKey`, derived once and kept (bounded LRU): HKDF was ~28%
 * of an encrypted SNIP-20 transfer when every read and write derived it again, and cipher setup ~12% when every
 * SIV built new contexts. The derived bytes are zeroized as soon as the contexts exist.
 */
function stateSivKey(keys: EnclaveKeys, ogContractKey: Uint8Array, seedId: number): AesSivKey {
  let byKey = sivKeyCache.get(keys);
  if (!byKey) {
    byKey = new Map();
    sivKeyCache.set(keys, byKey);
  }
  const id = `${seedId}:${toHex(ogContractKey)}`;
  let k = byKey.get(id);
  if (k) {
    byKey.delete(id); // most recently used last
  } else {
    const raw = stateKeyAes(keys, ogContractKey, seedId);
    k = new AesSivKey(raw);
    zeroize(raw);
    if (byKey.size >= SIV_KEY_CACHE_ENTRIES) byKey.delete(byKey.keys().next().value!);
  }
  byKey.set(id, k);
  return k;
}

/**
 * The state keys one contract call uses, looked up once per seed id, and the CMACs of the AD strings it meets
 * again and again (a key name is read then written; values written together share one salt): S2V's AD inputs.
 */
class StateKeyCache {
  private readonly byseed = new Map<number, AesSivKey>();
  private readonly macs = new Map<string, Uint8Array>();
  constructor(
    private readonly keys: EnclaveKeys,
    private readonly ogContractKey: Uint8Array,
  ) {}
  get(seedId: number): AesSivKey {
    let k = this.byseed.get(seedId);
    if (!k) {
      k = stateSivKey(this.keys, this.ogContractKey, seedId);
      this.byseed.set(seedId, k);
    }
    return k;
  }
  /** `get(seedId).adMac(ad)`, memoized for this call by seed id and AD bytes. */
  adMac(seedId: number, ad: Uint8Array): Uint8Array {
    const id = `${seedId}:${toHex(ad)}`;
    let m = this.macs.get(id);
    if (!m) {
      m = this.get(seedId).adMac(ad);
      this.macs.set(id, m);
    }
    return m;
  }
  clear(): void {
    this.byseed.clear();
    this.macs.clear();
  }
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

/** Old format store key: sha256(plaintext_key ‖ contract_key). */
export function storeKeyOld(key: Uint8Array, ogContractKey: Uint8Array): Uint8Array {
  return sha256(key, ogContractKey);
}

/** `get_encryption_salt`: u64_be(block_time_ns) ‖ u64_be(counter.height) ‖ u64_be(counter.counter). */
export function encryptionSalt(blockTimeNs: bigint, height: bigint, counter: bigint): Uint8Array {
  return concatBytes(u64be(blockTimeNs), u64be(height), u64be(counter));
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

/** Encrypts a value: SIV(state_key_aes(last), value, AD = [enc_key, salt]); the seed trailer only with > 2 seeds. */
export function encryptValue(
  keys: EnclaveKeys,
  ogContractKey: Uint8Array,
  encKeyName: Uint8Array,
  value: Uint8Array,
  salt: Uint8Array,
  cache?: StateKeyCache,
): Uint8Array {
  abytes(salt, SALT_LENGTH, "encryption salt");
  let ct: Uint8Array;
  if (cache) {
    const seed = keys.seedCount;
    ct = cache.get(seed).encryptMacs(value, [cache.adMac(seed, encKeyName), cache.adMac(seed, salt)]);
  } else {
    const k = stateKeyAes(keys, ogContractKey, keys.seedCount);
    ct = aesSivEncrypt(k, value, [encKeyName, salt]);
    zeroize(k);
  }
  if (keys.seedCount <= 2) return bincodeVecs([salt, ct]);
  const trailer = new Uint8Array([keys.seedCount & 0xff, (keys.seedCount >> 8) & 0xff]);
  return bincodeVecs([salt, ct], undefined, trailer);
}

/** Opens; a bad tag is "failed to decrypt data". */
function sivOpen(open: () => Uint8Array): Uint8Array {
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
  cache?: StateKeyCache,
): Uint8Array {
  const p = parseStoredValue(stored);
  if (cache && (p.seedId < 1 || p.seedId > keys.seedCount)) throw new EnclaveError("EncryptionError");
  if (!cache) return sivOpenRaw(stateKeyAes(keys, ogContractKey, p.seedId), p.data, [encKeyName, p.salt]);
  const k = cache.get(p.seedId);
  const macs = [cache.adMac(p.seedId, encKeyName), cache.adMac(p.seedId, p.salt)];
  return sivOpen(() => k.decryptMacs(p.data, macs));
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

const gas = (cost: bigint): GasInfo => ({ cost });

/** The encrypted Storage for one contract call. Call `flush()` once at the end of a successful call. */
export class EncryptedStorage implements Storage {
  private readonly writeCache = new Map<string, { key: Uint8Array; value: Uint8Array }>();
  private readonly readCache = new Map<string, Uint8Array>();
  /** Encrypted key names by plaintext key (hex): a read then a write of the same key encrypts the name once. */
  private readonly nameCache = new Map<string, Uint8Array>();
  private readonly stateKeys: StateKeyCache;
  private pseudoGas = 0n;
  private readonly salt: Uint8Array;

  constructor(
    private readonly store: PlainStore,
    private readonly p: EncryptedStorageParams,
  ) {
    abytes(p.ogContractKey, CONTRACT_KEY_LENGTH, "og contract key");
    this.salt = encryptionSalt(p.blockTimeNs, p.msgCounter.height, p.msgCounter.counter);
    this.stateKeys = new StateKeyCache(p.keys, p.ogContractKey);
  }

  private encName(id: string, key: Uint8Array): Uint8Array {
    let name = this.nameCache.get(id);
    if (!name) {
      name = this.stateKeys.get(KEY_NAME_SEED_ID).encrypt(key, AD_NONE);
      this.nameCache.set(id, name);
    }
    return name;
  }

  get(key: Uint8Array): { value: Uint8Array | undefined; gas: GasInfo } {
    abytes(key, undefined, "storage key");
    const id = toHex(key);
    const cached = this.writeCache.get(id)?.value ?? this.readCache.get(id);
    if (cached !== undefined) return { value: cached.slice(), gas: gas(0n) };
    const { keys, ogContractKey } = this.p;
    const encName = this.encName(id, key);
    const first = this.store.read(storeKeyNew(encName));
    if (first.value !== undefined) {
      const value = decryptValue(keys, ogContractKey, encName, first.value, this.stateKeys);
      this.readCache.set(id, value);
      return { value: value.slice(), gas: gas(first.gas) };
    }
    const oldKey = storeKeyOld(key, ogContractKey);
    const second = this.store.read(oldKey);
    let cost = first.gas + second.gas;
    if (second.value === undefined) return { value: undefined, gas: gas(cost) };
    const value = decryptValueOld(keys, ogContractKey, oldKey, second.value);
    this.readCache.set(id, value);
    // Upgrade to the new format right away when this call may write (SN db.rs read_from_encrypted_state).
    if (this.p.writable) cost += this.writeEncrypted(key, value);
    return { value: value.slice(), gas: gas(cost) };
  }

  set(key: Uint8Array, value: Uint8Array): { gas: GasInfo } {
    this.assertWritable();
    abytes(key, undefined, "storage key");
    abytes(value, undefined, "storage value");
    const cost = PSEUDO_GAS_STORE_PER_BYTE * BigInt(value.length);
    this.pseudoGas += cost;
    this.writeCache.set(toHex(key), { key: key.slice(), value: value.slice() });
    return { gas: gas(cost) };
  }

  remove(key: Uint8Array): { gas: GasInfo } {
    this.assertWritable();
    abytes(key, undefined, "storage key");
    const id = toHex(key);
    this.writeCache.delete(id);
    this.readCache.delete(id);
    const { ogContractKey } = this.p;
    const a = this.store.remove(storeKeyOld(key, ogContractKey));
    const b = this.store.remove(storeKeyNew(this.encName(id, key)));
    return { gas: gas(a.gas + b.gas) };
  }

  /**
   * Writes the buffered values (sorted by plaintext key, then shuffled when `random` is given) and clears
   * the caches. `refund` is the pseudo gas charged by `set` that the caller refunds (SN flush_cache);
   * `gas` is what the plain store reported.
   */
  flush(random?: Uint8Array): { refund: bigint; gas: bigint } {
    const entries = [...this.writeCache.entries()].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    const writes = entries.map(([, e]) => this.encryptForWrite(e.key, e.value));
    if (random !== undefined) shuffleDeterministic(writes, random);
    let cost = 0n;
    for (const w of writes) cost += w.removeGas + this.store.write(w.storeKey, w.value).gas;
    for (const [, e] of entries) zeroize(e.value);
    this.clearCaches();
    const refund = this.pseudoGas;
    this.pseudoGas = 0n;
    return { refund, gas: cost };
  }

  /** Drops buffered writes without storing them (failed call). */
  discard(): void {
    for (const e of this.writeCache.values()) zeroize(e.value);
    this.clearCaches();
    this.pseudoGas = 0n;
  }

  private clearCaches(): void {
    this.writeCache.clear();
    for (const v of this.readCache.values()) zeroize(v);
    this.readCache.clear();
    this.nameCache.clear();
    this.stateKeys.clear();
  }

  private assertWritable(): void {
    if (!this.p.writable) throw new EnclaveError("UnauthorizedWrite");
  }

  /** SN `create_encrypted_key_value`: removes the old-format key, then encrypts name and value. */
  private encryptForWrite(key: Uint8Array, value: Uint8Array) {
    const { keys, ogContractKey } = this.p;
    const removeGas = this.store.remove(storeKeyOld(key, ogContractKey)).gas;
    const encName = this.encName(toHex(key), key);
    const stored = encryptValue(keys, ogContractKey, encName, value, this.salt, this.stateKeys);
    return { storeKey: storeKeyNew(encName), value: stored, removeGas };
  }

  private writeEncrypted(key: Uint8Array, value: Uint8Array): bigint {
    const w = this.encryptForWrite(key, value);
    return w.removeGas + this.store.write(w.storeKey, w.value).gas;
  }
}
