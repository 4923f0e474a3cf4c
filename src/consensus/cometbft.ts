// Finding and driving the CometBFT binary (v0.38): locate it, edit config.toml, start a node against our ABCI
// server. Multi-validator networks only; `shroud dev` needs none.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** The CometBFT release line the ABCI server speaks (spec consensus-storage-perf §2). */
export const COMETBFT_VERSION = "0.38.25";

/**
 * How CometBFT talks to the app (config.toml `abci`, `cometbft node --abci`): `socket` = our abciServer.ts,
 * `grpc` = our grpcServer.ts (no flush-timer spin on CometBFT's side: src/consensus/README.md).
 */
export type AbciTransport = "socket" | "grpc";
export const ABCI_TRANSPORTS: readonly AbciTransport[] = ["socket", "grpc"];

export function isAbciTransport(v: string): v is AbciTransport {
  return (ABCI_TRANSPORTS as readonly string[]).includes(v);
}

/**
 * proxy_app as CometBFT's client for `transport` must be given it. The gRPC client hands the address to
 * grpc.NewClient, whose DNS resolver takes `host:port` only (`tcp://127.0.0.1:1` fails: "too many colons"), so
 * the scheme goes; the socket client wants `tcp://` or `unix://` (a bare host:port means tcp there too).
 */
export function cometProxyAddress(transport: AbciTransport, address: string): string {
  if (transport === "socket") return address;
  if (address.startsWith("unix://")) return address;
  return address.replace(/^tcp:\/\//, "");
}

/** Locates the cometbft binary: $COMETBFT_BIN, then $GOPATH/bin, ~/go/bin, then PATH. Undefined if none. */
export function findCometbft(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates: string[] = [];
  if (env.COMETBFT_BIN) candidates.push(env.COMETBFT_BIN);
  if (env.GOPATH) candidates.push(join(env.GOPATH, "bin", "cometbft"));
  candidates.push(join(homedir(), "go", "bin", "cometbft"));
  for (const c of candidates) if (existsSync(c)) return c;
  try {
    const p = execFileSync("sh", ["-c", "command -v cometbft"], { encoding: "utf8" }).trim();
    return p || undefined;
  } catch {
    return undefined;
  }
}

/** Edits keys of a CometBFT config.toml text: `set(toml, "consensus", "timeout_commit", '"50ms"')`. */
export function setTomlValue(toml: string, section: string, key: string, value: string): string {
  const lines = toml.split("\n");
  let current = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      current = header[1]!;
      continue;
    }
    if (current === section && new RegExp(`^\\s*${key}\\s*=`).test(line)) {
      lines[i] = `${key} = ${value}`;
      return lines.join("\n");
    }
  }
  throw new Error(`config.toml has no key ${section}.${key}`);
}

/** Reads `section.key` of a config.toml text (section "" = the top level), unquoted; undefined if absent. */
export function getTomlValue(toml: string, section: string, key: string): string | undefined {
  let current = "";
  for (const line of toml.split("\n")) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      current = header[1]!;
      continue;
    }
    const m = new RegExp(`^\\s*${key}\\s*=\\s*(.*)$`).exec(line);
    if (current === section && m) return m[1]!.trim().replace(/^"(.*)"$/, "$1");
  }
  return undefined;
}

/** Applies `{ "section.key": tomlValue }` edits (top-level keys have no dot) to `home`/config/config.toml. */
export function editCometConfig(home: string, edits: Readonly<Record<string, string>>): void {
  const path = join(home, "config", "config.toml");
  let cfg = readFileSync(path, "utf8");
  for (const [name, v] of Object.entries(edits)) {
    const dot = name.lastIndexOf(".");
    cfg = setTomlValue(cfg, dot < 0 ? "" : name.slice(0, dot), name.slice(dot + 1), v);
  }
  writeFileSync(path, cfg);
}

/** `cometbft init` in `home` unless it already has a config: node key, validator key, a genesis. */
export function cometInit(binary: string, home: string): void {
  if (!existsSync(join(home, "config", "config.toml")))
    execFileSync(binary, ["init", "--home", home], { stdio: "ignore" });
}

