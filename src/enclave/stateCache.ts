// Cross-call caches of encrypted contract state (used by ./encryptedStorage.ts), per keychain and og contract
// key: the state keys' cipher contexts, each plaintext key's encrypted name and store keys, and the last value
// seen under it (its stored bytes and plaintext). Everything here is a pure function of (keychain seeds, og key,
// bytes), so a hit gives exactly what recomputing gives. Bounded; zeroed when seeds change or on destroy.
import { CompanionRules } from "./companionReads.js";
import { AD_NONE, AesSivKey } from "./crypto/aesSiv.js";
import { zeroize } from "./crypto/hash.js";
import { EnclaveError } from "./errors.js";
import type { EnclaveKeys } from "./keys.js";
import { KEY_NAME_SEED_ID, stateKeyAes, storeKeyNew, storeKeyOld } from "./stateFormat.js";

/** Contracts with caches kept per keychain. */
export const MAX_CACHED_CONTRACTS = 256;
/** Plaintext keys with cached names/store keys, over all contracts of one keychain (both generations). */
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
  /** The cache generation that last used this entry (see `KeychainCache`). */
  gen = 0;
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

/**
 * The caches of one keychain. Eviction is by generations, not a strict LRU: V8's Map costs grow with its size
 * when entries are deleted and re-added (~7 µs per move at 10,000 entries, measured), so nothing is ever
 * moved. Each contract has a young and an old map; a hit in the old map is copied into the young one; when the
 * young maps of all contracts together hold half the key budget (or values or contracts exceed theirs), every
 * old map is dropped (entries not used since are zeroed) and the young maps become the old ones.
 */
class KeychainCache {
  readonly contracts = new Map<string, ContractStateCache>();
  generation = 1;
  youngKeys = 0;
  oldKeys = 0;
  valueBytes = 0;
  constructor(readonly seedCount: number) {}

  /** Room for one more young entry (called before adding it). */
  beforeInsert(): void {
    if (this.youngKeys >= MAX_CACHED_KEYS / 2) this.rotate();
  }

  /** After a value was added: rotate; if the young values alone are over budget, forget them (not the names). */
  fitValues(): void {
    if (this.valueBytes <= MAX_CACHED_VALUE_BYTES) return;
    this.rotate();
    if (this.valueBytes > MAX_CACHED_VALUE_BYTES) for (const c of this.contracts.values()) c.forgetValues();
  }

  rotate(): void {
    const ending = this.generation++;
    this.oldKeys = this.youngKeys;
    this.youngKeys = 0;
    for (const [id, c] of this.contracts) {
      c.rotate(ending);
      if (c.isEmpty() && c.lastGen < ending) this.contracts.delete(id);
    }
  }

  /** Keeps the contract count bounded; the contract `keep` (in use now) stays. */
  fitContracts(keep: ContractStateCache): void {
    for (let i = 0; i < 2 && this.contracts.size > MAX_CACHED_CONTRACTS; i++) this.rotate();
    if (this.contracts.size <= MAX_CACHED_CONTRACTS) return;
    for (const [id, c] of this.contracts) {
      if (c === keep) continue;
      c.dropAll();
      this.contracts.delete(id);
    }
    this.youngKeys = keep.sizes().young;
    this.oldKeys = keep.sizes().old;
  }

  dropAll(): void {
    for (const c of this.contracts.values()) c.dropAll();
    this.contracts.clear();
  }
}

