// `shroud tx …`: build, sign (secretjs), broadcast and wait for transactions. See ../README.md.
import type { Command } from "commander";

/** `tx` is the group created by main.ts; subcommands (bank, compute, staking, gov) attach to it. */
export function registerTxCommands(_tx: Command): void {
  // Filled in by the work that owns this folder.
}

/** `query compute …` (encrypted smart queries, decrypting your own past txs) attaches to main.ts's `query`. */
export function registerComputeQueryCommands(_query: Command): void {
  // Filled in by the work that owns this folder.
}
