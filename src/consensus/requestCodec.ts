// ABCI request bytes → cosmjs-types `Request`, with a hand-written path for the one request a localnet node gets
// most often: CheckTx (every broadcast tx, NEW, on every node; every pending tx again after every Commit,
// RECHECK). cosmjs-types' `Request.decode` builds a Request with all 16 oneof arms, a reader object and the
// RequestCheckTx in ~0.8–1.4 µs; the canonical CheckTx frame CometBFT sends (gogoproto: one `check_tx` field
// holding `tx`, then `type` when not NEW) is read here in ~0.4 µs into `{ checkTx: { tx, type } }` (the arms
// not set read as undefined, as in the full decode). Anything else — another arm, a non-canonical field order,
// repeated or unknown fields, a multi-byte enum — goes to cosmjs-types, so the answer is always its decode's.
import { CheckTxType, Request, type RequestCheckTx } from "cosmjs-types/tendermint/abci/types";

/** Request.check_tx = 8, wire type 2; RequestCheckTx.tx = 1 (bytes), .type = 2 (varint enum). */
const TAG_CHECK_TX = 0x42;
const TAG_TX = 0x0a;
const TAG_TYPE = 0x10;

/** [length, offset after it] of a length varint at `p` (≤ 4 bytes, below 2^28), or undefined. */
function readLen(b: Uint8Array, p: number): [number, number] | undefined {
  let v = 0;
  for (let i = 0; i < 4; i++) {
    if (p + i >= b.length) return undefined;
    const x = b[p + i]!;
    v += (x & 0x7f) * 2 ** (7 * i);
    if (x < 0x80) return [v, p + i + 1];
  }
  return undefined;
}

/** The canonical CheckTx request, or undefined (the caller then decodes the general way). */
function decodeCheckTx(b: Uint8Array): Request | undefined {
  if (b[0] !== TAG_CHECK_TX) return undefined;
  const outer = readLen(b, 1);
  if (outer === undefined || outer[1] + outer[0] !== b.length) return undefined;
  let p = outer[1];
  let tx: Uint8Array = new Uint8Array();
  let type: number = 0; // NEW; any one-byte value is kept as cosmjs-types keeps it (an int32, unchecked)
  if (p < b.length && b[p] === TAG_TX) {
    const l = readLen(b, p + 1);
    if (l === undefined || l[1] + l[0] > b.length) return undefined;
    tx = b.subarray(l[1], l[1] + l[0]);
    p = l[1] + l[0];
  }
  if (p < b.length && b[p] === TAG_TYPE) {
    if (p + 1 >= b.length || b[p + 1]! >= 0x80) return undefined;
    type = b[p + 1]!;
    p += 2;
  }
  if (p !== b.length) return undefined;
  const checkTx: RequestCheckTx = { tx, type: CheckTxType.NEW };
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- the wire's int32, as cosmjs-types'
  checkTx.type = type;
  return { checkTx };
}

/**
 * `Request.decode(body)`, faster for a canonical CheckTx. The tx bytes are a view of `body`, as cosmjs-types'
 * reader gives them. Throws what `Request.decode` throws.
 */
export function decodeAbciRequest(body: Uint8Array): Request {
  return decodeCheckTx(body) ?? Request.decode(body);
}
