// Events the bank module emits, SDK v0.50 shapes (x/bank/types/events.go, keeper/send.go). Each returns before
// building its attributes when the manager discards events (a RECHECK).
import { toBech32 } from "../../address.js";
import { coinsToString, type Coin } from "../../tx/coins.js";
import { attr, type EventManager } from "../../tx/context.js";

export const EventTypeTransfer = "transfer";
export const EventTypeCoinSpent = "coin_spent";
export const EventTypeCoinReceived = "coin_received";
export const EventTypeCoinMint = "coinbase";
export const EventTypeCoinBurn = "burn";
export const EventTypeMessage = "message";

export function emitCoinSpent(ev: EventManager, spender: Uint8Array, amt: readonly Coin[]): void {
  if (ev.discard) return;
  ev.emitBuilt(EventTypeCoinSpent, [attr("spender", toBech32(spender)), attr("amount", coinsToString(amt))]);
}

export function emitCoinReceived(ev: EventManager, receiver: Uint8Array, amt: readonly Coin[]): void {
  if (ev.discard) return;
  ev.emitBuilt(EventTypeCoinReceived, [
    attr("receiver", toBech32(receiver)),
    attr("amount", coinsToString(amt)),
  ]);
}

/** `transfer` with sender (SendCoins) or without it (each MultiSend output, SDK v0.50 InputOutputCoins). */
export function emitTransfer(
  ev: EventManager,
  recipient: Uint8Array,
  sender: Uint8Array | undefined,
  amt: readonly Coin[],
): void {
  if (ev.discard) return;
  const r = attr("recipient", toBech32(recipient));
  const a = attr("amount", coinsToString(amt));
  ev.emitBuilt(EventTypeTransfer, sender === undefined ? [r, a] : [r, attr("sender", toBech32(sender)), a]);
}

/** `message` with `sender` (SendCoins/InputOutputCoins add this besides the baseapp message event). */
export function emitMessageSender(ev: EventManager, sender: Uint8Array): void {
  if (ev.discard) return;
  ev.emitBuilt(EventTypeMessage, [attr("sender", toBech32(sender))]);
}

export function emitMint(ev: EventManager, minter: Uint8Array, amt: readonly Coin[]): void {
  if (ev.discard) return;
  ev.emit(EventTypeCoinMint, [
    ["minter", toBech32(minter)],
    ["amount", coinsToString(amt)],
  ]);
}

export function emitBurn(ev: EventManager, burner: Uint8Array, amt: readonly Coin[]): void {
  if (ev.discard) return;
  ev.emit(EventTypeCoinBurn, [
    ["burner", toBech32(burner)],
    ["amount", coinsToString(amt)],
  ]);
}
