// Joining a network by attestation (issue 6 §2), under real CometBFT v0.38: node 0 is bootstrapped with the
// attest library; a new node runs the `shroud` CLI (init-enclave → tx register auth through node 0's LCD with the
// real secretjs → configure-secret), then its own ShroudApp + CometBFT (non-validator, persistent peer = node 0)
// block-syncs and reaches node 0's app hash after an encrypted contract execute. A tampered attestation is
// refused with `register 2` and its node gets no seed. Skipped without cometbft.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SecretNetworkClient, Wallet } from "secretjs";
import { ShroudApp } from "../../src/chain/app.js";
import { openStore, type Store } from "../../src/chain/store/store.js";
import { startAbciServer } from "../../src/consensus/abciServer.js";
import { findCometbft, setTomlValue, startCometNode, type CometNode } from "../../src/consensus/cometbft.js";
import type { DevEngine } from "../../src/consensus/dev.js";
import { createAppBackend } from "../../src/api/rest/appBackend.js";
import { cometRpcSource } from "../../src/api/rest/cometSource.js";
import { startRestServer, type RestServer } from "../../src/api/rest/server.js";
import type { EnclaveHost } from "../../src/enclave/api.js";
import { buildDevGenesis, DEV_MNEMONICS } from "../../src/cli/devGenesis.js";
import { bootstrapEnclaveHome, openEnclaveHome } from "../../src/cli/attest/index.js";
import { toHex } from "../../src/util/bytes.js";

const CHAIN_ID = "shroud-join-1";
const GENESIS_TIME_NS = BigInt(Date.now()) * 1_000_000n; // quotes are dated by the wall clock: keep them fresh
const SHROUD = new URL("../../bin/shroud.js", import.meta.url).pathname;
// contracts/build/counter.wasm: provenance in contracts/testdata/README.md.
const COUNTER = new Uint8Array(readFileSync(new URL("../../contracts/build/counter.wasm", import.meta.url)));
const COUNTER_HASH = createHash("sha256").update(COUNTER).digest("hex");
const GAS = { gasLimit: 5_000_000, broadcastCheckIntervalMs: 200 };
// One block a second: node 0 and the joining node share this process (and 2 loaded cores); at 200 ms a block
// the follower, once out of block sync, fell further behind every second (measured).
const CONSENSUS = { timeout_propose: '"1s"', timeout_commit: '"1s"' };

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => {
        resolve(typeof a === "object" && a ? a.port : 0);
      });
    });
  });
}

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

/**
 * An LCD over a ShroudApp driven by CometBFT: module queries from the app, blocks/txs/broadcast through the
 * CometBFT RPC. createAppBackend wants a DevEngine for block times and node facts; a stand-in with no blocks
 * answers those (query contexts get block time 0, which no query here reads).
 */
async function cometRest(app: ShroudApp, rpcUrl: string, rpcPort: number): Promise<RestServer> {
  const noEngine = {
    store: { getBlock: () => undefined, getTx: () => undefined, searchTxs: () => ({ total: 0, txs: [] }) },
    validatorPublicKey: new Uint8Array(32),
    appHash: new Uint8Array(32),
    height: 0n,
    validatorSet: [],
  } as unknown as DevEngine;
  const base = createAppBackend({ app, engine: noEngine, chainId: CHAIN_ID, host: "127.0.0.1", rpcPort });
  return startRestServer({ ...base, ...cometRpcSource(rpcUrl) }, "127.0.0.1", 0);
}

interface AppNode {
  enclave: EnclaveHost;
  store: Store;
  abci: { close(): Promise<void> };
  comet: CometNode;
  rest: RestServer;
  rpcPort: number;
  p2pPort: number;
}

/** `cometbft init` a home and set its p2p section (loopback peers need a lax address book). */
function prepareCometHome(binary: string, home: string, persistentPeers = ""): void {
  execFileSync(binary, ["init", "--home", home], { stdio: "ignore" });
  const path = join(home, "config", "config.toml");
  let cfg = readFileSync(path, "utf8");
  cfg = setTomlValue(cfg, "p2p", "addr_book_strict", "false");
  cfg = setTomlValue(cfg, "p2p", "allow_duplicate_ip", "true");
  cfg = setTomlValue(cfg, "p2p", "persistent_peers", JSON.stringify(persistentPeers));
  writeFileSync(path, cfg);
}

