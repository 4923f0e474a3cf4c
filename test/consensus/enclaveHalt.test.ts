// A dead enclave over the ABCI socket: FinalizeBlock (and PrepareProposal) throw EnclaveHaltError in ShroudApp,
// and the server answers CometBFT with Response.exception — on which CometBFT's socket client stops and the node
// halts — instead of a block result that healthy validators would not produce. CheckTx keeps answering codes.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { EnclaveUnavailableError } from "../../src/enclave/api.js";
import { ShroudApp, type AppEnclave } from "../../src/chain/app.js";
import { encodeRandomTx } from "../../src/chain/random.js";
import { startAbciServer } from "../../src/consensus/abciServer.js";
import { AbciSocketClient } from "../chain/abciClient.js";
import { devSigners, signedSend, tempStore, testGenesis, type TempStore } from "../chain/fixtures.js";
import { initChain, PROPOSER, runHeight, timeOf, VALSET_HASH } from "../chain/lifecycle.js";

const dead = (): never => {
  throw new EnclaveUnavailableError("enclave stopped");
};
/** Every door of an enclave whose worker is gone (what EnclaveHost answers after a crash). */
const DEAD_ENCLAVE: AppEnclave = {
  ecall: dead,
  authenticateNewNode: dead,
  generateBlockRandom: dead,
  verifyBlockRandom: dead,
};

const temps: TempStore[] = [];

/** The account's query answer on a twin without an enclave after block 1 (nothing is committed on ours). */
async function accountOnHealthyTwin(g: ReturnType<typeof testGenesis>, address: string) {
  const t = tempStore();
  temps.push(t);
  const twin = new ShroudApp({ store: t.store });
  await initChain(twin, g);
  await runHeight(twin, 1n, timeOf(g, 1n), []);
  const data = QueryAccountRequest.encode({ address }).finish();
  return twin.query({ path: "/cosmos.auth.v1beta1.Query/Account", data, height: 0n, prove: false });
}
after(() => {
  for (const t of temps) t.close();
});

test("a dead enclave reaches CometBFT as an exception response, never as a block result", async () => {
  const t = tempStore();
  temps.push(t);
  const app = new ShroudApp({ store: t.store, enclave: DEAD_ENCLAVE });
  const srv = await startAbciServer(app, "tcp://127.0.0.1:0");
  const client = await AbciSocketClient.connect(srv.port!);
  try {
    const g = testGenesis();
    await initChain(client, g);
    const ns = timeOf(g, 1n);
    const block = {
      height: 1n,
      time: { seconds: ns / 1_000_000_000n, nanos: 0 },
      nextValidatorsHash: VALSET_HASH,
      proposerAddress: PROPOSER,
      misbehavior: [],
    };
    await assert.rejects(
      client.prepareProposal({
        ...block,
        txs: [],
        maxTxBytes: 1n << 20n,
        localLastCommit: { round: 0, votes: [] },
      }),
      /ABCI exception: enclave unavailable during PrepareProposal: enclave stopped/,
    );
    // A block from a healthy proposer: its random cannot be verified here.
    const random = encodeRandomTx(new Uint8Array(48), new Uint8Array(32));
    await assert.rejects(
      client.finalizeBlock({
        ...block,
        txs: [random],
        decidedLastCommit: { round: 0, votes: [] },
        hash: new Uint8Array(32),
      }),
      /ABCI exception: enclave unavailable during FinalizeBlock/,
    );
    await assert.rejects(client.commit(), /ABCI exception: Commit without FinalizeBlock/);
    const info = await client.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" });
    assert.equal(info.lastBlockHeight, 0n, "nothing committed");
    // The mempool goes on: ante needs no enclave (the genesis overlay is kept after InitChain).
    const { a, b } = devSigners();
    const acc = await accountOnHealthyTwin(g, a.address);
    const num = Number(
      BaseAccount.decode(QueryAccountResponse.decode(acc.value).account!.value).accountNumber,
    );
    const send = await signedSend(a, b.address, "1", num, 0, g.chain_id);
    const r = await client.checkTx({ tx: send, type: CheckTxType.NEW });
    assert.equal(r.code, 0, r.log);
  } finally {
    client.close();
    await srv.close();
  }
});
