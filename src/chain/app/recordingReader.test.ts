// The speculative ante's take-time check (RecordingReader.sameIn) against its meaning: a run of point reads and
// writes in a cache over the reader, then arbitrary changes to the state underneath; sameIn(state) must be true
// exactly when the same run, replayed over the changed state, would get every answer it got the first time.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MemoryKVStore, MemoryOverlay } from "../store/memory.js";
import { RecordingReader } from "./speculativeAnte.js";

type Op = { kind: "get" | "has" | "set" | "delete"; key: number; value: number[] };
type Change = { key: number; value: number[] | null; fresh: boolean };

const keyOf = (k: number): Uint8Array => Uint8Array.of(0x42, k);
const op = fc.record({
  kind: fc.constantFrom("get" as const, "has" as const, "set" as const, "delete" as const),
  key: fc.nat(5),
  value: fc.array(fc.nat(2), { maxLength: 2 }),
});
const change = fc.record({
  key: fc.nat(5),
  value: fc.option(fc.array(fc.nat(2), { maxLength: 2 })),
  fresh: fc.boolean(),
});

/** Runs `ops` in a cache over `parent`; returns the answers of its reads. */
function run(parent: MemoryOverlay | RecordingReader, ops: readonly Op[]): string[] {
  const cache = new MemoryOverlay(parent);
  const out: string[] = [];
  for (const o of ops) {
    const k = keyOf(o.key);
    if (o.kind === "get") out.push(JSON.stringify(Array.from(cache.get(k) ?? [-1])));
    else if (o.kind === "has") out.push(String(cache.has(k)));
    else if (o.kind === "set") cache.set(k, Uint8Array.from(o.value));
    else cache.delete(k);
  }
  return out;
}

test("sameIn(state) holds exactly when a replay over state gets the same answers", () => {
  fc.assert(
    fc.property(
      fc.array(change, { maxLength: 6 }),
      fc.array(op, { maxLength: 12 }),
      fc.array(change, { maxLength: 4 }),
      (initial, ops, later) => {
        const committed = new MemoryKVStore();
        const block = new MemoryOverlay(committed);
        const apply = (cs: readonly Change[]) => {
          for (const c of cs) {
            if (c.value === null) block.delete(keyOf(c.key));
            else block.set(keyOf(c.key), Uint8Array.from(c.value));
          }
        };
        apply(initial);
        // What the run reads through: the state as it was (a cache over it, as tx i's ante cache is).
        const before = new MemoryOverlay(block);
        const reader = new RecordingReader(before);
        const first = run(reader, ops);
        before.write();
        // Later changes: some rewrite a key with equal bytes (fresh objects), some change or delete it.
        for (const c of later) {
          const now = block.get(keyOf(c.key));
          if (!c.fresh && now !== undefined) block.set(keyOf(c.key), now.slice());
          else apply([c]);
        }
        const replay = run(new MemoryOverlay(block), ops);
        assert.equal(reader.sameIn(block), JSON.stringify(replay) === JSON.stringify(first));
      },
    ),
    { seed: 42, numRuns: 500 },
  );
});

test("a range read makes the run unusable", () => {
  const block = new MemoryOverlay(new MemoryKVStore());
  const reader = new RecordingReader(new MemoryOverlay(block));
  assert.equal(reader.iterated, false);
  [...new MemoryOverlay(reader).iterate(undefined, undefined)].forEach(() => undefined);
  assert.equal(reader.iterated, true);
});
