// Events compute emits (secretjs-compat §3), as SN's msg_server.go and keeper.go emit them: the handlers'
// `message` events ({module, sender, …}: runTx's baseapp event then omits `module`, SDK 0.50 createEvents), the
// keeper's per-call events, one `wasm` event per contract call and `wasm-<type>` custom events.
import type { Event, EventManager } from "../../tx/context.js";
import { isObj } from "./json.js";

function pairs(list: unknown): [string, string][] {
  if (!Array.isArray(list)) return [];
  const out: [string, string][] = [];
  for (const a of list)
    if (isObj(a) && typeof a.key === "string" && typeof a.value === "string") out.push([a.key, a.value]);
  return out;
}

/** SN ModuleName: the `module` attribute of compute's `message` events (types/keys.go). */
const MODULE = "compute";

/**
 * The `message` event each compute handler emits (SN msg_server.go): `{module, sender}`, then `signer` (store
 * code) or `contract_address` (instantiate, execute). Migrate and the admin messages emit no address here (their
 * keeper events carry it). Instantiate emits it after the call (its address is known then), the others before.
 */
export function emitMessageEvent(
  events: EventManager,
  sender: string,
  extra?: readonly [key: "signer" | "contract_address", value: string],
): void {
  const attrs: [string, string][] = [
    ["module", MODULE],
    ["sender", sender],
  ];
  if (extra !== undefined) attrs.push([extra[0], extra[1]]);
  events.emit("message", attrs);
}

/** Store code's second `message` event, after the code is stored (SN msg_server.go StoreCode). */
export function emitStoreCode(events: EventManager, codeId: bigint): void {
  events.emit("message", [["code_id", codeId.toString()]]);
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

const byKeyBytes = (a: { key: string }, b: { key: string }): number =>
  Buffer.compare(Buffer.from(a.key, "utf8"), Buffer.from(b.key, "utf8"));

/**
 * What a successful sub-message leaves in its caller's events (SN msg_dispatcher.go DispatchSubmessages):
 * every event but `message` (filterEvents: a sub-message's handler and bank events do not show as the tx's
 * `message`), and for a wasm sub-message each event's attributes stably sorted by key in byte order — SN sorts
 * the slices it has just emitted, in place, so the tx shows them sorted (also at each enclosing wasm level).
 */
export function subMsgEvents(events: readonly Event[], isWasm: boolean): Event[] {
  const kept = events.filter((e) => e.type !== "message");
  if (isWasm) for (const e of kept) e.attributes.sort(byKeyBytes);
  return kept;
}
