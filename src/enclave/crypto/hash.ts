// SHA-256 and HMAC-SHA256 over node:crypto; constant-time comparison for every MAC (DESIGN.md rule 10).
import { createHash, createHmac, hash, timingSafeEqual } from "node:crypto";

/**
 * SHA-256 of the concatenated parts. One part goes through node's one-shot `crypto.hash` (no Hash object:
 * ~1 µs plus SHA-NI speed, vs ~2 µs for createHash/update/digest and ~0.4 µs a block for ./sha256Js.ts:
 * cheaper than the JS hash from ~2 blocks on; ./README.md).
 */
export function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return digestBytes(hash("sha256", parts[0]!, "binary"));
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return digestBytes(h.digest("binary"));
}

/**
 * A 32-byte digest from its "binary" (latin1) string, one char per byte. node:crypto encodes a string output in C++; a
 * Buffer output is one more off-heap backing store (malloc, free by V8's sweeper) that we then copied anyway:
 * ~0.45 µs less per hash of a tx's sign bytes (./README.md).
 */
function digestBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function hmacSha256(key: Uint8Array, ...parts: readonly Uint8Array[]): Uint8Array {
  const h = createHmac("sha256", key);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** Up to this many bytes constantTimeEqual compares in JS (V8 keeps typed arrays ≤ 64 bytes on its heap). */
const SHORT_COMPARE_MAX = 64;

/** Constant-time equality; false for different lengths. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  if (a.length > SHORT_COMPARE_MAX) return timingSafeEqual(a, b);
  // Short (MACs, tokens): an XOR-accumulate loop with no early exit. timingSafeEqual needs each array's
  // ArrayBuffer, which makes V8 move a small on-heap array off-heap (a malloc and a copy per compare).
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** Overwrites secret material once it is no longer needed (best effort: see SECURITY.md). */
export function zeroize(...buffers: readonly Uint8Array[]): void {
  for (const b of buffers) b.fill(0);
}
