// The app mode's gossip peer discovery: net_info → gossip peers on answers recorded from a real CometBFT v0.38.25
// (testdata/README.md), the address rules, the union with gossip.json's static peers, the drop-after-absence rule
// (fake clock), and one run against real tx gossips on loopback; gossip.json's `discover` and `shroud init`'s
// mempool setup (home.ts).
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTxGossip, type GossipPeer, type TxGossip } from "../../consensus/txGossip.js";
import {
  DISCOVERY_DROP_MS,
  GossipDiscovery,
  gossipPortForP2p,
  peerAddress,
  peersFromNetInfo,
  splitHostPort,
  unionPeers,
} from "./gossipPeers.js";
import { initMempoolMode, mempoolModeProblem, readGossipConfig, writeGossipConfig } from "./home.js";

const load = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./testdata/${name}`, import.meta.url), "utf8")) as unknown;
const NODE0 = load("netInfo.node0.json");
const NODE1 = load("netInfo.node1.json");
const NET = "test-chain-b296po";
const ID0 = "38fa331b938448fe44040fb15b45b52fdc96e38d";
const ID1 = "89cdfe978e1ceea2e5ecfd7cd340a2b610f50a90";
const ID2 = "0b1224e6627ebaf900bb61f84295bca684bb0379";
const hex40 = (c: string): string => c.repeat(40);

/** A net_info answer with these peers (the fields discovery reads, as CometBFT v0.38 names them). */
function netInfo(peers: { id: string; listen: string; ip?: string; network?: string }[]): unknown {
  return {
    jsonrpc: "2.0",
    id: -1,
    result: {
      listening: true,
      n_peers: String(peers.length),
      peers: peers.map((p) => ({
        node_info: { id: p.id, listen_addr: p.listen, network: p.network ?? NET },
        is_outbound: false,
        remote_ip: p.ip ?? "127.0.0.1",
      })),
    },
  };
}

describe("gossip peer discovery (CometBFT net_info)", () => {
  test("recorded net_info answers of a real CometBFT v0.38.25 map to gossip peers at p2p + 5", () => {
    // Node 0's view: node 1 listens on 0.0.0.0 (→ the IP CometBFT sees it at), node 2 advertises a hostname
    // (external_address "localhost:27320": not resolved, → its remote IP).
    assert.deepEqual(peersFromNetInfo(NODE0, { id: ID0, chainId: NET }), {
      peers: [
        { id: ID1, host: "127.0.0.1", port: 27315 },
        { id: ID2, host: "127.0.0.1", port: 27325 },
      ],
      skipped: [],
    });
    // Node 1's view: node 0 (an outbound peer) advertises tcp://127.0.0.1:27300.
    assert.deepEqual(peersFromNetInfo(NODE1, { id: ID1, chainId: NET }), {
      peers: [{ id: ID0, host: "127.0.0.1", port: 27305 }],
      skipped: [],
    });
    // Its own id is never a peer; another chain's node is skipped with the reason.
    assert.deepEqual(peersFromNetInfo(NODE0, { id: ID1, chainId: NET }).peers, [
      { id: ID2, host: "127.0.0.1", port: 27325 },
    ]);
    const other = peersFromNetInfo(NODE1, { id: ID1, chainId: "shroud-1" });
    assert.deepEqual(other.peers, []);
    assert.deepEqual(other.skipped, [`${ID0}: on network "${NET}"`]);
  });

  test("address rules: advertised IP, else remote IP; ports; bad entries skipped, never thrown", () => {
    const cases: [string, string, { host: string; port: number } | undefined][] = [
      ["tcp://10.0.0.5:26656", "10.0.0.5", { host: "10.0.0.5", port: 26656 }],
      ["tcp://10.0.0.5:26656", "192.168.1.9", { host: "10.0.0.5", port: 26656 }], // behind NAT: what it says
      ["tcp://0.0.0.0:26656", "10.1.1.1", { host: "10.1.1.1", port: 26656 }],
      ["node.example.org:26656", "1.2.3.4", { host: "1.2.3.4", port: 26656 }],
      ["tcp://127.0.0.1:26656", "10.0.0.7", { host: "10.0.0.7", port: 26656 }], // loopback seen from afar
      ["tcp://127.0.0.1:26656", "127.0.0.1", { host: "127.0.0.1", port: 26656 }],
      ["[::1]:26656", "::1", { host: "::1", port: 26656 }],
      ["tcp://[::]:26656", "fe80::1", { host: "fe80::1", port: 26656 }],
      ["tcp://0.0.0.0:26656", "", undefined], // no IP to use
      ["tcp://0.0.0.0:26656", "0.0.0.0", undefined],
      ["node.example.org:26656", "not-an-ip", undefined],
      ["tcp://10.0.0.5", "10.0.0.5", undefined], // no port
      ["tcp://10.0.0.5:0", "10.0.0.5", undefined],
      ["tcp://10.0.0.5:70000", "10.0.0.5", undefined],
      ["", "10.0.0.5", undefined],
    ];
    for (const [listen, ip, want] of cases)
      assert.deepEqual(peerAddress(listen, ip), want, `${listen} seen at ${ip}`);
    assert.deepEqual(splitHostPort("unix:///x:1"), undefined);
    assert.equal(gossipPortForP2p(26656), 26661);
    assert.equal(gossipPortForP2p(65530), 65535);
    assert.equal(gossipPortForP2p(65531), undefined);
    assert.equal(gossipPortForP2p(0), undefined);

    const got = peersFromNetInfo(
      {
        result: {
          peers: [
            null,
            7,
            { node_info: { id: "short", listen_addr: "tcp://1.2.3.4:1", network: NET } },
            { node_info: { id: hex40("a"), listen_addr: "tcp://0.0.0.0:26656", network: NET } }, // no remote_ip
            { node_info: { id: hex40("b"), listen_addr: "tcp://1.2.3.4:65531", network: NET } },
            { node_info: { id: hex40("c"), listen_addr: "tcp://1.2.3.4:26656", network: NET } },
            { node_info: { id: hex40("c"), listen_addr: "tcp://1.2.3.5:26656", network: NET } }, // twice: first kept
          ],
        },
      },
      { id: ID0, chainId: NET },
    );
    assert.deepEqual(got.peers, [{ id: hex40("c"), host: "1.2.3.4", port: 26661 }]);
    assert.deepEqual(got.skipped, [
      "a peer without a node id (null)",
      "a peer without a node id (null)",
      'a peer without a node id ("short")',
      `${hex40("a")}: no usable address (listen_addr "tcp://0.0.0.0:26656")`,
      `${hex40("b")}: p2p port 65531 + 5 is past 65535`,
    ]);
    for (const bad of [null, 1, "x", {}, { result: {} }, { result: { peers: {} } }, { error: { code: -1 } }])
      assert.throws(() => peersFromNetInfo(bad, { id: ID0, chainId: NET }), /not a net_info answer/);
    assert.deepEqual(peersFromNetInfo({ result: { peers: [] } }, { id: ID0, chainId: NET }).peers, []);
  });

  test("union: static peers first and they win for their id", () => {
    const s = [{ id: hex40("a"), host: "10.0.0.1", port: 9999 }];
    const d = [
      { id: hex40("b"), host: "10.0.0.2", port: 26661 },
      { id: hex40("a"), host: "10.0.0.1", port: 26661 },
    ];
    assert.deepEqual(unionPeers(s, d), [s[0], d[0]]);
    assert.deepEqual(unionPeers([], d), d);
  });

  test("a discovered peer leaves only after missing for dropAfterMs; failed polls change nothing", async () => {
    let now = 1_000_000;
    let answer: unknown = netInfo([
      { id: hex40("a"), listen: "tcp://127.0.0.1:26656" },
      { id: hex40("b"), listen: "tcp://127.0.0.1:26666" },
    ]);
    let fail = false;
    const calls: string[][] = [];
    const logs: string[] = [];
    const statics: GossipPeer[] = [{ id: hex40("s"), host: "10.9.9.9", port: 1234 }];
    const d = new GossipDiscovery({
      rpcUrl: "http://127.0.0.1:1",
      selfId: hex40("f"),
      chainId: NET,
      statics,
      setPeers: (peers) => {
        calls.push(peers.map((p) => `${p.id.slice(0, 1)}@${p.host}:${p.port}`));
        return { added: [], removed: [] };
      },
      log: (l) => logs.push(l),
      now: () => now,
      fetchNetInfo: () => (fail ? Promise.reject(new Error("ECONNREFUSED")) : Promise.resolve(answer)),
      dropAfterMs: 10_000,
    });
    assert.deepEqual(d.peers, statics, "before any poll: the static peers");
    await d.poll();
    assert.deepEqual(calls, [["s@10.9.9.9:1234", "a@127.0.0.1:26661", "b@127.0.0.1:26671"]]);
    await d.poll(); // the same answer: setPeers is not called again
    assert.equal(calls.length, 1);

    // b missing: kept until it has been missing for 10 s.
    answer = netInfo([{ id: hex40("a"), listen: "tcp://127.0.0.1:26656" }]);
    now += 2_000;
    await d.poll();
    now += 7_999; // b last seen 9.999 s ago
    await d.poll();
    assert.equal(calls.length, 1, "one missed poll (or several within dropAfterMs) keeps it");
    // CometBFT unreachable well past the bound: nothing changes while it is.
    fail = true;
    now += 60_000;
    await d.poll();
    assert.equal(calls.length, 1, "a failed poll drops nobody");
    fail = false;
    await d.poll(); // a's last seen 60 s ago too, but it is in this answer
    assert.deepEqual(calls[1], ["s@10.9.9.9:1234", "a@127.0.0.1:26661"]);
    // b comes back; a moves to another port; a static id discovered at another port stays static.
    answer = netInfo([
      { id: hex40("a"), listen: "tcp://127.0.0.1:30000" },
      { id: hex40("b"), listen: "tcp://127.0.0.1:26666" },
      { id: hex40("s"), listen: "tcp://10.9.9.9:26656", ip: "10.9.9.9" },
    ]);
    now += 1;
    await d.poll();
    assert.deepEqual(calls[2], ["s@10.9.9.9:1234", "a@127.0.0.1:30005", "b@127.0.0.1:26671"]);
    assert.equal(calls.length, 3);
    // A bad answer is logged once and changes nothing.
    answer = { error: { code: -32603 } };
    await d.poll();
    await d.poll();
    assert.equal(calls.length, 3);
    assert.equal(logs.filter((l) => l.includes("not a net_info answer")).length, 1);
    d.stop();
    assert.equal(DISCOVERY_DROP_MS, 30_000);
  });

  test("setPeers refusing a list is logged once; concurrent polls share one fetch", async () => {
    const logs: string[] = [];
    let fetches = 0;
    const d = new GossipDiscovery({
      rpcUrl: "http://127.0.0.1:1",
      selfId: hex40("f"),
      chainId: NET,
      statics: [],
      setPeers: () => {
        throw new Error("tx gossip: peer x listed twice");
      },
      log: (l) => logs.push(l),
      fetchNetInfo: async () => {
        fetches++;
        await new Promise((r) => setTimeout(r, 20));
        return netInfo([{ id: hex40("a"), listen: "tcp://127.0.0.1:26656" }]);
      },
    });
    await Promise.all([d.poll(), d.poll(), d.poll()]);
    assert.equal(fetches, 1);
    await d.poll();
    assert.deepEqual(logs, ["gossip discovery: peers refused: tx gossip: peer x listed twice"]);
    assert.deepEqual(d.peers, [], "the set it could not give is not taken as given");
  });

  test("with real tx gossips: a node CometBFT lists is dialled and gets txs; dropped, its connection closes", async () => {
    const gossips: TxGossip[] = [];
    after(() => Promise.all(gossips.map((g) => g.close())));
    const got: number[] = [];
    const idA = hex40("a");
    const idB = hex40("b");
    const b = await startTxGossip({
      id: idB,
      chainId: NET,
      port: 0,
      peers: [],
      maxTxBytes: 100,
      onTxs: (txs) => got.push(...txs.map((t) => t[0]!)),
    });
    gossips.push(b);
    const a = await startTxGossip({
      id: idA,
      chainId: NET,
      port: 0,
      peers: [],
      maxTxBytes: 100,
      onTxs: () => undefined,
      redialMinMs: 10,
    });
    gossips.push(a);
    let now = 0;
    // B's CometBFT "listens" at its gossip port − 5 (the convention).
    let answer = netInfo([{ id: idB, listen: `tcp://0.0.0.0:${b.port - 5}`, ip: "127.0.0.1" }]);
    const logs: string[] = [];
    const d = new GossipDiscovery({
      rpcUrl: "http://127.0.0.1:1",
      selfId: idA,
      chainId: NET,
      statics: [],
      setPeers: (p) => a.setPeers(p),
      log: (l) => logs.push(l),
      now: () => now,
      fetchNetInfo: () => Promise.resolve(answer),
      dropAfterMs: 1000,
    });
    await d.poll();
    const until = Date.now() + 5000;
    while (b.stats().peersIn === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    a.send([Uint8Array.of(7), Uint8Array.of(8)]);
    while (got.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(got, [7, 8]);
    assert.deepEqual(logs, [`gossip discovery: 1 peers (added ${idB}; removed none)`]);
    answer = netInfo([]);
    now = 999;
    await d.poll();
    assert.equal(a.stats().peersOut, 1);
    now = 1000;
    await d.poll();
    assert.deepEqual(a.peers(), []);
    while (b.stats().peersIn === 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    assert.equal(b.stats().peersIn, 0, "the dropped peer's connection is closed");
    d.stop();
  });
});

