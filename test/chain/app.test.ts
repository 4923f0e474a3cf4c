// The ABCI application through both doors (in-process and the real socket server), determinism of app hashes,
// coded errors with nothing half-applied, queries with proofs, crash/restart, genesis validation and export.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { CheckTxType, ResponseProcessProposal_ProposalStatus } from "cosmjs-types/tendermint/abci/types";
import { appContext } from "../../src/chain/app/context.js";
import { MemoryOverlay } from "../../src/chain/store/memory.js";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import type { AbciApplication } from "../../src/consensus/abciTypes.js";
import { startAbciServer } from "../../src/consensus/abciServer.js";
import { ShroudApp, validateGenesis } from "../../src/chain/app.js";
import { GenesisError, parseGenesisDoc, type GenesisDoc } from "../../src/chain/genesis.js";
import { fromBech32 } from "../../src/chain/address.js";
import { balanceKey } from "../../src/chain/modules/bank/keys.js";
import { STORE_PREFIX as BANK_PREFIX } from "../../src/chain/modules/bank/keys.js";
import { concatBytes, utf8 } from "../../src/util/bytes.js";
import { AbciSocketClient } from "./abciClient.js";
import { devSigners, signedSend, tempStore, testGenesis, type TempStore } from "./fixtures.js";
import { initChain, PROPOSER, runHeight, timeOf, VALSET_HASH } from "./lifecycle.js";

const temps: TempStore[] = [];
after(() => {
  for (const t of temps) t.close();
});
function fresh(): { t: TempStore; app: ShroudApp } {
  const t = tempStore();
  temps.push(t);
  return { t, app: new ShroudApp({ store: t.store }) };
}

async function query(app: AbciApplication, path: string, data: Uint8Array, height = 0n) {
  return app.query({ path, data, height, prove: false });
}

async function balance(app: AbciApplication, address: string): Promise<bigint> {
  const data = QueryBalanceRequest.encode({ address, denom: "uscrt" }).finish();
  const r = await query(app, "/cosmos.bank.v1beta1.Query/Balance", data);
  assert.equal(r.code, 0, r.log);
  return BigInt(QueryBalanceResponse.decode(r.value).balance!.amount);
}

async function accountNumber(app: AbciApplication, address: string): Promise<number> {
  const r = await query(
    app,
    "/cosmos.auth.v1beta1.Query/Account",
    QueryAccountRequest.encode({ address }).finish(),
  );
  assert.equal(r.code, 0, r.log);
  return Number(BaseAccount.decode(QueryAccountResponse.decode(r.value).account!.value).accountNumber);
}

/**
 * The dev genesis without inflation: mint then writes the same (zero) minter every block and mints nothing, so
 * an empty block leaves the app hash unchanged, which several tests below rely on.
 */
const ZERO = "0.000000000000000000";
const G0 = testGenesis();
const G: GenesisDoc = {
  ...G0,
  app_state: {
    ...G0.app_state,
    mint: {
      minter: { inflation: ZERO, annual_provisions: ZERO },
      params: {
        mint_denom: "uscrt",
        inflation_rate_change: ZERO,
        inflation_max: ZERO,
        inflation_min: ZERO,
        goal_bonded: "0.670000000000000000",
        blocks_per_year: "6311520",
      },
    },
  },
};
const { a, b } = devSigners();

/** Genesis, an empty height 1, two sends a → b at height 2, one at height 3 (the same bytes every run). */
async function runSends(app: AbciApplication): Promise<{ hashes: Uint8Array[]; bBalance: bigint }> {
  const hashes = [await initChain(app, G)];
  const h1 = await runHeight(app, 1n, timeOf(G, 1n), []);
  hashes.push(h1.finalize.appHash);
  const num = await accountNumber(app, a.address);
  const txs2 = [
    await signedSend(a, b.address, "5", num, 0, G.chain_id),
    await signedSend(a, b.address, "7", num, 1, G.chain_id),
  ];
  const h2 = await runHeight(app, 2n, timeOf(G, 2n), txs2);
  assert.deepEqual(
    h2.finalize.txResults.map((r) => [r.code, r.log]),
    [
      [0, ""],
      [0, ""],
    ],
  );
  hashes.push(h2.finalize.appHash);
  const h3 = await runHeight(app, 3n, timeOf(G, 3n), [
    await signedSend(a, b.address, "1", num, 2, G.chain_id),
  ]);
  hashes.push(h3.finalize.appHash);
  return { hashes, bBalance: await balance(app, b.address) };
}

