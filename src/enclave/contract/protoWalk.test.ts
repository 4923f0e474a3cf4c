// ./protoWalk.ts against cosmjs-types 0.11 (the decoders it replaces): for seeded well-formed messages and for
// mutations of them (flipped / dropped / inserted bytes, truncation, appended unknown fields with every wire
// type, groups, over-long varints, lengths past the end) both sides must throw, or both return the same fields.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { BinaryReader } from "cosmjs-types/binary";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { AuthInfo, ModeInfo, SignDoc, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { Any } from "cosmjs-types/google/protobuf/any";
import { utf8Read } from "cosmjs-types/utf8";
import {
  decodeAny,
  decodeAuthInfoKeys,
  decodePubKey,
  decodeSignDoc,
  decodeTxBodyMessages,
  decodeTxRawBody,
  ProtoReader,
  protoString,
} from "./protoWalk.js";

const RUNS = 1500;

/** The result of a decode as comparable data, or "throws". */
function outcome(f: () => unknown): unknown {
  try {
    return norm(f());
  } catch {
    return "throws";
  }
}
function norm(v: unknown): unknown {
  if (v instanceof Uint8Array) return `bytes:${Buffer.from(v).toString("hex")}`;
  if (Array.isArray(v)) return v.map(norm);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  }
  return v;
}
const anyOf = (a: { typeUrl: string; value: Uint8Array }) => ({ typeUrl: a.typeUrl, value: a.value });

const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const str = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom("uscrt", "/cosmos.crypto.secp256k1.PubKey"),
);
const typeUrl = fc.oneof(
  fc.constantFrom(
    "/cosmos.crypto.secp256k1.PubKey",
    "/secret.compute.v1beta1.MsgExecuteContract",
    "/cosmos.bank.v1beta1.MsgSend",
    "",
  ),
  fc.string({ maxLength: 10 }),
);
const any = fc.record({
  typeUrl,
  value: fc.oneof(
    bytes(40),
    bytes(33).map((key): Uint8Array => PubKey.encode({ key }).finish()),
  ),
});
const coin = fc.record({ denom: str, amount: str });
const single = fc.record({ single: fc.record({ mode: fc.integer({ min: -5, max: 200 }) }) });
const modeInfo: fc.Arbitrary<ModeInfo> = fc.letrec<{ m: ModeInfo }>((tie) => ({
  m: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    single.map((m) => ModeInfo.fromPartial(m)),
    fc
      .record({
        bitarray: fc.record({ extraBitsStored: fc.nat(), elems: bytes(4) }),
        modeInfos: fc.array(tie("m"), { maxLength: 2 }),
      })
      .map((multi) => ModeInfo.fromPartial({ multi })),
  ),
})).m;
const authInfo = fc
  .record({
    signerInfos: fc.array(
      fc.record({ publicKey: fc.option(any, { nil: undefined }), modeInfo, sequence: u64 }),
      { maxLength: 3 },
    ),
    fee: fc.record({ amount: fc.array(coin, { maxLength: 2 }), gasLimit: u64, payer: str, granter: str }),
    tip: fc.option(fc.record({ amount: fc.array(coin, { maxLength: 2 }), tipper: str }), { nil: undefined }),
  })
  .map((a) =>
    AuthInfo.encode(AuthInfo.fromPartial(a as Parameters<typeof AuthInfo.fromPartial>[0])).finish(),
  );
const txBody = fc
  .record({
    messages: fc.array(any, { maxLength: 3 }),
    memo: str,
    timeoutHeight: u64,
    unordered: fc.boolean(),
    timeoutTimestamp: fc.option(fc.record({ seconds: u64.map((x) => x >> 1n), nanos: fc.nat() }), {
      nil: undefined,
    }),
    extensionOptions: fc.array(any, { maxLength: 1 }),
    nonCriticalExtensionOptions: fc.array(any, { maxLength: 1 }),
  })
  .map((b) => TxBody.encode(TxBody.fromPartial(b as Parameters<typeof TxBody.fromPartial>[0])).finish());
