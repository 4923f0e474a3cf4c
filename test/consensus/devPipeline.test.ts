// The DevEngine's pipeline is speed only: two engines over the same enclave keys and genesis take the same seeded
// stream of txs — each block's next chunk broadcast while the block is produced, with duplicates and bad
// sequences mixed in — one checking the chunk as door jobs inside FinalizeBlock's ECALL waits (pipeline on), the
// other at once (off); the first also steps FinalizeBlock, a turn of its event loop between txs. Every CheckTx
// answer, block, tx result and app hash must be the same, and jobs must run. Engine 0 also writes its block
// store's index in door jobs and idle turns, engine 1 inline: the same index rows.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { MsgExecuteContract, MsgInstantiateContract, MsgSend, MsgStoreCode, type Msg } from "secretjs";
import { EnclaveHost, type BlockRef } from "../../src/enclave/api.js";
import { ShroudApp } from "../../src/chain/app.js";
import { DevEngine, type BroadcastResult } from "../../src/consensus/dev.js";
import { parseRfc3339Ns } from "../../src/chain/genesis.js";
import { utf8 } from "../../src/util/bytes.js";
import { enclaveGenesis, tempStore, type TempStore } from "../chain/fixtures.js";
import { prng as prngU32 } from "../../src/chain/store/testkit.js";
import { appSigners, counterGz, counterHash, eventAttr } from "../chain/twinApps.js";

