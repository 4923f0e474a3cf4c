#!/usr/bin/env -S node --single-threaded-gc --min-semi-space-size=16 --interrupt-budget=16896
// Entry point of the `shroud` command: the compiled CLI (dist/cli/main.js) when the package is built, otherwise
// the TypeScript sources through tsx (a dev checkout). SHROUD_FROM_SOURCE=1 forces the sources.
// --single-threaded-gc (V8; only settable at start, hence the shebang): a node runs a REST thread plus enclave
// isolates on few cores, and V8's parallel/concurrent GC helpers competing with them for the cores caused the
// 10-25 ms tail stalls of smart queries (docs/BENCHMARKS.md "REST queries"). On the block path it moves each
// isolate's GC onto its own thread: per SNIP-20 transfer ~+0.1 ms on the main thread and ~+0.05 on the enclave
// worker, ~-0.15 on V8's helpers; process CPU and tx/s the same within the noise of a loaded 2-core box
// (docs/BENCHMARKS.md "V8 background threads (session 9, G4)", where other GC/JIT flags were tried too).
// --min-semi-space-size=16 (MiB; V8's default maximum): each isolate's young generation starts at full size
// instead of 1 MiB (V8 grows it only when much survives a scavenge, which a node's per-tx garbage rarely does).
// Localnet nodes with it, beside nodes without under one load, used 6-12% less CPU per tx (main thread and
// enclave worker alike), for ~+50 MB RSS per node (docs/BENCHMARKS.md "Localnet node CPU (session 12, K4)").
// --interrupt-budget=16896 (V8's default 67584, a quarter): TurboFan optimizes a function after a quarter of the
// interpreted/baseline execution it waits for by default, so a node's tx path reaches its optimized steady state
// within its first few thousand txs instead of still compiling (and running baseline code) after them. Localnet
// nodes with it beside nodes without under one load, after a 3,000-tx warm-up: −3 to −12% CPU per tx (main
// thread, enclave worker and V8's compile threads alike); steady state is not changed (docs/BENCHMARKS.md
// "Node CPU in app mode (session 18, P1)").
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const compiled = new URL("../dist/cli/main.js", import.meta.url);
let cli;
if (process.env.SHROUD_FROM_SOURCE !== "1" && existsSync(fileURLToPath(compiled))) {
  cli = await import(compiled.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  cli = await import(new URL("../src/cli/main.ts", import.meta.url).href);
}
await cli.main(process.argv);
