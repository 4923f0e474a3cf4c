// Every spec secret-protocol §12 vector, reproduced through the real enclave code paths (keys table, user key
// pair, tx key, SIV AD rules, encrypted answer, callback_sig, contract key, state key/name/salt/value, and
// the seed-exchange vectors as raw crypto). Vectors copied to ./testdata/spec12.json (provenance inside).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { generateKeyPair, sharedKey } from "curve25519-js";
import { fromHex, toHex, utf8 } from "../util/bytes.js";
import { AD_NONE, AD_ONE_EMPTY, aesSivDecrypt, aesSivEncrypt } from "./crypto/aesSiv.js";
import { deriveFromKey, deriveSeedKey } from "./crypto/kdf.js";
import { x25519PublicKey, x25519SharedSecret } from "./crypto/x25519.js";
import { generateContractKey, validateCurrentContractKey } from "./contractKey.js";
import {
  decryptValue,
  encryptionSalt,
  encryptKeyName,
  encryptValue,
  parseStoredValue,
  stateKeyAes,
} from "./encryptedStorage.js";
import { callbackSig, decryptInput, TxCrypto, validateBasicMsg } from "./io.js";
import { encryptQueryAnswer } from "./ioOutput.js";
import { fixedKeys } from "./testing/fixedKeys.js";

type Inputs = Record<
  | "consensusSeed"
  | "userSeed"
  | "nonce"
  | "codeHash"
  | "msg"
  | "nodeRegSk"
  | "sender"
  | "contractAddr"
  | "height"
  | "blockTimeNs"
  | "msgCounter"
  | "stateKeyName"
  | "stateValue"
  | "answerBase64",
  string
> & { funds: { denom: string; amount: string }[] };
type Outputs = Record<
  | "seedExchangePk"
  | "ioPk"
  | "userPrivkey"
  | "userPubkey"
  | "txEncryptionIkm"
  | "txEncryptionKey"
  | "sivOneEmptyAd"
  | "sivZeroAdPrefix"
  | "encryptedAnswer"
  | "nodeRegPk"
  | "seedExchangeSivKey"
  | "encryptedSeed"
  | "callbackSig"
  | "contractKey"
  | "stateAesKey"
  | "encKeyNameBanana"
  | "salt"
  | "encValueBanana",
  string
>;
const V = JSON.parse(readFileSync(new URL("./testdata/spec12.json", import.meta.url), "utf8")) as Outputs & {
  inputs: Inputs;
  derive: Record<string, string>;
};
const I = V.inputs;
const seed = fromHex(I.consensusSeed);
// Two copies of the same seed: ikm[0] = ikm[1], so the single-ikm state vectors apply while key names
// still use seed_id 2 exactly as the chain does (§12 note).
const keys = fixedKeys([seed, seed]);
const nonce = fromHex(I.nonce);
const codeHash = fromHex(I.codeHash);
const plaintext = utf8.encode(I.codeHash + I.msg);

describe("spec §12 key table", () => {
  test("derive(seed, 1..8)", () => {
    for (const [n, hex] of Object.entries(V.derive))
      assert.equal(toHex(deriveSeedKey(seed, Number(n))), hex, n);
  });
  test("seed-exchange and IO public keys", () => {
    assert.equal(toHex(x25519PublicKey(fromHex(V.derive["1"]!))), V.seedExchangePk);
    assert.equal(toHex(x25519PublicKey(keys.ioExchangeSecretKey())), V.ioPk);
  });
  test("user key pair from curve25519-js (as secretjs) and clamping", () => {
    const kp = generateKeyPair(fromHex(I.userSeed));
    assert.equal(toHex(kp.private), V.userPrivkey);
    assert.equal(toHex(kp.public), V.userPubkey);
    assert.equal(toHex(x25519PublicKey(fromHex(I.userSeed))), V.userPubkey);
  });
});

