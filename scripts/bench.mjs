#!/usr/bin/env node
// Runs a bench on the TypeScript sources through tsx (the default: what the `bench:*` npm scripts ran before), or
// with `--compiled` (or BENCH_COMPILED=1) on the compiled build, as users run Shroud (`bin/shroud.js` runs tsc's
// output under plain node). docs/BENCHMARKS.md "Compiled build vs tsx (session 12, K5)": no measurable difference
// in a SNIP-20 transfer's CPU, so tsx stays the default (no build step).
// Usage: node scripts/bench.mjs <bench/entry.ts> [--compiled] [bench arguments…]
//        node scripts/bench.mjs --build-only        (npm run bench:build)
// Compiled: tsc (tsconfig.bench.json, transpile only: `npm run typecheck` is the type check) writes src/, bench/
// and what they import into .bench-build/ (ignored, never committed), rebuilt when any source, tsconfig or this
// script is newer than the last build; the folder also gets src's and bench's non-TS files (test data) and a
// `contracts` symlink, so paths built from `import.meta.url` resolve as in the tree. Then
// `node .bench-build/bench/<entry>.js …` runs in a child process (same flags as the tsx run minus tsx's
// `--import`). The enclave measures .bench-build/src (its own compiled files) and starts worker.js, as in dist/.
// Other tools run on the build directly: `npm run bench:build && node --cpu-prof .bench-build/bench/chain/probe.js`.
import { spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { constants } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = join(ROOT, ".bench-build");
const STAMP = join(OUT, ".built");
/** What the build reads: a change to any of these (or a file added/removed under them) means a rebuild. */
const INPUTS = ["src", "bench", "test", "tsconfig.json", "tsconfig.bench.json", "scripts/bench.mjs"];

/** Newest mtime (ms) of the files and folders under `p` (a folder's mtime moves when an entry is added/removed). */
function newest(p) {
  const st = statSync(p, { throwIfNoEntry: false });
  if (st === undefined) return 0;
  let t = st.mtimeMs;
  if (st.isDirectory())
    for (const name of readdirSync(p)) if (name !== "node_modules") t = Math.max(t, newest(join(p, name)));
  return t;
}

/** Copies the non-TypeScript files under `dir` (test data, scripts) to the same place under OUT. */
function copyAssets(dir) {
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const rel = join(dir, e.name);
    if (e.isDirectory()) copyAssets(rel);
    else if (e.isFile() && !e.name.endsWith(".ts") && !e.name.endsWith(".md"))
      cpSync(join(ROOT, rel), join(OUT, rel));
  }
}

/** Builds .bench-build/ unless it is newer than every input. Returns false if tsc failed. */
function ensureBuilt() {
  const stamp = statSync(STAMP, { throwIfNoEntry: false });
  if (stamp !== undefined && INPUTS.every((p) => newest(join(ROOT, p)) < stamp.mtimeMs)) return true;
  const started = new Date();
  process.stderr.write("bench: compiling src + bench with tsc into .bench-build/ … ");
  rmSync(OUT, { recursive: true, force: true });
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.bench.json"), "--noCheck"], {
    stdio: "inherit",
  });
  if (r.status !== 0) {
    process.stderr.write("tsc failed\n");
    return false;
  }
  copyAssets("src");
  copyAssets("bench");
  symlinkSync("../contracts", join(OUT, "contracts"));
  // The stamp carries the build's start time: a source edited during the build is newer, so it rebuilds next time.
  writeFileSync(STAMP, "");
  utimesSync(STAMP, started, started);
  process.stderr.write(`${((Date.now() - started.getTime()) / 1000).toFixed(1)} s\n`);
  return true;
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === "--build-only") process.exit(ensureBuilt() ? 0 : 1);
  const arg0 = args.shift();
  const entry = arg0 === undefined ? "" : resolve(arg0);
  if (!entry.endsWith(".ts") || !existsSync(entry) || relative(ROOT, entry).startsWith("..")) {
    process.stderr.write(
      "usage: node scripts/bench.mjs <bench/entry.ts> [--compiled] [args…] | --build-only\n",
    );
    process.exit(2);
  }
  const source = !(args.includes("--compiled") || process.env.BENCH_COMPILED === "1");
  const rest = args.filter((a) => a !== "--compiled");
  let nodeArgs;
  if (source) nodeArgs = ["--import", "tsx", entry, ...rest];
  else {
    if (!ensureBuilt()) process.exit(1);
    nodeArgs = [join(OUT, relative(ROOT, entry).replace(/\.ts$/, ".js")), ...rest];
  }
  process.stderr.write(
    `bench: ${source ? "TypeScript sources through tsx" : "compiled build (.bench-build)"}\n`,
  );
  const child = spawn(process.execPath, nodeArgs, { stdio: "inherit", cwd: process.cwd() });
  // A terminal's Ctrl-C reaches the child too (same process group); a signal sent to this process alone is passed on.
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
  child.on("exit", (code, signal) => {
    process.exitCode = code ?? (signal === null ? 1 : 128 + (constants.signals[signal] ?? 0));
  });
}

await main();
