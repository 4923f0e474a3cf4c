// The contract ECALL envelope: round trip, strict field checks, and the answer form.
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

  test("malformed envelopes are refused with a named field", () => {
    const bytes = encodeContractRequest(req);
    assert.throws(() => decodeContractRequest(bytes.subarray(0, 3)), InvalidInputError);
    const jsonLen = new DataView(bytes.buffer).getUint32(0);
    const j = JSON.parse(utf8.decode(bytes.subarray(4, 4 + jsonLen))) as Record<string, unknown>;
    const tail = bytes.subarray(4 + jsonLen);
    /** The envelope with other JSON and the original binary tail (msg, signed tx bytes, wasm). */
    const re = (o: unknown) => {
      const json = utf8.encode(JSON.stringify(o));
      const out = new Uint8Array(4 + json.length + tail.length);
      new DataView(out.buffer).setUint32(0, json.length);
      out.set(json, 4);
      out.set(tail, 4 + json.length);
      return out;
    };
    assert.deepEqual(decodeContractRequest(re(j)), req);
    assert.throws(() => decodeContractRequest(re({ ...j, code_hash: "zz" })), InvalidInputError);
    assert.throws(
      () =>
        decodeContractRequest(
          re({ ...j, env: { ...(j.env as object), block: { height: "1e3", time: "1", chain_id: "x" } } }),
        ),
      (e) => e instanceof InvalidInputError && e.field === "env.block.height",
    );
    assert.throws(() => decodeContractRequest(re({ ...j, contract_key: { og: "AAAA" } })), InvalidInputError);
    assert.throws(() => decodeContractRequest(re({ ...j, query_depth: -1 })), InvalidInputError);
    // sig_info in the JSON and the signed bytes in the tail come together or not at all
    const { sig_info: _sig, ...unsigned } = j;
    assert.throws(
      () => decodeContractRequest(re(unsigned)),
      (e) => e instanceof InvalidInputError && e.field === "sig_info",
    );
    const noTail = encodeContractRequest({ ...req, sigInfo: undefined });
    const noTailJson = new DataView(noTail.buffer).getUint32(0);
    const spliced = new Uint8Array([...noTail.subarray(0, 4 + noTailJson), ...tail]);
    assert.throws(() => decodeContractRequest(spliced), InvalidInputError);
    assert.throws(
      () => decodeContractRequest(bytes.subarray(0, bytes.length - req.wasm.length - 3)),
      InvalidInputError,
    );
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
