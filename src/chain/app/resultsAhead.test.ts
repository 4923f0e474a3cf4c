// Tx results encoded ahead are speed only: two apps over the same enclave keys — one encoding each delivered tx's
// result inside the next contract ECALL's wait (the default), one not — finalize the same blocks (counter
// contract: executes from three signers, the same signer twice in a row, a bank send between them, a contract
// error, out of gas inside the contract, a missing contract) and must agree on every tx result and app hash; the
// block's response bytes (block store, ABCI answer) equal cosmjs-types' encoding of it on both; the results
// were actually encoded ahead.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import { EnclaveHost } from "../../enclave/api.js";
import { encodeFinalizeBlockResponse } from "../../consensus/resultsCodec.js";
import { ShroudApp } from "../app.js";
import { tempStore, enclaveGenesis, type TempStore } from "../../../test/chain/fixtures.js";
import { initChain } from "../../../test/chain/lifecycle.js";
import {
  appSigners,
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
  dir = mkdtempSync(join(tmpdir(), "shroud-results-ahead-"));
  const opts = { dataDir: join(dir, "e"), platformSecretPath: join(dir, "e.secret"), ecallTimeoutMs: 60_000 };
  plain = await EnclaveHost.start(opts);
  keys = plain.initBootstrap();
  ahead = await EnclaveHost.start(opts);
});
after(async () => {
  await plain.stop();
  await ahead.stop();
  for (const s of stores) s.close();
  rmSync(dir, { recursive: true, force: true });
});

test(
  "with and without results encoded ahead: the same results, app hashes and response bytes",
  { timeout: 120_000 },
  async () => {
    const g = enclaveGenesis(plain, keys);
    const apps = [plain, ahead].map((enclave, i) => {
      const t = tempStore();
      stores.push(t);
      return new ShroudApp({ store: t.store, enclave, encodeResultsAhead: i === 1 });
    });
    const [a0, a1] = apps as [ShroudApp, ShroudApp];
    assert.equal(a0.resultsAhead.enabled, false);
    assert.deepEqual(await initChain(a0, g), await initChain(a1, g));
    /** The proposer (app 0) builds the block; both finalize exactly it; the response bytes are checked. */
    const height = (h: bigint, txs: Uint8Array[]) => {
      const out = twinHeight(apps, g, h, txs);
      for (const r of out)
        assert.deepEqual(encodeFinalizeBlockResponse(r), ResponseFinalizeBlock.encode(r).finish());
      return out;
    };

    height(1n, []);
    const signer = appSigners(a0, g.chain_id, ["a", "b", "c"]);
    const address = await deployCounter(height, signer, 2n);
    const encoded0 = a1.resultsAhead.encoded;
    const [block] = height(4n, await mixedCounterBlock(signer, address));
    assert.deepEqual(
      block!.txResults.slice(1).map((r) => r.code === 0),
      MIXED_BLOCK_OK,
    );
    // Each result but the last is encoded in a later contract ECALL's wait: the bank send's and the missing
    // contract's (no ECALL) wait for the next one. The block random's result and the last tx's are not.
    assert.equal(a1.resultsAhead.encoded - encoded0, 8);
    assert.equal(a0.resultsAhead.encoded, 0);
  },
);
