// A CometBFT-mode node's home folder: layout, `cometbft init` inside it with our config.toml settings, the
// genesis written into CometBFT's genesis.json (app_state included), and the enclave check at start.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EnclaveHost } from "../../enclave/api.js";
import { parseGenesisDoc, type GenesisDoc } from "../../chain/genesis.js";
import { validateGenesis } from "../../chain/app.js";
import { MAX_TX_BYTES } from "../../chain/tx/decode.js";
import {
  cometInit,
  cometNodeId,
  cometProxyAddress,
  cometValidatorKey,
  editCometConfig,
  type AbciTransport,
} from "../../consensus/cometbft.js";
import { toBase64 } from "../../util/bytes.js";
import { gossipPortForP2p } from "./gossipPeers.js";

/** Entries of a node home (README "shroud init"). */
export const NODE_FILES = {
  comet: "comet",
  enclave: "enclave",
  platformSecret: "platform-secret",
  state: "state",
  logs: "logs",
  cometLog: "cometbft.log",
  cometPid: "cometbft.pid",
  /**
   * App-mempool mode only: the tx gossip's listen port, static peers, relay and discovery switches (written by
   * `init`, `start --gossip-port/--gossip-peers`, `localnet`; absent = p2p port + 5, no static peers, discovery on).
   */
  gossip: "gossip.json",
} as const;

export const cometHome = (home: string): string => join(home, NODE_FILES.comet);
export const enclaveDir = (home: string): string => join(home, NODE_FILES.enclave);
export const genesisPath = (home: string): string => join(cometHome(home), "config", "genesis.json");

/**
 * Largest block CometBFT may propose: one MAX_TX_BYTES (3 MiB) store-code tx, the block random and room for
 * other txs. CometBFT's default (21 MiB) would also fit; a smaller cap keeps proposals quick to gossip.
 */
export const BLOCK_MAX_BYTES = 8 * 1024 * 1024;
/** Body cap of CometBFT's RPC: a 3 MiB tx travels hex-encoded (×2) inside JSON in broadcast_tx_*. */
const RPC_MAX_BODY_BYTES = 3 * MAX_TX_BYTES + 1024 * 1024;

export interface NodePorts {
  readonly p2p: number;
  readonly rpc: number;
  readonly abci: number;
}

/** `[consensus]` timeouts; defaults are CometBFT's (1 s commit). Localnet uses faster ones. */
export type ConsensusTimeouts = Readonly<
  Partial<Record<"timeout_propose" | "timeout_prevote" | "timeout_precommit" | "timeout_commit", string>>
>;

export interface InitHomeOptions {
  readonly binary: string;
  readonly home: string;
  readonly moniker: string;
  readonly ports: NodePorts;
  readonly host?: string;
  readonly timeouts?: ConsensusTimeouts;
  readonly persistentPeers?: readonly string[];
  /** Loopback networks: several nodes on one IP (addr_book_strict off, duplicate IPs allowed). */
  readonly loopback?: boolean;
  /** ABCI transport written into config.toml (`abci`, proxy_app in the form it needs); unset = left as is. */
  readonly abci?: AbciTransport;
}

export interface InitializedHome {
  readonly nodeId: string;
  /** Consensus (ed25519) public key from priv_validator_key.json. */
  readonly validatorPubKey: Uint8Array;
}

/** config.toml edits for an ABCI transport: `abci` and `proxy_app` in the form CometBFT's client dials. */
export function abciConfigEdits(transport: AbciTransport, proxyApp: string): Record<string, string> {
  return {
    abci: JSON.stringify(transport),
    proxy_app: JSON.stringify(cometProxyAddress(transport, proxyApp)),
  };
}

