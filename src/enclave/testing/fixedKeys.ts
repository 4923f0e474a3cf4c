// Test-only EnclaveKeys built from fixed seeds with the spec §2.2 derivation table. Never used by the node:
// the real keychain (../keychain.ts) holds sealed seeds. Lets IO/storage tests reproduce spec §12 vectors.
import { deriveSeedKey } from "../crypto/kdf.js";
import type { EnclaveKeys } from "../keys.js";

/** spec §2.2 derivation orders. */
const ORDER = {
  io: 2,
  stateIkm: 3,
  callback: 4,
  random: 5,
  initialRandom: 6,
  adminProof: 7,
  keyProof: 8,
} as const;

export function fixedKeys(seeds: readonly Uint8Array[]): EnclaveKeys {
  if (seeds.length === 0) throw new Error("at least one seed");
  const at = (i: number): Uint8Array => {
    const s = seeds[i];
    if (s === undefined) throw new Error(`no seed ${i}`);
    return s;
  };
  const last = seeds.length - 1;
  return {
    seedCount: seeds.length,
    ioExchangeSecretKey: () => deriveSeedKey(at(last), ORDER.io),
    stateIkm: (i) => deriveSeedKey(at(i), ORDER.stateIkm),
    callbackSecret: () => deriveSeedKey(at(last), ORDER.callback),
    randomEncryptionKey: () => deriveSeedKey(at(last), ORDER.random),
    initialRandomnessSeed: (i) => deriveSeedKey(at(i), ORDER.initialRandom),
    adminProofSecret: (i) => deriveSeedKey(at(i), ORDER.adminProof),
    contractKeyProofSecret: (i) => deriveSeedKey(at(i), ORDER.keyProof),
  };
}
