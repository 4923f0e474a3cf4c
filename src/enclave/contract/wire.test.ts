// The contract ECALL request (binary) and answer (JSON): round trip, strict field checks, seeded fuzz.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { InvalidInputError, utf8 } from "../../util/bytes.js";
import {
  decodeContractRequest,
  encodeContractRequest,
  encodeContractResponse,
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
