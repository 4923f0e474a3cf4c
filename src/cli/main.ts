// The `shroud` command line (commander): `shroud dev` (LocalSecret drop-in), `shroud export` (genesis at a
// height), node commands (init, start, localnet, enclave) and client commands (keys, tx, query), `secretd`-style.
import "../chain/cosmjsInt64.js"; // before any encode: cosmjs-types writes (u)int64 in [2^31, 2^32) wrongly
import { homedir } from "node:os";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { APP_VERSION } from "../chain/version.js";
import { CliError, DEFAULT_QUERY_WORKERS } from "./common.js";
import { registerEnclaveCommands, registerRegisterTxCommands } from "./attest/index.js";
import { registerKeysCommands } from "./keys/index.js";
import { registerLocalnetCommands } from "./localnet/index.js";
import { registerNodeCommands } from "./node/index.js";
import { registerQueryCommands } from "./query/index.js";
import { registerComputeQueryCommands, registerTxCommands } from "./tx/index.js";

const DEFAULT_HOME = join(homedir(), ".shroud", "dev");

function intArg(min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer in ${min}..${max}`);
    return n;
  };
}

interface DevFlags {
  home: string;
  reset: boolean;
  blockTime: number;
  host: string;
  rpcPort: number;
  restPort: number;
  faucetPort: number;
  queryWorkers: number;
  verifyLane?: boolean;
  pipeline: boolean;
}

// The node-side modules (app, store, engine) load only when a node command runs: client commands start faster.
async function dev(flags: DevFlags): Promise<void> {
  const { startDev } = await import("./dev.js");
  // Filled once startDev returns; a halt can only be reported after that (blocks are produced on txs).
  const running: { node?: Awaited<ReturnType<typeof startDev>> } = {};
  let stopping = false;
  const shutdown = (code: number): void => {
    if (stopping || running.node === undefined) return;
    stopping = true;
    process.stdout.write("\nshroud dev: stopping…\n");
    running.node.stop().then(
      () => process.exit(code),
      (e: unknown) => {
        process.stderr.write(`shroud dev: unclean stop: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
      },
    );
  };
  running.node = await startDev({
    home: flags.home,
    reset: flags.reset,
    blockTimeMs: flags.blockTime,
    host: flags.host,
    rpcPort: flags.rpcPort,
    restPort: flags.restPort,
    faucetPort: flags.faucetPort,
    queryWorkers: flags.queryWorkers,
    verifyLane: flags.verifyLane === true,
    pipeline: flags.pipeline,
    // The enclave died mid-block: the chain cannot go on here; exit non-zero (restart replays the block).
    onHalt: (e) => {
      process.stderr.write(`shroud dev: halted: ${e.message}\n`);
      shutdown(2);
    },
  });
  process.on("SIGINT", () => {
    shutdown(0);
  });
  process.on("SIGTERM", () => {
    shutdown(0);
  });
}

/** Prints the genesis document of the state at `height` (default: the latest), as `secretd export` does. */
async function exportGenesis(flags: { home: string; height?: number }): Promise<void> {
  const [{ ShroudApp }, { parseGenesisDoc }, { openStore }] = await Promise.all([
    import("../chain/app.js"),
    import("../chain/genesis.js"),
    import("../chain/store/store.js"),
  ]);
  const genesis = parseGenesisDoc(readFileSync(join(flags.home, "genesis.json"), "utf8"));
  const store = openStore(join(flags.home, "state"));
  try {
    const app = new ShroudApp({ store });
    const height = flags.height ?? store.info().lastHeight;
    const doc = {
      ...genesis,
      initial_height: String(height + 1),
      app_hash: "",
      app_state: app.exportAppState(height),
    };
    process.stdout.write(JSON.stringify(doc, null, 2) + "\n");
  } finally {
    store.close();
  }
}

export function buildCli(): Command {
  const program = new Command("shroud").description("A Secret Network compatible node").version(APP_VERSION);
  program
    .command("dev")
    .description("run a single-validator development chain (LocalSecret drop-in: chain id secretdev-1)")
    .option("--home <dir>", "data folder", DEFAULT_HOME)
    .option("--reset", "delete the data folder first", false)
    .option("--block-time <ms>", "minimum time between blocks", intArg(1, 60_000), 200)
    .option("--host <addr>", "address to listen on", "127.0.0.1")
    .option("--rpc-port <port>", "CometBFT-style RPC", intArg(0, 65535), 26657)
    .option("--rest-port <port>", "REST (LCD) server", intArg(0, 65535), 1317)
    .option("--faucet-port <port>", "faucet", intArg(0, 65535), 5000)
    .option(
      "--query-workers <n>",
      "enclave workers serving smart queries in parallel (0: queries share the block enclave)",
      intArg(0, 16),
      DEFAULT_QUERY_WORKERS,
    )
    .option("--verify-lane", "check contract-call signatures in one more enclave isolate ahead of execution")
    .option("--no-verify-lane", "check them on the block's own enclave thread (the default)")
    .option(
      "--no-pipeline",
      "run each block in one go: requests wait for it, txs broadcast meanwhile are checked after it",
    )
    .action(dev);
  program
    .command("export")
    .description("print the genesis of the state at a height (default: the latest)")
    .option("--home <dir>", "data folder", DEFAULT_HOME)
    .option("--height <h>", "height to export", intArg(1, Number.MAX_SAFE_INTEGER))
    .action(exportGenesis);
  registerNodeCommands(program);
  registerEnclaveCommands(program);
  registerLocalnetCommands(program);
  registerKeysCommands(program);
  const tx = program.command("tx").description("build, sign, broadcast a transaction and wait for it");
  registerTxCommands(tx);
  registerRegisterTxCommands(tx);
  const query = program.command("query").alias("q").description("query the chain");
  registerQueryCommands(query);
  registerComputeQueryCommands(query);
  return program;
}

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  try {
    await buildCli().parseAsync([...argv]);
  } catch (e) {
    // User errors print one readable line and a non-zero exit code, never a stack trace.
    if (e instanceof CliError) {
      process.stderr.write(`Error: ${e.message}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    throw e;
  }
}
