// The state-independent first half of a contract call (SN contract_operations.rs, before the VM starts):
// decrypt and check the input (spec §4.2, §7.2), verify the tx-signature binding, create or authenticate the
// contract key (§6.1–6.2). A pure function of the call's binding (below) and the enclave keys: no gas, no OCALL,
// no state. So it may run ahead of its execute ECALL (../ecalls/prepare.ts) and be reused by an execute with
// an equal binding; ./operations.ts runs it inline otherwise. Either way, the same code on the same inputs.
import {
  generateAdminProof,
  generateContractKey,
  generateContractKeyProof,
  validateAdminProof,
  validateContractKey,
  type ContractKeyInfo,
} from "../contractKey.js";
import { EnclaveError } from "../errors.js";
import { decryptInput, validateBasicMsg, verifyCallbackSig, TxCrypto, type ReplyParam } from "../io.js";
import type { EnclaveKeys } from "../keys.js";
import { Bech32Api } from "../vm/addressApi.js";
import type { Coin } from "../vm/environment.js";
import type { InterfaceVersion } from "../vm/instance.js";
import { decodeReplyInput } from "./reply.js";
import { verifyTxBinding, type SigInfo } from "./txSignature.js";
import type { SignatureVerdict } from "./verdict.js";
import type { ContractCallInput, ContractCallOutput, ContractOp } from "./types.js";

const api = new Bech32Api();

/**
 * Every input the checks below read, and nothing else (the functions here take this type, so the compiler
 * holds them to it). Two calls with equal bindings get equal results from them. The signature's verdict token is
 * apart: it only decides whether the secp256k1 verify runs, never the outcome (./verdict.ts, SECURITY.md).
 */
export interface CallBinding {
  readonly op: ContractOp;
  readonly codeHash: Uint8Array;
  readonly msg: Uint8Array;
  readonly sender: string;
  readonly contract: string;
  readonly funds: readonly Coin[];
  readonly height: bigint;
  readonly contractKey: ContractKeyInfo | undefined;
  readonly sigInfo: Omit<SigInfo, "verdict"> | undefined;
  readonly callbackSig: Uint8Array | undefined;
  readonly admin: Uint8Array | undefined;
  readonly adminProof: Uint8Array | undefined;
}

/** What a binding is taken from: a call input, or a decoded request (../ecalls/prepare.ts) and its op. */
export type BindingSource = Pick<
  ContractCallInput,
  "codeHash" | "env" | "msg" | "contractKey" | "sigInfo" | "callbackSig" | "admin" | "adminProof"
>;

/** The binding of a call (a fresh object; its byte fields are the input's, not copies) and its verdict. */
export function bindingOf(
  op: ContractOp,
  input: BindingSource,
): {
  binding: CallBinding;
  verdict: SignatureVerdict | undefined;
} {
  const s = input.sigInfo;
  const sigInfo =
    s === undefined
      ? undefined
      : {
          signMode: s.signMode,
          signBytes: s.signBytes,
          signature: s.signature,
          txBytes: s.txBytes,
          publicKey: s.publicKey,
        };
  const binding: CallBinding = {
    op,
    codeHash: input.codeHash,
    msg: input.msg,
    sender: input.env.message.sender,
    contract: input.env.contract.address,
    funds: input.env.message.funds,
    height: input.env.block.height,
    contractKey: input.contractKey,
    sigInfo,
    callbackSig: input.callbackSig,
    admin: input.admin,
    adminProof: input.adminProof,
  };
  return { binding, verdict: s?.verdict };
}

/**
 * Structural equality of two bindings: bytes by value, strings/numbers/bigints by ===, arrays element-wise,
 * objects key by key (a key holding undefined counts as absent). Generic on purpose: no field can be forgotten.
 */
export function sameBinding(a: CallBinding, b: CallBinding): boolean {
  return deepEqual(a, b);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && sameBytes(a, b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const k of Object.keys(x)) if (!deepEqual(x[k], y[k])) return false;
  for (const k of Object.keys(y)) if (!(k in x) && y[k] !== undefined) return false;
  return true;
}

