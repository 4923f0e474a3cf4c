// Crash recovery (spec consensus-storage-perf §1.6): a child committing blocks in a loop is SIGKILLed at seeded
// points; on reopen info() is exactly the last commit, the state matches it byte for byte, and replaying the
// next block gives the app hash of an uninterrupted run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openStore, openStoreAt } from "./store.js";
import { MemoryKVStore } from "./memory.js";
import { blockWrites, prng } from "./testkit.js";
import { CRASH_SHAPE } from "./testdata/crashShape.js";
import { toHex } from "../../util/bytes.js";
import type { KVReader } from "./types.js";

const CHILD = fileURLToPath(new URL("./testdata/crashChild.ts", import.meta.url));
const MAX_HEIGHT = 100_000;
const ROUNDS = 6;

const dump = (r: KVReader): string[] =>
  [...r.iterate(undefined, undefined)].map(([k, v]) => `${toHex(k)}=${toHex(v)}`);

/** Runs the child until it has printed `minCommits` heights, waits `delayMs`, kills it; returns the last printed. */
function runAndKill(dir: string, minCommits: number, delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, dir, String(MAX_HEIGHT)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let printed = -1;
    let commits = 0;
    let buf = "";
    let killing = false;
    child.stdout.on("data", (chunk: Buffer) => {
      buf += chunk.toString();
      const lines = buf.split("\n");
      buf = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith("ready")) continue;
        printed = Number(line);
        commits++;
      }
      if (!killing && commits >= minCommits) {
        killing = true;
        setTimeout(() => child.kill("SIGKILL"), delayMs);
      }
    });
    child.on("error", reject);
    child.on("close", (_code, signal) => {
      if (signal !== "SIGKILL") reject(new Error(`child exited without being killed (${String(signal)})`));
      else resolve(printed);
    });
  });
}

test("kill -9 at seeded points: reopen reports the last commit exactly and replay matches", async () => {
  const dir = mkdtempSync(join(tmpdir(), "shroud-crash-"));
  const reference = openStoreAt(":memory:");
  const refHashes: string[] = [];
  const refHash = (h: number): string => {
    while (refHashes.length <= h) {
      const next = refHashes.length === 0 ? 0 : refHashes.length;
      refHashes.push(next === 0 ? "" : toHex(reference.commit(next, blockWrites(next, CRASH_SHAPE))));
    }
    return refHashes[h]!;
  };
  const model = new MemoryKVStore();
  let modelHeight = 0;
  const advanceModel = (to: number): void => {
    for (; modelHeight < to;) {
      modelHeight++;
      for (const [k, v] of blockWrites(modelHeight, CRASH_SHAPE)) {
        if (v === undefined) model.delete(k);
        else model.set(k, v);
      }
    }
  };
  const rnd = prng(42);
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const printed = await runAndKill(dir, 1 + (rnd() % 15), rnd() % 8);
      const store = openStore(dir);
      const { lastHeight, lastAppHash } = store.info();
      // The child prints after commit returns, so the store may be at most one commit ahead of the output.
      assert.ok(
        lastHeight === printed || lastHeight === printed + 1,
        `round ${round}: ${lastHeight} vs ${printed}`,
      );
      assert.equal(toHex(lastAppHash), refHash(lastHeight), `round ${round}: app hash at ${lastHeight}`);
      advanceModel(lastHeight);
      assert.deepEqual(dump(store.committed), dump(model), `round ${round}: state at ${lastHeight}`);
      const replayed = store.commit(lastHeight + 1, blockWrites(lastHeight + 1, CRASH_SHAPE));
      assert.equal(toHex(replayed), refHash(lastHeight + 1), `round ${round}: replay of ${lastHeight + 1}`);
      advanceModel(lastHeight + 1);
      store.close();
    }
  } finally {
    reference.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
