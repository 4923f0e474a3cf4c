// Extra network services `shroud dev` starts next to the RPC server: the REST (LCD) server on 1317 and the
// faucet on 5000 plug in here with one entry each (issue 4 §5: "the API issue fills these in").
import type { DevEngine } from "../consensus/dev.js";
import type { ShroudApp } from "../chain/app.js";
import type { GenesisDoc } from "../chain/genesis.js";

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

/** Services started by `shroud dev`, in order. REST and the faucet are added here by their owners. */
export const DEV_SERVICES: DevService[] = [];
