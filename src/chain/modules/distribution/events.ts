// Events the distribution module emits, SDK v0.50 shapes (x/distribution/types/events.go).
import { toBech32 } from "../../address.js";
import type { EventManager } from "../../tx/context.js";
import { VALOPER_PREFIX } from "../staking/keys.js";

const val = (op: Uint8Array): string => toBech32(op, VALOPER_PREFIX);

export function emitCommission(ev: EventManager, amount: string, op: Uint8Array): void {
  ev.emit("commission", [
    ["amount", amount],
    ["validator", val(op)],
  ]);
}

export function emitRewards(ev: EventManager, amount: string, op: Uint8Array): void {
  ev.emit("rewards", [
    ["amount", amount],
    ["validator", val(op)],
  ]);
}

export function emitWithdrawRewards(ev: EventManager, amount: string, op: Uint8Array, del: Uint8Array): void {
  ev.emit("withdraw_rewards", [
    ["amount", amount],
    ["validator", val(op)],
    ["delegator", toBech32(del)],
  ]);
}

export function emitWithdrawCommission(ev: EventManager, amount: string): void {
  ev.emit("withdraw_commission", [["amount", amount]]);
}

export function emitSetWithdrawAddress(ev: EventManager, addr: Uint8Array): void {
  ev.emit("set_withdraw_address", [["withdraw_address", toBech32(addr)]]);
}
