#!/usr/bin/env node
// Runs every *.test.ts under src/, test/ and contracts/test/ with node's own test runner (through tsx).
// Usage: npm test [-- <path-substring> ...]   e.g. `npm test -- crypto` runs only files whose path contains "crypto".
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { spawnSync } from "node:child_process";

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
// A hung test fails after 5 minutes instead of hanging CI.
const concurrency = process.env.TEST_CONCURRENCY ?? "2";
const r = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    `--test-concurrency=${concurrency}`,
    "--test-timeout=300000",
    "--test-reporter=spec",
    ...files,
  ],
  { stdio: "inherit", cwd: root },
);
process.exit(r.status ?? 1);
