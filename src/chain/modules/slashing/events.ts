// Events the slashing module emits, SDK v0.50 shapes (x/slashing/types/events.go, keeper/infractions.go).
import { toBech32 } from "../../address.js";
import type { EventManager } from "../../tx/context.js";
import { VALCONS_PREFIX } from "../staking/keys.js";

export const REASON_MISSING_SIGNATURE = "missing_signature";
export const REASON_DOUBLE_SIGN = "double_sign";

export function emitLiveness(ev: EventManager, cons: Uint8Array, missed: bigint, height: bigint): void {
  ev.emit("liveness", [
    ["address", toBech32(cons, VALCONS_PREFIX)],
    ["missed_blocks", missed.toString()],
    ["height", height.toString()],
  ]);
}

export function emitSlash(
  ev: EventManager,
  cons: Uint8Array,
  power: bigint,
  reason: string,
  jailed: boolean,
  burned: bigint,
): void {
  const addr = toBech32(cons, VALCONS_PREFIX);
  const attrs: [string, string][] = [
    ["address", addr],
    ["power", power.toString()],
    ["reason", reason],
  ];
  if (jailed) attrs.push(["jailed", addr]);
  attrs.push(["burned_coins", burned.toString()]);
  ev.emit("slash", attrs);
}
