// Events compute emits (secretjs-compat §3), as SN's msg_server.go and keeper.go emit them: the handlers'
// `message` events ({module, sender, …}: runTx's baseapp event then omits `module`, SDK 0.50 createEvents), the
// keeper's per-call events, one `wasm` event per contract call and `wasm-<type>` custom events.
import type { Event, EventAttribute, EventManager } from "../../tx/context.js";
import { ChainError } from "../../errors.js";
import { ComputeErrors } from "./errors.js";
import { isObj } from "./json.js";

function pairs(list: unknown): [string, string][] {
  if (!Array.isArray(list)) return [];
  const out: [string, string][] = [];
  for (const a of list)
    if (isObj(a) && typeof a.key === "string" && typeof a.value === "string") out.push([a.key, a.value]);
  return out;
}

/** One attribute as EventManager.emit builds it (same fields, same order). */
function attr(key: string, value: string): EventAttribute {
  return { key, value, index: true };
}

/**
 * Appends the event `type` with `attributes` as they are (what `events.emit` does with tuples, without the
 * tuple arrays: these run per contract call). The array must be fresh: sub-message handling sorts it in place.
 */
function emitBuilt(events: EventManager, type: string, attributes: EventAttribute[]): void {
  events.append([{ type, attributes }]);
}

/** Appends the attribute pairs of a contract's list (`{key, value}` strings) except `contract_address`. */
function pushContractAttrs(out: EventAttribute[], list: unknown): void {
  if (!Array.isArray(list)) return;
  for (const a of list)
    if (isObj(a) && typeof a.key === "string" && typeof a.value === "string" && a.key !== "contract_address")
      out.push(attr(a.key, a.value));
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
  const attrs = [attr("module", MODULE), attr("sender", sender)];
  if (extra !== undefined) attrs.push(attr(extra[0], extra[1]));
  emitBuilt(events, "message", attrs);
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
  else emitBuilt(events, op, [attr("contract_address", contract)]);
}

/** SN UpdateContractAdmin's event (`new_admin_address` is "" when the admin is cleared). */
export function emitUpdateAdmin(events: EventManager, contract: string, newAdmin: string): void {
  events.emit("update_contract_admin", [
    ["contract_address", contract],
    ["new_admin_address", newAdmin],
  ]);
}

/** Go strings.TrimSpace: unicode.IsSpace at both ends (not JS trim(), which also strips U+FEFF but not U+0085). */
const GO_SPACE = "[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const GO_TRIM = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, "gu");
export const goTrimSpace = (s: string): string => s.replace(GO_TRIM, "");

/** Why SN refuses a contract's custom event (types.go NewCustomEvents / contractSDKEventAttributes), or undefined. */
function customEventFault(type: string, attrs: readonly [string, string][]): string | undefined {
  const typ = goTrimSpace(type);
  if (Buffer.byteLength(typ, "utf8") <= 2) return `Event type too short: '${typ}'`;
  for (const [k, v] of attrs) {
    const key = goTrimSpace(k);
    if (key === "") return `Empty attribute key. Value: ${v}`;
    if (goTrimSpace(v) === "") return `Empty attribute value. Key: ${key}`;
    if (key.startsWith("_")) return `Attribute key starts with reserved prefix _: '${key}'`;
  }
  return undefined;
}

/**
 * The events of one successful contract call (SN keeper.go handleContractResponse): one `wasm` event always
 * (types.go ContractLogsToSdkEvents: "each wasm invocation always returns one sdk.Event") with contract_address
 * first and any attribute of the contract's own named `contract_address` dropped (the key is reserved); v0.10
 * `log` counts as attributes. Then v1 custom events as `wasm-<type>` with contract_address first, type, keys and
 * values trimmed (Go TrimSpace). A custom event SN refuses (type of ≤ 2 bytes, empty key or value, key starting
 * with `_`) fails the call with `compute 21` "invalid event", wrapped as SN wraps handleContractResponse's
 * error: `dispatch: <why>` from instantiate/execute/migrate, `reply to contract failed` from a reply.
 */
export function emitContractEvents(
  events: EventManager,
  contract: string,
  ok: unknown,
  inReply = false,
): void {
  if (!isObj(ok)) return;
  const attrs = [attr("contract_address", contract)];
  pushContractAttrs(attrs, ok.attributes);
  pushContractAttrs(attrs, ok.log);
  const custom: { type: string; attrs: [string, string][] }[] = [];
  if (Array.isArray(ok.events))
    for (const e of ok.events) {
      if (!isObj(e) || typeof e.type !== "string") continue;
      const ea = pairs(e.attributes);
      const fault = customEventFault(e.type, ea);
      if (fault !== undefined) {
        const invalid = new ChainError(ComputeErrors.InvalidEvent, fault);
        throw inReply
          ? new ChainError(ComputeErrors.ReplyFailed, invalid.message)
          : new ChainError(ComputeErrors.InvalidEvent, `dispatch: ${fault}`);
      }
      custom.push({ type: goTrimSpace(e.type), attrs: ea.map(([k, v]) => [goTrimSpace(k), goTrimSpace(v)]) });
    }
  emitBuilt(events, "wasm", attrs);
  for (const c of custom) events.emit(`wasm-${c.type}`, [["contract_address", contract], ...c.attrs]);
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
