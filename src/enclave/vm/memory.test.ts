// Regions and sections: seeded property round trips and the bounds checks.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decodeSections,
  encodeSections,
  getRegion,
  readRegion,
  viewRegion,
  writeRegion,
  writeRegionUtf8,
} from "./memory.js";
import { writeToContract, writeUtf8ToContract } from "./imports.js";
import { utf8 } from "../../util/bytes.js";
import { isVmError } from "./errors.js";
import { Wasm, type WasmMemory } from "./webassembly.js";

function regionAt(
  mem: { buffer: ArrayBuffer },
  ptr: number,
  offset: number,
  capacity: number,
  length: number,
) {
  const dv = new DataView(mem.buffer);
  dv.setUint32(ptr, offset, true);
  dv.setUint32(ptr + 4, capacity, true);
  dv.setUint32(ptr + 8, length, true);
}

describe("regions", () => {
  test("bounds follow memory.grow and the visible size (the reused DataView); viewRegion is a view", () => {
    const mem = new Wasm.Memory({ initial: 1 });
    const page = 65536;
    regionAt(mem, 16, 64, 8, 8);
    assert.equal(getRegion(mem, 16, "t").length, 8);
    const v = viewRegion(mem, 16, 8, "t");
    new Uint8Array(mem.buffer)[64] = 7;
    assert.equal(v[0], 7, "a view of contract memory");
    assert.equal(readRegion(mem, 16, 8, "t")[0], 7);
    assert.throws(() => getRegion(mem, page + 16, "t"), isVmError);
    mem.grow(1);
    regionAt(mem, page + 16, page + 64, 4, 4);
    assert.equal(getRegion(mem, page + 16, "t").offset, page + 64, "the grown memory's bounds");
    const small = {
      buffer: mem.buffer,
      visibleBytes: page,
      grow: (n: number) => mem.grow(n),
    };
    assert.throws(() => getRegion(small, page + 16, "t"), isVmError, "visible size, same buffer");
    assert.equal(getRegion(mem, page + 16, "t").length, 4);
  });
  test("a string written as UTF-8 leaves memory exactly as writing utf8.encode(string) (seeded)", () => {
    // Any UTF-16 string, lone surrogates included (both write U+FFFD's bytes for them).
    const text = fc.oneof(fc.string({ unit: "binary", maxLength: 300 }), fc.string({ maxLength: 300 }));
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 40 }), (s, slack) => {
        const mems = [new Wasm.Memory({ initial: 1 }), new Wasm.Memory({ initial: 1 })];
        new Uint8Array(mems[0]!.buffer).fill(0xa5);
        new Uint8Array(mems[1]!.buffer).fill(0xa5);
        // The contract's allocate: a region at 16 of capacity n + slack, its data from offset 64.
        const env = (m: WasmMemory) => ({
          memory: () => m,
          allocate: (n: number) => {
            regionAt(m, 16, 64, n + slack, 0);
            return 16;
          },
        });
        assert.equal(writeUtf8ToContract(env(mems[0]!), s, "t"), 16);
        writeToContract(env(mems[1]!), utf8.encode(s), "t");
        assert.deepEqual(new Uint8Array(mems[0]!.buffer), new Uint8Array(mems[1]!.buffer));
        assert.equal(utf8.byteLength(s), utf8.encode(s).length);
      }),
      { seed: 42, numRuns: 300 },
    );
    const mem = new Wasm.Memory({ initial: 1 });
    regionAt(mem, 16, 64, 2, 0);
    assert.throws(
      () => {
        writeRegionUtf8(mem, 16, "abc", 3, "t");
      },
      isVmError,
      "over the region's capacity",
    );
    regionAt(mem, 16, 64, 8, 0);
    assert.throws(
      () => {
        writeRegionUtf8(mem, 16, "é", 1, "t");
      },
      isVmError,
      "a wrong byte length is refused",
    );
  });

  test("write then read round-trips any bytes that fit (seeded)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: 0, max: 100 }), (data, slack) => {
        const mem = new Wasm.Memory({ initial: 1 });
        regionAt(mem, 16, 64, data.length + slack, 0);
        writeRegion(mem, 16, data, "t");
        assert.deepEqual(readRegion(mem, 16, data.length, "t"), data);
        assert.equal(getRegion(mem, 16, "t").length, data.length);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  test("refuses: null pointer, struct or data out of bounds, length > capacity, over the named max, too small", () => {
    const mem = new Wasm.Memory({ initial: 1 });
    const bad = (f: () => unknown) => {
      assert.throws(f, (e) => isVmError(e, "MemoryAccess"));
    };
    bad(() => readRegion(mem, 0, 10, "t"));
    bad(() => readRegion(mem, 65536 - 4, 10, "t"));
    regionAt(mem, 16, 65530, 100, 10);
    bad(() => readRegion(mem, 16, 1000, "t"));
    regionAt(mem, 16, 64, 5, 6);
    bad(() => readRegion(mem, 16, 1000, "t"));
    regionAt(mem, 16, 64, 50, 20);
    bad(() => readRegion(mem, 16, 19, "t"));
    bad(() => {
      writeRegion(mem, 16, new Uint8Array(51), "t");
    });
    regionAt(mem, 16, 0, 50, 20);
    bad(() => readRegion(mem, 16, 100, "t"));
  });
});

describe("sections", () => {
  test("encode/decode round-trip (seeded); truncation and overlong counts refused", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 70 }), { maxLength: 20 }), (items) => {
        assert.deepEqual(decodeSections(encodeSections(items), 256, "t"), items);
      }),
      { seed: 42, numRuns: 200 },
    );
    const enc = encodeSections([Uint8Array.of(1, 2, 3)]);
    assert.throws(
      () => decodeSections(enc.subarray(1), 256, "t"),
      (e) => isVmError(e, "MemoryAccess"),
    );
    assert.throws(() => decodeSections(encodeSections([new Uint8Array(1), new Uint8Array(1)]), 1, "t"));
  });
});
