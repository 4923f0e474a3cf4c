// encodeFinalizeBlockResponse against cosmjs-types' own encoder (the reference: the bytes the block store and the
// ABCI server wrote before): seeded random results with every field, any UTF-16 (lone surrogates included),
// negative and 64-bit gas, validator updates and consensus params; plus one real-shaped SNIP-20 block.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Response, ResponseFinalizeBlock, type Event } from "cosmjs-types/tendermint/abci/types";
import { encodeCheckTxResponse, encodeFinalizeBlockResponse, encodeTxResultAhead } from "./resultsCodec.js";
import { encodeFrame, encodeResponse, writeUvarint } from "./abciServer.js";

// Any UTF-16 code units, so strings may hold lone surrogates (contracts' event attributes are arbitrary text).
const text = fc.oneof(
  fc.constant(""),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({
    unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
    maxLength: 3,
  }),
);
const bytes = fc.uint8Array({ maxLength: 40 });
const int64 = fc.oneof(
  fc.constant(0n),
  fc.bigInt({ min: 0n, max: 10_000_000n }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
);
const event: fc.Arbitrary<Event> = fc.record({
  type: text,
  attributes: fc.array(fc.record({ key: text, value: text, index: fc.boolean() }), { maxLength: 4 }),
});
const txResult = fc.record({
  code: fc.oneof(fc.constant(0), fc.nat(0xffff_ffff)),
  data: bytes,
  log: text,
  info: text,
  gasWanted: int64,
  gasUsed: int64,
  events: fc.array(event, { maxLength: 4 }),
  codespace: text,
});
const response = fc.record({
  events: fc.array(event, { maxLength: 3 }),
  txResults: fc.array(txResult, { maxLength: 6 }),
  validatorUpdates: fc.array(
    fc.record({
      pubKey: fc.record({ ed25519: fc.uint8Array({ minLength: 32, maxLength: 32 }) }),
      power: int64,
    }),
    { maxLength: 2 },
  ),
  withParams: fc.boolean(),
  appHash: fc.oneof(fc.constant(new Uint8Array()), fc.uint8Array({ minLength: 32, maxLength: 32 })),
});

describe("encodeFinalizeBlockResponse", () => {
  test("equals ResponseFinalizeBlock.encode byte for byte (seeded, 3,000 cases)", () => {
    fc.assert(
      fc.property(response, ({ withParams, ...r }) => {
        const msg = ResponseFinalizeBlock.fromPartial({
          ...r,
          ...(withParams ? { consensusParamUpdates: { block: { maxBytes: 22020096n, maxGas: -1n } } } : {}),
        });
        assert.deepEqual(encodeFinalizeBlockResponse(msg), ResponseFinalizeBlock.encode(msg).finish());
      }),
      { seed: 42, numRuns: 3000 },
    );
  });

  test("with any tx results encoded ahead: the same bytes (seeded, 2,000 cases)", () => {
    fc.assert(
      fc.property(response, fc.array(fc.boolean(), { maxLength: 6 }), ({ withParams, ...r }, pick) => {
        const msg = ResponseFinalizeBlock.fromPartial({
          ...r,
          ...(withParams ? { consensusParamUpdates: { block: { maxBytes: 22020096n, maxGas: -1n } } } : {}),
        });
        msg.txResults.forEach((t, i) => {
          if (pick[i] === true) encodeTxResultAhead(t);
        });
        // Twice: a result encoded ahead is not encoded again, nor its bytes changed by a second request.
        msg.txResults.forEach((t, i) => {
          if (pick[i] === true) encodeTxResultAhead(t);
        });
        assert.deepEqual(encodeFinalizeBlockResponse(msg), ResponseFinalizeBlock.encode(msg).finish());
      }),
      { seed: 43, numRuns: 2000 },
    );
  });

  test("a 500-tx block of SNIP-20-shaped results round-trips through cosmjs-types' decoder", () => {
    const ev = (type: string, n: number): Event => ({
      type,
      attributes: Array.from({ length: n }, (_, i) => ({
        key: `key${i}`,
        value: "secret1fc3fzy78ttp0lwuujw7e52rhspxn8uj52zfyne",
        index: true,
      })),
    });
    const msg = ResponseFinalizeBlock.fromPartial({
      txResults: Array.from({ length: 500 }, (_, i) => ({
        data: new Uint8Array(48).fill(i & 0xff),
        gasWanted: 500_000n,
        gasUsed: 150_000n + BigInt(i),
        events: [ev("tx", 2), ev("coin_spent", 2), ev("message", 3), ev("wasm", 2)],
      })),
      appHash: new Uint8Array(32).fill(7),
    });
    const bytes = encodeFinalizeBlockResponse(msg);
    assert.deepEqual(bytes, ResponseFinalizeBlock.encode(msg).finish());
    assert.deepEqual(ResponseFinalizeBlock.decode(bytes), msg);
  });

  test("the ABCI server's Response bytes equal Response.encode (FinalizeBlock through our encoder, others not)", () => {
    fc.assert(
      fc.property(fc.array(txResult, { maxLength: 40 }), (txResults) => {
        const fb = Response.fromPartial({
          finalizeBlock: { txResults, appHash: new Uint8Array(32).fill(1) },
        });
        assert.deepEqual(encodeResponse(fb), Response.encode(fb).finish());
        const ct = Response.fromPartial({ checkTx: txResults[0] ?? {} });
        assert.deepEqual(encodeResponse(ct), Response.encode(ct).finish());
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe("encodeCheckTxResponse", () => {
  test("equals Response.encode({ checkTx }) for seeded random answers (via encodeResponse too)", () => {
    fc.assert(
      fc.property(txResult, (r) => {
        const res = Response.fromPartial({ checkTx: r });
        const want = Response.encode(res).finish();
        assert.deepEqual(encodeCheckTxResponse(r), want);
        assert.deepEqual(encodeResponse(res), want);
      }),
      { seed: 42, numRuns: 400 },
    );
  });

  test("framed: the socket frame of the same bytes, in one buffer (1- to 3-byte length prefixes)", () => {
    const longLog = fc.oneof(fc.constant(0), fc.constant(120), fc.constant(200), fc.constant(20_000));
    fc.assert(
      fc.property(txResult, longLog, (r, n) => {
        const answer = { ...r, log: r.log + "x".repeat(n) };
        const want = frame(Response.encode(Response.fromPartial({ checkTx: answer })).finish());
        assert.deepEqual(encodeCheckTxResponse(answer, true), want);
        assert.deepEqual(encodeFrame(Response.fromPartial({ checkTx: answer })), want);
      }),
      { seed: 43, numRuns: 300 },
    );
    // Outside int64 (cosmjs-types' own path), framed too.
    const huge = { ...plain, gasWanted: 2n ** 64n + 5n };
    assert.deepEqual(
      encodeCheckTxResponse(huge, true),
      frame(Response.encode(Response.fromPartial({ checkTx: huge })).finish()),
    );
  });
});

/** uvarint(length) ‖ bytes, built independently of the encoders under test. */
const frame = (b: Uint8Array): Uint8Array => new Uint8Array(Buffer.concat([writeUvarint(b.length), b]));

const plain = {
  code: 0,
  data: new Uint8Array(),
  log: "",
  info: "",
  gasWanted: 1n,
  gasUsed: 0n,
  events: [],
  codespace: "",
};
