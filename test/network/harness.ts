// Test harness for localnets: a fresh localnet folder on free loopback ports, its `shroud start` processes, RPC
// helpers, and a per-height comparison of every node's chain. Every process it starts is killed at the end,
// and at process exit too (SIGKILL of each node's process group), so a failing test leaves nothing behind.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findCometbft } from "../../src/consensus/cometbft.js";
import { freeNodePortBase } from "../util/net.js";
import { readLocalnet, type LocalnetInfo, type LocalnetNode } from "../../src/cli/localnet/create.js";
import {
  crashNodeProcess,
  isAlive,
  pidOf,
  startNodeProcess,
  stopNodeProcess,
} from "../../src/cli/localnet/processes.js";

export const cometbft = findCometbft();
export const SKIP = cometbft === undefined ? "cometbft not installed (scripts/setup-cometbft.sh)" : false;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const ROOT = new URL("../..", import.meta.url).pathname;
const ENV = { ...process.env, SHROUD_FROM_SOURCE: "1" };
/**
 * The mempool mode of a localnet whose test does not choose one: app, as `shroud localnet` creates them;
 * `SHROUD_TEST_MEMPOOL=comet` runs those tests (the fault files) on CometBFT's mempool instead.
 */
export const DEFAULT_MEMPOOL: "comet" | "app" = process.env.SHROUD_TEST_MEMPOOL === "comet" ? "comet" : "app";
/** The environment of nodes that run a compiled copy (bin/shroud.js then runs dist/, see snapshotCode). */
const COMPILED_ENV = { ...process.env, SHROUD_FROM_SOURCE: "0" };

/** A child process with its stdout+stderr collected and its exit code awaited. */
export interface Proc {
  child: ChildProcess;
  out: string[];
  exit: Promise<number | null>;
}

/** Spawns `cmd args` in the repo root with the sources' environment, collecting its output. */
export function runProc(cmd: string, args: string[]): Proc {
  const child = spawn(cmd, args, { cwd: ROOT, env: ENV, stdio: ["ignore", "pipe", "pipe"] });
  const out: string[] = [];
  child.stdout.on("data", (d: Buffer) => out.push(d.toString()));
  child.stderr.on("data", (d: Buffer) => out.push(d.toString()));
  const exit = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      resolve(code);
    });
  });
  return { child, out, exit };
}

/**
 * A frozen copy of the sources the nodes run: other work edits this tree while a test runs, and the enclave's
 * measurement (a hash of its source files) seals each node's keys, so every node must run the code that
 * created the localnet, even after a restart. `compiled`: the copy is also built as `npm run build` builds it
 * (tsc -p tsconfig.build.json, into `<dir>/code/dist`, never this tree's dist/), so bin/shroud.js runs the
 * JavaScript (no tsx loader, no esbuild keepNames); its enclave measures dist/enclave + dist/util instead.
 */
export function snapshotCode(dir: string, compiled = false): string {
  const code = join(dir, "code");
  const parts = ["bin", "src", "package.json", ...(compiled ? ["tsconfig.json", "tsconfig.build.json"] : [])];
  for (const p of parts) cpSync(join(ROOT, p), join(code, p), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(code, "node_modules"));
  if (compiled) {
    const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
    execFileSync(process.execPath, [tsc, "-p", join(code, "tsconfig.build.json")], { stdio: "inherit" });
  }
  return join(code, "bin", "shroud.js");
}

export interface BlockMeta {
  readonly hash: string;
  readonly appHash: string;
}

export class Localnet {
  private readonly started = new Set<number>();
  private constructor(
    readonly dir: string,
    readonly info: LocalnetInfo,
    private readonly bin: string,
    /** The environment every node process gets (SHROUD_FROM_SOURCE set to match the code copy). */
    readonly env: NodeJS.ProcessEnv = ENV,
  ) {
    process.once("exit", () => {
      this.killAllSync();
    });
  }

  /**
   * `opts.compiled`: the nodes run a compiled copy of the code (see snapshotCode), not the sources via tsx.
   * `opts.mempool`: "app" (CometBFT's nop mempool, the nodes' own and their tx gossip) or "comet" (CometBFT's
   * flood mempool); default DEFAULT_MEMPOOL.
   */
  static async create(
    validators: number,
    fullNodes = 0,
    opts: { readonly compiled?: boolean; readonly mempool?: "comet" | "app" } = {},
  ): Promise<Localnet> {
    const dir = mkdtempSync(join(tmpdir(), "shroud-net-"));
    // Below the ephemeral port range (test/util/net.ts).
    const basePort = await freeNodePortBase(validators + fullNodes, 20_000, 32_000);
    const compiled = opts.compiled === true;
    const bin = snapshotCode(dir, compiled);
    const env = compiled ? COMPILED_ENV : ENV;
    const home = join(dir, "net");
    execFileSync(
      process.execPath,
      [bin, "localnet", "--create-only", "--home", home, "--validators", `${validators}`]
        .concat(["--full-nodes", `${fullNodes}`])
        .concat(["--base-port", `${basePort}`])
        .concat(["--mempool", opts.mempool ?? DEFAULT_MEMPOOL]),
      { env, stdio: "ignore" },
    );
    return new Localnet(dir, readLocalnet(home), bin, env);
  }

