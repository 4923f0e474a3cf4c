// The REST server driven by the real secretjs 1.22 SecretNetworkClient (unchanged) against a real node core:
// auth/bank keepers and runTx over the versioned store, DevEngine and its block store (testdata/testChain.ts).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { SecretNetworkClient, Wallet } from "secretjs";
import { toBech32 } from "../../src/chain/address.js";
import { sha256 } from "../../src/consensus/header.js";
import { startRestServer, type RestServer } from "../../src/api/rest/server.js";
import {
  startTestNode,
  TEST_TX_KEY,
  CHAIN_ID,
  type TestNode,
} from "../../src/api/rest/testdata/testChain.js";
import { MNEMONIC_A, MNEMONIC_B } from "../util/localSecret.js";

/** An address with no genesis funds. */
const FRESH = toBech32(new Uint8Array(20).fill(0x42));

describe("REST with the real secretjs client", () => {
  const walletA = new Wallet(MNEMONIC_A);
  const walletB = new Wallet(MNEMONIC_B);
  let node: TestNode;
  let rest: RestServer;
  let url: string;
  let client: SecretNetworkClient;
  let sendHash = "";
  let sendHeight = 0;

  before(async () => {
    node = await startTestNode({
      funded: { [walletA.address]: 10_000_000n, [walletB.address]: 5_000_000n },
      blockTimeMs: 20,
    });
    await node.engine.produceBlock(); // an empty block 1: "query at height 1" sees genesis balances only
    rest = await startRestServer(node.backend, "127.0.0.1", 0);
    url = `http://127.0.0.1:${rest.port}`;
    client = new SecretNetworkClient({
      url,
      chainId: CHAIN_ID,
      wallet: walletA,
      walletAddress: walletA.address,
    });
  });

  after(async () => {
    await rest.close();
    await node.close();
  });

  test("bank balance and all balances", async () => {
    const r = await client.query.bank.balance({ address: walletA.address, denom: "uscrt" });
    assert.deepEqual(r.balance, { denom: "uscrt", amount: "10000000" });
    const all = await client.query.bank.allBalances({ address: walletB.address });
    assert.deepEqual(all.balances, [{ denom: "uscrt", amount: "5000000" }]);
  });

  test("auth account is a BaseAccount with account number and sequence", async () => {
    const r = (await client.query.auth.account({ address: walletA.address })) as any;
    assert.equal(r.account["@type"], "/cosmos.auth.v1beta1.BaseAccount");
    assert.equal(r.account.address, walletA.address);
    assert.match(r.account.account_number, /^\d+$/);
    assert.match(r.account.sequence, /^\d+$/);
  });

  test("registration tx-key is the 32-byte key, base64", async () => {
    const r = await client.query.registration.txKey({});
    assert.equal(r.key, Buffer.from(TEST_TX_KEY).toString("base64"));
  });

  test("a url with trailing slashes works (secretjs passes it raw to most queriers)", async () => {
    const c = new SecretNetworkClient({ url: url + "//////", chainId: CHAIN_ID });
    const r = await c.query.bank.balance({ address: walletB.address, denom: "uscrt" });
    assert.equal(r.balance?.amount, "5000000");
    const b = await c.query.tendermint.getLatestBlock({});
    assert.ok(Number(b.block?.header?.height) >= 1);
  });

  test("bank send: broadcast (sync), polling through 'tx not found', decoded tx_response", async () => {
    const tx = await client.tx.bank.send(
      { from_address: walletA.address, to_address: FRESH, amount: [{ denom: "uscrt", amount: "1234" }] },
      { broadcastCheckIntervalMs: 100, gasLimit: 25_000 },
    );
    assert.equal(tx.code, 0, tx.rawLog);
    assert.equal(tx.rawLog, "");
    assert.ok(tx.height > 1);
    assert.match(tx.transactionHash, /^[0-9A-F]{64}$/);
    assert.ok(
      tx.events.some((e) => e.type === "message" && (e.attributes ?? []).some((a) => a.key === "msg_index")),
    );
    // secretjs builds arrayLog only from events carrying msg_index (SDK 0.50 style, spec secretjs-compat §3).
    assert.ok((tx.arrayLog ?? []).some((l) => l.msg === 0 && l.type === "transfer" && l.key === "amount"));
    sendHash = tx.transactionHash;
    sendHeight = tx.height;
    const bal = await client.query.bank.balance({ address: FRESH, denom: "uscrt" });
    assert.equal(bal.balance?.amount, "1234");
  });

  test("query at height (x-cosmos-block-height) sees the old state", async () => {
    assert.ok(sendHeight > 1);
    const atOne = await client.query.bank.balance({ address: FRESH, denom: "uscrt" }, [
      ["x-cosmos-block-height", "1"],
    ]);
    assert.equal(atOne.balance?.amount, "0");
    const atSend = await client.query.bank.balance({ address: FRESH, denom: "uscrt" }, [
      ["x-cosmos-block-height", String(sendHeight)],
    ]);
    assert.equal(atSend.balance?.amount, "1234");
  });

  test("getTx and txsQuery find the send", async () => {
    const t = await client.query.getTx(sendHash);
    assert.equal(t?.transactionHash, sendHash);
    assert.equal(t.code, 0);
    const found = await client.query.txsQuery(`message.sender='${walletA.address}'`);
    assert.ok(found.some((x) => x.transactionHash === sendHash));
    const none = await client.query.txsQuery(`message.sender='${FRESH}'`);
    assert.equal(none.length, 0);
  });

  test("simulate returns gas; the account sequence moved by one", async () => {
    const sim = await client.tx.bank.send.simulate({
      from_address: walletA.address,
      to_address: walletB.address,
      amount: [{ denom: "uscrt", amount: "1" }],
    });
    assert.ok(Number(sim.gas_info?.gas_used) > 1000);
    const acc = (await client.query.auth.account({ address: walletA.address })) as any;
    assert.equal(acc.account.sequence, "1");
  });

  test("a tx that fails CheckTx makes secretjs throw with the code", async () => {
    await assert.rejects(
      client.tx.bank.send(
        {
          from_address: walletA.address,
          to_address: walletB.address,
          amount: [{ denom: "uscrt", amount: "1" }],
        },
        { broadcastCheckIntervalMs: 100, gasLimit: 25_000, gasPriceInFeeDenom: 0.0001 },
      ),
      /Broadcasting transaction failed with code 13/,
    );
  });

  test("tendermint node_info, syncing, latest block", async () => {
    const info = await client.query.tendermint.getNodeInfo({});
    assert.equal(info.default_node_info?.network, CHAIN_ID);
    const s = await client.query.tendermint.getSyncing({});
    assert.equal(s.syncing, false);
    const b = await client.query.tendermint.getLatestBlock({});
    assert.equal(b.block?.header?.chain_id, CHAIN_ID);
    assert.ok(Number(b.block.header.height) >= sendHeight);
  });

  test("secretjs getTx of an unknown hash gives null (its 'tx not found' match)", async () => {
    assert.equal(await client.query.getTx("AB".repeat(32)), null);
  });
});

