// Connecting a client command to a node: the chain id (given or asked from the node, and checked), the
// secretjs SecretNetworkClient with the key's wallet and derived encryption seed, and readable network errors.
import type { Command } from "commander";
import type { SecretNetworkClient } from "secretjs";
import { addClientOptions, CliError, clientFlags, type ClientFlags } from "../common.js";
import { parseBackend, type KeyringBackend } from "../keys/keyring.js";
import { openKeyring } from "../keys/index.js";
import type { DerivedKey } from "../keys/wallet.js";

export interface ConnectFlags extends ClientFlags {
  readonly keyringBackend: KeyringBackend;
}

/** Client options plus `--keyring-backend` (commands that unlock a key). */
export function addConnectOptions(cmd: Command): Command {
  return addClientOptions(cmd).option(
    "--keyring-backend <backend>",
    "file (encrypted) or test (unencrypted)",
    parseBackend,
    "file" as KeyringBackend,
  );
}

export function connectFlags(cmd: Command): ConnectFlags {
  const o = cmd.optsWithGlobals<{ keyringBackend?: KeyringBackend }>();
  return { ...clientFlags(cmd), keyringBackend: o.keyringBackend ?? "file" };
}

/** One readable line for anything secretjs or fetch throws (secretjs throws parsed JSON error bodies). */
export function describeError(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    const code = cause !== null && typeof cause === "object" ? (cause as { code?: unknown }).code : undefined;
    return typeof code === "string" ? `${e.message} (${code})` : e.message;
  }
  if (e !== null && typeof e === "object" && typeof (e as { message?: unknown }).message === "string")
    return (e as { message: string }).message;
  return String(e);
}

/** GET a REST path as JSON; unreachable nodes and non-2xx answers become CliErrors. */
export async function getJson(node: string, path: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(node + path, { signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    throw new CliError(`cannot reach the node at ${node}: ${describeError(e)}`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new CliError(`${node}${path}: HTTP ${res.status}, not JSON (is --node a Shroud/Secret REST URL?)`);
  }
  if (!res.ok) throw new CliError(`${node}${path}: ${describeError(body)} (HTTP ${res.status})`);
  return body;
}

/** The chain id: asked from the node's node_info; `--chain-id` must match it (a wrong one could never sign). */
export async function resolveChainId(flags: ClientFlags): Promise<string> {
  const info = (await getJson(flags.node, "/cosmos/base/tendermint/v1beta1/node_info")) as {
    default_node_info?: { network?: unknown };
  };
  const network = info.default_node_info?.network;
  if (typeof network !== "string" || network === "")
    throw new CliError(`${flags.node}: node_info has no chain id`);
  if (flags.chainId !== undefined && flags.chainId !== network)
    throw new CliError(
      `wrong chain id: --chain-id is ${flags.chainId} but the node at ${flags.node} runs ${network}`,
    );
  return network;
}

export interface Connected {
  readonly client: SecretNetworkClient;
  readonly chainId: string;
  readonly key?: DerivedKey & { readonly name: string };
}

/** A client for `flags.node`; with `from`, signing as that key with its derived encryption seed. */
export async function connect(flags: ConnectFlags, from?: string): Promise<Connected> {
  // The node first: no passphrase prompt for a node that is down or runs another chain.
  const chainId = await resolveChainId(flags);
  const key = from === undefined ? undefined : await openKeyring(flags).unlock(from);
  const { SecretNetworkClient: Client } = await import("secretjs");
  const client = new Client({
    url: flags.node,
    chainId,
    ...(key !== undefined
      ? { wallet: key.wallet, walletAddress: key.address, encryptionSeed: key.encryptionSeed }
      : {}),
  });
  return { client, chainId, ...(key !== undefined ? { key } : {}) };
}

/** Progress lines go to stderr so stdout stays the result (pipe-able JSON). */
export function progress(line: string): void {
  process.stderr.write(line + "\n");
}

/**
 * Wraps a command action: CliErrors pass through, anything else (secretjs, fetch) becomes one readable
 * `Error:` line. `SHROUD_DEBUG=1` keeps the original error (with its stack) for debugging.
 */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      if (e instanceof CliError || process.env.SHROUD_DEBUG === "1") throw e;
      throw new CliError(describeError(e));
    }
  };
}
