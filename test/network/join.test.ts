// Joining a network by attestation (issue 6 §2), under real CometBFT v0.38. Node 0 is bootstrapped with the
// attest library in a home laid out as `shroud init` does (app mempool mode, its default since session 18) and runs
// as `shroud start` does (cli/node startNode). A new node runs the `shroud` CLI (init-enclave → keys add → tx
// register auth through node 0's LCD with the real secretjs → configure-secret → `shroud init --genesis <node 0's>
// --persistent-peers <node 0>`, app mode by default), then starts the same way (non-validator), block-syncs from
// height 1 and reaches node 0's app hash after encrypted contract executes: node 0's txs reach node 1's mempool,
// and node 1's own REST broadcast is committed by node 0, both only through the tx gossip peers each found in its
// CometBFT's net_info (no static gossip peers). Then both restart in comet mode (`start --mempool comet`) and a
// tx broadcast through node 1 is committed again. A tampered attestation is refused with `register 2`, its node
// gets no seed and `shroud start` refuses its home (laid out by `shroud init --mempool comet`).
// Skipped without cometbft.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SecretNetworkClient, Wallet } from "secretjs";
import { findCometbft } from "../../src/consensus/cometbft.js";
import { buildDevGenesis, DEV_MNEMONICS } from "../../src/cli/devGenesis.js";
import {
  genesisPath,
  initMempoolMode,
  initNodeHome,
  readGossipConfig,
  writeCometGenesis,
} from "../../src/cli/node/home.js";
import { startNode, type RunningNode } from "../../src/cli/node/start.js";
import { bootstrapEnclaveHome, readRegistrationGenesis } from "../../src/cli/attest/index.js";
import { freeNodePortBase } from "../util/net.js";

const CHAIN_ID = "shroud-join-1";
const GENESIS_TIME_NS = BigInt(Date.now()) * 1_000_000n; // quotes are dated by the wall clock: keep them fresh
const SHROUD = new URL("../../bin/shroud.js", import.meta.url).pathname;
// contracts/build/counter.wasm: provenance in contracts/testdata/README.md.
const COUNTER = new Uint8Array(readFileSync(new URL("../../contracts/build/counter.wasm", import.meta.url)));
const COUNTER_HASH = createHash("sha256").update(COUNTER).digest("hex");
const GAS = { gasLimit: 5_000_000, broadcastCheckIntervalMs: 200 };
// One block a second: both nodes share this process (and 2 loaded cores); at 200 ms a block the follower, once
// out of block sync, fell further behind every second (measured).
const TIMEOUTS = { timeout_propose: "1s", timeout_commit: "1s" };

const cometbft = findCometbft();

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the `shroud` CLI from source, asynchronously (this process serves the LCD it talks to). */
function shroud(args: string[], env: Record<string, string> = {}, stdin = ""): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [SHROUD, ...args],
      { env: { ...process.env, SHROUD_FROM_SOURCE: "1", ...env }, timeout: 90_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(stdin);
  });
}

const json = (r: CliRun): Record<string, unknown> => JSON.parse(r.stdout) as Record<string, unknown>;

type Rpc = (path: string) => Promise<any>;

interface NodeHandle {
  readonly node: RunningNode;
  readonly rest: string;
  readonly rpc: Rpc;
}

/** A free block of loopback ports: p2p = base, rpc = base + 1, abci = base + 2, and base + 5 (the tx gossip). */
async function ports(): Promise<{ p2p: number; rpc: number; abci: number }> {
  const base = await freeNodePortBase(1, 20_000, 32_000);
  return { p2p: base, rpc: base + 1, abci: base + 2 };
}

/**
 * Node 0's home as `shroud init` lays it out (cli/node initNodeHome + initMempoolMode: app mode, gossip.json with
 * no static peers), on loopback ports, one block a second.
 */
async function initHome(
  home: string,
  moniker: string,
): Promise<{ nodeId: string; validatorPubKey: Uint8Array; p2pPort: number }> {
  const p = await ports();
  const r = initNodeHome({
    binary: cometbft!,
    home,
    moniker,
    ports: p,
    loopback: true,
    timeouts: TIMEOUTS,
  });
  initMempoolMode(home, "app", p.p2p);
  return { ...r, p2pPort: p.p2p };
}

