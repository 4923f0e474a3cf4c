// Tests for the secp256k1 / ed25519 wrappers: round trips, CosmWasm size rules, high-S handling,
// recovery, batch shapes, and RFC 8032 test 1.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { fromHex, InvalidInputError, toHex } from "../../util/bytes.js";
import { sha256 } from "./hash.js";
import { secp256k1PublicKey, secp256k1RecoverPubkey, secp256k1Sign, secp256k1Verify } from "./secp256k1.js";
import { ed25519BatchVerify, ed25519PublicKey, ed25519Sign, ed25519Verify } from "./ed25519.js";

const N = secp256k1.Point.CURVE().n;

function toHighS(sig: Uint8Array): Uint8Array {
  const s = BigInt("0x" + toHex(sig.subarray(32)));
  const out = Uint8Array.from(sig);
  out.set(fromHex((N - s).toString(16).padStart(64, "0")), 32);
  return out;
}

describe("secp256k1", () => {
  test("sign/verify/recover round trip (property)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 64 }),
        (seed, msg) => {
          const sk = sha256(seed); // a valid scalar with overwhelming probability
          const hash = sha256(msg);
          const { signature, recoveryId } = secp256k1Sign(hash, sk);
          const pk33 = secp256k1PublicKey(sk);
          const pk65 = secp256k1PublicKey(sk, false);
          assert.equal(secp256k1Verify(hash, signature, pk33), true);
          assert.equal(secp256k1Verify(hash, signature, pk65), true);
          assert.deepEqual(secp256k1RecoverPubkey(hash, signature, recoveryId), pk65);
          const other = sha256(hash);
          assert.equal(secp256k1Verify(other, signature, pk33), false);
        },
      ),
      { seed: 42, numRuns: 50 },
    );
  });

  test("high-S accepted by default (CosmWasm normalizes), rejected on request (SDK rule)", () => {
    const sk = sha256(new Uint8Array([1]));
    const hash = sha256(new Uint8Array([2]));
    const { signature, recoveryId } = secp256k1Sign(hash, sk);
    const high = toHighS(signature);
    const pk = secp256k1PublicKey(sk);
    assert.equal(secp256k1Verify(hash, high, pk), true);
    assert.equal(secp256k1Verify(hash, high, pk, { rejectHighS: true }), false);
    assert.equal(secp256k1Verify(hash, signature, pk, { rejectHighS: true }), true);
    // recovery of (r, n-s) with the flipped id gives the same key
    assert.deepEqual(secp256k1RecoverPubkey(hash, high, recoveryId ^ 1), secp256k1PublicKey(sk, false));
  });

  test("hybrid 06/07 keys are accepted when the prefix parity matches y (libsecp256k1)", () => {
    const sk = sha256(new Uint8Array([7]));
    const hash = sha256(new Uint8Array([8]));
    const { signature } = secp256k1Sign(hash, sk);
    const pk65 = secp256k1PublicKey(sk, false);
    const hybrid = Uint8Array.from(pk65);
    hybrid[0] = 6 + (pk65[64]! & 1);
    assert.equal(secp256k1Verify(hash, signature, hybrid), true);
    hybrid[0] = 7 - (pk65[64]! & 1);
    assert.throws(() => secp256k1Verify(hash, signature, hybrid), InvalidInputError);
  });

  test("size and format errors throw InvalidInputError; garbage signature is false", () => {
    const pk = secp256k1PublicKey(sha256(new Uint8Array([1])));
    const hash = new Uint8Array(32);
    assert.throws(() => secp256k1Verify(new Uint8Array(31), new Uint8Array(64), pk), InvalidInputError);
    assert.throws(() => secp256k1Verify(hash, new Uint8Array(65), pk), InvalidInputError);
    assert.throws(() => secp256k1Verify(hash, new Uint8Array(64), new Uint8Array(32)), InvalidInputError);
    const bad = Uint8Array.from(pk);
    bad[0] = 4;
    assert.throws(() => secp256k1Verify(hash, new Uint8Array(64), bad), InvalidInputError);
    assert.equal(secp256k1Verify(hash, new Uint8Array(64), pk), false);
    assert.throws(() => secp256k1Verify(hash, new Uint8Array(64).fill(0xff), pk), InvalidInputError, "r ≥ n");
    assert.throws(
      () => secp256k1Verify(hash, new Uint8Array(64), Uint8Array.from([2, ...new Uint8Array(32).fill(0xff)])),
      InvalidInputError,
      "x ≥ p is not a curve point",
    );
    assert.throws(() => secp256k1RecoverPubkey(hash, new Uint8Array(64), 4), InvalidInputError);
    assert.throws(() => secp256k1RecoverPubkey(hash, new Uint8Array(64), 0), InvalidInputError);
  });
});

