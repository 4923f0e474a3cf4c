// Smoke test of the VM benchmark's setups (not of speed): every variant really performs a successful
// SNIP-20 transfer (each run throws on a non-Ok result), the encrypted variant goes through encrypted
// storage (old-format removes beside each write), and the cache-busting bytes compile to a distinct module.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Wasm } from "../webassembly.js";
import { OpCounts } from "./mapStore.js";
import { keys as harnessKeys } from "../../contract/testing/harness.js";
import type { EnclaveKeys } from "../../keys.js";
import { benchKeychain, encryptedTransfer, loadSnip20, plainTransfer, theirTransfer } from "./snip20Setup.js";
import { median, runSlices, withCacheBust } from "./timing.js";
import { sivCensusOf } from "./cryptoCensus.js";
import { floorOutputs, measureFloor } from "./cryptoFloor.js";
import { shapeOf } from "./floorReport.js";
import { AD_ONE_EMPTY, AesSivKey } from "../../crypto/aesSiv.js";
import { CONTRACT_B } from "../../contract/testing/harness.js";
import { toHex } from "../../../util/bytes.js";

const code = loadSnip20();

describe("vmBench setups (snip20 transfer)", () => {
  test("encrypted and plaintext variants run transfers with the same contract storage traffic", async () => {
    const a = new OpCounts();
    const b = new OpCounts();
    const runA = await encryptedTransfer(code, a);
    const runB = plainTransfer(code, code.metered, b);
    runA();
    runB();
    a.reset();
    b.reset();
    runA();
    runB();
    // The contract's 7 db_writes reach the host as 7 encrypted writes, each preceded by the removal of the
    // old-format key (SN create_encrypted_key_value); its reads are all new-format hits.
    assert.equal(b.writes, 7);
    assert.equal(a.writes, b.writes);
    assert.equal(a.removes, b.writes);
    assert.equal(a.reads, b.reads);
    assert.ok(b.reads > 0);
  });

  test("unmetered module and cosmwasm-vm-js (fresh and reused instance) run transfers", () => {
    const runs = [plainTransfer(code, code.unmetered), theirTransfer(code, true), theirTransfer(code, false)];
    for (const run of runs) for (let i = 0; i < 3; i++) run();
  });

  test("a failing run surfaces (the bench cannot time an error path by accident)", () => {
    const rates = runSlices([{ id: "ok", run: () => undefined }], { slices: 2, sliceMs: 1, warmupSlices: 1 });
    assert.equal(rates.get("ok")!.length, 2);
    assert.throws(
      () =>
        runSlices(
          [
            {
              id: "bad",
              run: () => {
                throw new Error("boom");
              },
            },
          ],
          { slices: 1, sliceMs: 1, warmupSlices: 0 },
        ),
      /boom/,
    );
  });

  test("the bench's production Keychain holds exactly the harness's keys (A measures the same crypto)", () => {
    const kc = benchKeychain();
    const all = (k: EnclaveKeys): Uint8Array[] => [
      k.ioExchangeSecretKey(),
      k.callbackSecret(),
      k.randomEncryptionKey(),
      ...[0, 1].flatMap((i) => [
        k.stateIkm(i),
        k.initialRandomnessSeed(i),
        k.adminProofSecret(i),
        k.contractKeyProofSecret(i),
      ]),
    ];
    assert.equal(kc.seedCount, harnessKeys.seedCount);
    assert.deepEqual(all(kc), all(harnessKeys));
  });

  test("withCacheBust: valid wasm, different bytes, same exports; median", () => {
    const a = withCacheBust(code.prepared.metered, 1);
    const b = withCacheBust(code.prepared.metered, 300);
    assert.notDeepEqual(a, b);
    assert.ok(Wasm.validate(a) && Wasm.validate(b));
    assert.deepEqual(
      Wasm.Module.exports(new Wasm.Module(b)).map((e) => e.name),
      Wasm.Module.exports(code.metered).map((e) => e.name),
    );
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
  });
});

describe("vmBench floor (required crypto of one transfer)", () => {
  test("census of A: one fresh tx key (open + seal), the state key's names and values", async () => {
    const runA = await encryptedTransfer(code, new OpCounts());
    runA();
    const shape = shapeOf(sivCensusOf(runA));
    // snip20 transfer: code hash ‖ JSON msg, 256-byte padded data as base64, two new history keys, 7 writes.
    assert.equal(
      shape.msgLength,
      64 + JSON.stringify({ transfer: { recipient: CONTRACT_B, amount: "1" } }).length,
    );
    assert.deepEqual(shape.outputLengths, [344]);
    assert.deepEqual(shape.newKeyLengths, [35, 35]);
    assert.equal(shape.valueLengths.length, 7);
  });

  test("the floor's engines compute the same bytes, and equal AesSivKey's seal", () => {
    const shape = {
      msgLength: 151,
      outputLengths: [344, 20],
      newKeyLengths: [35, 9],
      valueLengths: [16, 272, 1],
    };
    const native = floorOutputs(shape, "native");
    for (const e of ["js", "hybrid"] as const) {
      assert.deepEqual(
        floorOutputs(shape, e).map((g) => g.map(toHex)),
        native.map((g) => g.map(toHex)),
        e,
      );
    }
    // the tx group's sealed outputs (after the opened msg) are AES-SIV with AD [""] under its key (32 × 9)
    const k = new AesSivKey(new Uint8Array(32).fill(9));
    assert.equal(toHex(native[1]![1]!), toHex(k.encrypt(new Uint8Array(344).fill(0x42), AD_ONE_EMPTY)));
    const r = measureFloor(shape, true);
    assert.ok(r.floorUs > 0 && r.rows.every((x) => x.native > 0 && x.js > 0 && x.hybrid > 0));
  });
});
