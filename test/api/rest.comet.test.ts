// CometBFT mode: the LCD with its block/tx data read through a CometBFT v0.38 RPC (cometSource.ts) answers exactly
// as the LCD reading the engine directly. The RPC is our own CometBFT-shaped server (api/rpc, whose shapes are
// checked against a real CometBFT v0.38.25); txs are sent by the real secretjs client through the RPC-backed LCD.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { SecretNetworkClient, Wallet } from "secretjs";
import { toBech32 } from "../../src/chain/address.js";
import { startRpcServer, type RpcServer } from "../../src/api/rpc/server.js";
import { cometRpcSource, rfc3339ToTimestamp } from "../../src/api/rest/cometSource.js";
import { startRestServer, type RestServer } from "../../src/api/rest/server.js";
import { startTestNode, CHAIN_ID, type TestNode } from "../../src/api/rest/testdata/testChain.js";
import { nsToRfc3339, timestampToNs } from "../../src/consensus/time.js";
import { MNEMONIC_A } from "../util/localSecret.js";

const TO = toBech32(new Uint8Array(20).fill(0x21));

describe("REST in CometBFT mode (block/tx data through the RPC)", () => {
  const wallet = new Wallet(MNEMONIC_A);
  let node: TestNode;
  let rpc: RpcServer;
  let direct: RestServer;
  let viaRpc: RestServer;
  const hashes: string[] = [];

  const get = async (server: RestServer, path: string): Promise<{ status: number; json: unknown }> => {
    const r = await fetch(`http://127.0.0.1:${server.port}${path}`);
    return { status: r.status, json: await r.json() };
  };
  const same = async (path: string): Promise<unknown> => {
    const [a, b] = await Promise.all([get(direct, path), get(viaRpc, path)]);
    assert.deepEqual(b, a, path);
    return a.json;
  };

  before(async () => {
    node = await startTestNode({ funded: { [wallet.address]: 50_000_000n }, blockTimeMs: 20 });
    await node.engine.produceBlock();
    rpc = await startRpcServer(
      {
        engine: node.engine,
        app: node.app,
        genesis: { chain_id: CHAIN_ID },
        nodeId: node.backend.facts.nodeId,
        moniker: "shroud-test",
        rpcAddress: "tcp://127.0.0.1:0",
        broadcastCommitTimeoutMs: 5000,
      },
      "127.0.0.1",
      0,
    );
    direct = await startRestServer(node.backend, "127.0.0.1", 0);
    viaRpc = await startRestServer(
      { ...node.backend, ...cometRpcSource(`http://127.0.0.1:${rpc.port}`) },
      "127.0.0.1",
      0,
    );
    const client = new SecretNetworkClient({
      url: `http://127.0.0.1:${viaRpc.port}`,
      chainId: CHAIN_ID,
      wallet,
      walletAddress: wallet.address,
    });
    for (const amount of ["5", "6", "7"]) {
      const tx = await client.tx.bank.send(
        { from_address: wallet.address, to_address: TO, amount: [{ denom: "uscrt", amount }] },
        { broadcastCheckIntervalMs: 60, gasLimit: 25_000 },
      );
      assert.equal(tx.code, 0, tx.rawLog);
      hashes.push(tx.transactionHash);
    }
  });

  after(async () => {
    await viaRpc.close();
    await direct.close();
    await rpc.close();
    await node.close();
  });

  test("RFC 3339 times round-trip with nanoseconds", () => {
    for (const s of ["2026-11-26T05:52:53.123456789Z", "2023-11-14T22:13:20Z", "2023-11-14T22:13:20.5Z"]) {
      assert.equal(nsToRfc3339(timestampToNs(rfc3339ToTimestamp(s))), s);
    }
  });

  test("get tx, unknown tx, tx search (pages, order, past the end) are identical", async () => {
    for (const h of hashes) await same(`/cosmos/tx/v1beta1/txs/${h}`);
    const unknown = (await same(`/cosmos/tx/v1beta1/txs/${"CD".repeat(32)}`)) as { message: string };
    assert.match(unknown.message, /^tx not found: /);
    const q = encodeURIComponent(`message.sender='${wallet.address}'`);
    const all = (await same(`/cosmos/tx/v1beta1/txs?query=${q}`)) as { total: string };
    assert.equal(all.total, "3");
    await same(`/cosmos/tx/v1beta1/txs?query=${q}&limit=2&page=2&order_by=ORDER_BY_DESC`);
    await same(`/cosmos/tx/v1beta1/txs?query=${q}&limit=2&page=9`);
  });

  test("blocks, block with txs and validator sets are identical", async () => {
    const latest = (await same("/cosmos/base/tendermint/v1beta1/blocks/latest")) as {
      block: { header: { height: string } };
    };
    const h = Number(latest.block.header.height);
    for (let i = 1; i <= h; i++) {
      await same(`/cosmos/base/tendermint/v1beta1/blocks/${i}`);
      await same(`/cosmos/tx/v1beta1/txs/block/${i}`);
    }
    await same("/cosmos/base/tendermint/v1beta1/validatorsets/latest");
    await same("/cosmos/base/tendermint/v1beta1/validatorsets/1");
  });
});
