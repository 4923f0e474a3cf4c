// The tx-signature binding's protobuf reads (./txSignature.ts) without cosmjs-types' decoders: the same accept /
// reject decisions and the same field values as `SignDoc`, `AuthInfo`, `TxBody`, `TxRaw`, `PubKey` and `Any`
// `.decode` of cosmjs-types 0.11 (property-tested against them, ./protoWalk.test.ts), but no copy of the input, no
// objects for fields nobody reads, no BigInt for uint64s and no string decode of memo, chain id or fees.
import { utf8Read } from "cosmjs-types/utf8";

/** The generated decoders read uint32 / uint64 / int32 / bool alike: at most 10 varint bytes, within bounds. */
const MAX_VARINT_BYTES = 10;

/**
 * A reader with cosmjs-types `BinaryReader` semantics (its varint32read / varint64read / skip / skipType /
 * bytes), over a view of the caller's buffer (BinaryReader copies it). Every method throws where BinaryReader
 * throws; messages differ (callers map any throw to one error).
 */
export class ProtoReader {
  pos = 0;
  readonly len: number;

  constructor(readonly buf: Uint8Array) {
    this.len = buf.length;
  }

  /** varint32read: ≤ 10 bytes, every byte read within bounds; the low 32 bits, unsigned. */
  uint32(): number {
    const { buf, len } = this;
    let result = 0;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (this.pos >= len) throw new RangeError("premature EOF");
      const b = buf[this.pos++]!;
      if (i < 4) result |= (b & 0x7f) << (7 * i);
      else if (i === 4) result |= (b & 0x0f) << 28;
      if ((b & 0x80) === 0) return result >>> 0;
    }
    throw new Error("invalid varint");
  }

  /** varint64read (uint64, int64, bool): the same bounds as `uint32`, value not needed. */
  skipVarint(): void {
    this.uint32();
  }

  /** `bytes()`: a uint32 length, then that many bytes within bounds; a view (no copy). */
  bytes(): Uint8Array {
    const n = this.uint32();
    const start = this.pos;
    if (start + n > this.len) throw new RangeError("premature EOF");
    this.pos = start + n;
    return this.buf.subarray(start, start + n);
  }

  /** `string()`: `bytes()` read as cosmjs-types does (its lenient utf8Read; ASCII takes a shortcut). */
  string(): string {
    return protoString(this.bytes());
  }

  /** BinaryReader.tag(): field number ≥ 1 and wire type ≤ 5. */
  tag(): [number, number] {
    const tag = this.uint32();
    const no = tag >>> 3;
    const wire = tag & 7;
    if (no <= 0 || wire > 5) throw new Error(`illegal tag: field no ${no} wire type ${wire}`);
    return [no, wire];
  }

  /** skip(n): n more bytes must exist. */
  private skipN(n: number): void {
    if (this.pos + n > this.len) throw new RangeError("premature EOF");
    this.pos += n;
  }

  /** skip(): an unknown field's varint, of any length (no 10-byte limit here, as in BinaryReader). */
  private skipAnyVarint(): void {
    do {
      if (this.pos >= this.len) throw new RangeError("premature EOF");
    } while ((this.buf[this.pos++]! & 0x80) !== 0);
  }

  private skipOne(wire: number): void {
    switch (wire) {
      case 0:
        this.skipAnyVarint();
        return;
      case 1:
        this.skipN(8);
        return;
      case 2:
        this.skipN(this.uint32());
        return;
      case 5:
        this.skipN(4);
        return;
      default:
        throw new Error(`invalid wire type ${wire}`);
    }
  }

  /**
   * skipType(wire): an unknown field. A group (3) runs to its end (4), skipping what it holds; a lone 4, 6 or
   * 7 throws. Iterative where BinaryReader recurses, so only a nesting deep enough to overflow its stack (an
   * engine-dependent limit, thousands of levels) is decided differently.
   */
  skipType(wire: number): void {
    if (wire !== 3) {
      this.skipOne(wire);
      return;
    }
    let depth = 1;
    while (depth > 0) {
      const w = this.uint32() & 7;
      if (w === 4) depth--;
      else if (w === 3) depth++;
      else this.skipOne(w);
    }
  }
}

