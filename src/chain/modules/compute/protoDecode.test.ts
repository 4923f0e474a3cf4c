// The compute message decoders (views of the input, strings without a decoder call for ASCII, no closure per
// decode; session 11) against the copying reference they replaced: the same messages and the same errors on
// seeded random and adversarial inputs (unknown fields, wrong wire types, groups, field 0, truncated and
// overlong varints, lengths past the end, invalid UTF-8), and through decodeTx.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary";
import { MsgExecuteContract as SjsExecute } from "secretjs";
import * as ours from "./proto.js";
import { ProtoDecodeError, Wire } from "../../tx/proto.js";
import type { CoinWire } from "../../tx/coins.js";
import { decodeTx } from "../../tx/decode.js";
import { MsgRegistry } from "../../tx/msgRegistry.js";
import { registerSecretMsgTypes } from "../../tx/secretMsgs.js";
import { makeSigner } from "../../tx/testdata/secretjsSigner.js";
import { MNEMONIC_A, TEST_CHAIN_ID } from "../../tx/testdata/testHarness.js";

// ---- the reference: the session-10 decoders (copying BinaryReader, bytes copied, strings by a fatal decoder).
type OnField = (field: number, wireType: number, r: BinaryReader) => boolean;
function refFields(buf: Uint8Array, onField: OnField): void {
  const r = new BinaryReader(buf);
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      const field = tag >>> 3;
      const wt = tag & 7;
      if (field === 0) throw new ProtoDecodeError("illegal field number 0");
      if (!onField(field, wt, r)) {
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
function refWire(wt: number, expected: number, name: string): void {
  if (wt !== expected) throw new ProtoDecodeError(`field ${name}: wrong wire type ${wt}`);
}
function refBytes(r: BinaryReader, wt: number, name: string): Uint8Array {
  refWire(wt, Wire.Len, name);
  return r.bytes().slice();
}
function refString(r: BinaryReader, wt: number, name: string): string {
  const b = refBytes(r, wt, name);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(b);
  } catch {
    throw new ProtoDecodeError(`field ${name}: invalid UTF-8`);
  }
}
function refU64(r: BinaryReader, wt: number, name: string): bigint {
  refWire(wt, Wire.Varint, name);
  return r.uint64();
}
function refCoin(buf: Uint8Array): CoinWire {
  let denom = "";
  let amount = "";
  refFields(buf, (f, wt, r) => {
    if (f === 1) denom = refString(r, wt, "denom");
    else if (f === 2) amount = refString(r, wt, "amount");
    else return false;
    return true;
  });
  return { denom, amount };
}
function refExecute(buf: Uint8Array): ours.MsgExecuteContract {
  const m: ours.MsgExecuteContract = {
    sender: new Uint8Array(),
    contract: new Uint8Array(),
    msg: new Uint8Array(),
    callbackCodeHash: "",
    sentFunds: [],
    callbackSig: new Uint8Array(),
  };
  refFields(buf, (f, wt, r) => {
    if (f === 1) m.sender = refBytes(r, wt, "sender");
    else if (f === 2) m.contract = refBytes(r, wt, "contract");
    else if (f === 3) m.msg = refBytes(r, wt, "msg");
    else if (f === 4) m.callbackCodeHash = refString(r, wt, "callback_code_hash");
    else if (f === 5) m.sentFunds.push(refCoin(refBytes(r, wt, "sent_funds")));
    else if (f === 6) m.callbackSig = refBytes(r, wt, "callback_sig");
    else return false;
    return true;
  });
  return m;
}
function refInstantiate(buf: Uint8Array): ours.MsgInstantiateContract {
  const m: ours.MsgInstantiateContract = {
    sender: new Uint8Array(),
    callbackCodeHash: "",
    codeId: 0n,
    label: "",
    initMsg: new Uint8Array(),
    initFunds: [],
    callbackSig: new Uint8Array(),
    admin: "",
  };
  refFields(buf, (f, wt, r) => {
    if (f === 1) m.sender = refBytes(r, wt, "sender");
    else if (f === 2) m.callbackCodeHash = refString(r, wt, "callback_code_hash");
    else if (f === 3) m.codeId = refU64(r, wt, "code_id");
    else if (f === 4) m.label = refString(r, wt, "label");
    else if (f === 5) m.initMsg = refBytes(r, wt, "init_msg");
    else if (f === 6) m.initFunds.push(refCoin(refBytes(r, wt, "init_funds")));
    else if (f === 7) m.callbackSig = refBytes(r, wt, "callback_sig");
    else if (f === 8) m.admin = refString(r, wt, "admin");
    else return false;
    return true;
  });
  return m;
}
function refMigrate(buf: Uint8Array): ours.MsgMigrateContract {
  const m: ours.MsgMigrateContract = {
    sender: "",
    contract: "",
    codeId: 0n,
    msg: new Uint8Array(),
    callbackSig: new Uint8Array(),
    callbackCodeHash: "",
  };
  refFields(buf, (f, wt, r) => {
    if (f === 1) m.sender = refString(r, wt, "sender");
    else if (f === 2) m.contract = refString(r, wt, "contract");
    else if (f === 3) m.codeId = refU64(r, wt, "code_id");
    else if (f === 4) m.msg = refBytes(r, wt, "msg");
    else if (f === 7) m.callbackSig = refBytes(r, wt, "callback_sig");
    else if (f === 8) m.callbackCodeHash = refString(r, wt, "callback_code_hash");
    else return false;
    return true;
  });
  return m;
}

// ---- inputs
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
/** Field payload bytes: random, ASCII, valid multi-byte UTF-8, invalid UTF-8, known strings, coin encodings. */
const payload: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 48 }),
  fc.string({ unit: "grapheme-ascii", maxLength: 80 }).map(enc),
  fc.string({ unit: "grapheme", maxLength: 12 }).map(enc),
  fc.string({ unit: "binary", maxLength: 12 }).map(enc), // lone surrogates become U+FFFD's bytes
  fc.constantFrom(
    Uint8Array.of(0xc3), // truncated 2-byte sequence
    Uint8Array.of(0xed, 0xa0, 0x80), // encoded surrogate
    Uint8Array.of(0xf8, 0x88, 0x80, 0x80, 0x80), // 5-byte form
    Uint8Array.of(0xef, 0xbb, 0xbf, 0x61), // BOM + "a"
    enc("uscrt"),
    enc("/secret.compute.v1beta1.MsgExecuteContract"),
    enc("x".repeat(1100)), // past the ASCII fast path's bound
  ),
  fc
    .tuple(fc.string({ maxLength: 8 }), fc.uint8Array({ maxLength: 4 }))
    .map(([d, junk]) => Uint8Array.of(...BinaryWriter.create().string(d).finish(), ...junk)), // framed + junk
  fc
    .tuple(fc.string({ unit: "grapheme-ascii", maxLength: 8 }), fc.string({ maxLength: 6 }))
    .map(([d, a]) => BinaryWriter.create().uint32(10).string(d).uint32(18).string(a).finish()),
);
/** One field: a tag (field 0..9 or 1023, any wire type 0..7) and a body fitting or not fitting that type. */
const field: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constant(1023)),
    fc.oneof(fc.constantFrom(0, 2, 2, 2), fc.integer({ min: 0, max: 7 })),
    payload,
    fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    fc.integer({ min: 0, max: 9 }),
  )
  .map(([f, wt, body, v, how]) => {
    const w = BinaryWriter.create().uint32(((f << 3) | wt) >>> 0);
    if (how === 0)
      return Uint8Array.of(...w.finish(), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01); // overlong varint
    if (how === 1) return Uint8Array.of(...w.finish(), 0xff, 0xff, 0xff, 0xff, 0x0f, ...body); // huge length
    if (wt === 0) w.uint64(v);
    else if (wt === 1) w.fixed64(v);
    else if (wt === 5) w.fixed32(Number(v & 0xffffffffn));
    else w.bytes(body);
    return w.finish();
  });