/** Creates the folders and the CometBFT home (idempotent for the keys), then (re)writes our config settings. */
export function initNodeHome(o: InitHomeOptions): InitializedHome {
  mkdirSync(join(o.home, NODE_FILES.logs), { recursive: true });
  mkdirSync(enclaveDir(o.home), { recursive: true });
  cometInit(o.binary, cometHome(o.home));
  const host = o.host ?? "127.0.0.1";
  const q = (s: string): string => JSON.stringify(s);
  const edits: Record<string, string> = {
    moniker: q(o.moniker),
    proxy_app: q(`tcp://127.0.0.1:${o.ports.abci}`),
    ...(o.abci === undefined ? {} : abciConfigEdits(o.abci, `tcp://127.0.0.1:${o.ports.abci}`)),
    log_level: q("state:info,*:error"),
    "rpc.laddr": q(`tcp://${host}:${o.ports.rpc}`),
    "rpc.max_body_bytes": String(RPC_MAX_BODY_BYTES),
    "p2p.laddr": q(`tcp://${host}:${o.ports.p2p}`),
    "p2p.persistent_peers": q((o.persistentPeers ?? []).join(",")),
    // src/chain/tx/decode.ts MAX_TX_BYTES: a 3 MiB store-code tx must pass CometBFT's mempool.
    "mempool.max_tx_bytes": String(MAX_TX_BYTES),
    "mempool.max_txs_bytes": String(1024 * 1024 * 1024),
    "consensus.peer_gossip_sleep_duration": q("10ms"),
  };
  if (o.loopback === true) {
    edits["p2p.addr_book_strict"] = "false";
    edits["p2p.allow_duplicate_ip"] = "true";
    // A peer connection writes into a 64 KiB buffer and flushes it when full or this long after the first write
    // (v0.38 p2p/conn/connection.go): each consensus hop (proposal, prevotes, precommits) waited up to the
    // default 100 ms. On loopback that wait was most of an empty height (idle localnet 623 → 371 ms per block,
    // README "CometBFT config"); CometBFT's own test config uses 10 ms.
    edits["p2p.flush_throttle_timeout"] = q("10ms");
  }
  for (const [k, v] of Object.entries(o.timeouts ?? {})) edits[`consensus.${k}`] = q(v);
  editCometConfig(cometHome(o.home), edits);
  return {
    nodeId: cometNodeId(o.binary, cometHome(o.home)),
    validatorPubKey: cometValidatorKey(cometHome(o.home)).publicKey,
  };
}

/**
 * Writes `doc` as CometBFT's genesis.json: our chain id, time, app_state; no genesis validators (the app's
 * InitChain answers staking's bonded set, which CometBFT then uses); block max_bytes = BLOCK_MAX_BYTES.
 */
export function writeCometGenesis(home: string, doc: GenesisDoc): void {
  validateGenesis(doc);
  const path = genesisPath(home);
  const comet = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  const params = (comet.consensus_params ?? {}) as Record<string, Record<string, unknown>>;
  const out = {
    genesis_time: doc.genesis_time,
    chain_id: doc.chain_id,
    initial_height: doc.initial_height,
    consensus_params: { ...params, block: { ...params.block, max_bytes: String(BLOCK_MAX_BYTES) } },
    validators: [],
    app_hash: "",
    app_state: doc.app_state,
  };
  writeFileSync(path, JSON.stringify(out, null, 2) + "\n");
}

/**
 * A joining node's genesis: the network's genesis.json text, checked (parsed, InitGenesis run on a scratch store,
 * a register section with the network's tx key) before anything is written. Throws on any problem.
 */
export function checkJoinGenesis(text: string): GenesisDoc {
  const doc = parseGenesisDoc(text);
  validateGenesis(doc);
  if (genesisIoKey(doc) === undefined)
    throw new Error("app_state.register.io_exch_key is missing: not the genesis of a running Shroud network");
  return doc;
}

/**
 * Installs the network's genesis.json as CometBFT's, byte for byte: every node must hash the same document
 * (CometBFT keeps its hash), so it is not re-serialised.
 */
export function installJoinGenesis(home: string, text: string): void {
  writeFileSync(genesisPath(home), text);
}

function genesisIoKey(doc: GenesisDoc): string | undefined {
  const reg = doc.app_state.register as { io_exch_key?: { bytes?: unknown } } | undefined;
  const io = reg?.io_exch_key?.bytes;
  return typeof io === "string" && io !== "" ? io : undefined;
}

/**
 * CometBFT's node ID of a home without running the binary: hex of the first 20 bytes of SHA-256 of the ed25519
 * public key in `node_key.json` (CometBFT p2p/key.go PubKeyToID; the key's value = seed ‖ public key, 64 bytes).
 */
export function nodeIdOf(home: string): string {
  const j = JSON.parse(readFileSync(join(cometHome(home), "config", "node_key.json"), "utf8")) as {
    priv_key?: { value?: unknown };
  };
  const v = j.priv_key?.value;
  const key = typeof v === "string" ? Buffer.from(v, "base64") : Buffer.alloc(0);
  if (key.length !== 64) throw new Error("comet/config/node_key.json: expected a 64-byte ed25519 key");
  return createHash("sha256").update(key.subarray(32)).digest("hex").slice(0, 40);
}

export function readNodeGenesis(home: string): GenesisDoc {
  const path = genesisPath(home);
  if (!existsSync(path))
    throw new Error(`${home} is not a node home (no comet/config/genesis.json): run shroud init`);
  return parseGenesisDoc(readFileSync(path, "utf8"));
}

