// secp256k1 verify cost inside an enclave worker, per backend: thread CPU (`/proc/self/task/*/schedstat`) of the
// worker around one debugSecp256k1 ECALL of N verifies, rounds alternating wasm / native / production path.
// Run: node --import tsx src/enclave/crypto/secp256k1Worker.bench.ts [N] [rounds] (not a test: no .test in the name)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEBUG_ECALL } from "../api.js";
import { EnclaveIsolate } from "../host.js";

const N = Number(process.argv[2] ?? 4000);
const ROUNDS = Number(process.argv[3] ?? 4);
const MODES = [
  [1, "wasm, key parsed per verify"],
  [2, "native, key parsed per verify"],
  [0, "production path (key cached)"],
] as const;

/** CPU ms of every thread of this process (schedstat: ns on CPU). */
function threadsCpuMs(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    out.set(tid, Number(readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[0]) / 1e6);
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), "shroud-secp-bench-"));
const iso = await EnclaveIsolate.start({
  dataDir: join(dir, "data"),
  platformSecretPath: join(dir, "ps"),
  debug: true,
});
try {
  const perMode = new Map<number, string[]>(MODES.map(([m]) => [m, []]));
  let backend = "";
  for (let round = 0; round < ROUNDS; round++) {
    for (const [mode] of MODES) {
      const payload = new Uint8Array(5);
      payload[0] = mode;
      new DataView(payload.buffer).setUint32(1, N);
      const before = threadsCpuMs();
      const r = iso.call(DEBUG_ECALL.debugSecp256k1, payload);
      const after = threadsCpuMs();
      if (!("ok" in r)) throw new Error(r.error.message);
      backend = r.ok[0] === 1 ? "native" : "wasm";
      // The worker is the thread that did the work: the largest CPU delta.
      const cpu = Math.max(...[...after].map(([t, ms]) => ms - (before.get(t) ?? 0)));
      perMode.get(mode)!.push(((cpu * 1000) / N).toFixed(1));
    }
  }
  console.log(`enclave worker, ${N} verifies per round, this isolate's backend: ${backend}`);
  for (const [mode, name] of MODES) console.log(`${name}: ${perMode.get(mode)!.join(" ")} µs CPU per verify`);
} finally {
  await iso.stop();
  rmSync(dir, { recursive: true, force: true });
}
