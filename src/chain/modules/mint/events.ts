// Events the mint module emits, SDK v0.50 shape (x/mint/abci.go: mint{bonded_ratio, inflation,
// annual_provisions, amount}).
import type { EventManager } from "../../tx/context.js";
import type { Dec } from "../staking/dec.js";

export function emitMint(
  ev: EventManager,
  bondedRatio: Dec,
  inflation: Dec,
  annual: Dec,
  amount: bigint,
): void {
  ev.emit("mint", [
    ["bonded_ratio", bondedRatio.toString()],
    ["inflation", inflation.toString()],
    ["annual_provisions", annual.toString()],
    ["amount", amount.toString()],
  ]);
}
