// Enclave death mid-block halts the node instead of panicking the tx: the real enclave worker is stopped in the
// middle of FinalizeBlock (right before a tx's ECALL), FinalizeBlock throws, nothing of the block is applied,
// CheckTx keeps answering, and a fresh app with a restarted enclave replays the block to a healthy twin's hash.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MsgStoreCode } from "secretjs";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { SimulateRequest } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { EnclaveHost, type EcallName, type EcallOptions } from "../../src/enclave/api.js";
import { EnclaveHaltError, ShroudApp, type AppEnclave } from "../../src/chain/app.js";
import type { GenesisDoc } from "../../src/chain/genesis.js";
import {
  accountNumberOf,
  devSigners,
  signedSend,
  tempStore,
  enclaveGenesis,
  type TempStore,
} from "./fixtures.js";
import { finalizeRequest, initChain } from "./lifecycle.js";

// contracts/build/counter.wasm.gz: provenance in contracts/testdata/README.md.
const counterGz = new Uint8Array(
  readFileSync(new URL("../../contracts/build/counter.wasm.gz", import.meta.url)),
);

let dir: string;
let host: EnclaveHost;
const temps: TempStore[] = [];
const startHost = (): Promise<EnclaveHost> =>
  EnclaveHost.start({
    dataDir: join(dir, "e"),
    platformSecretPath: join(dir, "e.secret"),
    ecallTimeoutMs: 60_000,
  });
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "shroud-enclave-death-"));
  host = await startHost();
});
after(async () => {
  await host.stop();
  for (const t of temps) t.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The real host, plus a switch that stops its worker right before the next contract ECALL goes in. */
function killable(h: EnclaveHost): {
  enclave: AppEnclave;
  arm(): void;
  stopped(): Promise<void> | undefined;
} {
  let armed = false;
  let stopping: Promise<void> | undefined;
  const enclave: AppEnclave = {
    ecall: (name: EcallName, payload: Uint8Array, opts?: EcallOptions) => {
      // stop() marks the host dead and sends the worker its shutdown synchronously: this ECALL then finds
      // the enclave gone, exactly as after a crash of the worker.
      if (armed) stopping ??= h.stop();
      return h.ecall(name, payload, opts);
    },
    authenticateNewNode: (e, p, n) => h.authenticateNewNode(e, p, n),
    generateBlockRandom: (b) => h.generateBlockRandom(b),
    verifyBlockRandom: (b, e, p) => h.verifyBlockRandom(b, e, p),
  };
  return { enclave, arm: () => (armed = true), stopped: () => stopping };
}

function propose(app: ShroudApp, g: GenesisDoc, height: bigint, txs: Uint8Array[]): Uint8Array[] {
  const { time, nextValidatorsHash, proposerAddress, misbehavior } = finalizeRequest(g, height, []);
  return app.prepareProposal({
    height,
    time,
    nextValidatorsHash,
    proposerAddress,
    misbehavior,
    txs,
    maxTxBytes: 8n << 20n,
    localLastCommit: { round: 0, votes: [] },
  }).txs;
}

function balanceOf(app: ShroudApp, address: string): string {
  const r = app.query({
    path: "/cosmos.bank.v1beta1.Query/Balance",
    data: QueryBalanceRequest.encode({ address, denom: "uscrt" }).finish(),
    height: 0n,
    prove: false,
  });
  assert.equal(r.code, 0, r.log);
  return QueryBalanceResponse.decode(r.value).balance?.amount ?? "";
}

function newApp(enclave: AppEnclave | EnclaveHost, t?: TempStore): { app: ShroudApp; t: TempStore } {
  const store = t ?? tempStore();
  if (t === undefined) temps.push(store);
  return { app: new ShroudApp({ store: store.store, enclave }), t: store };
}

test(
  "an enclave that dies mid-block halts FinalizeBlock; a restart replays the block",
  { timeout: 90_000 },
  async () => {
    const keys = host.initBootstrap();
    const g = enclaveGenesis(host, keys);
    const k = killable(host);
    const victim = newApp(k.enclave);
    const twin = newApp(host); // a healthy validator fed the same blocks
    for (const a of [victim.app, twin.app]) await initChain(a, g);
    const b1 = propose(victim.app, g, 1n, []);
    for (const a of [victim.app, twin.app]) {
      a.finalizeBlock(finalizeRequest(g, 1n, b1));
      a.commit();
    }

    const { a, b } = devSigners();
    const num = accountNumberOf(victim.app, a.address);
    const send = await signedSend(a, b.address, "5", num, 0, g.chain_id);
    const store = new MsgStoreCode({ sender: a.address, wasm_byte_code: counterGz, source: "", builder: "" });
    const storeTx = await a.signDeterministic(
      [store],
      { accountNumber: num, sequence: 1, chainId: g.chain_id },
      {
        gasLimit: 5_000_000,
      },
    );
    for (const tx of [send, storeTx]) {
      assert.equal(victim.app.checkTx({ tx, type: CheckTxType.NEW }).code, 0);
    }
    const b2 = propose(victim.app, g, 2n, [send, storeTx]);
    assert.equal(b2.length, 3, "random + send + store code");
    const healthy = twin.app.finalizeBlock(finalizeRequest(g, 2n, b2));
    assert.equal(healthy.txResults[2]?.code, 0, healthy.txResults[2]?.log);

    const before = {
      info: victim.app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" }),
    };
    const bBefore = balanceOf(victim.app, b.address);
    k.arm();
    assert.throws(
      () => victim.app.finalizeBlock(finalizeRequest(g, 2n, b2)),
      (e: unknown) => e instanceof EnclaveHaltError && e.during === "FinalizeBlock",
    );
    assert.ok(k.stopped() !== undefined, "the worker was stopped mid-block, at the store-code ECALL");
    await k.stopped();
    // Nothing of the block applied: same height, same app hash, the send (tx 1, before the death) not visible.
    const afterInfo = victim.app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" });
    assert.equal(afterInfo.lastBlockHeight, before.info.lastBlockHeight);
    assert.deepEqual(afterInfo.lastBlockAppHash, before.info.lastBlockAppHash);
    assert.equal(balanceOf(victim.app, b.address), bBefore);
    assert.throws(() => victim.app.commit(), /Commit without FinalizeBlock/);

    // The mempool keeps going: CheckTx needs no enclave; a simulation that needs it gets a code, not a panic.
    const send2 = await signedSend(a, b.address, "1", num, 2, g.chain_id);
    assert.equal(victim.app.checkTx({ tx: send2, type: CheckTxType.NEW }).code, 0);
    // (sequence 0: simulation runs on the committed state, where the failed block left a's sequence at 0)
    const simTx = await a.signDeterministic(
      [store],
      { accountNumber: num, sequence: 0, chainId: g.chain_id },
      {
        gasLimit: 5_000_000,
      },
    );
    const sim = victim.app.query({
      path: "/cosmos.tx.v1beta1.Service/Simulate",
      data: SimulateRequest.encode(SimulateRequest.fromPartial({ txBytes: simTx })).finish(),
      height: 0n,
      prove: false,
    });
    assert.deepEqual([sim.codespace, sim.code], ["undefined", 1]);
    assert.match(sim.log, /enclave unavailable/);
    // Every consensus call now halts too (the random cannot be made or verified).
    assert.throws(() => propose(victim.app, g, 2n, [send2]), EnclaveHaltError);

    // Restart: a healthy enclave (same sealed state) and a fresh app over the same store replay block 2.
    host = await startHost();
    const restarted = newApp(host, victim.t);
    const replay = restarted.app.finalizeBlock(finalizeRequest(g, 2n, b2));
    assert.deepEqual(replay.appHash, healthy.appHash, "same app hash as the healthy validator");
    assert.deepEqual(
      replay.txResults.map((r) => r.code),
      healthy.txResults.map((r) => r.code),
    );
    restarted.app.commit();
    twin.app.commit();
    assert.equal(balanceOf(restarted.app, b.address), (BigInt(bBefore) + 5n).toString());
  },
);
