// The enclave's keychain: 1..4 consensus seeds (genesis first), the derived-key table of spec secret-protocol
// §2.2, the node's X25519 registration key pair and a pending rotation seed (§3.6). Implements EnclaveKeys.
import { randomBytes } from "node:crypto";
import { abytes } from "../util/bytes.js";
import { deriveSeedKey } from "./crypto/kdf.js";
import { clearX25519Caches, x25519PublicKey } from "./crypto/x25519.js";
import { zeroize } from "./crypto/hash.js";
import { EnclaveError } from "./errors.js";
import type { EnclaveKeys } from "./keys.js";
import { clearContractKeyCache } from "./contractKey.js";
import { clearStateCaches } from "./stateCache.js";

/** spec §1: every seed and derived key is 32 bytes (SECRET_KEY_SIZE). */
export const SEED_SIZE = 32;
/** spec §3.6: `apply_rot_seed` appends seed #3 or #4, so a keychain holds at most four seeds. */
export const MAX_SEEDS = 4;
/** spec §3.6: rotation requires 2..3 existing seeds (it appends #3 or #4). */
export const MIN_SEEDS_FOR_ROTATION = 2;

/** spec §2.2; SN cosmwasm/enclaves/shared/crypto/src/consts.rs `*_DERIVE_ORDER`. */
export const DERIVE_ORDER = Object.freeze({
  seedExchange: 1,
  ioExchange: 2,
  stateIkm: 3,
  callbackSecret: 4,
  randomEncryptionKey: 5,
  initialRandomnessSeed: 6,
  adminProofSecret: 7,
  contractKeyProofSecret: 8,
});

/** The public keys a seed yields: what `ecall_get_network_pubkey(i)` answers (spec §2.1). */
export interface NetworkPublicKeys {
  /** node_exch_key: X25519 pubkey of derive(seed, 1); new nodes encrypt to nothing, they receive from it. */
  readonly seedExchangePublicKey: Uint8Array;
  /** io_exch_key: X25519 pubkey of derive(seed, 2); the TxKey clients encrypt to. */
  readonly ioExchangePublicKey: Uint8Array;
}

/** All eight derived secrets of one seed plus the two public keys, computed once when the seed is added. */
interface SeedKeys {
  readonly seed: Uint8Array;
  readonly secrets: readonly Uint8Array[]; // index n-1 holds derive(seed, n), n = 1..8
  readonly seedExchangePublicKey: Uint8Array;
  readonly ioExchangePublicKey: Uint8Array;
}

function deriveSeedKeys(seed: Uint8Array): SeedKeys {
  const own = Uint8Array.from(abytes(seed, SEED_SIZE, "consensus seed"));
  const secrets: Uint8Array[] = [];
  for (let n = 1; n <= 8; n++) secrets.push(deriveSeedKey(own, n));
  return {
    seed: own,
    secrets,
    seedExchangePublicKey: x25519PublicKey(secrets[DERIVE_ORDER.seedExchange - 1]!),
    ioExchangePublicKey: x25519PublicKey(secrets[DERIVE_ORDER.ioExchange - 1]!),
  };
}

/** A fresh 32-byte secret from the CSPRNG (key generation is the one allowed use of randomness here). */
export function randomSecret(): Uint8Array {
  return new Uint8Array(randomBytes(SEED_SIZE));
}

/**
 * Seeds, derived keys and the registration key of one enclave. Accessors return copies, so a caller may
 * zeroize what it got without harming the keychain. `destroy()` zeroes everything it holds.
 */
export class Keychain implements EnclaveKeys {
  #seeds: SeedKeys[] = [];
  #registrationSecretKey: Uint8Array | undefined;
  #registrationPublicKey: Uint8Array | undefined;
  #rotationSeed: Uint8Array | undefined;
  #destroyed = false;

