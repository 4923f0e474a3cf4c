// The narrow view of the keychain that IO, contract keys and encrypted storage need (spec secret-protocol §2.2).
// ./keychain.ts implements it; tests may implement it from fixed seeds. Indices are 0-based seed positions
// (genesis seed = 0); "last" means the current seed.

export interface EnclaveKeys {
  /** Number of consensus seeds held (1 for a pre-v1.7 chain, 2 after phase 1 of rotation, up to 4). */
  readonly seedCount: number;
  /** consensus_io_exchange_privkey: derive(last seed, 2). */
  ioExchangeSecretKey(): Uint8Array;
  /** consensus_state_ikm of seed `index`: derive(seed[index], 3). */
  stateIkm(index: number): Uint8Array;
  /** consensus_callback_secret: derive(last seed, 4). */
  callbackSecret(): Uint8Array;
  /** random_encryption_key: derive(last seed, 5). */
  randomEncryptionKey(): Uint8Array;
  /** initial_randomness_seed of seed `index`: derive(seed[index], 6). */
  initialRandomnessSeed(index: number): Uint8Array;
  /** admin_proof_secret of seed `index`: derive(seed[index], 7). */
  adminProofSecret(index: number): Uint8Array;
  /** contract_key_proof_secret of seed `index`: derive(seed[index], 8). */
  contractKeyProofSecret(index: number): Uint8Array;
}
