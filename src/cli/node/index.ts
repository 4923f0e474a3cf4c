// `shroud init` and `shroud start`: a node's home folder and running it under CometBFT.
import type { Command } from "commander";

export function registerNodeCommands(_program: Command): void {
  // Filled in by the work that owns this folder.
}
