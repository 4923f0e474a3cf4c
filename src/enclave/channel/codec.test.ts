// The wall's byte codec and frame layouts: round trips (fast-check, fixed seed) and a seeded robustness fuzz
// (every decoder, random and mutated bytes: it returns a value or throws CodecError, nothing else).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ByteReader, ByteWriter, CodecError, decodeFields, encodeFields } from "./codec.js";
import { decodeWorkerConfig, encodeWorkerConfig } from "./config.js";
import {
  decodeEcallRequest,
  decodeFatal,
  decodeOcallRequest,
  decodePeekedOutput,
  decodeReadDbFirstOutput,
  decodeReadDbOutput,
  decodeResult,
  encodeEcallRequest,
  encodeOcallRequest,
  encodePeekedOutput,
  encodeReadDbFirstOutput,
  encodeReadDbOutput,
  encodeResult,
  MAX_ERROR_MESSAGE_CHARS,
  MAX_PEEK_KEYS,
  OCALL,
  READ_FIRST,
  type OcallRequest,
  type PlainOcallRequest,
  type WireResult,
} from "./frames.js";

const FC = { seed: 42, numRuns: 300 };
const bytes = fc.uint8Array({ maxLength: 300 });
const u64 = fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn });

describe("codec", () => {
  test("writer/reader round-trip every field type", () => {
    fc.assert(
      fc.property(
        fc.nat(0xff),
        fc.nat(0xffff),
        fc.nat(0xffff_ffff),
        u64,
        bytes,
        fc.option(bytes, { nil: undefined }),
        bytes,
        (a, b, c, d, e, f, g) => {
          const w = new ByteWriter(1).u8(a).u16(b).u32(c).u64(d).bytes(e).optBytes(f).raw(g).finish();
          const r = new ByteReader(w);
          assert.equal(r.u8("a"), a);
          assert.equal(r.u16("b"), b);
          assert.equal(r.u32("c"), c);
          assert.equal(r.u64("d"), d);
          assert.deepEqual(r.bytes("e"), e);
          assert.deepEqual(r.optBytes("f"), f);
          assert.deepEqual(r.rest("g"), g);
          r.end("all");
        },
      ),
      FC,
    );
  });

  test("writer refuses out-of-range integers instead of wrapping", () => {
    assert.throws(() => new ByteWriter().u8(256), CodecError);
    assert.throws(() => new ByteWriter().u16(-1), CodecError);
    assert.throws(() => new ByteWriter().u32(1.5), CodecError);
    assert.throws(() => new ByteWriter().u64(1n << 64n), CodecError);
  });

  test("reader names the truncated field and refuses trailing bytes", () => {
    assert.throws(() => new ByteReader(Uint8Array.of(0, 0, 0, 5, 1)).bytes("key"), /"key" truncated/);
    assert.throws(() => new ByteReader(Uint8Array.of(2)).optBytes("v"), /bad presence flag/);
    assert.throws(() => {
      const r = new ByteReader(Uint8Array.of(1, 2));
      r.u8("x");
      r.end("frame");
    }, /1 trailing/);
  });

  test("an exactly sized writer hands over its buffer; later writes never change what it handed over", () => {
    const w = new ByteWriter(5).u8(7).u32(9);
    const out = w.finish();
    assert.deepEqual([...out], [7, 0, 0, 0, 9]);
    w.u8(1).raw(new Uint8Array([2, 3]));
    assert.deepEqual([...out], [7, 0, 0, 0, 9]);
    assert.deepEqual([...w.finish()], [7, 0, 0, 0, 9, 1, 2, 3]);
    // over-sized: a copy of exactly the bytes written
    const big = new ByteWriter(64).u16(0x0102);
    assert.equal(big.finish().buffer.byteLength, 2);
  });

  test("sub/bytesSub/restSub are views of an input over 64 bytes (copies from a shorter one); fixed/bytes/rest copy", () => {
    const long = new Uint8Array(65).fill(7);
    const input = new ByteWriter(4 + 65 + 4 + 3 + 6)
      .bytes(long)
      .u32(3)
      .raw(new Uint8Array([1, 2, 3]))
      .raw(new Uint8Array(6))
      .finish();
    const views = new ByteReader(input);
    const copies = new ByteReader(input);
    const vLong = views.bytesSub("long");
    const cLong = copies.bytes("long");
    assert.equal(vLong.buffer, input.buffer);
    assert.equal(vLong.byteOffset, input.byteOffset + 4);
    assert.notEqual(cLong.buffer, input.buffer);
    const v = views.bytesSub("v");
    const c = copies.bytes("c");
    assert.equal(v.buffer, input.buffer);
    assert.notEqual(c.buffer, input.buffer);
    assert.equal(views.restSub("r").byteOffset, input.byteOffset + 76);
    input[4] = 42;
    input[73] = 42;
    assert.equal(vLong[0], 42);
    assert.equal(cLong[0], 7);
    assert.deepEqual([...v], [42, 2, 3]);
    assert.deepEqual([...c], [1, 2, 3]);
    // From an input of ≤ 64 bytes (on V8's heap: codec.ts ON_HEAP_MAX) a "view" is a private copy.
    const short = new ByteWriter(7)
      .u32(3)
      .raw(new Uint8Array([4, 5, 6]))
      .finish();
    const s = new ByteReader(short).bytesSub("s");
    assert.notEqual(s.buffer, short.buffer);
    short[4] = 0;
    assert.deepEqual([...s], [4, 5, 6]);
  });

  test("u16/u32/u64/f64 round-trip at their edges, big-endian", () => {
    const f64s = [0, -0, 1.5, -(2 ** 60), Number.MAX_VALUE, Number.MIN_VALUE, Infinity, -Infinity, NaN];
    const w = new ByteWriter(1);
    w.u8(0xff).u16(0xffff).u16(0x1234).u32(0xffff_ffff).u32(0x8000_0000).u32(0x0102_0304);
    w.u64(0xffff_ffff_ffff_ffffn).u64(0x0102_0304_0506_0708n).u64(0n);
    for (const f of f64s) w.f64(f);
    const out = w.finish();
    assert.deepEqual([...out.subarray(0, 5)], [0xff, 0xff, 0xff, 0x12, 0x34]);
    assert.deepEqual([...out.subarray(25, 33)], [1, 2, 3, 4, 5, 6, 7, 8]);
    const r = new ByteReader(out);
    assert.equal(r.u8("a"), 0xff);
    assert.equal(r.u16("b"), 0xffff);
    assert.equal(r.u16("c"), 0x1234);
    assert.equal(r.u32("d"), 0xffff_ffff);
    assert.equal(r.u32("e"), 0x8000_0000);
    assert.equal(r.u32("f"), 0x0102_0304);
    assert.equal(r.u64("g"), 0xffff_ffff_ffff_ffffn);
    assert.equal(r.u64("h"), 0x0102_0304_0506_0708n);
    assert.equal(r.u64("i"), 0n);
    for (const f of f64s) assert.ok(Object.is(r.f64("f64"), f));
    r.end("end");
    // Against DataView's encoding (what the codec used before), byte for byte.
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, -(2 ** 60), false);
    assert.deepEqual([...out.subarray(65, 73)], [...new Uint8Array(dv.buffer)]);
  });

  test("field lists round-trip and refuse a wrong count", () => {
    fc.assert(
      fc.property(fc.array(bytes, { maxLength: 6 }), (fields) => {
        assert.deepEqual(decodeFields(encodeFields(fields), fields.length, "f"), fields);
        assert.throws(() => decodeFields(encodeFields(fields), fields.length + 1, "f"), CodecError);
      }),
      FC,
    );
  });
});

