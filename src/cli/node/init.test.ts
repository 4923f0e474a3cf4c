// `shroud init <moniker> --genesis <file>` through the real CLI: a bad genesis, peer list, mempool mode or a p2p
// port without room for the gossip port is refused before anything is written; with cometbft installed, a valid
// one gives a joining home (genesis byte for byte, peers, loopback settings, no enclave bootstrap, app mempool
// mode by default with gossip.json at p2p + 5, comet mode with --mempool comet) that a second init refuses.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDevGenesis } from "../devGenesis.js";
import { findCometbft } from "../../consensus/cometbft.js";
import { nodeIdOf } from "./home.js";

const SHROUD = new URL("../../../bin/shroud.js", import.meta.url).pathname;
const PEER = `${"ab".repeat(20)}@127.0.0.1:26656`;
const GENESIS = buildDevGenesis({
  chainId: "shroud-init-test-1",
  genesisTimeNs: 1_750_000_000_000_000_000n,
  nodeExchKey: new Uint8Array(32).fill(1),
  ioExchKey: new Uint8Array(32).fill(2),
  authorityPublicKeys: [],
  measurements: [],
});

interface Run {
  code: number;
  out: string;
  err: string;
}

function shroud(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SHROUD, ...args],
      { env: { ...process.env, SHROUD_FROM_SOURCE: "1" }, timeout: 60_000 },
      (e, out, err) => {
        resolve({ code: e === null ? 0 : typeof e.code === "number" ? e.code : 1, out, err });
      },
    );
  });
}

