// LocalSecret's published dev accounts and the example contracts, shared by the tests that drive a dev chain
// with secretjs. Kept apart from src/cli/devGenesis.ts on purpose: the tests check the product against this copy.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** `shroud dev`'s chain id, as LocalSecret's. */
export const DEV_CHAIN_ID = "secretdev-1";

// scrtlabs LocalSecret README (accounts a, b); also issue 4 §5.
export const MNEMONIC_A =
  "grant rice replace explain federal release fix clever romance raise often wild taxi quarter soccer fiber love must tape steak together observe swap guitar";
export const MNEMONIC_B =
  "jelly shadow frog dirt dragon use armed praise universe win jungle close inmate rain oil canvas beauty pioneer chef soccer icon dizzy thunder meadow";

/** The bytes of `contracts/build/<name>` (provenance in contracts/testdata/README.md). */
export function contractFile(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../../contracts/build/${name}`, import.meta.url)));
}

/** Lowercase hex sha256: a code hash as secretjs passes it. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
