// Tx gossip over loopback: delivery in order, batching, `except`, late and restarting peers, bounded queues,
// every bad-input case (raw sockets), a clean close(), and seeded random chunking of the frame stream.
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { spawn } from "node:child_process";
import fc from "fast-check";
import { mulberry32Uint32 } from "../util/seeded.js";
import { FrameReader } from "./frameReader.js";
import {
  decodeTxFrame,
  encodeHello,
  encodeTxFrames,
  maxFrameBody,
  parseHello,
  startTxGossip,
  type GossipPeer,
  type TxGossip,
  type TxGossipOptions,
} from "./txGossip.js";

const CHAIN = "shroud-test-1";
const MAX_TX = 2048;

/** A 430-byte tx whose first 4 bytes are `n` (big-endian) and the rest a pattern of `n`. */
function tx(n: number, size = 430): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (n * 31 + i) & 0xff;
  if (size >= 4) new DataView(b.buffer).setUint32(0, n);
  return b;
}
const num = (t: Uint8Array): number => new DataView(t.buffer, t.byteOffset, t.length).getUint32(0);

interface Node {
  readonly g: TxGossip;
  readonly id: string;
  /** Every onTxs call: its txs' numbers and its `from`. */
  readonly batches: { from: string; nums: number[] }[];
  readonly logs: string[];
  peer(): GossipPeer;
}

const started: TxGossip[] = [];
after(async () => {
  await Promise.all(started.map((g) => g.close()));
});

async function node(id: string, peers: GossipPeer[], extra: Partial<TxGossipOptions> = {}): Promise<Node> {
  const batches: { from: string; nums: number[] }[] = [];
  const logs: string[] = [];
  const g = await startTxGossip({
    id,
    chainId: CHAIN,
    port: 0,
    peers,
    maxTxBytes: MAX_TX,
    redialMinMs: 10,
    redialMaxMs: 40,
    onTxs: (txs, from) => batches.push({ from, nums: txs.map(num) }),
    log: (l) => logs.push(l),
    ...extra,
  });
  started.push(g);
  return { g, id, batches, logs, peer: () => ({ id, host: "127.0.0.1", port: g.port }) };
}

async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const from = (n: Node, id: string): number[] => n.batches.filter((b) => b.from === id).flatMap((b) => b.nums);
const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

/** A free port nobody listens on (the listener is closed again). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * A raw client that writes `bytes` to `port` and resolves when the other side closes it (with what it read), or
 * after 3 s, closing it itself (a node that should have closed it did not: the test's counts then fail).
 */
function rawClient(port: number, bytes: Uint8Array[], gapMs = 0): Promise<Buffer> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: "127.0.0.1" });
    const got: Buffer[] = [];
    const giveUp = setTimeout(() => s.destroy(), 3000);
    s.on("data", (d: Buffer) => got.push(d));
    s.on("error", () => undefined);
    s.on("close", () => {
      clearTimeout(giveUp);
      resolve(Buffer.concat(got));
    });
    s.on("connect", () => {
      void (async () => {
        for (const b of bytes) {
          if (s.destroyed) return;
          s.write(b);
          if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
        }
      })();
    });
  });
}

const hello = (id: string, chain = CHAIN): Uint8Array => encodeHello(chain, id);

