// Protobuf strings a tx repeats verbatim (type URLs, the fee denom), looked up by their bytes instead of
// decoded: cosmjs-types' utf8Read builds each string from a char-code array, the top self-time in CheckTx decode.
import { BinaryReader } from "cosmjs-types/binary";

/** Longest string kept in the table (type URLs are < 80 bytes); longer ones are always decoded. */
const MAX_INTERNED_BYTES = 96;
/** Longest all-ASCII string decoded with String.fromCharCode on one call (the rest go through utf8Read). */
const MAX_ASCII_FAST_BYTES = 1024;

interface Interned {
  readonly bytes: Uint8Array;
  readonly text: string;
}

/** Entries by byte length: a lookup costs one array index plus byte compares against same-length strings. */
const byLength: (Interned[] | undefined)[] = [];

/**
 * Adds an ASCII string to the table. Only ASCII is accepted, so a hit is exactly what utf8Read would build
 * from the same bytes (ASCII bytes map one to one onto UTF-16 code units). Idempotent.
 */
export function internAscii(text: string): void {
  if (text.length === 0 || text.length > MAX_INTERNED_BYTES) return;
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return;
    bytes[i] = c;
  }
  const list = (byLength[bytes.length] ??= []);
  if (list.some((e) => e.text === text)) return;
  list.push({ bytes, text });
}

/** The interned string whose bytes are `bytes`, or undefined. */
export function lookupInterned(bytes: Uint8Array): string | undefined {
  const list = byLength[bytes.length];
  if (list === undefined) return undefined;
  for (const e of list) {
    const b = e.bytes;
    // From the end: known URLs share long prefixes ("/cosmos.", "/secret.compute.v1beta1.Msg").
    let i = b.length - 1;
    while (i >= 0 && b[i] === bytes[i]) i--;
    if (i < 0) return e.text;
  }
  return undefined;
}

/**
 * The string of `bytes` when all of it is ASCII (then identical to utf8Read's result), else undefined: one
 * fromCharCode call instead of utf8Read's per-byte array pushes.
 */
export function asciiString(bytes: Uint8Array): string | undefined {
  const n = bytes.length;
  if (n > MAX_ASCII_FAST_BYTES) return undefined;
  for (let i = 0; i < n; i++) if (bytes[i]! >= 0x80) return undefined;
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

/**
 * A BinaryReader whose string() returns the same strings as cosmjs-types' (and throws the same errors), via
 * the intern table or one fromCharCode call for ASCII; other bytes (non-ASCII, invalid UTF-8) take
 * cosmjs-types' own path, re-read from the same position.
 */
export class InterningReader extends BinaryReader {
  override string(): string {
    const at = this.pos;
    const bytes = this.bytes();
    const s = lookupInterned(bytes) ?? asciiString(bytes);
    if (s !== undefined) return s;
    this.pos = at;
    return super.string();
  }
}

// Strings every tx path meets whatever modules are registered (the registry interns message type URLs).
// spec secretjs-compat §2 (the secp256k1 key type); SN's fee denom.
internAscii("/cosmos.crypto.secp256k1.PubKey");
internAscii("uscrt");