describe("ShroudApp lifecycle through two doors", () => {
  test("in-process and over the ABCI socket: same results, same app hash at every height", async () => {
    const inProc = await runSends(fresh().app);
    const { app } = fresh();
    const srv = await startAbciServer(app, "tcp://127.0.0.1:0");
    const client = await AbciSocketClient.connect(srv.port!);
    try {
      const viaSocket = await runSends(client);
      assert.deepEqual(viaSocket.hashes, inProc.hashes);
      assert.equal(inProc.bBalance, 1_000_000_000_000_000_013n);
      // Every block writes (staking's HistoricalInfo at BeginBlock, as in the SDK), so each height has its hash.
      assert.equal(new Set(inProc.hashes.map((h) => Buffer.from(h).toString("hex"))).size, 4);
    } finally {
      client.close();
      await srv.close();
    }
  });

  test("determinism: same genesis + same secretjs-signed txs twice → identical app hash at every height", async () => {
    const r1 = await runSends(fresh().app);
    const r2 = await runSends(fresh().app);
    assert.deepEqual(r1.hashes, r2.hashes);
  });
});

describe("ShroudApp: bad input is a coded error, nothing half-applied", () => {
  test("CheckTx: garbage, an injected-random look-alike, a wrong sequence → codes; state untouched", async () => {
    const { app, t } = fresh();
    await initChain(app, G);
    await runHeight(app, 1n, timeOf(G, 1n), []);
    const num = await accountNumber(app, a.address);
    const garbage = app.checkTx({ tx: Uint8Array.of(1, 2, 3), type: CheckTxType.NEW });
    assert.deepEqual([garbage.codespace, garbage.code], ["sdk", 2]);
    const fakeRandom = app.checkTx({
      tx: concatBytes(Uint8Array.of(0xff), utf8.encode("SHROUD")),
      type: CheckTxType.NEW,
    });
    assert.deepEqual([fakeRandom.codespace, fakeRandom.code], ["sdk", 2]);
    const wrongSeq = app.checkTx({ tx: await signedSend(a, b.address, "1", num, 5), type: CheckTxType.NEW });
    assert.deepEqual([wrongSeq.codespace, wrongSeq.code], ["sdk", 32]);
    assert.equal(t.store.info().lastHeight, 1);
  });

  test("FinalizeBlock: failing txs get codes; a failed message keeps only fee and sequence", async () => {
    const { app } = fresh();
    await initChain(app, G);
    await runHeight(app, 1n, timeOf(G, 1n), []);
    const num = await accountNumber(app, a.address);
    const before = await balance(app, a.address);
    const txs = [
      Uint8Array.of(0x0a, 0xff), // malformed
      await signedSend(a, b.address, "1", num, 9), // wrong sequence: ante fails, nothing applied
      await signedSend(a, b.address, "9999999999999999999999", num, 0), // insufficient funds: fee + seq only
      await signedSend(a, b.address, "3", num, 1), // fine (sequence advanced by the failed send's ante)
    ];
    const time = { seconds: timeOf(G, 2n) / 1_000_000_000n, nanos: 0 };
    const res = app.finalizeBlock({
      txs,
      decidedLastCommit: { round: 0, votes: [] },
      misbehavior: [],
      hash: new Uint8Array(32),
      height: 2n,
      time,
      nextValidatorsHash: new Uint8Array(32),
      proposerAddress: new Uint8Array(20),
    });
    app.commit();
    assert.deepEqual(
      res.txResults.map((r) => [r.codespace, r.code]),
      [
        ["sdk", 2],
        ["sdk", 32],
        ["sdk", 5],
        ["", 0],
      ],
    );
    // Two fees of 2,500uscrt (secretjs' default 25,000 gas × 0.1) and the 3uscrt send.
    assert.equal(await balance(app, a.address), before - 2n * 2500n - 3n);
    assert.equal(await balance(app, b.address), 1_000_000_000_000_000_003n);
  });

  test("several Prepare/Process rounds per height leave no trace; supply = sum of balances after the block", async () => {
    const { app, t } = fresh();
    await initChain(app, G);
    await runHeight(app, 1n, timeOf(G, 1n), []);
    const num = await accountNumber(app, a.address);
    const tx = await signedSend(a, b.address, "5", num, 0);
    const time = { seconds: timeOf(G, 2n) / 1_000_000_000n, nanos: 0 };
    const common = {
      height: 2n,
      time,
      nextValidatorsHash: new Uint8Array(32),
      proposerAddress: new Uint8Array(20),
    };
    for (let round = 0; round < 3; round++) {
      const p = app.prepareProposal({
        ...common,
        misbehavior: [],
        maxTxBytes: 1n << 20n,
        txs: [tx, tx],
        localLastCommit: { round, votes: [] },
      });
      assert.equal(
        p.txs.length,
        1,
        "the duplicate fails ante (sequence) on the candidate overlay and is dropped",
      );
      const r = app.processProposal({
        ...common,
        misbehavior: [],
        txs: [tx, tx],
        proposedLastCommit: { round, votes: [] },
        hash: new Uint8Array(32),
      });
      assert.equal(
        r.status,
        ResponseProcessProposal_ProposalStatus.ACCEPT,
        "another proposer's txs are not re-run (SN's NoOpProcessProposal): the duplicate would fail in FinalizeBlock",
      );
    }
    assert.equal(await balance(app, b.address), 1_000_000_000_000_000_000n, "candidates were discarded");
    await runHeight(app, 2n, timeOf(G, 2n), [tx]);
    const ctx = appContext(new MemoryOverlay(t.store.committed), G.chain_id, 2n, 0n);
    assert.equal(app.modules.bank.keeper.checkSupplyInvariant(ctx), undefined);
  });

  test("out-of-order calls are broken invariants (they throw)", async () => {
    const { app } = fresh();
    await initChain(app, G);
    assert.throws(() => app.commit(), /Commit without FinalizeBlock/);
  });
});