const coinBytes = fc
  .tuple(
    fc.string({ unit: "grapheme-ascii", maxLength: 8 }),
    fc.string({ unit: "grapheme-ascii", maxLength: 6 }),
  )
  .map(([d, a]) => BinaryWriter.create().uint32(10).string(d).uint32(18).string(a).finish());
/** Well-formed fields of the three messages (each field number with its own wire type), repeated coins included. */
const goodField: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.tuple(fc.constantFrom(1, 2, 4, 7, 8), payload).map(([f, b]) =>
    BinaryWriter.create()
      .uint32((f << 3) | 2)
      .bytes(b)
      .finish(),
  ),
  fc.tuple(fc.constantFrom(5, 6), coinBytes).map(([f, b]) =>
    BinaryWriter.create()
      .uint32((f << 3) | 2)
      .bytes(b)
      .finish(),
  ),
  fc
    .bigInt({ min: 0n, max: (1n << 64n) - 1n })
    .map((v) => BinaryWriter.create().uint32(24).uint64(v).finish()),
);
const message: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.array(fc.oneof(field, goodField, goodField), { maxLength: 8 }), fc.integer({ min: 0, max: 4 }))
  .map(([fs, cut]) => {
    const all = Uint8Array.from(fs.flatMap((b) => [...b]));
    return cut === 0 ? all : all.subarray(0, Math.max(0, all.length - cut));
  });

