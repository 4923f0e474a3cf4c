// Contract memory access through CosmWasm "Regions": a 12-byte struct in wasm memory holding
// offset, capacity and length as u32 little-endian (cosmwasm-std memory.rs; SN wasm3/mod.rs `CWMemory`).
// Every read names its maximum length so a hostile contract cannot make the host copy unbounded data.
import { utf8 } from "../../util/bytes.js";
import { VmError } from "./errors.js";
import type { WasmMemory } from "./webassembly.js";

const KI = 1024;
const MI = 1024 * KI;

// Named read limits (DESIGN.md rule 4). Values follow CosmWasm packages/vm/src/imports.rs; Secret's
// wasm3 engine reads regions without limits, so these are never below what a Secret contract can use.
/** Max key length for db_read/db_write/db_remove (CosmWasm MAX_LENGTH_DB_KEY). */
export const MAX_LENGTH_DB_KEY = 64 * KI;
/** Max value length for db_write (CosmWasm MAX_LENGTH_DB_VALUE). */
export const MAX_LENGTH_DB_VALUE = 128 * KI;
/** Max canonical address input (CosmWasm MAX_LENGTH_CANONICAL_ADDRESS; Secret's are 20 bytes). */
export const MAX_LENGTH_CANONICAL_ADDRESS = 64;
/** Max human address input (CosmWasm MAX_LENGTH_HUMAN_ADDRESS: bech32's 90 chars plus margin). */
export const MAX_LENGTH_HUMAN_ADDRESS = 256;
/** Max query_chain request (CosmWasm MAX_LENGTH_QUERY_CHAIN_REQUEST). */
export const MAX_LENGTH_QUERY_CHAIN_REQUEST = 64 * KI;
/** Max secp256k1 message hash region: a hash is 32 bytes; we read a little more to answer with a code. */
export const MAX_LENGTH_MESSAGE_HASH = 256;
/** Max signature region (compact secp256k1 / ed25519 are 64 bytes; slack to answer with a code). */
export const MAX_LENGTH_SIGNATURE = 256;
/** Max public key region (SEC1 uncompressed is 65 bytes; slack to answer with a code). */
export const MAX_LENGTH_PUBKEY = 256;
/** Max private key region for Secret's secp256k1_sign / ed25519_sign (keys are 32 bytes). */
export const MAX_LENGTH_PRIVATE_KEY = 256;
/** Max ed25519 message (CosmWasm MAX_LENGTH_ED25519_MESSAGE); also used for the *_sign messages. */
export const MAX_LENGTH_ED25519_MESSAGE = 128 * KI;
/** Max number of batch ed25519 items (CosmWasm MAX_COUNT_ED25519_BATCH). */
export const MAX_COUNT_ED25519_BATCH = 256;
/** Max DCAP quote / collateral region (a quote is ~5 KiB, collateral tens of KiB). */
export const MAX_LENGTH_DCAP_INPUT = 256 * KI;
/** Max debug message (CosmWasm MAX_LENGTH_DEBUG). */
export const MAX_LENGTH_DEBUG = 2 * MI;
/** Max abort message (CosmWasm MAX_LENGTH_ABORT). */
export const MAX_LENGTH_ABORT = 2 * MI;
/** Max contract result (CosmWasm's default `read_limit` for call results is 64 MiB; we cap lower). */
export const MAX_LENGTH_CONTRACT_RESULT = 16 * MI;

/** Size of a Region struct: three u32 LE fields. */
export const REGION_SIZE = 12;

export interface Region {
  readonly offset: number;
  readonly capacity: number;
  readonly length: number;
}

/** The last view made, reused while the memory's buffer and visible size are the same (see `view`). */
let lastView: DataView | undefined;

function view(memory: WasmMemory): DataView {
  // memory.grow detaches old ArrayBuffers, so a view is reused only over the very same buffer (a DataView
  // per region access was ~1% of a contract call: V8 builds it in C++). A reused instance's memory may be
  // larger than what the contract sees; bounds are the visible size, as in a fresh instance.
  const buffer = memory.buffer;
  const visible = memory.visibleBytes ?? buffer.byteLength;
  const last = lastView;
  if (last?.buffer === buffer && last.byteLength === visible) return last;
  lastView = new DataView(buffer, 0, visible);
  return lastView;
}

