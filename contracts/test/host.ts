// A deliberately small CosmWasm host for testing the built artifacts in Node's own WebAssembly: regions, an
// in-memory store, bech32 address imports, secp256k1_verify and query_chain. It is a test double, not the VM
// (no gas, no encryption); the real VM lives in src/enclave/vm.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { bech32 } from "@scure/base";
import { Wasm, type WasmInstance, type WasmMemory, type WasmModule } from "./wasm.js";

export const BUILD_DIR = new URL("../build/", import.meta.url);
const PREFIX = "secret";
const CANONICAL_LENGTH = 20;

export function loadModule(file: string): WasmModule {
  return new Wasm.Module(readFileSync(new URL(file, BUILD_DIR)));
}

export function humanize(canonical: Uint8Array): string {
  return bech32.encode(PREFIX, bech32.toWords(canonical));
}

export function canonicalize(human: string): Uint8Array {
  const { prefix, words } = bech32.decode(human as `${string}1${string}`);
  const bytes = bech32.fromWords(words);
  if (prefix !== PREFIX || bytes.length !== CANONICAL_LENGTH) throw new Error(`invalid address ${human}`);
  return bytes;
}

/** A deterministic test address from a label. */
export function addr(label: string): string {
  return humanize(createHash("sha256").update(label).digest().subarray(0, CANONICAL_LENGTH));
}

const hexKey = (k: Uint8Array): string => Buffer.from(k).toString("hex");

export interface CallOptions {
  sender?: string;
  funds?: { denom: string; amount: string }[];
  random?: Uint8Array;
}

/** Answers a contract's `query_chain` request (JSON in, SystemResult JSON out). */
export type ChainQuerier = (request: unknown) => unknown;

/** One deployed contract: a compiled module plus its own storage; every call runs in a fresh instance. */
export class TestContract {
  readonly storage = new Map<string, Uint8Array>();
  height = 100;
  querier: ChainQuerier = () => ({ error: { unsupported_request: { kind: "none" } } });

  constructor(
    readonly module: WasmModule,
    readonly address: string,
    readonly codeHash = "00".repeat(32),
  ) {}

  /** Runs `export` with JSON args; returns the parsed JSON result. */
  call(entry: string, args: unknown[], readonly = false): unknown {
    return JSON.parse(new TextDecoder().decode(this.callBytes(entry, args, readonly)));
  }

