// Test double: an in-memory plaintext Storage with a fixed gas cost per call, so tests can assert
// exact gas. Keys are compared by hex so the map is deterministic; `entries()` returns them sorted.
import { fromHex, toHex } from "../../../util/bytes.js";
import type { GasInfo, Storage } from "../backend.js";

/** Per-call gas the mock reports (VM gas). Chosen arbitrarily but fixed so tests can sum it. */
export const MOCK_STORAGE_GAS = Object.freeze({ get: 100n, set: 200n, remove: 50n });

export class MockStorage implements Storage {
  private readonly map = new Map<string, Uint8Array>();

  get(key: Uint8Array): { value: Uint8Array | undefined; gas: GasInfo } {
    const v = this.map.get(toHex(key));
    return { value: v?.slice(), gas: { cost: MOCK_STORAGE_GAS.get } };
  }

  set(key: Uint8Array, value: Uint8Array): { gas: GasInfo } {
    this.map.set(toHex(key), value.slice());
    return { gas: { cost: MOCK_STORAGE_GAS.set } };
  }

  remove(key: Uint8Array): { gas: GasInfo } {
    this.map.delete(toHex(key));
    return { gas: { cost: MOCK_STORAGE_GAS.remove } };
  }

  /** All pairs, sorted by key bytes. */
  entries(): [Uint8Array, Uint8Array][] {
    return [...this.map.keys()].sort().map((k) => [fromHex(k), this.map.get(k)!]);
  }

  get size(): number {
    return this.map.size;
  }
}
