// The RPC front of app-mempool mode (src/api/rpc/front.ts) against a real AppMempool (an app whose CheckTx refuses
// txs starting with "bad") and a canned CometBFT RPC (HTTP + websocket) that records what reaches it: the mempool
// methods answered here in CometBFT's shapes and errors, everything else passed through unchanged, batches in
// order, junk and oversize bodies, a CometBFT that is down.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { WebSocket, WebSocketServer } from "ws";
import { CheckTxType, type RequestCheckTx, type ResponseCheckTx } from "cosmjs-types/tendermint/abci/types";
import { AppMempool, COMET_MEMPOOL_DEFAULTS } from "../../src/consensus/appMempool.js";
import { CommitWaiters, goDurationMs, startRpcFront, type RpcFront } from "../../src/api/rpc/front.js";
import { freePort } from "../util/net.js";

const sample = (name: string): any =>
  JSON.parse(readFileSync(new URL(`./testdata/cometbft-0.38.25/${name}.json`, import.meta.url), "utf8"));
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const b64 = (s: string): string => Buffer.from(s).toString("base64");
const hashHex = (s: string): string => createHash("sha256").update(s).digest("hex").toUpperCase();
const keys = (o: object): string[] => Object.keys(o).sort();

function checkTx(req: RequestCheckTx): ResponseCheckTx {
  const bad = Buffer.from(req.tx).toString().startsWith("bad");
  return {
    code: bad ? 7 : 0,
    data: bad ? new Uint8Array() : new Uint8Array([0xab]),
    log: bad ? "refused" : "",
    info: "",
    gasWanted: 5n,
    gasUsed: 3n,
    events: [],
    codespace: bad ? "app" : "",
  };
}

