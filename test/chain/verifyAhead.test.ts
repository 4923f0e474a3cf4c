// Verify-ahead is speed only: two apps over the same enclave keys — one enclave with a verify lane, one without —
// finalize the same blocks (counter contract: store, instantiate, then executes from three signers and a bank
// send in one block) and must agree on every tx result and app hash; the lane's tokens are actually used.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MsgExecuteContract, MsgSend } from "secretjs";
import { EnclaveHost } from "../../src/enclave/api.js";
import { ShroudApp } from "../../src/chain/app.js";
import { tempStore, enclaveGenesis, type TempStore } from "./fixtures.js";
import { initChain } from "./lifecycle.js";
import { appSigners, counterHash, deployCounter, twinHeight } from "./twinApps.js";

let dir: string;
let plain: EnclaveHost;
let laned: EnclaveHost;
let keys: ReturnType<EnclaveHost["initBootstrap"]>;
const stores: TempStore[] = [];
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "shroud-verify-ahead-"));
  const opts = { dataDir: join(dir, "e"), platformSecretPath: join(dir, "e.secret"), ecallTimeoutMs: 60_000 };
  plain = await EnclaveHost.start(opts);
  keys = plain.initBootstrap();
  // The same sealed keys, opened by a second enclave that runs a verify lane.
  laned = await EnclaveHost.start({ ...opts, verifyLane: true });
});
after(async () => {
  await plain.stop();
  await laned.stop();
  for (const s of stores) s.close();
  rmSync(dir, { recursive: true, force: true });
});

test(
  "with and without a verify lane: the same results and app hashes; tokens used",
  { timeout: 120_000 },
  async () => {
    const g = enclaveGenesis(plain, keys);
    const apps = [plain, laned].map((enclave) => {
      const t = tempStore();
      stores.push(t);
      return new ShroudApp({ store: t.store, enclave });
    });
    const [a0, a1] = apps as [ShroudApp, ShroudApp];
    assert.deepEqual(await initChain(a0, g), await initChain(a1, g));

    /** The proposer (app 0) builds the block; both finalize exactly it, and every tx succeeds. */
    const height = (h: bigint, txs: Uint8Array[]) => {
      const out = twinHeight(apps, g, h, txs);
      for (const r of out[0]!.txResults) assert.equal(r.code, 0, r.log);
      return out;
    };

    height(1n, []);
    const signer = appSigners(a0, g.chain_id, ["a", "b", "c"]);
    const { clients, sign } = signer;
    const a = clients[0]!.wallet.address;
    const address = await deployCounter(height, signer, 2n);
    const increment = (i: number) =>
      sign(
        i,
        new MsgExecuteContract({
          sender: clients[i]!.wallet.address,
          contract_address: address,
          code_hash: counterHash,
          msg: { increment: {} },
          sent_funds: [],
        }),
      );
    const hits0 = laned.verdictLane!.stats.hits;
    height(4n, [
      await increment(0),
      await increment(1),
      await sign(
        2,
        new MsgSend({
          from_address: clients[2]!.wallet.address,
          to_address: a,
          amount: [{ denom: "uscrt", amount: "5" }],
        }),
      ),
      await increment(2),
      await increment(0),
    ]);
    // The instantiate (height 3) and the four executes were checked ahead (a block this small leaves the lane
    // little head start: only some tokens arrive before their ECALL).
    await laned.verdictLane!.drain();
    assert.ok(laned.verdictLane!.stats.issued >= 5, JSON.stringify(laned.verdictLane!.stats));
    assert.ok(laned.verdictLane!.stats.hits - hits0 >= 1, JSON.stringify(laned.verdictLane!.stats));
  },
);
