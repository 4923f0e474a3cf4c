// Store layout of x/compute (the only keys compute's keeper touches), after Secret's
// x/compute/internal/types/keys.go: codes 0x01, contracts 0x02, contract state 0x03, sequences 0x04, history 0x05,
// contract keys 0x06, labels 0x07, contracts-by-code 0x08, block message counter 0x09.
import { concatBytes, u64be, utf8 } from "../../../util/bytes.js";

export const MODULE_NAME = "compute";
export const STORE_PREFIX = utf8.encode("compute/");

/** 0x01 | u64_be(code_id) -> CodeInfo JSON (with the raw wasm, base64). */
export const CODE_PREFIX = Uint8Array.of(0x01);
/** 0x02 | addr(20) -> ContractInfo JSON. */
export const CONTRACT_PREFIX = Uint8Array.of(0x02);
/** 0x03 | addr(20) | key -> the contract's own (enclave-encrypted) state, written only through OCALLs. */
export const CONTRACT_STORE_PREFIX = Uint8Array.of(0x03);
/** 0x04 | name -> u64_be sequence ("lastCodeId", "lastContractId"). */
export const SEQUENCE_PREFIX = Uint8Array.of(0x04);
/** 0x05 | addr(20) | u64_be(pos) -> ContractCodeHistoryEntry JSON. */
export const HISTORY_PREFIX = Uint8Array.of(0x05);
/** 0x06 | addr(20) -> ContractKey JSON {og, current?, proof?} (SN ContractEnclaveIdPrefix; public, spec §13). */
export const CONTRACT_KEY_PREFIX = Uint8Array.of(0x06);
/** 0x07 | label(utf8) -> addr(20). */
export const LABEL_PREFIX = Uint8Array.of(0x07);
/** 0x08 | u64_be(code_id) | u64_be(height) | u32_be(tx_index) | addr -> empty (contracts by code, creation order). */
export const BY_CODE_PREFIX = Uint8Array.of(0x08);
/** 0x09 -> u64_be(height) ‖ u64_be(count): contract messages so far in that block (enclave msg_counter). */
export const MSG_COUNTER_KEY = Uint8Array.of(0x09);
/** 0x0a -> Params JSON. */
export const PARAMS_KEY = Uint8Array.of(0x0a);
/** 0x0b | u64_be(code_id) -> the upload as sent, raw or gzip (SN keeps wasm in its wasm dir; we keep it in state). */
export const WASM_PREFIX = Uint8Array.of(0x0b);

export const KEY_LAST_CODE_ID = concatBytes(SEQUENCE_PREFIX, utf8.encode("lastCodeId"));
export const KEY_LAST_INSTANCE_ID = concatBytes(SEQUENCE_PREFIX, utf8.encode("lastContractId"));

export const codeKey = (codeId: bigint): Uint8Array => concatBytes(CODE_PREFIX, u64be(codeId));
export const wasmKey = (codeId: bigint): Uint8Array => concatBytes(WASM_PREFIX, u64be(codeId));
export const contractKey = (addr: Uint8Array): Uint8Array => concatBytes(CONTRACT_PREFIX, addr);
export const contractStorePrefix = (addr: Uint8Array): Uint8Array => concatBytes(CONTRACT_STORE_PREFIX, addr);
export const historyPrefix = (addr: Uint8Array): Uint8Array => concatBytes(HISTORY_PREFIX, addr);
export const historyKey = (addr: Uint8Array, pos: bigint): Uint8Array =>
  concatBytes(HISTORY_PREFIX, addr, u64be(pos));
export const contractKeyKey = (addr: Uint8Array): Uint8Array => concatBytes(CONTRACT_KEY_PREFIX, addr);
export const labelKey = (label: string): Uint8Array => concatBytes(LABEL_PREFIX, utf8.encode(label));
export const byCodePrefix = (codeId: bigint): Uint8Array => concatBytes(BY_CODE_PREFIX, u64be(codeId));