/** Up to this many bytes a JS loop compares faster than a native call (and reads no `.buffer`). */
const NATIVE_COMPARE_MIN = 65;

/**
 * Equal bytes. Not constant time, on purpose: a binding holds only bytes the host sent (ciphertexts, signed
 * bytes, signatures, keys' public forms), nothing secret. Long arrays (a tx's bytes, its sign bytes, the
 * encrypted msg of a SNIP-20 transfer) go to one native memcmp (`Buffer.compare` takes any Uint8Array;
 * an array over 64 bytes already lives off V8's heap, so nothing moves).
 */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  if (n >= NATIVE_COMPARE_MIN) return Buffer.compare(a, b) === 0;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The contract key outcome (§6.1–6.2). */
export interface Keyed {
  readonly ogKey: Uint8Array;
  /** The key used for the random (latest key; the new key for migrate). */
  readonly latestKey: Uint8Array;
  readonly extra: Pick<ContractCallOutput, "contractKey" | "adminProof" | "contractKeyProof">;
}

/** What the checks hand the VM half: the tx key (owned: dispose it), the contract msg and the contract key. */
export interface CheckedInput {
  readonly tx: TxCrypto;
  readonly msg: Uint8Array;
  readonly replyParams: readonly ReplyParam[] | undefined;
  readonly encrypted: boolean;
  /** reply: the caller's own reply headers from the msg id. */
  readonly replyOwnParams: readonly ReplyParam[] | undefined;
  readonly keyed: Keyed;
}

/** The canonical bytes of a bech32 address (a fresh copy); InvalidInput when it does not decode. */
export function canonical(human: string): Uint8Array {
  const r = api.addrCanonicalize(human);
  if (r.canonical === undefined) throw new EnclaveError("InvalidInput", "address");
  return r.canonical;
}

/** spec §4.2: a user call must be one of the messages the sender signed (./txSignature.ts). */
function verifySigned(b: CallBinding, verdict: SignatureVerdict | undefined): void {
  const s = b.sigInfo;
  if (s === undefined || b.op === "query" || b.op === "reply") throw new EnclaveError("FailedTxVerification");
  const admin = b.admin === undefined ? "" : (api.addrHumanize(b.admin).human ?? "");
  const sig: SigInfo = {
    signMode: s.signMode,
    signBytes: s.signBytes,
    signature: s.signature,
    txBytes: s.txBytes,
    publicKey: s.publicKey,
    verdict,
  };
  verifyTxBinding(sig, {
    op: b.op,
    senderCanonical: canonical(b.sender),
    senderHuman: b.sender,
    contractCanonical: canonical(b.contract),
    contractHuman: b.contract,
    funds: b.funds,
    message: b.msg,
    admin,
  });
}

/** Input checks: decrypt, callback signature or tx signature, code hash and reply headers. */
function readInput(
  keys: EnclaveKeys,
  b: CallBinding,
  verdict: SignatureVerdict | undefined,
  verify: boolean,
) {
  const kind = b.op === "instantiate" ? "init" : b.op === "reply" ? "execute" : b.op;
  const dec = decryptInput(keys, b.msg, kind);
  try {
    if (b.callbackSig !== undefined) {
      const ct = dec.wasEncrypted ? dec.secretMessage.ciphertext : dec.plaintext;
      const funds =
        b.op === "migrate" ? [] : b.funds.map((c) => ({ denom: c.denom, amount: BigInt(c.amount) }));
      verifyCallbackSig(keys, b.callbackSig, ct, funds);
    } else if (b.op !== "query" && verify) {
      verifySigned(b, verdict);
    }
    const { msg, replyParams } = validateBasicMsg(dec.plaintext, b.codeHash);
    const tx = dec.tx ?? new TxCrypto(keys, dec.secretMessage.nonce, dec.secretMessage.userPublicKey);
    return { msg, replyParams, tx, encrypted: dec.wasEncrypted };
  } catch (e) {
    dec.tx?.dispose();
    throw e;
  }
}

