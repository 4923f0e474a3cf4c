// A CometBFT-only localnet for the floor bench (cometFloor.ts): V homes written by the same initNodeHome as
// `shroud localnet` (ports, timeouts, p2p flush, mempool caps, logging, peers), a genesis with the validators in
// it (a do-nothing app answers InitChain with none), and `cometbft node` per home with `noop` or a socket app.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { editCometConfig, findCometbft } from "../../src/consensus/cometbft.js";
import { BLOCK_MAX_BYTES, cometHome, genesisPath, initNodeHome } from "../../src/cli/node/home.js";
import { LOCALNET_TIMEOUTS, nodePorts } from "../../src/cli/localnet/create.js";
import { freeNodePortBase, portFree } from "../../test/util/net.js";

/**
 * `noop`: CometBFT's in-process BaseApplication (no socket); `socket`: noopApp.ts over the ABCI socket; `grpc`:
 * noopApp.ts over our ABCI gRPC server, CometBFT started with `--abci grpc`.
 */
export type FloorApp = "noop" | "socket" | "grpc";

export interface FloorNode {
  readonly home: string;
  readonly rpc: number;
  readonly abci: number;
  readonly pprof: number;
  cometPid: number;
  appPid: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The genesis validator entry of a home (priv_validator_key.json: address, pub_key). */
function validatorOf(home: string, name: string): Record<string, unknown> {
  const key = JSON.parse(
    readFileSync(join(cometHome(home), "config", "priv_validator_key.json"), "utf8"),
  ) as { address: string; pub_key: unknown };
  return { address: key.address, pub_key: key.pub_key, power: "10", name };
}

export class FloorNet {
  private appProf = false;

  private constructor(
    readonly dir: string,
    readonly nodes: FloorNode[],
    private readonly bin: string,
  ) {
    process.once("exit", () => {
      this.killAll();
    });
  }

  /** Writes V homes as `shroud localnet` does, then one genesis holding all V validators. */
  static async create(validators: number): Promise<FloorNet> {
    const bin = findCometbft();
    if (bin === undefined) throw new Error("cometbft not installed (scripts/setup-cometbft.sh)");
    const dir = mkdtempSync(join(tmpdir(), "shroud-floor-"));
    const base = await freeNodePortBase(validators, 43_000);
    const homes = Array.from({ length: validators }, (_, i) => join(dir, `node${i}`));
    const init = (i: number, peers?: readonly string[]) =>
      initNodeHome({
        binary: bin,
        home: homes[i]!,
        moniker: `node${i}`,
        ports: nodePorts(base, i),
        loopback: true,
        timeouts: LOCALNET_TIMEOUTS,
        ...(peers === undefined ? {} : { persistentPeers: peers }),
      });
    const ids = homes.map((_, i) => init(i));
    homes.forEach((_, i) =>
      init(
        i,
        ids.flatMap((p, j) => (j === i ? [] : [`${p.nodeId}@127.0.0.1:${nodePorts(base, j).p2p}`])),
      ),
    );
    const g = JSON.parse(readFileSync(genesisPath(homes[0]!), "utf8")) as Record<string, unknown>;
    const params = (g.consensus_params ?? {}) as Record<string, Record<string, unknown>>;
    const genesis = {
      ...g,
      chain_id: "shroud-floor-1",
      consensus_params: { ...params, block: { ...params.block, max_bytes: String(BLOCK_MAX_BYTES) } },
      validators: homes.map((h, i) => validatorOf(h, `node${i}`)),
      app_hash: "",
    };
    for (const h of homes) writeFileSync(genesisPath(h), JSON.stringify(genesis, null, 2) + "\n");
    const nodes = homes.map((home, i) => {
      const p = nodePorts(base, i);
      return { home, rpc: p.rpc, abci: p.abci, pprof: p.p2p + 4, cometPid: 0, appPid: 0 };
    });
    return new FloorNet(dir, nodes, bin);
  }