/** `shroud init <moniker> --genesis <node 0's genesis.json>` (a joining node's home), on free loopback ports. */
async function shroudInit(
  home: string,
  moniker: string,
  peers: string[] = [],
  extra: string[] = [],
): Promise<CliRun & { p2pPort: number }> {
  const p = await ports();
  const run = await shroud([
    "init",
    moniker,
    "--home",
    home,
    "--genesis",
    genesisPath(join(home, "..", "node0")),
    ...(peers.length > 0 ? ["--persistent-peers", peers.join(",")] : []),
    ...[
      "--rpc-port",
      String(p.rpc),
      "--p2p-port",
      String(p.p2p),
      "--abci-port",
      String(p.abci),
      "--loopback",
    ],
    ...extra,
  ]);
  return { ...run, p2pPort: p.p2p };
}

/** `shroud start`, in-process: ShroudApp over ABCI, CometBFT spawned, the LCD in CometBFT mode on a free port. */
async function start(home: string, mempool?: "comet"): Promise<NodeHandle> {
  const node = await startNode({
    home,
    binary: cometbft!,
    restPort: 0,
    log: () => undefined,
    ...(mempool === undefined ? {} : { mempool }),
  });
  assert.ok(node.restPort !== undefined);
  const rpc: Rpc = async (path) => (await fetch(`${node.cometRpcUrl}${path}`)).json();
  return { node, rest: `http://127.0.0.1:${String(node.restPort)}`, rpc };
}

async function status(n: NodeHandle): Promise<{ height: number; catchingUp: boolean }> {
  const s = await n.rpc("/status");
  return {
    height: Number(s.result.sync_info.latest_block_height),
    catchingUp: s.result.sync_info.catching_up as boolean,
  };
}

/** The app's own last committed height and app hash (ABCI Info through CometBFT's /abci_info). */
async function abciInfo(n: NodeHandle): Promise<{ height: number; appHash: string }> {
  const r = await n.rpc("/abci_info");
  const resp = r.result.response as { last_block_height: string; last_block_app_hash: string };
  return {
    height: Number(resp.last_block_height),
    appHash: Buffer.from(resp.last_block_app_hash, "base64").toString("hex").toUpperCase(),
  };
}

