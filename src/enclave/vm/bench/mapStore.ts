// One in-memory map serving as both the host store under EncryptedStorage (variant A) and the plain
// Storage of the bare VM (variants B, C), so the encryption-overhead ratio compares encryption, not two
// map implementations. Counts operations per execution. Bench-only.
import type { PlainStore } from "../../encryptedStorage.js";
import type { GasInfo, Storage } from "../backend.js";

/** Fixed per-call gas (VM gas), as the test harness's MemStore; speed does not depend on it. */
const GAS = Object.freeze({ read: 10n, write: 20n, remove: 5n });

/** Operation counts, reset before the execution to describe. */
export class OpCounts {
  reads = 0;
  writes = 0;
  removes = 0;
  reset(): void {
    this.reads = this.writes = this.removes = 0;
  }
  toString(): string {
    return `${this.reads} reads, ${this.writes} writes, ${this.removes} removes`;
  }
}

/** Byte string → JS string key, one char per byte (no hex; a Buffer only for long keys). */
function keyOf(b: Uint8Array): string {
  if (b.length <= 64) return String.fromCharCode.apply(null, b as unknown as number[]);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
}

class CountingMap {
  private readonly map = new Map<string, Uint8Array>();
  constructor(readonly counts: OpCounts) {}
  read(key: Uint8Array): Uint8Array | undefined {
    this.counts.reads++;
    return this.map.get(keyOf(key))?.slice();
  }
  write(key: Uint8Array, value: Uint8Array): void {
    this.counts.writes++;
    this.map.set(keyOf(key), value.slice());
  }
  remove(key: Uint8Array): void {
    this.counts.removes++;
    this.map.delete(keyOf(key));
  }
}

/** The host side under EncryptedStorage (OCALL readDb/writeDb/removeDb). */
export class BenchPlainStore implements PlainStore {
  private readonly m: CountingMap;
  constructor(counts: OpCounts) {
    this.m = new CountingMap(counts);
  }
  read(key: Uint8Array) {
    return { value: this.m.read(key), gas: GAS.read };
  }
  write(key: Uint8Array, value: Uint8Array) {
    this.m.write(key, value);
    return { gas: GAS.write };
  }
  remove(key: Uint8Array) {
    this.m.remove(key);
    return { gas: GAS.remove };
  }
}

/** The bare VM's plaintext Storage (the contract's own keys and values). */
export class BenchStorage implements Storage {
  private readonly m: CountingMap;
  constructor(counts: OpCounts) {
    this.m = new CountingMap(counts);
  }
  get(key: Uint8Array): { value: Uint8Array | undefined; gas: GasInfo } {
    return { value: this.m.read(key), gas: { cost: GAS.read } };
  }
  set(key: Uint8Array, value: Uint8Array): { gas: GasInfo } {
    this.m.write(key, value);
    return { gas: { cost: GAS.write } };
  }
  remove(key: Uint8Array): { gas: GasInfo } {
    this.m.remove(key);
    return { gas: { cost: GAS.remove } };
  }
}
