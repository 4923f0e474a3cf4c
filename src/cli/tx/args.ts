// Argument parsers of the tx and compute-query commands: coins, bech32 addresses, code ids, contract JSON,
// files. Each failure is a CliError naming the argument, checked before anything touches the network.
import { existsSync, readFileSync, statSync } from "node:fs";
import { bech32 } from "@scure/base";
import { CliError } from "../common.js";

export interface Coin {
  readonly denom: string;
  readonly amount: string;
}

// Cosmos SDK denom rule (types/coin.go reDnmString): a letter, then 2..127 of [a-zA-Z0-9/:._-].
const COIN_RE = /^([0-9]+)([a-zA-Z][a-zA-Z0-9/:._-]{2,127})$/;
const MAX_UINT256 = (1n << 256n) - 1n;

/** `"10uscrt,5ufoo"` → coins (secretd's coin syntax). Empty input means "no coins" only when `allowEmpty`. */
export function parseCoins(input: string, what: string, allowEmpty = false): Coin[] {
  const s = input.trim();
  if (s === "") {
    if (allowEmpty) return [];
    throw new CliError(`${what}: empty coin string`);
  }
  const coins = s.split(",").map((part) => {
    const m = COIN_RE.exec(part.trim());
    if (m === null)
      throw new CliError(`${what}: invalid coin ${JSON.stringify(part)} (expected e.g. 1000uscrt)`);
    const amount = BigInt(m[1] ?? "");
    if (amount > MAX_UINT256) throw new CliError(`${what}: amount too large in ${JSON.stringify(part)}`);
    return { denom: m[2] ?? "", amount: amount.toString() };
  });
  const denoms = new Set(coins.map((c) => c.denom));
  if (denoms.size !== coins.length) throw new CliError(`${what}: duplicate denom in ${JSON.stringify(s)}`);
  return coins;
}

export function parseCoin(input: string, what: string): Coin {
  const coins = parseCoins(input, what);
  if (coins.length !== 1) throw new CliError(`${what}: expected one coin, got ${coins.length}`);
  return coins[0]!;
}

/** A bech32 address with the given prefix (`secret`, `secretvaloper`) and a 20..32-byte payload. */
export function parseAddress(input: string, what: string, prefix = "secret"): string {
  let decoded;
  try {
    decoded = bech32.decodeToBytes(input);
  } catch {
    throw new CliError(`${what}: invalid bech32 address ${JSON.stringify(input)}`);
  }
  if (decoded.prefix !== prefix)
    throw new CliError(
      `${what}: expected a ${prefix}1… address, got prefix ${JSON.stringify(decoded.prefix)}`,
    );
  if (decoded.bytes.length !== 20 && decoded.bytes.length !== 32)
    throw new CliError(`${what}: address must hold 20 or 32 bytes, got ${decoded.bytes.length}`);
  return input;
}

export function parseCodeId(input: string, what = "code_id"): string {
  if (!/^[1-9][0-9]{0,19}$/.test(input) || BigInt(input) > 0xffffffffffffffffn)
    throw new CliError(`${what}: expected a positive integer, got ${JSON.stringify(input)}`);
  return input;
}

/** Contract messages are JSON objects (the enclave JSON-parses them after decryption). */
export function parseJsonObject(input: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(input);
  } catch (e) {
    throw new CliError(`${what}: invalid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw new CliError(`${what}: must be a JSON object`);
  return v as Record<string, unknown>;
}

export function readFileArg(path: string, what: string, maxBytes: number): Buffer {
  if (!existsSync(path)) throw new CliError(`${what}: file not found: ${path}`);
  const st = statSync(path);
  if (!st.isFile()) throw new CliError(`${what}: not a regular file: ${path}`);
  if (st.size > maxBytes) throw new CliError(`${what}: ${path} is ${st.size} bytes, more than ${maxBytes}`);
  return readFileSync(path);
}

export function parsePositiveInt(input: string, what: string): number {
  const n = Number(input);
  if (!/^[0-9]+$/.test(input) || !Number.isSafeInteger(n) || n <= 0)
    throw new CliError(`${what}: expected a positive integer, got ${JSON.stringify(input)}`);
  return n;
}

/** `1.3` → 1.3; a positive finite decimal (gas adjustment, gas price amounts). */
export function parsePositiveDecimal(input: string, what: string): number {
  const n = Number(input);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(input) || !Number.isFinite(n) || n <= 0)
    throw new CliError(`${what}: expected a positive decimal, got ${JSON.stringify(input)}`);
  return n;
}

/** Human size for progress lines: 1.2 MiB, 138.5 KiB, 512 B. */
export function formatBytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}
