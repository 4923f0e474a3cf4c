// Keychain: the spec §12 derivation vectors, which seed feeds which key (§2.2, §3.6), bootstrap, rotation
// state and destruction.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { toHex } from "../util/bytes.js";
import { deriveSeedKey } from "./crypto/kdf.js";
import { x25519CacheSizes, x25519PublicKey, x25519SharedSecretCached } from "./crypto/x25519.js";
import { isEnclaveError } from "./errors.js";
import { Keychain, MAX_SEEDS } from "./keychain.js";

// spec secret-protocol §12 (seed = 32×01), copied from /work/shared/spec/secret-protocol.md.
const SEED = new Uint8Array(32).fill(1);
const V = {
  seedExchangeSk: "aeee7d2f7b52eaea1e1ffaf71c3645226ac3ced3b7b9b77b805fa42441c8c3fc",
  seedExchangePk: "ef0b983ca4d07b02784f512c56123248ed1120c9a21a5018286f298e54cd960e",
  ioSk: "301587fb4b4087bbc70c6fcea06a25069416462ef024b590fa3d1b375b0835f8",
  ioPk: "c24fe1d38cf8966b18029cf7b369c8e083a03d66e93b8b273962d67f97eb5a61",
  stateIkm: "d91034708e5d57d788c285ee8faf0ed71917fc54ea7d51d28ac05adc2b99acfe",
  callbackSecret: "36bbdb40f7a7123f440bc40865aa82920d1758d80b2e20a32dc9ce0c91d2c436",
  randomEncryptionKey: "8b6c7d452a7e5a81c59497b44e5c11d604dd7218db9adae6484a21da704918cc",
  initialRandomnessSeed: "57453d7406b5be2e4a30e64fd15fc322220039222caf425e9893572de5b752d6",
  adminProofSecret: "f51851a2e4ad6a4f6b131ac0806b3e396548417b369e7bd715b2e441c0994bbe",
  contractKeyProofSecret: "4656cbf1c02bc79f20d14f25f19c869e55a50ae065256e7cfccdb12b2aadfa4c",
  nodeRegPk: "ac01b2209e86354fb853237b5de0f4fab13c7fcbf433a61c019369617fecf10b",
};

describe("Keychain: spec §12 vectors (single seed 32×01)", () => {
  const kc = Keychain.fromSeeds([SEED]);
  test("all eight derived keys and both public keys", () => {
    assert.equal(kc.seedCount, 1);
    assert.equal(toHex(kc.seedExchangeSecretKey()), V.seedExchangeSk);
    assert.equal(toHex(kc.seedExchangePublicKey()), V.seedExchangePk);
    assert.equal(toHex(kc.ioExchangeSecretKey()), V.ioSk);
    assert.equal(toHex(kc.ioExchangePublicKey()), V.ioPk);
    assert.equal(toHex(kc.stateIkm(0)), V.stateIkm);
    assert.equal(toHex(kc.callbackSecret()), V.callbackSecret);
    assert.equal(toHex(kc.randomEncryptionKey()), V.randomEncryptionKey);
    assert.equal(toHex(kc.initialRandomnessSeed(0)), V.initialRandomnessSeed);
    assert.equal(toHex(kc.adminProofSecret(0)), V.adminProofSecret);
    assert.equal(toHex(kc.contractKeyProofSecret(0)), V.contractKeyProofSecret);
    const n = kc.networkPublicKeys(0);
    assert.equal(toHex(n.seedExchangePublicKey), V.seedExchangePk);
    assert.equal(toHex(n.ioExchangePublicKey), V.ioPk);
  });
  test("registration key 32×04 → spec §12 node pk", () => {
    const k = Keychain.fromSeeds([], new Uint8Array(32).fill(4));
    assert.equal(toHex(k.registrationPublicKey()), V.nodeRegPk);
    assert.equal(k.seedCount, 0);
  });
  test("accessors return copies: zeroing one does not harm the keychain", () => {
    kc.ioExchangeSecretKey().fill(0);
    kc.stateIkm(0).fill(0);
    assert.equal(toHex(kc.ioExchangeSecretKey()), V.ioSk);
    assert.equal(toHex(kc.stateIkm(0)), V.stateIkm);
  });
});

