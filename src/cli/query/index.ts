// `shroud query …`: read-only queries over REST (bank, auth, staking, distribution, gov, registration, tx, block).
import type { Command } from "commander";

/** `query` is the group created by main.ts. `query compute …` is registered by ../tx (it shares the key seed). */
export function registerQueryCommands(_query: Command): void {
  // Filled in by the work that owns this folder.
}