async function startAppNode(
  binary: string,
  home: string,
  patchGenesis?: (g: Record<string, unknown>) => Record<string, unknown>,
): Promise<AppNode> {
  const enclave = await openEnclaveHome(home);
  const store = openStore(join(home, "state"), { memDepth: 4 });
  const app = new ShroudApp({ store, enclave });
  const abci = await startAbciServer(app, "tcp://127.0.0.1:0");
  assert.ok(abci.port !== undefined, "ABCI server port");
  const rpcPort = await freePort();
  const p2pPort = await freePort();
  const comet = startCometNode({
    binary,
    home: join(home, "comet"),
    proxyApp: `tcp://127.0.0.1:${String(abci.port)}`,
    rpcPort,
    p2pPort,
    consensus: CONSENSUS,
    ...(patchGenesis === undefined ? {} : { patchGenesis }),
  });
  const rest = await cometRest(app, comet.rpcUrl, rpcPort);
  return { enclave, store, abci, comet, rest, rpcPort, p2pPort };
}

async function stopAppNode(n: AppNode | undefined): Promise<void> {
  if (n === undefined) return;
  await n.rest.close();
  await n.comet.stop();
  await n.abci.close();
  n.store.close();
  await n.enclave.stop();
}

type Rpc = (path: string) => Promise<any>;

async function status(n: AppNode): Promise<{ height: number; catchingUp: boolean }> {
  const s = await (n.comet.rpcGet as Rpc)("/status");
  return {
    height: Number(s.result.sync_info.latest_block_height),
    catchingUp: s.result.sync_info.catching_up as boolean,
  };
}

