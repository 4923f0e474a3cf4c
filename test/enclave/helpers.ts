// Shared helpers for the enclave wall tests: a throwaway data dir, a started debug host, an in-memory OCALL store.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EnclaveHost, type EnclaveHostOptions, type OcallHandler } from "../../src/enclave/api.js";

export interface TestEnclave {
  readonly host: EnclaveHost;
  readonly dir: string;
  close(): Promise<void>;
}

/** Starts an enclave with the debug ECALLs in a fresh temp dir; `close` stops it and removes the dir. */
export async function startTestEnclave(extra: Partial<EnclaveHostOptions> = {}): Promise<TestEnclave> {
  const dir = mkdtempSync(join(tmpdir(), "shroud-enclave-"));
  const host = await EnclaveHost.start({
    dataDir: join(dir, "data"),
    platformSecretPath: join(dir, "platform-secret"),
    debugEcalls: true,
    ecallTimeoutMs: 20_000,
    ...extra,
  });
  return {
    host,
    dir,
    close: async () => {
      await host.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** An OcallHandler over a Map; gas = bytes touched, so tests can check gas is carried on every path. */
export function memoryOcalls(
  queryChain: OcallHandler["queryChain"] = () => ({ result: new Uint8Array(0), gasUsed: 0n }),
): { handler: OcallHandler; store: Map<string, Uint8Array> } {
  const store = new Map<string, Uint8Array>();
  const handler: OcallHandler = {
    readDb: (key) => {
      const value = store.get(hex(key));
      return { value, gasUsed: BigInt(key.length + (value?.length ?? 0)) };
    },
    writeDb: (key, value) => {
      store.set(hex(key), value);
      return { gasUsed: BigInt(key.length + value.length) };
    },
    removeDb: (key) => {
      store.delete(hex(key));
      return { gasUsed: BigInt(key.length) };
    },
    queryChain,
  };
  return { handler, store };
}

/** Minimal script writer for DEBUG_ECALL.debugOcalls (mirrors src/enclave/channel/debugEcalls.ts). */
export class OcallScript {
  private readonly parts: Uint8Array[] = [];
  private count = 0;

  private push(...chunks: Uint8Array[]): this {
    this.parts.push(...chunks);
    this.count++;
    return this;
  }

  read(key: Uint8Array): this {
    return this.push(Uint8Array.of(1), lp(key));
  }
  write(key: Uint8Array, value: Uint8Array): this {
    return this.push(Uint8Array.of(2), lp(key), lp(value));
  }
  remove(key: Uint8Array): this {
    return this.push(Uint8Array.of(3), lp(key));
  }
  /** One readDbFirst OCALL: `key`, then `fallback` only when `key` is missing. Output: u8 hit ‖ opt value. */
  readFirst(key: Uint8Array, fallback: Uint8Array): this {
    return this.push(Uint8Array.of(6), lp(key), lp(fallback));
  }
  /** One applyBatch OCALL: removals (value undefined) and writes, in order. */
  batch(ops: readonly { key: Uint8Array; value?: Uint8Array }[]): this {
    return this.push(Uint8Array.of(5), ...batchBody(ops));
  }
  /** The same ops handed to the ECALL response (deferWrites), applied by the host after the handler returns. */
  deferBatch(ops: readonly { key: Uint8Array; value?: Uint8Array }[]): this {
    return this.push(Uint8Array.of(7), ...batchBody(ops));
  }
  query(request: Uint8Array, gasLimit: bigint): this {
    const g = Buffer.alloc(8);
    g.writeBigUInt64BE(gasLimit);
    return this.push(Uint8Array.of(4), g, lp(request));
  }
  build(): Uint8Array {
    const n = Buffer.alloc(4);
    n.writeUInt32BE(this.count);
    return Buffer.concat([n, ...this.parts]);
  }
}

function batchBody(ops: readonly { key: Uint8Array; value?: Uint8Array }[]): Uint8Array[] {
  const parts = ops.map((op) =>
    op.value === undefined
      ? Buffer.concat([Uint8Array.of(0), lp(op.key)])
      : Buffer.concat([Uint8Array.of(1), lp(op.key), lp(op.value)]),
  );
  return [u32(ops.length), ...parts];
}

export function lp(b: Uint8Array): Uint8Array {
  const n = Buffer.alloc(4);
  n.writeUInt32BE(b.length);
  return Buffer.concat([n, b]);
}

export function u32(n: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return new Uint8Array(b);
}

/** The fields of a contract ECALL request that the wall tests vary (the rest are fixed below). */
export interface HandRequest {
  readonly codeHash: Uint8Array;
  readonly chainId: string;
  readonly sender: string;
  readonly contract: string;
  readonly msg: Uint8Array;
  readonly contractKey?: Uint8Array;
  readonly sigInfo?: { signMode: number; signBytes: Uint8Array; signature: Uint8Array; txBytes: Uint8Array };
}

/**
 * A contract ECALL request built by hand from the layout in src/enclave/contract/README.md "ECALL wire
 * format" (not with the encoder under test): height 5, a fixed time, no funds, no tx, msg_counter 0, depth 0,
 * no callback sig / admin / random / prefetch, no wasm (loaded before).
 */
export function handRequest(r: HandRequest): Uint8Array {
  const f64 = (n: number): Buffer => {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(n);
    return b;
  };
  const u64 = (n: bigint): Buffer => {
    const b = Buffer.alloc(9);
    b[0] = 1;
    b.writeBigUInt64BE(n, 1);
    return b;
  };
  const str = (s: string): Uint8Array => Buffer.concat([Buffer.of(0), lp(Buffer.from(s, "utf8"))]);
  const none = Buffer.of(0);
  const key = r.contractKey === undefined ? [none] : [Buffer.of(1), lp(r.contractKey), none, none];
  const g = r.sigInfo;
  const sig =
    g === undefined
      ? [none]
      : [Buffer.of(1), f64(g.signMode), none, lp(g.signBytes), lp(g.signature), lp(g.txBytes)];
  return Buffer.concat([
    Buffer.of(1), // format
    lp(r.codeHash),
    u64(5n),
    u64(1_700_000_000_000_000_000n),
    str(r.chainId),
    str(r.sender),
    u32(0), // funds
    str(r.contract),
    none, // transaction
    u64(0n), // msg_counter
    f64(0), // query_depth
    ...key,
    none, // callback_sig
    none, // admin
    none, // admin_proof
    none, // block_random
    ...sig,
    lp(r.msg),
    none, // prefetch
  ]);
}