/** Type URLs the binding compares against: their bytes map to the same (interned) string without building it. */
const KNOWN_STRINGS = [
  "/cosmos.crypto.secp256k1.PubKey",
  "/secret.compute.v1beta1.MsgExecuteContract",
  "/secret.compute.v1beta1.MsgInstantiateContract",
  "/secret.compute.v1beta1.MsgMigrateContract",
  "/secret.compute.v1beta1.MsgUpdateAdmin",
  "/secret.compute.v1beta1.MsgClearAdmin",
].map((str) => ({ str, bytes: Uint8Array.from(str, (c) => c.charCodeAt(0)) }));

function knownString(b: Uint8Array): string | undefined {
  for (const k of KNOWN_STRINGS) {
    if (k.bytes.length !== b.length) continue;
    let i = 0;
    while (i < b.length && b[i] === k.bytes[i]) i++;
    if (i === b.length) return k.str;
  }
  return undefined;
}

/** What cosmjs-types' `string()` makes of these bytes: ASCII directly, anything else by its own utf8Read. */
export function protoString(b: Uint8Array): string {
  const known = knownString(b);
  if (known !== undefined) return known;
  let s = "";
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c >= 0x80) return utf8Read(b, 0, b.length);
    s += String.fromCharCode(c);
  }
  return s;
}

/** The kinds of field a generated decoder reads; any other field number is skipped by its wire type. */
const BYTES = 1; // bytes, string
const VARINT = 2; // uint64, int64, uint32, int32, enum, bool
interface Schema {
  fields: (typeof BYTES | typeof VARINT | Schema | undefined)[];
}

// Messages whose fields are never returned, only checked as their decoders would read them.
const COIN: Schema = { fields: [undefined, BYTES, BYTES] };
const TIMESTAMP: Schema = { fields: [undefined, VARINT, VARINT] };
const ANY: Schema = { fields: [undefined, BYTES, BYTES] };
const FEE: Schema = { fields: [undefined, COIN, VARINT, BYTES, BYTES] };
const TIP: Schema = { fields: [undefined, COIN, BYTES] };
const COMPACT_BIT_ARRAY: Schema = { fields: [undefined, VARINT, BYTES] };
const MODE_SINGLE: Schema = { fields: [undefined, VARINT] };
const MODE_INFO: Schema = { fields: [] };
const MODE_MULTI: Schema = { fields: [undefined, COMPACT_BIT_ARRAY, MODE_INFO] };
MODE_INFO.fields = [undefined, MODE_SINGLE, MODE_MULTI];

/**
 * `Schema.decode(reader, length)` for its accept/reject decision only: reads fields while pos < end, nested
 * messages to their own end (a field may run past it; the decoders allow that, so this does too). Iterative,
 * since ModeInfo nests itself.
 */
function checkMessage(r: ProtoReader, end: number, schema: Schema): void {
  const stack: { s: Schema; end: number }[] = [];
  let s = schema;
  let e = end;
  for (;;) {
    if (r.pos >= e) {
      const up = stack.pop();
      if (up === undefined) return;
      s = up.s;
      e = up.end;
      continue;
    }
    const tag = r.uint32();
    const f = s.fields[tag >>> 3];
    if (f === undefined) r.skipType(tag & 7);
    else if (f === BYTES) r.bytes();
    else if (f === VARINT) r.skipVarint();
    else {
      const n = r.uint32();
      stack.push({ s, end: e });
      s = f;
      e = r.pos + n;
    }
  }
}

/** A nested message's end as its decoder computes it: a uint32 length from the current position. */
function nestedEnd(r: ProtoReader): number {
  const n = r.uint32();
  return r.pos + n;
}

