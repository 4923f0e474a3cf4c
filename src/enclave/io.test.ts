// IO rules of spec §4.2, §5, §7: the 82-byte quirk, plaintext fallback vs required decryption, code-hash
// check, reply headers, output/error/sub-message encryption, callback and reply signatures.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { concatBytes, fromBase64, toHex, u64be, utf8 } from "../util/bytes.js";
import { AD_ONE_EMPTY, aesSivEncrypt } from "./crypto/aesSiv.js";
import { sha256 } from "./crypto/hash.js";
import { deriveFromKey } from "./crypto/kdf.js";
import { x25519PublicKey, x25519SharedSecret } from "./crypto/x25519.js";
import { EnclaveError } from "./errors.js";
import {
  buildSubMsgPlaintext,
  callbackSig,
  decryptInput,
  fundsJson,
  parseSecretMessage,
  REPLY_MAGIC,
  SECRET_MESSAGE_MIN_LENGTH,
  TxCrypto,
  validateBasicMsg,
  validateReplyMsg,
  verifyCallbackSig,
} from "./io.js";
import {
  decryptReplyData,
  decryptReplyError,
  parseInternalMsgId,
  encryptAttribute,
  encryptData,
  encryptedErrorJson,
  encryptErrorV010,
  encryptErrorV1,
  internalMsgId,
  replyJson,
  replySignature,
  verifyReplySignature,
} from "./ioOutput.js";
import { fixedKeys } from "./testing/fixedKeys.js";

const keys = fixedKeys([new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)]);
const userSk = new Uint8Array(32).fill(5);
const userPk = x25519PublicKey(userSk);
const nonce = new Uint8Array(32).fill(6);
const codeHash = sha256(utf8.encode("wasm"));
const hashHex = toHex(codeHash);
const otherHashHex = toHex(sha256(utf8.encode("other")));

function userMessage(pt: Uint8Array): Uint8Array {
  const tx = new TxCrypto(keys, nonce, userPk);
  const out = tx.seal(pt).message;
  tx.dispose();
  return out;
}
const isCode = (code: string) => (e: unknown) => e instanceof EnclaveError && e.code === code;

describe("SecretMessage parsing and input decryption", () => {
  test("minimum total length is 82 (quirk), not 80", () => {
    assert.equal(SECRET_MESSAGE_MIN_LENGTH, 82);
    assert.throws(() => parseSecretMessage(new Uint8Array(81)), isCode("DecryptionError"));
    const m = parseSecretMessage(new Uint8Array(82).map((_, i) => i));
    assert.equal(m.nonce[0], 0);
    assert.equal(m.userPublicKey[0], 32);
    assert.equal(m.ciphertext.length, 18);
  });

  test("query and migrate require decryption", () => {
    const bad = userMessage(utf8.encode(hashHex + "{}"));
    bad[70]! ^= 1;
    for (const kind of ["query", "migrate"] as const) {
      assert.throws(() => decryptInput(keys, bad, kind), isCode("DecryptionError"));
      assert.throws(() => decryptInput(keys, new Uint8Array(10), kind), isCode("DecryptionError"));
    }
  });

  test("init/execute fall back to plaintext with zero nonce and pubkey", () => {
    const plain = utf8.encode(hashHex + '{"a":1}');
    for (const kind of ["init", "execute"] as const) {
      const d = decryptInput(keys, plain, kind);
      assert.equal(d.wasEncrypted, false);
      assert.equal(d.tx, undefined);
      assert.deepEqual(d.plaintext, plain);
      assert.deepEqual(d.secretMessage.nonce, new Uint8Array(32));
      assert.equal(utf8.decode(validateBasicMsg(d.plaintext, codeHash).msg), '{"a":1}');
      assert.equal(decryptInput(keys, new Uint8Array(3), kind).wasEncrypted, false);
    }
  });

  test("an encrypted message round-trips", () => {
    const d = decryptInput(keys, userMessage(utf8.encode(hashHex + "{}")), "execute");
    assert.equal(d.wasEncrypted, true);
    assert.deepEqual(d.secretMessage.userPublicKey, userPk);
    d.tx?.dispose();
  });
});

