// Pure parts of our sha256 compact sparse Merkle tree (the app-hash commitment): hashing rules, subtree
// hashing over sorted leaves, and proof verification. Storage and caching live in smtCommitment.ts.
import { hash } from "node:crypto";
import { InvalidInputError, abytes, concatBytes, equalBytes } from "../../util/bytes.js";
import { compareBytes } from "./memory.js";
import { sha256PrefixPair } from "./sha256Pair.js";

/** Size of every hash in the tree (sha256). */
export const HASH_LEN = 32;
/** Bits in a key path: keys are placed by sha256(key), most significant bit first. */
export const KEY_BITS = 256;
/** Hash of an empty subtree (and the root of an empty state). */
export const EMPTY_HASH: Uint8Array = new Uint8Array(HASH_LEN);
// Domain separation: a leaf can never be passed off as an inner node or the reverse (second-preimage guard,
// as in RFC 6962 §2.1 and Diem's Jellyfish Merkle tree).
const LEAF_PREFIX = 0x00;
export const NODE_PREFIX = 0x01;

export function sha256(data: Uint8Array): Uint8Array {
  const b = hash("sha256", data, "buffer");
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Position of a state key in the tree. */
export function keyHash(key: Uint8Array): Uint8Array {
  return sha256(key);
}

// Node and leaf inputs are always prefix ‖ 32 ‖ 32 bytes: the tree hashes tens of thousands per block, in JS
// (sha256Pair.ts: no native call or input copy per hash). Both callers pass 32-byte hashes only.
function hashPair(prefix: number, a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== HASH_LEN || b.length !== HASH_LEN) throw new RangeError("smt: a hash is not 32 bytes");
  return sha256PrefixPair(prefix, a, b);
}

export function leafHash(kh: Uint8Array, vh: Uint8Array): Uint8Array {
  return hashPair(LEAF_PREFIX, kh, vh);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return hashPair(NODE_PREFIX, left, right);
}

/** Bit `depth` of a key hash, most significant first. */
export function bitAt(kh: Uint8Array, depth: number): number {
  return (kh[depth >>> 3]! >>> (7 - (depth & 7))) & 1;
}

/** A leaf: where it sits (sha256 of the state key) and what it commits to (sha256 of the value). */
export interface Leaf {
  readonly kh: Uint8Array;
  readonly vh: Uint8Array;
}

/** A subtree summary. count is 0 (empty), 1 (a single leaf, hashed as that leaf) or 2 (two or more leaves). */
export interface Summary {
  readonly count: 0 | 1 | 2;
  readonly hash: Uint8Array;
}

export const EMPTY_SUMMARY: Summary = { count: 0, hash: EMPTY_HASH };

/**
 * The compact rule: a subtree holding one leaf hashes to that leaf's hash wherever it sits, so leaves rise to
 * the shallowest depth that still separates them; a subtree with two or more leaves is H(0x01 | left | right).
 */
export function combine(l: Summary, r: Summary): Summary {
  if (l.count + r.count <= 1) return l.count === 1 ? l : r;
  return { count: 2, hash: nodeHash(l.hash, r.hash) };
}

/** First index in [lo, hi) of sorted leaves whose bit at `depth` is 1. */
export function splitIndex(leaves: readonly Leaf[], lo: number, hi: number, depth: number): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (bitAt(leaves[mid]!.kh, depth) === 0) a = mid + 1;
    else b = mid;
  }
  return a;
}

/** Summary of leaves[lo, hi) (sorted by kh, all sharing their first `depth` bits) as a subtree at `depth`. */
export function subtreeSummary(leaves: readonly Leaf[], lo: number, hi: number, depth: number): Summary {
  if (hi - lo === 0) return EMPTY_SUMMARY;
  if (hi - lo === 1) {
    const leaf = leaves[lo]!;
    return { count: 1, hash: leafHash(leaf.kh, leaf.vh) };
  }
  if (depth >= KEY_BITS) throw new Error("smt: duplicate key hash");
  const m = splitIndex(leaves, lo, hi, depth);
  return combine(subtreeSummary(leaves, lo, m, depth + 1), subtreeSummary(leaves, m, hi, depth + 1));
}