  /** Node i's CometBFT serves Go's pprof on its p2p port + 4 (call before start; as bench:localnet's --pprof). */
  enablePprof(): void {
    this.nodes.forEach((n) => {
      editCometConfig(cometHome(n.home), { "rpc.pprof_laddr": JSON.stringify(`127.0.0.1:${n.pprof}`) });
    });
  }

  /**
   * Starts every node's app (socket / grpc mode: noopApp.ts on its ABCI port) and CometBFT. `appProfDir`: each
   * app runs with `--cpu-prof` into `<dir>/node<i>` (written when close() stops it with SIGTERM). `appFlags`: more
   * `node` options for every app (e.g. `--perf-basic-prof` for `perf record`).
   */
  async start(
    app: FloorApp,
    appProfDir?: string,
    appFlags: readonly string[] = [],
    unix = false,
  ): Promise<void> {
    this.appProf = appProfDir !== undefined;
    for (const [i, n] of this.nodes.entries()) {
      const log = openSync(join(n.home, "cometbft.log"), "a");
      try {
        if (app !== "noop") {
          const script = new URL("./noopApp.ts", import.meta.url).pathname;
          const prof =
            appProfDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${join(appProfDir, `node${i}`)}`];
          const listen = unix ? `unix://${join(n.home, "abci.sock")}` : String(n.abci);
          const c = spawn(process.execPath, [...prof, ...appFlags, "--import", "tsx", script, listen, app], {
            detached: true,
            stdio: ["ignore", log, log],
          });
          n.appPid = c.pid ?? 0;
          c.unref();
          if (unix) await this.waitFile(join(n.home, "abci.sock"));
          else await this.waitPort(n.abci);
        }
        // gRPC takes host:port: CometBFT passes the address to grpc.NewClient, whose DNS resolver rejects `tcp://`.
        const proxy =
          app === "noop"
            ? "noop"
            : unix
              ? `unix://${join(n.home, "abci.sock")}`
              : app === "grpc"
                ? `127.0.0.1:${n.abci}`
                : `tcp://127.0.0.1:${n.abci}`;
        const args = ["node", "--home", cometHome(n.home), `--proxy_app=${proxy}`];
        if (app === "grpc") args.push("--abci", "grpc");
        const c = spawn(this.bin, args, {
          detached: true,
          stdio: ["ignore", log, log],
        });
        n.cometPid = c.pid ?? 0;
        c.unref();
      } finally {
        closeSync(log);
      }
    }
  }

  private async waitFile(path: string): Promise<void> {
    for (let i = 0; i < 300 && !existsSync(path); i++) await sleep(100);
  }

  private async waitPort(port: number): Promise<void> {
    for (let i = 0; i < 300 && (await portFree(port)); i++) await sleep(100);
  }

  async height(i: number): Promise<number> {
    try {
      const r = await fetch(`http://127.0.0.1:${this.nodes[i]!.rpc}/status`, {
        signal: AbortSignal.timeout(2_000),
      });
      const j = (await r.json()) as { result: { sync_info: { latest_block_height: string } } };
      return Number(j.result.sync_info.latest_block_height);
    } catch {
      return -1;
    }
  }

  async waitHeight(height: number, timeoutMs: number): Promise<boolean> {
    const until = performance.now() + timeoutMs;
    while (performance.now() < until) {
      const hs = await Promise.all(this.nodes.map((_, i) => this.height(i)));
      if (hs.every((h) => h >= height)) return true;
      await sleep(300);
    }
    return false;
  }

  /** SIGKILL of every process group this net started (CometBFTs and socket apps). */
  killAll(): void {
    for (const n of this.nodes)
      for (const pid of [n.cometPid, n.appPid]) {
        if (pid <= 0) continue;
        try {
          process.kill(-pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
  }

  async close(): Promise<void> {
    if (this.appProf) {
      // SIGTERM lets each profiled app exit normally, which writes its profile.
      for (const n of this.nodes) if (n.appPid > 0) process.kill(n.appPid, "SIGTERM");
      await sleep(3_000);
    }
    this.killAll();
    await sleep(500);
    if (process.env.SHROUD_KEEP_NET === "1") process.stderr.write(`floor net kept in ${this.dir}\n`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}