const ocallRequest: fc.Arbitrary<OcallRequest> = fc.oneof(
  bytes.map((key) => ({ kind: OCALL.readDb, key })),
  fc.tuple(bytes, bytes).map(([key, value]) => ({ kind: OCALL.writeDb, key, value })),
  bytes.map((key) => ({ kind: OCALL.removeDb, key })),
  fc.tuple(bytes, u64, fc.nat(0xffff_ffff)).map(([request, gasLimit, depth]) => ({
    kind: OCALL.queryChain,
    request,
    gasLimit,
    depth,
  })),
  fc.array(fc.tuple(bytes, fc.option(bytes, { nil: undefined })), { maxLength: 5 }).map((ops) => ({
    kind: OCALL.applyBatch,
    ops: ops.map(([key, value]) => (value === undefined ? { key } : { key, value })),
  })),
  fc.tuple(bytes, bytes).map(([key, fallbackKey]) => ({ kind: OCALL.readDbFirst, key, fallbackKey })),
);

const wireResult: fc.Arbitrary<WireResult> = fc.oneof(
  fc.tuple(bytes, u64).map(([ok, gasUsed]) => ({ ok, gasUsed })),
  fc.tuple(fc.nat(0xffff_ffff), fc.string({ maxLength: 80 }), u64).map(([code, message, gasUsed]) => ({
    error: { code, message },
    gasUsed,
  })),
);

