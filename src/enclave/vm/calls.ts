// Calling contract entry points: write env/info/msg into contract memory, call the export, read the
// result region, and turn every failure into a VmError while keeping the gas used (DESIGN.md rule 2).
// Argument layouts follow SN wasm3/mod.rs `Engine::{init,handle,query,migrate}`.
import { utf8 } from "../../util/bytes.js";
import { VmError } from "./errors.js";
import { writeToContract, writeUtf8ToContract } from "./imports.js";
import type { ContractInstance, InstanceOptions, InterfaceVersion } from "./instance.js";
import { acquireInstance, releaseInstance } from "./pool.js";
import { MAX_LENGTH_CONTRACT_RESULT, readRegion } from "./memory.js";
import { Wasm, type WasmModule } from "./webassembly.js";

/** v1: instantiate/execute(env, info, msg), query/migrate/reply(env, msg). v0.10: init/handle/migrate(env, msg), query(msg). */
export type EntryPoint = "instantiate" | "execute" | "query" | "migrate" | "reply";

/** The export name and argument list of `entry` for an interface version. */
function exportFor(
  version: InterfaceVersion,
  entry: EntryPoint,
): { name: string; args: ("env" | "info" | "msg")[] } {
  if (version === "v1") {
    if (entry === "instantiate" || entry === "execute") return { name: entry, args: ["env", "info", "msg"] };
    return { name: entry, args: ["env", "msg"] };
  }
  switch (entry) {
    case "instantiate":
      return { name: "init", args: ["env", "msg"] };
    case "execute":
      return { name: "handle", args: ["env", "msg"] };
    case "query":
      return { name: "query", args: ["msg"] };
    case "migrate":
      return { name: "migrate", args: ["env", "msg"] };
    case "reply":
      throw new VmError("InvalidWasm", "CosmWasm v0.10 contracts have no reply entry point");
  }
}

/** The entry point's arguments; env and info as bytes or as a string, written to the contract as its UTF-8. */
export interface CallArgs {
  /** Env JSON (see ./environment.ts). */
  readonly env: Uint8Array | string;
  /** v1 MessageInfo JSON (instantiate/execute only). */
  readonly info?: Uint8Array | string;
  readonly msg: Uint8Array;
}

export type CallOutcome =
  | {
      readonly ok: true;
      readonly output: Uint8Array;
      readonly gasUsed: bigint;
      readonly version: InterfaceVersion;
    }
  | { readonly ok: false; readonly error: VmError; readonly gasUsed: bigint };

/** Maps anything thrown out of wasm to a VmError (out-of-gas wins when the meter is exhausted). */
export function toVmError(e: unknown, inst: ContractInstance | undefined): VmError {
  if (inst?.gas.isExhausted() === true) return new VmError("OutOfGas", "out of gas");
  if (inst?.callDepthExceeded() === true)
    return new VmError("RuntimeError", "wasm trap: call stack budget exhausted");
  if (e instanceof VmError) return e;
  if (e instanceof Wasm.RuntimeError) return new VmError("RuntimeError", `wasm trap: ${e.message}`);
  if (e instanceof RangeError) return new VmError("RuntimeError", `wasm trap: ${e.message}`);
  return new VmError("RuntimeError", e instanceof Error ? e.message : "unknown failure");
}

function invoke(inst: ContractInstance, entry: EntryPoint, a: CallArgs): Uint8Array {
  const { name, args } = exportFor(inst.info.version, entry);
  const f = inst.fn(name);
  // The instance is the allocator itself (no per-call wrapper object and closures).
  const ptrs = args.map((k) => {
    const data = k === "env" ? a.env : k === "msg" ? a.msg : a.info;
    if (data === undefined) throw new VmError("InvalidWasm", `missing ${k} for ${name}`);
    return typeof data === "string" ? writeUtf8ToContract(inst, data, k) : writeToContract(inst, data, k);
  });
  const resultPtr = f(...ptrs);
  if (typeof resultPtr !== "number") throw new VmError("BadResult", `${name} returned no region`);
  return readRegion(inst.memory(), resultPtr >>> 0, MAX_LENGTH_CONTRACT_RESULT, `${name} result`);
}

/**
 * Runs `entry` in an instance that is fresh or indistinguishable from fresh: a reusable module's instance is
 * reset and kept after a clean call (./pool.ts); Secret runs every call in a new instance. `reuse: false`
 * forces a new instance.
 */
export function callEntryPoint(
  module: WasmModule,
  opts: InstanceOptions,
  entry: EntryPoint,
  a: CallArgs,
  reuse = true,
): CallOutcome {
  let inst: ContractInstance | undefined;
  let clean = false;
  try {
    inst = acquireInstance(module, opts, reuse);
    const output = invoke(inst, entry, a);
    clean = true;
    return { ok: true, output, gasUsed: inst.gas.used(), version: inst.info.version };
  } catch (e) {
    const error = toVmError(e, inst);
    const gasUsed = inst === undefined ? 0n : error.kind === "OutOfGas" ? opts.gasLimit : inst.gas.used();
    return { ok: false, error, gasUsed };
  } finally {
    if (inst) releaseInstance(module, inst, clean);
  }
}

/** A contract's own answer: Ok(value) or Err(error), before any encryption. */
export type ContractResult = { readonly ok: unknown } | { readonly err: unknown };

/**
 * Parses the result JSON. Secret's contracts (secret-cosmwasm-std, both interfaces) serialize it as Rust's
 * default `{"Ok":…}` / `{"Err":…}` (SN io.rs `RawWasmOutput`; v1 Err is a string, v0.10 Err a StdError
 * object); upstream CosmWasm 1.x's `{"ok":…}` / `{"error":"…"}` is accepted too.
 */
export function parseContractResult(output: Uint8Array, _version: InterfaceVersion): ContractResult {
  let v: unknown;
  try {
    v = JSON.parse(utf8.decode(output));
  } catch {
    throw new VmError("BadResult", "contract result is not JSON");
  }
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new VmError("BadResult", "result not an object");
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  const only = keys.length === 1 ? keys[0] : undefined;
  if (only === "Ok" || only === "ok") return { ok: o[only] };
  if (only === "Err" || only === "error") return { err: o[only] };
  throw new VmError("BadResult", "contract result is neither ok nor error");
}