/** The cross-call caches of one contract (keyed by its og contract key) under one keychain. */
export class ContractStateCache {
  private readonly siv = new Map<number, AesSivKey>();
  /** Companion-read rules learned from this contract's calls (./companionReads.ts). */
  readonly companions = new CompanionRules();
  /** Plaintext key (one char per byte) → entry, used in this generation / the one before. */
  private young = new Map<string, KeyEntry>();
  private old = new Map<string, KeyEntry>();
  lastGen = 0;

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
      // Long-lived: AES-NI only (./crypto/aesSiv.ts: the JS AES is for single-use tx keys).
      k = new AesSivKey(raw);
      zeroize(raw);
      this.siv.set(seedId, k);
    }
    return k;
  }

  /** The entry of plaintext key `id` (one char per byte) if cached; a hit in the old generation moves up. */
  known(id: string): KeyEntry | undefined {
    const e = this.young.get(id);
    if (e !== undefined) return e;
    const old = this.old.get(id);
    if (old !== undefined) this.addYoung(id, old);
    return old;
  }

  /**
   * The entry of plaintext key `key` (`id` is its one-char-per-byte string), made on first use: its name
   * encrypted, its store keys built (`oldKey`: sha256(key ‖ og key) when the caller already has it).
   */
  entry(id: string, key: Uint8Array, oldKey?: Uint8Array): KeyEntry {
    const hit = this.known(id);
    if (hit !== undefined) return hit;
    const encName = this.sivKey(KEY_NAME_SEED_ID).encrypt(key, AD_NONE);
    const e = new KeyEntry(encName, storeKeyNew(encName), oldKey ?? storeKeyOld(key, this.ogContractKey));
    this.addYoung(id, e);
    return e;
  }

  private addYoung(id: string, e: KeyEntry): void {
    this.owner.beforeInsert();
    // The rotation `beforeInsert` may have run just dropped the old map, this entry with it (its value was
    // forgotten then): it is back in use, so it may hold a value again.
    e.live = true;
    e.gen = this.owner.generation;
    this.young.set(id, e);
    this.owner.youngKeys++;
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
    // Public bytes (ciphertext), so a native memcmp is fine (~50 ns vs ~400 ns for a JS loop over 340 bytes).
    const same =
      v !== undefined && v.stored.length === stored.length && Buffer.compare(v.stored, stored) === 0;
    return same ? copyOf(v.plain) : undefined;
  }

  /**
   * Remembers a stored form (copied) and its plaintext, as authenticated by a read or made by a write.
   * `adopt`: the cache takes `plain` itself (the caller's private array, no longer used by it), else a copy;
   * an adopted array the cache does not keep is zeroed. `shareStored`: the cache keeps `stored` itself, else
   * a copy — only for stored bytes this enclave made and that nobody modifies afterwards (the cache only
   * compares them, never writes them; `PlainStore.leavesValuesIntact`).
   */
  rememberValue(
    e: KeyEntry,
    stored: Uint8Array,
    plain: Uint8Array,
    adopt = false,
    shareStored = false,
  ): void {
    this.forgetValue(e);
    if (!e.live || plain.length > MAX_CACHED_VALUE_LENGTH) {
      if (adopt) zeroize(plain);
      return;
    }
    e.value = { stored: shareStored ? stored : copyOf(stored), plain: adopt ? plain : copyOf(plain) };
    this.owner.valueBytes += valueBytes(e.value);
    this.owner.fitValues();
  }

  forgetValue(e: KeyEntry): void {
    if (e.value === undefined) return;
    if (e.live) this.owner.valueBytes -= valueBytes(e.value);
    zeroize(e.value.plain);
    e.value = undefined;
  }

  forgetValues(): void {
    for (const e of this.young.values()) this.forgetValue(e);
    for (const e of this.old.values()) this.forgetValue(e);
  }

  sizes(): { young: number; old: number } {
    return { young: this.young.size, old: this.old.size };
  }

  isEmpty(): boolean {
    return this.young.size === 0 && this.old.size === 0;
  }

  /** Generation `ending` ends: entries of the old map not used in it are dropped; young becomes old. */
  rotate(ending: number): void {
    for (const e of this.old.values()) if (e.gen !== ending) this.kill(e);
    this.old = this.young;
    this.young = new Map();
  }

  dropAll(): void {
    for (const e of this.young.values()) this.kill(e);
    for (const e of this.old.values()) this.kill(e);
    this.young = new Map();
    this.old = new Map();
    for (const k of this.siv.values()) k.dispose();
    this.siv.clear();
    this.companions.clear();
  }

  private kill(e: KeyEntry): void {
    if (!e.live) return;
    this.forgetValue(e);
    e.live = false; // a call still holding it may use its names; its values are no longer kept
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
    c.lastGen = kc.generation;
    kc.contracts.set(id, c);
    kc.fitContracts(c);
  }
  c.lastGen = kc.generation;
  return c;
}

/** Zeroes and forgets every state cache of `keys` (seed appended or rotated, keychain destroyed). */
export function clearStateCaches(keys: EnclaveKeys): void {
  caches.get(keys)?.dropAll();
  caches.delete(keys);
}

/** Cached contracts, key entries (an upper bound: a promoted entry counts twice) and value bytes (tests). */
export function stateCacheSize(keys: EnclaveKeys): { contracts: number; keys: number; valueBytes: number } {
  const kc = caches.get(keys);
  if (kc === undefined) return { contracts: 0, keys: 0, valueBytes: 0 };
  return { contracts: kc.contracts.size, keys: kc.youngKeys + kc.oldKeys, valueBytes: kc.valueBytes };
}
