// The embedded engine's CometBFT-style RPC: shapes compared with real CometBFT v0.38.25 answers, and the real
// cosmjs client (@cosmjs/tendermint-rpc Comet38Client) over HTTP and websocket.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Comet38Client, WebsocketClient } from "@cosmjs/tendermint-rpc";
import { DevEngine } from "../../src/consensus/dev.js";
import { startRpcServer, type RpcServer } from "../../src/api/rpc/server.js";
import { KvApp } from "../consensus/kvApp.js";

const sample = (name: string): any =>
  JSON.parse(readFileSync(new URL(`./testdata/cometbft-0.38.25/${name}.json`, import.meta.url), "utf8"));

/** A value's shape: JSON type, with strings classed as int / HEX / time / other. Arrays by their first element. */
function shape(v: unknown): unknown {
  if (v === null) return "null";
  if (Array.isArray(v)) return v.length === 0 ? "[]" : [shape(v[0])];
  if (typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) o[k] = shape((v as Record<string, unknown>)[k]);
    return o;
  }
  if (typeof v === "string") {
    if (v === "") return "str";
    if (/^-?\d+$/.test(v)) return "int";
    if (/^[0-9A-F]{40,64}$/.test(v)) return "HEX";
    if (/^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(v)) return "time";
    return "str";
  }
  return typeof v;
}

