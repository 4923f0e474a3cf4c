// `shroud init` and `shroud start`: a node's home folder and running it under CometBFT.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import {
  ABCI_TRANSPORTS,
  findCometbft,
  isAbciTransport,
  type AbciTransport,
} from "../../consensus/cometbft.js";
import { CliError, DEFAULT_QUERY_WORKERS } from "../common.js";
import { GOSSIP_PORT_OFFSET } from "./gossipPeers.js";

export function portArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError("expected a port in 0..65535");
  return n;
}

function queryWorkersArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 16) throw new InvalidArgumentError("expected a count in 0..16");
  return n;
}

/** CometBFT peer addresses `<40 hex node id>@<host>:<port>`, comma-separated (config.toml persistent_peers). */
export function peersArg(v: string): string[] {
  const peers = v
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  for (const p of peers) {
    const m = /^[0-9a-f]{40}@[^\s@,:]+:(\d{1,5})$/.exec(p);
    if (m === null || Number(m[1]) > 65535)
      throw new InvalidArgumentError(`expected id@host:port with a 40-hex node id, got ${JSON.stringify(p)}`);
  }
  return peers;
}

/** `--mempool comet|app`. */
export function mempoolModeArg(v: string): "comet" | "app" {
  if (v !== "comet" && v !== "app") throw new InvalidArgumentError("expected comet or app");
  return v;
}

/** `--gossip-peers id@host:port,…` (ids: the peers' CometBFT node ids). */
export function gossipPeersArg(v: string): { id: string; host: string; port: number }[] {
  return v
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "")
    .map((p) => {
      const m = /^([0-9a-f]{40})@([^\s@,:]+):(\d{1,5})$/.exec(p);
      if (m === null || Number(m[3]) > 65535)
        throw new InvalidArgumentError(
          `expected id@host:port with a 40-hex node id, got ${JSON.stringify(p)}`,
        );
      return { id: m[1]!, host: m[2]!, port: Number(m[3]) };
    });
}

/** `--abci socket|grpc`. */
export function abciTransportArg(v: string): AbciTransport {
  if (!isAbciTransport(v)) throw new InvalidArgumentError(`expected ${ABCI_TRANSPORTS.join(" or ")}`);
  return v;
}

interface InitFlags {
  home: string;
  chainId: string;
  rpcPort: number;
  p2pPort: number;
  abciPort: number;
  genesis?: string;
  persistentPeers?: string[];
  loopback: boolean;
  mempool: "comet" | "app";
}

/** `init`'s last output line: the mempool mode it wrote. */
function mempoolLine(f: InitFlags): string {
  return f.mempool === "app"
    ? `mempool: app (CometBFT mempool.type = "nop"; tx gossip on port ${f.p2pPort + GOSSIP_PORT_OFFSET} = p2p + ${GOSSIP_PORT_OFFSET}, peers from CometBFT's; gossip.json)\n`
    : `mempool: comet (CometBFT's flood mempool)\n`;
}

/**
 * A node joining a running network: the given genesis (checked first, so a bad file leaves no home behind),
 * CometBFT keys and config with the peers; no bootstrap. Its enclave gets the network's seeds through
 * init-enclave → tx register auth → configure-secret (cli/attest), before or after this command.
 */
