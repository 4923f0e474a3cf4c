// test/util/reaper.mjs: a test file's processes — a detached group, a child, a grandchild — are gone after its
// process ends, however it ends: SIGTERM from node's runner on a per-file timeout, SIGKILL, stuck in a loop past
// its timeout, or a normal end. Each case runs testdata/leaky.fixture.mjs under a real `node --test` the way
// `npm test` does (runNodeTest), then looks for processes with the case's marker on their command line.
// The control case runs without the reaper and must find them (so the check itself can fail).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const RUNNER = fileURLToPath(new URL("./testdata/runner.fixture.mjs", import.meta.url));
const linux = process.platform === "linux";

/** Live processes whose command line contains `marker` (zombies have none). */
function withMarker(marker: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, "latin1").split("\0").includes(marker))
        out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The fixture's temporary folders still there (`<tmpdir>/<marker>-*`); removes them (never left behind). */
function dirsWithMarker(marker: string): number {
  const found = readdirSync(tmpdir()).filter((n) => n.startsWith(`${marker}-`));
  for (const n of found) rmSync(join(tmpdir(), n), { recursive: true, force: true });
  return found.length;
}

/**
 * Runs the fixture under `node --test` through runNodeTest; returns the marked processes still alive 3 s after
 * the run ended, while the driving process (whose own exit would reap them too) is still alive, and how many
 * of the temporary folders it made are still there.
 */
async function leftovers(
  mode: string,
  timeoutMs: number,
  env: Record<string, string> = {},
): Promise<{ alive: number[]; dirs: number }> {
  const marker = `leak-${randomBytes(6).toString("hex")}`;
  // Run as a top-level `node --test`, not as a file of the test run this file is in.
  const base = { ...process.env };
  delete base.NODE_TEST_CONTEXT;
  const runner = spawn(process.execPath, [RUNNER], {
    env: {
      ...base,
      ...{ LEAK_MARKER: marker, LEAK_MODE: mode, LEAK_TIMEOUT_MS: String(timeoutMs) },
      ...{ SHROUD_TEST_REAP_GRACE_MS: "1000", ...env },
    },
    stdio: ["pipe", "pipe", "ignore"],
  });
  let out = "";
  const ended = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      resolve(false);
    }, 60_000);
    runner.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("ended")) {
        clearTimeout(timer);
        resolve(true);
      }
    });
  });
  if (!(await ended)) runner.kill("SIGKILL");
  assert.ok(await ended, "the test run never ended");
  // A SIGKILLed process may take a moment to disappear; survivors stay.
  let alive = withMarker(marker);
  for (let i = 0; i < 30 && alive.length > 0; i++) {
    await sleep(100);
    alive = withMarker(marker);
  }
  for (const pid of alive) process.kill(pid, "SIGKILL"); // never leave them to the next test
  const dirs = dirsWithMarker(marker);
  runner.stdin.end(); // the driver exits (its own exit-time reaping comes after the check)
  return { alive, dirs };
}

test(
  "reaper: a test file's processes and temporary folders go with it",
  { skip: linux ? false : "needs /proc" },
  async (t) => {
    // Control: the same timed-out file without the reaper leaves its detached group, child and grandchild.
    await t.test("control: without the reaper, a timed-out test file leaves 3 processes", async () => {
      assert.deepEqual(
        (({ alive, dirs }) => ({ alive: alive.length, dirs }))(
          await leftovers("hang", 2_000, { SHROUD_TEST_REAP_OFF: "1" }),
        ),
        { alive: 3, dirs: 1 },
      );
    });
    await t.test("timed out (node's runner SIGTERMs the file's process)", async () => {
      assert.deepEqual(await leftovers("hang", 2_000), { alive: [], dirs: 0 });
    });
    await t.test("SIGKILLed (no handler of its own runs)", async () => {
      assert.deepEqual(await leftovers("kill9", 20_000), { alive: [], dirs: 0 });
    });
    await t.test("stuck in a loop past its timeout (SIGTERM never handled)", async () => {
      assert.deepEqual(await leftovers("busy", 1_500), { alive: [], dirs: 0 });
    });
    await t.test("ended normally with children still running", async () => {
      assert.deepEqual(await leftovers("end", 20_000), { alive: [], dirs: 0 });
    });
  },
);
