// The app with a real enclave: the block random injected by PrepareProposal, verified by ProcessProposal
// (tampering rejected), decrypted at FinalizeBlock and kept for the block; MsgRaAuthenticate through the
// enclave with its seeds queryable and loadable by the new node; replay by a second app gives the same hashes.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ResponseProcessProposal_ProposalStatus } from "cosmjs-types/tendermint/abci/types";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { EnclaveHost } from "../../src/enclave/api.js";
import { ShroudApp } from "../../src/chain/app.js";
import { fromBech32 } from "../../src/chain/address.js";
import {
  decodeMsgRaAuthenticateResponse,
  encodeBytesField1,
  encodeMsgRaAuthenticate,
  REGISTRATION_TYPE_URLS,
} from "../../src/chain/modules/registration/proto.js";
import type { Msg } from "secretjs";
import { RANDOM_TX_SIZE, isRandomTx } from "../../src/chain/random.js";
import { devSigners, enclaveGenesis, tempStore, type TempStore } from "./fixtures.js";
import type { GenesisDoc } from "../../src/chain/genesis.js";
import { initChain, runHeight, timeOf, VALSET_HASH, PROPOSER } from "./lifecycle.js";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";

let dir: string;
let nodeA: EnclaveHost; // the bootstrap node (the app's enclave)
let nodeB: EnclaveHost; // a joining node
const temps: TempStore[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "shroud-app-enclave-"));
  const start = (n: string) =>
    EnclaveHost.start({
      dataDir: join(dir, n),
      platformSecretPath: join(dir, `${n}.secret`),
      ecallTimeoutMs: 20_000,
    });
  [nodeA, nodeB] = await Promise.all([start("a"), start("b")]);
});
after(async () => {
  await Promise.all([nodeA.stop(), nodeB.stop()]);
  for (const t of temps) t.close();
  rmSync(dir, { recursive: true, force: true });
});

/** secretjs has no MsgRaAuthenticate class; its Msg interface is all prepareAndSign needs. */
function raAuthenticate(sender: string, certificate: Uint8Array): Msg {
  const bytes = encodeMsgRaAuthenticate({ sender: fromBech32(sender), certificate, replaceMachineId: "" });
  return {
    toProto: () =>
      Promise.resolve({ type_url: REGISTRATION_TYPE_URLS.RaAuthenticate, value: {}, encode: () => bytes }),
    toAmino: () => Promise.reject(new Error("no amino form")),
  };
}

function fresh(): ShroudApp {
  const t = tempStore();
  temps.push(t);
  return new ShroudApp({ store: t.store, enclave: nodeA });
}

