// `shroud start`: opens the node's store and enclave, serves the ShroudApp on the ABCI socket, runs the REST
// server in CometBFT mode and spawns + supervises `cometbft node` (or attaches to one run elsewhere).
// Supervision: CometBFT exiting on its own stops the node with exit code 1; the app halting (an exception on
// the ABCI socket = a broken invariant) stops CometBFT and exits 2; stop() (Ctrl-C) stops everything, code 0.
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EnclaveHost } from "../../enclave/api.js";
import { DEFAULT_QUERY_WORKERS } from "../common.js";
import { ShroudApp } from "../../chain/app.js";
import { openStore, type Store } from "../../chain/store/store.js";
import { SerialQueue, startAbciServer } from "../../consensus/abciServer.js";
import { processAbciCpuMeter } from "../../consensus/abciCpu.js";
import {
  AppMempool,
  COMET_MEMPOOL_DEFAULTS,
  withAppMempool,
  type AppMempoolLimits,
} from "../../consensus/appMempool.js";
import { startTxGossip, type TxGossip } from "../../consensus/txGossip.js";
import { GossipDiscovery, gossipPortForP2p } from "./gossipPeers.js";
import { startAbciGrpcServer } from "../../consensus/grpcServer.js";
import {
  cometProxyAddress,
  cometValidatorKey,
  editCometConfig,
  getTomlValue,
  isAbciTransport,
  type AbciTransport,
} from "../../consensus/cometbft.js";
import type { RestServer } from "../../api/rest/server.js";
import { CommitWaiters, goDurationMs, startRpcFront, type RpcFront } from "../../api/rpc/front.js";
import {
  abciConfigEdits,
  assertEnclaveMatchesGenesis,
  cometHome,
  enclaveDir,
  NODE_FILES,
  nodeIdOf,
  readGossipConfig,
  readNodeGenesis,
  writeGossipConfig,
  type GossipConfig,
  type MempoolMode,
} from "./home.js";
import { BlockLedger, recordingApp, startCometRest } from "./rest.js";

export interface StartOptions {
  readonly home: string;
  /** cometbft binary; required unless abciOnly. */
  readonly binary?: string;
  /** Serve ABCI only: CometBFT is run by someone else (at `proxyApp`, default config.toml's proxy_app). */
  readonly abciOnly?: boolean;
  /** Where to listen for CometBFT, e.g. tcp://127.0.0.1:26658 (default: config.toml's proxy_app). */
  readonly proxyApp?: string;
  /**
   * ABCI transport (default: config.toml's `abci`, else socket). Given and different from the config's, it is
   * written there (with proxy_app in the form CometBFT's client for it dials), so CometBFT run from this home
   * elsewhere agrees.
   */
  readonly abci?: AbciTransport;
  /**
   * CometBFT's RPC, which the REST server reads from (default: config.toml's rpc.laddr). App-mempool mode (the
   * node serves rpc.laddr through its RPC front): where the spawned CometBFT's RPC listens, default
   * http://127.0.0.1:<rpc.laddr's port + INNER_RPC_OFFSET>.
   */
  readonly cometRpc?: string;
  /** REST (LCD) port; undefined = no REST server. */
  readonly restPort?: number;
  readonly host?: string;
  /** Enclave workers for smart queries (src/enclave/lanes.ts; default DEFAULT_QUERY_WORKERS). */
  readonly queryWorkers?: number;
  /**
   * Who keeps the mempool (default: config.toml's `mempool.type`, "nop" = app, else comet). "app": CometBFT runs
   * `mempool.type = "nop"` and this node's AppMempool (src/consensus/appMempool.ts) takes the REST broadcasts and
   * its peers' txs over the tx gossip (txGossip.ts). Given, it is written into config.toml.
   */
  readonly mempool?: MempoolMode;
  /**
   * App mode: the tx gossip's listen port (default: gossip.json's, else the p2p port + 5, the convention peers
   * discover it by); written to gossip.json when given.
   */
  readonly gossipPort?: number;
  /**
   * App mode: static peers the gossip dials (default: gossip.json's, else none); written to gossip.json when
   * given. Unless gossip.json says `discover: false`, the peers CometBFT is connected to are dialled too.
   */
  readonly gossipPeers?: GossipConfig["peers"];
  readonly log?: (line: string) => void;
}