/** A canned CometBFT RPC: /status, a JSON-RPC POST endpoint (batches too) and a websocket that answers subscribe. */
async function fakeComet(): Promise<{
  server: Server;
  port: number;
  bodies: string[];
  close(): Promise<void>;
}> {
  const bodies: string[] = [];
  const status = readFileSync(new URL("./testdata/cometbft-0.38.25/status.json", import.meta.url));
  const answer = (r: { id: unknown; method: string }): unknown =>
    r.method === "status"
      ? { jsonrpc: "2.0", id: r.id, result: { upstream: "status" } }
      : { jsonrpc: "2.0", id: r.id, result: { upstream: r.method } };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      if (req.method === "GET" && req.url === "/status") {
        res.writeHead(200, { "content-type": "application/json", "x-upstream": "yes" });
        res.end(status);
        return;
      }
      bodies.push(body);
      let parsed: any;
      try {
        parsed = JSON.parse(body);
      } catch {
        res.writeHead(500, { "content-type": "application/json" });
        res.end('{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error. Invalid JSON","data":"x"}}');
        return;
      }
      const out = Array.isArray(parsed) ? parsed.map(answer) : answer(parsed);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(Array.isArray(out) && out.length === 1 ? out[0] : out));
    });
  });
  const wss = new WebSocketServer({ server, path: "/websocket" });
  wss.on("connection", (ws) => {
    ws.on("message", (d) => {
      const r = JSON.parse((d as Buffer).toString()) as { id: unknown; method: string };
      ws.send(JSON.stringify(answer(r)));
      if (r.method === "subscribe")
        ws.send(JSON.stringify({ jsonrpc: "2.0", id: r.id, result: { event: 1 } }));
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    server,
    port,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

describe("RPC front (app-mempool mode)", () => {
  let comet: Awaited<ReturnType<typeof fakeComet>>;
  let front: RpcFront;
  let mempool: AppMempool;
  let commits: CommitWaiters;
  let url = "";
  const post = async (body: unknown): Promise<{ status: number; json: any }> => {
    const r = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, json: text === "" ? undefined : JSON.parse(text) };
  };
  const call = (method: string, params: unknown, id: unknown = 1) =>
    post({ jsonrpc: "2.0", id, method, params });

  /** A front over this suite's mempool, proxying to CometBFT's RPC at `upstreamPort`, with small limits. */
  const startFront = (upstreamPort: number): Promise<RpcFront> =>
    startRpcFront({
      host: "127.0.0.1",
      port: 0,
      upstream: `http://127.0.0.1:${upstreamPort}`,
      mempool,
      commits,
      broadcastCommitTimeoutMs: 300,
      maxBodyBytes: 4096,
      maxBatchSize: 10,
      maxCommitWaiters: 2,
    });

  before(async () => {
    comet = await fakeComet();
    mempool = new AppMempool({ limits: { ...COMET_MEMPOOL_DEFAULTS, maxTxBytes: 64 }, checkTx });
    commits = new CommitWaiters();
    front = await startFront(comet.port);
    url = `http://127.0.0.1:${front.port}`;
  });
  after(async () => {
    await front.close();
    await comet.close();
  });

  test("broadcast_tx_sync: CometBFT's shape, admitted; CheckTx refusals are results, the mempool's are errors", async () => {
    const r = await call("broadcast_tx_sync", { tx: b64("k1=v") }, 5);
    assert.equal(r.status, 200);
    assert.deepEqual(keys(r.json.result), keys(sample("broadcast_tx_sync").result));
    assert.deepEqual(r.json, {
      jsonrpc: "2.0",
      id: 5,
      result: { code: 0, data: "AB", log: "", codespace: "", hash: hashHex("k1=v") },
    });
    assert.ok(mempool.has(enc("k1=v")));
    const bad = await call("broadcast_tx_sync", { tx: b64("bad1") });
    assert.equal(bad.json.result.code, 7);
    assert.equal(bad.json.result.codespace, "app");
    // The same tx again: CometBFT's mempool refuses it before CheckTx, and its RPC answers with an error.
    const dup = await call("broadcast_tx_sync", { tx: b64("k1=v") }, "s");
    assert.deepEqual(dup.json, {
      jsonrpc: "2.0",
      id: "s",
      error: { code: -32603, message: "Internal error", data: "tx already exists in cache" },
    });
    const big = await call("broadcast_tx_sync", [b64("x".repeat(65))]);
    assert.equal(big.json.error.data, "Tx too large. Max size is 64, but got 65");
    const arity = await call("broadcast_tx_sync", []);
    assert.equal(arity.json.error.code, -32602);
  });

  test('URI forms: tx=0x… and tx="…"; errors are HTTP 500 with id -1', async () => {
    const hex = await fetch(`${url}/broadcast_tx_sync?tx=0x${Buffer.from("k2=v").toString("hex")}`);
    assert.equal(hex.status, 200);
    assert.equal(((await hex.json()) as any).result.hash, hashHex("k2=v"));
    const quoted = await fetch(`${url}/broadcast_tx_sync?tx=${encodeURIComponent('"k3=v"')}`);
    assert.equal(((await quoted.json()) as any).result.hash, hashHex("k3=v"));
    assert.ok(mempool.has(enc("k3=v")));
    const dup = await fetch(`${url}/broadcast_tx_sync?tx=${encodeURIComponent('"k3=v"')}`);
    assert.equal(dup.status, 500);
    assert.deepEqual(await dup.json(), {
      jsonrpc: "2.0",
      id: -1,
      error: { code: -32603, message: "Internal error", data: "tx already exists in cache" },
    });
  });

  test("broadcast_tx_async answers the hash at once; the mempool's refusals are errors", async () => {
    const r = await call("broadcast_tx_async", { tx: b64("k4=v") });
    assert.deepEqual(r.json.result, { code: 0, data: "", log: "", codespace: "", hash: hashHex("k4=v") });
    assert.deepEqual(keys(r.json.result), keys(sample("broadcast_tx_async").result));
    await new Promise((res) => setImmediate(res));
    assert.ok(mempool.has(enc("k4=v")));
    const dup = await call("broadcast_tx_async", { tx: b64("k4=v") });
    assert.equal(dup.json.error.data, "tx already exists in cache");
  });

  test("unconfirmed_txs (limit, admission order) and num_unconfirmed_txs; check_tx admits nothing", async () => {
    const n = mempool.size;
    assert.ok(n >= 3);
    const all = await call("unconfirmed_txs", {});
    assert.deepEqual(keys(all.json.result), keys(sample("num_unconfirmed_txs").result));
    assert.equal(all.json.result.n_txs, String(n));
    assert.deepEqual(
      all.json.result.txs,
      mempool.pending().map((t) => Buffer.from(t).toString("base64")),
    );
    const two = await fetch(`${url}/unconfirmed_txs?limit=2`).then((r) => r.json() as Promise<any>);
    assert.equal(two.result.n_txs, "2");
    assert.equal(two.result.total, String(n));
    assert.equal(two.result.txs[0], b64("k1=v"));
    const num = await call("num_unconfirmed_txs", {});
    assert.deepEqual(num.json.result, {
      n_txs: String(n),
      total: String(n),
      total_bytes: String(mempool.sizeBytes),
      txs: null,
    });
    const checked = await call("check_tx", { tx: b64("k9=v") });
    assert.equal(checked.json.result.code, 0);
    assert.equal(checked.json.result.gas_wanted, "5");
    assert.equal(mempool.size, n, "check_tx admits nothing");
  });

  test("broadcast_tx_commit: waits for the block's commit; CheckTx refusal; timeout; waiter bound", async () => {
    const pending = call("broadcast_tx_commit", { tx: b64("k5=v") }, 9);
    await new Promise((res) => setTimeout(res, 50));
    assert.equal(commits.count, 1);
    commits.committed({
      height: 12n,
      txs: [enc("other"), enc("k5=v")],
      results: [
        checkTx({ tx: enc("other"), type: CheckTxType.NEW }),
        { ...checkTx({ tx: enc("k5=v"), type: CheckTxType.NEW }), log: "ran" },
      ],
    });
    const r = await pending;
    assert.deepEqual(keys(r.json.result), keys(sample("broadcast_tx_commit").result));
    assert.equal(r.json.result.height, "12");
    assert.equal(r.json.result.tx_result.log, "ran");
    assert.equal(r.json.result.hash, hashHex("k5=v"));
    assert.equal(commits.count, 0);
    const bad = await call("broadcast_tx_commit", { tx: b64("bad2") });
    assert.equal(bad.json.result.check_tx.code, 7);
    assert.equal(bad.json.result.height, "0");
    const late = await call("broadcast_tx_commit", { tx: b64("k6=v") });
    assert.equal(late.json.error.data, "timed out waiting for tx to be included in a block");
    const dup = await call("broadcast_tx_commit", { tx: b64("k6=v") });
    assert.equal(dup.json.error.data, "error on broadcastTxCommit: tx already exists in cache");
    const held = [
      call("broadcast_tx_commit", { tx: b64("k7=v") }),
      call("broadcast_tx_commit", { tx: b64("k8=v") }),
    ];
    await new Promise((res) => setTimeout(res, 50));
    const third = await call("broadcast_tx_commit", { tx: b64("k10=v") });
    assert.equal(third.json.error.data, "max_subscription_clients 2 reached");
    await Promise.all(held);
    assert.equal(commits.count, 0);
  });

  test("everything else passes to CometBFT unchanged: URI bytes and headers, POST bodies", async () => {
    const r = await fetch(`${url}/status`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("x-upstream"), "yes");
    assert.deepEqual(
      Buffer.from(await r.arrayBuffer()),
      readFileSync(new URL("./testdata/cometbft-0.38.25/status.json", import.meta.url)),
    );
    const body = '{"jsonrpc":"2.0","id":3,"method":"block","params":{"height":"1"}}';
    const before = comet.bodies.length;
    const p = await post(body);
    assert.deepEqual(p.json, { jsonrpc: "2.0", id: 3, result: { upstream: "block" } });
    assert.equal(comet.bodies[before], body, "the body reached CometBFT byte for byte");
    // Junk goes to CometBFT too, which answers its own parse error.
    const junk = await post("{nope");
    assert.equal(junk.status, 500);
    assert.equal(junk.json.error.code, -32700);
  });

  test("a batch mixing our methods and CometBFT's is answered in order; notifications are skipped", async () => {
    const before = comet.bodies.length;
    const r = await post([
      { jsonrpc: "2.0", id: 1, method: "status", params: {} },
      { jsonrpc: "2.0", id: 2, method: "validators", params: {} },
      { jsonrpc: "2.0", id: 3, method: "broadcast_tx_sync", params: { tx: b64("k11=v") } },
      { jsonrpc: "2.0", method: "broadcast_tx_sync", params: { tx: b64("k12=v") } },
      { jsonrpc: "2.0", id: 4, method: "block", params: {} },
      { jsonrpc: "2.0", id: 5, method: "num_unconfirmed_txs", params: {} },
    ]);
    assert.deepEqual(
      r.json.map((x: any) => x.id),
      [1, 2, 3, 4, 5],
    );
    assert.deepEqual(r.json[0].result, { upstream: "status" });
    assert.deepEqual(r.json[1].result, { upstream: "validators" });
    assert.equal(r.json[2].result.hash, hashHex("k11=v"));
    assert.deepEqual(r.json[3].result, { upstream: "block" });
    assert.equal(r.json[4].result.total, String(mempool.size));
    assert.ok(!mempool.has(enc("k12=v")), "a notification is not run");
    // Two runs of CometBFT's methods: two batches upstream, each in order.
    assert.deepEqual(
      comet.bodies.slice(before).map((b) => JSON.parse(b).map((x: any) => x.method)),
      [["status", "validators"], ["block"]],
    );
  });

  test("an oversize body gets CometBFT's 400 error, and the front goes on serving", async () => {
    const r = await post({
      jsonrpc: "2.0",
      id: 1,
      method: "broadcast_tx_sync",
      params: { tx: "A".repeat(5000) },
    });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, -32600);
    assert.match(r.json.error.data, /request body too large/);
    const ok = await call("num_unconfirmed_txs", {});
    assert.equal(ok.status, 200);
  });

  test("websocket: our methods answered here, subscribe and the rest proxied", async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${front.port}/websocket`);
    const got: any[] = [];
    ws.on("message", (d) => got.push(JSON.parse((d as Buffer).toString())));
    await new Promise((res) => ws.once("open", res));
    ws.send(
      JSON.stringify({ jsonrpc: "2.0", id: "a", method: "broadcast_tx_sync", params: { tx: b64("k13=v") } }),
    );
    ws.send(
      JSON.stringify({
        jsonrpc: "2.0",
        id: "b",
        method: "subscribe",
        params: { query: "tm.event='NewBlock'" },
      }),
    );
    const until = Date.now() + 5000;
    while (got.length < 3 && Date.now() < until) await new Promise((res) => setTimeout(res, 20));
    ws.close();
    const byId = (id: string) => got.filter((g) => g.id === id);
    assert.equal(byId("a")[0]?.result.hash, hashHex("k13=v"));
    assert.deepEqual(
      byId("b").map((g) => g.result),
      [{ upstream: "subscribe" }, { event: 1 }],
    );
    assert.ok(mempool.has(enc("k13=v")));
  });

  test("CometBFT down: JSON-RPC errors (URI 502, POST with the request's id, websocket), no hang", async () => {
    const lone = await startFront(await freePort());
    try {
      const base = `http://127.0.0.1:${lone.port}`;
      const r = await fetch(`${base}/status`);
      assert.equal(r.status, 502);
      const j = (await r.json()) as any;
      assert.equal(j.error.code, -32603);
      assert.match(j.error.data, /unreachable/);
      const p = (await (
        await fetch(base, { method: "POST", body: '{"jsonrpc":"2.0","id":8,"method":"block","params":{}}' })
      ).json()) as any;
      assert.equal(p.id, 8);
      assert.match(p.error.data, /unreachable/);
      const mixed = (await (
        await fetch(base, {
          method: "POST",
          body: JSON.stringify([
            { jsonrpc: "2.0", id: 1, method: "num_unconfirmed_txs", params: {} },
            { jsonrpc: "2.0", id: 2, method: "block", params: {} },
          ]),
        })
      ).json()) as any;
      assert.ok(mixed[0].result);
      assert.match(mixed[1].error.data, /unreachable/);
      const ws = new WebSocket(`ws://127.0.0.1:${lone.port}/websocket`);
      const msgs: any[] = [];
      ws.on("message", (d) => msgs.push(JSON.parse((d as Buffer).toString())));
      await new Promise((res) => ws.once("open", res));
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "status", params: {} }));
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "num_unconfirmed_txs", params: {} }));
      const until = Date.now() + 5000;
      while (msgs.length < 2 && Date.now() < until) await new Promise((res) => setTimeout(res, 20));
      ws.close();
      assert.match(msgs.find((m) => m.id === 1)?.error?.data ?? "", /unreachable/);
      assert.ok(msgs.find((m) => m.id === 2)?.result, "our methods still answer");
    } finally {
      await lone.close();
    }
  });

  test("goDurationMs reads config.toml durations", () => {
    assert.equal(goDurationMs("10s"), 10_000);
    assert.equal(goDurationMs("1m0s"), 60_000);
    assert.equal(goDurationMs("500ms"), 500);
    assert.equal(goDurationMs("1.5s"), 1500);
    assert.equal(goDurationMs("ten"), undefined);
  });
});
