// A VM `Storage` that encrypts contract state (spec secret-protocol §6.3; SN contract-engine/src/db.rs,
// wasm3/mod.rs, utils/src/kv_cache.rs) over a plain OCALL-backed store. The VM never sees this.
// Byte formats are in ./stateFormat.ts; what stays ready across calls (names, keys, last values) in ./stateCache.ts.
import type { SealJob } from "./crypto/aesSiv.js";
import { zeroize } from "./crypto/hash.js";
import { EnclaveError } from "./errors.js";
import type { EnclaveKeys } from "./keys.js";
import { contractStateCache, copyOf, type ContractStateCache, type KeyEntry } from "./stateCache.js";
import {
  CONTRACT_KEY_LENGTH,
  decryptValueOld,
  encryptionSalt,
  parseStoredValue,
  shuffleDeterministic,
  sivOpen,
  storedValueLayout,
  storeKeyOld,
} from "./stateFormat.js";
import type { GasInfo, Storage } from "./vm/backend.js";
import { abytes } from "../util/bytes.js";

export {
  CONSENSUS_SEED_VERSION,
  decryptValue,
  decryptValueOld,
  ENCRYPTED_KEY_MAGIC,
  encryptionSalt,
  encryptKeyName,
  encryptValue,
  KEY_NAME_SEED_ID,
  parseStoredValue,
  PSEUDO_GAS_STORE_PER_BYTE,
  shuffleDeterministic,
  STATE_ENCRYPTION_VERSION,
  stateKeyAes,
  storeKeyNew,
  storeKeyOld,
  type ParsedValue,
} from "./stateFormat.js";
import { PSEUDO_GAS_STORE_PER_BYTE } from "./stateFormat.js";
import { byteString } from "./byteMemo.js";
import type { CompanionRule } from "./companionReads.js";

/**
 * The host's plain contract store (already prefixed `0x03 ‖ contract_addr` by the host). Gas per call. It must
 * not modify the arrays it is given (store keys are cached across calls); it may keep them.
 */
export interface PlainStore {
  read(key: Uint8Array): { value: Uint8Array | undefined; gas: bigint };
  write(key: Uint8Array, value: Uint8Array): { gas: bigint };
  remove(key: Uint8Array): { gas: bigint };
  /**
   * Optional: writes and removes (value undefined) applied in this order in one host round trip, with the
   * summed gas, exactly as the same calls one by one (the production store: one applyBatch OCALL per flush).
   */
  applyBatch?(ops: readonly { key: Uint8Array; value?: Uint8Array | undefined }[]): { gas: bigint };
  /**
   * Optional: `read(key)`, then `read(fallbackKey)` only when the first is missing, in one host round trip,
   * exactly as those calls one by one; `fromFallback` says which key answered, gas is the sum of the reads
   * (the production store: one readDbFirst OCALL per missing-or-not contract read instead of up to two).
   * `peek`: store keys this read predicts the call will read next (./companionReads.ts), asked for only if
   * the read goes to the host; the store may fetch them in the same round trip for later reads, or ignore it.
   */
  readFirst?(
    key: Uint8Array,
    fallbackKey: Uint8Array,
    peek?: () => readonly Uint8Array[],
  ): { value: Uint8Array | undefined; fromFallback: boolean; gas: bigint };
  /**
   * Optional promise: the store never modifies a value array it is given to write, then or later (it copies
   * it, or only reads it). The state cache then keeps the stored bytes a write made without a copy of its own
   * (the production store: values are encoded into a frame). A store that may modify them (an in-memory test
   * store playing a tampering host) leaves it unset, and the cache copies.
   */
  readonly leavesValuesIntact?: boolean;
}

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

/** What this call did with one plaintext key: its buffered write and the value it read (private copies). */
interface CallKey {
  readonly id: string;
  readonly key: Uint8Array;
  entry: KeyEntry | undefined;
  /** sha256(key ‖ og key) when computed before the entry existed (a write to a key not cached yet). */
  oldKey: Uint8Array | undefined;
  read: Uint8Array | undefined;
  write: Uint8Array | undefined;
  /** `read` / `write` was handed to the VM by `get` (lent: zeroed only when the call ends). */
  lentRead: boolean;
  lentWrite: boolean;
}

const gas = (cost: bigint): GasInfo => ({ cost });

