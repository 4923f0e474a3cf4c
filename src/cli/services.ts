// Extra network services `shroud dev` starts next to the RPC server: the REST (LCD) server on 1317 and the
// faucet on 5000 plug in here with one entry each (issue 4 §5: "the API issue fills these in").
import type { DevEngine } from "../consensus/dev.js";
import type { ShroudApp } from "../chain/app.js";
import type { GenesisDoc } from "../chain/genesis.js";
import { createAppBackend } from "../api/rest/appBackend.js";
import { startRestServer } from "../api/rest/server.js";
import { FAUCET_AMOUNT, FAUCET_DENOM, startFaucetServer } from "./faucet.js";

/** What a service gets: the running node. */
export interface DevNodeView {
  readonly engine: DevEngine;
  readonly app: ShroudApp;
  readonly genesis: GenesisDoc;
  readonly host: string;
  /** Ports chosen on the command line (`--rest-port`, `--faucet-port`). */
  readonly ports: Readonly<Record<"rpc" | "rest" | "faucet", number>>;
  readonly log: (line: string) => void;
}

export interface DevService {
  readonly name: string;
  /** Starts the service; the returned close() is awaited at shutdown (in reverse start order). */
  start(node: DevNodeView): Promise<{ close(): Promise<void> }>;
}

/** A port already in use is the common failure: say which service and which flag moves it. */
function explainListenError(service: string, host: string, port: number, flag: string) {
  return (e: unknown): never => {
    if ((e as { code?: unknown }).code === "EADDRINUSE") {
      throw new Error(
        `${service}: ${host}:${port} is already in use (another node?); choose another with ${flag}`,
      );
    }
    throw e;
  };
}

/** Services started by `shroud dev`, in order. REST and the faucet are added here by their owners. */
export const DEV_SERVICES: DevService[] = [
  {
    name: "REST",
    start: async (n) => {
      const backend = createAppBackend({
        app: n.app,
        engine: n.engine,
        chainId: n.genesis.chain_id,
        host: n.host,
        rpcPort: n.ports.rpc,
      });
      const rest = await startRestServer(backend, n.host, n.ports.rest, {
        onInternalError: (e) => {
          n.log(`REST internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        },
      }).catch(explainListenError("REST", n.host, n.ports.rest, "--rest-port"));
      n.log(`REST (LCD) on http://${n.host}:${rest.port}`);
      return rest;
    },
  },
  {
    name: "faucet",
    start: async (n) => {
      const f = await startFaucetServer(
        { app: n.app, engine: n.engine, chainId: n.genesis.chain_id },
        n.host,
        n.ports.faucet,
      ).catch(explainListenError("faucet", n.host, n.ports.faucet, "--faucet-port"));
      n.log(
        `faucet on http://${n.host}:${f.port}/faucet?address=secret1… (${FAUCET_AMOUNT}${FAUCET_DENOM} from ${f.faucet.key.address})`,
      );
      return f;
    },
  },
];