/** A protobuf Any: type URL and value (a view). */
export interface AnyParts {
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

const EMPTY: Uint8Array = new Uint8Array(0);

/** `Any.decode(reader, length)`: the last type URL and value win; defaults "" and empty. */
function readAny(r: ProtoReader, end: number): AnyParts {
  let typeUrl = "";
  let value = EMPTY;
  while (r.pos < end) {
    const tag = r.uint32();
    const no = tag >>> 3;
    if (no === 1) typeUrl = r.string();
    else if (no === 2) value = r.bytes();
    else r.skipType(tag & 7);
  }
  return { typeUrl, value };
}

/** `Any.decode(bytes)`. */
export function decodeAny(bytes: Uint8Array): AnyParts {
  const r = new ProtoReader(bytes);
  return readAny(r, r.len);
}

/**
 * The last bytes of field `want` of a message whose other known fields are `schema`'s (all bytes or varints),
 * read to the end of `bytes` as its decoder does; empty when absent.
 */
function lastBytes(bytes: Uint8Array, want: number, schema: Schema): Uint8Array {
  const r = new ProtoReader(bytes);
  let out = EMPTY;
  while (r.pos < r.len) {
    const tag = r.uint32();
    const no = tag >>> 3;
    const f = schema.fields[no];
    if (no === want) out = r.bytes();
    else if (f === undefined) r.skipType(tag & 7);
    else if (f === BYTES) r.bytes();
    else if (f === VARINT) r.skipVarint();
    else checkMessage(r, nestedEnd(r), f);
  }
  return out;
}

// TxRaw: body_bytes 1, auth_info_bytes 2, signatures 3 (repeated bytes).
const TX_RAW: Schema = { fields: [undefined, BYTES, BYTES, BYTES] };
// cosmos.crypto.secp256k1 PubKey: key 1.
const PUB_KEY: Schema = { fields: [undefined, BYTES] };

/** `SignDoc.decode(bytes)`'s body and auth-info bytes (views); chain_id 3 and account_number 4 checked. */
export function decodeSignDoc(bytes: Uint8Array): { bodyBytes: Uint8Array; authInfoBytes: Uint8Array } {
  const r = new ProtoReader(bytes);
  let bodyBytes = EMPTY;
  let authInfoBytes = EMPTY;
  while (r.pos < r.len) {
    const tag = r.uint32();
    const no = tag >>> 3;
    if (no === 1) bodyBytes = r.bytes();
    else if (no === 2) authInfoBytes = r.bytes();
    else if (no === 3) r.bytes();
    else if (no === 4) r.skipVarint();
    else r.skipType(tag & 7);
  }
  return { bodyBytes, authInfoBytes };
}

/** `TxRaw.decode(bytes).bodyBytes` (a view). */
export function decodeTxRawBody(bytes: Uint8Array): Uint8Array {
  return lastBytes(bytes, 1, TX_RAW);
}

/** `PubKey.decode(bytes).key` (a view). */
export function decodePubKey(bytes: Uint8Array): Uint8Array {
  return lastBytes(bytes, 1, PUB_KEY);
}

/** `TxBody.decode(bytes).messages` (memo, timeouts and extension options checked, not returned). */
export function decodeTxBodyMessages(bytes: Uint8Array): AnyParts[] {
  const r = new ProtoReader(bytes);
  const messages: AnyParts[] = [];
  while (r.pos < r.len) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        messages.push(readAny(r, nestedEnd(r)));
        break;
      case 2: // memo
        r.bytes();
        break;
      case 3: // timeout_height
      case 4: // unordered
        r.skipVarint();
        break;
      case 5: // timeout_timestamp
        checkMessage(r, nestedEnd(r), TIMESTAMP);
        break;
      case 1023: // extension_options
      case 2047: // non_critical_extension_options
        checkMessage(r, nestedEnd(r), ANY);
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  return messages;
}

/** `SignerInfo.decode(reader, length).publicKey`: the last Any at field 1, undefined when none. */
function readSignerKey(r: ProtoReader, end: number): AnyParts | undefined {
  let key: AnyParts | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        key = readAny(r, nestedEnd(r));
        break;
      case 2:
        checkMessage(r, nestedEnd(r), MODE_INFO);
        break;
      case 3: // sequence
        r.skipVarint();
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  return key;
}

/** `AuthInfo.decode(bytes).signerInfos.map((s) => s.publicKey)` (fee and tip checked, not returned). */
export function decodeAuthInfoKeys(bytes: Uint8Array): (AnyParts | undefined)[] {
  const r = new ProtoReader(bytes);
  const keys: (AnyParts | undefined)[] = [];
  while (r.pos < r.len) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        keys.push(readSignerKey(r, nestedEnd(r)));
        break;
      case 2:
        checkMessage(r, nestedEnd(r), FEE);
        break;
      case 3:
        checkMessage(r, nestedEnd(r), TIP);
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  return keys;
}