describe("shroud init --genesis (a joining node's home)", () => {
  const dir = mkdtempSync(join(tmpdir(), "shroud-init-"));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  test("refused before anything is written: not JSON, no register keys, bad app_state, bad peers", async () => {
    const { register: _dropped, ...noRegister } = GENESIS.app_state;
    const bank = { balances: [{ address: "x", coins: [] }] };
    const cases: [string, string[], RegExp][] = [
      [
        "h1",
        ["--genesis", file("a.json", "{not json")],
        /invalid genesis .*a\.json: genesis: not valid JSON/,
      ],
      [
        "h2",
        ["--genesis", file("b.json", JSON.stringify({ ...GENESIS, app_state: noRegister }))],
        /invalid genesis .*b\.json: .*io_exch_key/,
      ],
      [
        "h3",
        [
          "--genesis",
          file("c.json", JSON.stringify({ ...GENESIS, app_state: { ...GENESIS.app_state, bank } })),
        ],
        /invalid genesis .*c\.json: app_state\.bank: invalid bech32 address/,
      ],
      ["h4", ["--genesis", join(dir, "missing.json")], /cannot read genesis .*missing\.json/],
      [
        "h5",
        ["--genesis", file("d.json", JSON.stringify(GENESIS)), "--persistent-peers", "abc@127.0.0.1:1"],
        /expected id@host:port with a 40-hex node id, got "abc@127\.0\.0\.1:1"/,
      ],
      [
        "h6",
        ["--genesis", file("e.json", JSON.stringify(GENESIS)), "--p2p-port", "65531"],
        /the app mempool's tx gossip listens on the p2p port \+ 5: --p2p-port must be in 1\.\.65530/,
      ],
      [
        "h7",
        ["--genesis", file("f.json", JSON.stringify(GENESIS)), "--mempool", "flood"],
        /expected comet or app/,
      ],
    ];
    const runs = await Promise.all(
      cases.map(([home, args]) => shroud(["init", "joiner", "--home", join(dir, home), ...args])),
    );
    runs.forEach((r, i) => {
      const [home, , msg] = cases[i]!;
      assert.equal(r.code, 1, `${home}: ${r.out}${r.err}`);
      assert.match(r.err, msg, home);
      assert.equal(existsSync(join(dir, home)), false, `${home}: nothing created`);
    });
  });

  const cometbft = findCometbft();
  test(
    "a valid genesis: CometBFT home, the genesis byte for byte, peers, no bootstrap; a second init is refused",
    { skip: cometbft === undefined ? "cometbft not installed" : false },
    async () => {
      const text = JSON.stringify(GENESIS, null, 1) + "\n";
      const g = file("ok.json", text);
      const home = join(dir, "joiner");
      const r = await shroud(
        ["init", "joiner", "--home", home, "--genesis", g, "--persistent-peers", PEER].concat([
          "--rpc-port",
          "36657",
          "--p2p-port",
          "36656",
          "--abci-port",
          "36658",
          "--loopback",
        ]),
      );
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /initialised joiner \(node id [0-9a-f]{40}\) to join shroud-init-test-1/);
      assert.ok(r.out.includes(`node id ${nodeIdOf(home)})`), "nodeIdOf = cometbft show-node-id");
      assert.match(r.out, /init-enclave, tx register auth, configure-secret/);
      assert.equal(readFileSync(join(home, "comet", "config", "genesis.json"), "utf8"), text);
      const toml = readFileSync(join(home, "comet", "config", "config.toml"), "utf8");
      assert.match(toml, new RegExp(`persistent_peers = "${PEER}"`));
      assert.match(toml, /laddr = "tcp:\/\/127\.0\.0\.1:36656"/);
      assert.match(toml, /proxy_app = "tcp:\/\/127\.0\.0\.1:36658"/);
      assert.match(toml, /allow_duplicate_ip = true/);
      assert.match(toml, /flush_throttle_timeout = "10ms"/, "loopback: p2p flush at 10 ms, not 100");
      assert.deepEqual(readdirSync(join(home, "enclave")), [], "the enclave is not bootstrapped");
      assert.equal(existsSync(join(home, "state")), false);
      // App mempool mode by default: CometBFT's nop mempool, the gossip at p2p + 5, peers discovered.
      assert.match(toml, /^type = "nop"$/m);
      assert.deepEqual(JSON.parse(readFileSync(join(home, "gossip.json"), "utf8")), {
        port: 36661,
        peers: [],
        relay: true,
        discover: true,
      });
      assert.match(
        r.out,
        /mempool: app \(CometBFT mempool\.type = "nop"; tx gossip on port 36661 = p2p \+ 5/,
      );
      const comet = join(dir, "comet-joiner");
      const c = await shroud(["init", "c", "--home", comet, "--genesis", g, "--mempool", "comet"]);
      assert.equal(c.code, 0, c.err);
      assert.match(c.out, /mempool: comet \(CometBFT's flood mempool\)/);
      assert.match(readFileSync(join(comet, "comet", "config", "config.toml"), "utf8"), /^type = "flood"$/m);
      assert.equal(existsSync(join(comet, "gossip.json")), false);
      const again = await shroud(["init", "joiner", "--home", home, "--genesis", g]);
      assert.equal(again.code, 1);
      assert.match(again.err, /already holds a node/);
    },
  );

  test(
    "start in app mode: no gossip.json = p2p + 5; refused with create_empty_blocks off, nothing written; " +
      "flags kept in gossip.json and config.toml",
    { skip: cometbft === undefined ? "cometbft not installed" : false },
    async () => {
      const home = join(dir, "joiner"); // the previous test's home (its enclave has no seeds: start stops there)
      const config = join(home, "comet", "config", "config.toml");
      const type = (): string | undefined => /\btype = "(\w+)"/.exec(readFileSync(config, "utf8"))?.[1];
      assert.equal(type(), "nop", "init's default");
      // No gossip.json (a home from before session 18): the p2p port + 5, nothing written.
      rmSync(join(home, "gossip.json"));
      const noFile = await shroud(["start", "--home", home]);
      assert.equal(noFile.code, 1);
      assert.match(noFile.err, /enclave has no seeds/, "past the mode checks");
      assert.equal(existsSync(join(home, "gossip.json")), false);
      await shroud(["start", "--home", home, "--mempool", "comet"]);
      assert.equal(type(), "flood");
      const badPeer = await shroud(["start", "--home", home, "--mempool", "app", "--gossip-peers", "x@h:1"]);
      assert.equal(badPeer.code, 1);
      assert.match(badPeer.err, /expected id@host:port with a 40-hex node id/);
      const original = readFileSync(config, "utf8");
      writeFileSync(config, original.replace("create_empty_blocks = true", "create_empty_blocks = false"));
      const noEmpty = await shroud(["start", "--home", home, "--mempool", "app", "--gossip-port", "36659"]);
      assert.equal(noEmpty.code, 1);
      assert.match(noEmpty.err, /needs consensus\.create_empty_blocks = true/);
      assert.equal(type(), "flood", "nothing written");
      assert.equal(existsSync(join(home, "gossip.json")), false);
      writeFileSync(config, original);
      const ok = await shroud([
        "start",
        "--home",
        home,
        "--mempool",
        "app",
        "--gossip-port",
        "36659",
        "--gossip-peers",
        PEER,
      ]);
      assert.equal(ok.code, 1);
      assert.match(ok.err, /enclave has no seeds/, "past the mode checks");
      assert.equal(type(), "nop");
      assert.deepEqual(JSON.parse(readFileSync(join(home, "gossip.json"), "utf8")), {
        port: 36659,
        peers: [PEER],
        relay: true,
        discover: true,
      });
      // Without the flags the saved mode and port are read back (still refused at the seeds, after them).
      const again = await shroud(["start", "--home", home]);
      assert.match(again.err, /enclave has no seeds/);
      await shroud(["start", "--home", home, "--mempool", "comet"]);
      assert.equal(type(), "flood");
    },
  );
});