describe("frames", () => {
  test("ECALL requests, results and OCALL requests round-trip", () => {
    fc.assert(
      fc.property(
        fc.nat(0xffff),
        u64,
        bytes,
        ocallRequest,
        wireResult,
        (id, gasLimit, payload, oreq, res) => {
          assert.deepEqual(decodeEcallRequest(encodeEcallRequest({ id, gasLimit, payload })), {
            id,
            gasLimit,
            payload,
          });
          assert.deepEqual(decodeOcallRequest(encodeOcallRequest(oreq)), oreq);
          assert.deepEqual(decodeResult(encodeResult(res)), res);
        },
      ),
      FC,
    );
    assert.equal(decodeReadDbOutput(encodeReadDbOutput(undefined)), undefined);
    assert.deepEqual(decodeReadDbOutput(encodeReadDbOutput(Uint8Array.of(0))), Uint8Array.of(0));
    for (const hit of [READ_FIRST.none, READ_FIRST.key, READ_FIRST.fallbackKey] as const) {
      const value = hit === READ_FIRST.none ? undefined : Uint8Array.of(hit, 9);
      assert.deepEqual(decodeReadDbFirstOutput(encodeReadDbFirstOutput(hit, value)), { hit, value });
    }
    assert.throws(() => decodeReadDbFirstOutput(Uint8Array.of(3, 1)), CodecError);
    assert.throws(() => decodeReadDbFirstOutput(Uint8Array.of(0, 1)), CodecError);
  });

  test("charged / chargedPeek requests and peeked answers round-trip; limits refused", () => {
    const plain = ocallRequest.filter(
      (r): r is PlainOcallRequest => r.kind !== OCALL.charged && r.kind !== OCALL.chargedPeek,
    );
    const peekAnswer = fc.option(
      fc
        .tuple(fc.nat(255), u64, fc.option(bytes, { nil: undefined }))
        .map(([index, charge, value]) => ({ index, charge, value })),
      { nil: undefined },
    );
    fc.assert(
      fc.property(
        fc.array(fc.nat(255), { maxLength: 6 }),
        fc.array(bytes, { minLength: 1, maxLength: MAX_PEEK_KEYS }),
        plain,
        fc.option(u64, { nil: undefined }),
        fc.array(peekAnswer, { maxLength: MAX_PEEK_KEYS }),
        bytes,
        (charges, peek, inner, remaining, peeks, out) => {
          const a: OcallRequest = { kind: OCALL.charged, charges, inner };
          const b: OcallRequest = { kind: OCALL.chargedPeek, charges, peek, inner };
          assert.deepEqual(decodeOcallRequest(encodeOcallRequest(a)), a);
          assert.deepEqual(decodeOcallRequest(encodeOcallRequest(b)), b);
          assert.deepEqual(decodePeekedOutput(encodePeekedOutput(remaining, peeks, out)), {
            remaining,
            peeks,
            inner: out,
          });
        },
      ),
      FC,
    );
    const tooMany = Array.from({ length: MAX_PEEK_KEYS + 1 }, () => Uint8Array.of(1));
    const inner: PlainOcallRequest = { kind: OCALL.readDb, key: Uint8Array.of(1) };
    assert.throws(
      () => encodeOcallRequest({ kind: OCALL.chargedPeek, charges: [], peek: tooMany, inner }),
      CodecError,
    );
    const nested = encodeOcallRequest({ kind: OCALL.charged, charges: [], inner });
    const outer = Uint8Array.from([OCALL.chargedPeek, 0, 0, 0, 0, 0, 0, 0, 0, ...nested]);
    assert.throws(() => decodeOcallRequest(outer), CodecError);
    const bad = encodePeekedOutput(
      undefined,
      [{ index: 1, charge: 2n, value: undefined }],
      new Uint8Array(0),
    );
    bad[6] = 2; // "offered" flag must be 0 or 1
    assert.throws(() => decodePeekedOutput(bad), CodecError);
  });

  test("error messages are cut to the cap when encoded", () => {
    const long = { error: { code: 1, message: "x".repeat(MAX_ERROR_MESSAGE_CHARS * 3) }, gasUsed: 0n };
    const back = decodeResult(encodeResult(long));
    assert.ok("error" in back && back.error.message.length === MAX_ERROR_MESSAGE_CHARS);
  });

  test("worker config round-trips", () => {
    for (const [debug, asyncHost] of [
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const c = { dataDir: "/tmp/ä data", platformSecretPath: "/p/secret", debug, asyncHost };
      assert.deepEqual(decodeWorkerConfig(encodeWorkerConfig(c)), c);
    }
  });

  test("30,000 random and mutated frames: every decoder returns or throws CodecError, nothing else", () => {
    let s = 42;
    const next = (): number => {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      return (s >>>= 0);
    };
    const valid = [
      encodeEcallRequest({ id: 13, gasLimit: 5n, payload: Uint8Array.of(1, 2) }),
      encodeResult({ error: { code: 7, message: "m" }, gasUsed: 9n }),
      encodeResult({ ok: Uint8Array.of(4), gasUsed: 1n }),
      encodeOcallRequest({ kind: OCALL.writeDb, key: Uint8Array.of(1), value: Uint8Array.of(2) }),
      encodeOcallRequest({ kind: OCALL.queryChain, request: Uint8Array.of(3), gasLimit: 1n, depth: 2 }),
      encodeFields([Uint8Array.of(1), new Uint8Array(0)]),
      encodeWorkerConfig({ dataDir: "d", platformSecretPath: "p", debug: false }),
      encodeOcallRequest({
        kind: OCALL.chargedPeek,
        charges: [1],
        peek: [Uint8Array.of(5), Uint8Array.of(6, 7)],
        inner: { kind: OCALL.readDbFirst, key: Uint8Array.of(1), fallbackKey: Uint8Array.of(2) },
      }),
      encodePeekedOutput(
        3n,
        [undefined, { index: 2, charge: 9n, value: Uint8Array.of(8) }],
        Uint8Array.of(1),
      ),
    ];
    const decoders = [
      decodeEcallRequest,
      decodeResult,
      decodeOcallRequest,
      decodeReadDbOutput,
      decodeReadDbFirstOutput,
      decodePeekedOutput,
      decodeFatal,
      decodeWorkerConfig,
      (b: Uint8Array) => decodeFields(b, 2, "fields"),
    ];
    let thrown = 0;
    for (let i = 0; i < 30_000; i++) {
      let input: Uint8Array;
      if (i % 2 === 0) {
        input = Uint8Array.from({ length: next() % 40 }, () => next() & 0xff);
      } else {
        input = Uint8Array.from(valid[next() % valid.length]!);
        if (input.length > 0) input[next() % input.length] = next() & 0xff;
        if (next() % 3 === 0) input = input.subarray(0, next() % (input.length + 1));
      }
      for (const decode of decoders) {
        try {
          decode(input);
        } catch (e) {
          thrown++;
          if (!(e instanceof CodecError)) {
            assert.fail(`iteration ${i}: ${decode.name || "decoder"} threw ${String(e)}`);
          }
        }
      }
    }
    assert.ok(thrown > 30_000);
  });
});
