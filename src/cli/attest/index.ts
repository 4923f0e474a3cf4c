// `shroud init-bootstrap`, `shroud init-enclave` and `shroud tx register auth`: a node's enclave lifecycle.
import type { Command } from "commander";

export function registerEnclaveCommands(_program: Command): void {
  // Filled in by the work that owns this folder.
}

/** `tx register auth` attaches to the `tx` group created by main.ts. */
export function registerRegisterTxCommands(_tx: Command): void {
  // Filled in by the work that owns this folder.
}
