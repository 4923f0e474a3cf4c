// Verify-lane microbench (src/enclave/verifyLane.ts): CPU per signature check on the lane's thread, the same
// checks as one synchronous verifySignatures ECALL on the main isolate, and the main isolate's share of the
// secp256k1 verify (a DIRECT signature through verifyTxBinding in-process, with and without a token).
// Run: node --import tsx src/enclave/verifyLane.bench.ts [N] (not a test: the file name has no .test)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EnclaveHost, type SignatureCheck } from "./api.js";
import { accountOf, msgExecute, signTx } from "./contract/testing/signedTx.js";
import { encodeVerifyRequest } from "./ecalls/verify.js";
import { issueVerdict, verifyTxBinding } from "./contract/txSignature.js";
import { VerdictMac } from "./contract/verdict.js";
import { humanize } from "./vm/addressApi.js";

const N = Number(process.argv[2] ?? 512);
const TICK_MS = 10; // /proc stat times are in clock ticks (USER_HZ = 100 on Linux)

/** CPU ms of every thread of this process, by thread id. */
function threadsCpuMs(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    const f = readFileSync(`/proc/self/task/${tid}/stat`, "utf8").split(") ")[1]!.split(" ");
    out.set(tid, (Number(f[11]) + Number(f[12])) * TICK_MS);
  }
  return out;
}
const busiest = (a: Map<string, number>, b: Map<string, number>): number =>
  Math.max(...[...b].map(([t, ms]) => ms - (a.get(t) ?? 0)));

const SK = new Uint8Array(32).fill(0x71);
const user = accountOf(SK);
const CONTRACT = new Uint8Array(20).fill(3);
const txs = Array.from({ length: N }, (_, i) =>
  signTx(SK, [msgExecute(user.canonical, CONTRACT, new Uint8Array(200).fill(i & 0xff), [])]),
);
const checks: SignatureCheck[] = txs.map((t, i) => ({ key: String(i), ...t, signer: user.canonical }));

const dir = mkdtempSync(join(tmpdir(), "shroud-bench-verify-"));
const host = await EnclaveHost.start({
  dataDir: join(dir, "e"),
  platformSecretPath: join(dir, "ps"),
  verifyLane: true,
});
try {
  const lane = host.verdictLane!;
  for (let round = 0; round < 3; round++) {
    lane.clear();
    const t0 = threadsCpuMs();
    const w0 = performance.now();
    lane.submit(checks);
    await lane.drain(60_000);
    const laneMs = busiest(t0, threadsCpuMs());
    const wall = performance.now() - w0;
    // The same checks as synchronous ECALLs on the main isolate (its thread's CPU ≈ the wall: we wait).
    const s0 = performance.now();
    for (let i = 0; i < N; i += 32)
      host.ecall("verifySignatures", encodeVerifyRequest(checks.slice(i, i + 32)));
    const syncMs = performance.now() - s0;
    console.log(
      `round ${round}: lane ${((laneMs / N) * 1000).toFixed(0)} µs CPU/check (wall ${((wall / N) * 1000).toFixed(0)} µs), ` +
        `main isolate ECALL ${((syncMs / N) * 1000).toFixed(0)} µs/check, tokens ${lane.stats.issued}`,
    );
  }
  // In-process: the signature step of verifyTxBinding with and without a token.
  const mac = VerdictMac.derive(new Uint8Array(32).fill(1));
  const call = (i: number) => ({
    op: "execute" as const,
    senderCanonical: user.canonical,
    senderHuman: humanize(user.canonical),
    contractCanonical: CONTRACT,
    contractHuman: humanize(CONTRACT),
    funds: [],
    message: new Uint8Array(200).fill(i & 0xff),
    admin: "",
  });
  const tokens = txs.map((t) => issueVerdict(t, user.canonical, mac)!);
  for (let round = 0; round < 3; round++) {
    const a = performance.now();
    txs.forEach((t, i) => {
      verifyTxBinding(t, call(i));
    });
    const b = performance.now();
    txs.forEach((t, i) => {
      verifyTxBinding({ ...t, verdict: { token: tokens[i]!, mac } }, call(i));
    });
    const c = performance.now();
    console.log(
      `in-process verifyTxBinding: ${(((b - a) / N) * 1000).toFixed(0)} µs without a token, ${(((c - b) / N) * 1000).toFixed(0)} µs with one`,
    );
  }
} finally {
  await host.stop();
  rmSync(dir, { recursive: true, force: true });
}
