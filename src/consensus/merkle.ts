// CometBFT's simple Merkle tree (crypto/merkle, RFC 6962 style): leaf = sha256(0x00 ‖ item),
// inner = sha256(0x01 ‖ left ‖ right), split at the largest power of two below n; empty = sha256("").
import { createHash } from "node:crypto";

function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

const LEAF = Uint8Array.of(0);
const INNER = Uint8Array.of(1);

function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function merkleRoot(items: readonly Uint8Array[]): Uint8Array {
  if (items.length === 0) return sha256();
  if (items.length === 1) return sha256(LEAF, items[0]!);
  const k = splitPoint(items.length);
  return sha256(INNER, merkleRoot(items.slice(0, k)), merkleRoot(items.slice(k)));
}
