// The production Api: bech32 addresses with Secret's prefix "secret" (SN cosmwasm-types v0.10
// consts.rs BECH32_PREFIX_ACC_ADDR) and 20-byte canonical addresses. Error strings follow SN
// wasm3/mod.rs (`host_addr_validate`, `host_addr_canonicalize`). Gas is 0: the VM charges Secret's
// fixed cost itself (./gas.ts HOST_GAS).
import { bech32 } from "@scure/base";
import { byteString, GenerationMemo } from "../byteMemo.js";
import type { Api, GasInfo } from "./backend.js";

export const BECH32_PREFIX = "secret";
/** Canonical address length on Secret (Cosmos SDK account addresses). */
export const CANONICAL_ADDRESS_LENGTH = 20;
const NO_GAS: GasInfo = { cost: 0n };

type Decoded = { canonical: Uint8Array } | { error: string };

function decode(human: string): Decoded {
  if (human.length === 0) return { error: "Input is empty" };
  let prefix: string;
  let words: number[];
  try {
    const d = bech32.decode(human as `${string}1${string}`, 90);
    prefix = d.prefix;
    words = d.words;
  } catch (e) {
    return { error: e instanceof Error ? e.message : "invalid bech32" };
  }
  if (prefix !== BECH32_PREFIX) return { error: `wrong address prefix: "${prefix}"` };
  let canonical: Uint8Array;
  try {
    canonical = bech32.fromWords(words);
  } catch {
    return { error: "invalid bech32 data" };
  }
  return { canonical };
}

/**
 * Memos of public address conversions: bech32 with its checksum costs ~2–4 µs and a SNIP-20 transfer converts
 * the same few addresses several times (the signature check humanizes sender and contract, the contract
 * validates addresses). Pure functions of their input, so a memo changes nothing but time. Generations (young,
 * then old; both dropped in turn), as `canonical` in ../contract/operations.ts: ≤ 2 × PER_GENERATION each.
 */
const PER_GENERATION = 1024;
/** Longest input remembered (longer ones are converted each time; canonical addresses are 20–32 bytes). */
const MEMO_MAX_LENGTH = 64;

const humanMemo = new GenerationMemo<string>(PER_GENERATION);
/** Human addresses that decoded, and their canonical bytes (handed out as copies). */
const canonicalMemo = new GenerationMemo<Uint8Array>(PER_GENERATION);

function decodeMemo(human: string): Decoded {
  if (human.length > MEMO_MAX_LENGTH * 2) return decode(human);
  const hit = canonicalMemo.get(human);
  if (hit !== undefined) return { canonical: hit.slice() };
  const d = decode(human);
  if ("canonical" in d) canonicalMemo.set(human, d.canonical.slice());
  return d;
}

export function humanize(canonical: Uint8Array): string {
  if (canonical.length > MEMO_MAX_LENGTH) return bech32.encode(BECH32_PREFIX, bech32.toWords(canonical), 90);
  const k = byteString(canonical);
  let h = humanMemo.get(k);
  if (h === undefined) {
    h = bech32.encode(BECH32_PREFIX, bech32.toWords(canonical), 90);
    humanMemo.set(k, h);
  }
  return h;
}

/** Entries held by the memos (tests: the bound holds). */
export function addressMemoSize(): number {
  return humanMemo.size + canonicalMemo.size;
}

export class Bech32Api implements Api {
  addrValidate(human: string): { error?: string; gas: GasInfo } {
    const d = decodeMemo(human);
    if ("error" in d) return { error: d.error, gas: NO_GAS };
    // Secret re-encodes and requires equality: upper case or another prefix is "not normalized".
    if (humanize(d.canonical) !== human) return { error: "Address is not normalized", gas: NO_GAS };
    return { gas: NO_GAS };
  }

  addrCanonicalize(human: string): { canonical?: Uint8Array; error?: string; gas: GasInfo } {
    const d = decodeMemo(human);
    return "error" in d ? { error: d.error, gas: NO_GAS } : { canonical: d.canonical, gas: NO_GAS };
  }

  addrHumanize(canonical: Uint8Array): { human?: string; error?: string; gas: GasInfo } {
    if (canonical.length === 0) return { error: "Input is empty", gas: NO_GAS };
    return { human: humanize(canonical), gas: NO_GAS };
  }
}
