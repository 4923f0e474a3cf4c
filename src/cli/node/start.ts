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
import { startAbciServer } from "../../consensus/abciServer.js";
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
import {
  abciConfigEdits,
  assertEnclaveMatchesGenesis,
  cometHome,
  enclaveDir,
  NODE_FILES,
  nodeIdOf,
  readNodeGenesis,
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
  /** CometBFT RPC the REST server reads from (default: config.toml's rpc.laddr). */
  readonly cometRpc?: string;
  /** REST (LCD) port; undefined = no REST server. */
  readonly restPort?: number;
  readonly host?: string;
  /** Enclave workers for smart queries (src/enclave/lanes.ts; default DEFAULT_QUERY_WORKERS). */
  readonly queryWorkers?: number;
  readonly log?: (line: string) => void;
}

export interface RunningNode {
  readonly app: ShroudApp;
  readonly restPort: number | undefined;
  readonly abciPort: number | undefined;
  readonly cometRpcUrl: string;
  /** Resolves with the process exit code once the node has stopped (for any reason). */
  readonly done: Promise<number>;
  stop(): Promise<void>;
}

function cometConfig(home: string): {
  abci: AbciTransport;
  proxyApp: string;
  rpcLaddr: string;
  p2pLaddr: string;
  moniker: string;
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
  };
}

/** tcp://0.0.0.0:26657 → http://127.0.0.1:26657 (we dial it locally). */
export function rpcUrlOf(laddr: string): string {
  return laddr.replace(/^tcp:\/\//, "http://").replace("0.0.0.0", "127.0.0.1");
}

function spawnComet(binary: string, home: string, proxyApp: string, abci: AbciTransport): ChildProcess {
  const logFd = openSync(join(home, NODE_FILES.logs, NODE_FILES.cometLog), "a");
  const args = ["node", "--home", cometHome(home), `--proxy_app=${cometProxyAddress(abci, proxyApp)}`];
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
  rest?: RestServer;
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
  const transport = cfg.abci;
  const proxyApp = o.proxyApp ?? cfg.proxyApp;
  const cometRpcUrl = o.cometRpc ?? rpcUrlOf(cfg.rpcLaddr);
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
    const abci = await serve(recordingApp(app, ledger), proxyApp, {
      onError: (m) => {
        log(`ABCI: ${m}`);
        // The app threw: a broken invariant. CometBFT halts on the exception; we stop it and exit.
        if (m.startsWith("application error"))
          void shutdown(2, "shroud start: the application halted; stopping CometBFT");
      },
    });
    parts.abci = abci;
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
          rpcPort: Number(new URL(cometRpcUrl).port),
        },
        o.restPort,
        log,
      );
      log(`REST (LCD) on http://${host}:${parts.rest.port}`);
    }
    if (o.abciOnly !== true) {
      const child = spawnComet(o.binary!, o.home, proxyApp, transport);
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
      restPort: parts.rest?.port,
      abciPort: abci.port,
      cometRpcUrl,
      done,
      stop: () => shutdown(0, "shroud start: stopping"),
    };
  } catch (e) {
    await closeParts(parts, o.home);
    throw e;
  }
}