/** The app's own last committed height and app hash (ABCI Info through CometBFT's /abci_info). */
async function abciInfo(n: AppNode): Promise<{ height: number; appHash: string }> {
  const r = await (n.comet.rpcGet as Rpc)("/abci_info");
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

const cometbft = findCometbft();

describe(
  "joining a network by attestation (CometBFT)",
  { skip: cometbft ? false : "cometbft not installed" },
  () => {
    let dir: string;
    let node0: AppNode | undefined;
    let node1: AppNode | undefined;
    let rest0 = "";
    let client: SecretNetworkClient;
    const home1 = (): string => join(dir, "node1");

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "shroud-join-"));
      const home0 = join(dir, "node0");
      // The genesis node, as `shroud init-bootstrap` makes it; its register section goes into the genesis.
      const boot = await bootstrapEnclaveHome(home0);
      const g = buildDevGenesis({
        genesisTimeNs: GENESIS_TIME_NS,
        chainId: CHAIN_ID,
        nodeExchKey: boot.keys.seedExchangePublicKey,
        ioExchKey: boot.keys.ioExchangePublicKey,
        authorityPublicKeys: [],
        measurements: [],
      });
      const appState = { ...g.app_state, register: JSON.parse(readFileSync(boot.path, "utf8")) as unknown };
      prepareCometHome(cometbft!, join(home0, "comet"));
      node0 = await startAppNode(cometbft!, home0, (cg) => ({
        ...cg,
        chain_id: CHAIN_ID,
        app_state: appState,
      }));
      rest0 = `http://127.0.0.1:${node0.rest.port}`;
      assert.ok((await node0.comet.waitForHeight(2, 60_000)) >= 2, "node 0 produces blocks");
      const wallet = new Wallet(DEV_MNEMONICS.a);
      client = new SecretNetworkClient({
        url: rest0,
        chainId: CHAIN_ID,
        wallet,
        walletAddress: wallet.address,
      });
    });

    after(async () => {
      await stopAppNode(node1);
      await stopAppNode(node0);
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
        quote.writeUInt8(quote.readUInt8(quote.length - 1) ^ 0x01, quote.length - 1); // the quote signature: report_data (the registration key) stays intact
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
            rest0,
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
        const seed = await fetch(`${rest0}/registration/v1beta1/encrypted-seed/${regKey}`);
        assert.equal(seed.status, 404, "no seed stored for a refused node");
        const conf = await shroud(["configure-secret", "--home", home2, "--node", rest0]);
        assert.equal(conf.code, 1);
        assert.match(conf.stderr, /no encrypted seed on chain for registration key/);
      },
    );

    test(
      "init-enclave → tx register auth → configure-secret: the enclave derives the chain's keys",
      {
        timeout: 120_000,
      },
      async () => {
        const init = await shroud(["init-enclave", "--home", home1(), "--output", "json"]);
        assert.equal(init.code, 0, init.stderr);
        const regKey = String(json(init).registration_key);
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
          rest0,
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
          rest0,
          "--output",
          "json",
        ]);
        assert.equal(conf.code, 0, conf.stderr);
        const keys = json(conf);
        assert.equal(keys.seed_count, 2);
        assert.equal(keys.matches_chain, true);
        const txKey = (await (await fetch(`${rest0}/registration/v1beta1/tx-key`)).json()) as { key: string };
        assert.equal(keys.io_exch_key, txKey.key);
        const again = await shroud(["configure-secret", "--home", home1(), "--node", rest0]);
        assert.equal(again.code, 1, "a second configure-secret is refused");
        assert.match(again.stderr, /already holds consensus seeds/);
      },
    );

    test(
      "the joined node block-syncs and matches node 0's app hash after an encrypted execute",
      {
        timeout: 150_000,
      },
      async () => {
        assert.ok(node0 !== undefined);
        const id0 = execFileSync(cometbft!, ["show-node-id", "--home", join(dir, "node0", "comet")], {
          encoding: "utf8",
        }).trim();
        prepareCometHome(cometbft!, join(home1(), "comet"), `${id0}@127.0.0.1:${node0.p2pPort}`);
        copyFileSync(
          join(dir, "node0", "comet", "config", "genesis.json"),
          join(home1(), "comet", "config", "genesis.json"),
        );
        node1 = await startAppNode(cometbft!, home1());
        const n1 = node1;
        let seen = "";
        await waitFor(
          "node 1 to catch up",
          60_000,
          () => seen,
          async () => {
            const [s0, s1] = await Promise.all([status(node0!), status(n1)]);
            const peers = await (n1.comet.rpcGet as Rpc)("/net_info");
            const info = await abciInfo(n1);
            seen = JSON.stringify({ s0, s1, peers: peers.result.n_peers, info });
            return !s1.catchingUp && s1.height >= s0.height - 2 && s1.height > 0;
          },
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

        // Node 1's own app (its enclave re-ran the execute) at a height past the execute, against node 0's app hash
        // for that height, which is in node 0's next header.
        await waitFor(
          "node 1 past the execute",
          60_000,
          () => "",
          async () => (await abciInfo(n1)).height > exec.height,
        );
        const mine = await abciInfo(n1);
        await waitFor(
          "node 0's next block",
          30_000,
          () => "",
          async () => (await status(node0!)).height > mine.height,
        );
        const next = await (node0.comet.rpcGet as Rpc)(`/block?height=${mine.height + 1}`);
        assert.equal(mine.appHash, next.result.block.header.app_hash, `app hash at height ${mine.height}`);
        assert.notEqual(mine.appHash, "");

        // Node 1's enclave decrypts the contract's state: a secretjs query through node 1's LCD.
        const wallet1 = new Wallet(DEV_MNEMONICS.d);
        const client1 = new SecretNetworkClient({
          url: `http://127.0.0.1:${n1.rest.port}`,
          chainId: CHAIN_ID,
          wallet: wallet1,
          walletAddress: wallet1.address,
        });
        const q = { contract_address: contract, code_hash: COUNTER_HASH, query: { get_count: {} } };
        assert.deepEqual(await client1.query.compute.queryContract(q), { count: 42 });
        assert.deepEqual(await client.query.compute.queryContract(q), { count: 42 });
        // Node 1 re-ran its own registration while syncing: same seeds stored under its key on both nodes.
        const seedPath = `/registration/v1beta1/encrypted-seed/${toHex(n1.enclave.generateRegistrationKey())}`;
        const seeds = await Promise.all(
          [rest0, `http://127.0.0.1:${n1.rest.port}`].map(async (u) =>
            (await fetch(`${u}${seedPath}`)).json(),
          ),
        );
        assert.deepEqual(seeds[1], seeds[0]);
        assert.equal(
          toHex(n1.enclave.getNetworkPubkeys(1).ioExchangePublicKey),
          toHex(node0.enclave.getNetworkPubkeys(1).ioExchangePublicKey),
        );
      },
    );
  },
);
