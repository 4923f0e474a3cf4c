// Spawns `node bin/shroud.js dev` as a child process on free ports (port 0: the node prints what it bound) and
// returns the REST and faucet URLs once the node reports it is up; stop() sends SIGINT and returns the exit code.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface DevChild {
  readonly rest: string;
  readonly faucet: string;
  readonly output: () => string;
  /** SIGINT, then the exit code (or the signal name when killed). */
  stop(): Promise<number | string>;
}

const BIN = fileURLToPath(new URL("../../bin/shroud.js", import.meta.url));
const START_TIMEOUT_MS = 60_000;

export async function startDevChild(blockTimeMs: number): Promise<DevChild> {
  const home = mkdtempSync(join(tmpdir(), "shroud-e2e-"));
  const args = [BIN, "dev", "--home", home, "--reset", "--block-time", String(blockTimeMs)];
  args.push("--rpc-port", "0", "--rest-port", "0", "--faucet-port", "0");
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) => {
    child.on("exit", (code, signal) => {
      resolve(code ?? signal ?? "unknown");
    });
  });
  const urls = await new Promise<{ rest: string; faucet: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`shroud dev did not start in time:\n${out}`));
    }, START_TIMEOUT_MS);
    const check = (): void => {
      const rest = /REST \(LCD\) on (http:\/\/\S+)/.exec(out)?.[1];
      const faucet = /faucet on (http:\/\/[^/\s]+)/.exec(out)?.[1];
      if (rest !== undefined && faucet !== undefined && out.includes("shroud dev: chain")) {
        clearTimeout(timer);
        resolve({ rest, faucet });
      }
    };
    child.stdout?.on("data", check);
    void exited.then((c) => {
      clearTimeout(timer);
      reject(new Error(`shroud dev exited early (${String(c)}):\n${out}`));
    });
  });
  return {
    ...urls,
    output: () => out,
    stop: async () => {
      child.kill("SIGINT");
      const code = await exited;
      rmSync(home, { recursive: true, force: true });
      return code;
    },
  };
}
