#!/usr/bin/env node
// Runs every *.test.ts under src/, test/ and contracts/test/ with node's own test runner (through tsx).
// Usage: npm test [-- <path-substring> ...]   e.g. `npm test -- crypto` runs only files whose path contains "crypto".
// Cleanup: test/util/reaper.mjs is loaded here and (`--import`) into node's test runner and every test file's
// process; whatever a test file starts is killed when its process ends, however it ends (its README: test/README.md).
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { runNodeTest } from "../test/util/reaper.mjs";

const root = new URL("..", import.meta.url).pathname;
const filters = process.argv.slice(2);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".test.ts")) out.push(relative(root, p));
  }
  return out;
}

const files = [
  ...walk(join(root, "src"), []),
  ...walk(join(root, "test"), []),
  ...walk(join(root, "contracts", "test"), []),
]
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
// A hung test file fails after 5 minutes instead of hanging CI (node's runner SIGTERMs its process).
const concurrency = process.env.TEST_CONCURRENCY ?? "2";
const timeoutMs = 300_000;
process.exitCode = await runNodeTest(
  [
    "--import",
    "tsx",
    "--test",
    `--test-concurrency=${concurrency}`,
    `--test-timeout=${timeoutMs}`,
    "--test-reporter=spec",
    ...files,
  ],
  { timeoutMs, cwd: root },
);
