// The embedded single-validator engine: blocks on demand, no empty blocks while idle, real ed25519 commits,
// hash-linked headers, crash replay, and the tx/event index (written after the block, read without a miss).
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createPublicKey, verify } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { DevEngine, StateAheadError } from "../../src/consensus/dev.js";
import { headerHash } from "../../src/consensus/header.js";
import { parseEventQuery } from "../../src/consensus/blockStore.js";
import { precommitSignBytes } from "../../src/consensus/votes.js";
import type {
  RequestCheckTx,
  RequestFinalizeBlock,
  RequestPrepareProposal,
  RequestProcessProposal,
  RequestQuery,
} from "cosmjs-types/tendermint/abci/types";
import type { AbciApplication } from "../../src/consensus/abciTypes.js";
import { KvApp } from "./kvApp.js";

const seed = new Uint8Array(32).fill(7);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const GENESIS_NS = 1_700_000_000_000_000_000n;

/** `nowNs`: the engine's clock (default: the wall clock). Block timers count from the genesis time, then the last block's. */
function engine(dir: string, app: AbciApplication, blockTimeMs = 30, nowNs?: () => bigint): DevEngine {
  return new DevEngine({
    app,
    blockStorePath: join(dir, "blocks.db"),
    chainId: "secretdev-1",
    validatorSeed: seed,
    blockTimeMs,
    genesisTimeNs: GENESIS_NS,
    appStateBytes: new Uint8Array(),
    ...(nowNs === undefined ? {} : { nowNs }),
  });
}

/**
 * A KvApp whose FinalizeBlock takes `ms` of wall (a timer: the event loop runs meanwhile, as in a stepped block),
 * logging each block's ABCI calls by height and counting blocks that overlapped another one in the app.
 */
class SlowKv implements AbciApplication {
  readonly kv = new KvApp();
  readonly log: string[] = [];
  overlaps = 0;
  private open = 0;
  constructor(private readonly ms: number) {}
  info() {
    return this.kv.info();
  }
  initChain() {
    return this.kv.initChain();
  }
  checkTx(req: RequestCheckTx) {
    return this.kv.checkTx(req);
  }
  prepareProposal(req: RequestPrepareProposal) {
    if (this.open++ > 0) this.overlaps++;
    this.log.push(`prepare ${req.height}`);
    return this.kv.prepareProposal(req);
  }
  processProposal(req: RequestProcessProposal) {
    return this.kv.processProposal(req);
  }
  async finalizeBlock(req: RequestFinalizeBlock) {
    await sleep(this.ms);
    this.log.push(`finalize ${req.height} [${req.txs.map((t) => Buffer.from(t).toString()).join(" ")}]`);
    return this.kv.finalizeBlock(req);
  }
  commit() {
    this.open--;
    this.log.push("commit");
    return this.kv.commit();
  }
  query(req: RequestQuery) {
    return this.kv.query(req);
  }
}

async function waitHeight(e: DevEngine, h: bigint): Promise<void> {
  for (let i = 0; i < 200 && e.height < h; i++) await sleep(10);
  assert.ok(e.height >= h, `reached height ${h}`);
}