const signDoc = fc
  .record({ bodyBytes: txBody, authInfoBytes: authInfo, chainId: str, accountNumber: u64 })
  .map((d) => SignDoc.encode(SignDoc.fromPartial(d)).finish());
const txRaw = fc
  .record({ bodyBytes: txBody, authInfoBytes: authInfo, signatures: fc.array(bytes(64), { maxLength: 2 }) })
  .map((t) => TxRaw.encode(TxRaw.fromPartial(t)).finish());

/** Varint bytes of `v` (any length, also over-long / non-terminated forms for mutation). */
function varint(v: bigint, padTo = 0): number[] {
  const out: number[] = [];
  do {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  } while (v > 0n);
  while (out.length < padTo) out.push(0x80);
  out[out.length - 1]! &= 0x7f;
  return out;
}
/** A field to splice in: any field number and wire type (0–7), with plausible or broken contents. */
const junkField = fc
  .record({
    no: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constantFrom(1023, 2047, 1 << 28)),
    wire: fc.integer({ min: 0, max: 7 }),
    len: fc.oneof(fc.integer({ min: 0, max: 8 }), fc.constantFrom(1 << 20, 2 ** 32 + 3)),
    pad: fc.constantFrom(0, 0, 9, 10, 11),
    body: bytes(12),
  })
  .map(({ no, wire, len, pad, body }) => [
    ...varint(BigInt((no << 3) | wire) & 0xffffffffn, pad),
    ...(wire === 2 ? varint(BigInt(len), pad) : []),
    ...body,
  ]);
const groupField = fc
  .record({ no: fc.integer({ min: 1, max: 5 }), depth: fc.integer({ min: 1, max: 4 }), close: fc.boolean() })
  .map(({ no, depth, close }) => {
    const open = Array<number>(depth).fill((no << 3) | 3);
    const inner = [(2 << 3) | 0, 5, (3 << 3) | 2, 1, 7];
    return [...open, ...inner, ...Array<number>(close ? depth : depth - 1).fill((no << 3) | 4)];
  });

/** Mutations of a well-formed encoding. */
function mutated(base: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), v: fc.nat(255) }),
    fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("drop" as const), at: fc.nat(), n: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), add: fc.oneof(junkField, groupField) }),
    fc.record({ kind: fc.constant("append" as const), add: fc.oneof(junkField, groupField) }),
  );
  return fc.tuple(base, fc.array(edit, { minLength: 1, maxLength: 3 })).map(([b, edits]) => {
    let a = [...b];
    for (const e of edits) {
      const at = a.length === 0 ? 0 : ("at" in e ? e.at : 0) % (a.length + 1);
      if (e.kind === "flip" && at < a.length) a[at] = e.v;
      else if (e.kind === "cut") a = a.slice(0, at);
      else if (e.kind === "drop") a.splice(at, e.n);
      else if (e.kind === "insert") a.splice(at, 0, ...e.add);
      else if (e.kind === "append") a.push(...e.add);
    }
    return Uint8Array.from(a);
  });
}
/** Random bytes heavy in continuation bits and small tags. */
const noise = fc
  .uint8Array({ maxLength: 48 })
  .chain((b) =>
    fc
      .array(fc.constantFrom(0x80, 0xff, 0x0a, 0x0b, 0x0c, 0x12, 0x08, 0x00, 0x07, 0x0e), { maxLength: 16 })
      .map((extra) => Uint8Array.from([...extra, ...b])),
  );

function inputs(base: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.oneof(base, mutated(base), mutated(base), noise);
}

function agrees(
  arb: fc.Arbitrary<Uint8Array>,
  ours: (b: Uint8Array) => unknown,
  theirs: (b: Uint8Array) => unknown,
  seed: number,
) {
  let rejected = 0;
  fc.assert(
    fc.property(arb, (b) => {
      const want = outcome(() => theirs(b));
      if (want === "throws") rejected++;
      assert.deepEqual(
        outcome(() => ours(b)),
        want,
      );
    }),
    { seed, numRuns: RUNS },
  );
  // Both outcomes must have been exercised, or the comparison proved little.
  assert.ok(rejected > RUNS / 20 && rejected < RUNS - RUNS / 20, `rejected ${rejected} of ${RUNS}`);
}

