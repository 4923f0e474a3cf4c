// Cross-check with the real client: secretjs v1.22.1's EncryptionUtilsImpl encrypts 1,000 seeded random
// messages that our enclave decrypts and validates, and decrypts what our enclave encrypts (data, query
// answers, attributes, errors). The IO pubkey is put in secretjs's per-client cache (its private
// `consensusIoPubKey` field, see node_modules/secretjs/src/encryption.ts) so no network call is made.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createRequire } from "node:module";
import { fromBase64, toBase64, toHex, utf8 } from "../util/bytes.js";
import { sha256 } from "./crypto/hash.js";
import { x25519PublicKey } from "./crypto/x25519.js";
import { decryptInput, validateBasicMsg } from "./io.js";
import { encryptAttribute, encryptData, encryptErrorV1, encryptQueryAnswer } from "./ioOutput.js";
import { fixedKeys } from "./testing/fixedKeys.js";

/** The slice of secretjs's EncryptionUtilsImpl used here. Loaded untyped: secretjs's dist/utils.d.ts imports
 * "../src/…/coin" (a packaging slip), which drags its TypeScript sources into our strict type check. */
interface EncryptionUtils {
  encrypt(contractCodeHash: string, msg: object): Promise<Uint8Array>;
  decrypt(ciphertext: Uint8Array, nonce: Uint8Array): Promise<Uint8Array>;
}
const { EncryptionUtilsImpl } = createRequire(import.meta.url)("secretjs") as {
  EncryptionUtilsImpl: new (url: string, seed?: Uint8Array) => EncryptionUtils;
};

const keys = fixedKeys([new Uint8Array(32).fill(1), new Uint8Array(32).fill(7)]);
const ioPubkey = x25519PublicKey(keys.ioExchangeSecretKey());

function client(seed: Uint8Array): EncryptionUtils {
  const utils = new EncryptionUtilsImpl("http://unused.invalid", seed);
  (utils as unknown as { consensusIoPubKey: Uint8Array }).consensusIoPubKey = ioPubkey;
  return utils;
}

const jsonValue = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<unknown>;
const msgArb = fc.record({
  wasm: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  msg: fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), jsonValue, { minKeys: 1, maxKeys: 4 }),
  userSeed: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  upper: fc.boolean(),
});

describe("secretjs interop", () => {
  test("1,000 secretjs-encrypted messages decrypt and validate; 200 output sets decrypt in secretjs", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(msgArb, async ({ wasm, msg, userSeed, upper }) => {
        const sjs = client(userSeed);
        const codeHash = sha256(wasm);
        const hex = upper ? toHex(codeHash).toUpperCase() : toHex(codeHash);
        const wire = await sjs.encrypt(hex, msg);
        const d = decryptInput(keys, wire, "query");
        assert.equal(d.wasEncrypted, true);
        const v = validateBasicMsg(d.plaintext, codeHash);
        assert.deepEqual(JSON.parse(utf8.decode(v.msg)), JSON.parse(JSON.stringify(msg)));
        const tx = d.tx!;
        n++;
        // secretjs's pure-JS X25519 + SIV cost ~3-7 ms a call here, so outputs are checked on every 5th message.
        if (n % 5 !== 0) {
          tx.dispose();
          return;
        }
        const nonce = wire.subarray(0, 32);
        const data = utf8.encode(JSON.stringify(msg));
        const dataPt = await sjs.decrypt(encryptData(tx, data), nonce);
        assert.deepEqual(fromBase64(utf8.decode(dataPt)), data);
        const answer = await sjs.decrypt(encryptQueryAnswer(tx, toBase64(data)), nonce);
        assert.deepEqual(
          JSON.parse(utf8.decode(fromBase64(utf8.decode(answer)))),
          JSON.parse(JSON.stringify(msg)),
        );
        if (n % 50 === 0) {
          const attr = encryptAttribute(tx, {
            key: "k" + String(n),
            value: JSON.stringify(msg),
            encrypted: true,
          });
          assert.equal(utf8.decode(await sjs.decrypt(fromBase64(attr.value), nonce)), JSON.stringify(msg));
          const err = await sjs.decrypt(encryptErrorV1(tx, 'bad "thing"\n'), nonce);
          assert.equal(utf8.decode(err), 'bad \\"thing\\"\\n');
        }
        tx.dispose();
      }),
      { seed: 42, numRuns: 1000 },
    );
    assert.equal(n, 1000);
  });

  test("a message for another code hash is refused", async () => {
    const sjs = client(new Uint8Array(32).fill(3));
    const wire = await sjs.encrypt(toHex(sha256(utf8.encode("a"))), { x: 1 });
    const d = decryptInput(keys, wire, "execute");
    assert.throws(
      () => validateBasicMsg(d.plaintext, sha256(utf8.encode("b"))),
      /failed to validate transaction/,
    );
  });
});