describe("DevEngine", () => {
  test("produces linked, signed blocks only when there are txs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "shroud-dev-"));
    const app = new KvApp();
    const e = engine(dir, app);
    await e.start();
    assert.ok(app.calls.includes("initChain"));
    const r1 = await e.broadcastTx(Buffer.from("a=1"));
    assert.equal(r1.checkTx.code, 0);
    const bad = await e.broadcastTx(Buffer.from("no-equals"));
    assert.equal(bad.checkTx.code, 1, "CheckTx rejects a bad tx before the mempool");
    await waitHeight(e, 1n);
    await sleep(150);
    assert.equal(e.height, 1n, "no empty blocks while idle");
    await e.broadcastTx(Buffer.from("b=2"));
    await waitHeight(e, 2n);
    const b1 = e.store.getBlock(1n)!;
    const b2 = e.store.getBlock(2n)!;
    assert.deepEqual(b2.block.header.lastBlockId.hash, b1.blockId.hash, "headers are hash-linked");
    assert.deepEqual(b1.blockId.hash, headerHash(b1.block.header));
    assert.deepEqual(b2.block.header.appHash, b1.results.appHash, "header carries the previous app hash");
    // The commit for block 1 (carried in block 2) verifies under the validator's ed25519 key.
    const sig = b2.block.lastCommit!.signatures[0]!;
    const msg = precommitSignBytes("secretdev-1", 1n, b1.blockId, sig.timestamp);
    const pub = createPublicKey({
      key: Buffer.concat([
        Buffer.from("302a300506032b6570032100", "hex"),
        Buffer.from(e.validatorSet[0]!.pubKey),
      ]),
      format: "der",
      type: "spki",
    });
    assert.ok(verify(null, msg, pub, sig.signature));
    const found = e.store.searchTxs("tx.height=2", { page: 1, perPage: 10, orderBy: "asc" });
    assert.equal(found.total, 1);
    assert.equal(Buffer.from(found.txs[0]!.tx).toString(), "b=2");
    assert.equal(e.store.searchTxs("tx.height>=1", { page: 1, perPage: 1, orderBy: "desc" }).total, 2);
    await e.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("replays a stored block the app did not commit (crash between store and Commit)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "shroud-dev-"));
    const app = new KvApp();
    let snapshot: KvApp | undefined;
    const e = engine(dir, app);
    await e.start();
    for (const [i, tx] of ["x=1", "y=2", "z=3"].entries()) {
      await e.broadcastTx(Buffer.from(tx));
      await waitHeight(e, BigInt(i + 1));
      if (i === 1) {
        snapshot = new KvApp();
        for (const [k, v] of app.state) snapshot.state.set(k, v);
        snapshot.height = app.height;
        snapshot.appHash = app.appHash;
      }
    }
    await e.stop();
    // The restarted app lost its last commit: the engine must replay block 3 into it.
    const e2 = engine(dir, snapshot!);
    await e2.start();
    assert.equal(snapshot!.state.get("z"), "3");
    assert.deepEqual(snapshot!.appHash, app.appHash);
    await e2.broadcastTx(Buffer.from("w=4"));
    await waitHeight(e2, 4n);
    await e2.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the tx index is written after the block, and a read right after the commit sees the block's txs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "shroud-dev-"));
    // Blocks on produceBlock() only: the clock stands at the genesis time, so the block timer a broadcast arms is
    // 2e9 ms away (on the wall clock it counts from a 2023 genesis and fires at once: a stray empty block).
    const e = engine(dir, new KvApp(), 2_000_000_000, () => GENESIS_NS);
    await e.start();
    const seen: string[] = [];
    // Listeners run right after Commit, before any idle turn could have written the index.
    e.on("tx", (t: { hash: Uint8Array; height: bigint; index: number }) => {
      const pending = e.store.pendingIndexBlocks;
      const got = e.store.getTx(t.hash);
      const found = e.store.searchTxs(`tx.height=${t.height}`, { page: 1, perPage: 10, orderBy: "asc" });
      seen.push(`${pending} ${got?.height}.${got?.index} ${found.total}`);
    });
    await e.broadcastTx(Buffer.from("k=1"));
    await e.broadcastTx(Buffer.from("k=2"));
    await e.produceBlock();
    assert.deepEqual(seen, ["1 1.0 2", "0 1.1 2"]);
    // Unread, the next block's index is written on an idle turn.
    await e.broadcastTx(Buffer.from("k=3"));
    e.removeAllListeners("tx");
    await e.produceBlock();
    assert.equal(e.store.pendingIndexBlocks, 1);
    // The idle turn is a setImmediate queued when the block ended; one queued now runs after it in the same check
    // phase. (A 20 ms sleep here failed under load: a process descheduled for 20 ms runs the expired timer before
    // the check phase: once in a full `npm test`, session 16.)
    await new Promise((r) => setImmediate(r));
    assert.equal(e.store.pendingIndexBlocks, 0);
    assert.ok(e.store.indexStats.idle > 0);
    // Any block timer the broadcasts armed would fire before this later timer: none did.
    await sleep(1);
    assert.equal(e.height, 2n, "no block but the two produced");
    await e.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("two produceBlock() calls at once: two blocks, one after the other", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "shroud-dev-"));
    const app = new SlowKv(30);
    const e = engine(dir, app, 2_000_000_000, () => GENESIS_NS);
    await e.start();
    t.after(() => e.stop()); // a failure must not leave the engine's timer holding the file open
    await e.broadcastTx(Buffer.from("a=1"));
    // Before session 17 both ran at once: both built height 1, the second failed on the block store's key.
    const heights = await Promise.all([e.produceBlock(), e.produceBlock(), e.produceBlock()]);
    assert.deepEqual(heights, [1n, 2n, 3n]);
    assert.equal(app.overlaps, 0, "no block started in the app before the previous one committed");
    assert.deepEqual(app.log, [
      "prepare 1",
      "finalize 1 [a=1]",
      "commit",
      "prepare 2",
      "finalize 2 []",
      "commit",
      "prepare 3",
      "finalize 3 []",
      "commit",
    ]);
    await e.stop();
    await assert.rejects(e.produceBlock(), /stopped/, "a request after stop() is refused, not run");
    rmSync(dir, { recursive: true, force: true });
  });

  test("a timer's block and an explicit produceBlock() never overlap, and neither is lost", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "shroud-dev-"));
    const app = new SlowKv(40);
    // The clock stands at the genesis time: a broadcast arms a 5 ms block timer.
    const e = engine(dir, app, 5, () => GENESIS_NS);
    const errors: unknown[] = [];
    e.on("error", (x: unknown) => errors.push(x));
    await e.start();
    t.after(() => e.stop());
    // 1. The timer's block runs (inside its slow FinalizeBlock) when an explicit block is asked for.
    await e.broadcastTx(Buffer.from("a=1"));
    for (let i = 0; i < 500 && !e.busy; i++) await sleep(2);
    assert.ok(e.busy, "the timer's block is running");
    await e.broadcastTx(Buffer.from("b=2"));
    assert.equal(await e.produceBlock(), 2n, "the explicit block comes after the timer's");
    // 2. An explicit block runs when a broadcast arms the timer: the timer's block waits for it. (First the timer
    // armed when the timer's block ended, b=2 pending, fires and finds the mempool empty: no block.)
    await sleep(30);
    const explicit = e.produceBlock();
    assert.ok(e.busy, "an explicit block on an idle engine starts at once");
    await e.broadcastTx(Buffer.from("c=3"));
    await sleep(20); // the 5 ms timer fires during the explicit block's 40 ms FinalizeBlock
    assert.equal(await explicit, 3n);
    await waitHeight(e, 4n);
    await sleep(80);
    assert.deepEqual(errors, []);
    assert.equal(app.overlaps, 0);
    assert.equal(e.height, 4n, "no empty block from a timer whose txs an explicit block took");
    assert.deepEqual(
      app.log.filter((l) => l.startsWith("finalize")),
      ["finalize 1 [a=1]", "finalize 2 [b=2]", "finalize 3 []", "finalize 4 [c=3]"],
    );
    await e.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("state ahead of the block store (blocks lost): refused with a coded error, nothing changed", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "shroud-dev-"));
    const app = new KvApp();
    const e = engine(dir, app, 2_000_000_000, () => GENESIS_NS);
    await e.start();
    t.after(() => e.stop());
    for (const tx of ["x=1", "y=2", "z=3"]) {
      await e.broadcastTx(Buffer.from(tx));
      await e.produceBlock();
    }
    await e.stop();
    // What a power loss did to a block store synced NORMAL while the state synced FULL: its last blocks gone.
    const db = new Database(join(dir, "blocks.db"));
    db.prepare("DELETE FROM blocks WHERE height > 1").run();
    db.close();
    const e2 = engine(dir, app, 2_000_000_000, () => GENESIS_NS);
    await assert.rejects(e2.start(), (err: unknown) => {
      assert.ok(err instanceof StateAheadError);
      assert.equal(err.code, "STATE_AHEAD_OF_BLOCK_STORE");
      assert.match(
        err.message,
        /state is at height 3 but the block store ends at 1: blocks 2\.\.3 are missing/,
      );
      return true;
    });
    assert.equal(e2.height, 1n, "the block store is as it was");
    assert.equal(app.height, 3n, "the app was not touched");
    assert.deepEqual(app.calls.slice(-1), ["info"], "only Info was asked");
    await e2.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the validator set after a block is saved with the block: a crash after Commit keeps it", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "shroud-dev-"));
    const app = new KvApp();
    const e = engine(dir, app, 2_000_000_000, () => GENESIS_NS);
    await e.start();
    t.after(() => e.stop());
    const own = e.validatorPublicKey;
    // Block 2 raises the validator's power to 25 (as a delegation would); its Commit "crashes" once the state
    // is committed, before the engine's own writes after Commit.
    const finalize = app.finalizeBlock.bind(app);
    const commit = app.commit.bind(app);
    app.finalizeBlock = (req) => {
      const r = finalize(req);
      const update = { pubKey: { ed25519: own }, power: 25n };
      return req.height === 2n ? { ...r, validatorUpdates: [update] as never[] } : r;
    };
    app.commit = () => {
      const r = commit();
      if (app.height === 2n) throw new Error("power lost right after Commit");
      return r;
    };
    await e.produceBlock();
    await assert.rejects(e.produceBlock(), /power lost/);
    await e.stop();
    app.finalizeBlock = finalize;
    app.commit = commit;
    const e2 = engine(dir, app, 2_000_000_000, () => GENESIS_NS);
    await e2.start();
    assert.equal(e2.height, 2n);
    assert.deepEqual(
      e2.validatorSet.map((v) => v.power),
      [25n],
      "the set after block 2 (before session 17 it was saved after Commit: 10 here)",
    );
    await e2.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a genesis initial height other than 1: blocks 5, 6, 7; a restart replays from 5", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "shroud-dev-"));
    const opts = {
      blockStorePath: join(dir, "blocks.db"),
      chainId: "secretdev-1",
      validatorSeed: seed,
      blockTimeMs: 2_000_000_000,
      genesisTimeNs: GENESIS_NS,
      appStateBytes: new Uint8Array(),
      initialHeight: 5n,
      nowNs: () => GENESIS_NS,
    };
    const app = new KvApp();
    const e = new DevEngine({ app, ...opts });
    await e.start();
    t.after(() => e.stop());
    const heights = [];
    for (const tx of ["a=1", "b=2", "c=3"]) {
      await e.broadcastTx(Buffer.from(tx));
      heights.push(await e.produceBlock());
    }
    assert.deepEqual(heights, [5n, 6n, 7n]);
    assert.deepEqual(e.store.getBlock(6n)?.block.header.lastBlockId.hash, e.store.getBlock(5n)?.blockId.hash);
    await e.stop();
    // A fresh app (its state lost) gets every stored block again, from the first one.
    const fresh = new KvApp();
    const e2 = new DevEngine({ app: fresh, ...opts });
    await e2.start();
    assert.deepEqual(fresh.appHash, app.appHash);
    assert.equal(fresh.state.get("c"), "3");
    await e2.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("event query parsing", () => {
    assert.deepEqual(parseEventQuery("message.sender='secret1abc' AND tx.height>=5"), [
      { key: "message.sender", op: "=", value: "secret1abc" },
      { key: "tx.height", op: ">=", value: "5" },
    ]);
    assert.throws(() => parseEventQuery("DROP TABLE txs"), /invalid event query/);
  });
});
