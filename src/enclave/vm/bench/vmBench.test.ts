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
