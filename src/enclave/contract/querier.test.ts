// EncryptingQuerier on its own: depth limit without asking the host, invalid requests, plaintext pass-through,
// smart queries sealed with the caller's nonce and answers / errors decrypted.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fromBase64, toBase64, utf8 } from "../../util/bytes.js";
import { x25519PublicKey } from "../crypto/x25519.js";
import { TxCrypto } from "../io.js";
import { HOST_GAS } from "../vm/gas.js";
import { EncryptingQuerier, MAX_QUERY_DEPTH, type RawQueryFn } from "./querier.js";
import { keys } from "./testing/harness.js";

const NONCE = new Uint8Array(32).fill(7);
const tx = new TxCrypto(keys, NONCE, x25519PublicKey(new Uint8Array(32).fill(9)));
const json = (b: Uint8Array): unknown => JSON.parse(utf8.decode(b));

describe("EncryptingQuerier", () => {
  test("depth ≥ 10 answers exceeded_recursion_limit without an OCALL", () => {
    let called = 0;
    const raw: RawQueryFn = () => {
      called++;
      return { result: new Uint8Array(), gasUsed: 0n };
    };
    const r = new EncryptingQuerier(raw, tx, MAX_QUERY_DEPTH).queryRaw(utf8.encode("{}"), 1n);
    assert.deepEqual(json(r.result), { Err: { exceeded_recursion_limit: {} } });
    assert.equal(called, 0);
  });

  test("invalid JSON / invalid base64 msg: invalid_request and 500 gas", () => {
    const q = new EncryptingQuerier(() => assert.fail(), tx, 0);
    const a = q.queryRaw(utf8.encode("nope"), 1n);
    assert.ok("invalid_request" in (json(a.result) as { Err: object }).Err);
    assert.equal(a.gas.cost, HOST_GAS.invalidQueryRequest);
    const b = q.queryRaw(
      utf8.encode('{"wasm":{"smart":{"contract_addr":"x","code_hash":"h","msg":"***"}}}'),
      1n,
    );
    assert.equal(b.gas.cost, HOST_GAS.invalidQueryRequest);
  });

  test("bank queries pass through in plaintext with depth + 1", () => {
    const seen: { req: string; depth: number }[] = [];
    const raw: RawQueryFn = (req, _g, depth) => {
      seen.push({ req: utf8.decode(req), depth });
      return { result: utf8.encode('{"Ok":{"Ok":"e30="}}'), gasUsed: 5n };
    };
    const r = new EncryptingQuerier(raw, tx, 3).queryRaw(utf8.encode('{"bank":{"balance":{}}}'), 1n);
    assert.deepEqual(seen, [{ req: '{"bank":{"balance":{}}}', depth: 4 }]);
    assert.deepEqual(json(r.result), { Ok: { Ok: "e30=" } });
    assert.equal(r.gas.cost, 5n);
  });

  test("smart query: sealed with the caller's nonce; answer and error decrypted", () => {
    const hash = "ab".repeat(32);
    let sealedMsg: Uint8Array = new Uint8Array();
    const answerFor =
      (ok: boolean): RawQueryFn =>
      (req) => {
        const parsed = json(req) as { wasm: { smart: { msg: string } } };
        sealedMsg = fromBase64(parsed.wasm.smart.msg);
        if (ok) {
          const ct = tx.encrypt(utf8.encode(toBase64(utf8.encode('{"count":3}'))));
          return { result: utf8.encode(JSON.stringify({ Ok: { Ok: toBase64(ct) } })), gasUsed: 9n };
        }
        const ct = tx.encrypt(utf8.encode('{"generic_err":{"msg":"no"}}'));
        return {
          result: utf8.encode(
            JSON.stringify({ Ok: { Err: `encrypted: ${toBase64(ct)}: query contract failed` } }),
          ),
          gasUsed: 9n,
        };
      };
    const request = utf8.encode(
      JSON.stringify({
        wasm: { smart: { contract_addr: "c", code_hash: hash, msg: toBase64(utf8.encode('{"q":{}}')) } },
      }),
    );
    const ok = new EncryptingQuerier(answerFor(true), tx, 0).queryRaw(request, 1n);
    assert.deepEqual(sealedMsg.slice(0, 32), NONCE);
    assert.equal(utf8.decode(tx.decrypt(sealedMsg.slice(64))), `${hash}{"q":{}}`);
    assert.deepEqual(json(ok.result), { Ok: { Ok: toBase64(utf8.encode('{"count":3}')) } });
    const err = new EncryptingQuerier(answerFor(false), tx, 0).queryRaw(request, 1n);
    assert.deepEqual(json(err.result), { Ok: { Err: '{"generic_err":{"msg":"no"}}' } });
  });
});
