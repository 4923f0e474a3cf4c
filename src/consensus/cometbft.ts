// Finding and driving the CometBFT binary (v0.38). Multi-validator networks only; `shroud dev` needs none.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** The CometBFT release line the ABCI server speaks (spec consensus-storage-perf §2). */
export const COMETBFT_VERSION = "0.38.25";

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