/** The encrypted Storage for one contract call. Call `flush()` once at the end of a successful call, else `discard()`. */
export class EncryptedStorage implements Storage {
  private readonly touched = new Map<string, CallKey>();
  /** Lent values no key holds any more (replaced or removed): zeroed when the call ends. */
  private readonly retired: Uint8Array[] = [];
  /** CMACs of the salts met in this call (values written by one tx share one), by seed id and salt. */
  private readonly saltMacs = new Map<string, Uint8Array>();
  private ownSaltMac: { readonly seed: number; readonly mac: Uint8Array } | undefined;
  private readonly cache: ContractStateCache;
  private pseudoGas = 0n;
  private readonly salt: Uint8Array;
  /** Plaintext keys this call read that were absent, in read order (what companion rules learn from). */
  private readonly absent: Uint8Array[] = [];
  /** Keys predicted (peeked) in this call and not read yet, with the rule that predicted each. */
  private readonly predicted = new Map<string, CompanionRule>();

  constructor(
    private readonly store: PlainStore,
    private readonly p: EncryptedStorageParams,
  ) {
    abytes(p.ogContractKey, CONTRACT_KEY_LENGTH, "og contract key");
    this.salt = encryptionSalt(p.blockTimeNs, p.msgCounter.height, p.msgCounter.counter);
    this.cache = contractStateCache(p.keys, byteString(p.ogContractKey), p.ogContractKey);
  }

  /**
   * The value is this call's own array, lent (Storage contract, ./vm/backend.ts): nothing in this call zeroes
   * it until the call ends (`retire`), so a contract whose `allocate` writes or removes the key while the VM
   * copies the value out still gets the value as read.
   */
  get(key: Uint8Array): { value: Uint8Array | undefined; gas: GasInfo } {
    abytes(key, undefined, "storage key");
    const ck = this.callKey(byteString(key), key);
    if (this.predicted.size > 0) this.predicted.delete(ck.id);
    if (ck.write !== undefined) {
      ck.lentWrite = true;
      return { value: ck.write, gas: gas(0n) };
    }
    if (ck.read !== undefined) return { value: this.lendRead(ck), gas: gas(0n) };
    const e = this.entryOf(ck);
    const r = this.readNewThenOld(e, ck);
    if (r.value !== undefined && !r.fromFallback) {
      ck.read = this.cache.cachedValue(e, r.value) ?? this.open(e, r.value);
      return { value: this.lendRead(ck), gas: gas(r.gas) };
    }
    let cost = r.gas;
    if (r.value === undefined) {
      this.absent.push(ck.key);
      return { value: undefined, gas: gas(cost) };
    }
    const { keys, ogContractKey } = this.p;
    ck.read = decryptValueOld(keys, ogContractKey, e.storeKeyOld, r.value);
    // Upgrade to the new format right away when this call may write (SN db.rs read_from_encrypted_state).
    if (this.p.writable) cost += this.writeNow(ck, ck.read);
    return { value: this.lendRead(ck), gas: gas(cost) };
  }

  set(key: Uint8Array, value: Uint8Array): { gas: GasInfo } {
    this.assertWritable();
    abytes(key, undefined, "storage key");
    abytes(value, undefined, "storage value");
    const cost = PSEUDO_GAS_STORE_PER_BYTE * BigInt(value.length);
    this.pseudoGas += cost;
    const ck = this.callKey(byteString(key), key);
    if (ck.write !== undefined) this.retire(ck.write, ck.lentWrite);
    ck.write = copyOf(value);
    ck.lentWrite = false;
    return { gas: gas(cost) };
  }

  remove(key: Uint8Array): { gas: GasInfo } {
    this.assertWritable();
    abytes(key, undefined, "storage key");
    const ck = this.callKey(byteString(key), key);
    this.forgetCall(ck);
    const a = this.store.remove(this.oldKeyOf(ck));
    const e = this.entryOf(ck);
    const b = this.store.remove(e.storeKeyNew);
    this.cache.forgetValue(e);
    return { gas: gas(a.gas + b.gas) };
  }