describe("Keychain: which seed for which key (spec §2.2, §3.6)", () => {
  const seeds = [1, 2, 3].map((b) => new Uint8Array(32).fill(b));
  const kc = Keychain.fromSeeds(seeds);
  const last = seeds[2]!;
  test("IO, seed-exchange, callback and random keys come from the LAST seed", () => {
    assert.deepEqual(kc.ioExchangeSecretKey(), deriveSeedKey(last, 2));
    assert.deepEqual(kc.ioExchangePublicKey(), x25519PublicKey(deriveSeedKey(last, 2)));
    assert.deepEqual(kc.seedExchangeSecretKey(), deriveSeedKey(last, 1));
    assert.deepEqual(kc.callbackSecret(), deriveSeedKey(last, 4));
    assert.deepEqual(kc.randomEncryptionKey(), deriveSeedKey(last, 5));
  });
  test("indexed keys come from the seed at that index", () => {
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(kc.stateIkm(i), deriveSeedKey(seeds[i]!, 3));
      assert.deepEqual(kc.initialRandomnessSeed(i), deriveSeedKey(seeds[i]!, 6));
      assert.deepEqual(kc.adminProofSecret(i), deriveSeedKey(seeds[i]!, 7));
      assert.deepEqual(kc.contractKeyProofSecret(i), deriveSeedKey(seeds[i]!, 8));
      assert.deepEqual(
        kc.networkPublicKeys(i).ioExchangePublicKey,
        x25519PublicKey(deriveSeedKey(seeds[i]!, 2)),
      );
    }
  });
  test("out-of-range and non-integer indices are refused", () => {
    for (const i of [-1, 3, 1.5, Number.NaN]) {
      assert.throws(
        () => kc.stateIkm(i),
        (e) => isEnclaveError(e, "InvalidInput"),
      );
    }
  });
  test("an empty keychain has no current keys", () => {
    const empty = Keychain.fromSeeds([]);
    assert.throws(
      () => empty.ioExchangeSecretKey(),
      (e) => isEnclaveError(e, "InternalError"),
    );
    assert.throws(
      () => empty.registrationPublicKey(),
      (e) => isEnclaveError(e, "InternalError"),
    );
  });
  test("at most four seeds; seeds must be 32 bytes", () => {
    const five = Array.from({ length: 5 }, () => new Uint8Array(32));
    assert.throws(
      () => Keychain.fromSeeds(five),
      (e) => isEnclaveError(e, "InvalidInput"),
    );
    const four = Keychain.fromSeeds(five.slice(0, MAX_SEEDS));
    assert.throws(
      () => {
        four.appendSeed(new Uint8Array(32));
      },
      (e) => isEnclaveError(e, "InvalidInput"),
    );
    assert.throws(() => Keychain.fromSeeds([new Uint8Array(31)]), /expected 32 bytes/);
  });
  test("the keychain keeps its own copy of the seeds it was given", () => {
    const s = new Uint8Array(32).fill(9);
    const k = Keychain.fromSeeds([s]);
    s.fill(0);
    assert.deepEqual(k.exportSeeds()[0], new Uint8Array(32).fill(9));
  });
});

describe("Keychain: bootstrap, registration key, rotation seed, destroy", () => {
  test("bootstrap draws two distinct random seeds and a registration key", () => {
    const a = Keychain.bootstrap();
    const b = Keychain.bootstrap();
    assert.equal(a.seedCount, 2);
    const [g, c] = a.exportSeeds();
    assert.notDeepEqual(g, c);
    assert.notDeepEqual(a.exportSeeds()[0], b.exportSeeds()[0]);
    assert.ok(a.hasRegistrationKey);
    assert.notDeepEqual(a.registrationPublicKey(), b.registrationPublicKey());
    assert.deepEqual(a.ioExchangePublicKey(), a.networkPublicKeys(1).ioExchangePublicKey);
  });
  test("generateRegistrationKey replaces the pair", () => {
    const k = Keychain.fromSeeds([], new Uint8Array(32).fill(4));
    const pk = k.generateRegistrationKey();
    assert.notEqual(toHex(pk), V.nodeRegPk);
    assert.deepEqual(pk, x25519PublicKey(k.registrationSecretKey()));
  });
  test("applyRotationSeed appends the pending seed and needs 2..3 seeds", () => {
    const one = Keychain.fromSeeds([SEED]);
    one.setRotationSeed(new Uint8Array(32).fill(7));
    assert.throws(
      () => {
        one.applyRotationSeed();
      },
      (e) => isEnclaveError(e, "InvalidInput"),
    );
    const two = Keychain.fromSeeds([SEED, new Uint8Array(32).fill(2)]);
    assert.throws(
      () => {
        two.applyRotationSeed();
      },
      (e) => isEnclaveError(e, "InternalError"),
    );
    two.setRotationSeed(new Uint8Array(32).fill(7));
    two.applyRotationSeed();
    assert.equal(two.seedCount, 3);
    assert.equal(two.hasRotationSeed, false);
    assert.deepEqual(two.ioExchangeSecretKey(), deriveSeedKey(new Uint8Array(32).fill(7), 2));
  });
  test("destroy makes every accessor throw", () => {
    const k = Keychain.fromSeeds([SEED], new Uint8Array(32).fill(4));
    k.destroy();
    assert.ok(k.destroyed);
    for (const f of [
      () => k.seedCount,
      () => k.ioExchangeSecretKey(),
      () => k.stateIkm(0),
      () => k.registrationSecretKey(),
      () => k.exportSeeds(),
    ]) {
      assert.throws(f, (e) => isEnclaveError(e, "InternalError"));
    }
    k.destroy(); // idempotent
  });
  test("X25519 caches (IO shared secrets) are cleared on init, rotation and destroy", () => {
    const peer = x25519PublicKey(new Uint8Array(32).fill(9));
    const useIoKey = (k: Keychain): void => {
      x25519SharedSecretCached(k.ioExchangeSecretKey(), peer);
      assert.ok(x25519CacheSizes().sharedSecrets > 0);
    };
    const k = Keychain.fromSeeds([SEED, new Uint8Array(32).fill(2)]);
    useIoKey(k);
    Keychain.fromSeeds([SEED]); // re-init
    assert.equal(x25519CacheSizes().sharedSecrets, 0);
    useIoKey(k);
    k.setRotationSeed(new Uint8Array(32).fill(7));
    k.applyRotationSeed();
    assert.equal(x25519CacheSizes().sharedSecrets, 0);
    useIoKey(k);
    k.destroy();
    assert.deepEqual(x25519CacheSizes(), { secretKeys: 0, sharedSecrets: 0 });
  });
});
