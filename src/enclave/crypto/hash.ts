// SHA-256 and HMAC-SHA256 over node:crypto; constant-time comparison for every MAC (DESIGN.md rule 10).
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export function hmacSha256(key: Uint8Array, ...parts: readonly Uint8Array[]): Uint8Array {
  const h = createHmac("sha256", key);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** Constant-time equality; false for different lengths. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Overwrites secret material once it is no longer needed (best effort: see SECURITY.md). */
export function zeroize(...buffers: readonly Uint8Array[]): void {
  for (const b of buffers) b.fill(0);
}