/** Compares shapes, ignoring paths where a value is legitimately absent/empty on one side. */
function assertSameShape(ours: unknown, theirs: unknown, path: string, ignore: readonly string[]): void {
  if (ignore.some((p) => path.endsWith(p))) return;
  const [a, b] = [shape(ours), shape(theirs)];
  if (typeof a === "object" && typeof b === "object" && a && b && !Array.isArray(a) && !Array.isArray(b)) {
    assert.deepEqual(Object.keys(a), Object.keys(b), `keys at ${path}`);
    for (const k of Object.keys(b)) {
      assertSameShape((ours as any)[k], (theirs as any)[k], `${path}.${k}`, ignore);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    assertSameShape((ours as unknown[])[0], (theirs as unknown[])[0], `${path}[0]`, ignore);
    return;
  }
  // Empty vs filled lists, and empty hashes (e.g. the app hash before the first commit), are both valid.
  if ([a, b].some((x) => x === "[]" || x === "null") || ours === "" || theirs === "") return;
  assert.deepEqual(a, b, `shape at ${path}`);
}

describe("RPC (embedded engine)", () => {
  let dir: string;
  let engine: DevEngine;
  let rpc: RpcServer;
  let base: string;
  let height: string;
  let hash: string;
  const get = async (p: string): Promise<any> => (await fetch(`${base}${p}`)).json();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "shroud-rpc-"));
    const app = new KvApp();
    engine = new DevEngine({
      app,
      blockStorePath: join(dir, "blocks.db"),
      chainId: "secretdev-1",
      validatorSeed: new Uint8Array(32).fill(9),
      blockTimeMs: 20,
      genesisTimeNs: 1_700_000_000_000_000_000n,
      appStateBytes: new Uint8Array(),
    });
    await engine.start();
    rpc = await startRpcServer(
      {
        engine,
        app,
        genesis: { genesis_time: "2023-11-14T22:13:20Z", chain_id: "secretdev-1", initial_height: "1" },
        nodeId: "c0ffee42d1233c6b3be0cfed693ef09dba8191e1",
        moniker: "shroud-dev",
        rpcAddress: "tcp://127.0.0.1:0",
        broadcastCommitTimeoutMs: 5000,
      },
      "127.0.0.1",
      0,
    );
    base = `http://127.0.0.1:${rpc.port}`;
    const r = await get(`/broadcast_tx_commit?tx=${encodeURIComponent('"color=blue"')}`);
    height = r.result.height;
    hash = r.result.hash;
  });

  after(async () => {
    await rpc.close();
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("answers have CometBFT v0.38.25's shapes", async () => {
    const q = encodeURIComponent(`"kv.key='color'"`);
    const cases: [string, string, string[]][] = [
      ["status", "/status", []],
      ["block", `/block?height=${height}`, []],
      ["block_results", `/block_results?height=${height}`, []],
      ["blockchain", `/blockchain?minHeight=1&maxHeight=3`, []],
      ["commit", `/commit?height=${height}`, []],
      ["tx", `/tx?hash=0x${hash}`, []],
      ["tx_search", `/tx_search?query=${q}`, []],
      ["abci_info", "/abci_info", []],
      ["abci_query", `/abci_query?data=0x${Buffer.from("color").toString("hex")}`, []],
      ["validators", "/validators", []],
      ["health", "/health", []],
      ["net_info", "/net_info", ["listeners"]],
      ["num_unconfirmed_txs", "/num_unconfirmed_txs", []],
      ["block_by_hash", "/block_by_hash?hash=0x00", []],
      ["tx_notfound", "/tx?hash=0xAAAA", []],
      ["bad", "/block?height=abc", []],
      ["broadcast_tx_sync", `/broadcast_tx_sync?tx=${encodeURIComponent('"size=big"')}`, []],
    ];
    for (const [name, path, ignore] of cases) {
      assertSameShape(await get(path), sample(name), name, ignore);
    }
    const tnf = await get("/tx?hash=0xAAAA");
    assert.equal(tnf.error.data, "tx (AAAA) not found");
    const bad = await get("/block?height=abc");
    assert.equal(bad.error.data, sample("bad").error.data);
    const post: any = await (
      await fetch(base, {
        method: "POST",
        body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "block", params: { height } }),
      })
    ).json();
    assertSameShape(post, sample("post"), "post", []);
    assert.equal(post.id, 7);
  });

  test("the real cosmjs Comet38Client works over HTTP", async () => {
    const c = await Comet38Client.connect(base);
    const st = await c.status();
    assert.equal(st.nodeInfo.network, "secretdev-1");
    assert.ok(st.syncInfo.latestBlockHeight >= 1);
    const blk = await c.block(Number(height));
    assert.equal(Buffer.from(blk.block.txs[0]!).toString(), "color=blue");
    const res = await c.tx({ hash: Buffer.from(hash, "hex") });
    assert.equal(res.result.code, 0);
    const search = await c.txSearch({ query: "kv.key='color'" });
    assert.equal(search.totalCount, 1);
    const q = await c.abciQuery({ path: "/store/kv", data: Buffer.from("color") });
    assert.equal(Buffer.from(q.value).toString(), "blue");
    const sync = await c.broadcastTxSync({ tx: Buffer.from("fruit=kiwi") });
    assert.equal(sync.code, 0);
    const vals = await c.validatorsAll();
    assert.equal(vals.validators.length, 1);
    const results = await c.blockResults(Number(height));
    assert.equal(results.results[0]!.events[0]!.type, "kv");
    c.disconnect();
  });

  test("websocket subscriptions deliver NewBlock and Tx events", { timeout: 30_000 }, async () => {
    const ws = new WebsocketClient(`ws://127.0.0.1:${rpc.port}`);
    const c = Comet38Client.create(ws);
    const subs: { unsubscribe(): void }[] = [];
    const gotBlock = new Promise<number>((resolve, reject) => {
      subs.push(
        c.subscribeNewBlock().subscribe({
          next: (b) => {
            resolve(b.header.height);
          },
          error: reject,
        }),
      );
    });
    const gotTx = new Promise<number>((resolve, reject) => {
      subs.push(
        c.subscribeTx("kv.key='apple'").subscribe({
          next: (t) => {
            resolve(t.height);
          },
          error: reject,
        }),
      );
    });
    // The client subscribes once its socket is up; until both subscriptions see an event, keep making blocks
    // (a fixed sleep raced with a slow connect on a loaded machine).
    const state = { done: false };
    const both = Promise.all([gotBlock, gotTx]).finally(() => {
      state.done = true;
    });
    for (let i = 0; i < 100 && !state.done; i++) {
      await engine.broadcastTx(Buffer.from(`apple=red${i}`));
      await new Promise((r) => setTimeout(r, 100));
    }
    const [bh, th] = await both;
    assert.ok(bh > Number(height));
    assert.ok(th > Number(height), "the Tx event is for a new block");
    for (const s of subs) s.unsubscribe();
    // cosmjs's ReconnectingSocket schedules a reconnect on every Disconnected status, even after a deliberate
    // disconnect(), and then retries forever once our server is gone: neutralise that client-side loop.
    (ws as any).socket.socket.reconnect = () => undefined;
    c.disconnect();
  });
});
