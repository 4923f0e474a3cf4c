// Contract keys and their proofs (spec secret-protocol §6.1–6.2; SN contract-engine/src/contract_validation.rs).
// contract_key = sender_id ‖ HMAC(HKDF(ikm[0] ‖ sender_id), sender_id ‖ code_hash ‖ addr [‖ og_key]).
import { hmacSha256, sha256, zeroize } from "./crypto/hash.js";
import { deriveFromKey } from "./crypto/kdf.js";
import { EnclaveError } from "./errors.js";
import type { EnclaveKeys } from "./keys.js";
import { abytes, abytesRange, concatBytes, equalBytes, u64be } from "../util/bytes.js";
import { byteString } from "./byteMemo.js";

/** SN `CONTRACT_KEY_LENGTH` = HASH_SIZE + HASH_SIZE. */
export const CONTRACT_KEY_LENGTH = 64;
const HASH_SIZE = 32;
/** Canonical addresses are 20 bytes for accounts, 32 for module/derived accounts; SDK caps them at 255. */
const MAX_CANONICAL_ADDRESS_LENGTH = 255;

/** Runs `f` with a keychain secret copy and zeroes the copy afterwards. */
function withSecret<T>(secret: Uint8Array, f: (s: Uint8Array) => T): T {
  try {
    return f(secret);
  } finally {
    zeroize(secret);
  }
}

function checkAddr(addr: Uint8Array, field: string): void {
  abytesRange(addr, 1, MAX_CANONICAL_ADDRESS_LENGTH, field);
}

/** `generate_sender_id`: sha256(sender_canonical ‖ u64_be(height)). */
export function senderId(senderCanonical: Uint8Array, blockHeight: bigint): Uint8Array {
  checkAddr(senderCanonical, "sender");
  return sha256(senderCanonical, u64be(blockHeight));
}

/** `generate_contract_id`, always MACed with the genesis ikm (ikm[0]) so keys survive seed rotation. */
function contractId(
  keys: EnclaveKeys,
  sid: Uint8Array,
  codeHash: Uint8Array,
  contractAddr: Uint8Array,
  ogContractKey: Uint8Array | undefined,
): Uint8Array {
  const ikm0 = keys.stateIkm(0);
  const authKey = deriveFromKey(ikm0, sid);
  zeroize(ikm0);
  const parts = [sid, codeHash, contractAddr];
  if (ogContractKey !== undefined) parts.push(ogContractKey);
  const id = hmacSha256(authKey, concatBytes(...parts));
  zeroize(authKey);
  return id;
}

/** spec §6.1 `generate_contract_key` (at init; with `ogContractKey` at migrate). */
export function generateContractKey(
  keys: EnclaveKeys,
  senderCanonical: Uint8Array,
  blockHeight: bigint,
  codeHash: Uint8Array,
  contractAddr: Uint8Array,
  ogContractKey?: Uint8Array,
): Uint8Array {
  abytes(codeHash, HASH_SIZE, "code hash");
  checkAddr(contractAddr, "contract address");
  if (ogContractKey !== undefined) abytes(ogContractKey, CONTRACT_KEY_LENGTH, "og contract key");
  const sid = senderId(senderCanonical, blockHeight);
  return concatBytes(sid, contractId(keys, sid, codeHash, contractAddr, ogContractKey));
}

/** Tuples proven valid, kept per generation (young, then old; both dropped in turn): ≤ 2 × this many. */
const PROVEN_PER_GENERATION = 2048;

/**
 * Contract keys already validated, per keychain: the check is a pure function of (genesis state ikm, key,
 * code hash, address, og key), and every execute repeats it for the same contract (two HKDF-HMACs and an
 * HMAC, ≈ 3% of an encrypted SNIP-20 transfer). Only successes are kept; the tuple holds no secret (the host
 * passes these keys in). Cleared with the state caches by the keychain (`clearContractKeyCache`).
 */
const proven = new WeakMap<EnclaveKeys, { young: Set<string>; old: Set<string> }>();

/** One char per byte of each part; lengths fixed except the address, which carries its length first. */
function provenId(
  key: Uint8Array,
  codeHash: Uint8Array,
  addr: Uint8Array,
  og: Uint8Array | undefined,
): string {
  const id = byteString(key) + byteString(codeHash) + String.fromCharCode(addr.length) + byteString(addr);
  return og === undefined ? id : id + byteString(og);
}

function isProven(keys: EnclaveKeys, id: string): boolean {
  const p = proven.get(keys);
  if (p === undefined) return false;
  if (p.young.has(id)) return true;
  if (!p.old.has(id)) return false;
  remember(keys, id);
  return true;
}

function remember(keys: EnclaveKeys, id: string): void {
  let p = proven.get(keys);
  if (p === undefined) {
    p = { young: new Set(), old: new Set() };
    proven.set(keys, p);
  }
  if (p.young.size >= PROVEN_PER_GENERATION) p = { young: new Set(), old: p.young };
  p.young.add(id);
  proven.set(keys, p);
}

/** Forgets the validated contract keys of `keys` (the keychain calls it when its seeds change or it is destroyed). */
export function clearContractKeyCache(keys: EnclaveKeys): void {
  proven.delete(keys);
}

