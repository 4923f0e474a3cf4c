// HTTP rules of the LCD (spec secretjs-compat §1, §5): JSON errors with the right status on every failure, path
// normalisation, CORS, the height header, body limits, broadcast/get/search/simulate shapes, and module routes
// whose handlers are missing (501) or throw. Real node core from testdata/testChain.ts; txs built by secretjs.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { MsgExecuteContract, MsgSend } from "secretjs";
import { QueryError, GrpcCode } from "../../src/chain/errors.js";
import { toBech32 } from "../../src/chain/address.js";
import { startRestServer, MAX_BODY_BYTES, type RestServer } from "../../src/api/rest/server.js";
import { startTestNode, CHAIN_ID, type TestNode } from "../../src/api/rest/testdata/testChain.js";
import { makeSigner, type Signer } from "../../src/chain/tx/testdata/secretjsSigner.js";
import { MNEMONIC_A } from "../util/localSecret.js";

const OTHER = toBech32(new Uint8Array(20).fill(0x33));

interface Reply {
  status: number;
  headers: Headers;
  json: any;
}

describe("REST HTTP rules", () => {
  let node: TestNode;
  let rest: RestServer;
  let base: string;
  let signer: Signer;
  let accountNumber = 0;
  let sequence = 0;
  const hashes: string[] = [];

  const call = async (path: string, init: RequestInit = {}): Promise<Reply> => {
    const r = await fetch(base + path, init);
    const text = await r.text();
    return { status: r.status, headers: r.headers, json: text === "" ? undefined : JSON.parse(text) };
  };
  const post = (path: string, body: unknown) =>
    call(path, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) });
  const assertError = (r: Reply, status: number, message?: RegExp) => {
    assert.equal(r.status, status, JSON.stringify(r.json));
    assert.equal(typeof r.json.code, "number");
    assert.deepEqual(r.json.details, []);
    assert.equal(typeof r.json.message, "string");
    assert.deepEqual(Object.keys(r.json).sort(), ["code", "details", "message"]);
    if (message) assert.match(r.json.message, message);
  };
  const send = async (amount: string): Promise<Uint8Array> => {
    const msg = new MsgSend({
      from_address: signer.address,
      to_address: OTHER,
      amount: [{ denom: "uscrt", amount }],
    });
    const tx = await signer.sign([msg], { accountNumber, sequence, chainId: CHAIN_ID }, { gasLimit: 25_000 });
    sequence++;
    return tx;
  };
  const waitTx = async (hash: string): Promise<Reply> => {
    for (let i = 0; i < 500; i++) {
      const r = await call(`/cosmos/tx/v1beta1/txs/${hash}`);
      if (r.status === 200) return r;
      await new Promise((res) => setTimeout(res, 20));
    }
    throw new Error(`tx ${hash} never included`);
  };

  before(async () => {
    signer = makeSigner(MNEMONIC_A);
    node = await startTestNode({ funded: { [signer.address]: 100_000_000n }, blockTimeMs: 10 });
    rest = await startRestServer(node.backend, "127.0.0.1", 0);
    base = `http://127.0.0.1:${rest.port}`;
    const acc = await call(`/cosmos/auth/v1beta1/accounts/${signer.address}`);
    accountNumber = Number(acc.json.account.account_number);
  });

  after(async () => {
    await rest.close();
    await node.close();
  });

  test("unknown route 404, wrong method 405, both JSON", async () => {
    assertError(await call("/nope"), 404, /^Not Found$/);
    assertError(await call("/cosmos/bank/v1beta1/balances"), 404);
    assertError(await post(`/cosmos/bank/v1beta1/balances/${OTHER}`, {}), 405);
  });

  test("repeated slashes collapse; trailing slash and trailing '?' are tolerated", async () => {
    for (const p of [
      `//cosmos///bank/v1beta1//balances/${signer.address}/by_denom?denom=uscrt`,
      `/cosmos/bank/v1beta1/balances/${signer.address}/by_denom/?denom=uscrt`,
    ]) {
      const r = await call(p);
      assert.equal(r.status, 200, p);
      assert.equal(r.json.balance.denom, "uscrt");
    }
    const r = await call(`/cosmos/auth/v1beta1/accounts/${signer.address}?`);
    assert.equal(r.status, 200);
  });

  test("CORS: preflight and simple responses", async () => {
    const pre = await fetch(`${base}/cosmos/tx/v1beta1/txs`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-headers": "content-type,x-cosmos-block-height",
      },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get("access-control-allow-origin"), "*");
    assert.match(pre.headers.get("access-control-allow-methods") ?? "", /POST/);
    assert.match(pre.headers.get("access-control-allow-headers") ?? "", /x-cosmos-block-height/);
    const r = await call("/cosmos/base/tendermint/v1beta1/syncing");
    assert.equal(r.headers.get("access-control-allow-origin"), "*");
    assert.deepEqual(r.json, { syncing: false });
  });

  test("bad path and query parameters are 400 naming the parameter", async () => {
    const bad = signer.address.slice(0, -1) + (signer.address.endsWith("q") ? "p" : "q");
    assertError(await call(`/cosmos/bank/v1beta1/balances/${bad}`), 400, /address/);
    assertError(
      await call(`/cosmos/bank/v1beta1/balances/cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu`),
      400,
    );
    assertError(
      await call(`/cosmos/bank/v1beta1/balances/${signer.address}/by_denom`),
      400,
      /denom: required/,
    );
    assertError(
      await call(`/cosmos/bank/v1beta1/balances/${signer.address}/by_denom?denom=%21x`),
      400,
      /denom/,
    );
    assertError(await call("/compute/v1beta1/code/abc"), 400, /code_id/);
    assertError(await call("/compute/v1beta1/code/18446744073709551616"), 400, /overflows/);
    assertError(await call(`/compute/v1beta1/query/${OTHER}?query=%%%`), 400);
    assertError(await call(`/compute/v1beta1/query/${OTHER}?query=ab$c`), 400, /query: invalid base64/);
    assertError(await call("/cosmos/tx/v1beta1/txs/XYZ"), 400, /hash/);
    assertError(await call("/cosmos/auth/v1beta1/accounts/%E0%A4%A"), 400, /percent-encoding/);
  });

  test("a module route without a handler is 501; a handler's QueryError keeps its code; a crash is a bare 500", async () => {
    assertError(await call("/cosmos/staking/v1beta1/validators"), 501, /Validators/);
    assertError(await call(`/cosmos/auth/v1beta1/accounts/${OTHER}`), 404, /not found/);
    node.setQuery("/secret.compute.v1beta1.Query/QuerySecretContract", ({ args }) => {
      if (args.bytes("query").length < 82) {
        throw new QueryError(GrpcCode.InvalidArgument, "encrypted: c2VjcmV0: query contract failed");
      }
      return { data: Buffer.from(args.bytes("query")).toString("base64") };
    });
    const q = Buffer.alloc(90, 1).toString("base64");
    const ok = await call(`/compute/v1beta1/query/${OTHER}?query=${encodeURIComponent(q)}`);
    assert.equal(ok.status, 200);
    assert.equal(ok.json.data, q);
    const urlSafe = await call(
      `/compute/v1beta1/query/${OTHER}?query=${q.replace(/\+/g, "-").replace(/\//g, "_")}`,
    );
    assert.equal(urlSafe.json.data, q);
    assertError(
      await call(`/compute/v1beta1/query/${OTHER}?query=AAAA`),
      400,
      /^encrypted: c2VjcmV0: query contract failed$/,
    );
    node.setQuery("/cosmos.mint.v1beta1.Query/Params", () => {
      throw new Error("boom at /srv/secret/path.ts:12");
    });
    const long = `encrypted: ${"A".repeat(10_000)}: query contract failed`;
    node.setQuery("/cosmos.mint.v1beta1.Query/Inflation", () => {
      throw new QueryError(2, long); // Secret: registered SDK errors reach the gateway as gRPC Unknown → 500
    });
    const longErr = await call("/cosmos/mint/v1beta1/inflation");
    assertError(longErr, 500);
    assert.equal(longErr.json.message, long, "handler messages are never cut");
    assert.equal(longErr.json.code, 2);
    const crash = await call("/cosmos/mint/v1beta1/params");
    assertError(crash, 500, /^internal error$/);
    assert.doesNotMatch(JSON.stringify(crash.json), /boom|path\.ts/);
  });

  test("x-cosmos-block-height: bad value 400, future 400, 0 = latest", async () => {
    const p = `/cosmos/bank/v1beta1/balances/${signer.address}/by_denom?denom=uscrt`;
    assertError(await call(p, { headers: { "x-cosmos-block-height": "-1" } }), 400, /height/);
    assertError(await call(p, { headers: { "x-cosmos-block-height": "abc" } }), 400, /height/);
    assertError(await call(p, { headers: { "x-cosmos-block-height": "999999" } }), 400, /future/);
    const r = await call(p, { headers: { "x-cosmos-block-height": "0" } });
    assert.equal(r.status, 200);
  });

  test("broadcast: txBytes and tx_bytes, SYNC/BLOCK/ASYNC, code always a number", async () => {
    for (const [key, mode] of [
      ["txBytes", "BROADCAST_MODE_SYNC"],
      ["tx_bytes", "BROADCAST_MODE_BLOCK"],
      ["txBytes", "BROADCAST_MODE_ASYNC"],
    ] as const) {
      const tx = await send("10");
      const r = await post("/cosmos/tx/v1beta1/txs", { [key]: Buffer.from(tx).toString("base64"), mode });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(r.json.tx_response.code, 0);
      assert.match(r.json.tx_response.txhash, /^[0-9A-F]{64}$/);
      hashes.push(r.json.tx_response.txhash);
      await waitTx(r.json.tx_response.txhash);
    }
    const garbage = await post("/cosmos/tx/v1beta1/txs", { tx_bytes: "AAEC", mode: "BROADCAST_MODE_SYNC" });
    assert.equal(garbage.status, 200);
    assert.equal(typeof garbage.json.tx_response.code, "number");
    assert.notEqual(garbage.json.tx_response.code, 0);
    assertError(
      await post("/cosmos/tx/v1beta1/txs", { tx_bytes: "not base64!", mode: "BROADCAST_MODE_SYNC" }),
      400,
    );
    assertError(await post("/cosmos/tx/v1beta1/txs", { mode: "BROADCAST_MODE_SYNC" }), 400, /empty tx/);
    assertError(await post("/cosmos/tx/v1beta1/txs", { tx_bytes: "AAEC", mode: "FAST" }), 400, /mode/);
    assertError(await post("/cosmos/tx/v1beta1/txs", "{not json"), 400, /JSON/);
    assertError(await post("/cosmos/tx/v1beta1/txs", "[1,2]"), 400, /object/);
    assertError(await call("/cosmos/tx/v1beta1/txs", { method: "POST" }), 400, /empty/);
  });

  test("oversize body is 413 JSON", async () => {
    const big = JSON.stringify({ tx_bytes: "A".repeat(MAX_BODY_BYTES), mode: "BROADCAST_MODE_SYNC" });
    assertError(await post("/cosmos/tx/v1beta1/txs", big), 413, /larger than/);
  });

  test("get tx: pending/unknown is 404 'tx not found: HASH'; found has the full SDK 0.50 shape", async () => {
    const unknown = "ab".repeat(32);
    assertError(
      await call(`/cosmos/tx/v1beta1/txs/${unknown}?`),
      404,
      new RegExp(`^tx not found: ${unknown.toUpperCase()}$`),
    );
    const r = await waitTx(hashes[0]!);
    const tr = r.json.tx_response;
    assert.equal(tr.txhash, hashes[0]);
    assert.equal(tr.code, 0);
    assert.equal(tr.raw_log, "");
    assert.equal(typeof tr.data, "string");
    assert.match(tr.data, /^[0-9A-F]+$/);
    assert.match(tr.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.match(tr.height, /^\d+$/);
    assert.match(tr.gas_used, /^\d+$/);
    assert.equal(tr.tx["@type"], "/cosmos.tx.v1beta1.Tx");
    assert.equal(tr.tx.body.messages[0]["@type"], "/cosmos.bank.v1beta1.MsgSend");
    assert.equal(r.json.tx.body.messages[0].to_address, OTHER);
    assert.ok(
      tr.events.some((e: any) => e.attributes.some((a: any) => a.key === "msg_index" && a.value === "0")),
    );
  });

  test("tx search: query and events styles, page/limit, pagination.*, order_by, total", async () => {
    const q = encodeURIComponent(`message.sender='${signer.address}'`);
    const all = await call(`/cosmos/tx/v1beta1/txs?query=${q}`);
    assert.equal(all.status, 200);
    assert.equal(all.json.total, "3");
    assert.deepEqual(
      all.json.tx_responses.map((t: any) => t.txhash),
      hashes,
    );
    assert.equal(all.json.txs.length, 3);
    const secretjsStyle = await call(
      `/cosmos/tx/v1beta1/txs?events=${q}&query=${q}&pagination.limit=1&pagination.offset=1&limit=1&page=2`,
    );
    assert.deepEqual(
      secretjsStyle.json.tx_responses.map((t: any) => t.txhash),
      [hashes[1]],
    );
    const legacy = await call(`/cosmos/tx/v1beta1/txs?events=${q}&pagination.limit=2&pagination.offset=2`);
    assert.deepEqual(
      legacy.json.tx_responses.map((t: any) => t.txhash),
      [hashes[2]],
    );
    const desc = await call(`/cosmos/tx/v1beta1/txs?query=${q}&order_by=ORDER_BY_DESC&limit=1`);
    assert.deepEqual(
      desc.json.tx_responses.map((t: any) => t.txhash),
      [hashes[2]],
    );
    assertError(await call("/cosmos/tx/v1beta1/txs"), 400, /query cannot be empty/);
    assertError(await call(`/cosmos/tx/v1beta1/txs?query=${encodeURIComponent("a.b=='x")}`), 400);
    assertError(await call(`/cosmos/tx/v1beta1/txs?query=${q}&order_by=SIDEWAYS`), 400, /order_by/);
  });

  test("simulate: gas for a send; compute execute refused as Secret does; bad input 400", async () => {
    const msg = new MsgSend({
      from_address: signer.address,
      to_address: OTHER,
      amount: [{ denom: "uscrt", amount: "1" }],
    });
    const sim = await signer.simulate([msg], { accountNumber, sequence, chainId: CHAIN_ID });
    const r = await post("/cosmos/tx/v1beta1/simulate", { txBytes: Buffer.from(sim).toString("base64") });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.ok(Number(r.json.gas_info.gas_used) > 1000);
    assert.equal(r.json.result.msg_responses[0]["@type"], "/cosmos.bank.v1beta1.MsgSendResponse");
    const exec = new MsgExecuteContract({
      sender: signer.address,
      contract_address: OTHER,
      msg: { ping: {} },
      code_hash: "00".repeat(32),
    });
    const simExec = await signer.simulate([exec], { accountNumber, sequence, chainId: CHAIN_ID });
    assertError(
      await post("/cosmos/tx/v1beta1/simulate", { tx_bytes: Buffer.from(simExec).toString("base64") }),
      400,
      /message index: 0: .*failed to verify transaction signature: execute contract failed/,
    );
    assertError(await post("/cosmos/tx/v1beta1/simulate", { txBytes: "AAEC" }), 400, /With gas wanted/);
    assertError(await post("/cosmos/tx/v1beta1/simulate", {}), 400, /empty tx/);
  });

  test("tendermint blocks and validator sets, block with txs, node config and status", async () => {
    const all = (await waitTx(hashes[0]!)).json.tx_response as { height: string };
    const latest = await call("/cosmos/base/tendermint/v1beta1/blocks/latest");
    assert.equal(latest.status, 200);
    const h = latest.json.block.header.height;
    assert.match(h, /^\d+$/);
    assert.match(latest.json.sdk_block.header.proposer_address, /^secretvalcons1/);
    assert.equal(typeof latest.json.block_id.hash, "string");
    const one = await call("/cosmos/base/tendermint/v1beta1/blocks/1");
    assert.equal(one.json.block.header.height, "1");
    assertError(await call(`/cosmos/base/tendermint/v1beta1/blocks/${Number(h) + 100}`), 400, /bigger/);
    assertError(await call("/cosmos/base/tendermint/v1beta1/blocks/0"), 400);
    const vs = await call("/cosmos/base/tendermint/v1beta1/validatorsets/latest");
    assert.equal(vs.json.validators.length, 1);
    assert.match(vs.json.validators[0].address, /^secretvalcons1/);
    assert.equal(vs.json.validators[0].pub_key["@type"], "/cosmos.crypto.ed25519.PubKey");
    const vs1 = await call("/cosmos/base/tendermint/v1beta1/validatorsets/1");
    assert.equal(vs1.json.block_height, "1");
    const withTxs = await call(`/cosmos/tx/v1beta1/txs/block/${all.height}?pagination.limit=1`);
    assert.equal(withTxs.status, 200, JSON.stringify(withTxs.json));
    assert.equal(withTxs.json.txs.length, 1);
    assert.equal(withTxs.json.txs[0].body.messages[0]["@type"], "/cosmos.bank.v1beta1.MsgSend");
    assert.equal(withTxs.json.block.header.height, all.height);
    assertError(await call(`/cosmos/tx/v1beta1/txs/block/${Number(h) + 5}`), 400, /latest height/);
    const cfg = await call("/cosmos/base/node/v1beta1/config");
    assert.equal(cfg.json.minimum_gas_price, "0.0125uscrt");
    const st = await call("/cosmos/base/node/v1beta1/status");
    assert.equal(st.json.height, h);
    const ni = await call("/cosmos/base/tendermint/v1beta1/node_info");
    assert.equal(ni.json.default_node_info.network, CHAIN_ID);
  });
});