describe("tx gossip", () => {
  test("two nodes exchange txs both ways, in order, over many turns", async () => {
    const a = await node("a", []);
    const b = await node("b", [a.peer()]);
    // Connections are one-way: b dials a; c dials a and b (so b both receives and sends).
    const c = await node("c", [a.peer(), b.peer()]);
    await waitFor("connections", () => b.g.stats().peersOut === 1 && c.g.stats().peersOut === 2);
    for (let i = 0; i < 300; i++) {
      b.g.send([tx(i)]);
      c.g.send([tx(1000 + i), tx(2000 + i)]);
      if (i % 7 === 0) await new Promise((r) => setImmediate(r));
    }
    await waitFor("delivery", () => from(a, "c").length === 600 && from(a, "b").length === 300);
    assert.deepEqual(from(a, "b"), range(0, 300));
    assert.deepEqual(
      from(a, "c"),
      range(0, 300).flatMap((i) => [1000 + i, 2000 + i]),
    );
    await waitFor("b from c", () => from(b, "c").length === 600);
    assert.deepEqual(from(b, "c"), from(a, "c"));
    assert.equal(a.g.stats().receivedTxs, 900);
    assert.equal(a.g.stats().peersIn, 2);
    assert.equal(c.g.stats().sentTxs, 1200);
    assert.equal(a.g.stats().protocolErrors + b.g.stats().protocolErrors + c.g.stats().protocolErrors, 0);
    await Promise.all([a.g.close(), b.g.close(), c.g.close()]);
  });

  test("four nodes in a full mesh: every node gets every other node's txs in its order", async () => {
    const ports = await Promise.all([0, 1, 2, 3].map(() => freePort()));
    const ids = ["n0", "n1", "n2", "n3"];
    const peerOf = (i: number): GossipPeer => ({ id: ids[i]!, host: "127.0.0.1", port: ports[i]! });
    const nodes = await Promise.all(
      ids.map((id, i) =>
        node(
          id,
          ids
            .map((_, j) => j)
            .filter((j) => j !== i)
            .map(peerOf),
          { port: ports[i]! },
        ),
      ),
    );
    await waitFor("mesh", () => nodes.every((n) => n.g.stats().peersOut === 3 && n.g.stats().peersIn === 3));
    for (let k = 0; k < 200; k++) {
      nodes.forEach((n, i) => {
        n.g.send([tx(i * 10_000 + k)]);
      });
      if (k % 13 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    await waitFor("mesh delivery", () => nodes.every((n) => n.g.stats().receivedTxs === 600));
    nodes.forEach((n, i) => {
      ids.forEach((id, j) => {
        if (i !== j) assert.deepEqual(from(n, id), range(j * 10_000, j * 10_000 + 200), `${n.id} from ${id}`);
      });
    });
    await Promise.all(nodes.map((n) => n.g.close()));
  });

  test("many sends in one turn leave as one batch per peer; `except` skips that peer", async () => {
    const [b, c, d] = await Promise.all([node("b", []), node("c", []), node("d", [])]);
    const a = await node("a", [b.peer(), c.peer(), d.peer()]);
    await waitFor("a up", () => a.g.stats().peersOut === 3);
    for (let i = 0; i < 150; i++) a.g.send([tx(i)]); // one turn
    await waitFor("batch", () => [b, c, d].every((n) => n.g.stats().receivedTxs === 150));
    for (const n of [b, c, d]) {
      assert.equal(n.batches.length, 1, `${n.id} got one batch`);
      assert.deepEqual(n.batches[0]!.nums, range(0, 150));
    }
    a.g.send([tx(500), tx(501)], "c");
    a.g.send([tx(502)], "c");
    await new Promise((r) => setImmediate(r));
    a.g.send([tx(503)]); // a later turn, to every peer: c's last batch proves nothing before it was skipped
    await waitFor("except", () => c.g.stats().receivedTxs === 151 && b.g.stats().receivedTxs === 154);
    assert.deepEqual(from(c, "a"), [...range(0, 150), 503]);
    assert.deepEqual(
      from(b, "a"),
      range(0, 154).map((i) => (i < 150 ? i : 350 + i)),
    );
    assert.deepEqual(
      b.batches.map((x) => x.nums.length),
      [150, 3, 1],
    );
    assert.equal(a.g.stats().sentTxs, 150 * 3 + 3 * 2 + 3);
    await Promise.all([a, b, c, d].map((n) => n.g.close()));
  });

  test("flushDelayMs: the sends of several turns within the delay share one batch", async () => {
    const b = await node("b", []);
    const a = await node("a", [b.peer()], { flushDelayMs: 100 });
    await waitFor("up", () => a.g.stats().peersOut === 1);
    for (let i = 0; i < 5; i++) {
      a.g.send([tx(i)]);
      await new Promise((r) => setImmediate(r));
    }
    await waitFor("batch", () => b.g.stats().receivedTxs === 5);
    assert.deepEqual(
      b.batches.map((x) => x.nums),
      [range(0, 5)],
    );
    await Promise.all([a.g.close(), b.g.close()]);
  });

  test("a peer that starts late gets what was queued for it, in order", async () => {
    const port = await freePort();
    const a = await node("a", [{ id: "b", host: "127.0.0.1", port }]);
    for (let i = 0; i < 50; i++) a.g.send([tx(i)]);
    await new Promise((r) => setTimeout(r, 100)); // a few failed dials
    assert.equal(a.g.stats().peersOut, 0);
    for (let i = 50; i < 80; i++) a.g.send([tx(i)]);
    const b = await node("b", [], { port });
    await waitFor("late delivery", () => b.g.stats().receivedTxs === 80);
    assert.deepEqual(from(b, "a"), range(0, 80));
    assert.equal(a.logs.filter((l) => l.includes("ECONNREFUSED")).length, 1, "a refused dial is logged once");
    assert.ok(a.logs.some((l) => l.includes("connected, 80 txs queued")));
    await Promise.all([a.g.close(), b.g.close()]);
  });

  test("a peer that restarts gets the txs queued while it was down, in order", async () => {
    const b1 = await node("b", []);
    const port = b1.g.port;
    const a = await node("a", [b1.peer()]);
    await waitFor("up", () => a.g.stats().peersOut === 1);
    for (let i = 0; i < 40; i++) a.g.send([tx(i)]);
    await waitFor("first life", () => b1.g.stats().receivedTxs === 40);
    await b1.g.close();
    await waitFor("a sees b down", () => a.g.stats().peersOut === 0);
    for (let i = 40; i < 100; i++) a.g.send([tx(i)]);
    await new Promise((r) => setTimeout(r, 60));
    const b2 = await node("b", [], { port });
    await waitFor("second life", () => b2.g.stats().receivedTxs === 60);
    assert.deepEqual(from(b2, "a"), range(40, 100));
    a.g.send([tx(100)]);
    await waitFor("after", () => b2.g.stats().receivedTxs === 61);
    assert.equal(a.g.stats().dropped, 0);
    assert.ok(a.logs.some((l) => l.includes("connection lost")));
    await Promise.all([a.g.close(), b2.g.close()]);
  });

  test("a down peer's queue is bounded by bytes: the oldest are dropped and counted", async () => {
    const port = await freePort();
    // 438 bytes per 430-byte tx: 10 fit in 4400 bytes.
    const a = await node("a", [{ id: "b", host: "127.0.0.1", port }], { maxQueueBytes: 4400 });
    for (let i = 0; i < 25; i++) a.g.send([tx(i)]);
    a.g.send([tx(99, MAX_TX + 1)]); // over maxTxBytes: dropped, never sent
    assert.equal(a.g.stats().dropped, 16);
    const b = await node("b", [], { port });
    await waitFor("bounded delivery", () => b.g.stats().receivedTxs === 10);
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(from(b, "a"), range(15, 25));
    await Promise.all([a.g.close(), b.g.close()]);
  });

  test("a queue far past its bound keeps only the newest (compaction keeps order)", async () => {
    const port = await freePort();
    const a = await node("a", [{ id: "b", host: "127.0.0.1", port }], { maxQueueBytes: 100 * 38 });
    for (let i = 0; i < 5000; i++) a.g.send([tx(i, 30)]);
    assert.equal(a.g.stats().dropped, 4900);
    const b = await node("b", [], { port });
    await waitFor("delivery", () => b.g.stats().receivedTxs === 100);
    assert.deepEqual(from(b, "a"), range(4900, 5000));
    await Promise.all([a.g.close(), b.g.close()]);
  });

  test("onTxs throwing is logged; the connection and later batches go on", async () => {
    let calls = 0;
    const got: number[] = [];
    const logs: string[] = [];
    const b = await startTxGossip({
      id: "b",
      chainId: CHAIN,
      port: 0,
      peers: [],
      maxTxBytes: MAX_TX,
      onTxs: (txs) => {
        if (calls++ === 0) throw new Error("mempool broke");
        got.push(...txs.map(num));
      },
      log: (l) => logs.push(l),
    });
    started.push(b);
    const a = await node("a", [{ id: "b", host: "127.0.0.1", port: b.port }]);
    await waitFor("up", () => a.g.stats().peersOut === 1);
    a.g.send([tx(1)]);
    await waitFor("first", () => calls === 1);
    a.g.send([tx(2)]);
    await waitFor("second", () => got.length === 1);
    assert.deepEqual(got, [2]);
    assert.ok(logs.some((l) => l.includes("onTxs threw") && l.includes("mempool broke")));
    assert.equal(b.stats().peersIn, 1);
    assert.equal(b.stats().protocolErrors, 0);
    await Promise.all([a.g.close(), b.close()]);
  });

  describe("bad input closes that connection, logs it, counts it, and the node goes on", () => {
    const bad: [string, (b: Node) => Uint8Array[], RegExp][] = [
      ["garbage instead of a hello", () => [Buffer.from("GET / HTTP/1.1\r\n\r\n")], /bad magic/],
      ["another protocol version", () => [Uint8Array.from([0x53, 0x48, 0x54, 0x58, 9, 0])], /version 9/],
      ["another chain id", () => [hello("x", "other-chain")], /on chain "other-chain"/],
      ["this node's own id", (b) => [hello(b.id)], /own id/],
      [
        "an empty node id",
        () => [encodeHello(CHAIN, "x").subarray(0, 6 + CHAIN.length), Uint8Array.of(0)],
        /empty/,
      ],
      [
        "a frame length over the limit",
        () => [hello("x"), Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f])],
        /over the limit/,
      ],
      [
        "a frame length varint that does not end",
        () => [hello("x"), new Uint8Array(8).fill(0x80)],
        /too long/,
      ],
      [
        "a tx over maxTxBytes",
        () => {
          const f = encodeTxFrames([tx(1, MAX_TX + 1)]);
          return [hello("x"), f];
        },
        /tx of 2049 bytes over the limit of 2048/,
      ],
      [
        "a tx running past its frame",
        () => [hello("x"), Uint8Array.from([3, 10, 1, 2])],
        /runs past the end/,
      ],
      ["a tx length cut inside its frame", () => [hello("x"), Uint8Array.from([1, 0x80])], /past the end/],
    ];
    for (const [name, bytes, why] of bad) {
      test(name, async () => {
        const b = await node("b", []);
        await rawClient(b.g.port, bytes(b));
        assert.equal(b.g.stats().protocolErrors, 1);
        assert.equal(b.g.stats().peersIn, 0);
        assert.equal(b.g.stats().receivedTxs, 0);
        assert.ok(
          b.logs.some((l) => why.test(l) && l.includes("closed")),
          b.logs.join("\n"),
        );
        // Still serving: a good peer gets through afterwards.
        const a = await node("a", [b.peer()]);
        await waitFor("good peer", () => a.g.stats().peersOut === 1);
        a.g.send([tx(7)]);
        await waitFor("good delivery", () => b.g.stats().receivedTxs === 1);
        await Promise.all([a.g.close(), b.g.close()]);
      });
    }

    test("txs of frames before a bad one in the same chunk are delivered; none after it", async () => {
      const b = await node("b", []);
      const stream = Buffer.concat([
        hello("x"),
        encodeTxFrames([tx(1), tx(2)]),
        encodeTxFrames([tx(3)]),
        Uint8Array.from([2, 5, 0]),
        encodeTxFrames([tx(4)]),
      ]);
      await rawClient(b.g.port, [stream]);
      assert.deepEqual(
        b.batches.map((x) => x.nums),
        [[1, 2], [3]],
      );
      assert.equal(b.g.stats().protocolErrors, 1);
      await b.g.close();
    });

    test("a hello split byte by byte is fine; silence after the connect is closed after the timeout", async () => {
      const b = await node("b", [], { handshakeTimeoutMs: 150 });
      const h = hello("slow");
      const bytes = [...Array.from(h, (x) => Uint8Array.of(x)), encodeTxFrames([tx(5)])];
      const slow = rawClient(b.g.port, bytes, 2);
      await waitFor("split hello", () => b.g.stats().receivedTxs === 1);
      assert.deepEqual(from(b, "slow"), [5]);
      const t0 = Date.now();
      await rawClient(b.g.port, []); // says nothing
      assert.ok(Date.now() - t0 >= 100, "closed by the timeout, not at once");
      assert.equal(b.g.stats().protocolErrors, 1);
      assert.ok(b.logs.some((l) => /no handshake within 150 ms; closed/.test(l)));
      // Half a hello, then silence: closed too.
      await rawClient(b.g.port, [h.subarray(0, 7)]);
      assert.equal(b.g.stats().protocolErrors, 2);
      await b.g.close();
      await slow;
    });

    test("too many inbound connections: the extra ones are closed", async () => {
      const b = await node("b", [], { maxInbound: 2, handshakeTimeoutMs: 2000 });
      const socks = [0, 1].map(() => net.connect({ port: b.g.port, host: "127.0.0.1" }));
      await Promise.all(socks.map((s) => new Promise((r) => s.on("connect", r))));
      await rawClient(b.g.port, []);
      assert.ok(b.logs.some((l) => l.includes("over 2 inbound connections")));
      for (const s of socks) s.destroy();
      await b.g.close();
    });

    test("a node that connects again replaces its older inbound connection", async () => {
      const b = await node("b", []);
      const first = net.connect({ port: b.g.port, host: "127.0.0.1" });
      first.on("error", () => undefined);
      first.resume(); // read b's hello, so that its close is seen
      let firstClosed = false;
      first.on("close", () => (firstClosed = true));
      first.write(hello("x"));
      first.write(encodeTxFrames([tx(1)]));
      await waitFor("first", () => b.g.stats().receivedTxs === 1);
      const second = rawClient(b.g.port, [hello("x"), encodeTxFrames([tx(2)])]);
      await waitFor("the older connection closed", () => firstClosed);
      await waitFor("second", () => b.g.stats().receivedTxs === 2);
      assert.deepEqual(from(b, "x"), [1, 2]);
      assert.equal(b.g.stats().peersIn, 1);
      assert.ok(b.logs.some((l) => l.includes("node x connected again")));
      await b.g.close();
      await second;
    });

    /** A raw listener that answers every connection with `reply` (or nothing). */
    async function rawServer(
      reply: Uint8Array | undefined,
    ): Promise<{ port: number; close(): Promise<void> }> {
      const socks = new Set<net.Socket>();
      const s = net.createServer((c) => {
        socks.add(c);
        c.on("error", () => undefined);
        c.on("close", () => socks.delete(c));
        if (reply !== undefined) c.write(reply);
      });
      await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
      return {
        port: (s.address() as net.AddressInfo).port,
        close: async () => {
          for (const c of socks) c.destroy();
          await new Promise((r) => s.close(r));
        },
      };
    }

    for (const [name, reply, why] of [
      ["a listener speaking another protocol", Buffer.from("SSH-2.0-OpenSSH\r\n"), /bad magic/],
      ["a peer on another chain", hello("b", "other-chain"), /on chain "other-chain"/],
      ["a listener that is another node", hello("z"), /it is node "z"/],
      ["a listener that says nothing", undefined, /no handshake within 100 ms/],
    ] as const) {
      test(`the dialler refuses ${name} and keeps re-dialling (logged once)`, async () => {
        const srv = await rawServer(reply);
        const a = await node("a", [{ id: "b", host: "127.0.0.1", port: srv.port }], {
          handshakeTimeoutMs: 100,
        });
        a.g.send([tx(1)]);
        await waitFor("errors", () => a.g.stats().protocolErrors >= 2, 4000);
        assert.equal(a.g.stats().peersOut, 0);
        const lines = a.logs.filter((l) => why.test(l));
        assert.equal(lines.length, 1, a.logs.join("\n"));
        assert.match(lines[0]!, /peer b \(127\.0\.0\.1:\d+\): refused: .*; re-dialling/);
        await Promise.all([a.g.close(), srv.close()]);
      });
    }
  });

  test("setPeers: a new peer is dialled, an unchanged one untouched, a removed one closed with its queue dropped", async () => {
    const [b, c] = await Promise.all([node("b", []), node("c", [])]);
    const downPort = await freePort();
    const down = { id: "d", host: "127.0.0.1", port: downPort };
    // A re-dial period of 100 ms: d is removed while its re-dial timer runs (right after a refused dial).
    const a = await node("a", [b.peer()], { redialMinMs: 100, redialMaxMs: 100 });
    await waitFor("a → b", () => a.g.stats().peersOut === 1);
    a.g.send([tx(0)]);
    await waitFor("b got 0", () => from(b, "a").length === 1);

    // Add c and a peer that is down: c is dialled at once; b keeps its connection.
    assert.deepEqual(a.g.setPeers([b.peer(), c.peer(), down]), { added: ["c", "d"], removed: [] });
    await waitFor("a → c", () => a.g.stats().peersOut === 2 && c.g.stats().peersIn === 1);
    assert.deepEqual(
      a.g.peers().map((p) => p.id),
      ["b", "c", "d"],
    );
    for (let i = 1; i < 20; i++) a.g.send([tx(i)]);
    await waitFor("b and c got 1..19", () => from(b, "a").length === 20 && from(c, "a").length === 19);
    assert.deepEqual(from(b, "a"), range(0, 20), "b: one stream, nothing lost or repeated");
    assert.deepEqual(from(c, "a"), range(1, 20), "c: what was sent after it was added");
    await waitFor("d refused", () => a.logs.some((l) => l.includes("peer d") && l.includes("ECONNREFUSED")));

    // The same list again (a copy): nothing changes, nobody is re-dialled.
    assert.deepEqual(a.g.setPeers([{ ...b.peer() }, c.peer(), down]), { added: [], removed: [] });
    // d removed while its queue holds 1..19 and more: the queue goes with it, d is not dialled again.
    for (let i = 20; i < 30; i++) a.g.send([tx(i)]);
    assert.deepEqual(a.g.setPeers([b.peer(), c.peer()]), { added: [], removed: ["d"] });
    const d = await node("d", [], { port: downPort });
    // Remove c: its connection closes (c sees its inbound peer go), and later sends skip it.
    assert.deepEqual(a.g.setPeers([b.peer()]), { added: [], removed: ["c"] });
    assert.equal(a.g.stats().peersOut, 1);
    await waitFor("c's inbound closed", () => c.g.stats().peersIn === 0);
    for (let i = 30; i < 40; i++) a.g.send([tx(i)]);
    await waitFor("b got 0..39", () => from(b, "a").length === 40);
    await new Promise((r) => setTimeout(r, 300)); // past d's pending re-dial (100 ms)
    assert.deepEqual(from(b, "a"), range(0, 40));
    // 20..29 were still queued for c (no turn had ended) when it was removed: dropped with its queue.
    assert.deepEqual(from(c, "a"), range(1, 20), "c got nothing queued or sent after its removal");
    assert.equal(d.g.stats().peersIn, 0, "a removed peer is not dialled again");
    assert.equal(d.batches.length, 0, "nor sent its old queue");
    assert.equal(b.g.stats().peersIn, 1);
    assert.equal(
      a.logs.filter((l) => l.startsWith("gossip: peer b ") && l.includes("connected")).length,
      1,
      "b's connection was never replaced",
    );
    assert.equal(
      b.logs.filter((l) => l.includes("connected again")).length,
      0,
      "b never saw a second connection from a",
    );
    assert.ok(a.logs.some((l) => l === `gossip: peer c (127.0.0.1:${c.g.port}): removed`));

    // b moves (same id, another port): removed and added, dialled at its new address.
    const b2 = await node("b", []);
    assert.deepEqual(a.g.setPeers([b2.peer()]), { added: ["b"], removed: ["b"] });
    await waitFor("b's old inbound closed", () => b.g.stats().peersIn === 0);
    await waitFor("a → b2", () => b2.g.stats().peersIn === 1 && a.g.stats().peersOut === 1);
    a.g.send([tx(40)]);
    await waitFor("b2 got 40", () => from(b2, "a").length === 1);
    assert.deepEqual(from(b2, "a"), [40]);

    // A bad list changes nothing; a removed peer can be added again.
    assert.throws(() => a.g.setPeers([b2.peer(), { id: "a", host: "127.0.0.1", port: 1 }]), /own id/);
    assert.throws(() => a.g.setPeers([b2.peer(), b2.peer()]), /listed twice/);
    assert.throws(() => a.g.setPeers([{ id: "x", host: "127.0.0.1", port: 0 }]), /bad port/);
    assert.throws(() => a.g.setPeers([{ id: "x", host: "", port: 1 }]), /no host/);
    assert.deepEqual(
      a.g.peers().map((p) => p.id),
      ["b"],
    );
    assert.deepEqual(a.g.setPeers([b2.peer(), c.peer()]), { added: ["c"], removed: [] });
    await waitFor("a → c again", () => c.g.stats().peersIn === 1);
    a.g.send([tx(41)]);
    await waitFor("c got 41", () => from(c, "a").length === 20);
    assert.deepEqual(from(c, "a"), [...range(1, 20), 41]);
    assert.equal(a.g.stats().protocolErrors, 0);
    await Promise.all([a, b, b2, c, d].map((n) => n.g.close()));
    assert.deepEqual(a.g.setPeers([c.peer()]), { added: [], removed: [] }, "after close: nothing");
  });

  test("bad options are refused at start", async () => {
    const base = { id: "a", chainId: CHAIN, port: 0, peers: [], maxTxBytes: 10, onTxs: () => undefined };
    await assert.rejects(startTxGossip({ ...base, id: "" }), /node id/);
    await assert.rejects(startTxGossip({ ...base, chainId: "x".repeat(256) }), /chain id/);
    await assert.rejects(
      startTxGossip({ ...base, peers: [{ id: "a", host: "127.0.0.1", port: 1 }] }),
      /own id/,
    );
    await assert.rejects(startTxGossip({ ...base, maxTxBytes: 0 }), /maxTxBytes/);
    await assert.rejects(
      startTxGossip({ ...base, peers: [{ id: "b", host: "127.0.0.1", port: 70000 }] }),
      /bad port/,
    );
    const a = await node("a", []);
    await assert.rejects(startTxGossip({ ...base, port: a.g.port }), /EADDRINUSE/);
    await a.g.close();
  });

  test("close() leaves no socket, server, timer or immediate behind, mid-handshake and mid-redial; idempotent", async () => {
    const kinds = ["TCPSocketWrap", "TCPServerWrap", "Timeout", "Immediate"];
    const count = (): Record<string, number> => {
      const r: Record<string, number> = {};
      for (const k of kinds) r[k] = 0;
      for (const k of process.getActiveResourcesInfo()) if (k in r) r[k]!++;
      return r;
    };
    // A closed server's handle leaves libuv's list one loop turn after its 'close' event (emitted on nextTick):
    // let the earlier tests' handles go first, and this test's before the last count.
    const settle = (): Promise<unknown> => new Promise((r) => setTimeout(r, 20));
    await settle();
    const before = count();
    const b = await node("b", [], { handshakeTimeoutMs: 60_000 });
    const down = await freePort();
    const a = await node("a", [b.peer(), { id: "c", host: "127.0.0.1", port: down }], {
      handshakeTimeoutMs: 60_000,
      redialMinMs: 60_000,
      redialMaxMs: 60_000,
    });
    await waitFor("up", () => a.g.stats().peersOut === 1);
    const silent = net.connect({ port: b.g.port, host: "127.0.0.1" }); // b's handshake timer runs
    silent.on("error", () => undefined);
    silent.resume();
    await new Promise((r) => silent.on("connect", r));
    await waitFor("c refused once", () => a.logs.some((l) => l.includes("ECONNREFUSED")));
    a.g.send([tx(1)]); // an immediate is scheduled
    const during = count();
    assert.ok(during.TCPServerWrap! >= before.TCPServerWrap! + 2);
    assert.ok(during.Timeout! >= before.Timeout! + 2, "the redial and handshake timers are live");
    await Promise.all([a.g.close(), b.g.close(), a.g.close()]);
    await b.g.close();
    await new Promise((r) => silent.on("close", r));
    await settle();
    assert.deepEqual(count(), before);
  });

  test("a process that starts, uses and closes gossips exits by itself", async () => {
    const mod = new URL("./txGossip.ts", import.meta.url).href;
    const script = `
      import { startTxGossip } from ${JSON.stringify(mod)};
      const got = [];
      const base = { chainId: "c", maxTxBytes: 1000, handshakeTimeoutMs: 60000, redialMinMs: 60000, redialMaxMs: 60000 };
      const b = await startTxGossip({ ...base, id: "b", port: 0, peers: [], onTxs: (t) => got.push(...t) });
      const a = await startTxGossip({ ...base, id: "a", port: 0, onTxs: () => {},
        peers: [{ id: "b", host: "127.0.0.1", port: b.port }, { id: "c", host: "127.0.0.1", port: 1 }] });
      const silent = (await import("node:net")).connect({ port: b.port, host: "127.0.0.1" });
      silent.on("error", () => {}); silent.resume();
      while (got.length < 3) { a.send([new Uint8Array(430)]); await new Promise((r) => setTimeout(r, 5)); }
      a.send([new Uint8Array(1)]);
      await Promise.all([a.close(), b.close()]);
      console.log("closed");
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const [code, signal] = await new Promise<[number | null, string | null]>((r) =>
      child.on("exit", (c, s) => {
        r([c, s]);
      }),
    );
    clearTimeout(timer);
    assert.equal(signal, null, `the child did not exit by itself:\n${out}`);
    assert.equal(code, 0, out);
    assert.match(out, /closed/);
  });

  test("frames: any split of a stream of batches reassembles exactly (fast-check, seed 17)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 8 }), { maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (batches, cuts) => {
          const h = hello("x");
          const stream = Buffer.concat([
            h,
            ...batches.filter((b) => b.length > 0).map((b) => encodeTxFrames(b)),
          ]);
          const at = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((x, y) => x - y);
          // What the receiving side does: hello first (bytes gathered until whole), then frames.
          let pending = new Uint8Array(0);
          let helloDone = false;
          const reader = new FrameReader(maxFrameBody(1000), "tx gossip");
          const got: Uint8Array[][] = [];
          let prev = 0;
          for (const c of [...at, stream.length]) {
            let chunk: Uint8Array = stream.subarray(prev, c);
            prev = c;
            if (!helloDone) {
              pending = Buffer.concat([pending, chunk]);
              const r = parseHello(pending);
              if (r === undefined) continue;
              assert.notEqual(typeof r, "string");
              if (typeof r === "string") return;
              assert.equal(r.hello.id, "x");
              helloDone = true;
              chunk = pending.subarray(r.used);
            }
            for (const body of reader.push(chunk)) {
              const txs = decodeTxFrame(body, 1000);
              assert.ok(Array.isArray(txs));
              got.push(txs.map((t) => new Uint8Array(t)));
            }
          }
          assert.ok(helloDone);
          assert.deepEqual(
            got,
            batches.filter((b) => b.length > 0),
          );
          assert.equal(reader.buffered, 0);
        },
      ),
      { seed: 17, numRuns: 300 },
    );
  });

  test("frames: a seeded random chunking over a real socket gives the same batches", async () => {
    const next = mulberry32Uint32(2026);
    const b = await node("b", []);
    const batches: number[][] = [];
    let n = 0;
    for (let i = 0; i < 60; i++) batches.push(range(n, (n += 1 + (next() % 12))));
    const stream = Buffer.concat([hello("r"), ...batches.map((bt) => encodeTxFrames(bt.map((k) => tx(k))))]);
    const chunks: Uint8Array[] = [];
    for (let off = 0; off < stream.length;) {
      const len = 1 + (next() % 900);
      chunks.push(stream.subarray(off, off + len));
      off += len;
    }
    const client = net.connect({ port: b.g.port, host: "127.0.0.1" });
    client.setNoDelay(true);
    await new Promise((r) => client.on("connect", r));
    for (const c of chunks) {
      client.write(c);
      await new Promise((r) => setTimeout(r, next() % 3)); // chunks mostly arrive on their own
    }
    await waitFor("all batches", () => b.g.stats().receivedTxs === n);
    assert.deepEqual(
      b.batches.map((x) => x.nums),
      batches,
    );
    client.destroy();
    await b.g.close();
  });

  test("a batch over 1 MiB is split into several frames, sent in one write", () => {
    const big = Array.from({ length: 3000 }, (_, i) => tx(i, 700)); // ~2.1 MB
    const bytes = encodeTxFrames(big);
    const reader = new FrameReader(maxFrameBody(MAX_TX), "tx gossip");
    const bodies = reader.push(bytes);
    assert.equal(bodies.length, 3);
    assert.ok(bodies.every((body) => body.length <= 1 << 20));
    const back = bodies.flatMap((body) => decodeTxFrame(body, MAX_TX) as Uint8Array[]);
    assert.deepEqual(back.map(num), range(0, 3000));
    // One tx over 1 MiB goes alone in its own frame.
    const one = encodeTxFrames([tx(1, 10), tx(2, (1 << 20) + 10), tx(3, 10)]);
    assert.equal(new FrameReader(maxFrameBody((1 << 20) + 10)).push(one).length, 3);
  });
});
