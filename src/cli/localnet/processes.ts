// Localnet processes: one `shroud start` per node (its own process group, so the node and the cometbft it
// spawned can be stopped together), its output in the node's logs/shroud.log, its pid in shroud.pid.
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { NODE_FILES } from "../node/home.js";
import type { LocalnetNode } from "./create.js";

const SHROUD_BIN = fileURLToPath(new URL("../../../bin/shroud.js", import.meta.url));
export const PID_FILE = "shroud.pid";
export const NODE_LOG = "shroud.log";

export function pidOf(node: LocalnetNode): number | undefined {
  const path = join(node.home, PID_FILE);
  if (!existsSync(path)) return undefined;
  const pid = Number(readFileSync(path, "utf8").trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts `shroud start` for `node` in the background (`bin`: another checkout's bin/shroud.js; `nodeArgs`: extra
 * node options such as `--cpu-prof`, which NODE_OPTIONS does not accept); returns its pid.
 */
export function startNodeProcess(
  node: LocalnetNode,
  env: NodeJS.ProcessEnv = process.env,
  bin: string = SHROUD_BIN,
  nodeArgs: readonly string[] = [],
): number {
  const running = pidOf(node);
  if (isAlive(running)) throw new Error(`${node.name} is already running (pid ${running ?? "?"})`);
  const log = openSync(join(node.home, NODE_FILES.logs, NODE_LOG), "a");
  try {
    const child = spawn(
      process.execPath,
      // As bin/shroud.js's shebang runs it (spawned through node, the shebang is not read).
      [
        "--single-threaded-gc",
        "--min-semi-space-size=16",
        "--interrupt-budget=16896",
        ...nodeArgs,
        bin,
        "start",
        "--home",
        node.home,
        "--rest-port",
        String(node.ports.rest),
      ],
      { detached: true, stdio: ["ignore", log, log], env },
    );
    child.unref();
    if (child.pid === undefined) throw new Error(`${node.name}: could not start shroud`);
    writeFileSync(join(node.home, PID_FILE), `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitDead(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return !isAlive(pid);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM (clean stop: cometbft, REST, store, enclave), then SIGKILL of the whole group after `graceMs`. */
export async function stopNodeProcess(node: LocalnetNode, graceMs = 20_000): Promise<void> {
  const pid = pidOf(node);
  if (pid !== undefined && isAlive(pid)) {
    signalGroup(pid, "SIGTERM");
    if (!(await waitDead(pid, graceMs))) signalGroup(pid, "SIGKILL");
    await waitDead(pid, 5_000);
  }
  await killOrphanComet(node);
  rmSync(join(node.home, PID_FILE), { force: true });
}

/**
 * `kill -9` of the application process only (crash test): cometbft, its child, sees the ABCI connection drop
 * and stops on its own; we make sure it is gone before a restart reuses its ports.
 */
export async function crashNodeProcess(node: LocalnetNode): Promise<void> {
  const pid = pidOf(node);
  if (pid !== undefined) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
    await waitDead(pid, 5_000);
  }
  await killOrphanComet(node);
  rmSync(join(node.home, PID_FILE), { force: true });
}

async function killOrphanComet(node: LocalnetNode): Promise<void> {
  const path = join(node.home, NODE_FILES.cometPid);
  if (!existsSync(path)) return;
  const pid = Number(readFileSync(path, "utf8").trim());
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    if (!(await waitDead(pid, 5_000))) {
      process.kill(pid, "SIGKILL");
      await waitDead(pid, 5_000);
    }
  }
  rmSync(path, { force: true });
}

export interface NodeStatus {
  readonly name: string;
  readonly pid: number | undefined;
  readonly running: boolean;
  readonly height: number | undefined;
  readonly appHash: string | undefined;
  readonly peers: number | undefined;
}

async function rpc(port: number, path: string): Promise<Record<string, unknown> | undefined> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2_000) });
    const j = (await r.json()) as { result?: Record<string, unknown> };
    return j.result;
  } catch {
    return undefined;
  }
}

export async function nodeStatus(node: LocalnetNode): Promise<NodeStatus> {
  const pid = pidOf(node);
  const st = (await rpc(node.ports.rpc, "/status")) as
    { sync_info: { latest_block_height: string; latest_app_hash: string } } | undefined;
  const net = (await rpc(node.ports.rpc, "/net_info")) as { n_peers: string } | undefined;
  return {
    name: node.name,
    pid,
    running: isAlive(pid),
    height: st === undefined ? undefined : Number(st.sync_info.latest_block_height),
    appHash: st?.sync_info.latest_app_hash,
    peers: net === undefined ? undefined : Number(net.n_peers),
  };
}
