// Test/bench-only access to miscreant (the AES-SIV library secretjs uses). Loaded through createRequire with
// a narrow local type: miscreant's package "types" points at its TypeScript sources, which do not compile
// under this project's strict NodeNext settings.
import { createRequire } from "node:module";

interface MiscreantSiv {
  seal(plaintext: Uint8Array, associatedData: Uint8Array[]): Promise<Uint8Array>;
  open(sealed: Uint8Array, associatedData: Uint8Array[]): Promise<Uint8Array>;
}
interface MiscreantModule {
  PolyfillCryptoProvider: new () => unknown;
  SIV: { importKey(key: Uint8Array, alg: "AES-SIV", provider: unknown): Promise<MiscreantSiv> };
}

const miscreant = createRequire(import.meta.url)("miscreant") as MiscreantModule;
const provider = new miscreant.PolyfillCryptoProvider();

/** miscreant's SIV with the polyfill provider, exactly as secretjs constructs it. */
export function miscreantSiv(key: Uint8Array): Promise<MiscreantSiv> {
  return miscreant.SIV.importKey(key, "AES-SIV", provider);
}
