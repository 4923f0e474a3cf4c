// `shroud localnet [--validators N] | stop | status`: several validators on CometBFT on loopback.
import type { Command } from "commander";

export function registerLocalnetCommands(_program: Command): void {
  // Filled in by the work that owns this folder.
}
