// The contract operations inside the enclave (SN contract-engine/src/contract_operations.rs): decrypt and
// check the input (spec §4.2, §7.2), authenticate or create the contract key (§6.1–6.2), run the VM over
// encrypted storage and the encrypting querier, then encrypt the outputs (§5, §7). Gas is always reported,
// also on failure (DESIGN.md rule 2), through `OperationError.gasUsed`.
import { lowerHex } from "../byteMemo.js";
import { EncryptedStorage } from "../encryptedStorage.js";
import { EnclaveError } from "../errors.js";
import { addressMemoSize, Bech32Api } from "../vm/addressApi.js";
import { callEntryPoint, parseContractResult, type ContractResult, type EntryPoint } from "../vm/calls.js";
import { v010EnvJson, v1EnvJson, v1MessageInfoJson } from "../vm/environment.js";
import { inspectModule, type InterfaceVersion } from "../vm/instance.js";
import { bindingOf, checkInput } from "./checkInput.js";
import { processOutput, processQueryOutput, type OutputContext, type ProcessedOutput } from "./output.js";
import { EncryptingQuerier } from "./querier.js";
import { deriveEnvRandom } from "./random.js";
import { vmErrorToEnclave } from "./vmErrors.js";
import type { ContractCallInput, ContractCallOutput, ContractServices } from "./types.js";

/** A coded failure plus the gas used up to it. */
export class OperationError extends Error {
  constructor(
    readonly error: EnclaveError,
    readonly gasUsed: bigint,
  ) {
    super(error.message);
  }
}

const api = new Bech32Api();

export { canonical } from "./checkInput.js";

/** Addresses currently remembered (tests: the bound holds). */
export function canonicalCacheSize(): number {
  return addressMemoSize();
}

/** The entry point's arguments: env and message info JSON, and the contract msg. */
function envBytes(
  input: ContractCallInput,
  version: InterfaceVersion,
  random: Uint8Array | undefined,
  msg: Uint8Array,
) {
  const extras = { codeHashHex: lowerHex(input.codeHash), random };
  const env = version === "v1" ? v1EnvJson(input.env, extras) : v010EnvJson(input.env, extras);
  // Strings: the VM encodes them straight into contract memory (the same bytes as utf8.encode, no copy).
  return { env, info: v1MessageInfoJson(input.env), msg };
}

/** Runs one operation; throws OperationError (with gas) on any failure. */
export function runContract(svc: ContractServices, input: ContractCallInput): ContractCallOutput {
  try {
    return runInner(svc, input);
  } catch (e) {
    if (e instanceof OperationError) throw e;
    if (e instanceof EnclaveError) throw new OperationError(e, 0n);
    throw e;
  }
}

function runInner(svc: ContractServices, input: ContractCallInput): ContractCallOutput {
  const info = inspectModule(input.module);
  const {
    tx,
    msg: contractMsg,
    replyParams,
    encrypted,
    replyOwnParams,
    keyed,
  } = checkedInputOf(svc, input, info.version);
  try {
    const random =
      info.version === "v1" && info.requiresRandom && input.blockRandom !== undefined
        ? deriveEnvRandom(input.blockRandom, input.env.block.height, keyed.latestKey, input.msgCounter)
        : undefined;
    const storage = new EncryptedStorage(svc.store, {
      keys: svc.keys,
      ogContractKey: keyed.ogKey,
      blockTimeNs: input.env.block.timeNanos,
      msgCounter: { height: input.env.block.height, counter: input.msgCounter },
      writable: input.op !== "query",
    });
    const backend = { storage, api, querier: new EncryptingQuerier(svc.query, tx, input.queryDepth) };
    const entry: EntryPoint = input.op;
    const call = callEntryPoint(
      input.module,
      { backend, gasLimit: input.gasLimit, readonly: input.op === "query", debugSink: svc.debugSink },
      entry,
      envBytes(input, info.version, random, contractMsg),
    );
    if (!call.ok) {
      storage.discard();
      throw new OperationError(vmErrorToEnclave(call.error), call.gasUsed);
    }
    const result = parseResult(call.output, info.version, call.gasUsed);
    const ctx: OutputContext = {
      keys: svc.keys,
      tx: encrypted ? tx : undefined,
      ownCodeHashHex: lowerHex(input.codeHash),
      contractAddress: input.env.contract.address,
      replyParams: input.op === "reply" ? replyOwnParams : replyParams,
    };
    // Outputs are built before anything is written, so a refused output (or a contract error) leaves no state.
    const output = buildOutput(input.op, ctx, result, info.version, call.gasUsed, storage);
    const gasUsed = finishStorage(input.op, output, storage, random, call.gasUsed);
    return { output, gasUsed, ...keyed.extra };
  } finally {
    tx.dispose();
  }
}

function buildOutput(
  op: ContractCallInput["op"],
  ctx: OutputContext,
  result: ContractResult,
  version: InterfaceVersion,
  gasUsed: bigint,
  storage: EncryptedStorage,
): ProcessedOutput {
  try {
    return op === "query" ? processQueryOutput(ctx, result, version) : processOutput(ctx, result, version);
  } catch (e) {
    storage.discard();
    if (e instanceof EnclaveError) throw new OperationError(e, gasUsed);
    throw new OperationError(new EnclaveError("FailedToDeserialize", "contract output"), gasUsed);
  }
}

/** Flushes the write cache after a successful non-query call (else discards it); returns the final gas. */
function finishStorage(
  op: ContractCallInput["op"],
  output: ProcessedOutput,
  storage: EncryptedStorage,
  random: Uint8Array | undefined,
  vmGas: bigint,
): bigint {
  if (output.err !== undefined || op === "query") {
    storage.discard();
    return vmGas;
  }
  const f = storage.flush(random);
  return (vmGas > f.refund ? vmGas - f.refund : 0n) + f.gas;
}

function parseResult(output: Uint8Array, version: InterfaceVersion, gasUsed: bigint) {
  try {
    return parseContractResult(output, version);
  } catch (e) {
    throw new OperationError(vmErrorToEnclave(e), gasUsed);
  }
}

/**
 * The checked input (./checkInput.ts): the one prepared ahead for an equal binding when the services hold one
 * (../ecalls/prepare.ts), else the checks run here. The same outcome either way, errors included.
 */
function checkedInputOf(svc: ContractServices, input: ContractCallInput, version: InterfaceVersion) {
  const verify = svc.verifyTxSignatures !== false;
  const { binding, verdict } = bindingOf(input.op, input);
  const ahead = svc.prepared?.(svc.keys, binding, verify);
  if (ahead === undefined) return checkInput(svc.keys, binding, verdict, verify, version);
  if ("error" in ahead) throw ahead.error;
  return ahead.ok;
}
