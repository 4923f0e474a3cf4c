// The worker's start configuration, encoded as bytes like everything else that crosses the wall.
import { utf8 } from "../../util/bytes.js";
import { CodecError, decodeFields, encodeFields } from "./codec.js";

export interface WorkerConfig {
  /** Directory for sealed enclave state. */
  readonly dataDir: string;
  /** File holding (or to hold) the platform secret that seals that state. */
  readonly platformSecretPath: string;
  /** Serve the DEBUG_ECALL table too (tests and benches only). */
  readonly debug: boolean;
  /**
   * The host answers from its event loop (query lanes, host.ts callAsync): its answers take an event-loop turn,
   * so the enclave sleeps at once instead of spinning first (mailbox.ts SPIN_POLLS).
   */
  readonly asyncHost?: boolean;
}

export function encodeWorkerConfig(c: WorkerConfig): Uint8Array {
  return encodeFields([
    utf8.encode(c.dataDir),
    utf8.encode(c.platformSecretPath),
    new Uint8Array([(c.debug ? 1 : 0) | (c.asyncHost === true ? 2 : 0)]),
  ]);
}

export function decodeWorkerConfig(bytes: Uint8Array): WorkerConfig {
  const [dataDir, platformSecretPath, flags] = decodeFields(bytes, 3, "worker config");
  if (dataDir === undefined || platformSecretPath === undefined || flags?.length !== 1) {
    throw new CodecError("worker config", `"worker config" is malformed`);
  }
  try {
    return {
      dataDir: utf8.decode(dataDir),
      platformSecretPath: utf8.decode(platformSecretPath),
      debug: (flags[0]! & 1) === 1,
      asyncHost: (flags[0]! & 2) === 2,
    };
  } catch {
    throw new CodecError("worker config", `"worker config" paths are not UTF-8`);
  }
}