describe("gossip.json and `shroud init`'s mempool setup", () => {
  const dir = mkdtempSync(join(tmpdir(), "shroud-gossipcfg-"));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test("discover: default on, kept, false read back; malformed files refused with the file's name", () => {
    const home = join(dir, "h1");
    mkdirSync(home);
    assert.equal(readGossipConfig(home), undefined);
    const peer = { id: hex40("a"), host: "10.0.0.1", port: 26661 };
    writeGossipConfig(home, { port: 26661, peers: [peer] });
    assert.deepEqual(JSON.parse(readFileSync(join(home, "gossip.json"), "utf8")), {
      port: 26661,
      peers: [`${hex40("a")}@10.0.0.1:26661`],
      relay: true,
      discover: true,
    });
    assert.deepEqual(readGossipConfig(home), { port: 26661, peers: [peer], relay: true, discover: true });
    writeFileSync(join(home, "gossip.json"), JSON.stringify({ port: 1, peers: [], discover: false }));
    assert.equal(readGossipConfig(home)?.discover, false);
    writeFileSync(join(home, "gossip.json"), JSON.stringify({ port: 1, peers: [] }));
    assert.equal(readGossipConfig(home)?.discover, true, "absent = on (files written before session 18)");
    for (const bad of ["{", "null", '{"port":1,"peers":[],"discover":"no"}', '{"port":1,"peers":[3]}']) {
      writeFileSync(join(home, "gossip.json"), bad);
      assert.throws(() => readGossipConfig(home), /^Error: gossip\.json: /, bad);
    }
    writeFileSync(join(home, "gossip.json"), '{"port":1,"peers":["nope"]}');
    assert.throws(() => readGossipConfig(home), /gossip\.json: expected id@host:port/);
  });

  test("initMempoolMode: app writes nop + gossip.json at p2p + 5; comet writes flood; a bad port writes nothing", () => {
    const home = join(dir, "h2");
    mkdirSync(join(home, "comet", "config"), { recursive: true });
    const toml = join(home, "comet", "config", "config.toml");
    writeFileSync(toml, '[mempool]\ntype = "flood"\nsize = 5000\n');
    assert.match(mempoolModeProblem("app", 65531) ?? "", /--p2p-port must be in 1\.\.65530/);
    assert.equal(mempoolModeProblem("comet", 65531), undefined);
    assert.throws(() => {
      initMempoolMode(home, "app", 0);
    }, /p2p port \+ 5/);
    assert.match(readFileSync(toml, "utf8"), /type = "flood"/, "nothing written");
    initMempoolMode(home, "app", 26656);
    assert.match(readFileSync(toml, "utf8"), /type = "nop"/);
    assert.deepEqual(readGossipConfig(home), { port: 26661, peers: [], relay: true, discover: true });
    rmSync(join(home, "gossip.json"));
    initMempoolMode(home, "comet", 26656);
    assert.match(readFileSync(toml, "utf8"), /type = "flood"/);
    assert.equal(readGossipConfig(home), undefined);
  });
});