/** The chain's tx key must be one of this enclave's seeds: otherwise clients would encrypt to a key nobody holds. */
export function assertEnclaveMatchesGenesis(doc: GenesisDoc, enclave: EnclaveHost): void {
  const { seedCount } = enclave.health();
  if (seedCount === 0)
    throw new Error(
      "this node's enclave has no seeds: a joining node runs `shroud init-enclave`, `shroud tx register auth` " +
        "and `shroud configure-secret` first (src/cli/attest); a new chain is made by `shroud init` without --genesis",
    );
  const io = genesisIoKey(doc);
  const known = Array.from({ length: seedCount }, (_, i) =>
    toBase64(enclave.getNetworkPubkeys(i).ioExchangePublicKey),
  );
  if (io === undefined || !known.includes(io))
    throw new Error("genesis io_exch_key is not this enclave's: the home folder mixes two chains");
}

/** Where the tx gossip of an app-mempool node listens and whom it dials (NODE_FILES.gossip). */
export interface GossipConfig {
  readonly port: number;
  /** Static peers: always dialled (and they win over a discovered peer of the same id). */
  readonly peers: readonly { readonly id: string; readonly host: string; readonly port: number }[];
  /** Re-send peers' txs to the other peers (default true; a full mesh, e.g. a localnet, needs none). */
  readonly relay?: boolean;
  /** Also dial the peers CometBFT is connected to, at their p2p port + 5 (default true; cli/node gossipPeers.ts). */
  readonly discover?: boolean;
}

/** `id@host:port` → a gossip peer (the format of `--gossip-peers`, as CometBFT's persistent_peers). */
export function parseGossipPeer(p: string): GossipConfig["peers"][number] {
  const m = /^([^\s@,]+)@([^\s@,]+):(\d{1,5})$/.exec(p);
  if (m === null || Number(m[3]) > 65535) throw new Error(`expected id@host:port, got ${JSON.stringify(p)}`);
  return { id: m[1]!, host: m[2]!, port: Number(m[3]) };
}

export function readGossipConfig(home: string): GossipConfig | undefined {
  const path = join(home, NODE_FILES.gossip);
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${NODE_FILES.gossip}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const j = (typeof parsed === "object" && parsed !== null ? parsed : {}) as {
    port?: unknown;
    peers?: unknown;
    relay?: unknown;
    discover?: unknown;
  };
  if (
    typeof j.port !== "number" ||
    !Array.isArray(j.peers) ||
    !j.peers.every((p) => typeof p === "string") ||
    (j.relay !== undefined && typeof j.relay !== "boolean") ||
    (j.discover !== undefined && typeof j.discover !== "boolean")
  )
    throw new Error(
      `${NODE_FILES.gossip}: expected {"port": number, "peers": ["id@host:port", ...], "relay"?: boolean, "discover"?: boolean}`,
    );
  let peers: GossipConfig["peers"];
  try {
    peers = j.peers.map(parseGossipPeer);
  } catch (e) {
    throw new Error(`${NODE_FILES.gossip}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return {
    port: j.port,
    peers,
    relay: j.relay !== false,
    discover: j.discover !== false,
  };
}

export function writeGossipConfig(home: string, c: GossipConfig): void {
  const peers = c.peers.map((p) => `${p.id}@${p.host}:${p.port}`);
  const relay = c.relay ?? true;
  const discover = c.discover ?? true;
  writeFileSync(
    join(home, NODE_FILES.gossip),
    JSON.stringify({ port: c.port, peers, relay, discover }, null, 2) + "\n",
  );
}

/** Who keeps a node's mempool: CometBFT (its flood mempool) or the node (CometBFT's `nop` + the tx gossip). */
export type MempoolMode = "comet" | "app";
export const MEMPOOL_MODES: readonly MempoolMode[] = ["comet", "app"];
/** `shroud init`'s mode when `--mempool` is not given (session 18). */
export const DEFAULT_MEMPOOL_MODE: MempoolMode = "app";

/** Why `init` cannot set `mode` up with this p2p port (app mode: p2p + 5 must be a port), else undefined. */
export function mempoolModeProblem(mode: MempoolMode, p2pPort: number): string | undefined {
  return mode === "app" && gossipPortForP2p(p2pPort) === undefined
    ? "the app mempool's tx gossip listens on the p2p port + 5: --p2p-port must be in 1..65530 (or --mempool comet)"
    : undefined;
}

/**
 * `shroud init`'s mempool setup: app mode writes config.toml `mempool.type = "nop"` and gossip.json (port = the
 * p2p port + 5, the protocol's convention, no static peers, relay and discovery on); comet mode writes
 * `mempool.type = "flood"` and no gossip.json. Throws (mempoolModeProblem) before writing anything.
 */
export function initMempoolMode(home: string, mode: MempoolMode, p2pPort: number): void {
  const problem = mempoolModeProblem(mode, p2pPort);
  if (problem !== undefined) throw new Error(problem);
  const port = gossipPortForP2p(p2pPort);
  editCometConfig(cometHome(home), { "mempool.type": JSON.stringify(mode === "app" ? "nop" : "flood") });
  if (port !== undefined && mode === "app")
    writeGossipConfig(home, { port, peers: [], relay: true, discover: true });
}