async function initJoining(moniker: string, f: InitFlags & { genesis: string }): Promise<void> {
  const homes = await import("./home.js");
  let text: string;
  try {
    text = readFileSync(f.genesis, "utf8");
  } catch (e) {
    throw new CliError(`cannot read genesis ${f.genesis}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let chainId: string;
  try {
    chainId = homes.checkJoinGenesis(text).chain_id;
  } catch (e) {
    throw new CliError(`invalid genesis ${f.genesis}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const binary = findCometbft();
  if (binary === undefined)
    throw new CliError("cometbft not found: run scripts/setup-cometbft.sh or set COMETBFT_BIN");
  const home = homes.initNodeHome({
    binary,
    home: f.home,
    moniker,
    ports: { rpc: f.rpcPort, p2p: f.p2pPort, abci: f.abciPort },
    persistentPeers: f.persistentPeers ?? [],
    loopback: f.loopback,
  });
  homes.initMempoolMode(f.home, f.mempool, f.p2pPort);
  homes.installJoinGenesis(f.home, text);
  process.stdout.write(
    `initialised ${moniker} (node id ${home.nodeId}) to join ${chainId}; genesis ${homes.genesisPath(f.home)}\n` +
      "its enclave needs the network's seeds before `shroud start`: init-enclave, tx register auth, configure-secret\n" +
      mempoolLine(f),
  );
}

/** A one-validator chain: this node's CometBFT key is the genesis validator, its enclave the bootstrap one. */
// The node-side modules (enclave, app, store) load only when a node command runs: client commands start faster.
async function init(moniker: string, f: InitFlags): Promise<void> {
  const [{ devAuthorityPublicKey, EnclaveHost }, { buildDevGenesis }, homes] = await Promise.all([
    import("../../enclave/api.js"),
    import("../devGenesis.js"),
    import("./home.js"),
  ]);
  const { enclaveDir, genesisPath, initNodeHome, NODE_FILES, writeCometGenesis } = homes;
  if (existsSync(join(f.home, NODE_FILES.comet)) || existsSync(join(f.home, NODE_FILES.state)))
    throw new CliError(`${f.home} already holds a node`);
  const problem = homes.mempoolModeProblem(f.mempool, f.p2pPort);
  if (problem !== undefined) throw new CliError(problem);
  if (f.genesis !== undefined) {
    await initJoining(moniker, { ...f, genesis: f.genesis });
    return;
  }
  const binary = findCometbft();
  if (binary === undefined)
    throw new CliError("cometbft not found: run scripts/setup-cometbft.sh or set COMETBFT_BIN");
  const home = initNodeHome({
    binary,
    home: f.home,
    moniker,
    ports: { rpc: f.rpcPort, p2p: f.p2pPort, abci: f.abciPort },
    persistentPeers: f.persistentPeers ?? [],
    loopback: f.loopback,
  });
  homes.initMempoolMode(f.home, f.mempool, f.p2pPort);
  const enclave = await EnclaveHost.start({
    dataDir: enclaveDir(f.home),
    platformSecretPath: join(enclaveDir(f.home), NODE_FILES.platformSecret),
  });
  try {
    const keys = enclave.health().seedCount === 0 ? enclave.initBootstrap() : enclave.getNetworkPubkeys(0);
    const doc = buildDevGenesis({
      chainId: f.chainId,
      genesisTimeNs: BigInt(Date.now()) * 1_000_000n,
      nodeExchKey: keys.seedExchangePublicKey,
      ioExchKey: keys.ioExchangePublicKey,
      authorityPublicKeys: [devAuthorityPublicKey()],
      measurements: [enclave.getMeasurement()],
      validatorPubKey: home.validatorPubKey,
    });
    writeCometGenesis(f.home, doc);
  } finally {
    await enclave.stop();
  }
  process.stdout.write(
    `initialised ${moniker} (node id ${home.nodeId}); genesis ${genesisPath(f.home)}\n` + mempoolLine(f),
  );
}

interface StartFlags {
  home: string;
  abci?: AbciTransport;
  abciOnly: boolean;
  proxyApp?: string;
  cometRpc?: string;
  restPort?: number;
  host: string;
  queryWorkers: number;
  mempool?: "comet" | "app";
  gossipPort?: number;
  gossipPeers?: { id: string; host: string; port: number }[];
}

async function start(f: StartFlags): Promise<void> {
  const [{ genesisPath }, { startNode }] = await Promise.all([import("./home.js"), import("./start.js")]);
  if (!existsSync(genesisPath(f.home)))
    throw new CliError(`${f.home} is not a node home (no comet/config/genesis.json): run shroud init`);
  const binary = findCometbft();
  let node;
  try {
    node = await startNode({
      home: f.home,
      abciOnly: f.abciOnly,
      host: f.host,
      ...(binary === undefined ? {} : { binary }),
      ...(f.proxyApp === undefined ? {} : { proxyApp: f.proxyApp }),
      ...(f.abci === undefined ? {} : { abci: f.abci }),
      ...(f.cometRpc === undefined ? {} : { cometRpc: f.cometRpc }),
      ...(f.restPort === undefined ? {} : { restPort: f.restPort }),
      queryWorkers: f.queryWorkers,
      ...(f.mempool === undefined ? {} : { mempool: f.mempool }),
      ...(f.gossipPort === undefined ? {} : { gossipPort: f.gossipPort }),
      ...(f.gossipPeers === undefined ? {} : { gossipPeers: f.gossipPeers }),
    });
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  const onSignal = (): void => void node.stop();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const code = await node.done;
  process.exit(code);
}

export function registerNodeCommands(program: Command): void {
  program
    .command("init <moniker>")
    .description(
      "create a node home: CometBFT config and keys, a bootstrapped enclave, a one-validator genesis " +
        "(with --genesis: a node joining that network, no bootstrap)",
    )
    .requiredOption("--home <dir>", "node home folder")
    .option("--chain-id <id>", "chain id of a new chain (ignored with --genesis)", "shroud-1")
    .option("--genesis <file>", "join the network of this genesis.json instead of making a new chain")
    .option("--persistent-peers <peers>", "id@host:port,… CometBFT peers to keep connected", peersArg)
    .option("--loopback", "several nodes on one IP (addr_book_strict off, duplicate IPs allowed)", false)
    .option("--rpc-port <port>", "CometBFT RPC port", portArg, 26657)
    .option("--p2p-port <port>", "CometBFT p2p port", portArg, 26656)
    .option("--abci-port <port>", "ABCI socket port (app side)", portArg, 26658)
    .option(
      "--mempool <mode>",
      'who keeps the mempool: app (CometBFT mempool.type = "nop", the node\'s own with its tx gossip on the ' +
        "p2p port + 5, peers discovered from CometBFT's) or comet (CometBFT's flood mempool)",
      mempoolModeArg,
      "app",
    )
    .action(init);
  program
    .command("start")
    .description("run the node: the app on the ABCI socket, CometBFT spawned and supervised, REST server")
    .requiredOption("--home <dir>", "node home folder")
    .option("--abci-only", "do not spawn CometBFT; serve ABCI for one run elsewhere", false)
    .option(
      "--abci <transport>",
      "ABCI transport to CometBFT, socket or grpc (default: config.toml's abci; written there when given)",
      abciTransportArg,
    )
    .option("--proxy-app <addr>", "ABCI listen address, e.g. tcp://127.0.0.1:26658 (default: config.toml)")
    .option("--comet-rpc <url>", "CometBFT RPC for REST (default: config.toml rpc.laddr)")
    .option("--rest-port <port>", "REST (LCD) port (none when absent)", portArg)
    .option("--host <addr>", "REST listen address", "127.0.0.1")
    .option(
      "--query-workers <n>",
      "enclave workers serving smart queries in parallel (0: queries share the block enclave)",
      queryWorkersArg,
      DEFAULT_QUERY_WORKERS,
    )
    .option(
      "--mempool <mode>",
      "who keeps the mempool: comet (CometBFT's) or app (CometBFT mempool.type = \"nop\", this node's own, " +
        "with its tx gossip); default: config.toml's mempool.type; written there when given",
      mempoolModeArg,
    )
    .option(
      "--gossip-port <port>",
      "app mempool: tx gossip listen port (default: gossip.json's, else the p2p port + 5; kept in gossip.json)",
      portArg,
    )
    .option(
      "--gossip-peers <peers>",
      "app mempool: id@host:port,… static gossip peers to dial besides those discovered from CometBFT's peers " +
        "(their CometBFT node ids; kept in gossip.json)",
      gossipPeersArg,
    )
    .action(start);
}