describe("cross-checks with node:crypto (OpenSSL)", () => {
  const b64u = (b: Uint8Array) => Buffer.from(b).toString("base64url");
  test("secp256k1: our signatures verify in OpenSSL and OpenSSL's in ours", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 64 }),
        (seed, msg) => {
          const sk = sha256(seed);
          const pk65 = secp256k1PublicKey(sk, false);
          const jwk = {
            kty: "EC",
            crv: "secp256k1",
            x: b64u(pk65.subarray(1, 33)),
            y: b64u(pk65.subarray(33)),
          };
          const pub = createPublicKey({ key: jwk, format: "jwk" });
          const { signature } = secp256k1Sign(sha256(msg), sk);
          assert.equal(nodeVerify("sha256", msg, { key: pub, dsaEncoding: "ieee-p1363" }, signature), true);
          const priv = createPrivateKey({ key: { ...jwk, d: b64u(sk) }, format: "jwk" });
          const theirs = new Uint8Array(nodeSign("sha256", msg, { key: priv, dsaEncoding: "ieee-p1363" }));
          assert.equal(secp256k1Verify(sha256(msg), theirs, pk65), true);
        },
      ),
      { seed: 42, numRuns: 30 },
    );
  });

  test("ed25519: identical signatures to OpenSSL's", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 64 }),
        (sk, msg) => {
          const pk = ed25519PublicKey(sk);
          const priv = createPrivateKey({
            key: { kty: "OKP", crv: "Ed25519", d: b64u(sk), x: b64u(pk) },
            format: "jwk",
          });
          assert.deepEqual(new Uint8Array(nodeSign(null, msg, priv)), ed25519Sign(msg, sk));
        },
      ),
      { seed: 42, numRuns: 30 },
    );
  });
});

describe("ed25519", () => {
  // RFC 8032 §7.1 TEST 1 (empty message), https://www.rfc-editor.org/rfc/rfc8032.txt
  const sk = fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  const pk = fromHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const sig = fromHex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  );

  test("RFC 8032 test 1", () => {
    assert.deepEqual(ed25519PublicKey(sk), pk);
    assert.deepEqual(ed25519Sign(new Uint8Array(0), sk), sig);
    assert.equal(ed25519Verify(new Uint8Array(0), sig, pk), true);
    assert.equal(ed25519Verify(new Uint8Array([0]), sig, pk), false);
    assert.throws(() => ed25519Verify(new Uint8Array(0), sig.subarray(1), pk), InvalidInputError);
  });

  test("batch shapes", () => {
    const keys = [1, 2, 3].map((i) => sha256(new Uint8Array([i])));
    const pks = keys.map((k) => ed25519PublicKey(k));
    const msgs = [4, 5, 6].map((i) => new Uint8Array([i]));
    const sigs = keys.map((k, i) => ed25519Sign(msgs[i]!, k));
    assert.equal(ed25519BatchVerify(msgs, sigs, pks), true);
    assert.equal(ed25519BatchVerify([], [], []), true);
    const one = msgs[0]!;
    assert.equal(
      ed25519BatchVerify(
        [one],
        keys.map((k) => ed25519Sign(one, k)),
        pks,
      ),
      true,
    );
    assert.equal(
      ed25519BatchVerify(
        msgs,
        msgs.map((m) => ed25519Sign(m, keys[0]!)),
        [pks[0]!],
      ),
      true,
    );
    assert.equal(ed25519BatchVerify(msgs, [sigs[0]!, sigs[2]!, sigs[1]!], pks), false);
    assert.throws(() => ed25519BatchVerify(msgs, sigs.slice(0, 2), pks), InvalidInputError);
  });
});