export { MEMPOOL_MODES, type MempoolMode } from "./home.js";

export interface RunningNode {
  readonly app: ShroudApp;
  /** App-mempool mode: the mempool, the tx gossip and its port. */
  readonly mempool: AppMempool | undefined;
  readonly gossip: TxGossip | undefined;
  readonly gossipPort: number | undefined;
  readonly restPort: number | undefined;
  readonly abciPort: number | undefined;
  /** CometBFT's own RPC (app-mempool mode: its inner address, behind the node's RPC front). */
  readonly cometRpcUrl: string;
  /** The node's public RPC (config.toml's rpc.laddr): the front in app-mempool mode, else CometBFT's. */
  readonly rpcUrl: string;
  /** Resolves with the process exit code once the node has stopped (for any reason). */
  readonly done: Promise<number>;
  stop(): Promise<void>;
}

function cometConfig(home: string): {
  abci: AbciTransport;
  proxyApp: string;
  rpcLaddr: string;
  p2pLaddr: string;
  rpc: {
    timeoutBroadcastTxCommitMs: number;
    maxBodyBytes: number;
    maxBatchSize: number;
    maxSubscriptionClients: number;
  };
  moniker: string;
  mempool: MempoolMode;
  createEmptyBlocks: boolean;
  limits: AppMempoolLimits;
} {
  const toml = readFileSync(join(cometHome(home), "config", "config.toml"), "utf8");
  const abci = getTomlValue(toml, "", "abci") ?? "socket";
  if (!isAbciTransport(abci)) throw new Error(`config.toml: abci = "${abci}" is not socket or grpc`);
  return {
    abci,
    proxyApp: getTomlValue(toml, "", "proxy_app") ?? "tcp://127.0.0.1:26658",
    rpcLaddr: getTomlValue(toml, "rpc", "laddr") ?? "tcp://127.0.0.1:26657",
    p2pLaddr: getTomlValue(toml, "p2p", "laddr") ?? "tcp://0.0.0.0:26656",
    moniker: getTomlValue(toml, "", "moniker") ?? "",
    mempool: getTomlValue(toml, "mempool", "type") === "nop" ? "app" : "comet",
    createEmptyBlocks: getTomlValue(toml, "consensus", "create_empty_blocks") !== "false",
    limits: mempoolLimits(toml),
    rpc: rpcLimits(toml),
  };
}

/** config.toml `[rpc]` settings the RPC front applies (CometBFT's defaults where absent or unreadable). */
function rpcLimits(toml: string): ReturnType<typeof cometConfig>["rpc"] {
  const num = (key: string, dflt: number): number => {
    const v = Number(getTomlValue(toml, "rpc", key));
    return Number.isSafeInteger(v) && v >= 0 ? v : dflt;
  };
  return {
    timeoutBroadcastTxCommitMs:
      goDurationMs(getTomlValue(toml, "rpc", "timeout_broadcast_tx_commit") ?? "") ?? 10_000,
    maxBodyBytes: num("max_body_bytes", 1_000_000),
    maxBatchSize: num("max_request_batch_size", 10),
    maxSubscriptionClients: num("max_subscription_clients", 100),
  };
}

/**
 * App-mempool mode: the spawned CometBFT's RPC listens on 127.0.0.1 at rpc.laddr's port + this (the node's RPC
 * front serves rpc.laddr). Localnet ports are base + 10·i + {0 p2p, 1 rpc, 2 abci, 3 rest, 4 pprof, 5 gossip},
 * so this is base + 10·i + 6, inside the node's own block of ten; `shroud init`'s 26657 gives 26662.
 */
export const INNER_RPC_OFFSET = 5;

