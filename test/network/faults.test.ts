// Fault tests on a real 4-validator localnet (4 × `shroud start` + CometBFT v0.38, one shared consensus seed) with
// the counter contract deployed: (c) kill -9 of an application process at seeded random points → replay, same app
// hash, no committed tx lost; (f) a restarted node charges the same contract gas as one that never restarted; (g) the
// restarted nodes are back in the tx gossip (app mode: txs go out from them and come in to them). The tests share
// one localnet and run in order. (a), (b), (d), (e): faultsConsensus.test.ts, on a localnet of its own (session 17:
// one file took 291.6 s of its 300 s at load 17; two files have a budget each).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { TxResultCode } from "secretjs";
import { Localnet, SKIP } from "./harness.js";
import {
  ALL,
  assertNoFork,
  client,
  deployCounter,
  increment,
  proposerOf,
  sleep,
  SUITE_TIMEOUT_MS,
  validatorAddress,
} from "./faultsKit.js";
import { mulberry32 } from "../../src/util/seeded.js";

describe("localnet faults: crashes and replay", { skip: SKIP, timeout: SUITE_TIMEOUT_MS }, () => {
  let net: Localnet;
  let contract = "";

  before(async () => {
    net = await Localnet.create(4);
    for (const i of ALL) net.start(i);
    assert.ok(await net.waitHeight(ALL, 2, 120_000), "all four nodes produce blocks");
    contract = await deployCounter(net, 0);
  });
  after(async () => {
    await net.close();
  });

  test("(c) kill -9 of an app process at random points: replay, same app hash, no committed tx lost", async () => {
    const rnd = mulberry32(42);
    // Encrypted contract executes (counter increments) through node 0 while nodes 1 and 2 crash.
    const committed: string[] = [];
    const streaming = { on: true, error: undefined as unknown };
    const stream = (async () => {
      try {
        while (streaming.on) committed.push((await increment(net, contract, 1, 0)).hash);
      } catch (e) {
        streaming.error = e;
      }
    })();
    try {
      for (const victim of [1, 2, 1]) {
        await sleep(300 + Math.floor(rnd() * 2_500));
        await net.crash(victim);
        await sleep(500);
        net.start(victim);
        const target = (await net.height(0)) + 2;
        assert.ok(await net.waitHeight([victim], target, 90_000), `node ${victim} replays and catches up`);
      }
    } finally {
      streaming.on = false;
      await stream;
    }
    assert.equal(streaming.error, undefined, "every tx of the stream committed");
    assert.ok(committed.length >= 3, `${committed.length} txs committed during the crashes`);
    assert.ok(await net.waitHeight(ALL, await net.height(0), 60_000), "every node reaches node 0's height");
    await sleep(1_500);
    await assertNoFork(net, ALL);
    for (const node of [1, 2]) {
      for (const hash of committed) {
        const tx = await client(net, 1, node).query.getTx(hash);
        assert.ok(tx !== null && tx.code === TxResultCode.Success, `committed tx ${hash} is on node ${node}`);
      }
    }
  });

  test("(f) a contract tx after nodes restarted: every node charges the same gas", async () => {
    // Nodes 1 and 2 restarted in (c) (cold code cache); node 0 never did.
    const { hash } = await increment(net, contract, 0, 0);
    const tx = (await net.rpc(0, `/tx?hash=0x${hash}`)) as { height: string; index: number };
    const h = Number(tx.height);
    // Node 1 may not have committed that block yet when node 0 answers.
    assert.ok(await net.waitHeight([0, 1, 2], h, 20_000), "every node reaches the tx's block");
    const gas = async (node: number): Promise<string> => {
      const r = (await net.rpc(node, `/block_results?height=${tx.height}`)) as {
        txs_results: { gas_used: string }[];
      };
      return r.txs_results[tx.index]?.gas_used ?? "";
    };
    assert.equal(await gas(1), await gas(0), "a restarted node charges the gas a warm node charges");
    assert.ok(await net.waitHeight([0, 1, 2], h + 2, 20_000), "the chain goes on after the contract tx");
  });

  test("(g) the restarted nodes are back in the tx gossip: txs flow from them and to them", async (t) => {
    // App mode: a node's mempool is its own; a tx reaches another proposer only over the gossip, and a restarted
    // node is reached again only when its peers re-dial it. So a tx sent to node 1 or 2 (restarted in (c)) and
    // committed in a block another node proposed went out over the gossip, and a tx sent to node 0 committed in a
    // block node 1 or 2 proposed came in over it (a proposer without the tx proposes a block without it; the tx
    // then waits for another proposer). Rounds of one tx through each, until both were seen (proposers rotate).
    const own = ALL.map((i) => validatorAddress(net, i));
    const restarted = new Set([own[1]!, own[2]!]);
    let out = false;
    let into = false;
    const seen: string[] = [];
    for (let round = 0; round < 12 && !(out && into); round++) {
      const txs = await Promise.all([
        increment(net, contract, 1, 1),
        increment(net, contract, 2, 2),
        increment(net, contract, 3, 0),
      ]);
      const [p1, p2, p0] = await Promise.all(txs.map((x) => proposerOf(net, x.height)));
      out ||= p1 !== own[1] || p2 !== own[2];
      into ||= restarted.has(p0!);
      seen.push(`via 1 → ${p1!.slice(0, 6)}, via 2 → ${p2!.slice(0, 6)}, via 0 → ${p0!.slice(0, 6)}`);
    }
    const names = own.map((a, i) => `node ${i} ${a.slice(0, 6)}`).join(", ");
    t.diagnostic(`${seen.length} rounds (${names}): ${seen.join("; ")}`);
    assert.ok(out, `a tx sent to a restarted node was proposed by another (${names}; ${seen.join("; ")})`);
    assert.ok(into, `a restarted node proposed a tx sent to node 0 (${names}; ${seen.join("; ")})`);
    await assertNoFork(net, ALL);
  });
});
