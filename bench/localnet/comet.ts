// bench:localnet knobs for CometBFT experiments: config.toml overrides applied to every node before it starts
// (`--comet section.key=value`, A/B of a setting without changing what `shroud localnet` writes), and Go CPU
// profiles of chosen nodes' CometBFT over the load phase (`--pprof <dir>`, CometBFT's rpc.pprof_laddr).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { editCometConfig } from "../../src/consensus/cometbft.js";
import { startNodeProcess } from "../../src/cli/localnet/processes.js";
import type { Localnet } from "../../test/network/harness.js";

/** The pprof port of node i: its p2p port + 4 (the harness only checks +0 … +3 free; +4 … +9 are unused). */
const pprofPort = (net: Localnet, i: number): number => net.node(i).ports.p2p + 4;

/** Every `--comet section.key=value` of argv, as editCometConfig edits (value as TOML: `"10ms"`, `false`). */
export function cometOverrides(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  argv.forEach((a, i) => {
    if (a !== "--comet") return;
    const kv = argv[i + 1] ?? "";
    const eq = kv.indexOf("=");
    if (eq <= 0) throw new Error(`--comet expects section.key=value, got ${kv}`);
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  });
  return out;
}

/** Applies the overrides (and pprof listeners if asked) to every node's config.toml; call before starting. */
export function configureNodes(net: Localnet, edits: Readonly<Record<string, string>>, pprof: boolean): void {
  net.info.nodes.forEach((n, i) => {
    const all = pprof
      ? { ...edits, "rpc.pprof_laddr": JSON.stringify(`127.0.0.1:${pprofPort(net, i)}`) }
      : edits;
    if (Object.keys(all).length > 0) editCometConfig(join(n.home, "comet"), all);
  });
}

/**
 * Starts a `seconds`-long CPU profile of each listed node's CometBFT; the promise resolves when the profiles are
 * written to `dir` as `cometbft-node<i>.pprof` (read them with `go tool pprof -top <file>`).
 */
export async function profileNodes(
  net: Localnet,
  nodes: readonly number[],
  seconds: number,
  dir: string,
): Promise<string[]> {
  return Promise.all(
    nodes.map(async (i) => {
      const url = `http://127.0.0.1:${pprofPort(net, i)}/debug/pprof/profile?seconds=${seconds}`;
      const r = await fetch(url, { signal: AbortSignal.timeout((seconds + 30) * 1000) });
      const path = join(dir, `cometbft-node${i}.pprof`);
      writeFileSync(path, new Uint8Array(await r.arrayBuffer()));
      return path;
    }),
  );
}

/** Each node's CometBFT pid (`<home>/cometbft.pid`, written by `shroud start`); 0 if unreadable. */
export function cometPids(net: Localnet): number[] {
  return net.info.nodes.map((n) => {
    try {
      return Number(readFileSync(join(n.home, "cometbft.pid"), "utf8").trim()) || 0;
    } catch {
      return 0;
    }
  });
}

/**
 * Starts every node; those in `altNodes` run the CometBFT binary `altBin` (COMETBFT_BIN), so one run compares two
 * builds node by node under the same load (`--alt-cometbft <path> --alt-nodes 2,3`). The nodes run the harness's
 * frozen code copy (`<dir>/code`), as `net.start` does.
 */
export function startNodes(
  net: Localnet,
  altBin: string | undefined,
  altNodes: readonly number[],
  prof?: { readonly dir: string; readonly nodes: readonly number[] },
  flags?: { readonly args: readonly string[]; readonly nodes: readonly number[] },
): void {
  const shroud = join(net.dir, "code", "bin", "shroud.js");
  net.info.nodes.forEach((n, i) => {
    const alt = altBin !== undefined && altNodes.includes(i);
    const profiled = prof !== undefined && prof.nodes.includes(i);
    const flagged = flags !== undefined && flags.nodes.includes(i);
    if (!alt && !profiled && !flagged) {
      net.start(i);
      return;
    }
    const env: NodeJS.ProcessEnv = { ...net.env };
    if (alt) env.COMETBFT_BIN = altBin;
    // Node writes each thread's profile (main, enclave workers) when it exits (not settable by NODE_OPTIONS).
    const args = profiled ? ["--cpu-prof", `--cpu-prof-dir=${prof.dir}/node${i}`] : [];
    // After the default node flags, so a later one wins (e.g. `--max-semi-space-size=16`, V8's default).
    if (flagged) args.push(...flags.args);
    startNodeProcess(n, env, shroud, args);
  });
}