describe("TxCrypto: one AesSivKey per message key, cached X25519 per sender", () => {
  test("every seal equals a one-off AES-SIV under HKDF(X25519(io_sk, pk) ‖ nonce) (property)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(fc.uint8Array({ maxLength: 80 }), { minLength: 1, maxLength: 6 }),
        (n, plaintexts) => {
          const txKey = deriveFromKey(x25519SharedSecret(keys.ioExchangeSecretKey(), userPk), n);
          // Twice: the second TxCrypto takes its X25519 result from the cache.
          for (let round = 0; round < 2; round++) {
            const tx = new TxCrypto(keys, n, userPk);
            for (const pt of plaintexts) {
              const ct = tx.encrypt(pt);
              assert.deepEqual(ct, aesSivEncrypt(txKey, pt, AD_ONE_EMPTY));
              assert.deepEqual(tx.decrypt(ct), pt);
            }
            tx.dispose();
          }
        },
      ),
      { seed: 42, numRuns: 30 },
    );
  });

  test("a bad tag is DecryptionError and the key stays usable; dispose drops the key", () => {
    const tx = new TxCrypto(keys, nonce, userPk);
    const ct = tx.encrypt(utf8.encode("hello"));
    const bad = ct.slice();
    bad[0]! ^= 1;
    assert.throws(() => tx.decrypt(bad), isCode("DecryptionError"));
    assert.deepEqual(tx.decrypt(ct), utf8.encode("hello"));
    tx.dispose();
    assert.throws(() => tx.decrypt(ct), isCode("DecryptionError"));
  });
});

describe("code-hash check and reply headers", () => {
  test("seal → decryptInput → validate round trip with random headers (property)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { maxLength: 3 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (msg, ids, n) => {
          const inherited = ids.map((subMsgId) => ({
            subMsgId,
            recipientCodeHash: utf8.encode(otherHashHex),
          }));
          const tx = new TxCrypto(keys, n, userPk);
          const wire = tx.seal(buildSubMsgPlaintext(hashHex, msg, { inherited })).message;
          tx.dispose();
          const d = decryptInput(keys, wire, "query");
          const v = validateBasicMsg(d.plaintext, codeHash);
          d.tx?.dispose();
          const startsWithHeader = Buffer.from(msg.subarray(0, 7)).toString("latin1") === "REPLY01";
          if (!startsWithHeader) assert.deepEqual(v.msg, msg);
          assert.deepEqual(
            (v.replyParams ?? []).slice(0, ids.length).map((p) => p.subMsgId),
            ids,
          );
        },
      ),
      { seed: 42, numRuns: 100 },
    );
  });

  test("either case accepted; mismatch, bad hex and short input refused", () => {
    assert.equal(utf8.decode(validateBasicMsg(utf8.encode(hashHex.toUpperCase() + "x"), codeHash).msg), "x");
    const fail = (pt: string) => {
      assert.throws(() => validateBasicMsg(utf8.encode(pt), codeHash), /failed to validate/);
    };
    fail(otherHashHex + "x");
    fail("zz" + hashHex.slice(2) + "x");
    fail(hashHex.slice(0, 63));
    const mixed = hashHex.replace(/[a-f]([^a-f]*)[a-f]/g, (m) => m.toUpperCase()[0]! + m.slice(1));
    assert.equal(utf8.decode(validateBasicMsg(utf8.encode(mixed + "y"), codeHash).msg), "y");
    // A Latin-1 letter whose lowercase is not ASCII must not pass the lowercase fast path.
    const latin = utf8.encode(hashHex + "x");
    latin[0] = 0xc1;
    assert.throws(() => validateBasicMsg(latin, codeHash), /failed to validate/);
    assert.equal(
      validateBasicMsg(utf8.encode(otherHashHex), codeHash, (h) => h === otherHashHex).msg.length,
      0,
    );
  });

  test("REPLY01 headers parse in order; truncated headers are refused", () => {
    const inner = buildSubMsgPlaintext(hashHex, utf8.encode('{"m":1}'), {
      reply: { subMsgId: 7n, callerCodeHashHex: otherHashHex },
      inherited: [{ subMsgId: 2n ** 64n - 1n, recipientCodeHash: utf8.encode(hashHex) }],
    });
    assert.deepEqual(
      inner.subarray(64, 64 + 15),
      concatBytes(REPLY_MAGIC, u64be(7n)),
      "callee hash ‖ REPLY01 ‖ u64_be(id)",
    );
    const v = validateBasicMsg(inner, codeHash);
    assert.equal(utf8.decode(v.msg), '{"m":1}');
    const [a, b, ...rest] = v.replyParams ?? [];
    assert.ok(a !== undefined && b !== undefined && rest.length === 0);
    assert.equal(a.subMsgId, 7n);
    assert.equal(utf8.decode(a.recipientCodeHash), otherHashHex);
    assert.equal(b.subMsgId, 2n ** 64n - 1n);
    assert.throws(() => validateBasicMsg(inner.subarray(0, 64 + 7 + 8 + 10), codeHash), /failed to validate/);
  });
});

