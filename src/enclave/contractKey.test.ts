// Contract keys and proofs (spec §6.1–6.2): generation, validation tied to code hash/address, migrated keys,
// admin and key proofs validated only against seeds[1..].
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { utf8 } from "../util/bytes.js";
import { hmacSha256, sha256 } from "./crypto/hash.js";
import {
  clearContractKeyCache,
  generateAdminProof,
  generateContractKey,
  generateContractKeyProof,
  senderId,
  validateAdminProof,
  validateContractKey,
  validateContractKeyProof,
  validateCurrentContractKey,
} from "./contractKey.js";
import { fixedKeys } from "./testing/fixedKeys.js";

const s1 = new Uint8Array(32).fill(1);
const s2 = new Uint8Array(32).fill(2);
const s3 = new Uint8Array(32).fill(3);
const keys = fixedKeys([s1, s2]);
const sender = new Uint8Array(20).fill(5);
const addr = new Uint8Array(20).fill(6);
const hashA = sha256(utf8.encode("A"));
const hashB = sha256(utf8.encode("B"));
const auth = /failed to authenticate secret contract/;
const invalid = /failed to validate transaction/;

describe("contract key", () => {
  const key = generateContractKey(keys, sender, 100n, hashA, addr);
  test("layout: sender_id ‖ contract_id; validation tied to code hash and address", () => {
    assert.equal(key.length, 64);
    assert.deepEqual(key.subarray(0, 32), senderId(sender, 100n));
    validateCurrentContractKey(keys, key, addr, hashA);
    assert.throws(() => {
      validateCurrentContractKey(keys, key, addr, hashB);
    }, auth);
    assert.throws(() => {
      validateCurrentContractKey(keys, key, new Uint8Array(20).fill(7), hashA);
    }, auth);
    const bad = Uint8Array.from(key);
    bad[40]! ^= 1;
    assert.throws(() => {
      validateCurrentContractKey(keys, bad, addr, hashA);
    }, auth);
  });

  test("validated keys are remembered per keychain; the memory never accepts a different tuple", () => {
    const kc = fixedKeys([s1, s2]);
    let calls = 0;
    const counting = { ...kc, stateIkm: (i: number) => (calls++, kc.stateIkm(i)) };
    validateCurrentContractKey(counting, key, addr, hashA);
    validateCurrentContractKey(counting, key, addr, hashA);
    assert.equal(calls, 1, "the second check is answered from memory");
    const current = generateContractKey(keys, sender, 200n, hashB, addr, key);
    assert.throws(
      () => {
        validateCurrentContractKey(counting, current, addr, hashB);
      },
      auth,
      "og key missing",
    );
    validateCurrentContractKey(counting, current, addr, hashB, key);
    assert.throws(() => {
      validateCurrentContractKey(counting, key, addr, hashB);
    }, auth);
    assert.throws(() => {
      validateCurrentContractKey(counting, key, addr.subarray(0, 19), hashA);
    }, auth);
    // Many other tuples push the first one out (bounded); it is then checked again, still valid.
    for (let i = 0; i < 4200; i++) {
      const other = new Uint8Array(20);
      new DataView(other.buffer).setUint32(0, i);
      const k = generateContractKey(keys, sender, 1n, hashA, other);
      validateCurrentContractKey(counting, k, other, hashA);
    }
    const before = calls;
    validateCurrentContractKey(counting, key, addr, hashA);
    assert.equal(calls, before + 1, "evicted: validated again");
    clearContractKeyCache(counting);
    validateCurrentContractKey(counting, key, addr, hashA);
    assert.equal(calls, before + 2, "cleared: validated again");
  });

  test("always MACed with the genesis ikm: a rotated keychain validates old keys", () => {
    validateCurrentContractKey(fixedKeys([s1, s2, s3]), key, addr, hashA);
    assert.throws(() => {
      validateCurrentContractKey(fixedKeys([s2, s2]), key, addr, hashA);
    }, auth);
  });

  test("migrated contract: current key (with og) plus key proof", () => {
    const current = generateContractKey(keys, sender, 200n, hashB, addr, key);
    const proof = generateContractKeyProof(keys, addr, hashB, key, current);
    validateContractKey(
      keys,
      { ogContractKey: key, currentContractKey: current, currentContractKeyProof: proof },
      addr,
      hashB,
    );
    validateContractKey(keys, { ogContractKey: key }, addr, hashA);
    assert.throws(() => {
      validateContractKey(keys, { ogContractKey: key, currentContractKey: current }, addr, hashB);
    }, invalid);
    const wrong = new Uint8Array(32);
    assert.throws(() => {
      validateContractKey(
        keys,
        { ogContractKey: key, currentContractKey: current, currentContractKeyProof: wrong },
        addr,
        hashB,
      );
    }, invalid);
    assert.throws(() => {
      validateContractKey(keys, { ogContractKey: key, currentContractKey: current }, addr, hashA);
    }, auth);
  });
});

describe("proofs try seeds[1..], never the genesis seed", () => {
  const key = generateContractKey(keys, sender, 1n, hashA, addr);
  const admin = new Uint8Array(20).fill(9);
  test("admin proof", () => {
    const proof = generateAdminProof(keys, admin, key);
    assert.deepEqual(proof, hmacSha256(keys.adminProofSecret(1), admin, key));
    validateAdminProof(keys, admin, key, proof);
    validateAdminProof(fixedKeys([s1, s2, s3]), admin, key, proof); // older current seed still accepted
    assert.throws(() => {
      validateAdminProof(keys, new Uint8Array(20), key, proof);
    }, invalid);
    // With seeds [s2, s1] the s2-made proof would only match the genesis slot, which is never tried.
    assert.throws(() => {
      validateAdminProof(fixedKeys([s2, s1]), admin, key, hmacSha256(keys.adminProofSecret(1), admin, key));
    }, invalid);
    assert.throws(() => {
      validateAdminProof(fixedKeys([s1]), admin, key, proof);
    }, invalid);
  });
  test("contract key proof", () => {
    const next = generateContractKey(keys, sender, 2n, hashB, addr, key);
    const proof = generateContractKeyProof(keys, addr, hashB, key, next);
    validateContractKeyProof(keys, addr, hashB, key, next, proof);
    assert.throws(() => {
      validateContractKeyProof(keys, addr, hashA, key, next, proof);
    }, invalid);
  });
});