let dir: string;
let hosts: EnclaveHost[] = [];
let keys: ReturnType<EnclaveHost["initBootstrap"]>;
const stores: TempStore[] = [];
/** Engines to stop (a passing CheckTx schedules a block timer that would keep the process alive). */
const running: DevEngine[] = [];
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "shroud-dev-pipeline-"));
  const opts = { dataDir: join(dir, "e"), platformSecretPath: join(dir, "e.secret"), ecallTimeoutMs: 60_000 };
  const first = await EnclaveHost.start(opts);
  keys = first.initBootstrap();
  // The same sealed keys, opened by a second enclave.
  hosts = [first, await EnclaveHost.start(opts)];
});
after(async () => {
  for (const e of running) await e.stop();
  for (const h of hosts) await h.stop();
  for (const s of stores) s.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The store testkit's seeded mulberry32 as a fraction in [0, 1) (the stream's shape only). */
function prng(seed: number): () => number {
  const next = prngU32(seed);
  return () => next() / 4294967296;
}

test(
  "pipeline on and off: the same CheckTx answers, blocks, results and app hashes; queued txs checked in jobs",
  { timeout: 240_000 },
  async () => {
    const g = enclaveGenesis(hosts[0]!, keys);
    const genesisTimeNs = parseRfc3339Ns(g.genesis_time);
    // The block random is the one input the engines do not share: engine 1 replays engine 0's, per height.
    const randoms = new Map<bigint, { encrypted: Uint8Array; proof: Uint8Array }>();
    const gen0 = hosts[0]!.generateBlockRandom.bind(hosts[0]);
    hosts[0]!.generateBlockRandom = (ref: BlockRef) => {
      const r = gen0(ref);
      randoms.set(ref.height, r);
      return r;
    };
    hosts[1]!.generateBlockRandom = (ref: BlockRef) => randoms.get(ref.height)!;
    const engines = hosts.map((enclave, i) => {
      const t = tempStore();
      stores.push(t);
      const app = new ShroudApp({ store: t.store, enclave });
      let clock = genesisTimeNs;
      const engine = new DevEngine({
        app,
        blockStorePath: join(t.dir, "blocks"),
        chainId: g.chain_id,
        validatorSeed: new Uint8Array(32).fill(9),
        blockTimeMs: 2_000_000_000,
        genesisTimeNs,
        appStateBytes: utf8.encode(JSON.stringify(g.app_state)),
        nowNs: () => (clock += 1_000_000_000n),
        pipeline: {
          setDoorJobs: (jobs) => {
            enclave.doorJobs = jobs;
          },
        },
      });
      engine.pipelined = i === 0;
      // Engine 0 also steps FinalizeBlock, a turn of the event loop after every tx (what `shroud dev` does).
      if (i === 0) engine.yieldEveryMs = 0;
      // Engine 0 writes the block store's index in door jobs (the default), engine 1 inline: the same rows.
      engine.store.deferIndex = i === 0;
      running.push(engine);
      return { app, engine, blockStorePath: join(t.dir, "blocks") };
    });
    for (const { engine } of engines) {
      await engine.start();
      await engine.produceBlock();
    }
    const signer = appSigners(engines[0]!.app, g.chain_id, ["a", "b", "c"]);
    const { clients, sign } = signer;
    const addr = (i: number): string => clients[i]!.wallet.address;

    /** One height on both engines (0 first: its random is replayed by 1); `stream` arrives during the block. */
    const answers: BroadcastResult[][][] = [[], []];
    let queuedAnswers = 0;
    const height = async (stream: Uint8Array[]): Promise<void> => {
      for (const [i, { engine }] of engines.entries()) {
        const block = engine.produceBlock();
        const rs = stream.map((tx) => engine.broadcastTx(tx));
        await block;
        const got = await Promise.all(rs);
        answers[i]!.push(got);
        if (i === 0) queuedAnswers += got.length;
      }
    };
    const broadcastAll = async (txs: Uint8Array[]): Promise<void> => {
      for (const [i, { engine }] of engines.entries()) {
        const rs: BroadcastResult[] = [];
        for (const tx of txs) rs.push(await engine.broadcastTx(tx));
        answers[i]!.push(rs);
      }
    };

    // The counter contract, stored and instantiated through both engines.
    await broadcastAll([
      await sign(
        0,
        new MsgStoreCode({ sender: addr(0), wasm_byte_code: counterGz, source: "", builder: "" }),
      ),
    ]);
    const init = { sender: addr(0), code_id: 1, code_hash: counterHash, label: "c", init_msg: { count: 1 } };
    await height([await sign(0, new MsgInstantiateContract(init))]);
    await height([]);
    const stored = engines[0]!.engine.store.getBlock(engines[0]!.engine.height)!;
    const contract = stored.results.txResults
      .map((r) => eventAttr(r.events, "message", "contract_address"))
      .find((a) => a !== undefined)!;
    assert.match(contract, /^secret1/);

    // The seeded stream: per block 4–11 txs from three signers (counter increments, bank sends), with
    // duplicates of txs already in the mempool or in the same chunk, and txs with a sequence ahead of time.
    const rand = prng(0x5eed);
    const msgFor = (i: number): Msg =>
      rand() < 0.75
        ? new MsgExecuteContract({
            sender: addr(i),
            contract_address: contract,
            code_hash: counterHash,
            msg: { increment: {} },
            sent_funds: [],
          })
        : new MsgSend({
            from_address: addr(i),
            to_address: addr((i + 1) % 3),
            amount: [{ denom: "uscrt", amount: "7" }],
          });
    const chunks: Uint8Array[][] = [];
    let previous: Uint8Array[] = [];
    for (let k = 0; k < 10; k++) {
      const chunk: Uint8Array[] = [];
      const n = 4 + Math.floor(rand() * 8);
      for (let j = 0; j < n; j++) {
        const i = Math.floor(rand() * 3);
        const r = rand();
        if (r < 0.1 && chunk.length > 0) chunk.push(chunk[Math.floor(rand() * chunk.length)]!);
        else if (r < 0.17 && previous.length > 0) chunk.push(previous[Math.floor(rand() * previous.length)]!);
        else if (r < 0.25) {
          clients[i]!.sequence += 3;
          chunk.push(await sign(i, msgFor(i), 400_000));
          clients[i]!.sequence -= 4;
        } else chunk.push(await sign(i, msgFor(i), 400_000));
      }
      chunks.push(chunk);
      previous = chunk;
    }
    await broadcastAll(chunks[0]!);
    for (const chunk of chunks.slice(1)) await height(chunk);
    await height([]);
    await height([]);

    const [a, b] = engines as [(typeof engines)[0], (typeof engines)[0]];
    // The same answers to every broadcast, including the refusals the stream carries.
    assert.deepEqual(answers[0], answers[1]);
    const codes = answers[0]!.flat().map((r) => r.checkTx.code);
    assert.ok(codes.includes(19), "a duplicate was refused");
    assert.ok(
      codes.some((c) => c !== 0 && c !== 19),
      "a tx with a sequence ahead of time was refused",
    );
    assert.ok(codes.filter((c) => c === 0).length > 40);
    // The same blocks, results and app hashes at every height; every tx that passed CheckTx was delivered.
    assert.equal(a.engine.height, b.engine.height);
    let delivered = 0;
    for (let h = 1n; h <= a.engine.height; h++) {
      const x = a.engine.store.getBlock(h)!;
      const y = b.engine.store.getBlock(h)!;
      assert.deepEqual(x.blockId, y.blockId, `block ${h}`);
      assert.deepEqual(x.results, y.results, `results ${h}`);
      for (const r of x.results.txResults.slice(1)) assert.equal(r.code, 0, r.log);
      delivered += Math.max(0, x.block.data.txs.length - 1);
    }
    assert.deepEqual(a.engine.appHash, b.engine.appHash);
    assert.equal(a.engine.mempoolSize, 0);
    assert.equal(b.engine.mempoolSize, 0);
    assert.ok(delivered >= codes.filter((c) => c === 0).length);
    // The pipeline did its work: queued txs were checked inside the ECALL waits (the rest after FinalizeBlock).
    const st = a.engine.pipelineStats;
    assert.ok(st.inJobs > 0, `checked in door jobs: ${st.inJobs}, after: ${st.after}`);
    assert.equal(b.engine.pipelineStats.inJobs + b.engine.pipelineStats.after, 0);
    assert.ok(a.engine.stepStats.yields > 20, `turns given: ${a.engine.stepStats.yields}`);
    assert.equal(b.engine.stepStats.blocks, 0);
    // Every streamed tx was queued and answered once.
    assert.equal(st.inJobs + st.after, queuedAnswers);
    // The index rows were written in door jobs too (after the queue), and equal the inline index's.
    assert.ok(a.engine.store.indexStats.jobs > 0, `index jobs: ${a.engine.store.indexStats.jobs}`);
    assert.equal(b.engine.store.indexStats.jobs, 0);
    const rows = (e: (typeof engines)[0]): string[] => {
      e.engine.store.flushIndex();
      const db = new Database(e.blockStorePath, { readonly: true });
      const out = ["txs", "tx_events", "meta"].flatMap((t) =>
        (db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).raw().all() as unknown[][]).map(
          (r) => t + JSON.stringify(r, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString("hex") : v)),
        ),
      );
      db.close();
      return out;
    };
    const rowsA = rows(a);
    assert.ok(rowsA.filter((r) => r.startsWith("tx_events")).length > 100);
    assert.deepEqual(rowsA, rows(b));
  },
);
