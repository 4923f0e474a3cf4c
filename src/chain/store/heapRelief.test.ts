// Tests of the post-commit heap relief: the write-set weight, the threshold, one deferred collection per turn,
// and that the run-time `gc` handle really collects (a dropped array of 1M objects is freed).
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { setImmediate as nextTurn } from "node:timers/promises";
import { runInNewContext } from "node:vm";
import {
  ENTRY_OVERHEAD_BYTES,
  LARGE_COMMIT_BYTES,
  fullGc,
  relieveHeapAfterCommit,
  writeSetWeight,
} from "./heapRelief.js";
import type { KVWrite } from "./types.js";

describe("heapRelief", () => {
  test("weight: key and value bytes plus the per-entry overhead; a delete counts its key only", () => {
    const writes: KVWrite[] = [
      [new Uint8Array(10), new Uint8Array(100)],
      [new Uint8Array(7), undefined],
    ];
    assert.equal(writeSetWeight(writes), 10 + 100 + 7 + 2 * ENTRY_OVERHEAD_BYTES);
    assert.equal(writeSetWeight([]), 0);
  });

  test("below the threshold nothing is scheduled", async () => {
    let calls = 0;
    const gc = () => () => {
      calls++;
    };
    assert.equal(relieveHeapAfterCommit(LARGE_COMMIT_BYTES - 1, gc), false);
    await nextTurn();
    assert.equal(calls, 0);
  });

  test("a large commit runs one collection on the next turn; commits before it share it", async () => {
    let calls = 0;
    const gc = () => () => {
      calls++;
    };
    assert.equal(relieveHeapAfterCommit(LARGE_COMMIT_BYTES, gc), true);
    assert.equal(relieveHeapAfterCommit(2 * LARGE_COMMIT_BYTES, gc), false);
    assert.equal(calls, 0, "deferred: the caller still holds the block's structures");
    await nextTurn();
    assert.equal(calls, 1);
    assert.equal(
      relieveHeapAfterCommit(LARGE_COMMIT_BYTES, gc),
      true,
      "a later large commit schedules again",
    );
    await nextTurn();
    assert.equal(calls, 2);
  });

  test("fullGc collects without --expose-gc; neither the global nor later contexts get gc", () => {
    const gc = fullGc();
    assert.equal(typeof gc, "function");
    assert.equal(fullGc(), gc, "one handle, created once");
    assert.equal((globalThis as { gc?: unknown }).gc, undefined);
    assert.equal(runInNewContext("typeof gc"), "undefined", "the flag is cleared again for later contexts");
    let big: { i: number }[] | undefined = Array.from({ length: 1_000_000 }, (_, i) => ({ i }));
    gc();
    const held = process.memoryUsage().heapUsed;
    assert.equal(big.length, 1_000_000);
    big = undefined;
    gc();
    const freed = held - process.memoryUsage().heapUsed;
    assert.ok(freed > 16 * 2 ** 20, `freed ${freed} bytes`); // ~1M objects of ≥ 16 B plus the 8 MB array
  });
});