/** The port of a `tcp://host:port` listen address. */
function portOf(laddr: string): number {
  return Number(laddr.slice(laddr.lastIndexOf(":") + 1));
}

/** config.toml `[mempool]` limits (CometBFT's defaults where absent or unreadable). */
function mempoolLimits(toml: string): AppMempoolLimits {
  const num = (key: string, dflt: number): number => {
    const v = Number(getTomlValue(toml, "mempool", key));
    return Number.isSafeInteger(v) && v >= 0 ? v : dflt;
  };
  const d = COMET_MEMPOOL_DEFAULTS;
  return {
    size: num("size", d.size),
    maxTxsBytes: num("max_txs_bytes", d.maxTxsBytes),
    maxTxBytes: num("max_tx_bytes", d.maxTxBytes),
    cacheSize: num("cache_size", d.cacheSize),
  };
}

/** The host of a `tcp://host:port` listen address (the gossip listens beside CometBFT's p2p). */
function hostOf(laddr: string): string {
  const hp = laddr.replace(/^tcp:\/\//, "");
  return hp.slice(0, hp.lastIndexOf(":")) || "127.0.0.1";
}

/** tcp://0.0.0.0:26657 → http://127.0.0.1:26657 (we dial it locally). */
export function rpcUrlOf(laddr: string): string {
  return laddr.replace(/^tcp:\/\//, "http://").replace("0.0.0.0", "127.0.0.1");
}

function spawnComet(
  binary: string,
  home: string,
  proxyApp: string,
  abci: AbciTransport,
  rpcLaddr?: string,
): ChildProcess {
  const logFd = openSync(join(home, NODE_FILES.logs, NODE_FILES.cometLog), "a");
  const args = ["node", "--home", cometHome(home), `--proxy_app=${cometProxyAddress(abci, proxyApp)}`];
  if (rpcLaddr !== undefined) args.push(`--rpc.laddr=${rpcLaddr}`);
  try {
    return spawn(binary, [...args, `--abci=${abci}`], {
      stdio: ["ignore", logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
}

interface Parts {
  enclave?: EnclaveHost;
  store?: Store;
  abci?: { close(): Promise<void> };
  gossip?: TxGossip;
  discovery?: GossipDiscovery;
  rest?: RestServer;
  front?: RpcFront;
  comet?: ChildProcess;
}

async function stopComet(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => {
      resolve();
    });
  });
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

async function closeParts(p: Parts, home: string): Promise<void> {
  await stopComet(p.comet);
  rmSync(join(home, NODE_FILES.cometPid), { force: true });
  await p.rest?.close();
  await p.front?.close();
  p.discovery?.stop();
  await p.gossip?.close();
  await p.abci?.close();
  p.store?.close();
  await p.enclave?.stop();
}

export async function startNode(o: StartOptions): Promise<RunningNode> {
  const log = o.log ?? ((l: string) => void process.stdout.write(l + "\n"));
  let cfg = cometConfig(o.home);
  if (o.abci !== undefined && o.abci !== cfg.abci) {
    editCometConfig(cometHome(o.home), abciConfigEdits(o.abci, cfg.proxyApp));
    cfg = cometConfig(o.home);
  }
  // Checked before anything is written: a refused start leaves config.toml and gossip.json as they were.
  const mode = o.mempool ?? cfg.mempool;
  const appMempool = mode === "app";
  let gossipCfg: GossipConfig | undefined;
  if (appMempool) {
    // CometBFT refuses a nop mempool without empty blocks (config.go ValidateBasic): say so before it does.
    if (!cfg.createEmptyBlocks)
      throw new Error('the app mempool (mempool.type = "nop") needs consensus.create_empty_blocks = true');
    const saved = readGossipConfig(o.home);
    // No gossip.json (e.g. a home made before session 18): the convention, p2p port + 5, discovery on.
    const port = o.gossipPort ?? saved?.port ?? gossipPortForP2p(portOf(cfg.p2pLaddr));
    if (port === undefined)
      throw new Error(
        `the app mempool needs a tx gossip port: p2p.laddr ${cfg.p2pLaddr}'s port + 5 is none; --gossip-port <p> (kept in gossip.json)`,
      );
    gossipCfg = {
      port,
      peers: o.gossipPeers ?? saved?.peers ?? [],
      relay: saved?.relay ?? true,
      discover: saved?.discover ?? true,
    };
    if (o.gossipPort !== undefined || o.gossipPeers !== undefined) writeGossipConfig(o.home, gossipCfg);
  }
  if (mode !== cfg.mempool) {
    editCometConfig(cometHome(o.home), { "mempool.type": JSON.stringify(appMempool ? "nop" : "flood") });
    cfg = cometConfig(o.home);
  }
  const transport = cfg.abci;
  const proxyApp = o.proxyApp ?? cfg.proxyApp;
  // App mode with a CometBFT of ours: the node's RPC front serves rpc.laddr, CometBFT's RPC moves inside.
  const front = appMempool && o.abciOnly !== true;
  const publicRpcUrl = rpcUrlOf(cfg.rpcLaddr);
  const cometRpcUrl =
    o.cometRpc ?? (front ? `http://127.0.0.1:${portOf(cfg.rpcLaddr) + INNER_RPC_OFFSET}` : publicRpcUrl);
  if (o.abciOnly !== true && o.binary === undefined) {
    throw new Error(
      "cometbft not found: run scripts/setup-cometbft.sh or set COMETBFT_BIN (or use --abci-only)",
    );
  }
  const genesis = readNodeGenesis(o.home);
  const parts: Parts = {};
  let finish: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (finish = resolve));
  let stopping = false;
  const shutdown = async (code: number, why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log(why);
    await closeParts(parts, o.home);
    finish(code);
  };
  try {
    parts.enclave = await EnclaveHost.start({
      dataDir: enclaveDir(o.home),
      platformSecretPath: join(enclaveDir(o.home), NODE_FILES.platformSecret),
      queryLanes: o.queryWorkers ?? DEFAULT_QUERY_WORKERS,
    });
    assertEnclaveMatchesGenesis(genesis, parts.enclave);
    parts.store = openStore(join(o.home, NODE_FILES.state));
    const app = new ShroudApp({ store: parts.store, enclave: parts.enclave });
    const ledger = new BlockLedger();
    const serve = transport === "grpc" ? startAbciGrpcServer : startAbciServer;
    // One queue for the ABCI requests and the app mempool's CheckTx: never one inside the other.
    const queue = new SerialQueue();
    const meter = processAbciCpuMeter();
    const mempool = appMempool
      ? new AppMempool({
          limits: cfg.limits,
          checkTx: (r) => app.checkTx(r),
          serial: (task) => queue.runNow(task),
          relay: gossipCfg?.relay !== false,
          meter: (slot, fn) => meter.measure(slot, fn),
          log,
        })
      : undefined;
    const commits = front ? new CommitWaiters() : undefined;
    const recorded = recordingApp(
      app,
      ledger,
      commits === undefined
        ? undefined
        : (b) => {
            commits.committed(b);
          },
    );
    const abci = await serve(mempool === undefined ? recorded : withAppMempool(recorded, mempool), proxyApp, {
      queue,
      onError: (m) => {
        log(`ABCI: ${m}`);
        // The app threw: a broken invariant. CometBFT halts on the exception; we stop it and exit.
        if (m.startsWith("application error"))
          void shutdown(2, "shroud start: the application halted; stopping CometBFT");
      },
    });
    parts.abci = abci;
    if (mempool !== undefined && gossipCfg !== undefined) {
      parts.gossip = await startTxGossip({
        id: nodeIdOf(o.home),
        chainId: genesis.chain_id,
        host: hostOf(cfg.p2pLaddr),
        port: gossipCfg.port,
        peers: gossipCfg.peers,
        maxTxBytes: cfg.limits.maxTxBytes,
        onTxs: (txs, from) => {
          mempool.receive(txs, from);
        },
        log,
      });
      mempool.setGossip(parts.gossip);
      const discover = gossipCfg.discover !== false;
      log(
        `app mempool: CometBFT mempool.type = "nop"; tx gossip on ${hostOf(cfg.p2pLaddr)}:${parts.gossip.port}, ` +
          `${gossipCfg.peers.length} static peers, discovery ${discover ? "on" : "off"}`,
      );
      if (discover && parts.gossip.port !== gossipPortForP2p(portOf(cfg.p2pLaddr)))
        log(
          `app mempool: the tx gossip port ${parts.gossip.port} is not the p2p port + 5: other nodes find this ` +
            "one only if they list it in their gossip.json",
        );
      if (discover) {
        const gossip = parts.gossip;
        parts.discovery = new GossipDiscovery({
          rpcUrl: cometRpcUrl,
          selfId: nodeIdOf(o.home),
          chainId: genesis.chain_id,
          statics: gossipCfg.peers,
          setPeers: (peers) => gossip.setPeers(peers),
          log,
        });
        void parts.discovery.start();
      }
    }
    const host = o.host ?? "127.0.0.1";
    if (o.restPort !== undefined) {
      parts.rest = await startCometRest(
        {
          app,
          ledger,
          chainId: genesis.chain_id,
          moniker: cfg.moniker,
          nodeId: nodeIdOf(o.home),
          listenAddr: cfg.p2pLaddr,
          validatorPubKey: cometValidatorKey(cometHome(o.home)).publicKey,
          cometRpcUrl,
          host,
          rpcPort: portOf(cfg.rpcLaddr),
          ...(mempool === undefined ? {} : { broadcastTx: (raw: Uint8Array) => mempool.submit(raw) }),
        },
        o.restPort,
        log,
      );
      log(`REST (LCD) on http://${host}:${parts.rest.port}`);
    }
    if (front && mempool !== undefined && commits !== undefined) {
      parts.front = await startRpcFront({
        host: hostOf(cfg.rpcLaddr),
        port: portOf(cfg.rpcLaddr),
        upstream: cometRpcUrl,
        mempool,
        commits,
        broadcastCommitTimeoutMs: cfg.rpc.timeoutBroadcastTxCommitMs,
        maxBodyBytes: cfg.rpc.maxBodyBytes,
        maxBatchSize: cfg.rpc.maxBatchSize,
        maxCommitWaiters: cfg.rpc.maxSubscriptionClients,
        log,
      });
      log(
        `RPC front on ${publicRpcUrl} (mempool methods here, the rest to CometBFT's RPC at ${cometRpcUrl})`,
      );
    }
    if (o.abciOnly !== true) {
      const inner = front ? cometRpcUrl.replace(/^http:\/\//, "tcp://") : undefined;
      const child = spawnComet(o.binary!, o.home, proxyApp, transport, inner);
      parts.comet = child;
      if (child.pid !== undefined) writeFileSync(join(o.home, NODE_FILES.cometPid), `${child.pid}\n`);
      child.once("exit", (code, signal) => {
        void shutdown(
          1,
          `shroud start: cometbft exited (code ${code ?? "-"}, signal ${signal ?? "-"}); stopping`,
        );
      });
      log(
        `cometbft started (pid ${child.pid ?? "?"}), RPC ${cometRpcUrl}, log ${NODE_FILES.logs}/${NODE_FILES.cometLog}`,
      );
    } else {
      log(`ABCI only: waiting for CometBFT on ${proxyApp}`);
    }
    log(`shroud start: chain ${genesis.chain_id}, ABCI (${transport}) on ${proxyApp}`);
    return {
      app,
      mempool,
      gossip: parts.gossip,
      gossipPort: parts.gossip?.port,
      restPort: parts.rest?.port,
      abciPort: abci.port,
      cometRpcUrl,
      rpcUrl: front ? publicRpcUrl : cometRpcUrl,
      done,
      stop: () => shutdown(0, "shroud start: stopping"),
    };
  } catch (e) {
    await closeParts(parts, o.home);
    throw e;
  }
}