/** The p2p node id (hex of the node key's address), as peers name it in `id@host:port`. */
export function cometNodeId(binary: string, home: string): string {
  return execFileSync(binary, ["show-node-id", "--home", home], { encoding: "utf8" }).trim();
}

/** The node's priv_validator_key.json: consensus address (hex) and ed25519 public key. */
export function cometValidatorKey(home: string): {
  address: string;
  publicKey: Uint8Array;
  privateKey: Uint8Array;
} {
  const j = JSON.parse(readFileSync(join(home, "config", "priv_validator_key.json"), "utf8")) as {
    address: string;
    pub_key: { value: string };
    priv_key: { value: string };
  };
  return {
    address: j.address,
    publicKey: new Uint8Array(Buffer.from(j.pub_key.value, "base64")),
    privateKey: new Uint8Array(Buffer.from(j.priv_key.value, "base64")),
  };
}

export interface CometNodeOptions {
  /** The cometbft binary (see findCometbft). */
  binary: string;
  /** Home folder; `cometbft init` runs there when it has no config yet. */
  home: string;
  /** Where our ABCI server listens, e.g. `tcp://127.0.0.1:26658`. */
  proxyApp: string;
  rpcPort: number;
  p2pPort: number;
  /** `[consensus]` settings to write into config.toml, e.g. `{ timeout_commit: '"100ms"' }`. */
  consensus?: Record<string, string>;
  /** Rewrites genesis.json before the node starts (chain id, app_state, …). */
  patchGenesis?: (genesis: Record<string, unknown>) => Record<string, unknown>;
  /** ABCI transport (default socket). */
  abci?: AbciTransport;
}

export interface CometNode {
  readonly rpcUrl: string;
  /** GET on the node's RPC, parsed as JSON. */
  readonly rpcGet: (path: string) => Promise<unknown>;
  /** Polls /status until the latest height reaches `height`; returns the height seen (it may be lower on timeout). */
  waitForHeight(height: number, timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

/** Initialises (once) and starts a CometBFT node in `home` driving the ABCI app at `proxyApp`, RPC on loopback. */
export function startCometNode(opts: CometNodeOptions): CometNode {
  const cfgPath = join(opts.home, "config", "config.toml");
  if (!existsSync(cfgPath)) execFileSync(opts.binary, ["init", "--home", opts.home], { stdio: "ignore" });
  let cfg = readFileSync(cfgPath, "utf8");
  for (const [k, v] of Object.entries(opts.consensus ?? {})) cfg = setTomlValue(cfg, "consensus", k, v);
  writeFileSync(cfgPath, cfg);
  if (opts.patchGenesis) {
    const genPath = join(opts.home, "config", "genesis.json");
    const genesis = JSON.parse(readFileSync(genPath, "utf8")) as Record<string, unknown>;
    writeFileSync(genPath, JSON.stringify(opts.patchGenesis(genesis)));
  }
  const child = spawn(
    opts.binary,
    [
      "node",
      "--home",
      opts.home,
      `--proxy_app=${cometProxyAddress(opts.abci ?? "socket", opts.proxyApp)}`,
      `--abci=${opts.abci ?? "socket"}`,
      `--rpc.laddr=tcp://127.0.0.1:${opts.rpcPort}`,
      `--p2p.laddr=tcp://127.0.0.1:${opts.p2pPort}`,
    ],
    { stdio: "ignore" },
  );
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      resolve();
    }),
  );
  const rpcUrl = `http://127.0.0.1:${opts.rpcPort}`;
  const rpcGet = async (path: string): Promise<unknown> => (await fetch(`${rpcUrl}${path}`)).json();
  return {
    rpcUrl,
    rpcGet,
    async waitForHeight(height: number, timeoutMs: number): Promise<number> {
      const deadline = Date.now() + timeoutMs;
      let seen = 0;
      while (seen < height && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        try {
          const st = (await rpcGet("/status")) as { result: { sync_info: { latest_block_height: string } } };
          seen = Number(st.result.sync_info.latest_block_height);
        } catch {
          // not up yet
        }
      }
      return seen;
    },
    async stop(): Promise<void> {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
