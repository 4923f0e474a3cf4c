// The contract ECALL request (binary) and answer (JSON): round trip, strict field checks, seeded fuzz.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { InvalidInputError, utf8 } from "../../util/bytes.js";
import {
  decodeContractRequest,
  encodeContractRequest,
  encodeContractResponse,
  encodeRequestTemplate,
  spliceRequest,
  type ContractRequest,
} from "./wire.js";

const req: ContractRequest = {
  codeHash: new Uint8Array(32).fill(0xab),
  wasm: Uint8Array.of(0, 97, 115, 109),
  env: {
    block: {
      height: 18_446_744_073_709_551_615n,
      timeNanos: 1_700_000_000_000_000_001n,
      chainId: "secret-4",
    },
    message: {
      sender: "secret1x",
      funds: [{ denom: "uscrt", amount: "340282366920938463463374607431768211455" }],
    },
    contract: { address: "secret1y" },
    transaction: { index: 3, hash: "AB" },
  },
  msg: Uint8Array.of(1, 2, 3),
  contractKey: {
    ogContractKey: new Uint8Array(64).fill(1),
    currentContractKey: new Uint8Array(64).fill(2),
    currentContractKeyProof: new Uint8Array(32),
  },
  callbackSig: new Uint8Array(32).fill(4),
  sigInfo: {
    signMode: 127,
    signBytes: Uint8Array.of(1),
    signature: new Uint8Array(64),
    txBytes: Uint8Array.of(2, 3),
    publicKey: Uint8Array.of(4),
  },
  admin: new Uint8Array(20).fill(5),
  adminProof: new Uint8Array(32).fill(6),
  blockRandom: new Uint8Array(32).fill(7),
  msgCounter: 9n,
  queryDepth: 2,
};

describe("contract ECALL wire", () => {
  test("request round-trips, u64 and u128 values exactly", () => {
    assert.deepEqual(decodeContractRequest(encodeContractRequest(req)), req);
    const min: ContractRequest = {
      codeHash: req.codeHash,
      wasm: new Uint8Array(),
      env: { block: req.env.block, message: req.env.message, contract: req.env.contract },
      msg: req.msg,
      msgCounter: 0n,
      queryDepth: 0,
    };
    const back = decodeContractRequest(encodeContractRequest(min));
    assert.equal(back.contractKey, undefined);
    assert.equal(back.env.transaction, undefined);
  });

  test("a JS number and a string with lone surrogates travel exactly (as through the JSON envelope before)", () => {
    const odd: ContractRequest = {
      ...req,
      env: {
        ...req.env,
        block: { ...req.env.block, chainId: "c\ud800x\udc00" },
        message: { sender: "s\u00e9\ud83d\ude00", funds: [{ denom: "\udfff", amount: "1" }] },
        transaction: { index: 2 ** 40, hash: "" },
      },
      sigInfo: { ...req.sigInfo!, signMode: 2 ** 31 },
      queryDepth: 64,
    };
    assert.deepEqual(decodeContractRequest(encodeContractRequest(odd)), odd);
  });

  test("malformed requests are refused with a named field", () => {
    const bytes = encodeContractRequest(req);
    const named = (field: string) => (e: unknown) => e instanceof InvalidInputError && e.field === field;
    assert.throws(() => decodeContractRequest(bytes.subarray(0, 3)), InvalidInputError);
    assert.throws(() => decodeContractRequest(Uint8Array.of(2, ...bytes.subarray(1))), named("payload"));
    assert.throws(() =>
      decodeContractRequest(encodeContractRequest({ ...req, codeHash: new Uint8Array(31) })),
    );
    const env = (e: Partial<ContractRequest["env"]["block"]>) => ({
      ...req,
      env: { ...req.env, block: { ...req.env.block, ...e } },
    });
    // out-of-range host numbers are the enclave's to refuse, as with the JSON envelope
    assert.throws(
      () => decodeContractRequest(encodeContractRequest(env({ height: -1n }))),
      named("env.block.height"),
    );
    assert.throws(
      () => decodeContractRequest(encodeContractRequest(env({ timeNanos: 1n << 64n }))),
      named("env.block.time"),
    );
    assert.throws(
      () => decodeContractRequest(encodeContractRequest({ ...req, queryDepth: -1 })),
      named("query_depth"),
    );
    assert.throws(
      () => decodeContractRequest(encodeContractRequest({ ...req, queryDepth: 65 })),
      named("query_depth"),
    );
    assert.throws(
      () => decodeContractRequest(encodeContractRequest({ ...req, queryDepth: 0.5 })),
      named("query_depth"),
    );
    const mode = (signMode: number) =>
      encodeContractRequest({ ...req, sigInfo: { ...req.sigInfo!, signMode } });
    for (const m of [-1, 1.5, NaN, Infinity])
      assert.throws(() => decodeContractRequest(mode(m)), named("sig_info.sign_mode"));
    const withCoin = (amount: string) =>
      encodeContractRequest({
        ...req,
        env: { ...req.env, message: { sender: "s", funds: [{ denom: "u", amount }] } },
      });
    for (const a of ["", "-1", "1e3", "1".repeat(40)])
      assert.throws(() => decodeContractRequest(withCoin(a)), named("coin amount"));
    const shortKey = { ...req, contractKey: { ogContractKey: new Uint8Array(3) } };
    assert.throws(() => decodeContractRequest(encodeContractRequest(shortKey)), InvalidInputError);
    // every truncation before the wasm is refused (the wasm is the rest: cutting into it shortens it)
    for (let n = 0; n < bytes.length - req.wasm.length; n++)
      assert.throws(() => decodeContractRequest(bytes.subarray(0, n)), InvalidInputError);
  });

  test("response carries ok/err and base64 ids and keys", () => {
    const r = JSON.parse(
      utf8.decode(
        encodeContractResponse("execute", {
          output: { ok: { data: null }, internalMsgId: Uint8Array.of(1) },
          gasUsed: 5n,
          contractKey: Uint8Array.of(2),
        }),
      ),
    ) as Record<string, unknown>;
    assert.deepEqual(r, { op: "execute", ok: { data: null }, internal_msg_id: "AQ==", contract_key: "Ag==" });
  });
});

