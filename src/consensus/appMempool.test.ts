// The app-side mempool (appMempool.ts): admission order, dedup through the seen cache, CometBFT's limits and
// refusal codes, peers' txs re-sent to every other peer, reaping within a proposal's bytes; against the real
// ShroudApp: a committed block's txs leave and a pending tx whose sequence went stale is dropped by the recheck,
// undecodable and oversize txs are answered with their codes and neither admitted nor gossiped; and CheckTx from
// a client never runs inside an ABCI request (the ABCI socket server's queue, shared).
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  CheckTxType,
  type RequestCheckTx,
  type RequestFinalizeBlock,
  type ResponseCheckTx,
} from "cosmjs-types/tendermint/abci/types";
import { ShroudApp } from "../chain/app.js";
import {
  accountNumberOf,
  devSigners,
  signedSend,
  tempStore,
  testGenesis,
  type TempStore,
} from "../../test/chain/fixtures.js";
import { initChain, PROPOSER, timeOf, VALSET_HASH } from "../../test/chain/lifecycle.js";
import { AbciSocketClient } from "../../test/chain/abciClient.js";
import { KvApp } from "../../test/consensus/kvApp.js";
import type { AbciApplication } from "./abciTypes.js";
import { SerialQueue, startAbciServer } from "./abciServer.js";
import {
  AppMempool,
  COMET_MEMPOOL_DEFAULTS,
  MEMPOOL_REFUSALS,
  protoTxSize,
  RANDOM_TX_RESERVE,
  withAppMempool,
  type AppMempoolLimits,
  type MempoolGossip,
} from "./appMempool.js";

const ok = (): ResponseCheckTx => ({
  code: 0,
  data: new Uint8Array(),
  log: "",
  info: "",
  gasWanted: 1n,
  gasUsed: 1n,
  events: [],
  codespace: "",
});

/** A CheckTx that refuses txs starting with 0xff (code 2, "undecodable") and counts its calls. */
function fakeCheck(): { calls: RequestCheckTx[]; checkTx: (r: RequestCheckTx) => ResponseCheckTx } {
  const calls: RequestCheckTx[] = [];
  return {
    calls,
    checkTx: (r) => {
      calls.push(r);
      return r.tx[0] === 0xff ? { ...ok(), code: 2, codespace: "sdk", log: "tx parse error" } : ok();
    },
  };
}

/** A gossip that records what it was asked to send. */
function fakeGossip(): MempoolGossip & { sent: { txs: string[]; except: string | undefined }[] } {
  const sent: { txs: string[]; except: string | undefined }[] = [];
  return {
    sent,
    send: (txs, except) => sent.push({ txs: txs.map((t) => Buffer.from(t).toString()), except }),
  };
}

const tx = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));
/** A tx the fake CheckTx refuses (code 2). */
const BAD = Uint8Array.from([0xff, 0x01]);
const str = (txs: readonly Uint8Array[]): string[] => txs.map((t) => Buffer.from(t).toString());
const limits = (l: Partial<AppMempoolLimits> = {}): AppMempoolLimits => ({ ...COMET_MEMPOOL_DEFAULTS, ...l });

