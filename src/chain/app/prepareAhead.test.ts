// Prepared calls are speed only: two apps over the same enclave keys — one sending each contract tx's input
// checks ahead (the default), one not — finalize the same blocks (counter contract: store, instantiate, then one
// block of executes from three signers, the same signer twice in a row, a bank send between them, a contract
// error, an execute out of gas, an execute of a missing contract) and must agree on every tx result and app
// hash; the prepared checks are actually taken.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MsgExecuteContract } from "secretjs";
import { EnclaveHost } from "../../enclave/api.js";
import { ShroudApp } from "../app.js";
import { tempStore, enclaveGenesis, type TempStore } from "../../../test/chain/fixtures.js";
import { initChain } from "../../../test/chain/lifecycle.js";
import {
  appSigners,
  counterHash,
  deployCounter,
  MIXED_BLOCK_OK,
  mixedCounterBlock,
  twinHeight,
} from "../../../test/chain/twinApps.js";

let dir: string;
let plain: EnclaveHost;
let ahead: EnclaveHost;
let keys: ReturnType<EnclaveHost["initBootstrap"]>;
const stores: TempStore[] = [];
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "shroud-prepare-ahead-"));
  const opts = { dataDir: join(dir, "e"), platformSecretPath: join(dir, "e.secret"), ecallTimeoutMs: 60_000 };
  plain = await EnclaveHost.start(opts);
  keys = plain.initBootstrap();
  // The same sealed keys, opened by a second enclave (each app's prepared calls stay in its own enclave).
  ahead = await EnclaveHost.start(opts);
});
after(async () => {
  await plain.stop();
  await ahead.stop();
  for (const s of stores) s.close();
  rmSync(dir, { recursive: true, force: true });
});

test(
  "with and without prepared calls: the same results and app hashes; prepared checks taken",
  { timeout: 120_000 },
  async () => {
    const g = enclaveGenesis(plain, keys);
    const apps = [plain, ahead].map((enclave, i) => {
      const t = tempStore();
      stores.push(t);
      return new ShroudApp({ store: t.store, enclave, prepareCalls: i === 1 });
    });
    assert.equal(apps[0]!.prepareAhead, undefined);
    const [a0, a1] = apps as [ShroudApp, ShroudApp];
    assert.deepEqual(await initChain(a0, g), await initChain(a1, g));

    /** The proposer (app 0) builds the block; both finalize exactly it. */
    const height = (h: bigint, txs: Uint8Array[]) => twinHeight(apps, g, h, txs);

    height(1n, []);
    const signer = appSigners(a0, g.chain_id, ["a", "b", "c"]);
    const address = await deployCounter(height, signer, 2n);
    const counter = (msg: object) =>
      signer.sign(
        1,
        new MsgExecuteContract({
          sender: signer.clients[1]!.wallet.address,
          contract_address: address,
          code_hash: counterHash,
          msg,
          sent_funds: [],
        }),
      );
    const prepareAhead = apps[1]!.prepareAhead!;
    /** The mixed block, prepared as sent (default) or built inside the previous ECALL's wait (idle hook). */
    const mixedBlock = async (h: bigint, idle: boolean): Promise<void> => {
      prepareAhead.buildWhileWaiting = idle;
      const prepared0 = prepareAhead.prepared;
      const alone0 = prepareAhead.sent;
      const rode0 = ahead.prepareStats.rode;
      const templates = apps[1]!.modules.compute.engine.templateStats;
      const spliced0 = templates.spliced;
      const [block] = height(h, await mixedCounterBlock(signer, address));
      // The block's first result is the app's own block-random tx.
      const results = block!.txResults.slice(1);
      assert.deepEqual(
        results.map((r) => r.code === 0),
        MIXED_BLOCK_OK,
        JSON.stringify(results.map((r) => r.log)),
      );
      // Every execute of an existing contract was prepared; the bank send and the missing contract were not.
      assert.equal(prepareAhead.prepared - prepared0, 7);
      // A prepare rides on the ECALL of the tx before; it goes alone when that tx made none (the block's first
      // execute, the one after the bank send, the one after the missing contract).
      assert.equal(ahead.prepareStats.rode - rode0, 4);
      assert.equal(prepareAhead.sent - alone0, 3);
      // Each prepared execute's request was spliced from its prepare's template (the same bytes: the results
      // and app hashes above are app 0's, which encodes every request whole).
      assert.equal(templates.spliced - spliced0, 7);
      assert.equal(apps[0]!.modules.compute.engine.templateStats.spliced, 0);
    };
    await mixedBlock(4n, false);
    await mixedBlock(5n, true);
    // The enclave reports its takes with each prepare's answer: one more prepare (next block) reads them.
    height(6n, [await counter({ increment: {} })]);
    ahead.ecall("health", new Uint8Array(0));
    assert.ok(ahead.prepareStats.taken >= 14, JSON.stringify(ahead.prepareStats));
  },
);