describe("contract ECALL wire: seeded fuzz", () => {
  test("random payloads and mutated envelopes decode or fail with InvalidInputError only", () => {
    const good = encodeContractRequest(req);
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (junk, at, byte) => {
          for (const bytes of [
            junk,
            Uint8Array.from(good).fill(byte, at % good.length, (at % good.length) + 1),
          ]) {
            try {
              decodeContractRequest(bytes);
            } catch (e) {
              assert.ok(e instanceof InvalidInputError, String(e));
            }
          }
        },
      ),
      { seed: 42, numRuns: 2000 },
    );
  });
});

/** Any request the encoder takes: every optional field present or absent, strings with and without surrogates. */
const anyText = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: "binary", maxLength: 6 }));
const bytesOf = (max: number) => fc.uint8Array({ maxLength: max });
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const anyRequest: fc.Arbitrary<ContractRequest> = fc.record({
  codeHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  wasm: bytesOf(40),
  env: fc.record(
    {
      block: fc.record({ height: u64, timeNanos: u64, chainId: anyText }),
      message: fc.record({
        sender: anyText,
        funds: fc.array(
          fc.record({ denom: anyText, amount: fc.bigInt({ min: 0n, max: 10n ** 39n - 1n }).map(String) }),
          { maxLength: 3 },
        ),
      }),
      contract: fc.record({ address: anyText }),
      transaction: fc.record({ index: fc.nat(), hash: anyText }),
    },
    { requiredKeys: ["block", "message", "contract"] },
  ),
  msg: bytesOf(300),
  contractKey: opt(
    fc.record(
      {
        ogContractKey: fc.uint8Array({ minLength: 64, maxLength: 64 }),
        currentContractKey: bytesOf(64),
        currentContractKeyProof: bytesOf(32),
      },
      { requiredKeys: ["ogContractKey"] },
    ),
  ),
  callbackSig: opt(bytesOf(32)),
  sigInfo: opt(
    fc.record(
      {
        signMode: fc.nat(),
        signBytes: bytesOf(200),
        signature: bytesOf(64),
        txBytes: bytesOf(300),
        publicKey: bytesOf(33),
      },
      { requiredKeys: ["signMode", "signBytes", "signature", "txBytes"] },
    ),
  ),
  admin: opt(bytesOf(20)),
  adminProof: opt(bytesOf(32)),
  blockRandom: opt(bytesOf(32)),
  msgCounter: u64,
  queryDepth: fc.integer({ min: 0, max: 64 }),
  prefetch: opt(
    fc.record({
      remaining: opt(u64),
      entries: fc.array(fc.record({ key: bytesOf(20), value: opt(bytesOf(40)), charge: u64 }), {
        maxLength: 4,
      }),
    }),
  ),
});

describe("contract ECALL wire: request templates", () => {
  test("a template spliced with the state parts is byte-identical to a fresh encode (seeded property)", () => {
    fc.assert(
      fc.property(anyRequest, (r) => {
        const fresh = encodeContractRequest(r);
        const t = encodeRequestTemplate(r);
        // The template is itself the request with empty state parts (what a prepared call carries).
        const empty = {
          ...r,
          msgCounter: 0n,
          blockRandom: undefined,
          prefetch: undefined,
          wasm: new Uint8Array(),
        };
        assert.deepEqual(t.bytes, encodeContractRequest(empty));
        const spliced = spliceRequest(t, r.msgCounter, r.blockRandom, r.prefetch, r.wasm);
        assert.deepEqual(spliced, fresh);
        assert.deepEqual(decodeContractRequest(spliced), decodeContractRequest(fresh));
      }),
      { seed: 14, numRuns: 3000 },
    );
  });

  test("one template serves many calls: the template is never written", () => {
    const t = encodeRequestTemplate(req);
    const before = Uint8Array.from(t.bytes);
    for (const counter of [0n, 1n, 2n ** 64n - 1n]) {
      for (const random of [undefined, new Uint8Array(32).fill(9)]) {
        const r = {
          ...req,
          msgCounter: counter,
          blockRandom: random,
          prefetch: undefined,
          wasm: new Uint8Array(),
        };
        assert.deepEqual(spliceRequest(t, counter, random, undefined, r.wasm), encodeContractRequest(r));
      }
    }
    assert.deepEqual(t.bytes, before);
  });
});