describe("AppMempool", () => {
  test("admission order, one CheckTx per tx, duplicates answered 19 and not gossiped again", async () => {
    const c = fakeCheck();
    const g = fakeGossip();
    const m = new AppMempool({ limits: limits(), checkTx: c.checkTx, gossip: g });
    for (const s of ["b", "a", "c"]) assert.equal((await m.submit(tx(s))).code, 0);
    assert.deepEqual(str(m.pending()), ["b", "a", "c"]);
    const dup = await m.submit(tx("a"));
    assert.equal(dup.code, MEMPOOL_REFUSALS.inCache);
    assert.equal(dup.codespace, "sdk");
    assert.equal(dup.log, "tx already exists in cache");
    assert.equal(c.calls.length, 3, "a duplicate is not checked again");
    assert.ok(c.calls.every((r) => r.type === CheckTxType.NEW));
    assert.deepEqual(
      g.sent.map((s) => s.txs),
      [["b"], ["a"], ["c"]],
    );
    assert.ok(
      g.sent.every((s) => s.except === undefined),
      "a client's tx goes to every peer",
    );
    // A tx the app refused is not cached: sent again, it is checked again.
    assert.equal((await m.submit(BAD)).code, 2);
    assert.equal((await m.submit(BAD)).code, 2);
    assert.equal(c.calls.length, 5);
    assert.equal(m.size, 3);
    assert.equal(g.sent.length, 3, "refused txs are not gossiped");
    assert.deepEqual(
      { ...m.stats(), bytes: 0 },
      {
        txs: 3,
        bytes: 0,
        admittedLocal: 3,
        admittedPeer: 0,
        rejectedLocal: 2,
        rejectedPeer: 0,
        duplicates: 1,
        full: 0,
        tooLarge: 0,
        rechecked: 0,
        recheckDropped: 0,
        committed: 0,
      },
    );
  });

  test("limits: full by count or bytes (20), too large (21), checked before the cache and CheckTx", async () => {
    const c = fakeCheck();
    const m = new AppMempool({
      limits: limits({ size: 2, maxTxsBytes: 10, maxTxBytes: 6 }),
      checkTx: c.checkTx,
    });
    assert.equal((await m.submit(tx("1234567"))).code, MEMPOOL_REFUSALS.tooLarge);
    assert.match((await m.submit(tx("1234567"))).log, /tx too large. Max size is 6, but got 7/);
    assert.equal((await m.submit(tx("123456"))).code, 0);
    assert.equal((await m.submit(tx("12345"))).code, MEMPOOL_REFUSALS.full, "6 + 5 bytes > 10");
    assert.equal((await m.submit(tx("1234"))).code, 0);
    assert.equal((await m.submit(tx("x"))).code, MEMPOOL_REFUSALS.full, "2 txs held");
    assert.equal(c.calls.length, 2);
    // Committing one makes room again.
    m.update([tx("123456")]);
    assert.equal((await m.submit(tx("x"))).code, 0);
    assert.deepEqual(str(m.pending()), ["1234", "x"]);
  });

  test("the seen cache is bounded (LRU) and keeps committed txs out; failed block txs may come back", async () => {
    const c = fakeCheck();
    const m = new AppMempool({ limits: limits({ cacheSize: 2 }), checkTx: c.checkTx });
    await m.submit(tx("a"));
    m.update([tx("a"), tx("f")], [0, 5]);
    assert.equal(m.size, 0);
    assert.equal((await m.submit(tx("a"))).code, MEMPOOL_REFUSALS.inCache, "committed: still in the cache");
    assert.equal((await m.submit(tx("f"))).code, 0, "failed in its block: out of the cache");
    await m.submit(tx("b"));
    await m.submit(tx("c")); // the cache holds 2: "a" (oldest) is evicted
    m.update([tx("f"), tx("b"), tx("c")]);
    assert.equal((await m.submit(tx("a"))).code, 0, "evicted from the cache: checked again");
    // A tx still pending is a duplicate even once the cache has forgotten it.
    const small = new AppMempool({ limits: limits({ cacheSize: 1 }), checkTx: c.checkTx });
    await small.submit(tx("p"));
    await small.submit(tx("q"));
    assert.equal((await small.submit(tx("p"))).code, MEMPOOL_REFUSALS.inCache);
    assert.equal(small.size, 2);
  });

  test("peers' txs: dedup, admitted ones re-sent to every peer but the sender, refused ones dropped", async () => {
    const c = fakeCheck();
    const g = fakeGossip();
    const m = new AppMempool({ limits: limits(), checkTx: c.checkTx, gossip: g });
    m.receive([tx("a"), BAD, tx("b"), tx("a")], "peer1");
    m.receive([tx("b"), tx("c")], "peer2");
    assert.deepEqual(str(m.pending()), ["a", "b", "c"]);
    assert.deepEqual(g.sent, [
      { txs: ["a", "b"], except: "peer1" },
      { txs: ["c"], except: "peer2" },
    ]);
    assert.equal(c.calls.length, 4, "a, 0xff, b, c: each checked once");
    const s = m.stats();
    assert.equal(s.admittedPeer, 3);
    assert.equal(s.rejectedPeer, 1);
    assert.equal(s.duplicates, 2);
    // Nothing new: nothing sent.
    m.receive([tx("c")], "peer3");
    assert.equal(g.sent.length, 2);
    // Without relay (a full mesh): admitted, not re-sent; a client's tx is still sent.
    const g2 = fakeGossip();
    const quiet = new AppMempool({ limits: limits(), checkTx: c.checkTx, gossip: g2, relay: false });
    quiet.receive([tx("a")], "peer1");
    assert.deepEqual(str(quiet.pending()), ["a"]);
    assert.deepEqual(g2.sent, []);
    await quiet.submit(tx("b"));
    assert.deepEqual(g2.sent, [{ txs: ["b"], except: undefined }]);
    // The gossip hands views into one socket chunk: the mempool keeps its own copy, not the chunk.
    const chunk = new Uint8Array([9, 9, ...tx("z"), 9]);
    const own = new AppMempool({ limits: limits(), checkTx: c.checkTx });
    own.receive([chunk.subarray(2, 2 + tx("z").length)], "peer1");
    const kept = own.pending()[0]!;
    assert.deepEqual(str([kept]), ["z"]);
    assert.notEqual(kept.buffer, chunk.buffer, "a copy, not a view into the peer's chunk");
    assert.equal(kept.byteLength, kept.buffer.byteLength);
  });

  test("reap: admission order, within max bytes as CometBFT counts them less the random's room", async () => {
    const m = new AppMempool({ limits: limits(), checkTx: fakeCheck().checkTx });
    const big = new Uint8Array(200).fill(1);
    const txs = [tx("a".repeat(100)), big, tx("c".repeat(300)), tx("d")];
    for (const t of txs) await m.submit(t);
    assert.equal(protoTxSize(big), 203, "tag, 2-byte length, 200 bytes");
    assert.equal(protoTxSize(tx("d")), 3);
    assert.equal(m.reap(-1).length, 4);
    const room = (n: number): bigint => BigInt(RANDOM_TX_RESERVE + n);
    assert.equal(m.reap(room(102 + 203 + 303 + 3)).length, 4);
    assert.equal(m.reap(room(102 + 203 + 303 + 2)).length, 3);
    // Stops at the first tx that does not fit (the small one after it waits too: order is kept).
    assert.deepEqual(m.reap(room(102 + 203 + 10)), [txs[0], txs[1]]);
    assert.deepEqual(m.reap(room(101)), []);
    assert.deepEqual(m.reap(0n), []);
  });
});

