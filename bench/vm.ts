// `npm run bench:vm`: SNIP-20 transfer executions/s (encrypted vs plaintext, metered vs unmetered, ours vs
// @terran-one/cosmwasm-vm-js) and compile vs cached instantiate, one table from one run. The measuring code
// is src/enclave/vm/vmBench.ts; it runs here as a child process because enclave internals may not be
// imported from outside src/enclave (one door). Extra arguments (--quick, --no-profile) are passed on.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

// Compiled (scripts/bench.mjs), this file is bench/vm.js and the child runs the compiled vmBench.js too.
const compiled = import.meta.url.endsWith(".js");
const body = fileURLToPath(new URL(`../src/enclave/vm/vmBench.${compiled ? "js" : "ts"}`, import.meta.url));
const r = spawnSync(
  process.execPath,
  [...(compiled ? [] : ["--import", "tsx"]), body, ...process.argv.slice(2)],
  {
    stdio: "inherit",
  },
);
process.exitCode = r.status ?? 1;
