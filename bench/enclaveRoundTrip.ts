// ECALL/OCALL round-trip benchmark through the real worker isolate: one ECALL with a 256-byte payload and
// one synchronous OCALL with a 256-byte key, median of many, beside the targets (ECALL ≤ 50 µs, OCALL ≤ 20 µs).
// Run: node --import tsx bench/enclaveRoundTrip.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { EnclaveHost, type OcallHandler } from "../src/enclave/api.js";

const PAYLOAD_BYTES = 256;
const ECALL_SAMPLES = 20_000;
/** OCALLs are timed in batches inside one ECALL (the per-batch ECALL cost is subtracted). */
const OCALL_BATCH = 200;
const OCALL_BATCHES = 200;
const WARMUP = 2_000;
export const TARGET_ECALL_US = 50;
export const TARGET_OCALL_US = 20;

export interface EnclaveRoundTripResult {
  readonly ecallMedianUs: number;
  readonly ecallP90Us: number;
  readonly ocallMedianUs: number;
  readonly ocallP90Us: number;
  /** Mean over every OCALL timed (batch medians hide preemption spikes on a loaded machine; this does not). */
  readonly ocallMeanUs: number;
  readonly ecallMeanUs: number;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

function timeUs(f: () => void): number {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1000;
}

function loopPayload(n: number, key: Uint8Array): Uint8Array {
  const p = new Uint8Array(4 + key.length);
  new DataView(p.buffer).setUint32(0, n);
  p.set(key, 4);
  return p;
}

export async function runEnclaveRoundTripBench(): Promise<EnclaveRoundTripResult> {
  const dir = mkdtempSync(join(tmpdir(), "shroud-bench-"));
  const host = await EnclaveHost.start({
    dataDir: join(dir, "data"),
    platformSecretPath: join(dir, "platform-secret"),
    debugEcalls: true,
  });
  try {
    const payload = new Uint8Array(PAYLOAD_BYTES).fill(0x5a);
    const value = new Uint8Array(PAYLOAD_BYTES).fill(0xa5);
    const ocalls: OcallHandler = {
      readDb: () => ({ value, gasUsed: 1n }),
      writeDb: () => ({ gasUsed: 1n }),
      removeDb: () => ({ gasUsed: 1n }),
      queryChain: () => ({ result: value, gasUsed: 1n }),
    };
    for (let i = 0; i < WARMUP; i++) host.ecall("debugEcho", payload);
    const ecall: number[] = [];
    for (let i = 0; i < ECALL_SAMPLES; i++) ecall.push(timeUs(() => host.ecall("debugEcho", payload)));
    ecall.sort((a, b) => a - b);
    const ecallMedian = quantile(ecall, 0.5);

    const batch = loopPayload(OCALL_BATCH, payload);
    for (let i = 0; i < 10; i++) host.ecall("debugReadLoop", batch, { ocalls });
    const ocall: number[] = [];
    for (let i = 0; i < OCALL_BATCHES; i++) {
      const us = timeUs(() => host.ecall("debugReadLoop", batch, { ocalls }));
      ocall.push(Math.max(0, us - ecallMedian) / OCALL_BATCH);
    }
    const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const ocallMeanUs = mean(ocall);
    ocall.sort((a, b) => a - b);
    return {
      ecallMeanUs: mean(ecall),
      ocallMeanUs,
      ecallMedianUs: ecallMedian,
      ecallP90Us: quantile(ecall, 0.9),
      ocallMedianUs: quantile(ocall, 0.5),
      ocallP90Us: quantile(ocall, 0.9),
    };
  } finally {
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function verdict(us: number, target: number): string {
  return us <= target ? "meets target" : "ABOVE target";
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const r = await runEnclaveRoundTripBench();
  console.log(
    `ECALL round trip (${PAYLOAD_BYTES} B): median ${r.ecallMedianUs.toFixed(1)} µs, p90 ${r.ecallP90Us.toFixed(1)} µs, ` +
      `mean ${r.ecallMeanUs.toFixed(1)} µs (target ≤ ${TARGET_ECALL_US} µs: ${verdict(r.ecallMedianUs, TARGET_ECALL_US)})`,
  );
  console.log(
    `OCALL round trip (${PAYLOAD_BYTES} B): median ${r.ocallMedianUs.toFixed(1)} µs, p90 ${r.ocallP90Us.toFixed(1)} µs, ` +
      `mean ${r.ocallMeanUs.toFixed(1)} µs (target ≤ ${TARGET_OCALL_US} µs: ${verdict(r.ocallMedianUs, TARGET_OCALL_US)})`,
  );
}
