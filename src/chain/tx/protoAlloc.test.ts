// Pins protoAlloc.ts: cosmjs-types encodes give the same bytes with the exact-size allocator as with the
// generated pool allocator, and the allocator is installed by importing the chain's tx decoding.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { BinaryWriter } from "cosmjs-types/binary";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { SignDoc } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import "./decode.js";
import { exactSizeAlloc, generatedAlloc } from "./protoAlloc.js";

type Alloc = (size: number) => Uint8Array;
const writer = BinaryWriter as unknown as { alloc: Alloc };

function withAlloc<T>(alloc: Alloc, fn: () => T): T {
  const before = writer.alloc;
  writer.alloc = alloc;
  try {
    return fn();
  } finally {
    writer.alloc = before;
  }
}

describe("protoAlloc", () => {
  test("importing the tx decoder installs the exact-size allocator", () => {
    assert.equal(writer.alloc, exactSizeAlloc);
    assert.notEqual(generatedAlloc, exactSizeAlloc);
    const out = SignDoc.encode({
      bodyBytes: new Uint8Array([1, 2]),
      authInfoBytes: new Uint8Array([3]),
      chainId: "c",
      accountNumber: 7n,
    }).finish();
    // The generated pool returns a view into an 8 KiB slab; ours owns exactly its bytes.
    assert.equal(out.buffer.byteLength, out.length);
    const pooled = withAlloc(generatedAlloc, () =>
      SignDoc.encode(SignDoc.fromPartial({ chainId: "c" })).finish(),
    );
    assert.equal(pooled.buffer.byteLength, 8192);
  });

  test("encodes are byte-identical to the generated allocator's", () => {
    const arb = fc.record({
      body: fc.uint8Array({ maxLength: 300 }),
      auth: fc.uint8Array({ maxLength: 300 }),
      chainId: fc.string({ maxLength: 40 }),
      acc: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      responses: fc.array(fc.record({ typeUrl: fc.string(), value: fc.uint8Array({ maxLength: 5000 }) }), {
        maxLength: 3,
      }),
    });
    fc.assert(
      fc.property(arb, (a) => {
        const encode = (): Uint8Array[] => [
          SignDoc.encode({
            bodyBytes: a.body,
            authInfoBytes: a.auth,
            chainId: a.chainId,
            accountNumber: a.acc,
          }).finish(),
          TxMsgData.encode(TxMsgData.fromPartial({ msgResponses: a.responses })).finish(),
        ];
        const ours = encode();
        const theirs = withAlloc(generatedAlloc, encode);
        assert.deepEqual(
          ours.map((b) => Buffer.from(b).toString("hex")),
          theirs.map((b) => Buffer.from(b).toString("hex")),
        );
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});