  node(i: number): LocalnetNode {
    const n = this.info.nodes[i];
    if (n === undefined) throw new Error(`no node ${i}`);
    return n;
  }

  rest(i: number): string {
    return `http://127.0.0.1:${this.node(i).ports.rest}`;
  }

  start(i: number): void {
    this.started.add(startNodeProcess(this.node(i), this.env, this.bin));
  }

  async stop(i: number): Promise<void> {
    await stopNodeProcess(this.node(i));
  }

  async crash(i: number): Promise<void> {
    await crashNodeProcess(this.node(i));
  }

  running(i: number): boolean {
    return isAlive(pidOf(this.node(i)));
  }

  /**
   * The last `lines` lines of node i's shroud and CometBFT logs (each line cut to 240 characters), for a failing
   * assertion's message: a CI failure then says what the node was doing without SHROUD_KEEP_NET.
   */
  logTail(i: number, lines = 12): string {
    const tail = (file: string): string => {
      try {
        const all = readFileSync(join(this.node(i).home, "logs", file), "utf8")
          .trimEnd()
          .split("\n");
        return all
          .slice(-lines)
          .map((l) => l.slice(0, 240))
          .join("\n");
      } catch (e) {
        return `(${e instanceof Error ? e.message : String(e)})`;
      }
    };
    return `--- node ${i} shroud.log\n${tail("shroud.log")}\n--- node ${i} cometbft.log\n${tail("cometbft.log")}`;
  }

  async rpc(i: number, path: string): Promise<any> {
    const r = await fetch(`http://127.0.0.1:${this.node(i).ports.rpc}${path}`, {
      signal: AbortSignal.timeout(5_000),
    });
    return ((await r.json()) as { result: unknown }).result;
  }

  async rpcPost(i: number, method: string, params: Record<string, unknown>): Promise<any> {
    const r = await fetch(`http://127.0.0.1:${this.node(i).ports.rpc}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      signal: AbortSignal.timeout(5_000),
    });
    return r.json();
  }

  async height(i: number): Promise<number> {
    try {
      const st = await this.rpc(i, "/status");
      return Number(st.sync_info.latest_block_height);
    } catch {
      return -1;
    }
  }

  /** Waits until every node in `nodes` is at `height` or more; returns false on timeout. */
  async waitHeight(nodes: readonly number[], height: number, timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const hs = await Promise.all(nodes.map((i) => this.height(i)));
      if (hs.every((h) => h >= height)) return true;
      await sleep(300);
    }
    return false;
  }

  /** Block hash and header app hash of heights from..to on node i (CometBFT /blockchain, ≤ 20 per call). */
  async metas(i: number, from: number, to: number): Promise<Map<number, BlockMeta>> {
    const out = new Map<number, BlockMeta>();
    for (let hi = to; hi >= from; hi -= 20) {
      const lo = Math.max(from, hi - 19);
      const r = await this.rpc(i, `/blockchain?minHeight=${lo}&maxHeight=${hi}`);
      for (const m of r.block_metas as {
        block_id: { hash: string };
        header: { height: string; app_hash: string };
      }[]) {
        out.set(Number(m.header.height), { hash: m.block_id.hash, appHash: m.header.app_hash });
      }
    }
    return out;
  }

  /** Asserts-by-return: heights where two of `nodes` disagree on the block or the app hash (empty = none). */
  async divergences(nodes: readonly number[], from: number, to: number): Promise<string[]> {
    const views = await Promise.all(nodes.map((i) => this.metas(i, from, to)));
    const bad: string[] = [];
    for (let h = from; h <= to; h++) {
      const first = views[0]!.get(h);
      if (first === undefined) {
        bad.push(`height ${h}: missing on node ${nodes[0]!}`);
        continue;
      }
      views.forEach((v, k) => {
        const m = v.get(h);
        if (m === undefined || m.hash !== first.hash || m.appHash !== first.appHash)
          bad.push(`height ${h}: node ${nodes[k]!} has ${m?.hash ?? "nothing"}/${m?.appHash ?? ""}`);
      });
    }
    return bad;
  }

  async close(): Promise<void> {
    await Promise.all(this.info.nodes.map((n) => stopNodeProcess(n, 5_000)));
    // SHROUD_KEEP_NET=1 keeps the folder (node logs) for a post-mortem.
    if (process.env.SHROUD_KEEP_NET === "1") process.stderr.write(`localnet kept in ${this.dir}\n`);
    else rmSync(this.dir, { recursive: true, force: true });
  }

  private killAllSync(): void {
    for (const n of this.info.nodes) {
      const pid = pidOf(n);
      for (const p of [pid, ...this.started]) {
        if (p === undefined) continue;
        try {
          process.kill(-p, "SIGKILL");
        } catch {
          // gone
        }
      }
    }
  }
}