describe("ShroudApp: queries, proofs, crash/restart, genesis", () => {
  test("store/bank/key with prove: value and a proof that verifies against the app hash", async () => {
    const { app, t } = fresh();
    await initChain(app, G);
    const h1 = await runHeight(app, 1n, timeOf(G, 1n), []);
    const key = balanceKey(fromBech32(a.address), "uscrt");
    const r = app.query({ path: "store/bank/key", data: key, height: 0n, prove: true });
    assert.equal(r.code, 0, r.log);
    assert.equal(utf8.decode(r.value), "1000000000000000000");
    const op = r.proofOps!.ops[0]!;
    assert.equal(op.type, "shroud:smt");
    assert.ok(t.store.verify(h1.finalize.appHash, concatBytes(BANK_PREFIX, key), r.value, op.data));
    assert.ok(!t.store.verify(h1.finalize.appHash, op.key, utf8.encode("1"), op.data), "a wrong value fails");
    const missing = app.query({ path: "store/nope/key", data: key, height: 0n, prove: false });
    assert.deepEqual([missing.codespace, missing.code], ["sdk", 6]);
    const future = app.query({ path: "store/bank/key", data: key, height: 99n, prove: false });
    assert.deepEqual([future.codespace, future.code], ["sdk", 26]);
    const notFound = await query(
      app,
      "/cosmos.auth.v1beta1.Query/Account",
      QueryAccountRequest.encode({ address: "secret1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq" }).finish(),
    );
    assert.ok(notFound.code !== 0);
  });

  test("crash after FinalizeBlock, before Commit: restart reports the last commit; replay gives the same hash", async () => {
    const { app, t } = fresh();
    await initChain(app, G);
    await runHeight(app, 1n, timeOf(G, 1n), []);
    const num = await accountNumber(app, a.address);
    const tx = await signedSend(a, b.address, "5", num, 0);
    const time = { seconds: timeOf(G, 2n) / 1_000_000_000n, nanos: 0 };
    const req = {
      txs: [tx],
      decidedLastCommit: { round: 0, votes: [] },
      misbehavior: [],
      hash: new Uint8Array(32),
      height: 2n,
      time,
      nextValidatorsHash: new Uint8Array(32),
      proposerAddress: new Uint8Array(20),
    };
    const first = app.finalizeBlock(req);
    const before = t.store.info();
    const reopened = new ShroudApp({ store: t.reopen() }); // the crash: no Commit
    const info = reopened.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" });
    assert.equal(info.lastBlockHeight, 1n);
    assert.deepEqual(info.lastBlockAppHash, before.lastAppHash);
    const replay = reopened.finalizeBlock(req);
    assert.deepEqual(replay.appHash, first.appHash);
    reopened.commit();
    assert.equal(await balance(reopened, b.address), 1_000_000_000_000_000_005n);
  });

  test("a crash after block 1 was stored but before its Commit: replay without InitChain (replayGenesis)", async () => {
    const { app } = fresh();
    await initChain(app, G);
    const h1 = await runHeight(app, 1n, timeOf(G, 1n), []);
    const t = tempStore();
    temps.push(t);
    const ns = timeOf(G, 0n);
    const replayGenesis = {
      time: { seconds: ns / 1_000_000_000n, nanos: 0 },
      chainId: G.chain_id,
      validators: [],
      appStateBytes: utf8.encode(JSON.stringify(G.app_state)),
      initialHeight: 1n,
    };
    const restarted = new ShroudApp({ store: t.store, replayGenesis });
    const res = restarted.finalizeBlock({
      txs: h1.proposed,
      decidedLastCommit: { round: 0, votes: [] },
      misbehavior: [],
      hash: new Uint8Array(32),
      height: 1n,
      time: { seconds: timeOf(G, 1n) / 1_000_000_000n, nanos: 0 },
      // The same block: its header facts go into staking's HistoricalInfo.
      nextValidatorsHash: VALSET_HASH,
      proposerAddress: PROPOSER,
    });
    assert.deepEqual(res.appHash, h1.finalize.appHash);
  });

  test("genesis validation names the bad field; export → import round-trips the state", async () => {
    const bad = (f: (g: GenesisDoc) => GenesisDoc, re: RegExp) => {
      assert.throws(
        () => {
          validateGenesis(f(G));
        },
        (e: unknown) => e instanceof GenesisError && re.test(e.message),
      );
    };
    bad(
      (g) => ({ ...g, app_state: { ...g.app_state, staking2: {} } }),
      /app_state\.staking2: unknown module/,
    );
    bad(
      (g) => ({
        ...g,
        app_state: { ...g.app_state, bank: { balances: [{ address: "secret1bad", coins: [] }] } },
      }),
      /app_state\.bank/,
    );
    bad((g) => ({ ...g, app_state: { ...g.app_state, register: {} } }), /app_state\.register: .*required/);
    assert.throws(() => parseGenesisDoc("{}"), /chain_id/);
    assert.throws(() => parseGenesisDoc(JSON.stringify({ ...G, genesis_time: "yesterday" })), /genesis_time/);
    validateGenesis(parseGenesisDoc(JSON.stringify(G)));

    const { app } = fresh();
    await initChain(app, G);
    await runHeight(app, 1n, timeOf(G, 1n), []);
    const num = await accountNumber(app, a.address);
    await runHeight(app, 2n, timeOf(G, 2n), [await signedSend(a, b.address, "5", num, 0)]);
    const at1 = app.exportAppState(1);
    const at2 = app.exportAppState();
    assert.notDeepEqual(at1.bank, at2.bank);
    const exported: GenesisDoc = { ...G, app_state: at2 };
    validateGenesis(exported);
    const { app: again } = fresh();
    await initChain(again, exported);
    await runHeight(again, 1n, timeOf(G, 1n), []);
    assert.equal(await balance(again, b.address), 1_000_000_000_000_000_005n);
    assert.deepEqual(again.exportAppState(), at2);
  });
});