/** Root of a whole state given as leaves in any order (the reference computation used by tests/tools). */
export function rootOfLeaves(leaves: Leaf[]): Uint8Array {
  const sorted = [...leaves].sort((a, b) => compareBytes(a.kh, b.kh));
  return subtreeSummary(sorted, 0, sorted.length, 0).hash;
}

/**
 * A proof for one key against a root. `siblings[d]` is the hash of the sibling subtree at depth d+1 along the
 * key's path, from the root down. The path ends at `terminal`: the one leaf sitting there (the key's own leaf
 * for inclusion, another key's leaf for absence) or undefined for an empty subtree (absence).
 */
export interface StateProof {
  readonly siblings: readonly Uint8Array[];
  readonly terminal: Leaf | undefined;
}

function sharesPrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  for (let d = 0; d < bits; d++) if (bitAt(a, d) !== bitAt(b, d)) return false;
  return true;
}

/**
 * Verifies that `key` maps to `value` (inclusion) or is absent (`value` undefined) under `root`. Returns false
 * on any mismatch; never throws for a malformed proof.
 */
export function verifyStateProof(
  root: Uint8Array,
  key: Uint8Array,
  value: Uint8Array | undefined,
  proof: StateProof,
): boolean {
  const { siblings, terminal } = proof;
  if (root.length !== HASH_LEN || siblings.length > KEY_BITS) return false;
  if (siblings.some((s) => s.length !== HASH_LEN)) return false;
  const kh = keyHash(key);
  const depth = siblings.length;
  let h: Uint8Array;
  if (value !== undefined) {
    if (terminal === undefined || !equalBytes(terminal.kh, kh)) return false;
    if (!equalBytes(terminal.vh, sha256(value))) return false;
    h = leafHash(kh, terminal.vh);
  } else if (terminal !== undefined) {
    // Absence by another leaf: it must really sit on this key's path, and be a different key.
    if (terminal.kh.length !== HASH_LEN || terminal.vh.length !== HASH_LEN) return false;
    if (equalBytes(terminal.kh, kh) || !sharesPrefix(terminal.kh, kh, depth)) return false;
    h = leafHash(terminal.kh, terminal.vh);
  } else {
    h = EMPTY_HASH;
  }
  for (let d = depth - 1; d >= 0; d--) {
    const sib = siblings[d]!;
    h = bitAt(kh, d) === 0 ? nodeHash(h, sib) : nodeHash(sib, h);
  }
  return equalBytes(h, root);
}

// Wire form (ABCI ProofOp data): version 1 | u16 sibling count | siblings | u8 terminal flag | [kh | vh].
const PROOF_VERSION = 1;

export function encodeStateProof(proof: StateProof): Uint8Array {
  const n = proof.siblings.length;
  const head = new Uint8Array([PROOF_VERSION, n >>> 8, n & 0xff]);
  const t = proof.terminal;
  const tail = t === undefined ? new Uint8Array([0]) : concatBytes(new Uint8Array([1]), t.kh, t.vh);
  return concatBytes(head, ...proof.siblings, tail);
}

export function decodeStateProof(bytes: Uint8Array): StateProof {
  abytes(bytes, undefined, "proof");
  const bad = (msg: string): InvalidInputError => new InvalidInputError("proof", `"proof" ${msg}`);
  if (bytes.length < 4 || bytes[0] !== PROOF_VERSION) throw bad("has an unknown version or is truncated");
  const n = (bytes[1]! << 8) | bytes[2]!;
  if (n > KEY_BITS) throw bad(`has ${n} siblings, more than ${KEY_BITS}`);
  const flagAt = 3 + n * HASH_LEN;
  const flag = bytes[flagAt];
  const expected = flagAt + 1 + (flag === 1 ? 2 * HASH_LEN : 0);
  if (flag === undefined || flag > 1 || bytes.length !== expected) throw bad("has a wrong length or flag");
  const siblings: Uint8Array[] = [];
  for (let i = 0; i < n; i++) siblings.push(bytes.slice(3 + i * HASH_LEN, 3 + (i + 1) * HASH_LEN));
  const terminal =
    flag === 1
      ? { kh: bytes.slice(flagAt + 1, flagAt + 1 + HASH_LEN), vh: bytes.slice(flagAt + 1 + HASH_LEN) }
      : undefined;
  return { siblings, terminal };
}
