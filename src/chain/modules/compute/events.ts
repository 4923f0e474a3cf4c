// Events compute emits (secretjs-compat §3): `message.code_id` / `message.contract_address`, and per contract
// call a `wasm` event (contract_address first, then the enclave's encrypted attributes) plus `wasm-<type>`
// custom events. runTx adds the baseapp `message` event and `msg_index` to all of them.
import type { EventManager } from "../../tx/context.js";
import { isObj } from "./json.js";

function pairs(list: unknown): [string, string][] {
  if (!Array.isArray(list)) return [];
  const out: [string, string][] = [];
  for (const a of list)
    if (isObj(a) && typeof a.key === "string" && typeof a.value === "string") out.push([a.key, a.value]);
  return out;
}

export function emitStoreCode(events: EventManager, codeId: bigint): void {
  events.emit("message", [["code_id", codeId.toString()]]);
}

export function emitInstantiate(events: EventManager, codeId: bigint, contract: string): void {
  events.emit("message", [
    ["code_id", codeId.toString()],
    ["contract_address", contract],
  ]);
}

/** A v1 contract answer (the enclave's output has `attributes`; a v0.10 one has `log`: ../../../enclave/contract/output.ts). */
export const isV1Answer = (ok: unknown): boolean => isObj(ok) && Array.isArray(ok.attributes);

/**
 * The keeper's own event for one contract call, as SN keeper.go emits it before the contract's events:
 * `instantiate` {contract_address, code_id} and `execute` {contract_address} for v1 contracts only, `migrate`
 * {code_id, contract_address} for both interfaces, `reply` {contract_address}. Sub-message calls emit it too, so a
 * replying contract finds e.g. the child's address in its reply's `instantiate` event, as on Secret.
 */
export function emitCallEvent(
  events: EventManager,
  op: "instantiate" | "execute" | "migrate" | "reply",
  contract: string,
  codeId: bigint,
): void {
  if (op === "instantiate")
    events.emit(op, [
      ["contract_address", contract],
      ["code_id", codeId.toString()],
    ]);
  else if (op === "migrate")
    events.emit(op, [
      ["code_id", codeId.toString()],
      ["contract_address", contract],
    ]);
  else events.emit(op, [["contract_address", contract]]);
}

/** SN UpdateContractAdmin's event (`new_admin_address` is "" when the admin is cleared). */
export function emitUpdateAdmin(events: EventManager, contract: string, newAdmin: string): void {
  events.emit("update_contract_admin", [
    ["contract_address", contract],
    ["new_admin_address", newAdmin],
  ]);
}

export function emitContractAddress(events: EventManager, contract: string): void {
  events.emit("message", [["contract_address", contract]]);
}

/**
 * The events of one successful contract call: one `wasm` event always (wasmd/SN events.go: "each wasm
 * invocation always returns one sdk.Event") with contract_address first; v1 custom events as `wasm-<type>`;
 * v0.10 `log` counts as attributes.
 */
export function emitContractEvents(events: EventManager, contract: string, ok: unknown): void {
  if (!isObj(ok)) return;
  const attrs = [...pairs(ok.attributes), ...pairs(ok.log)];
  events.emit("wasm", [["contract_address", contract], ...attrs]);
  if (!Array.isArray(ok.events)) return;
  for (const e of ok.events) {
    if (!isObj(e) || typeof e.type !== "string") continue;
    events.emit(`wasm-${e.type}`, [["contract_address", contract], ...pairs(e.attributes)]);
  }
}
