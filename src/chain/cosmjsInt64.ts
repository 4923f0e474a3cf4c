// cosmjs-types 0.11's BinaryWriter encodes an int64/uint64/sint64 varint wrongly when the value's low 32 bits are
// >= 2^31 and its high 32 bits are 0 (values in [2^31, 2^32), and sint64 values in [2^30, 2^31) after zigzag):
// it keeps the low word signed, writes one byte and pads the length it reserved with zero bytes. 3,000,000,000
// becomes `00 00 00 00 00`: decoders read 0 and then an illegal field tag 0. A CheckTx answer with gas_wanted
// 3e9 (a tx whose gas limit is 3e9) is then one CometBFT cannot decode, and a ValidatorUpdate with that power
// reads as "remove". Decoding is right. Importing this module (for its effect) replaces the three writer
// methods of the process's cosmjs-types with correct ones; every entry point that encodes with cosmjs-types
// imports it (src/chain/app.ts, src/consensus/abciServer.ts, src/api/rest/server.ts, src/cli/main.ts). It lives
// here, not in src/util: util/ is part of the enclave's measured code, and the enclave does not use cosmjs-types.
// `uint64` is an instance field that copies `BinaryWriter.prototype.int64` when a writer is made, so patching
// the prototype covers it.
import { BinaryWriter } from "cosmjs-types/binary";

interface Split {
  lo: number;
  hi: number;
}
type WriteOp = (val: Split, buf: Uint8Array, pos: number) => void;
interface WriterInternals {
  _push(fn: WriteOp, len: number, val: Split): BinaryWriter;
}

const LOW32 = 0xffff_ffffn;

/** The 64-bit two's complement of `value` (bigint, integer number, or decimal string) as two unsigned words. */
function split64(value: bigint | number | string): Split {
  const v = BigInt.asUintN(64, BigInt(value));
  return { lo: Number(v & LOW32), hi: Number(v >> 32n) };
}

/** Bytes of the varint of (hi·2^32 + lo), both unsigned 32-bit words. */
export function varint64Length(lo: number, hi: number): number {
  const bits = hi !== 0 ? 64 - Math.clz32(hi) : lo !== 0 ? 32 - Math.clz32(lo) : 1;
  return Math.ceil(bits / 7);
}

function writeVarint64(val: Split, buf: Uint8Array, pos: number): void {
  let lo = val.lo;
  let hi = val.hi;
  while (hi !== 0 || lo > 127) {
    buf[pos++] = (lo & 127) | 128;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  buf[pos] = lo;
}

function pushVarint(w: BinaryWriter, s: Split): BinaryWriter {
  return (w as unknown as WriterInternals)._push(writeVarint64, varint64Length(s.lo, s.hi), s);
}

const proto = BinaryWriter.prototype as unknown as {
  int64(value: bigint | number | string): BinaryWriter;
  sint64(value: bigint | number | string): BinaryWriter;
};
proto.int64 = function int64(this: BinaryWriter, value: bigint | number | string): BinaryWriter {
  return pushVarint(this, split64(value));
};
proto.sint64 = function sint64(this: BinaryWriter, value: bigint | number | string): BinaryWriter {
  const v = BigInt.asIntN(64, BigInt(value));
  return pushVarint(this, split64((v << 1n) ^ (v >> 63n)));
};

/** True when this process's cosmjs-types writer encodes 2^31 right (the fix above is in place). */
export function cosmjsInt64Fixed(): boolean {
  const b = BinaryWriter.create()
    .uint64(2n ** 31n)
    .finish();
  return b.length === 5 && b[0] === 0x80 && b[4] === 0x08;
}
