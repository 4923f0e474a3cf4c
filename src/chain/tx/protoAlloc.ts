// Fixes cosmjs-types' per-encode 8 KiB allocation: BinaryWriter.alloc (cosmjs-types 0.11 binary.js) builds a
// NEW buffer pool on every call, so each `X.encode(m).finish()` allocates and zero-fills an 8,192-byte slab.
import { BinaryWriter } from "cosmjs-types/binary";

/**
 * The generated `alloc` wraps `pool(...)` inside the call, so the pool never survives to a second encode: every
 * `finish()` of even a 20-byte message calloc's an 8 KiB off-heap backing store and returns a view into it. On
 * the chain path (SignDoc, TxMsgData, compute responses, block parts: ~10 encodes per contract tx) that is
 * ~1 µs of CPU per encode plus external-memory pressure that drives extra full GCs. An exact-size array holds
 * the same bytes: `finish()` writes every byte of it, so the output is byte-identical (pinned in
 * protoAlloc.test.ts against an unpatched copy of the writer's output).
 */
export function exactSizeAlloc(size: number): Uint8Array {
  return new Uint8Array(size);
}

/** The generated allocator, kept for the byte-identity test. */
export const generatedAlloc: (size: number) => Uint8Array = (
  BinaryWriter as unknown as { alloc: (size: number) => Uint8Array }
).alloc;

/** Installs exactSizeAlloc once per process (idempotent; importing this module installs it). */
export function installExactSizeAlloc(): void {
  const w = BinaryWriter as unknown as { alloc: (size: number) => Uint8Array };
  if (w.alloc !== exactSizeAlloc) w.alloc = exactSizeAlloc;
}

installExactSizeAlloc();
