// Inputs and outputs of the contract operations (./operations.ts). Plain data only; the ECALL layer
// (../ecalls/contract.ts) decodes its wire envelope into these.
import type { EncryptedStorageParams, PlainStore } from "../encryptedStorage.js";
import type { EnclaveKeys } from "../keys.js";
import type { ContractKeyInfo } from "../contractKey.js";
import type { BaseEnv } from "../vm/environment.js";
import type { WasmModule } from "../vm/webassembly.js";
import type { ProcessedOutput } from "./output.js";
import type { RawQueryFn } from "./querier.js";
import type { PreparedLookup } from "./checkInput.js";
import type { SigInfo } from "./txSignature.js";

export type ContractOp = "instantiate" | "execute" | "query" | "migrate" | "reply";

/** The enclave services an operation runs over. */
export interface ContractServices {
  readonly keys: EnclaveKeys;
  /** The host's plain store of this contract (OCALL readDb/writeDb/removeDb). */
  readonly store: PlainStore;
  /** The host's query OCALL. */
  readonly query: RawQueryFn;
  /**
   * Check user calls against the signed tx (spec §4.2, ./txSignature.ts). On unless explicitly false; only
   * tests of other layers turn it off.
   */
  readonly verifyTxSignatures?: boolean;
  /** Receives contract `debug` output when set (opt-in; dropped otherwise). */
  readonly debugSink?: ((message: string) => void) | undefined;
  /**
   * The input checks' outcome computed ahead for an equal binding (../ecalls/prepare.ts), taken at most once;
   * undefined: run them now. Speed only: the outcome is the same (./checkInput.ts).
   */
  readonly prepared?: PreparedLookup | undefined;
}

export interface ContractCallInput {
  readonly op: ContractOp;
  readonly module: WasmModule;
  /** sha256 of the running wasm (for migrate: the new code). */
  readonly codeHash: Uint8Array;
  readonly env: BaseEnv;
  /** The message as sent: nonce ‖ pk ‖ SIV(…) (or plaintext); for reply: nonce ‖ pk ‖ Reply JSON. */
  readonly msg: Uint8Array;
  /** Stored keys of an existing contract (all ops but instantiate). */
  readonly contractKey?: ContractKeyInfo | undefined;
  /** Set for user-signed instantiate/execute/migrate: the tx and its signature (spec §4.2). */
  readonly sigInfo?: SigInfo | undefined;
  /** Set when a contract (not a user) sent the message: spec §7.2 callback_sig / §7.4 reply signature. */
  readonly callbackSig?: Uint8Array | undefined;
  /** Canonical admin (instantiate: to create the admin proof; migrate: to check it). */
  readonly admin?: Uint8Array | undefined;
  readonly adminProof?: Uint8Array | undefined;
  /** Plaintext 32-byte block random (spec §9), when the block has one. */
  readonly blockRandom?: Uint8Array | undefined;
  /** Contract messages so far in this block (spec §6.3 salt, §9 random). */
  readonly msgCounter: bigint;
  /** 0 for a tx; n for a query n levels down (spec §8.2). */
  readonly queryDepth: number;
  readonly gasLimit: bigint;
}

export interface ContractCallOutput {
  readonly output: ProcessedOutput;
  readonly gasUsed: bigint;
  /** instantiate: the new og contract key; migrate: the new current key. */
  readonly contractKey?: Uint8Array;
  /** instantiate (with an admin): the admin proof. */
  readonly adminProof?: Uint8Array;
  /** migrate: the proof of the new current key. */
  readonly contractKeyProof?: Uint8Array;
}

export type StorageParams = EncryptedStorageParams;