describe("secretjs polls through 'tx not found' while the tx is pending", () => {
  const wallet = new Wallet(MNEMONIC_A);
  let node: TestNode;
  let rest: RestServer;

  before(async () => {
    // Blocks only when the test asks: the tx stays in the mempool while secretjs polls.
    node = await startTestNode({ funded: { [wallet.address]: 1_000_000n }, blockTimeMs: 600_000 });
    await node.engine.produceBlock();
    rest = await startRestServer(node.backend, "127.0.0.1", 0);
  });

  after(async () => {
    await rest.close();
    await node.close();
  });

  test("404 `tx not found: HASH` until the block, then the result", async () => {
    const url = `http://127.0.0.1:${rest.port}`;
    const client = new SecretNetworkClient({ url, chainId: CHAIN_ID, wallet, walletAddress: wallet.address });
    const sending = client.tx.bank.send(
      { from_address: wallet.address, to_address: FRESH, amount: [{ denom: "uscrt", amount: "9" }] },
      { broadcastCheckIntervalMs: 100, gasLimit: 25_000 },
    );
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(node.engine.mempoolSize, 1);
    const pendingHash = Buffer.from(sha256(node.engine.mempoolTxs()[0]!)).toString("hex").toUpperCase();
    const r = await fetch(`${url}/cosmos/tx/v1beta1/txs/${pendingHash}?`);
    assert.equal(r.status, 404);
    const body = (await r.json()) as { code: number; message: string; details: unknown[] };
    assert.deepEqual(body, { code: 5, message: `tx not found: ${pendingHash}`, details: [] });
    await new Promise((res) => setTimeout(res, 400)); // several secretjs polls see the 404 and keep waiting
    await node.engine.produceBlock();
    const tx = await sending;
    assert.equal(tx.code, 0, tx.rawLog);
    assert.equal(tx.transactionHash, pendingHash);
  });
});