describe("ShroudApp: hostile blocks", () => {
  test("seeded garbage txs in FinalizeBlock: never a throw, always coded, state untouched", async () => {
    const { app } = fresh();
    const twin = fresh().app; // the same heights with no txs at all
    await initChain(app, G);
    await initChain(twin, G);
    const txArb = fc.oneof(
      fc.uint8Array({ minLength: 0, maxLength: 300 }),
      fc
        .uint8Array({ minLength: 1, maxLength: 60 })
        .map((b) => concatBytes(Uint8Array.of(0x0a, b.length), b)),
      fc.uint8Array({ maxLength: 100 }).map((b) => concatBytes(Uint8Array.of(0xff), b)),
    );
    let height = 1n;
    fc.assert(
      fc.property(fc.array(txArb, { minLength: 1, maxLength: 8 }), (txs) => {
        const block = {
          decidedLastCommit: { round: 0, votes: [] },
          misbehavior: [],
          hash: new Uint8Array(32),
          height,
          time: { seconds: timeOf(G, height) / 1_000_000_000n, nanos: 0 },
          nextValidatorsHash: new Uint8Array(32),
          proposerAddress: new Uint8Array(20),
        };
        const res = app.finalizeBlock({ ...block, txs });
        const empty = twin.finalizeBlock({ ...block, txs: [] });
        app.commit();
        twin.commit();
        height++;
        assert.equal(res.txResults.length, txs.length);
        for (const r of res.txResults) {
          assert.ok(r.code !== 0, "garbage never succeeds");
          assert.notEqual(r.codespace, "undefined", "no panic-coded result");
        }
        assert.deepEqual(res.appHash, empty.appHash, "no write from any of them");
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});