  /** A keychain from known seeds (genesis first; 0..4 of them) and an optional registration secret key. */
  static fromSeeds(seeds: readonly Uint8Array[], registrationSecretKey?: Uint8Array): Keychain {
    if (seeds.length > MAX_SEEDS) {
      throw new EnclaveError("InvalidInput", `at most ${MAX_SEEDS} consensus seeds, got ${seeds.length}`);
    }
    // A (re-)initialised enclave starts with empty X25519 caches: nothing derived from an earlier keychain.
    clearX25519Caches();
    const kc = new Keychain();
    for (const s of seeds) kc.#seeds.push(deriveSeedKeys(s));
    if (registrationSecretKey !== undefined) kc.setRegistrationSecretKey(registrationSecretKey);
    return kc;
  }

  /**
   * `Keychain::create_consensus_seed` at bootstrap (spec §2.1): two independent random seeds, genesis and
   * current, plus a registration key pair.
   */
  static bootstrap(): Keychain {
    const genesis = randomSecret();
    const current = randomSecret();
    const regSk = randomSecret();
    try {
      return Keychain.fromSeeds([genesis, current], regSk);
    } finally {
      zeroize(genesis, current, regSk);
    }
  }

  get seedCount(): number {
    this.#alive();
    return this.#seeds.length;
  }

  /** Copies of the raw seeds, genesis first (for sealing and the seed exchange only). */
  exportSeeds(): Uint8Array[] {
    this.#alive();
    return this.#seeds.map((s) => Uint8Array.from(s.seed));
  }

  /** Appends one seed (initNode loads them in order; rotation appends the rotation seed). */
  appendSeed(seed: Uint8Array): void {
    this.#alive();
    if (this.#seeds.length >= MAX_SEEDS) {
      throw new EnclaveError("InvalidInput", `keychain already holds ${MAX_SEEDS} consensus seeds`);
    }
    this.#seeds.push(deriveSeedKeys(seed));
    // The IO key changes with the current seed: drop the cached key objects and shared secrets of the old one.
    clearX25519Caches();
    // Values are sealed under the last seed's state key: start the state caches over as well.
    clearStateCaches(this);
    clearContractKeyCache(this);
  }

  // --- registration key pair (spec §3.1 `create_registration_key`) ---

  /** Replaces the registration key pair with a fresh one; returns the new public key. */
  generateRegistrationKey(): Uint8Array {
    const sk = randomSecret();
    try {
      this.setRegistrationSecretKey(sk);
    } finally {
      zeroize(sk);
    }
    return this.registrationPublicKey();
  }