function outcome<T>(f: () => T): { ok: T } | { err: string } {
  try {
    return { ok: f() };
  } catch (e) {
    return { err: e instanceof Error ? `${e.constructor.name}: ${e.message}` : "?" };
  }
}

const PAIRS = [
  ["MsgExecuteContract", ours.decodeMsgExecuteContract, refExecute],
  ["MsgInstantiateContract", ours.decodeMsgInstantiateContract, refInstantiate],
  ["MsgMigrateContract", ours.decodeMsgMigrateContract, refMigrate],
] as const;

describe("compute message decoders ≡ the copying reference", () => {
  for (const [name, mine, ref] of PAIRS) {
    test(`${name}: same message or same error on 10,000 random/adversarial inputs`, () => {
      fc.assert(
        fc.property(message, fc.boolean(), (buf, asBuffer) => {
          // A Node Buffer input too (its subarray/slice are views): fields must still be plain Uint8Arrays.
          const input = asBuffer ? Buffer.from(buf) : buf;
          const got = outcome(() => (mine as (b: Uint8Array) => unknown)(input));
          assert.deepStrictEqual(
            got,
            outcome(() => (ref as (b: Uint8Array) => unknown)(buf)),
          );
        }),
        { seed: 11, numRuns: 10_000 },
      );
    });
  }

  test("valid messages round-trip, with their bytes fields as views of the input", () => {
    const m: ours.MsgExecuteContract = {
      sender: Uint8Array.from({ length: 20 }, (_, i) => i),
      contract: Uint8Array.from({ length: 20 }, (_, i) => 200 - i),
      msg: enc('{"transfer":{}}'),
      callbackCodeHash: "ab".repeat(32),
      sentFunds: [{ denom: "uscrt", amount: "5" }],
      callbackSig: Uint8Array.of(9, 9),
    };
    const buf = ours.encodeMsgExecuteContract(m);
    const d = ours.decodeMsgExecuteContract(buf);
    assert.deepStrictEqual(d, m);
    for (const b of [d.sender, d.contract, d.msg, d.callbackSig]) {
      assert.equal(b.buffer, buf.buffer);
      assert.equal(Object.getPrototypeOf(b), Uint8Array.prototype);
    }
  });

  test("through decodeTx: the message's bytes live in the tx's own copy (the caller's later writes do not reach them)", async () => {
    const signer = makeSigner(MNEMONIC_A);
    const raw = await signer.signDeterministic(
      [
        new SjsExecute({
          sender: signer.address,
          contract_address: signer.address,
          code_hash: "a".repeat(64),
          msg: { transfer: { recipient: signer.address, amount: "1" } },
        }),
      ],
      { accountNumber: 1, sequence: 0, chainId: TEST_CHAIN_ID },
    );
    const registry = new MsgRegistry();
    registerSecretMsgTypes(registry);
    const input = Buffer.from(raw);
    const tx = decodeTx(input, registry);
    const m = tx.messages[0]!.value as ours.MsgExecuteContract;
    const before = m.msg.slice();
    assert.equal(m.msg.buffer, tx.raw.buffer);
    input.fill(0);
    assert.deepStrictEqual(m.msg, before);
    assert.deepStrictEqual(m, refExecute(tx.messages[0]!.raw));
  });
});
