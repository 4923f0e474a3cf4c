// `shroud keys …`: the file keyring (coin type 529). Filled in by the keys work; see ../README.md.
import type { Command } from "commander";

export function registerKeysCommands(_program: Command): void {
  // Filled in by the work that owns this folder.
}