describe("spec §12 tx encryption", () => {
  const userPk = fromHex(V.userPubkey);
  test("tx_encryption_ikm and key (both sides of the DH agree)", () => {
    const ikm = x25519SharedSecret(keys.ioExchangeSecretKey(), userPk);
    assert.equal(toHex(ikm), V.txEncryptionIkm);
    assert.equal(toHex(sharedKey(fromHex(V.userPrivkey), fromHex(V.ioPk))), V.txEncryptionIkm);
    assert.equal(toHex(deriveFromKey(ikm, nonce)), V.txEncryptionKey);
  });
  test("SIV with one empty AD (correct) vs zero AD (wrong)", () => {
    const key = fromHex(V.txEncryptionKey);
    assert.equal(toHex(aesSivEncrypt(key, plaintext, AD_ONE_EMPTY)), V.sivOneEmptyAd);
    assert.ok(toHex(aesSivEncrypt(key, plaintext, AD_NONE)).startsWith(V.sivZeroAdPrefix));
    const tx = new TxCrypto(keys, nonce, userPk);
    assert.equal(toHex(tx.encrypt(plaintext)), V.sivOneEmptyAd);
    tx.dispose();
  });
  test("the full user message decrypts and passes the code-hash check", () => {
    const msg = fromHex(toHex(nonce) + V.userPubkey + V.sivOneEmptyAd);
    const d = decryptInput(keys, msg, "execute");
    assert.equal(d.wasEncrypted, true);
    const v = validateBasicMsg(d.plaintext, codeHash);
    assert.equal(utf8.decode(v.msg), I.msg);
    assert.equal(v.replyParams, undefined);
    d.tx?.dispose();
  });
  test("encrypted query answer and callback_sig", () => {
    const tx = new TxCrypto(keys, nonce, userPk);
    assert.equal(toHex(encryptQueryAnswer(tx, I.answerBase64)), V.encryptedAnswer);
    tx.dispose();
    const funds = I.funds.map((c) => ({ denom: c.denom, amount: BigInt(c.amount) }));
    assert.equal(toHex(callbackSig(keys, fromHex(V.sivOneEmptyAd), funds)), V.callbackSig);
  });
});

describe("spec §12 contract key and state", () => {
  const sender = fromHex(I.sender);
  const addr = fromHex(I.contractAddr);
  const contractKey = fromHex(V.contractKey);
  test("contract key", () => {
    assert.equal(toHex(generateContractKey(keys, sender, BigInt(I.height), codeHash, addr)), V.contractKey);
    validateCurrentContractKey(keys, contractKey, addr, codeHash);
  });
  test("state AES key, encrypted key name, salt, encrypted value", () => {
    assert.equal(toHex(stateKeyAes(keys, contractKey, 2)), V.stateAesKey);
    const encName = encryptKeyName(keys, contractKey, utf8.encode(I.stateKeyName));
    assert.equal(toHex(encName), V.encKeyNameBanana);
    const salt = encryptionSalt(BigInt(I.blockTimeNs), BigInt(I.height), BigInt(I.msgCounter));
    assert.equal(toHex(salt), V.salt);
    const stored = encryptValue(keys, contractKey, encName, utf8.encode(I.stateValue), salt);
    const parsed = parseStoredValue(stored);
    assert.equal(toHex(parsed.data), V.encValueBanana);
    assert.equal(parsed.seedId, 2);
    assert.equal(utf8.decode(decryptValue(keys, contractKey, encName, stored)), I.stateValue);
  });
});

describe("spec §12 seed exchange (raw crypto)", () => {
  test("node pk, SIV key = raw X25519, encrypted seed with AD = [node_pk]", () => {
    const nodePk = x25519PublicKey(fromHex(I.nodeRegSk));
    assert.equal(toHex(nodePk), V.nodeRegPk);
    const k = x25519SharedSecret(fromHex(V.derive["1"]!), nodePk);
    assert.equal(toHex(k), V.seedExchangeSivKey);
    assert.equal(
      toHex(x25519SharedSecret(fromHex(I.nodeRegSk), fromHex(V.seedExchangePk))),
      V.seedExchangeSivKey,
    );
    assert.equal(toHex(aesSivEncrypt(k, seed, [nodePk])), V.encryptedSeed);
    assert.equal(toHex(aesSivDecrypt(k, fromHex(V.encryptedSeed), [nodePk])), I.consensusSeed);
  });
});