describe("outputs", () => {
  const tx = new TxCrypto(keys, nonce, userPk);
  const replyParams = [
    { subMsgId: 3n, recipientCodeHash: utf8.encode(otherHashHex) },
    { subMsgId: 9n, recipientCodeHash: utf8.encode(hashHex) },
  ];

  test("data is the base64 string; with reply params the recipient hash is prefixed", () => {
    const data = new Uint8Array([0, 255, 1]);
    assert.equal(utf8.decode(tx.decrypt(encryptData(tx, data))), "AP8B");
    const withReply = encryptData(tx, data, replyParams);
    assert.equal(utf8.decode(tx.decrypt(withReply)), otherHashHex + "AP8B");
    assert.deepEqual(decryptReplyData(tx, withReply), data);
  });

  test("attributes: key and value separately, only when encrypted", () => {
    const plain = { key: "k", value: "v", encrypted: false };
    assert.equal(encryptAttribute(tx, plain), plain);
    const enc = encryptAttribute(tx, { key: "k", value: "v", encrypted: true });
    assert.equal(utf8.decode(tx.decrypt(fromBase64(enc.key))), "k");
    assert.equal(utf8.decode(tx.decrypt(fromBase64(enc.value))), "v");
  });

  test("v0.10 and v1 error forms", () => {
    const v010 = encryptErrorV010(tx, '{"generic_err":{"msg":"x"}}');
    assert.equal(utf8.decode(tx.decrypt(v010)), '{"generic_err":{"msg":"x"}}');
    const v1 = encryptErrorV1(tx, 'a"b\\c\u0001');
    assert.equal(utf8.decode(tx.decrypt(v1)), 'a\\"b\\\\c\\u0001');
    const wrapped = JSON.parse(encryptedErrorJson(v1)) as { generic_err: { msg: string } };
    assert.deepEqual(fromBase64(wrapped.generic_err.msg), v1);
  });

  test("internal msg id: hash0 ‖ [headers i≥1 when appendAll] ‖ decimal(id0)", () => {
    assert.equal(utf8.decode(tx.decrypt(internalMsgId(tx, replyParams, false))), otherHashHex + "3");
    const all = tx.decrypt(internalMsgId(tx, replyParams, true));
    const expected = concatBytes(
      utf8.encode(otherHashHex),
      REPLY_MAGIC,
      u64be(9n),
      utf8.encode(hashHex),
      utf8.encode("3"),
    );
    assert.deepEqual(all, expected);
  });

  test("reply round trip: callee emits id + sig + data/error, caller checks and decrypts", () => {
    // The callee ran with reply params [caller (id 3, otherHash), grand-caller (id 9, hash)].
    const id = internalMsgId(tx, replyParams, true);
    const data = encryptData(tx, utf8.encode("result"), replyParams);
    const sig = replySignature(keys, id, { ok: { data } });
    verifyReplySignature(keys, sig, id, { ok: { data } });
    const { subMsgId, dataForValidation } = parseInternalMsgId(tx, id);
    assert.equal(subMsgId, 3n);
    const reply = utf8.encode(replyJson(id, { ok: { data } }));
    const v = validateReplyMsg(reply, sha256(utf8.encode("other")), dataForValidation);
    assert.deepEqual(v.msg, reply);
    assert.equal(v.replyParams?.length, 1);
    assert.throws(() => validateReplyMsg(reply, codeHash, dataForValidation), /failed to validate/);
    assert.equal(utf8.decode(decryptReplyData(tx, data)), "result");
    const errCt = encryptErrorV1(tx, "boom", replyParams);
    assert.equal(decryptReplyError(tx, Buffer.from(errCt).toString("base64")), "boom");
    assert.throws(
      () => parseInternalMsgId(tx, encryptData(tx, new Uint8Array(1), replyParams)),
      isCode("FailedToDeserialize"),
    );
  });

  test("reply JSON and signature = sha256(secret ‖ json ‖ '[]')", () => {
    const id = new Uint8Array([1, 2]);
    assert.equal(
      replyJson(id, { ok: { data: null } }),
      '{"id":"AQI=","result":{"ok":{"events":[],"data":null}},"was_orig_msg_encrypted":true,"is_encrypted":true}',
    );
    assert.equal(
      replyJson(id, { error: "ZZ==" }),
      '{"id":"AQI=","result":{"error":"ZZ=="},"was_orig_msg_encrypted":true,"is_encrypted":true}',
    );
    const res = { ok: { data: new Uint8Array([9]) } };
    const sig = replySignature(keys, id, res);
    const json = utf8.encode(replyJson(id, res));
    assert.deepEqual(sig, sha256(keys.callbackSecret(), json, utf8.encode("[]")));
    verifyReplySignature(keys, sig, id, res);
    assert.throws(() => {
      verifyReplySignature(keys, sig, id, { ok: { data: null } });
    }, isCode("FailedTxVerification"));
  });

  test("outgoing sub-message: original nonce and user pubkey; callback_sig over ct and funds", () => {
    const inner = buildSubMsgPlaintext(otherHashHex, utf8.encode('{"x":{}}'));
    const { message, ciphertext } = tx.seal(inner);
    assert.deepEqual(message.subarray(0, 32), nonce);
    assert.deepEqual(message.subarray(32, 64), userPk);
    const callee = decryptInput(keys, message, "execute");
    assert.equal(
      utf8.decode(validateBasicMsg(callee.plaintext, sha256(utf8.encode("other"))).msg),
      '{"x":{}}',
    );
    callee.tx?.dispose();
    const funds = [
      { denom: "uscrt", amount: 100n },
      { denom: 'we"ird', amount: 2n ** 100n },
    ];
    assert.equal(fundsJson([]), "[]");
    assert.equal(
      fundsJson(funds),
      '[{"denom":"uscrt","amount":"100"},{"denom":"we\\"ird","amount":"1267650600228229401496703205376"}]',
    );
    const sig = callbackSig(keys, ciphertext, funds);
    assert.deepEqual(sig, sha256(keys.callbackSecret(), ciphertext, utf8.encode(fundsJson(funds))));
    verifyCallbackSig(keys, sig, ciphertext, funds);
    assert.throws(() => {
      verifyCallbackSig(keys, sig, ciphertext, funds.slice(0, 1));
    }, /failed to verify transaction/);
    assert.throws(() => {
      verifyCallbackSig(keys, new Uint8Array(0), ciphertext, funds);
    }, isCode("FailedTxVerification"));
  });
});
