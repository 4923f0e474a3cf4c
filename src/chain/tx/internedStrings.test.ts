// InterningReader must be indistinguishable from cosmjs-types' BinaryReader: the same strings (interned, ASCII,
// non-ASCII, invalid UTF-8) and the same errors, checked directly and through TxBody/AuthInfo decoding.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary";
import { AuthInfo, TxBody } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { InterningReader, internAscii, lookupInterned } from "./internedStrings.js";
import { readerOver } from "./proto.js";

const KNOWN = [
  "/secret.compute.v1beta1.MsgExecuteContract",
  "/secret.compute.v1beta1.MsgInstantiateContract",
  "/cosmos.bank.v1beta1.MsgSend",
  "/cosmos.crypto.secp256k1.PubKey",
  "uscrt",
];
for (const s of KNOWN) internAscii(s);
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Byte strings near the interned ones: exact, one byte changed (incl. to ≥ 0x80), cut, extended. */
const nearKnown: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    fc.constantFrom(...KNOWN),
    fc.nat(),
    fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 0, max: 3 }),
  )
  .map(([s, at, byte, how]) => {
    const b = enc(s);
    const i = at % b.length;
    if (how === 0) return b;
    if (how === 1) return Uint8Array.from(b, (x, j) => (j === i ? byte : x));
    if (how === 2) return b.subarray(0, i);
    return Uint8Array.of(...b, byte);
  });
const anyString: fc.Arbitrary<Uint8Array> = fc.oneof(
  nearKnown,
  fc.uint8Array({ maxLength: 64 }),
  fc.string({ unit: "binary", maxLength: 40 }).map(enc),
  fc.string({ unit: "grapheme-ascii", maxLength: 1100 }).map(enc),
);

function outcome<T>(f: () => T): { ok: T } | { err: string } {
  try {
    return { ok: f() };
  } catch (e) {
    return { err: e instanceof Error ? `${e.constructor.name}: ${e.message}` : "?" };
  }
}

function plainReader(buf: Uint8Array): BinaryReader {
  return new BinaryReader(buf);
}

/** A TxBody: messages as Any {type URL, value}, a memo and extension options, all strings from `parts`. */
function bodyBytes(parts: Uint8Array[], truncate: number): Uint8Array {
  const w = BinaryWriter.create();
  parts.forEach((p, i) => {
    const any = BinaryWriter.create().uint32(10).bytes(p).uint32(18).bytes(Uint8Array.of(i)).finish();
    if (i % 3 === 2)
      w.uint32(18).bytes(p); // memo
    else w.uint32(i % 3 === 0 ? 10 : 8186).bytes(any); // messages / extension_options (field 1023)
  });
  const b = w.finish();
  return b.subarray(0, Math.max(0, b.length - truncate));
}

describe("InterningReader", () => {
  test("lookupInterned finds exactly the interned strings", () => {
    for (const s of KNOWN) assert.equal(lookupInterned(enc(s)), s);
    assert.equal(lookupInterned(enc("/cosmos.bank.v1beta1.MsgSenD")), undefined);
    assert.equal(lookupInterned(new Uint8Array()), undefined);
    internAscii("caf\u00e9"); // non-ASCII: refused
    assert.equal(lookupInterned(enc("caf\u00e9")), undefined);
  });

  test("string() ≡ BinaryReader.string() on random, near-known, non-ASCII and invalid UTF-8 bytes", () => {
    fc.assert(
      fc.property(anyString, fc.integer({ min: 0, max: 2 }), (s, cut) => {
        const framed = BinaryWriter.create().bytes(s).finish();
        const buf = framed.subarray(0, framed.length - (s.length > 0 ? cut : 0));
        const mine = new InterningReader(buf);
        const theirs = new BinaryReader(buf);
        assert.deepEqual(
          outcome(() => [mine.string(), mine.pos]),
          outcome(() => [theirs.string(), theirs.pos]),
        );
      }),
      { seed: 42, numRuns: 20_000 },
    );
  });

  test("TxBody and AuthInfo decode ≡ cosmjs-types' on random/mutated bodies", () => {
    fc.assert(
      fc.property(fc.array(anyString, { maxLength: 5 }), fc.integer({ min: 0, max: 3 }), (parts, cut) => {
        const b = bodyBytes(parts, cut);
        assert.deepEqual(
          outcome(() => TxBody.decode(readerOver(b))),
          outcome(() => TxBody.decode(plainReader(b))),
        );
        assert.deepEqual(
          outcome(() => AuthInfo.decode(readerOver(b))),
          outcome(() => AuthInfo.decode(plainReader(b))),
        );
      }),
      { seed: 7, numRuns: 10_000 },
    );
  });
});
