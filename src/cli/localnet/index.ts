// `shroud localnet [--validators N] | stop | status`: several validators on CometBFT on loopback.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { homedir } from "node:os";
import { InvalidArgumentError, type Command } from "commander";
import { editCometConfig, findCometbft, type AbciTransport } from "../../consensus/cometbft.js";
import { CliError } from "../common.js";
import { abciTransportArg, mempoolModeArg, portArg } from "../node/index.js";
import { DEFAULT_BASE_PORT, DEFAULT_CHAIN_ID, LOCALNET_FILE } from "./constants.js";
import type { LocalnetInfo } from "./create.js";
import type { NodeStatus } from "./processes.js";

// The node-side modules (enclave, app, genesis) load only when a localnet command runs.
const creating = () => import("./create.js");
const processes = () => import("./processes.js");

const DEFAULT_HOME = join(homedir(), ".shroud", "localnet");
const out = (line: string): void => void process.stdout.write(line + "\n");

function countArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError("expected an integer in 1..64");
  return n;
}

function countOrZero(v: string): number {
  return v === "0" ? 0 : countArg(v);
}

function formatStatus(s: NodeStatus): string {
  const state = s.running ? `running (pid ${s.pid ?? "?"})` : "stopped";
  const chain =
    s.height === undefined
      ? "RPC not answering"
      : `height ${s.height}  app hash ${s.appHash ?? ""}  peers ${s.peers ?? "?"}`;
  return `${s.name.padEnd(7)} ${state.padEnd(22)} ${chain}`;
}

async function waitForBlocks(home: string, timeoutMs: number): Promise<NodeStatus[]> {
  const [{ readLocalnet }, { nodeStatus }] = await Promise.all([creating(), processes()]);
  const info = readLocalnet(home);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const all = await Promise.all(info.nodes.map(nodeStatus));
    if (all.every((s) => (s.height ?? 0) >= 1) || Date.now() > until) return all;
    await new Promise((r) => setTimeout(r, 500));
  }
}

interface UpFlags {
  validators: number;
  home: string;
  basePort: number;
  chainId: string;
  createOnly: boolean;
  fullNodes: number;
  abci?: AbciTransport;
  mempool?: "comet" | "app";
}

async function up(f: UpFlags): Promise<void> {
  const binary = findCometbft();
  if (binary === undefined)
    throw new CliError("cometbft not found: run scripts/setup-cometbft.sh or set COMETBFT_BIN");
  const [{ createLocalnet, readLocalnet }, { startNodeProcess }] = await Promise.all([
    creating(),
    processes(),
  ]);
  if (!existsSync(join(f.home, LOCALNET_FILE))) {
    out(`creating a ${f.validators}-validator localnet in ${f.home}…`);
    await createLocalnet({
      binary,
      home: f.home,
      validators: f.validators,
      basePort: f.basePort,
      chainId: f.chainId,
      fullNodes: f.fullNodes,
      ...(f.mempool === undefined ? {} : { mempool: f.mempool }),
    });
  } else if (f.mempool !== undefined) {
    // An existing folder keeps the mode it was created (or last switched) in unless --mempool says otherwise.
    const { setLocalnetMempool } = await creating();
    setLocalnetMempool(readLocalnet(f.home), f.mempool);
  }
  const info = readLocalnet(f.home);
  if (f.abci !== undefined) {
    const { abciConfigEdits, cometHome } = await import("../node/home.js");
    for (const n of info.nodes) {
      editCometConfig(cometHome(n.home), abciConfigEdits(f.abci, `tcp://127.0.0.1:${n.ports.abci}`));
    }
  }
  if (f.createOnly) {
    out(
      `created ${info.nodes.length} node homes in ${f.home}; start them with: shroud localnet --home ${f.home}`,
    );
    return;
  }
  for (const n of info.nodes) {
    let pid: number;
    try {
      pid = startNodeProcess(n);
    } catch (e) {
      throw new CliError(e instanceof Error ? e.message : String(e));
    }
    out(`${n.name}: pid ${pid}  RPC http://127.0.0.1:${n.ports.rpc}  REST http://127.0.0.1:${n.ports.rest}`);
  }
  const st = await waitForBlocks(f.home, 120_000);
  for (const s of st) out(formatStatus(s));
  out(`chain ${info.chainId}; logs in <node>/logs/; stop with: shroud localnet stop --home ${f.home}`);
}

/** `--home` belongs to `localnet` and may be given before or after `stop`/`status`. */
const homeOf = (cmd: Command): string => cmd.optsWithGlobals<{ home: string }>().home;

async function localnetAt(home: string): Promise<LocalnetInfo> {
  const { readLocalnet } = await creating();
  try {
    return readLocalnet(home);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
}

export function registerLocalnetCommands(program: Command): void {
  const ln = program
    .command("localnet")
    .description("run N validators on CometBFT on loopback (creates the folder on first use)")
    .option("--validators <n>", "number of validators", countArg, 4)
    .option("--home <dir>", "localnet folder", DEFAULT_HOME)
    .option(
      "--base-port <port>",
      "node i uses base+10i (p2p), +1 (RPC), +2 (ABCI), +3 (REST)",
      portArg,
      DEFAULT_BASE_PORT,
    )
    .option("--chain-id <id>", "chain id", DEFAULT_CHAIN_ID)
    .option(
      "--full-nodes <n>",
      "extra nodes that are not validators (registered enclaves, no stake)",
      countOrZero,
      0,
    )
    .option("--create-only", "create the folder (keys, genesis, enclaves) but start nothing", false)
    .option(
      "--abci <transport>",
      "ABCI transport between each node and its CometBFT, socket or grpc (written into every node's config)",
      abciTransportArg,
    )
    .option(
      "--mempool <mode>",
      'app (mempool.type = "nop": each node\'s own mempool and tx gossip on p2p port + 5, full mesh) or comet ' +
        "(CometBFT's flood mempool); written into every node's config and gossip.json; default: app for a new " +
        "folder, an existing one keeps its mode",
      mempoolModeArg,
    )
    .action(up);
  ln.command("stop")
    .description("stop every node of the localnet")
    .action(async (_o: unknown, cmd: Command) => {
      const info = await localnetAt(homeOf(cmd));
      const { stopNodeProcess } = await processes();
      await Promise.all(info.nodes.map((n) => stopNodeProcess(n)));
      out(`stopped ${info.nodes.length} nodes`);
    });
  ln.command("status")
    .description("each node's process, height, app hash and peers")
    .action(async (_o: unknown, cmd: Command) => {
      const info = await localnetAt(homeOf(cmd));
      const { nodeStatus } = await processes();
      out(`chain ${info.chainId}`);
      for (const s of await Promise.all(info.nodes.map(nodeStatus))) out(formatStatus(s));
    });
}
