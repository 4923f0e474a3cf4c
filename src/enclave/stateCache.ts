// Cross-call caches of encrypted contract state (used by ./encryptedStorage.ts), per keychain and og contract
// key: the state keys' cipher contexts, each plaintext key's encrypted name and store keys, and the last value
// seen under it (its stored bytes and plaintext). Everything here is a pure function of (keychain seeds, og key,
// bytes), so a hit gives exactly what recomputing gives. Bounded; zeroed when seeds change or on destroy.
import { AD_NONE, AesSivKey } from "./crypto/aesSiv.js";
import { zeroize } from "./crypto/hash.js";
import { EnclaveError } from "./errors.js";
import type { EnclaveKeys } from "./keys.js";
import { KEY_NAME_SEED_ID, stateKeyAes, storeKeyNew, storeKeyOld } from "./stateFormat.js";
import { equalBytes } from "../util/bytes.js";

/** Contracts with caches kept per keychain (least recently used dropped first). */
export const MAX_CACHED_CONTRACTS = 256;
/** Plaintext keys with cached names/store keys, over all contracts of one keychain. */
export const MAX_CACHED_KEYS = 16_384;
/** Bytes of cached values (stored + plaintext), over all contracts of one keychain. */
export const MAX_CACHED_VALUE_BYTES = 8 * 1024 * 1024;
/** A value whose plaintext is larger than this is never cached (it would crowd out many small ones). */
export const MAX_CACHED_VALUE_LENGTH = 16 * 1024;

/** One plaintext key of one contract: what its name encrypts to, and the last value seen under it. */
export class KeyEntry {
  /** CMAC of `encName` under the state key of seed `nameMacSeed` (S2V's first AD input for values). */
  nameMac: Uint8Array | undefined;
  nameMacSeed = 0;
  /** The last (stored bytes, plaintext) pair authenticated or written under this key: a private copy. */
  value: { readonly stored: Uint8Array; readonly plain: Uint8Array } | undefined;
  live = true;
  constructor(
    /** SIV(state_key_aes(2), key, AD = []). */
    readonly encName: Uint8Array,
    /** bincode2 `EncryptedKey{…, encName}`: the new-format store key. */
    readonly storeKeyNew: Uint8Array,
    /** sha256(key ‖ og_key): the old-format store key (read when the new key is absent; removed on write). */
    readonly storeKeyOld: Uint8Array,
  ) {}
}

/** A private copy (a Buffer's `slice()` would be a view of memory its owner may reuse). */
export function copyOf(b: Uint8Array): Uint8Array {
  const c = new Uint8Array(b.length);
  c.set(b);
  return c;
}

const valueBytes = (v: KeyEntry["value"]): number => (v === undefined ? 0 : v.stored.length + v.plain.length);

/** The caches of one keychain: contracts in LRU order and the totals every contract's entries count against. */
class KeychainCache {
  readonly contracts = new Map<string, ContractStateCache>();
  keys = 0;
  valueBytes = 0;
  constructor(readonly seedCount: number) {}

  /** Drops least recently used entries (oldest contracts first) until the totals fit. */
  enforce(): void {
    while (this.contracts.size > MAX_CACHED_CONTRACTS) {
      const [id, c] = this.contracts.entries().next().value!;
      c.dropAll();
      this.contracts.delete(id);
    }
    for (const c of this.contracts.values()) {
      if (this.keys <= MAX_CACHED_KEYS && this.valueBytes <= MAX_CACHED_VALUE_BYTES) return;
      c.evictUntil(() => this.keys <= MAX_CACHED_KEYS && this.valueBytes <= MAX_CACHED_VALUE_BYTES);
    }
  }

  dropAll(): void {
    for (const c of this.contracts.values()) c.dropAll();
    this.contracts.clear();
  }
}

/** The cross-call caches of one contract (keyed by its og contract key) under one keychain. */
export class ContractStateCache {
  private readonly siv = new Map<number, AesSivKey>();
  /** Plaintext key (one char per byte) → entry; insertion order = least recently used first. */
  private readonly entries = new Map<string, KeyEntry>();

  constructor(
    private readonly owner: KeychainCache,
    private readonly keys: EnclaveKeys,
    private readonly ogContractKey: Uint8Array,
  ) {}

  /**
   * `state_key_aes(seedId)` as ready cipher contexts, derived once (HKDF was ~28% of an encrypted SNIP-20
   * transfer when derived per access); bad ids are "failed to encrypt data" as in SN. No raw key bytes kept.
   */
  sivKey(seedId: number): AesSivKey {
    let k = this.siv.get(seedId);
    if (k === undefined) {
      if (seedId < 1 || seedId > this.keys.seedCount) throw new EnclaveError("EncryptionError");
      const raw = stateKeyAes(this.keys, this.ogContractKey, seedId);
      k = new AesSivKey(raw);
      zeroize(raw);
      this.siv.set(seedId, k);
    }
    return k;
  }