/** Reads the Region struct at `ptr`, checking it lies in memory and is self-consistent. */
export function getRegion(memory: WasmMemory, ptr: number, field: string): Region {
  const dv = view(memory);
  if (ptr === 0) throw new VmError("MemoryAccess", `"${field}" region pointer is null`);
  if (ptr < 0 || ptr + REGION_SIZE > dv.byteLength) {
    throw new VmError("MemoryAccess", `"${field}" region pointer out of bounds`);
  }
  const region = {
    offset: dv.getUint32(ptr, true),
    capacity: dv.getUint32(ptr + 4, true),
    length: dv.getUint32(ptr + 8, true),
  };
  if (region.offset === 0) throw new VmError("MemoryAccess", `"${field}" region offset is null`);
  if (region.length > region.capacity) {
    throw new VmError("MemoryAccess", `"${field}" region length exceeds capacity`);
  }
  if (region.offset + region.capacity > dv.byteLength) {
    throw new VmError("MemoryAccess", `"${field}" region out of bounds`);
  }
  return region;
}

/** Copies the bytes of the region at `ptr`; fails when its length is above `maxLength`. */
export function readRegion(memory: WasmMemory, ptr: number, maxLength: number, field: string): Uint8Array {
  const region = getRegion(memory, ptr, field);
  if (region.length > maxLength) {
    throw new VmError("MemoryAccess", `"${field}" region length ${region.length} exceeds ${maxLength}`);
  }
  return new Uint8Array(memory.buffer, region.offset, region.length).slice();
}

/**
 * As `readRegion`, but a view of contract memory, not a copy: valid only until the contract runs again (it may
 * write there, or grow memory, which detaches the view). For a backend call that copies what it keeps.
 */
export function viewRegion(memory: WasmMemory, ptr: number, maxLength: number, field: string): Uint8Array {
  const region = getRegion(memory, ptr, field);
  if (region.length > maxLength) {
    throw new VmError("MemoryAccess", `"${field}" region length ${region.length} exceeds ${maxLength}`);
  }
  return new Uint8Array(memory.buffer, region.offset, region.length);
}

/**
 * As `writeRegion` of `utf8.encode(text)` (`byteLength` its UTF-8 length), encoded straight into contract
 * memory: no intermediate array.
 */
export function writeRegionUtf8(
  memory: WasmMemory,
  ptr: number,
  text: string,
  byteLength: number,
  field: string,
): void {
  const region = getRegion(memory, ptr, field);
  if (byteLength > region.capacity) {
    throw new VmError("MemoryAccess", `"${field}" region capacity ${region.capacity} < ${byteLength}`);
  }
  memory.noteWrite?.(Math.min(region.offset, ptr + 8));
  const r = utf8.encodeInto(text, new Uint8Array(memory.buffer, region.offset, byteLength));
  if (r.read !== text.length || r.written !== byteLength) {
    throw new VmError("MemoryAccess", `"${field}" did not encode to ${byteLength} bytes`);
  }
  view(memory).setUint32(ptr + 8, byteLength, true);
}

/** Writes `data` into the region at `ptr` (capacity must suffice) and sets its length. */
export function writeRegion(memory: WasmMemory, ptr: number, data: Uint8Array, field: string): void {
  const region = getRegion(memory, ptr, field);
  if (data.length > region.capacity) {
    throw new VmError("MemoryAccess", `"${field}" region capacity ${region.capacity} < ${data.length}`);
  }
  memory.noteWrite?.(Math.min(region.offset, ptr + 8));
  new Uint8Array(memory.buffer, region.offset, data.length).set(data);
  view(memory).setUint32(ptr + 8, data.length, true);
}

/**
 * Decodes CosmWasm "sections" (ed25519_batch_verify inputs): elements each followed by their u32 BE
 * length, parsed from the end (cosmwasm-vm sections.rs; SN `decode_sections`).
 */
export function decodeSections(data: Uint8Array, maxCount: number, field: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  let end = data.length;
  while (end > 0) {
    if (end < 4) throw new VmError("MemoryAccess", `"${field}" sections truncated`);
    const len = new DataView(data.buffer, data.byteOffset + end - 4, 4).getUint32(0, false);
    if (len > end - 4) throw new VmError("MemoryAccess", `"${field}" section length out of range`);
    out.push(data.slice(end - 4 - len, end - 4));
    if (out.length > maxCount)
      throw new VmError("MemoryAccess", `"${field}" has more than ${maxCount} items`);
    end -= 4 + len;
  }
  return out.reverse();
}

/** Encodes elements as sections (the inverse of decodeSections); used by tests and mocks. */
export function encodeSections(items: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const it of items) n += it.length + 4;
  const out = new Uint8Array(n);
  const dv = new DataView(out.buffer);
  let o = 0;
  for (const it of items) {
    out.set(it, o);
    dv.setUint32(o + it.length, it.length, false);
    o += it.length + 4;
  }
  return out;
}