describe("block random and registration through the enclave", () => {
  let genesis: GenesisDoc;
  before(() => {
    const keys = nodeA.initBootstrap();
    genesis = enclaveGenesis(nodeA, keys);
  });

  test("each block starts with a verified random; tampering or omission is rejected", async () => {
    const app = fresh();
    await initChain(app, genesis);
    const h1 = await runHeight(app, 1n, timeOf(genesis, 1n), []);
    assert.equal(h1.proposed.length, 1);
    const rtx = h1.proposed[0]!;
    assert.ok(isRandomTx(rtx) && rtx.length === RANDOM_TX_SIZE);
    assert.equal(h1.finalize.txResults[0]!.code, 0);
    const stored = app.query({ path: "store/random/key", data: Uint8Array.of(1), height: 0n, prove: false });
    assert.equal(stored.value.length, 40, "height ‖ 32-byte random in state");
    assert.equal(new DataView(stored.value.buffer, stored.value.byteOffset).getBigUint64(0), 1n);

    const time = { seconds: timeOf(genesis, 2n) / 1_000_000_000n, nanos: 0 };
    const common = {
      height: 2n,
      time,
      nextValidatorsHash: VALSET_HASH,
      proposerAddress: PROPOSER,
      misbehavior: [],
    };
    const prep = app.prepareProposal({
      ...common,
      maxTxBytes: 1n << 20n,
      txs: [],
      localLastCommit: { round: 0, votes: [] },
    });
    const process = (txs: Uint8Array[]) =>
      app.processProposal({
        ...common,
        txs,
        proposedLastCommit: { round: 0, votes: [] },
        hash: new Uint8Array(32),
      }).status;
    const ACCEPT = ResponseProcessProposal_ProposalStatus.ACCEPT;
    const REJECT = ResponseProcessProposal_ProposalStatus.REJECT;
    assert.equal(process(prep.txs), ACCEPT);
    assert.equal(process([]), REJECT, "no random");
    const flipped = prep.txs[0]!.slice();
    flipped[20]! ^= 1;
    assert.equal(process([flipped]), REJECT, "tampered ciphertext");
    assert.equal(process([rtx]), REJECT, "height 1's random replayed at height 2");
    assert.equal(process([prep.txs[0]!, prep.txs[0]!]), REJECT, "a second random");
  });

  test("MsgRaAuthenticate: the enclave checks the quote; seeds are stored, queryable and loadable", async () => {
    const app = fresh();
    await initChain(app, genesis);
    await runHeight(app, 1n, timeOf(genesis, 1n), []);
    const { a } = devSigners();
    const acc = app.query({
      path: "/cosmos.auth.v1beta1.Query/Account",
      data: QueryAccountRequest.encode({ address: a.address }).finish(),
      height: 0n,
      prove: false,
    });
    const num = Number(
      BaseAccount.decode(QueryAccountResponse.decode(acc.value).account!.value).accountNumber,
    );
    const nodePk = nodeB.generateRegistrationKey();
    const quote = nodeB.getRegistrationQuote(timeOf(genesis, 2n) - 1_000_000_000n);
    const msg = raAuthenticate(a.address, quote);
    const tx = await a.signDeterministic(
      [msg],
      { accountNumber: num, sequence: 0, chainId: genesis.chain_id },
      {
        gasLimit: 200_000,
      },
    );
    const h2 = await runHeight(app, 2n, timeOf(genesis, 2n), [tx]);
    const r = h2.finalize.txResults[1]!;
    assert.equal(r.code, 0, r.log);
    const ev = r.events.find((e) => e.type === "message" && e.attributes.some((x) => x.key === "node_id"))!;
    const attr = (k: string) => ev.attributes.find((x) => x.key === k)!.value;
    assert.equal(attr("module"), "register");
    assert.equal(attr("node_id"), `0x${Buffer.from(nodePk).toString("hex")}`);
    const seedHex = attr("encrypted_seed").slice(2);
    assert.equal(seedHex.length, 2 * 96, "two seeds, 48 bytes each");
    const resp = decodeMsgRaAuthenticateResponse(TxMsgData.decode(r.data).msgResponses[0]!.value);
    assert.equal(resp.data, `S: ${seedHex}`);

    const q = app.query({
      path: "/secret.registration.v1beta1.Query/EncryptedSeed",
      data: encodeBytesField1(nodePk),
      height: 0n,
      prove: false,
    });
    assert.equal(q.code, 0, q.log);
    const master = app.query({
      path: "/secret.registration.v1beta1.Query/RegistrationKey",
      data: new Uint8Array(),
      height: 0n,
      prove: false,
    });
    const seeds = q.value.subarray(2); // Key{1: bytes}: tag + one length byte for 96 bytes
    assert.equal(Buffer.from(seeds).toString("hex"), seedHex);
    const keysB = nodeB.initNode(master.value.subarray(2), seeds);
    assert.deepEqual(keysB, nodeA.getNetworkPubkeys(1), "the new node derives the network's current keys");

    // A stale quote (older than the policy's max age) is a coded refusal; nothing but fee/sequence applied.
    const stale = nodeB.getRegistrationQuote(timeOf(genesis, 3n) - 3_600_000_000_000n);
    const tx3 = await a.signDeterministic(
      [raAuthenticate(a.address, stale)],
      { accountNumber: num, sequence: 1, chainId: genesis.chain_id },
      { gasLimit: 200_000 },
    );
    const h3 = await runHeight(app, 3n, timeOf(genesis, 3n), [tx3]);
    assert.deepEqual([h3.finalize.txResults[1]!.codespace, h3.finalize.txResults[1]!.code], ["register", 2]);
  });

  test("a second node replaying the same blocks (random txs included) reaches the same app hashes", async () => {
    const app1 = fresh();
    const app2 = fresh();
    await initChain(app1, genesis);
    await initChain(app2, genesis);
    for (let h = 1n; h <= 3n; h++) {
      const r = await runHeight(app1, h, timeOf(genesis, h), []);
      const time = { seconds: timeOf(genesis, h) / 1_000_000_000n, nanos: 0 };
      const res = app2.finalizeBlock({
        txs: r.proposed,
        decidedLastCommit: { round: 0, votes: [] },
        misbehavior: [],
        hash: new Uint8Array(32),
        height: h,
        time,
        nextValidatorsHash: VALSET_HASH,
        proposerAddress: PROPOSER,
      });
      app2.commit();
      assert.deepEqual(res.appHash, r.finalize.appHash, `height ${h}`);
    }
  });
});