/** §6.1–6.2: create (instantiate), rotate (migrate) or authenticate (others) the contract key. */
function contractKeys(keys: EnclaveKeys, b: CallBinding): Keyed {
  const addr = canonical(b.contract);
  if (b.op === "instantiate") {
    const key = generateContractKey(keys, canonical(b.sender), b.height, b.codeHash, addr);
    const adminProof = b.admin === undefined ? undefined : generateAdminProof(keys, b.admin, key);
    return { ogKey: key, latestKey: key, extra: { contractKey: key, ...(adminProof ? { adminProof } : {}) } };
  }
  const info = b.contractKey;
  if (info === undefined) throw new EnclaveError("FailedContractAuthentication");
  if (b.op === "migrate") {
    if (b.admin === undefined || b.adminProof === undefined) throw new EnclaveError("ValidationFailure");
    // Secret checks the proof against the sender: only the current admin may migrate.
    validateAdminProof(keys, canonical(b.sender), info.ogContractKey, b.adminProof);
    const og = info.ogContractKey;
    const key = generateContractKey(keys, canonical(b.sender), b.height, b.codeHash, addr, og);
    const proof = generateContractKeyProof(keys, addr, b.codeHash, og, key);
    return { ogKey: og, latestKey: key, extra: { contractKey: key, contractKeyProof: proof } };
  }
  validateContractKey(keys, info, addr, b.codeHash);
  return { ogKey: info.ogContractKey, latestKey: info.currentContractKey ?? info.ogContractKey, extra: {} };
}

/** The decrypted, checked contract msg (and for reply the Reply JSON built from the encrypted pieces). */
function checkMessage(
  keys: EnclaveKeys,
  b: CallBinding,
  verdict: SignatureVerdict | undefined,
  verify: boolean,
  version: InterfaceVersion,
) {
  if (b.op !== "reply") {
    const r = readInput(keys, b, verdict, verify);
    const replyOwnParams: readonly ReplyParam[] | undefined = undefined;
    return { tx: r.tx, msg: r.msg, replyParams: r.replyParams, encrypted: r.encrypted, replyOwnParams };
  }
  if (version !== "v1") throw new EnclaveError("InvalidWasm", "reply needs a CosmWasm v1 contract");
  const r = decodeReplyInput(keys, b.msg, b.codeHash, b.callbackSig);
  return {
    tx: r.tx,
    msg: r.replyJson,
    replyParams: undefined,
    encrypted: r.encrypted,
    replyOwnParams: r.callerParams,
  };
}

/**
 * The checks, in Secret's order: the message (decrypt, signature, code hash), then the contract key. Throws
 * what they throw (no gas has been used yet). `version` is read by reply only (its wasm must be v1).
 */
export function checkInput(
  keys: EnclaveKeys,
  b: CallBinding,
  verdict: SignatureVerdict | undefined,
  verify: boolean,
  version: InterfaceVersion,
): CheckedInput {
  const m = checkMessage(keys, b, verdict, verify, version);
  try {
    const keyed = contractKeys(keys, b);
    return {
      tx: m.tx,
      msg: m.msg,
      replyParams: m.replyParams,
      encrypted: m.encrypted,
      replyOwnParams: m.replyOwnParams,
      keyed,
    };
  } catch (e) {
    m.tx.dispose();
    throw e;
  }
}

/** An outcome of the checks computed ahead: the checked input, or exactly what they threw. */
export type CheckOutcome = { readonly ok: CheckedInput } | { readonly error: unknown };

/** Finds (and removes) an outcome prepared for this binding, keys and signature setting. */
export type PreparedLookup = (
  keys: EnclaveKeys,
  binding: CallBinding,
  verify: boolean,
) => CheckOutcome | undefined;

/** Runs the checks and keeps what they throw (for ../ecalls/prepare.ts): never throws itself. */
export function checkAhead(
  keys: EnclaveKeys,
  b: CallBinding,
  verdict: SignatureVerdict | undefined,
  verify: boolean,
): CheckOutcome {
  try {
    // Never reply (the only check that reads the wasm's version): ../ecalls/prepare.ts refuses it.
    return { ok: checkInput(keys, b, verdict, verify, "v1") };
  } catch (error) {
    return { error };
  }
}