// --- against the real app --------------------------------------------------------------------------------------

const G = testGenesis();
const temps: TempStore[] = [];
after(() => {
  for (const t of temps) t.close();
});

async function freshApp(): Promise<ShroudApp> {
  const t = tempStore();
  temps.push(t);
  const app = new ShroudApp({ store: t.store });
  await initChain(app, G);
  return app;
}

function blockReq(height: bigint, txs: readonly Uint8Array[]): RequestFinalizeBlock {
  return {
    txs: [...txs],
    decidedLastCommit: { round: 0, votes: [] },
    misbehavior: [],
    hash: new Uint8Array(32).fill(Number(height)),
    height,
    time: { seconds: timeOf(G, height) / 1_000_000_000n, nanos: 0 },
    nextValidatorsHash: VALSET_HASH,
    proposerAddress: PROPOSER,
  };
}

describe("AppMempool with ShroudApp", () => {
  test("commit removes the block's txs; the recheck drops a tx whose sequence went stale, keeps the next", async () => {
    const app = await freshApp();
    const g = fakeGossip();
    const m = new AppMempool({ limits: limits(), checkTx: (r) => app.checkTx(r), gossip: g });
    const abci = withAppMempool(app, m);
    // An empty height 1 commits the genesis state (queries read committed state).
    await abci.finalizeBlock(blockReq(1n, []));
    await abci.commit({});
    const { a, b } = devSigners();
    const num = accountNumberOf(app, a.address);
    const y0 = await signedSend(a, b.address, "1", num, 0, G.chain_id);
    const y1 = await signedSend(a, b.address, "1", num, 1, G.chain_id);
    const other = await signedSend(a, b.address, "2", num, 0, G.chain_id); // seq 0 too, sent elsewhere
    assert.equal((await m.submit(y0)).code, 0);
    assert.equal((await m.submit(y1)).code, 0);
    // Bad input: coded answers, nothing admitted or gossiped.
    const junk = await m.submit(Uint8Array.from([1, 2, 3]));
    assert.equal(junk.code, 2, junk.log);
    assert.equal(junk.codespace, "sdk");
    const huge = await m.submit(new Uint8Array(COMET_MEMPOOL_DEFAULTS.maxTxBytes + 1));
    assert.equal(huge.code, MEMPOOL_REFUSALS.tooLarge);
    assert.equal(m.size, 2);
    assert.equal(g.sent.length, 2);
    // The proposal is the mempool, in order (PrepareProposal passes both: same sender, sequences 0, 1).
    const prep = await abci.prepareProposal({
      maxTxBytes: 8n * 1024n * 1024n,
      txs: [],
      localLastCommit: { round: 0, votes: [] },
      misbehavior: [],
      height: 2n,
      time: blockReq(2n, []).time,
      nextValidatorsHash: VALSET_HASH,
      proposerAddress: PROPOSER,
    });
    assert.deepEqual(prep.txs, [y0, y1]);
    // Another proposer's block commits `other` (sequence 0) instead.
    const fin = await abci.finalizeBlock(blockReq(2n, [other]));
    assert.equal(fin.txResults[0]!.code, 0, fin.txResults[0]!.log);
    await abci.commit({});
    assert.deepEqual(m.pending(), [y1], "y0's sequence is stale: dropped; y1 now fits");
    assert.equal(m.stats().recheckDropped, 1);
    assert.equal(m.stats().rechecked, 2);
    // A block committing y1 empties the mempool; y1 sent again is a duplicate (cache), y0 is checked and refused.
    await abci.finalizeBlock(blockReq(3n, [y1]));
    await abci.commit({});
    assert.equal(m.size, 0);
    assert.equal((await m.submit(y1)).code, MEMPOOL_REFUSALS.inCache);
    assert.equal((await m.submit(y0)).code, 32, "account sequence mismatch");
  });

  test("CheckTx from a client waits for the ABCI request in progress (the server's queue)", async () => {
    const kv = new KvApp();
    const order: string[] = [];
    let release: () => void = () => undefined;
    // An app whose FinalizeBlock takes a while (asynchronous): the queue is held until it settles.
    const slow: AbciApplication = {
      info: () => kv.info(),
      initChain: () => kv.initChain(),
      query: (r) => kv.query(r),
      prepareProposal: (r) => kv.prepareProposal(r),
      processProposal: (r) => kv.processProposal(r),
      checkTx: (r) => {
        order.push(
          `checkTx ${Buffer.from(r.tx).toString()}${r.type === CheckTxType.RECHECK ? " recheck" : ""}`,
        );
        return kv.checkTx(r);
      },
      finalizeBlock: async (r) => {
        order.push("finalizeBlock start");
        await new Promise<void>((res) => (release = res));
        order.push("finalizeBlock end");
        return kv.finalizeBlock(r);
      },
      commit: () => {
        order.push("commit");
        return kv.commit();
      },
    };
    const queue = new SerialQueue();
    const m = new AppMempool({
      limits: limits(),
      checkTx: (r) => slow.checkTx(r) as ResponseCheckTx,
      serial: (task) => queue.runNow(task),
    });
    const srv = await startAbciServer(withAppMempool(slow, m), "tcp://127.0.0.1:0", { queue });
    const client = await AbciSocketClient.connect(srv.port!);
    try {
      assert.equal((await m.submit(tx("k1=v1"))).code, 0, "an idle queue: checked at once");
      const finalized = client.finalizeBlock(blockReq(1n, [tx("k1=v1")]));
      while (!order.includes("finalizeBlock start")) await new Promise((r) => setTimeout(r, 5));
      const during = m.submit(tx("k2=v2"));
      await new Promise((r) => setTimeout(r, 50));
      assert.ok(!order.includes("checkTx k2=v2"), "not checked while FinalizeBlock runs");
      const committed = client.commit();
      release();
      assert.equal((await during).code, 0);
      await Promise.all([finalized, committed]);
      assert.deepEqual(order, [
        "checkTx k1=v1",
        "finalizeBlock start",
        "finalizeBlock end",
        "checkTx k2=v2",
        "commit",
        "checkTx k2=v2 recheck",
      ]);
      assert.deepEqual(str(m.pending()), ["k2=v2"], "k1 committed and removed at Commit; k2 rechecked");
    } finally {
      client.close();
      await srv.close();
    }
  });
});
