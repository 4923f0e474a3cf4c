// The contract operations inside the enclave (SN contract-engine/src/contract_operations.rs): decrypt and
// check the input (spec §4.2, §7.2), authenticate or create the contract key (§6.1–6.2), run the VM over
// encrypted storage and the encrypting querier, then encrypt the outputs (§5, §7). Gas is always reported,
// also on failure (DESIGN.md rule 2), through `OperationError.gasUsed`.
import { toHex, utf8 } from "../../util/bytes.js";
import {
  generateAdminProof,
  generateContractKey,
  generateContractKeyProof,
  validateAdminProof,
  validateContractKey,
} from "../contractKey.js";
import { EncryptedStorage } from "../encryptedStorage.js";
import { EnclaveError } from "../errors.js";
import { decryptInput, validateBasicMsg, verifyCallbackSig, TxCrypto, type ReplyParam } from "../io.js";
import { addressMemoSize, Bech32Api } from "../vm/addressApi.js";
import { callEntryPoint, parseContractResult, type ContractResult, type EntryPoint } from "../vm/calls.js";
import { v010EnvJson, v1EnvJson, v1MessageInfoJson } from "../vm/environment.js";
import { inspectModule, type InterfaceVersion } from "../vm/instance.js";
import { processOutput, processQueryOutput, type OutputContext, type ProcessedOutput } from "./output.js";
import { EncryptingQuerier } from "./querier.js";
import { deriveEnvRandom } from "./random.js";
import { decodeReplyInput } from "./reply.js";
import { verifyTxBinding } from "./txSignature.js";
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

/**
 * The canonical bytes of a bech32 address (a fresh copy); InvalidInput when it does not decode. Recent addresses
 * are remembered by the Api's own memo (../vm/addressApi.ts), which every decode goes through.
 */
export function canonical(human: string): Uint8Array {
  const r = api.addrCanonicalize(human);
  if (r.canonical === undefined) throw new EnclaveError("InvalidInput", "address");
  return r.canonical;
}

/** Addresses currently remembered (tests: the bound holds). */
export function canonicalCacheSize(): number {
  return addressMemoSize();
}

/** spec §4.2: a user call must be one of the messages the sender signed (./txSignature.ts). */
function verifySigned(input: ContractCallInput): void {
  if (input.sigInfo === undefined || input.op === "query" || input.op === "reply") {
    throw new EnclaveError("FailedTxVerification");
  }
  const admin = input.admin === undefined ? "" : (api.addrHumanize(input.admin).human ?? "");
  verifyTxBinding(input.sigInfo, {
    op: input.op,
    senderCanonical: canonical(input.env.message.sender),
    senderHuman: input.env.message.sender,
    contractCanonical: canonical(input.env.contract.address),
    contractHuman: input.env.contract.address,
    funds: input.env.message.funds,
    message: input.msg,
    admin,
  });
}

/** Input checks: decrypt, callback signature or tx signature, code hash and reply headers. */
function readInput(svc: ContractServices, input: ContractCallInput) {
  const kind = input.op === "instantiate" ? "init" : input.op === "reply" ? "execute" : input.op;
  const dec = decryptInput(svc.keys, input.msg, kind);
  if (input.callbackSig !== undefined) {
    const ct = dec.wasEncrypted ? dec.secretMessage.ciphertext : dec.plaintext;
    const funds =
      input.op === "migrate"
        ? []
        : input.env.message.funds.map((c) => ({ denom: c.denom, amount: BigInt(c.amount) }));
    verifyCallbackSig(svc.keys, input.callbackSig, ct, funds);
  } else if (input.op !== "query" && svc.verifyTxSignatures !== false) {
    verifySigned(input);
  }
  const { msg, replyParams } = validateBasicMsg(dec.plaintext, input.codeHash);
  const tx = dec.tx ?? new TxCrypto(svc.keys, dec.secretMessage.nonce, dec.secretMessage.userPublicKey);
  return { msg, replyParams, tx, encrypted: dec.wasEncrypted };
}

interface Keyed {
  readonly ogKey: Uint8Array;
  /** The key used for the random (latest key; the new key for migrate). */
  readonly latestKey: Uint8Array;
  readonly extra: Pick<ContractCallOutput, "contractKey" | "adminProof" | "contractKeyProof">;
}

/** §6.1–6.2: create (instantiate), rotate (migrate) or authenticate (others) the contract key. */
function contractKeys(svc: ContractServices, input: ContractCallInput): Keyed {
  const addr = canonical(input.env.contract.address);
  const height = input.env.block.height;
  if (input.op === "instantiate") {
    const key = generateContractKey(
      svc.keys,
      canonical(input.env.message.sender),
      height,
      input.codeHash,
      addr,
    );
    const adminProof = input.admin === undefined ? undefined : generateAdminProof(svc.keys, input.admin, key);
    return { ogKey: key, latestKey: key, extra: { contractKey: key, ...(adminProof ? { adminProof } : {}) } };
  }
  const info = input.contractKey;
  if (info === undefined) throw new EnclaveError("FailedContractAuthentication");
  if (input.op === "migrate") {
    if (input.admin === undefined || input.adminProof === undefined)
      throw new EnclaveError("ValidationFailure");
    // Secret checks the proof against the sender: only the current admin may migrate.
    validateAdminProof(svc.keys, canonical(input.env.message.sender), info.ogContractKey, input.adminProof);
    const og = info.ogContractKey;
    const key = generateContractKey(
      svc.keys,
      canonical(input.env.message.sender),
      height,
      input.codeHash,
      addr,
      og,
    );
    const proof = generateContractKeyProof(svc.keys, addr, input.codeHash, og, key);
    return { ogKey: og, latestKey: key, extra: { contractKey: key, contractKeyProof: proof } };
  }
  validateContractKey(svc.keys, info, addr, input.codeHash);
  return { ogKey: info.ogContractKey, latestKey: info.currentContractKey ?? info.ogContractKey, extra: {} };
}

/** The entry point's arguments: env and message info JSON, and the contract msg. */
function envBytes(
  input: ContractCallInput,
  version: InterfaceVersion,
  random: Uint8Array | undefined,
  msg: Uint8Array,
) {
  const extras = { codeHashHex: toHex(input.codeHash), random };
  const env = version === "v1" ? v1EnvJson(input.env, extras) : v010EnvJson(input.env, extras);
  return { env: utf8.encode(env), info: utf8.encode(v1MessageInfoJson(input.env)), msg };
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
  } = prepareMessage(svc, input, info.version);
  try {
    const keyed = contractKeys(svc, input);
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
      ownCodeHashHex: toHex(input.codeHash),
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

/** The decrypted, checked contract msg (and for reply the Reply JSON built from the encrypted pieces). */
function prepareMessage(svc: ContractServices, input: ContractCallInput, version: InterfaceVersion) {
  if (input.op !== "reply") {
    const r = readInput(svc, input);
    const replyOwnParams: readonly ReplyParam[] | undefined = undefined;
    return { tx: r.tx, msg: r.msg, replyParams: r.replyParams, encrypted: r.encrypted, replyOwnParams };
  }
  if (version !== "v1") throw new EnclaveError("InvalidWasm", "reply needs a CosmWasm v1 contract");
  const r = decodeReplyInput(svc.keys, input.msg, input.codeHash, input.callbackSig);
  return {
    tx: r.tx,
    msg: r.replyJson,
    replyParams: undefined,
    encrypted: r.encrypted,
    replyOwnParams: r.callerParams,
  };
}