  setRegistrationSecretKey(secretKey: Uint8Array): void {
    this.#alive();
    const sk = Uint8Array.from(abytes(secretKey, SEED_SIZE, "registration secret key"));
    if (this.#registrationSecretKey !== undefined) zeroize(this.#registrationSecretKey);
    this.#registrationSecretKey = sk;
    this.#registrationPublicKey = x25519PublicKey(sk);
  }

  get hasRegistrationKey(): boolean {
    this.#alive();
    return this.#registrationSecretKey !== undefined;
  }

  registrationSecretKey(): Uint8Array {
    this.#alive();
    if (this.#registrationSecretKey === undefined) throw noKey("registration key");
    return Uint8Array.from(this.#registrationSecretKey);
  }

  registrationPublicKey(): Uint8Array {
    this.#alive();
    if (this.#registrationPublicKey === undefined) throw noKey("registration key");
    return Uint8Array.from(this.#registrationPublicKey);
  }

  // --- pending rotation seed (spec §3.6 `ecall_migration_op`) ---

  get hasRotationSeed(): boolean {
    this.#alive();
    return this.#rotationSeed !== undefined;
  }

  /** Sets the pending rotation seed (generated here or imported from an attested peer). */
  setRotationSeed(seed: Uint8Array): void {
    this.#alive();
    const own = Uint8Array.from(abytes(seed, SEED_SIZE, "rotation seed"));
    if (this.#rotationSeed !== undefined) zeroize(this.#rotationSeed);
    this.#rotationSeed = own;
  }

  rotationSeed(): Uint8Array {
    this.#alive();
    if (this.#rotationSeed === undefined) throw noKey("rotation seed");
    return Uint8Array.from(this.#rotationSeed);
  }

  /** Appends the pending rotation seed as the new current seed (`apply_rot_seed`), then forgets it. */
  applyRotationSeed(): void {
    this.#alive();
    const seed = this.#rotationSeed;
    if (seed === undefined) throw noKey("rotation seed");
    const n = this.#seeds.length;
    if (n < MIN_SEEDS_FOR_ROTATION || n >= MAX_SEEDS) {
      throw new EnclaveError("InvalidInput", `rotation needs 2..3 existing seeds, keychain holds ${n}`);
    }
    this.appendSeed(seed);
    zeroize(seed);
    this.#rotationSeed = undefined;
  }

  // --- public keys ---

  /** node_exch_key of the current seed (the on-chain "master key" of spec §2.1). */
  seedExchangePublicKey(): Uint8Array {
    return Uint8Array.from(this.#last().seedExchangePublicKey);
  }

  /** io_exch_key of the current seed (the TxKey). */
  ioExchangePublicKey(): Uint8Array {
    return Uint8Array.from(this.#last().ioExchangePublicKey);
  }

  /** `ecall_get_network_pubkey(i)`: both public keys of seed `index`. */
  networkPublicKeys(index: number): NetworkPublicKeys {
    const s = this.#at(index);
    return {
      seedExchangePublicKey: Uint8Array.from(s.seedExchangePublicKey),
      ioExchangePublicKey: Uint8Array.from(s.ioExchangePublicKey),
    };
  }

  // --- the derivation table (spec §2.2): "last" keys from the current seed, indexed ones per seed ---

  /** consensus_seed_exchange_privkey: derive(last seed, 1). */
  seedExchangeSecretKey(): Uint8Array {
    return this.#secret(this.#last(), DERIVE_ORDER.seedExchange);
  }

  ioExchangeSecretKey(): Uint8Array {
    return this.#secret(this.#last(), DERIVE_ORDER.ioExchange);
  }

  stateIkm(index: number): Uint8Array {
    return this.#secret(this.#at(index), DERIVE_ORDER.stateIkm);
  }

  callbackSecret(): Uint8Array {
    return this.#secret(this.#last(), DERIVE_ORDER.callbackSecret);
  }

  randomEncryptionKey(): Uint8Array {
    return this.#secret(this.#last(), DERIVE_ORDER.randomEncryptionKey);
  }

  initialRandomnessSeed(index: number): Uint8Array {
    return this.#secret(this.#at(index), DERIVE_ORDER.initialRandomnessSeed);
  }

  adminProofSecret(index: number): Uint8Array {
    return this.#secret(this.#at(index), DERIVE_ORDER.adminProofSecret);
  }

  contractKeyProofSecret(index: number): Uint8Array {
    return this.#secret(this.#at(index), DERIVE_ORDER.contractKeyProofSecret);
  }

  /** Zeroes every seed, derived key and the registration key; the keychain is unusable afterwards. */
  destroy(): void {
    if (this.#destroyed) return;
    clearX25519Caches();
    clearStateCaches(this);
    clearContractKeyCache(this);
    for (const s of this.#seeds) {
      zeroize(s.seed, ...s.secrets);
    }
    this.#seeds = [];
    if (this.#registrationSecretKey !== undefined) zeroize(this.#registrationSecretKey);
    if (this.#rotationSeed !== undefined) zeroize(this.#rotationSeed);
    this.#registrationSecretKey = undefined;
    this.#registrationPublicKey = undefined;
    this.#rotationSeed = undefined;
    this.#destroyed = true;
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  #secret(s: SeedKeys, n: number): Uint8Array {
    return Uint8Array.from(s.secrets[n - 1]!);
  }

  #last(): SeedKeys {
    this.#alive();
    const s = this.#seeds[this.#seeds.length - 1];
    if (s === undefined) throw noKey("consensus seed");
    return s;
  }

  #at(index: number): SeedKeys {
    this.#alive();
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.#seeds.length) {
      throw new EnclaveError("InvalidInput", `seed index ${index} out of range 0..${this.#seeds.length - 1}`);
    }
    return this.#seeds[index]!;
  }

  #alive(): void {
    if (this.#destroyed) throw new EnclaveError("InternalError", "keychain was destroyed");
  }
}

function noKey(what: string): EnclaveError {
  return new EnclaveError("InternalError", `keychain holds no ${what}`);
}
