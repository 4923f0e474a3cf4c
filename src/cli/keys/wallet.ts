// Mnemonic → secretjs Wallet (HD path m/44'/529'/0'/0/0, bech32 `secret`), and the per-key transaction
// encryption seed the CLI derives from the private key so a user can always decrypt their own past txs.
import { createHmac, pbkdf2Sync } from "node:crypto";
import { bech32 } from "@scure/base";
import { HDKey } from "@scure/bip32";
import { generateMnemonic, validateMnemonic } from "@scure/bip39";
import { ripemd160 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import type { Wallet } from "secretjs";
import { CliError } from "../common.js";

/** Secret's HD path (SLIP-44 coin type 529), the one secretjs's Wallet and secretd use by default. */
export const HD_PATH = "m/44'/529'/0'/0/0";

/**
 * Label of the encryption-seed derivation: seed = HMAC-SHA256(key = secp256k1 private key, data = label).
 * Versioned so a future change cannot silently collide with seeds of old transactions.
 */
export const ENCRYPTION_SEED_LABEL = "shroud/cli/tx-encryption-seed/v1";

export interface DerivedKey {
  readonly wallet: Wallet;
  readonly address: string;
  readonly publicKey: Uint8Array;
  /** 32 bytes: the `encryptionSeed` handed to SecretNetworkClient for this key. */
  readonly encryptionSeed: Uint8Array;
}

/** Normalises whitespace and checks the BIP-39 words and checksum (English list, 12–24 words). */
export function normalizeMnemonic(input: string): string {
  const m = input.trim().toLowerCase().split(/\s+/).join(" ");
  if (!validateMnemonic(m, wordlist)) throw new CliError("invalid mnemonic (not a BIP-39 English phrase)");
  return m;
}

/** A fresh 24-word mnemonic (256 bits of node's CSPRNG via @scure/bip39). */
export function newMnemonic(): string {
  return generateMnemonic(wordlist, 256);
}

export function encryptionSeedFor(privateKey: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac("sha256", privateKey).update(ENCRYPTION_SEED_LABEL, "utf8").digest());
}

/**
 * Address and public key of a mnemonic without loading secretjs (keys commands start ~1 s faster): BIP-39 seed
 * (PBKDF2-HMAC-SHA512, 2048 rounds, salt "mnemonic"), BIP-32 `HD_PATH`, bech32("secret", ripemd160(sha256(pk))).
 * Tested equal to secretjs's Wallet; `Keyring.unlock` re-checks it against the real Wallet before signing.
 */
export function publicKeyOf(mnemonic: string): { address: string; publicKey: Uint8Array } {
  const seed = pbkdf2Sync(mnemonic.normalize("NFKD"), "mnemonic", 2048, 64, "sha512");
  const key = HDKey.fromMasterSeed(seed).derive(HD_PATH);
  seed.fill(0);
  if (key.publicKey === null) throw new CliError("HD derivation gave no public key");
  const address = bech32.encode("secret", bech32.toWords(ripemd160(sha256(key.publicKey))));
  return { address, publicKey: key.publicKey };
}

/** Derives the account key exactly as secretjs does (it *is* secretjs's Wallet), plus its encryption seed. */
export async function deriveKey(mnemonic: string): Promise<DerivedKey> {
  const { Wallet: SecretWallet } = await import("secretjs");
  const wallet = new SecretWallet(mnemonic);
  return {
    wallet,
    address: wallet.address,
    publicKey: wallet.publicKey,
    encryptionSeed: encryptionSeedFor(wallet.privateKey),
  };
}
