// The enclave's key caches on a long-running node (bench/boundedCaches.ts runs this file as a child process:
// enclave internals may not be imported from outside src/enclave). 20,000 distinct signers in turn, so once a
// cache is full every call misses and evicts:
//   secp256k1: secp256k1Verify with r = 0 (false right after the key check), distinct compressed keys: the SEC1
//              check, libsecp256k1's key parse and the parsed-key cache (4,096) per call;
//   x25519:    x25519SharedSecretCached of the IO key with distinct peer keys: the shared-secret LRU (1,024 per
//              secret key) around a public-key import and an X25519 per call.
// Prints this thread's CPU µs (schedstat) per call per window (one cache capacity of calls each; the first window fills the cache).
// Run: node --import tsx src/enclave/crypto/keyCacheBench.ts [windows] [reps]
import { openSync, readSync } from "node:fs";
import { secp256k1PublicKey, secp256k1Verify } from "./secp256k1.js";
import { clearX25519Caches, x25519PublicKey, x25519SharedSecretCached } from "./x25519.js";

const WINDOWS = Number(process.argv[2] ?? 12);
const REPS = Number(process.argv[3] ?? 2);
const SIGNERS = 20_000;

const statFd = openSync("/proc/thread-self/schedstat", "r");
const statBuf = Buffer.alloc(128);
/** ns on CPU of this thread (as bench/threadCpu.ts: getrusage first brings the count up to date). */
function threadCpuNs(): number {
  process.cpuUsage();
  const n = readSync(statFd, statBuf, 0, statBuf.length, 0);
  const s = statBuf.toString("latin1", 0, n);
  return Number(s.slice(0, s.indexOf(" ")));
}

function windows(label: string, size: number, call: (i: number) => void): void {
  for (let r = 0; r < REPS; r++) {
    const out: string[] = [];
    let i = r * size * WINDOWS; // each rep starts past the previous one's keys: all misses again
    for (let w = 0; w < WINDOWS; w++) {
      const t0 = threadCpuNs();
      for (const end = i + size; i < end; i++) call(i);
      out.push(((threadCpuNs() - t0) / size / 1000).toFixed(2));
    }
    console.log(`  ${label} run ${r + 1}: ${out.join(" ")}`);
  }
}

const secpKeys = Array.from({ length: SIGNERS }, (_, i) => {
  const sk = new Uint8Array(32).fill(0x11);
  new DataView(sk.buffer).setUint32(0, i + 1);
  return secp256k1PublicKey(sk);
});
const hash = new Uint8Array(32).fill(9);
const rZero = new Uint8Array(64);
rZero[63] = 1;
console.log(
  `enclave secp256k1 parsed-key cache (4,096): CPU µs per call, windows of 4,096 calls, ${SIGNERS} signers`,
);
windows("secp256k1", 4096, (i) => {
  if (secp256k1Verify(hash, rZero, secpKeys[i % SIGNERS]!)) throw new Error("r = 0 verified");
});

const ioKey = new Uint8Array(32).fill(0x22);
const peers = Array.from({ length: SIGNERS }, (_, i) => {
  const sk = new Uint8Array(32).fill(0x33);
  new DataView(sk.buffer).setUint32(0, i);
  return x25519PublicKey(sk);
});
clearX25519Caches();
console.log(
  `enclave x25519 shared secrets (1,024 per key): CPU µs per call, windows of 1,024 calls, ${SIGNERS} peers`,
);
windows("x25519", 1024, (i) => x25519SharedSecretCached(ioKey, peers[i % SIGNERS]!).fill(0));
