// CometBFT-mode REST block times: a node that restarted (an empty ledger: it executed none of the committed
// heights) answers a query at height h with h's block time from CometBFT (a fake `header` source, then a fake
// JSON-RPC server for cometHeaderTimeSource); the ledger's cache is bounded and asks once per height.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { ShroudApp } from "../../chain/app.js";
import type { Context } from "../../chain/tx/context.js";
import { cometHeaderTimeSource } from "../../api/rest/cometSource.js";
import type { RestBackend } from "../../api/rest/backend.js";
import { QueryError } from "../../chain/errors.js";
import { GENESIS_TIME_NS, tempStore, testGenesis, type TempStore } from "../../../test/chain/fixtures.js";
import { initChain, runHeight, timeOf } from "../../../test/chain/lifecycle.js";
import { mulberry32 } from "../../util/seeded.js";
import { BlockLedger, cometRestBackend, CometSyncWatch, type HeaderTimeSource } from "./rest.js";

const PROBE = "/shroud.test.v1.Query/BlockTime";
const G = testGenesis();
const temps: TempStore[] = [];
after(() => {
  for (const t of temps) t.close();
});

/**
 * The real app with one extra module whose REST query shows the context it ran in (appQueryHandlers picks up a
 * module's `restQueries`): the only way to observe a query context's block time from outside.
 */
function withProbe(app: ShroudApp): ShroudApp {
  const probe = {
    name: "probe",
    restQueries: {
      [PROBE]: (ctx: Context) => ({ height: String(ctx.blockHeight), time_ns: String(ctx.blockTimeNs) }),
    },
  };
  const modules = { ...app.modules, list: [...app.modules.list, probe] };
  return Object.create(app, { modules: { value: modules } }) as ShroudApp;
}

/** A chain committed to height 3 (times = genesis + h s), as a restarted node finds it. */
async function committedApp(): Promise<ShroudApp> {
  const t = tempStore();
  temps.push(t);
  const app = new ShroudApp({ store: t.store });
  await initChain(app, G);
  for (let h = 1n; h <= 3n; h++) await runHeight(app, h, timeOf(G, h), []);
  return app;
}

function backendOf(app: ShroudApp, ledger: BlockLedger, headerTime: HeaderTimeSource): RestBackend {
  return cometRestBackend({
    app: withProbe(app),
    ledger,
    chainId: G.chain_id,
    moniker: "m",
    nodeId: "ab".repeat(20),
    listenAddr: "tcp://127.0.0.1:26656",
    validatorPubKey: new Uint8Array(32),
    cometRpcUrl: "http://127.0.0.1:9", // unused: headerTime is given
    host: "127.0.0.1",
    rpcPort: 9,
    headerTime,
  });
}

async function probe(
  b: RestBackend,
  height: bigint | undefined,
): Promise<{ height: string; time_ns: string }> {
  const q = b.queries.get(PROBE);
  assert.ok(q !== undefined);
  return (await q({ args: {} as never, height })) as { height: string; time_ns: string };
}

