// The production Api: bech32 addresses with Secret's prefix "secret" (SN cosmwasm-types v0.10
// consts.rs BECH32_PREFIX_ACC_ADDR) and 20-byte canonical addresses. Error strings follow SN
// wasm3/mod.rs (`host_addr_validate`, `host_addr_canonicalize`). Gas is 0: the VM charges Secret's
// fixed cost itself (./gas.ts HOST_GAS).
import { bech32 } from "@scure/base";
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

export function humanize(canonical: Uint8Array): string {
  return bech32.encode(BECH32_PREFIX, bech32.toWords(canonical), 90);
}

export class Bech32Api implements Api {
  addrValidate(human: string): { error?: string; gas: GasInfo } {
    const d = decode(human);
    if ("error" in d) return { error: d.error, gas: NO_GAS };
    // Secret re-encodes and requires equality: upper case or another prefix is "not normalized".
    if (humanize(d.canonical) !== human) return { error: "Address is not normalized", gas: NO_GAS };
    return { gas: NO_GAS };
  }

  addrCanonicalize(human: string): { canonical?: Uint8Array; error?: string; gas: GasInfo } {
    const d = decode(human);
    return "error" in d ? { error: d.error, gas: NO_GAS } : { canonical: d.canonical, gas: NO_GAS };
  }

  addrHumanize(canonical: Uint8Array): { human?: string; error?: string; gas: GasInfo } {
    if (canonical.length === 0) return { error: "Input is empty", gas: NO_GAS };
    return { human: humanize(canonical), gas: NO_GAS };
  }
}
