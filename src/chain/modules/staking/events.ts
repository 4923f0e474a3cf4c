// Events the staking module emits, SDK v0.50 shapes (x/staking/types/events.go, keeper/msg_server.go).
import { toBech32 } from "../../address.js";
import type { EventManager } from "../../tx/context.js";
import { VALOPER_PREFIX } from "./keys.js";
import { rfc3339Seconds } from "./time.js";

const val = (op: Uint8Array): string => toBech32(op, VALOPER_PREFIX);

export function emitCreateValidator(ev: EventManager, op: Uint8Array, amount: string): void {
  ev.emit("create_validator", [
    ["validator", val(op)],
    ["amount", amount],
  ]);
}

export function emitEditValidator(ev: EventManager, rate: string, minSelf: string): void {
  ev.emit("edit_validator", [
    ["commission_rate", rate],
    ["min_self_delegation", minSelf],
  ]);
}

export function emitDelegate(
  ev: EventManager,
  op: Uint8Array,
  del: Uint8Array,
  amount: string,
  newShares: string,
): void {
  ev.emit("delegate", [
    ["validator", val(op)],
    ["delegator", toBech32(del)],
    ["amount", amount],
    ["new_shares", newShares],
  ]);
}

export function emitUnbond(
  ev: EventManager,
  op: Uint8Array,
  del: Uint8Array,
  amount: string,
  t: bigint,
): void {
  ev.emit("unbond", [
    ["validator", val(op)],
    ["delegator", toBech32(del)],
    ["amount", amount],
    ["completion_time", rfc3339Seconds(t)],
  ]);
}

export function emitRedelegate(
  ev: EventManager,
  src: Uint8Array,
  dst: Uint8Array,
  del: Uint8Array,
  amount: string,
  t: bigint,
): void {
  ev.emit("redelegate", [
    ["source_validator", val(src)],
    ["destination_validator", val(dst)],
    ["delegator", toBech32(del)],
    ["amount", amount],
    ["completion_time", rfc3339Seconds(t)],
  ]);
}

export function emitCancelUnbonding(
  ev: EventManager,
  op: Uint8Array,
  del: Uint8Array,
  amount: string,
  height: bigint,
): void {
  ev.emit("cancel_unbonding_delegation", [
    ["amount", amount],
    ["validator", val(op)],
    ["delegator", toBech32(del)],
    ["creation_height", height.toString()],
  ]);
}

export function emitCompleteUnbonding(
  ev: EventManager,
  amount: string,
  op: Uint8Array,
  del: Uint8Array,
): void {
  ev.emit("complete_unbonding", [
    ["amount", amount],
    ["validator", val(op)],
    ["delegator", toBech32(del)],
  ]);
}

export function emitCompleteRedelegation(
  ev: EventManager,
  amount: string,
  src: Uint8Array,
  dst: Uint8Array,
  del: Uint8Array,
): void {
  ev.emit("complete_redelegation", [
    ["amount", amount],
    ["source_validator", val(src)],
    ["destination_validator", val(dst)],
    ["delegator", toBech32(del)],
  ]);
}