async function waitFor(
  what: string,
  timeoutMs: number,
  last: () => string,
  f: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await f()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen ${last()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * An encrypted `increment` of the counter at `contract`, signed by dev account d and broadcast through `rest`
 * (that node's REST): its client (for queries through the same node) and the committed tx.
 */
async function incrementThrough(rest: string, contract: string) {
  const wallet = new Wallet(DEV_MNEMONICS.d);
  const client = new SecretNetworkClient({
    url: rest,
    chainId: CHAIN_ID,
    wallet,
    walletAddress: wallet.address,
  });
  const tx = await client.tx.compute.executeContract(
    { sender: wallet.address, contract_address: contract, code_hash: COUNTER_HASH, msg: { increment: {} } },
    GAS,
  );
  return { client, tx };
}

/**
 * Node 1's own app (its enclave re-ran the txs) at a height past `height`, against node 0's app hash for that
 * height, which is in node 0's next header.
 */
async function sameAppHash(n0: NodeHandle, n1: NodeHandle, height: number): Promise<void> {
  await waitFor(
    "node 1 past the tx",
    60_000,
    () => "",
    async () => (await abciInfo(n1)).height > height,
  );
  const mine = await abciInfo(n1);
  await waitFor(
    "node 0's next block",
    30_000,
    () => "",
    async () => (await status(n0)).height > mine.height,
  );
  const next = await n0.rpc(`/block?height=${mine.height + 1}`);
  assert.equal(mine.appHash, next.result.block.header.app_hash, `app hash at height ${mine.height}`);
  assert.notEqual(mine.appHash, "");
}

describe(
  "joining a network by attestation (CometBFT)",
  { skip: cometbft ? false : "cometbft not installed" },
  () => {
    let dir: string;
    let node0: NodeHandle | undefined;
    let node1: NodeHandle | undefined;
    let peer0 = "";
    let regKey1 = "";
    /** What the app-mode test leaves for the comet-mode one. */
    let joined: { contract: string } | undefined;
    let client: SecretNetworkClient;
    const home0 = (): string => join(dir, "node0");
    const home1 = (): string => join(dir, "node1");
    const rest0 = (): string => node0?.rest ?? "";

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "shroud-join-"));
      // The genesis node: `shroud init-bootstrap` (this library) in a `shroud init`-style home; the register
      // section it writes is the genesis' app_state.register, node 0's CometBFT key the gentx validator.
      const h0 = await initHome(home0(), "node0");
      peer0 = `${h0.nodeId}@127.0.0.1:${h0.p2pPort}`;
      const boot = await bootstrapEnclaveHome(home0());
      const g = buildDevGenesis({
        genesisTimeNs: GENESIS_TIME_NS,
        chainId: CHAIN_ID,
        nodeExchKey: boot.keys.seedExchangePublicKey,
        ioExchKey: boot.keys.ioExchangePublicKey,
        authorityPublicKeys: [],
        measurements: [],
        validatorPubKey: h0.validatorPubKey,
      });
      writeCometGenesis(home0(), {
        ...g,
        app_state: { ...g.app_state, register: readRegistrationGenesis(home0()) },
      });
      node0 = await start(home0());
      const n0 = node0;
      await waitFor(
        "node 0's blocks",
        60_000,
        () => "",
        async () => (await status(n0)).height >= 2,
      );
      const wallet = new Wallet(DEV_MNEMONICS.a);
      client = new SecretNetworkClient({
        url: n0.rest,
        chainId: CHAIN_ID,
        wallet,
        walletAddress: wallet.address,
      });
    });

    after(async () => {
      await node1?.node.stop();
      await node0?.node.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test(
      "a tampered attestation is refused (register 2); its node gets no seed",
      { timeout: 120_000 },
      async () => {
        const home2 = join(dir, "node2");
        const init = await shroud(["init-enclave", "--home", home2, "--output", "json"]);
        assert.equal(init.code, 0, init.stderr);
        const regKey = String(json(init).registration_key);
        const file = join(home2, "attestation.bin");
        const quote = readFileSync(file);
        // Flip a bit of the quote signature: report_data (the registration key) stays intact.
        quote.writeUInt8(quote.readUInt8(quote.length - 1) ^ 0x01, quote.length - 1);
        writeFileSync(file, quote);
        const auth = await shroud(
          [
            "tx",
            "register",
            "auth",
            file,
            "--mnemonic-env",
            "JOIN_MNEMONIC",
            "--node",
            rest0(),
            "--chain-id",
            CHAIN_ID,
            "--yes",
          ],
          { JOIN_MNEMONIC: DEV_MNEMONICS.b },
        );
        assert.equal(auth.code, 1, auth.stdout + auth.stderr);
        assert.match(
          auth.stderr,
          /registration refused: register 2: .*attestation rejected \(bad_quote_signature\)/,
        );
        assert.match(auth.stderr, /Failed to authenticate node/);
        const seed = await fetch(`${rest0()}/registration/v1beta1/encrypted-seed/${regKey}`);
        assert.equal(seed.status, 404, "no seed stored for a refused node");
        const conf = await shroud(["configure-secret", "--home", home2, "--node", rest0()]);
        assert.equal(conf.code, 1);
        assert.match(conf.stderr, /no encrypted seed on chain for registration key/);
        // Its node home can still be laid out, but `shroud start` refuses an enclave without the seeds
        // (`--abci-only`: no CometBFT would be left behind if it did start).
        // Laid out in comet mode (`--mempool comet`): CometBFT's flood mempool, no gossip.json.
        const made = await shroudInit(home2, "node2", [], ["--mempool", "comet"]);
        assert.equal(made.code, 0, made.stderr);
        assert.match(made.stdout, /mempool: comet/);
        assert.equal(readGossipConfig(home2), undefined);
        const run = await shroud(["start", "--home", home2, "--abci-only"]);
        assert.equal(run.code, 1, run.stdout + run.stderr);
        assert.match(run.stderr, /enclave has no seeds: a joining node runs `shroud init-enclave`/);
        assert.match(run.stderr, /`shroud configure-secret` first/);
      },
    );

    test(
      "init-enclave → tx register auth → configure-secret: the enclave derives the chain's keys",
      { timeout: 120_000 },
      async () => {
        const init = await shroud(["init-enclave", "--home", home1(), "--output", "json"]);
        assert.equal(init.code, 0, init.stderr);
        const regKey = String(json(init).registration_key);
        regKey1 = regKey;
        // The fee payer signs from the client keyring (`keys add --recover` reads the mnemonic from stdin).
        const keyring = ["--home", join(dir, "client"), "--keyring-backend", "test"];
        const added = await shroud(
          ["keys", "add", "joiner", "--recover", ...keyring],
          {},
          DEV_MNEMONICS.c + "\n",
        );
        assert.equal(added.code, 0, added.stderr);
        const auth = await shroud([
          "tx",
          "register",
          "auth",
          String(json(init).attestation),
          "--from",
          "joiner",
          ...keyring,
          "--node",
          rest0(),
          "--gas",
          "auto",
          "--yes",
          "--output",
          "json",
        ]);
        assert.equal(auth.code, 0, auth.stdout + auth.stderr);
        const tx = json(auth);
        assert.equal(tx.code, 0);
        assert.equal(tx.nodeId, regKey);
        assert.equal(String(tx.encryptedSeed).length, 2 * 96, "two seeds, 48 bytes each (spec §3.3)");
        const conf = await shroud([
          "configure-secret",
          "--home",
          home1(),
          "--node",
          rest0(),
          "--output",
          "json",
        ]);
        assert.equal(conf.code, 0, conf.stderr);
        const keys = json(conf);
        assert.equal(keys.seed_count, 2);
        assert.equal(keys.matches_chain, true);
        const txKey = (await (await fetch(`${rest0()}/registration/v1beta1/tx-key`)).json()) as {
          key: string;
        };
        assert.equal(keys.io_exch_key, txKey.key);
        const again = await shroud(["configure-secret", "--home", home1(), "--node", rest0()]);
        assert.equal(again.code, 1, "a second configure-secret is refused");
        assert.match(again.stderr, /already holds consensus seeds/);
      },
    );

    test(
      "app mode: the joined node block-syncs, node 0's txs reach its mempool and its own broadcast is " +
        "committed, through the gossip peers found in CometBFT's net_info; same app hash",
      { timeout: 150_000 },
      async () => {
        assert.ok(node0 !== undefined);
        const n0 = node0;
        // The joined home becomes a node through the CLI: `shroud init --genesis … --persistent-peers …` (no
        // bootstrap: the enclave keeps its seeds; app mempool mode by default), then `shroud start` (which
        // refuses an enclave whose keys are not the genesis io_exch_key's).
        const made = await shroudInit(home1(), "node1", [peer0]);
        assert.equal(made.code, 0, made.stderr);
        assert.match(made.stdout, new RegExp(`to join ${CHAIN_ID}`));
        assert.match(made.stdout, /mempool: app/);
        assert.equal(
          readFileSync(genesisPath(home1()), "utf8"),
          readFileSync(genesisPath(home0()), "utf8"),
          "the network's genesis, byte for byte",
        );
        // Neither node lists a gossip peer: each must find the other through its CometBFT.
        for (const h of [home0(), home1()]) assert.deepEqual(readGossipConfig(h)?.peers, [], h);
        node1 = await start(home1());
        const n1 = node1;
        assert.equal(n1.node.gossipPort, made.p2pPort + 5, "the gossip on the p2p port + 5");
        let seen = "";
        await waitFor(
          "node 1 to catch up",
          60_000,
          () => seen,
          async () => {
            const [s0, s1] = await Promise.all([status(n0), status(n1)]);
            seen = JSON.stringify({ s0, s1 });
            return !s1.catchingUp && s1.height >= s0.height - 2 && s1.height > 0;
          },
        );
        // Discovery (polls every 2 s): each node dials the other at its p2p port + 5.
        const id1 = made.stdout.match(/node id ([0-9a-f]{40})/)?.[1] ?? "";
        await waitFor(
          "the gossip connections",
          30_000,
          () => JSON.stringify([n0.node.gossip?.stats(), n1.node.gossip?.stats()]),
          () =>
            Promise.resolve(n0.node.gossip?.stats().peersOut === 1 && n1.node.gossip?.stats().peersOut === 1),
        );
        assert.deepEqual(n0.node.gossip?.peers(), [{ id: id1, host: "127.0.0.1", port: made.p2pPort + 5 }]);
        assert.deepEqual(
          n1.node.gossip?.peers().map((p) => p.id),
          [peer0.slice(0, 40)],
        );

        const sender = client.address;
        const store = await client.tx.compute.storeCode(
          { sender, wasm_byte_code: COUNTER, source: "", builder: "" },
          GAS,
        );
        assert.equal(store.code, 0, store.rawLog);
        const codeId = store.arrayLog?.find((l) => l.key === "code_id")?.value ?? "";
        const inst = await client.tx.compute.instantiateContract(
          {
            sender,
            code_id: codeId,
            code_hash: COUNTER_HASH,
            label: "join-counter",
            init_msg: { count: 41 },
          },
          GAS,
        );
        assert.equal(inst.code, 0, inst.rawLog);
        const contract = inst.arrayLog?.find((l) => l.key === "contract_address")?.value ?? "";
        const exec = await client.tx.compute.executeContract(
          { sender, contract_address: contract, code_hash: COUNTER_HASH, msg: { increment: {} } },
          GAS,
        );
        assert.equal(exec.code, 0, exec.rawLog);
        assert.equal(exec.arrayLog?.find((l) => l.type === "wasm" && l.key === "count")?.value, "42");
        // Node 0's three txs went to node 1 over the gossip; the joined node took them into its mempool and saw
        // them leave it in the blocks it executed.
        const m1 = n1.node.mempool!.stats();
        assert.ok(n1.node.gossip.stats().receivedTxs >= 3, JSON.stringify(n1.node.gossip.stats()));
        assert.ok(m1.admittedPeer >= 1 && m1.committed >= 1, JSON.stringify(m1));

        // Node 1's own client: an encrypted execute through node 1's REST broadcast (its app mempool). Node 0,
        // the only validator, can only have it from node 1's gossip.
        const { client: client1, tx: own } = await incrementThrough(n1.rest, contract);
        assert.equal(own.code, 0, own.rawLog);
        assert.equal(own.arrayLog?.find((l) => l.type === "wasm" && l.key === "count")?.value, "43");
        assert.equal(n1.node.mempool!.stats().admittedLocal, 1);
        assert.ok(n0.node.mempool!.stats().admittedPeer >= 1, JSON.stringify(n0.node.mempool!.stats()));

        await sameAppHash(n0, n1, own.height);
        // Node 1's enclave decrypts the contract's state: a secretjs query through node 1's LCD.
        const q = { contract_address: contract, code_hash: COUNTER_HASH, query: { get_count: {} } };
        assert.deepEqual(await client1.query.compute.queryContract(q), { count: 43 });
        assert.deepEqual(await client.query.compute.queryContract(q), { count: 43 });
        // Node 1 re-ran its own registration while syncing: the same seeds under its key on both nodes.
        const path = `/registration/v1beta1/encrypted-seed/${regKey1}`;
        const seeds = await Promise.all([n0.rest, n1.rest].map(async (u) => (await fetch(u + path)).json()));
        assert.equal(typeof (seeds[0] as { encrypted_seed?: unknown }).encrypted_seed, "string");
        assert.deepEqual(seeds[1], seeds[0]);
        joined = { contract };
      },
    );

    test(
      "comet mode: both nodes restarted with --mempool comet; a tx broadcast through the joined node commits",
      { timeout: 120_000 },
      async () => {
        assert.ok(
          joined !== undefined && node0 !== undefined && node1 !== undefined,
          "the app-mode test ran",
        );
        const { contract } = joined;
        await node1.node.stop();
        await node0.node.stop();
        node1 = undefined;
        node0 = await start(home0(), "comet");
        node1 = await start(home1(), "comet");
        const [n0, n1] = [node0, node1];
        assert.equal(n1.node.mempool, undefined, "CometBFT keeps the mempool");
        await waitFor(
          "node 1 connected and caught up",
          60_000,
          () => "",
          async () => {
            const [s0, s1] = await Promise.all([status(n0), status(n1)]);
            const peers = (await n1.rpc("/net_info")).result.n_peers as string;
            return !s1.catchingUp && s1.height >= s0.height - 1 && peers === "1";
          },
        );
        // Through node 1's REST → its CometBFT's broadcast_tx_sync → CometBFT's mempool gossip → node 0.
        const { tx: exec } = await incrementThrough(n1.rest, contract);
        assert.equal(exec.code, 0, exec.rawLog);
        assert.equal(exec.arrayLog?.find((l) => l.type === "wasm" && l.key === "count")?.value, "44");
        await sameAppHash(n0, n1, exec.height);
      },
    );
  },
);