  /**
   * Writes the buffered values (sorted by plaintext key, then shuffled when `random` is given) and clears
   * the call's buffers. `refund` is the pseudo gas charged by `set` that the caller refunds (SN flush_cache);
   * `gas` is what the plain store reported. The written values stay cached for later reads.
   */
  flush(random?: Uint8Array): { refund: bigint; gas: bigint } {
    this.endLoans();
    const pending = [...this.touched.entries()].filter(([, ck]) => ck.write !== undefined);
    pending.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    // With a batching store the old-key removals are queued, not sent: the host sees the same operations in
    // the same order (every removal in key order, then the writes), in one round trip.
    const removals: { key: Uint8Array }[] | undefined = this.store.applyBatch === undefined ? undefined : [];
    const writes = pending.map(([, ck]) => this.prepareWrite(ck, ck.write!, removals));
    this.seal(writes);
    if (random !== undefined) shuffleDeterministic(writes, random);
    let cost = 0n;
    if (removals !== undefined && this.store.applyBatch !== undefined) {
      const ops = [...removals, ...writes.map((w) => ({ key: w.storeKey, value: w.value }))];
      if (ops.length > 0) cost = this.store.applyBatch(ops).gas;
    } else {
      for (const w of writes) cost += w.removeGas + this.store.write(w.storeKey, w.value).gas;
    }
    for (const w of writes) {
      this.cache.rememberValue(w.entry, w.value, w.plain, true, this.store.leavesValuesIntact === true);
      w.ck.write = undefined; // now the cache's
    }
    this.clearCall();
    const refund = this.pseudoGas;
    this.pseudoGas = 0n;
    return { refund, gas: cost };
  }

  /** Drops buffered writes without storing them (failed call). */
  discard(): void {
    this.clearCall();
    this.pseudoGas = 0n;
  }

  /** SN db.rs read order: the new-format key, then the old-format key if the new one is missing. */
  private readNewThenOld(
    e: KeyEntry,
    ck: CallKey,
  ): { value: Uint8Array | undefined; fromFallback: boolean; gas: bigint } {
    if (this.store.readFirst !== undefined) {
      if (this.cache.companions.size === 0) return this.store.readFirst(e.storeKeyNew, e.storeKeyOld);
      return this.store.readFirst(e.storeKeyNew, e.storeKeyOld, () => this.companionKeys(ck));
    }
    const first = this.store.read(e.storeKeyNew);
    if (first.value !== undefined) return { value: first.value, fromFallback: false, gas: first.gas };
    const second = this.store.read(e.storeKeyOld);
    return { value: second.value, fromFallback: true, gas: first.gas + second.gas };
  }

