// `npm run bench:crypto`: AES-SIV (ours vs miscreant vs @noble/ciphers) and X25519 (node:crypto vs
// curve25519-js), one table from one run. The measuring code is src/enclave/crypto/cryptoBench.ts; it runs
// here as a child process because enclave internals may not be imported from outside src/enclave (one door).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

// Compiled (scripts/bench.mjs), this file is bench/crypto.js and the child runs the compiled cryptoBench.js too.
const compiled = import.meta.url.endsWith(".js");
const body = fileURLToPath(
  new URL(`../src/enclave/crypto/cryptoBench.${compiled ? "js" : "ts"}`, import.meta.url),
);
const r = spawnSync(process.execPath, [...(compiled ? [] : ["--import", "tsx"]), body], { stdio: "inherit" });
process.exitCode = r.status ?? 1;
