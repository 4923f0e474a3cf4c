// decodeAbciRequest against cosmjs-types' Request.decode (the reference: what the socket server decoded before):
// canonical CheckTx frames (taken by the fast path), hand-made non-canonical ones, mutated and random bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { CheckTxType, Request } from "cosmjs-types/tendermint/abci/types";
import { decodeAbciRequest } from "./requestCodec.js";
import { requestKind } from "./abciCpu.js";

/** Both decodes agree: both throw, or both re-encode to the same bytes with the same kind and tx bytes. */
function assertSame(body: Uint8Array): void {
  let want: Request | undefined;
  let wantErr = false;
  try {
    want = Request.decode(body);
  } catch {
    wantErr = true;
  }
  if (wantErr) {
    assert.throws(() => decodeAbciRequest(body));
    return;
  }
  const got = decodeAbciRequest(body);
  assert.equal(requestKind(got), requestKind(want!));
  assert.deepEqual(Request.encode(got).finish(), Request.encode(want!).finish());
  if (want!.checkTx !== undefined) {
    assert.deepEqual(got.checkTx!.tx, want!.checkTx.tx);
    assert.equal(got.checkTx!.type, want!.checkTx.type);
  }
}

const checkTxBody = (tx: Uint8Array, type: number): Uint8Array =>
  Request.encode(Request.fromPartial({ checkTx: { tx, type } })).finish();

/** True when the fast path answered (its Request holds the check_tx arm only). */
const fast = (body: Uint8Array): boolean => Object.keys(decodeAbciRequest(body)).length === 1;

test("canonical CheckTx frames: the fast path, equal to Request.decode", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 20_000 }),
      fc.constantFrom(CheckTxType.NEW, CheckTxType.RECHECK),
      (tx, type) => {
        const body = checkTxBody(tx, type);
        assertSame(body);
        assert.ok(fast(body), "canonical CheckTx takes the fast path");
        const r = decodeAbciRequest(body);
        if (tx.length > 0)
          assert.equal(r.checkTx!.tx.buffer, body.buffer, "tx is a view of the frame, as cosmjs-types'");
      },
    ),
    { seed: 42, numRuns: 500 },
  );
});

test("non-canonical CheckTx frames fall back and decode the same", () => {
  const tx = Uint8Array.from([1, 2, 3]);
  const cases: number[][] = [
    [0x42, 0x07, 0x10, 0x01, 0x0a, 0x03, 1, 2, 3], // type before tx
    [0x42, 0x0a, 0x0a, 0x03, 1, 2, 3, 0x10, 0x01, 0x10, 0x00], // type twice (last wins)
    [0x42, 0x0a, 0x0a, 0x03, 1, 2, 3, 0x0a, 0x01, 9], // tx twice
    [0x42, 0x07, 0x0a, 0x03, 1, 2, 3, 0x18, 0x05], // unknown field 3
    [0x42, 0x06, 0x0a, 0x03, 1, 2, 3, 0x10], // type without its value
    [0x42, 0x0b, 0x0a, 0x03, 1, 2, 3, 0x10, 0xff, 0xff, 0xff, 0xff, 0x0f], // type -1 (multi-byte varint)
    [0x42, 0x05, 0x0a, 0x03, 1, 2, 3, 0x42, 0x00], // check_tx twice (merged)
    [0x42, 0x05, 0x0a, 0x03, 1, 2, 3, 0x12, 0x00], // then a flush arm
    [0x42, 0x00], // empty RequestCheckTx
    [0x42, 0x80, 0x00], // non-minimal length varint of 0
    [0x42, 0x05, 0x0a, 0x04, 1, 2, 3], // tx length past the end
    [0x42, 0x09, 0x0a, 0x03, 1, 2, 3], // outer length past the end
    [0x12, 0x00], // flush
    [],
  ];
  for (const c of cases) assertSame(Uint8Array.from(c));
  assert.ok(fast(Uint8Array.from([0x42, 0x00])), "an empty NEW is canonical");
  assert.ok(!fast(Uint8Array.from(cases[0]!)));
  assertSame(checkTxBody(tx, 7)); // an enum value CometBFT never sends, one byte: still canonical
});

test("mutated and random frames: same answer or the same refusal", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 0, maxLength: 300 }),
      fc.constantFrom(0, 1, 2, 127, 128, 300),
      fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 }),
      (tx, type, flips) => {
        const body = checkTxBody(tx, type);
        for (const [at, v] of flips) if (body.length > 0) body[at % body.length] = v;
        assertSame(body);
      },
    ),
    { seed: 7, numRuns: 3000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      assertSame(b);
    }),
    { seed: 9, numRuns: 3000 },
  );
});
