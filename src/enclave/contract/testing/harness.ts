// Test harness for the contract operations: fixed two-seed keys, an in-memory plain store with fixed gas
// per OCALL, a secretjs client for the user side, and the WAT echo contract (../../vm/testdata/harness.wat).
import { EncryptionUtilsImpl } from "secretjs";
import { toHex, utf8 } from "../../../util/bytes.js";
import { sha256 } from "../../crypto/hash.js";
import { x25519PublicKey } from "../../crypto/x25519.js";
import type { PlainStore } from "../../encryptedStorage.js";
import { fixedKeys } from "../../testing/fixedKeys.js";
import { compileModule } from "../../vm/instance.js";
import { humanize } from "../../vm/testing/mockApi.js";
import { watFileToWasm } from "../../vm/testing/wat.js";
import type { BaseEnv } from "../../vm/environment.js";
import type { WasmModule } from "../../vm/webassembly.js";
import type { RawQueryFn } from "../querier.js";

/** Two seeds, as on mainnet after seed-rotation phase 1 (spec §3.6). */
export const keys = fixedKeys([new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)]);
export const ioPubkey = x25519PublicKey(keys.ioExchangeSecretKey());

export const STORE_GAS = Object.freeze({ read: 10n, write: 20n, remove: 5n });

export class MemStore implements PlainStore {
  readonly map = new Map<string, Uint8Array>();
  read(key: Uint8Array) {
    return { value: this.map.get(toHex(key)), gas: STORE_GAS.read };
  }
  write(key: Uint8Array, value: Uint8Array) {
    this.map.set(toHex(key), value.slice());
    return { gas: STORE_GAS.write };
  }
  remove(key: Uint8Array) {
    this.map.delete(toHex(key));
    return { gas: STORE_GAS.remove };
  }
}

/** A secretjs client with the IO key cached (no network), as in ../../secretjs.test.ts. */
export function client(seed = new Uint8Array(32).fill(9)): EncryptionUtilsImpl {
  const utils = new EncryptionUtilsImpl("http://unused.invalid", seed);
  (utils as unknown as { consensusIoPubKey: Uint8Array }).consensusIoPubKey = ioPubkey;
  return utils;
}

export interface Code {
  readonly wasm: Uint8Array;
  readonly module: WasmModule;
  readonly codeHash: Uint8Array;
  readonly hex: string;
}

export async function loadWat(name: string): Promise<Code> {
  const wasm = await watFileToWasm(new URL(`../../vm/testdata/${name}`, import.meta.url));
  const codeHash = sha256(wasm);
  return { wasm, module: compileModule(wasm), codeHash, hex: toHex(codeHash) };
}

export const SENDER = humanize(new Uint8Array(20).fill(5));
export const CONTRACT = humanize(new Uint8Array(20).fill(6));
export const CONTRACT_B = humanize(new Uint8Array(20).fill(8));

export function baseEnv(
  over: Partial<{ sender: string; contract: string; funds: { denom: string; amount: string }[] }> = {},
): BaseEnv {
  return {
    block: { height: 100n, timeNanos: 1_700_000_000_000_000_000n, chainId: "secret-4" },
    message: { sender: over.sender ?? SENDER, funds: over.funds ?? [] },
    contract: { address: over.contract ?? CONTRACT },
  };
}

export const noQuery: RawQueryFn = () => ({
  result: utf8.encode(JSON.stringify({ Err: { unsupported_request: { kind: "test" } } })),
  gasUsed: 0n,
});
