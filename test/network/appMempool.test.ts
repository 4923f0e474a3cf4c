// A 4-validator localnet in app-mempool mode (`shroud localnet --mempool app`: real CometBFT v0.38.25 with
// `mempool.type = "nop"`, each node's own AppMempool fed by its REST and by its peers over the tx gossip):
// secretjs through node 3 stores, instantiates and executes a contract and sends funds; txs sent to different
// nodes all commit; every node has the same blocks and app hashes; a bad tx and a duplicate get their codes;
// the RPC port (the node's front) takes broadcast_tx_sync; one node down → blocks go on and txs to the live nodes commit.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { getTomlValue } from "../../src/consensus/cometbft.js";
import { Localnet, SKIP } from "./harness.js";
import {
  ALL,
  assertNoFork,
  client,
  COUNTER_HASH,
  deployCounter,
  GAS,
  increment,
  proposerOf,
  validatorAddress,
  wallets,
} from "./faultsKit.js";

describe("4-validator localnet with the app-side mempool", { skip: SKIP, timeout: 240_000 }, () => {
  let net: Localnet;
  let contract = "";

  const broadcast = async (node: number, txBytes: string): Promise<{ code: number; raw_log: string }> => {
    const r = await fetch(`${net.rest(node)}/cosmos/tx/v1beta1/txs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tx_bytes: txBytes, mode: "BROADCAST_MODE_SYNC" }),
    });
    assert.equal(r.status, 200);
    return ((await r.json()) as { tx_response: { code: number; raw_log: string } }).tx_response;
  };

  before(async () => {
    net = await Localnet.create(4, 0, { mempool: "app" });
    for (const i of ALL) net.start(i);
    assert.ok(await net.waitHeight(ALL, 2, 120_000), `all four nodes produce blocks\n${net.logTail(0)}`);
  });
  after(async () => {
    await net.close();
  });

  test("the nodes run CometBFT's nop mempool; the node's RPC front takes broadcast_tx_sync", async () => {
    const toml = readFileSync(join(net.node(0).home, "comet", "config", "config.toml"), "utf8");
    assert.equal(getTomlValue(toml, "mempool", "type"), "nop");
    const gossip = JSON.parse(readFileSync(join(net.node(0).home, "gossip.json"), "utf8")) as {
      peers: string[];
    };
    assert.equal(gossip.peers.length, 3, "full mesh");
    // The RPC port is the node's front (src/api/rpc/front.ts): a tx that does not decode gets CheckTx's code 2.
    const r = (await net.rpcPost(0, "broadcast_tx_sync", { tx: Buffer.from("x=y").toString("base64") })) as {
      result?: { code: number };
    };
    assert.equal(r.result?.code, 2, JSON.stringify(r));
  });

  test("secretjs via node 3: store, instantiate, execute, send; txs sent to every node commit", async () => {
    const c3 = client(net, 0, 3);
    contract = await deployCounter(net, 5, 3);
    await increment(net, contract, 0, 3);
    const sent = await c3.tx.bank.send(
      {
        from_address: wallets[0]!.address,
        to_address: wallets[1]!.address,
        amount: [{ denom: "uscrt", amount: "7" }],
      },
      GAS,
    );
    assert.equal(sent.code, 0, sent.rawLog);
    // Four senders, each through another node, at once: each tx enters one node's mempool and reaches the
    // proposer over the gossip.
    const results = await Promise.all(ALL.map((w) => increment(net, contract, w, w)));
    // Without the gossip a tx could only be proposed by the node it was sent to: some of them were not.
    const proposers = await Promise.all(results.map((r) => proposerOf(net, r.height)));
    const own = ALL.map((w) => validatorAddress(net, w));
    assert.ok(
      proposers.some((p, w) => p !== own[w]),
      `a tx proposed by another node than the one it was sent to (proposers ${proposers.join(", ")})`,
    );
    const q = await client(net, 1, 2).query.compute.queryContract<object, { count: number }>({
      contract_address: contract,
      code_hash: COUNTER_HASH,
      query: { get_count: {} },
    });
    assert.ok(q.count >= 10, `count ${q.count}`);
    await assertNoFork(net, ALL);
  });

  test("a bad tx gets its code; a committed tx sent again is a duplicate (19)", async () => {
    const bad = await broadcast(1, Buffer.from([1, 2, 3]).toString("base64"));
    assert.equal(bad.code, 2, bad.raw_log);
    // The last committed user tx (node 0's block store), sent to node 2: it is in node 2's seen cache.
    let tx: string | undefined;
    for (let h = await net.height(0); h > 0 && tx === undefined; h--) {
      const b = (await net.rpc(0, `/block?height=${h}`)) as { block: { data: { txs: string[] | null } } };
      const txs = b.block.data.txs ?? [];
      if (txs.length > 1) tx = txs[txs.length - 1]; // txs[0] is the block random
    }
    assert.ok(tx !== undefined);
    const dup = await broadcast(2, tx);
    assert.equal(dup.code, 19, dup.raw_log);
    assert.match(dup.raw_log, /already exists in cache/);
  });

  test("one node of four down: blocks go on and txs sent to the live nodes commit", async () => {
    await net.stop(1);
    const h = Math.max(await net.height(0), await net.height(2));
    assert.ok(await net.waitHeight([0, 2, 3], h + 2, 60_000), "blocks continue with 3 of 4");
    const results = await Promise.all(
      [0, 2, 3].map((n) =>
        client(net, n, n).tx.bank.send(
          {
            from_address: wallets[n]!.address,
            to_address: wallets[1]!.address,
            amount: [{ denom: "uscrt", amount: "1" }],
          },
          GAS,
        ),
      ),
    );
    for (const r of results) assert.equal(r.code, 0, r.rawLog);
    await assertNoFork(net, [0, 2, 3]);
  });
});
