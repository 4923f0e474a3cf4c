// CheckTx RECHECK answers only what CometBFT's mempool reads (code, codespace, log, gas): the same verdict as a
// NEW check on the same state, without events or data (issue 6: less encode work for every pending tx).
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { CheckTxType, type ResponseCheckTx } from "cosmjs-types/tendermint/abci/types";
import { ShroudApp } from "../../src/chain/app.js";
import { devSigners, signedSend, tempStore, testGenesis, type TempStore } from "./fixtures.js";
import { initChain, runHeight, timeOf } from "./lifecycle.js";

const temps: TempStore[] = [];
after(() => {
  for (const t of temps) t.close();
});

function verdict(r: ResponseCheckTx): unknown {
  return { code: r.code, codespace: r.codespace, log: r.log, gasWanted: r.gasWanted, gasUsed: r.gasUsed };
}

describe("CheckTx RECHECK", () => {
  test("same verdict as NEW, no events or data; failing txs still fail", async () => {
    const t = tempStore();
    temps.push(t);
    const app = new ShroudApp({ store: t.store });
    const g = testGenesis();
    await initChain(app, g);
    await runHeight(app, 1n, timeOf(g, 1n), []); // queries read committed state
    const { a, b } = devSigners();
    const acc = app.query({
      path: "/cosmos.auth.v1beta1.Query/Account",
      data: QueryAccountRequest.encode({ address: a.address }).finish(),
      height: 0n,
      prove: false,
    });
    const num = Number(
      BaseAccount.decode(QueryAccountResponse.decode(acc.value).account!.value).accountNumber,
    );
    const tx0 = await signedSend(a, b.address, "5", num, 0, g.chain_id);
    const tx1 = await signedSend(a, b.address, "6", num, 1, g.chain_id);
    const h2 = await runHeight(app, 2n, timeOf(g, 2n), [tx0]);
    assert.equal(h2.finalize.txResults[0]?.code, 0);

    // tx0 is now stale (sequence used): RECHECK fails exactly as NEW would.
    const re0 = app.checkTx({ tx: tx0, type: CheckTxType.RECHECK });
    const new0 = app.checkTx({ tx: tx0, type: CheckTxType.NEW });
    assert.notEqual(re0.code, 0);
    assert.deepEqual(verdict(re0), verdict(new0));
    assert.deepEqual(re0.events, []);

    // tx1 passes: RECHECK keeps the verdict and gas (CometBFT's max-gas post-check reads gas_wanted), drops events.
    const re1 = app.checkTx({ tx: tx1, type: CheckTxType.RECHECK });
    assert.equal(re1.code, 0, re1.log);
    assert.ok(re1.gasWanted > 0n);
    assert.deepEqual(re1.events, []);
    assert.equal(re1.data.length, 0);
    // The same tx NEW on a fresh check state (the next commit) answers the same verdict, with events.
    await runHeight(app, 3n, timeOf(g, 3n), []);
    const new1 = app.checkTx({ tx: tx1, type: CheckTxType.NEW });
    // gas used may differ by a few units: another block's state (mint changes balances' byte lengths)
    assert.deepEqual(
      { ...(verdict(new1) as object), gasUsed: 0n },
      { ...(verdict(re1) as object), gasUsed: 0n },
    );
    assert.ok(new1.events.length > 0);
  });
});
