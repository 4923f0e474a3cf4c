// Shared plumbing of the client commands (keys, tx, query): the connection flags every one of them takes
// (`--node`, `--chain-id`, `--home`, `--output`), output printing, and the error type that maps to an exit code.
import { homedir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";

/** Client commands talk to a node's REST (LCD) server, the endpoint secretjs uses; see README. */
export const DEFAULT_NODE = "http://localhost:1317";
export const DEFAULT_CLIENT_HOME = join(homedir(), ".shroud");

export type OutputFormat = "json" | "text";

export interface ClientFlags {
  readonly node: string;
  readonly chainId?: string;
  readonly home: string;
  readonly output: OutputFormat;
}

/** A failure the user caused or can fix: printed as `Error: <message>` with a non-zero exit code, no stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

function parseOutput(v: string): OutputFormat {
  if (v !== "json" && v !== "text")
    throw new CliError(`--output must be json or text, got ${JSON.stringify(v)}`);
  return v;
}

/** Adds the connection flags to `cmd`; `SHROUD_NODE` / `SHROUD_HOME` override the defaults. */
export function addClientOptions(cmd: Command): Command {
  return cmd
    .option("--node <url>", "REST (LCD) URL of the node", process.env.SHROUD_NODE ?? DEFAULT_NODE)
    .option("--chain-id <id>", "chain id (default: asked from the node)")
    .option("--home <dir>", "client home (keyring)", process.env.SHROUD_HOME ?? DEFAULT_CLIENT_HOME)
    .option("--output <format>", "json or text", parseOutput, "text" as OutputFormat);
}

/** Reads the connection flags of a command (including those given on its parents). */
export function clientFlags(cmd: Command): ClientFlags {
  const o = cmd.optsWithGlobals<{ node: string; chainId?: string; home: string; output: OutputFormat }>();
  return {
    node: o.node.replace(/\/+$/, ""),
    home: o.home,
    output: o.output,
    ...(o.chainId !== undefined ? { chainId: o.chainId } : {}),
  };
}

function textLines(value: unknown, indent: string): string[] {
  if (value === null || typeof value !== "object") return [`${indent}${String(value)}`];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (v !== null && typeof v === "object") out.push(`${indent}${k}:`, ...textLines(v, indent + "  "));
    else out.push(`${indent}${k}: ${String(v)}`);
  }
  return out;
}

/** Prints a result: JSON (one document) or an indented `key: value` text form. Bigints print as strings. */
export function printResult(
  value: unknown,
  format: OutputFormat,
  write = (s: string) => process.stdout.write(s),
): void {
  const plain: unknown = JSON.parse(
    JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
  );
  write(format === "json" ? JSON.stringify(plain, null, 2) + "\n" : textLines(plain, "").join("\n") + "\n");
}

/**
 * Enclave workers a node starts for smart queries (src/enclave/lanes.ts): queries then run in parallel with each
 * other and with block execution. Two fit this project's reference 2-core machine (bench:query in BENCHMARKS.md).
 */
export const DEFAULT_QUERY_WORKERS = 2;