  /** Runs `export` with JSON args; returns the raw bytes of the result region. */
  callBytes(entry: string, args: unknown[], readonly = false): Uint8Array {
    // Filled in once the instance exists; the import closures below only run after that.
    const live: { memory?: WasmMemory; instance?: WasmInstance } = {};
    const mem = (): Uint8Array => new Uint8Array(live.memory!.buffer);
    const view = (): DataView => new DataView(live.memory!.buffer);
    const readRegion = (ptr: number): Uint8Array => {
      const offset = view().getUint32(ptr, true);
      const length = view().getUint32(ptr + 8, true);
      return mem().slice(offset, offset + length);
    };
    const allocate = (bytes: Uint8Array): number => {
      const alloc = live.instance!.exports.allocate as (n: number) => number;
      const ptr = alloc(bytes.length);
      const offset = view().getUint32(ptr, true);
      mem().set(bytes, offset);
      view().setUint32(ptr + 8, bytes.length, true);
      return ptr;
    };
    const writeInto = (ptr: number, bytes: Uint8Array): void => {
      const offset = view().getUint32(ptr, true);
      if (view().getUint32(ptr + 4, true) < bytes.length) throw new Error("destination region too small");
      mem().set(bytes, offset);
      view().setUint32(ptr + 8, bytes.length, true);
    };
    const errorRegion = (message: string): number => allocate(new TextEncoder().encode(message));
    const canonicalizeInto = (src: number, dst: number): number => {
      try {
        writeInto(dst, canonicalize(new TextDecoder().decode(readRegion(src))));
        return 0;
      } catch (e) {
        return errorRegion(String(e));
      }
    };
    const humanizeInto = (src: number, dst: number): number => {
      writeInto(dst, new TextEncoder().encode(humanize(readRegion(src))));
      return 0;
    };
    const env = {
      db_read: (k: number): number => {
        const v = this.storage.get(hexKey(readRegion(k)));
        return v === undefined ? 0 : allocate(v);
      },
      db_write: (k: number, v: number): void => {
        if (readonly) throw new Error("contract tried to write to storage during a query");
        this.storage.set(hexKey(readRegion(k)), readRegion(v));
      },
      db_remove: (k: number): void => {
        if (readonly) throw new Error("contract tried to write to storage during a query");
        this.storage.delete(hexKey(readRegion(k)));
      },
      addr_validate: (src: number): number => {
        try {
          canonicalize(new TextDecoder().decode(readRegion(src)));
          return 0;
        } catch (e) {
          return errorRegion(String(e));
        }
      },
      addr_canonicalize: canonicalizeInto,
      addr_humanize: humanizeInto,
      canonicalize_address: canonicalizeInto,
      humanize_address: humanizeInto,
      secp256k1_verify: (hash: number, sig: number, pk: number): number =>
        secp256k1.verify(readRegion(sig), readRegion(hash), readRegion(pk), {
          prehash: false,
          format: "compact",
        })
          ? 0
          : 1,
      query_chain: (req: number): number => {
        const request: unknown = JSON.parse(new TextDecoder().decode(readRegion(req)));
        return allocate(new TextEncoder().encode(JSON.stringify(this.querier(request))));
      },
      debug: (): void => undefined,
      check_gas: (): bigint => 0n,
      gas_evaporate: (): number => 0,
      secp256k1_recover_pubkey: (): bigint => 1n,
      ed25519_verify: (): number => 1,
      ed25519_batch_verify: (): number => 1,
      secp256k1_sign: (): bigint => 1n,
      ed25519_sign: (): bigint => 1n,
    };
    const instance = new Wasm.Instance(this.module, { env });
    live.instance = instance;
    live.memory = instance.exports.memory as WasmMemory;
    const ptrs = args.map((a) => allocate(new TextEncoder().encode(JSON.stringify(a))));
    const fn = instance.exports[entry] as (...p: number[]) => number;
    return readRegion(fn(...ptrs));
  }

  envV1(o: CallOptions = {}): unknown {
    const block: Record<string, unknown> = {
      height: this.height,
      time: `${this.height * 5}000000000`,
      chain_id: "shroud-1",
    };
    if (o.random) block.random = Buffer.from(o.random).toString("base64");
    return { block, transaction: null, contract: { address: this.address, code_hash: this.codeHash } };
  }

  infoV1(o: CallOptions = {}): unknown {
    return { sender: o.sender ?? addr("alice"), funds: o.funds ?? [] };
  }

  instantiate(msg: unknown, o: CallOptions = {}): unknown {
    return this.call("instantiate", [this.envV1(o), this.infoV1(o), msg]);
  }

  execute(msg: unknown, o: CallOptions = {}): unknown {
    return this.call("execute", [this.envV1(o), this.infoV1(o), msg]);
  }

  reply(msg: unknown): unknown {
    return this.call("reply", [this.envV1(), msg]);
  }

  query(msg: unknown): unknown {
    return this.call("query", [this.envV1(), msg], true);
  }

  envV010(o: CallOptions = {}): unknown {
    return {
      block: { height: this.height, time: this.height * 5, chain_id: "shroud-1" },
      message: { sender: o.sender ?? addr("alice"), sent_funds: o.funds ?? [] },
      contract: { address: this.address },
      contract_key: null,
      contract_code_hash: this.codeHash,
    };
  }
}

/** Decodes base64 `data` / query answers into JSON. */
export function fromB64Json(b64: unknown): unknown {
  if (typeof b64 !== "string") throw new Error(`expected base64 string, got ${JSON.stringify(b64)}`);
  return JSON.parse(Buffer.from(b64, "base64").toString("utf8"));
}
