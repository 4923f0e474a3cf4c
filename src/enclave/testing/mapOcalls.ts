// Test-only OCALL handler over a Map (hex key → value), the host store most enclave tests need: reads, writes
// and removes answered from the map `current()` returns at the time of the call (a test may swap maps), chain
// queries refused as unsupported.
import { toHex, utf8 } from "../../util/bytes.js";
import type { OcallHandler } from "../api.js";

export interface MapOcallOptions {
  /** Gas each read reports (default 1). */
  readonly readGas?: bigint;
  /** Called on every read (tests that count OCALL reads). */
  readonly onRead?: () => void;
}

export function mapOcalls(current: () => Map<string, Uint8Array>, opts: MapOcallOptions = {}): OcallHandler {
  const readGas = opts.readGas ?? 1n;
  return {
    readDb: (k) => {
      opts.onRead?.();
      return { value: current().get(toHex(k)), gasUsed: readGas };
    },
    writeDb: (k, v) => {
      current().set(toHex(k), v);
      return { gasUsed: 1n };
    },
    removeDb: (k) => {
      current().delete(toHex(k));
      return { gasUsed: 1n };
    },
    queryChain: () => ({
      result: utf8.encode('{"Err":{"unsupported_request":{"kind":"test"}}}'),
      gasUsed: 0n,
    }),
  };
}
