// Power-loss durability of the dev engine's block store, checked on the system calls: under strace, every
// saveBlock and setMeta of a store in sync "full" (the default) fsyncs the block store's WAL before it returns,
// so the block is on disk before the app's Commit (itself synced) can make the state ahead of it. The same probe
// in "normal" (the store's mode before session 17) shows no such fsync: the check can tell the two apart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const probe = new URL("./syncProbe.ts", import.meta.url).pathname;
const strace = spawnSync("strace", ["-o", "/dev/null", "true"]);
const SKIP =
  strace.error !== undefined || strace.status !== 0 ? "strace (with ptrace) is not available" : false;

/** The probe's markers and its fsyncs of the block store's WAL, in the order the kernel saw them. */
function trace(mode: "full" | "normal"): string[] {
  const dir = mkdtempSync(join(tmpdir(), "shroud-sync-"));
  try {
    const out = join(dir, "trace.txt");
    const r = spawnSync(
      "strace",
      [
        "-f",
        "-qq",
        "-y",
        "-e",
        "trace=fsync,fdatasync,write",
        "-o",
        out,
        process.execPath,
        "--import",
        "tsx",
        probe,
        dir,
        mode,
      ],
      { encoding: "utf8", timeout: 60_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    const events: string[] = [];
    for (const line of readFileSync(out, "utf8").split("\n")) {
      const marker = /write\(2<[^>]*>, "@@([^"\\]*)/.exec(line);
      if (marker) events.push(marker[1]!);
      else if (/\b(fsync|fdatasync)\(\d+<[^>]*blocks\.sqlite-wal>/.test(line)) events.push("sync");
    }
    return events;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The events between the marker `from` and the next marker. */
function between(events: readonly string[], from: string): string[] {
  const i = events.indexOf(from);
  assert.ok(i >= 0, `marker ${from} in ${events.join(", ")}`);
  const rest = events.slice(i + 1);
  const end = rest.findIndex((e) => e !== "sync");
  return end < 0 ? rest : rest.slice(0, end);
}

test("sync full: each saveBlock and setMeta fsyncs the WAL before it returns", { skip: SKIP }, () => {
  const events = trace("full");
  for (const call of ["save 1", "save 2", "meta"])
    assert.ok(between(events, call).length >= 1, `${call}: ${events.join(", ")}`);
  // The index transaction committed between the blocks (flushIndex) is not synced on its own.
  assert.deepEqual(between(events, "saved 1"), [], "the index COMMIT waits for the next block's fsync");
});

test("sync normal (before session 17): no fsync before saveBlock returns", { skip: SKIP }, () => {
  const events = trace("normal");
  for (const call of ["save 1", "save 2", "meta"]) assert.deepEqual(between(events, call), [], call);
});