/** `validate_current_contract_key`: recompute the id from the key's sender_id; "failed to authenticate secret contract". */
export function validateCurrentContractKey(
  keys: EnclaveKeys,
  contractKey: Uint8Array,
  contractAddr: Uint8Array,
  codeHash: Uint8Array,
  ogContractKey?: Uint8Array,
): void {
  abytes(contractKey, CONTRACT_KEY_LENGTH, "contract key");
  abytes(codeHash, HASH_SIZE, "code hash");
  checkAddr(contractAddr, "contract address");
  const id = provenId(contractKey, codeHash, contractAddr, ogContractKey);
  if (isProven(keys, id)) return;
  const sid = contractKey.subarray(0, HASH_SIZE);
  const expected = contractId(keys, sid, codeHash, contractAddr, ogContractKey);
  if (!equalBytes(expected, contractKey.subarray(HASH_SIZE))) {
    throw new EnclaveError("FailedContractAuthentication");
  }
  remember(keys, id);
}

/** The env's `contract_key` record (Go `ContractKey{og, current, proof}`); current/proof only after a migrate. */
export interface ContractKeyInfo {
  readonly ogContractKey: Uint8Array;
  readonly currentContractKey?: Uint8Array;
  readonly currentContractKeyProof?: Uint8Array;
}

/** spec §6.1 `validate_contract_key`: og key when never migrated; else current key (with og) and its proof. */
export function validateContractKey(
  keys: EnclaveKeys,
  info: ContractKeyInfo,
  contractAddr: Uint8Array,
  codeHash: Uint8Array,
): void {
  const { ogContractKey, currentContractKey, currentContractKeyProof } = info;
  if (currentContractKey === undefined) {
    validateCurrentContractKey(keys, ogContractKey, contractAddr, codeHash);
    return;
  }
  abytes(ogContractKey, CONTRACT_KEY_LENGTH, "og contract key");
  validateCurrentContractKey(keys, currentContractKey, contractAddr, codeHash, ogContractKey);
  if (currentContractKeyProof === undefined) throw new EnclaveError("ValidationFailure");
  validateContractKeyProof(
    keys,
    contractAddr,
    codeHash,
    ogContractKey,
    currentContractKey,
    currentContractKeyProof,
  );
}

/** spec §6.2: admin_proof = HMAC(admin_proof_secret(last seed), admin_canonical ‖ og_contract_key). */
export function generateAdminProof(
  keys: EnclaveKeys,
  admin: Uint8Array,
  contractKey: Uint8Array,
): Uint8Array {
  abytes(admin, undefined, "admin");
  abytes(contractKey, CONTRACT_KEY_LENGTH, "contract key");
  return withSecret(keys.adminProofSecret(keys.seedCount - 1), (s) => hmacSha256(s, admin, contractKey));
}

/** Tries seeds[1..] (never the genesis seed, as SN `validate_admin_proof`); "failed to validate transaction". */
export function validateAdminProof(
  keys: EnclaveKeys,
  admin: Uint8Array,
  contractKey: Uint8Array,
  proof: Uint8Array,
): void {
  abytes(admin, undefined, "admin");
  abytes(contractKey, CONTRACT_KEY_LENGTH, "contract key");
  abytes(proof, undefined, "admin proof");
  for (let i = 1; i < keys.seedCount; i++) {
    const expected = withSecret(keys.adminProofSecret(i), (s) => hmacSha256(s, admin, contractKey));
    if (equalBytes(proof, expected)) return;
  }
  throw new EnclaveError("ValidationFailure");
}

/** spec §6.2: HMAC(contract_key_proof_secret(last), addr ‖ code_hash ‖ og_key ‖ new_key). */
export function generateContractKeyProof(
  keys: EnclaveKeys,
  contractAddr: Uint8Array,
  codeHash: Uint8Array,
  ogContractKey: Uint8Array,
  newContractKey: Uint8Array,
): Uint8Array {
  return contractKeyProofWith(
    keys,
    keys.seedCount - 1,
    contractAddr,
    codeHash,
    ogContractKey,
    newContractKey,
  );
}

function contractKeyProofWith(
  keys: EnclaveKeys,
  seedIndex: number,
  contractAddr: Uint8Array,
  codeHash: Uint8Array,
  ogContractKey: Uint8Array,
  newContractKey: Uint8Array,
): Uint8Array {
  checkAddr(contractAddr, "contract address");
  abytes(codeHash, HASH_SIZE, "code hash");
  abytes(ogContractKey, CONTRACT_KEY_LENGTH, "og contract key");
  abytes(newContractKey, CONTRACT_KEY_LENGTH, "new contract key");
  return withSecret(keys.contractKeyProofSecret(seedIndex), (s) =>
    hmacSha256(s, contractAddr, codeHash, ogContractKey, newContractKey),
  );
}

/** Tries seeds[1..] as SN `validate_contract_key_proof`; "failed to validate transaction" otherwise. */
export function validateContractKeyProof(
  keys: EnclaveKeys,
  contractAddr: Uint8Array,
  codeHash: Uint8Array,
  ogContractKey: Uint8Array,
  newContractKey: Uint8Array,
  proof: Uint8Array,
): void {
  abytes(proof, undefined, "contract key proof");
  for (let i = 1; i < keys.seedCount; i++) {
    const expected = contractKeyProofWith(keys, i, contractAddr, codeHash, ogContractKey, newContractKey);
    if (equalBytes(proof, expected)) return;
  }
  throw new EnclaveError("ValidationFailure");
}