  /** The entry of plaintext key `key` (`id` is its one-char-per-byte string), made on first use. */
  entry(id: string, key: Uint8Array): KeyEntry {
    let e = this.entries.get(id);
    if (e !== undefined) {
      this.entries.delete(id); // most recently used last
      this.entries.set(id, e);
      return e;
    }
    const encName = this.sivKey(KEY_NAME_SEED_ID).encrypt(key, AD_NONE);
    e = new KeyEntry(encName, storeKeyNew(encName), storeKeyOld(key, this.ogContractKey));
    this.entries.set(id, e);
    this.owner.keys++;
    this.owner.enforce();
    return e;
  }

  /** CMAC of the entry's encrypted name under seed `seedId`'s state key (kept for the latest seed asked). */
  nameMac(e: KeyEntry, seedId: number): Uint8Array {
    if (e.nameMac === undefined || e.nameMacSeed !== seedId) {
      e.nameMac = this.sivKey(seedId).adMac(e.encName);
      e.nameMacSeed = seedId;
    }
    return e.nameMac;
  }

  /** The plaintext last seen under `e` if `stored` is byte for byte the stored form it came with. */
  cachedValue(e: KeyEntry, stored: Uint8Array): Uint8Array | undefined {
    const v = e.value;
    return v !== undefined && equalBytes(v.stored, stored) ? v.plain.slice() : undefined;
  }

  /** Remembers (copies of) a stored form and its plaintext, as authenticated by a read or made by a write. */
  rememberValue(e: KeyEntry, stored: Uint8Array, plain: Uint8Array): void {
    this.forgetValue(e);
    if (!e.live || plain.length > MAX_CACHED_VALUE_LENGTH) return;
    e.value = { stored: copyOf(stored), plain: copyOf(plain) };
    this.owner.valueBytes += valueBytes(e.value);
    this.owner.enforce();
  }

  forgetValue(e: KeyEntry): void {
    if (e.value === undefined) return;
    if (e.live) this.owner.valueBytes -= valueBytes(e.value);
    zeroize(e.value.plain);
    e.value = undefined;
  }

  /** Evicts entries, least recently used first, until `enough()` or none is left. */
  evictUntil(enough: () => boolean): void {
    for (const [id, e] of this.entries) {
      if (enough()) return;
      this.drop(id, e);
    }
  }

  dropAll(): void {
    for (const [id, e] of this.entries) this.drop(id, e);
    this.siv.clear();
  }

  private drop(id: string, e: KeyEntry): void {
    this.forgetValue(e);
    e.live = false; // a call still holding it may use its names; its values are no longer kept
    this.entries.delete(id);
    this.owner.keys--;
  }
}

/** Per keychain object, so keys of different enclaves (tests) never mix. */
const caches = new WeakMap<EnclaveKeys, KeychainCache>();

/**
 * The caches of the contract with og key `ogContractKey` (`id`: that key, one char per byte). A keychain whose
 * seed count changed since the caches were made starts over (the keychain also calls `clearStateCaches`).
 */
export function contractStateCache(
  keys: EnclaveKeys,
  id: string,
  ogContractKey: Uint8Array,
): ContractStateCache {
  let kc = caches.get(keys);
  const seedCount = keys.seedCount;
  if (kc !== undefined && kc.seedCount !== seedCount) {
    kc.dropAll();
    kc = undefined;
  }
  if (kc === undefined) {
    kc = new KeychainCache(seedCount);
    caches.set(keys, kc);
  }
  let c = kc.contracts.get(id);
  if (c === undefined) {
    c = new ContractStateCache(kc, keys, copyOf(ogContractKey));
  } else {
    kc.contracts.delete(id);
  }
  kc.contracts.set(id, c);
  kc.enforce();
  return c;
}

/** Zeroes and forgets every state cache of `keys` (seed appended or rotated, keychain destroyed). */
export function clearStateCaches(keys: EnclaveKeys): void {
  caches.get(keys)?.dropAll();
  caches.delete(keys);
}

/** Cached keys and value bytes of `keys` (tests: the bounds hold). */
export function stateCacheSize(keys: EnclaveKeys): { contracts: number; keys: number; valueBytes: number } {
  const kc = caches.get(keys);
  return { contracts: kc?.contracts.size ?? 0, keys: kc?.keys ?? 0, valueBytes: kc?.valueBytes ?? 0 };
}
