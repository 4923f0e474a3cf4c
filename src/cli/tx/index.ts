// `shroud tx …` (build, sign with secretjs, broadcast and wait) and `shroud query compute …`. See ../README.md.
import type { Command } from "commander";
import { registerComputeTxCommands } from "./compute.js";
import { registerCosmosTxCommands } from "./cosmos.js";
import { registerComputeQueries } from "./query.js";

/** `tx` is the group created by main.ts; subcommands (bank, compute, staking, distribution, gov) attach to it. */
export function registerTxCommands(tx: Command): void {
  registerCosmosTxCommands(tx);
  registerComputeTxCommands(tx);
}

/** `query compute …` (encrypted smart queries, decrypting your own past txs) attaches to main.ts's `query`. */
export function registerComputeQueryCommands(query: Command): void {
  registerComputeQueries(query);
}
