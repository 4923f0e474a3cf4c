// Small protobuf helpers shared by our hand-written codecs (compute, registration): a field loop with wire-type
// checks, strict UTF-8 strings and the Coin message. Built on cosmjs-types' BinaryReader/BinaryWriter.
import { type BinaryReader, BinaryWriter } from "cosmjs-types/binary";
import { utf8 } from "../../util/bytes.js";
import "./protoAlloc.js";
import { InterningReader, asciiString, lookupInterned } from "./internedStrings.js";
import type { CoinWire } from "./coins.js";

/** Protobuf wire types (protobuf encoding spec). */
export const Wire = { Varint: 0, Fixed64: 1, Len: 2, Fixed32: 5 } as const;

/** Raised for malformed protobuf; decoders' callers map it to sdk 2 "tx parse error". */
export class ProtoDecodeError extends Error {
  override readonly name = "ProtoDecodeError";
}

/**
 * A BinaryReader over `buf` itself. cosmjs-types' constructor copies its input (`new Uint8Array(buf)`): a
 * malloc and a copy of every message decoded (a tx's body and auth info, each message, each account read).
 * Decoding is synchronous, so `buf` cannot change meanwhile; what a decoder keeps of it after the call is up to
 * the decoder (readBytes copies; decodeTx keeps views of its own private copy of the tx).
 */
export function readerOver(buf: Uint8Array): BinaryReader {
  // Its string() looks up known type URLs by their bytes; the same strings as BinaryReader's. Made without its
  // constructor, which allocates an empty Uint8Array (ArrayBuffer + view) for a reader built without input, ~10
  // readers per tx: the four fields BinaryReader declares, set in its constructor's order (the same shape).
  const r = Object.create(InterningReader.prototype) as InterningReader;
  // A plain Uint8Array view of a Buffer (or other subclass): on a Buffer, subarray() gives Buffers, whose
  // slice() is a view, not a copy, so readBytes would alias the caller's bytes and return Buffers.
  r.buf =
    Object.getPrototypeOf(buf) === Uint8Array.prototype
      ? buf
      : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  r.pos = 0;
  r.type = 0;
  r.len = buf.length;
  return r;
}

/**
 * Walks the fields of one message. `onField` returns false for fields it does not know, which are skipped
 * (proto3 forward compatibility). A known field with the wrong wire type is an error, as in gogoproto.
 */
export function decodeFields(
  buf: Uint8Array,
  onField: (field: number, wireType: number, r: BinaryReader) => boolean,
): void {
  decodeFieldsInto(buf, onField, callField);
}

const callField = (
  onField: (field: number, wireType: number, r: BinaryReader) => boolean,
  field: number,
  wt: number,
  r: BinaryReader,
): boolean => onField(field, wt, r);

/**
 * decodeFields with the message under construction passed to a module-level `onField` (no closure per decode;
 * the same loop, skips and errors).
 */
export function decodeFieldsInto<T>(
  buf: Uint8Array,
  target: T,
  onField: (target: T, field: number, wireType: number, r: BinaryReader) => boolean,
): void {
  const r = readerOver(buf);
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      const field = tag >>> 3;
      const wt = tag & 7;
      if (field === 0) throw new ProtoDecodeError("illegal field number 0");
      if (!onField(target, field, wt, r)) {
        if (wt === 3 || wt === 4) throw new ProtoDecodeError("groups are not supported");
        r.skipType(wt);
      }
    }
    if (r.pos !== r.len) throw new ProtoDecodeError("truncated message");
  } catch (e) {
    if (e instanceof ProtoDecodeError) throw e;
    throw new ProtoDecodeError(e instanceof Error ? e.message : "malformed protobuf");
  }
}

export function expectWire(wt: number, expected: number, name: string): void {
  if (wt !== expected) throw new ProtoDecodeError(`field ${name}: wrong wire type ${wt}`);
}

/** Length-delimited bytes (copied, so later mutation of the input cannot change a decoded message). */
export function readBytes(r: BinaryReader, wt: number, name: string): Uint8Array {
  expectWire(wt, Wire.Len, name);
  return r.bytes().slice();
}

/**
 * Length-delimited bytes as a view of the input, not a copy: for decoders whose input nobody changes afterwards
 * (a message inside decodeTx's private copy of a tx), so the decoded message shares the tx's one buffer.
 */
export function readBytesView(r: BinaryReader, wt: number, name: string): Uint8Array {
  expectWire(wt, Wire.Len, name);
  return r.bytes();
}

/** Length-delimited string, rejecting invalid UTF-8 (gogoproto does the same for proto3 strings). */
export function readString(r: BinaryReader, wt: number, name: string): string {
  expectWire(wt, Wire.Len, name);
  const b = r.bytes();
  // Known strings and ASCII without a decoder call (the same string: ASCII bytes are their UTF-16 code units).
  const fast = lookupInterned(b) ?? asciiString(b);
  if (fast !== undefined) return fast;
  try {
    return utf8.decode(b);
  } catch {
    throw new ProtoDecodeError(`field ${name}: invalid UTF-8`);
  }
}

export function readUint64(r: BinaryReader, wt: number, name: string): bigint {
  expectWire(wt, Wire.Varint, name);
  return r.uint64();
}

/** cosmos.base.v1beta1.Coin {1 denom, 2 amount}. */
export function decodeCoin(buf: Uint8Array): CoinWire {
  let denom = "";
  let amount = "";
  decodeFields(buf, (f, wt, r) => {
    if (f === 1) denom = readString(r, wt, "denom");
    else if (f === 2) amount = readString(r, wt, "amount");
    else return false;
    return true;
  });
  return { denom, amount };
}

export function encodeCoin(c: CoinWire): Uint8Array {
  const w = BinaryWriter.create();
  if (c.denom !== "") w.uint32(10).string(c.denom);
  if (c.amount !== "") w.uint32(18).string(c.amount);
  return w.finish();
}

/** Writes a proto3 scalar only when non-default (canonical encoding, as gogoproto/ts-proto emit). */
export function putBytes(w: BinaryWriter, field: number, v: Uint8Array): void {
  if (v.length > 0) w.uint32((field << 3) | Wire.Len).bytes(v);
}

export function putString(w: BinaryWriter, field: number, v: string): void {
  if (v !== "") w.uint32((field << 3) | Wire.Len).string(v);
}

export function putUint64(w: BinaryWriter, field: number, v: bigint): void {
  if (v !== 0n) w.uint32((field << 3) | Wire.Varint).uint64(v);
}

export function putCoins(w: BinaryWriter, field: number, coins: readonly CoinWire[]): void {
  for (const c of coins) w.uint32((field << 3) | Wire.Len).bytes(encodeCoin(c));
}