  /**
   * The store keys (new, then old format) of the keys the contract's rules predict after `ck`, minus keys
   * this call already touched; each is remembered as predicted (a rule whose key goes unread is dropped).
   */
  private companionKeys(ck: CallKey): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const { rule, key } of this.cache.companions.predict(ck.key)) {
      const id = byteString(key);
      if (!this.touched.has(id) && !this.predicted.has(id)) {
        const e = this.cache.entry(id, key);
        this.predicted.set(id, rule);
        out.push(e.storeKeyNew, e.storeKeyOld);
      }
      zeroize(key);
    }
    return out;
  }

  private callKey(id: string, key: Uint8Array): CallKey {
    let ck = this.touched.get(id);
    if (ck === undefined) {
      ck = {
        id,
        key: copyOf(key),
        entry: undefined,
        oldKey: undefined,
        read: undefined,
        write: undefined,
        lentRead: false,
        lentWrite: false,
      };
      this.touched.set(id, ck);
    }
    return ck;
  }

  /** The key's cached names, made (name SIV, store keys) at first need, as SN encrypts the name then. */
  private entryOf(ck: CallKey): KeyEntry {
    ck.entry ??= this.cache.entry(ck.id, ck.key, ck.oldKey);
    return ck.entry;
  }

  /** The old-format store key, computed before the name (SN removes it before encrypting the name). */
  private oldKeyOf(ck: CallKey): Uint8Array {
    ck.entry ??= this.cache.known(ck.id);
    if (ck.entry !== undefined) return ck.entry.storeKeyOld;
    ck.oldKey ??= storeKeyOld(ck.key, this.p.ogContractKey);
    return ck.oldKey;
  }

  private forgetCall(ck: CallKey): void {
    if (ck.read !== undefined) this.retire(ck.read, ck.lentRead);
    if (ck.write !== undefined) this.retire(ck.write, ck.lentWrite);
    ck.read = ck.write = undefined;
    ck.lentRead = ck.lentWrite = false;
  }

  /** Hands `ck.read` to the VM: it is zeroed only when the call ends (see `get`). */
  private lendRead(ck: CallKey): Uint8Array {
    ck.lentRead = true;
    return ck.read!;
  }

  /** Zeroes a plaintext no key holds any more, unless the VM was handed it in this call (then at the end). */
  private retire(value: Uint8Array, lent: boolean): void {
    if (lent) this.retired.push(value);
    else zeroize(value);
  }

  /** The VM is done with lent values: zeroes those no key holds any more (the others go with their keys). */
  private endLoans(): void {
    for (const v of this.retired) zeroize(v);
    this.retired.length = 0;
  }

  /** The call is over (the VM no longer holds anything it was lent): zeroes every plaintext it touched. */
  private clearCall(): void {
    // Learn before the keys are zeroed: the rules copy the prefixes they keep.
    if (this.absent.length > 1 || this.predicted.size > 0) {
      this.cache.companions.learn(this.absent, this.predicted.values());
    }
    this.absent.length = 0;
    this.predicted.clear();
    for (const ck of this.touched.values()) {
      ck.lentRead = ck.lentWrite = false;
      this.forgetCall(ck);
      zeroize(ck.key);
    }
    this.endLoans();
    this.touched.clear();
    this.saltMacs.clear();
    this.ownSaltMac = undefined;
  }

  /** The CMAC of this call's own salt (every write's), without building its map key per write. */
  private writeSaltMac(seedId: number): Uint8Array {
    if (this.ownSaltMac?.seed !== seedId)
      this.ownSaltMac = { seed: seedId, mac: this.saltMac(seedId, this.salt) };
    return this.ownSaltMac.mac;
  }

  private saltMac(seedId: number, salt: Uint8Array): Uint8Array {
    const id = `${seedId}:${byteString(salt)}`;
    let m = this.saltMacs.get(id);
    if (m === undefined) {
      m = this.cache.sivKey(seedId).adMac(salt);
      this.saltMacs.set(id, m);
    }
    return m;
  }

  /** Decrypts a new-format stored value (seed id from its trailer) and remembers it for later calls. */
  private open(e: KeyEntry, stored: Uint8Array): Uint8Array {
    const p = parseStoredValue(stored);
    const k = this.cache.sivKey(p.seedId);
    const macs = [this.cache.nameMac(e, p.seedId), this.saltMac(p.seedId, p.salt)];
    const plain = sivOpen(() => k.decryptMacs(p.data, macs));
    this.cache.rememberValue(e, stored, plain);
    return plain;
  }

  private assertWritable(): void {
    if (!this.p.writable) throw new EnclaveError("UnauthorizedWrite");
  }

  /**
   * SN `create_encrypted_key_value`, first half: removes the old-format key, encrypts the name (when not
   * cached) and lays out the stored value; `seal` then encrypts every prepared value at once.
   */
  private prepareWrite(ck: CallKey, plain: Uint8Array, removals?: { key: Uint8Array }[]) {
    let removeGas = 0n;
    if (removals === undefined) removeGas = this.store.remove(this.oldKeyOf(ck)).gas;
    else removals.push({ key: this.oldKeyOf(ck) });
    const entry = this.entryOf(ck);
    const seed = this.p.keys.seedCount;
    const adMacs = [this.cache.nameMac(entry, seed), this.writeSaltMac(seed)];
    const { bytes, ctAt } = storedValueLayout(this.salt, plain.length, seed);
    const job: SealJob = { plaintext: plain, adMacs, out: bytes, at: ctAt };
    return { ck, entry, storeKey: entry.storeKeyNew, value: bytes, plain, removeGas, job };
  }

  /** Encrypts prepared writes, all under the current seed's state key (one keystream call for all). */
  private seal(writes: readonly { readonly job: SealJob }[]): void {
    if (writes.length === 0) return;
    this.cache.sivKey(this.p.keys.seedCount).sealAllInto(writes.map((w) => w.job));
  }

  private writeNow(ck: CallKey, plain: Uint8Array): bigint {
    const w = this.prepareWrite(ck, plain);
    this.seal([w]);
    const cost = w.removeGas + this.store.write(w.storeKey, w.value).gas;
    this.cache.rememberValue(w.entry, w.value, plain, false, this.store.leavesValuesIntact === true);
    return cost;
  }
}