describe("cometRestBackend block times after a restart", () => {
  test("a past height's time comes from CometBFT once; latest; future refused; unknown refused", async () => {
    const app = await committedApp();
    const asked: bigint[] = [];
    const source: HeaderTimeSource = (h) => {
      asked.push(h);
      return Promise.resolve(h <= 2n ? timeOf(G, h) : undefined);
    };
    const ledger = new BlockLedger();
    const b = backendOf(app, ledger, source);
    assert.deepEqual(await probe(b, 2n), { height: "2", time_ns: String(GENESIS_TIME_NS + 2_000_000_000n) });
    // Concurrent queries at one height share one RPC call; a known height asks nothing.
    const both = await Promise.all([probe(b, 1n), probe(b, 1n), probe(b, 2n)]);
    assert.deepEqual(
      both.map((r) => r.time_ns),
      [timeOf(G, 1n), timeOf(G, 1n), timeOf(G, 2n)].map(String),
    );
    assert.deepEqual(asked, [2n, 1n]);
    // Latest (3): this fake CometBFT has no header for it → refused, not answered with time 0.
    await assert.rejects(probe(b, undefined), (e: unknown) => {
      assert.ok(e instanceof QueryError);
      assert.match(e.message, /no block time for height 3/);
      return true;
    });
    // A future height is the app's own error, and asks CometBFT nothing.
    await assert.rejects(probe(b, 9n), /cannot query with height in the future \(9 > 3\)/);
    assert.deepEqual(asked, [2n, 1n, 3n]);
    // A block this process executes is recorded (recordingApp): no RPC for it.
    ledger.record(3n, timeOf(G, 3n));
    assert.deepEqual(await probe(b, undefined), { height: "3", time_ns: String(timeOf(G, 3n)) });
    assert.equal(asked.length, 3);
    // The app hash is the store's committed one, known without executing a block since the restart.
    const info = app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" });
    assert.equal(info.lastBlockAppHash.length, 32);
    assert.deepEqual(b.latestAppHash(), info.lastBlockAppHash);
    assert.equal(b.facts.nodeId, "ab".repeat(20));
    assert.equal(b.facts.listenAddr, "tcp://127.0.0.1:26656");
    assert.equal(b.syncing(), false);
  });

  test("the ledger is bounded: the oldest time goes first", async () => {
    const ledger = new BlockLedger(3);
    for (let h = 1n; h <= 5n; h++) ledger.record(h, h * 10n);
    assert.equal(ledger.size, 3);
    assert.equal(ledger.timeAt(2n), undefined);
    assert.equal(ledger.timeAt(3n), 30n);
    let calls = 0;
    const source: HeaderTimeSource = (h) => {
      calls++;
      return Promise.resolve(h * 100n);
    };
    assert.equal(await ledger.fetch(1n, source), 100n);
    assert.equal(await ledger.fetch(5n, source), 50n, "a recorded time wins, no call");
    assert.equal(calls, 1);
    assert.equal(ledger.size, 3);
    assert.equal(ledger.timeAt(3n), undefined, "fetching 1 pushed out the oldest (3)");
  });

  test("the ledger keeps what a Map-queue of the same capacity keeps (12,000 seeded records, re-records included)", () => {
    const rnd = mulberry32(9);
    const ledger = new BlockLedger(50);
    // The reference: the eviction the ledger had until session 14 (delete + set, `keys().next()` the oldest).
    const ref = new Map<bigint, bigint>();
    let tip = 0;
    for (let step = 0; step < 12_000; step++) {
      // Mostly the next block; sometimes an older height again (a replay, a fetched time) with a new value.
      const h = BigInt(rnd() < 0.7 ? ++tip : Math.max(1, tip - Math.floor(rnd() * 80)));
      const t = BigInt(step);
      ledger.record(h, t);
      ref.delete(h);
      ref.set(h, t);
      if (ref.size > 50) ref.delete(ref.keys().next().value!);
      assert.equal(ledger.size, ref.size, `step ${step}`);
      for (let k = Math.max(1, tip - 120); k <= tip; k++) {
        assert.equal(ledger.timeAt(BigInt(k)), ref.get(BigInt(k)), `step ${step} height ${k}`);
      }
    }
  });
});

describe("cometHeaderTimeSource over JSON-RPC", () => {
  let server: Server | undefined;
  after(() => server?.close());

  test("reads header.time with nanoseconds; a height CometBFT lacks is undefined", async () => {
    const bodies: unknown[] = [];
    server = createServer((req, res) => {
      let raw = "";
      req.on("data", (c: Buffer) => (raw += c.toString()));
      req.on("end", () => {
        const r = JSON.parse(raw) as { id: number; method: string; params: { height: string } };
        bodies.push(r);
        // Reply shapes as CometBFT v0.38's /header and its error for a height past the tip.
        const reply =
          r.params.height === "7"
            ? { header: { height: "7", time: "2026-11-26T09:00:01.123456789Z" } }
            : undefined;
        const msg =
          reply !== undefined
            ? { jsonrpc: "2.0", id: r.id, result: reply }
            : {
                jsonrpc: "2.0",
                id: r.id,
                error: {
                  code: -32603,
                  message: "Internal error",
                  data: `height ${r.params.height} must be less than or equal to the current blockchain height 7`,
                },
              };
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(msg));
      });
    });
    const s = server;
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
    const addr = s.address();
    assert.ok(addr !== null && typeof addr === "object");
    const src = cometHeaderTimeSource(`http://127.0.0.1:${String(addr.port)}`);
    const seconds = BigInt(Date.parse("2026-11-26T09:00:01Z") / 1000);
    assert.equal(await src(7n), seconds * 1_000_000_000n + 123_456_789n);
    assert.equal(await src(8n), undefined);
    assert.deepEqual(
      bodies.map((b) => (b as { method: string }).method),
      ["header", "header"],
    );
  });
});

describe("CometSyncWatch", () => {
  let server: Server | undefined;
  after(() => server?.close());

  test("follows /status sync_info.catching_up; keeps the last answer when CometBFT is unreachable", async () => {
    let catchingUp: unknown = true;
    server = createServer((req, res) => {
      assert.equal(req.url, "/status");
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ jsonrpc: "2.0", id: -1, result: { sync_info: { catching_up: catchingUp } } }));
    });
    const s = server;
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
    const addr = s.address();
    assert.ok(addr !== null && typeof addr === "object");
    const watch = new CometSyncWatch(`http://127.0.0.1:${String(addr.port)}`);
    assert.equal(watch.syncing, false, "false before any answer");
    await watch.start(60_000);
    assert.equal(watch.syncing, true);
    catchingUp = false;
    await watch.poll();
    assert.equal(watch.syncing, false);
    catchingUp = "yes"; // not a boolean: ignored
    await watch.poll();
    assert.equal(watch.syncing, false);
    catchingUp = true;
    await watch.poll();
    await new Promise<void>((resolve) =>
      s.close(() => {
        resolve();
      }),
    );
    s.closeAllConnections();
    await watch.poll();
    assert.equal(watch.syncing, true, "unreachable: the last answer stays");
    watch.stop();
  });
});