describe("protoWalk: the same decisions and fields as cosmjs-types", () => {
  test("SignDoc", () => {
    agrees(
      inputs(signDoc),
      (b) => decodeSignDoc(b),
      (b) => {
        const d = SignDoc.decode(b);
        return { bodyBytes: d.bodyBytes, authInfoBytes: d.authInfoBytes };
      },
      42,
    );
  });
  test("AuthInfo signer keys (nested ModeInfo, fee, tip)", () => {
    agrees(
      inputs(authInfo),
      decodeAuthInfoKeys,
      (b) =>
        AuthInfo.decode(b).signerInfos.map((s) =>
          s.publicKey === undefined ? undefined : anyOf(s.publicKey),
        ),
      43,
    );
  });
  test("TxBody messages", () => {
    agrees(inputs(txBody), decodeTxBodyMessages, (b) => TxBody.decode(b).messages.map(anyOf), 44);
  });
  test("TxRaw body bytes", () => {
    agrees(inputs(txRaw), decodeTxRawBody, (b) => TxRaw.decode(b).bodyBytes, 45);
  });
  test("PubKey and Any", () => {
    const pk = bytes(40).map((key) => PubKey.encode({ key }).finish());
    agrees(inputs(pk), decodePubKey, (b) => PubKey.decode(b).key, 46);
    const an = any.map((a) => Any.encode(Any.fromPartial(a)).finish());
    agrees(inputs(an), decodeAny, (b) => anyOf(Any.decode(b)), 47);
  });

  test("ProtoReader: tag / skipType / bytes / string as BinaryReader", () => {
    type R = {
      pos: number;
      len: number;
      tag(): unknown[];
      skipType(w: number): unknown;
      bytes(): Uint8Array;
      string(): string;
    };
    const scan = (r: R) => {
      const out: unknown[] = [];
      while (r.pos < r.len) {
        const [no, wire] = r.tag() as [number, number];
        if (wire === 2) out.push(no % 2 === 0 ? r.string() : r.bytes());
        else r.skipType(wire);
        out.push(no, wire, r.pos);
      }
      return out;
    };
    agrees(
      inputs(fc.oneof(txBody, authInfo)),
      (b) => scan(new ProtoReader(b)),
      (b) => scan(new BinaryReader(b)),
      48,
    );
  });

  test("readers: varints of 10 bytes pass, 11 fail; lengths past the end fail; views, not copies", () => {
    const ten = Uint8Array.from([0x0a, ...varint(3n, 10), 1, 2, 3]);
    assert.deepEqual(decodeTxRawBody(ten), Uint8Array.of(1, 2, 3));
    assert.deepEqual(TxRaw.decode(ten).bodyBytes, Uint8Array.of(1, 2, 3));
    const eleven = Uint8Array.from([0x0a, ...varint(3n, 11), 1, 2, 3]);
    assert.throws(() => decodeTxRawBody(eleven));
    assert.throws(() => TxRaw.decode(eleven));
    const long = Uint8Array.from([0x0a, 4, 1, 2, 3]);
    assert.throws(() => decodeTxRawBody(long));
    assert.throws(() => TxRaw.decode(long));
    for (const url of [
      "/cosmos.crypto.secp256k1.PubKey",
      "/secret.compute.v1beta1.MsgClearAdmin",
      "é",
      "\u{1F600}",
      "",
    ]) {
      const b = Buffer.from(url, "utf8");
      assert.equal(protoString(b), utf8Read(b, 0, b.length));
      const cut = b.subarray(0, Math.max(0, b.length - 1)); // as string() reads it: a view, nothing past its end
      assert.equal(protoString(cut), utf8Read(cut, 0, cut.length));
    }
    const doc = SignDoc.encode(SignDoc.fromPartial({ bodyBytes: Uint8Array.of(9, 9) })).finish();
    const view = decodeSignDoc(doc).bodyBytes;
    assert.equal(view.buffer, doc.buffer);
  });
});
