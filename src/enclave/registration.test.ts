// Registration: the spec §12 seed-exchange vectors, bootstrap → authenticate → initNode round trip, the
// one-length-byte format of §3.5, replay refusal, and seed rotation between attested enclaves (§3.6).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { fromHex, InvalidInputError, toHex } from "../util/bytes.js";
import { aesSivDecrypt } from "./crypto/aesSiv.js";
import { x25519PublicKey, x25519SharedSecret } from "./crypto/x25519.js";
import { EnclaveError, isEnclaveError } from "./errors.js";
import { decodeSealedState } from "./sealing.js";
import { decodePolicyBinary, decodePolicyJson } from "./attestation/policy.js";
import { Keychain } from "./keychain.js";
import { devAuthorityPublicKey, devPlatformIdentity } from "./attestation/quote.js";
import type { AttestationPolicy } from "./attestation/policy.js";
import { AttestationError } from "./attestation/verifier.js";
import {
  applyRotationSeed,
  authenticateNewNode,
  createMigrationQuote,
  createRegistrationQuote,
  deriveMigrationSecretKey,
  encryptGenesisSeedForNode,
  encryptSeedsForNode,
  exportRotationSeed,
  generateRotationSeed,
  importRotationSeed,
  initBootstrap,
  initNode,
  sizeEncryptedSeeds,
} from "./registration.js";

// spec secret-protocol §12 (seed 32×01, node registration sk 32×04), copied from the spec's vector table.
const SEED = new Uint8Array(32).fill(1);
const NODE_SK = new Uint8Array(32).fill(4);
const NODE_PK = "ac01b2209e86354fb853237b5de0f4fab13c7fcbf433a61c019369617fecf10b";
const SEED_EXCHANGE_PK = "ef0b983ca4d07b02784f512c56123248ed1120c9a21a5018286f298e54cd960e";
const SIV_KEY = "dc995360e40e3829e1a4ae807098b5563b47094979b4dd1c9b20ba72e5cea313";
const ENCRYPTED_SEED =
  "3d50b955c8bdc0b68416c9a00b2f8dcac423f1c2738305a5ab5acd26f187c9cb2deba0a8a0319a316d7cf0865722ddcf";

const SEC = 1_000_000_000n;
const NOW = 1_750_000_000n * SEC;
const M = new Uint8Array(32).fill(0x4d);
const POLICY: AttestationPolicy = {
  authorityPublicKeys: [devAuthorityPublicKey()],
  allowedMeasurements: [M],
  revokedPlatformIds: [],
  maxAgeNs: 600n * SEC,
  allowedTcbStatuses: [],
};

describe("seed exchange: spec §12 vectors", () => {
  const master = Keychain.fromSeeds([SEED]);
  test("encrypted seed for node pk (32×04) is byte-exact, and deterministic", () => {
    const nodePk = x25519PublicKey(NODE_SK);
    assert.equal(toHex(nodePk), NODE_PK);
    assert.equal(toHex(x25519SharedSecret(master.seedExchangeSecretKey(), nodePk)), SIV_KEY);
    assert.equal(toHex(encryptSeedsForNode(master, nodePk)), ENCRYPTED_SEED);
    assert.deepEqual(encryptSeedsForNode(master, nodePk), encryptSeedsForNode(master, nodePk));
  });
  test("initNode from the vector: length byte 0x30, seed recovered, same network keys", () => {
    const node = Keychain.fromSeeds([], NODE_SK);
    const blob = sizeEncryptedSeeds(fromHex(ENCRYPTED_SEED));
    assert.equal(blob[0], 0x30);
    const keys = initNode(node, fromHex(SEED_EXCHANGE_PK), blob);
    assert.deepEqual(node.exportSeeds(), [SEED]);
    assert.equal(toHex(keys.seedExchangePublicKey), SEED_EXCHANGE_PK);
    assert.deepEqual(keys.ioExchangePublicKey, master.ioExchangePublicKey());
  });
  test("the new node decrypts with K = X25519(reg sk, master pk), AD = [own pk]", () => {
    const k = x25519SharedSecret(NODE_SK, fromHex(SEED_EXCHANGE_PK));
    assert.equal(toHex(k), SIV_KEY);
    assert.deepEqual(aesSivDecrypt(k, fromHex(ENCRYPTED_SEED), [fromHex(NODE_PK)]), SEED);
  });
});

describe("legacy genesis-seed exchange (spec §3.3 ecall_get_genesis_seed)", () => {
  test("with one seed it equals the §12 vector; with two it still uses seed[0] and its own key", () => {
    assert.equal(
      toHex(encryptGenesisSeedForNode(Keychain.fromSeeds([SEED]), fromHex(NODE_PK))),
      ENCRYPTED_SEED,
    );
    const two = Keychain.fromSeeds([SEED, new Uint8Array(32).fill(2)]);
    assert.equal(toHex(encryptGenesisSeedForNode(two, fromHex(NODE_PK))), ENCRYPTED_SEED);
    assert.notEqual(toHex(encryptSeedsForNode(two, fromHex(NODE_PK)).subarray(0, 48)), ENCRYPTED_SEED);
  });
});

describe("initNode input rules (spec §3.5)", () => {
  const master = Keychain.fromSeeds([SEED, new Uint8Array(32).fill(2)]);
  const enc = encryptSeedsForNode(master, fromHex(NODE_PK));
  const fresh = (): Keychain => Keychain.fromSeeds([], NODE_SK);
  test("two seeds: 97 bytes, length byte 0x60", () => {
    const blob = sizeEncryptedSeeds(enc);
    assert.equal(blob.length, 97);
    assert.equal(blob[0], 0x60);
    const node = fresh();
    initNode(node, master.seedExchangePublicKey(), blob);
    assert.deepEqual(node.exportSeeds(), master.exportSeeds());
  });
  test("refuses len % 48 != 1, a wrong length byte, a node that already has seeds", () => {
    const mp = master.seedExchangePublicKey();
    const inv = (e: unknown) => isEnclaveError(e, "InvalidInput");
    assert.throws(() => initNode(fresh(), mp, enc), inv); // no length byte (the "% 48 == 0" quirk branch)
    assert.throws(() => initNode(fresh(), mp, sizeEncryptedSeeds(enc).subarray(0, 96)), inv);
    assert.throws(() => initNode(fresh(), mp, Uint8Array.of(0x61, ...enc)), inv);
    assert.throws(() => initNode(fresh(), mp, Uint8Array.of(1)), inv);
    assert.throws(() => initNode(master, mp, sizeEncryptedSeeds(enc)), inv);
  });
  test("a tampered chunk, a wrong master key or a wrong node fails to decrypt", () => {
    const mp = master.seedExchangePublicKey();
    const bad = sizeEncryptedSeeds(enc);
    bad[60]! ^= 1;
    const dec = (e: unknown) => isEnclaveError(e, "DecryptionError");
    assert.throws(() => initNode(fresh(), mp, bad), dec);
    assert.throws(() => initNode(fresh(), master.ioExchangePublicKey(), sizeEncryptedSeeds(enc)), dec);
    const other = Keychain.fromSeeds([], new Uint8Array(32).fill(5));
    assert.throws(() => initNode(other, mp, sizeEncryptedSeeds(enc)), dec);
    const untouched = fresh();
    assert.throws(() => initNode(untouched, mp, bad), dec);
    assert.equal(untouched.seedCount, 0);
  });
});

describe("bootstrap → authenticate → initNode", () => {
  const boot = initBootstrap();
  const joinPs = new Uint8Array(32).fill(0x20);
  test("the joined node reports exactly the bootstrap node's keys", () => {
    assert.equal(boot.keychain.seedCount, 2);
    assert.deepEqual(boot.seedExchangePublicKey, boot.keychain.seedExchangePublicKey());
    const joiner = Keychain.fromSeeds([]);
    joiner.generateRegistrationKey();
    const operator = new Uint8Array(32).fill(0xee);
    const quote = createRegistrationQuote(joiner, devPlatformIdentity(joinPs), M, NOW, operator);
    const auth = authenticateNewNode(boot.keychain, quote, POLICY, NOW + SEC, {
      expectedNodePublicKey: joiner.registrationPublicKey(),
    });
    assert.deepEqual(auth.nodePublicKey, joiner.registrationPublicKey());
    assert.deepEqual(auth.attestation.reportData.subarray(32), operator);
    assert.equal(auth.encryptedSeeds.length, 96);
    const keys = initNode(joiner, boot.seedExchangePublicKey, sizeEncryptedSeeds(auth.encryptedSeeds));
    assert.deepEqual(keys.seedExchangePublicKey, boot.seedExchangePublicKey);
    assert.deepEqual(keys.ioExchangePublicKey, boot.ioExchangePublicKey);
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(joiner.stateIkm(i), boot.keychain.stateIkm(i));
      assert.deepEqual(joiner.contractKeyProofSecret(i), boot.keychain.contractKeyProofSecret(i));
    }
    assert.deepEqual(joiner.callbackSecret(), boot.keychain.callbackSecret());
    assert.deepEqual(joiner.randomEncryptionKey(), boot.keychain.randomEncryptionKey());
  });
  test("a quote replayed for a different registration key is refused", () => {
    const victim = Keychain.fromSeeds([]);
    victim.generateRegistrationKey();
    const quote = createRegistrationQuote(victim, devPlatformIdentity(joinPs), M, NOW);
    const attacker = Keychain.fromSeeds([]);
    attacker.generateRegistrationKey();
    assert.throws(
      () =>
        authenticateNewNode(boot.keychain, quote, POLICY, NOW, {
          expectedNodePublicKey: attacker.registrationPublicKey(),
        }),
      (e) => e instanceof AttestationError && e.reason === "report_data_mismatch",
    );
    // Without the expected key the seeds still go to the quoted key only: the attacker cannot open them.
    const auth = authenticateNewNode(boot.keychain, quote, POLICY, NOW);
    assert.throws(
      () => initNode(attacker, boot.seedExchangePublicKey, sizeEncryptedSeeds(auth.encryptedSeeds)),
      (e) => isEnclaveError(e, "DecryptionError"),
    );
  });
  test("a quote that fails verification yields no seeds", () => {
    const n = Keychain.fromSeeds([]);
    n.generateRegistrationKey();
    const quote = createRegistrationQuote(n, devPlatformIdentity(joinPs), new Uint8Array(32), NOW);
    assert.throws(() => authenticateNewNode(boot.keychain, quote, POLICY, NOW), AttestationError);
  });
});

describe("seed rotation without a hard fork (spec §3.6)", () => {
  const psA = new Uint8Array(32).fill(0xa1);
  const psB = new Uint8Array(32).fill(0xb2);
  const idA = devPlatformIdentity(psA);
  const idB = devPlatformIdentity(psB);
  const migA = deriveMigrationSecretKey(psA, M);
  const migB = deriveMigrationSecretKey(psB, M);

  function twoNodes(): { a: Keychain; b: Keychain } {
    const a = initBootstrap().keychain;
    const b = Keychain.fromSeeds(a.exportSeeds());
    return { a, b };
  }

  test("generate in A, export to attested B, import, apply on both: same new keys, old keys kept", () => {
    const { a, b } = twoNodes();
    const oldIo = a.ioExchangePublicKey();
    const oldIkm = [a.stateIkm(0), a.stateIkm(1)];
    const oldProof = a.contractKeyProofSecret(1);
    generateRotationSeed(a);
    const exported = exportRotationSeed(a, migA, createMigrationQuote(idB, M, migB, NOW), POLICY, NOW);
    importRotationSeed(b, migB, createMigrationQuote(idA, M, migA, NOW), exported, POLICY, NOW);
    const ka = applyRotationSeed(a);
    const kb = applyRotationSeed(b);
    assert.deepEqual(ka, kb);
    assert.equal(a.seedCount, 3);
    assert.notDeepEqual(a.ioExchangePublicKey(), oldIo);
    assert.deepEqual(a.ioExchangePublicKey(), b.ioExchangePublicKey());
    assert.deepEqual(a.networkPublicKeys(1).ioExchangePublicKey, oldIo);
    assert.deepEqual([a.stateIkm(0), a.stateIkm(1)], oldIkm);
    assert.deepEqual([b.stateIkm(0), b.stateIkm(1)], oldIkm);
    assert.deepEqual(a.contractKeyProofSecret(1), oldProof);
    assert.deepEqual(a.stateIkm(2), b.stateIkm(2));
  });
  test("export refuses an unattested peer or a registration quote posing as a migration quote", () => {
    const { a, b } = twoNodes();
    generateRotationSeed(a);
    const wrongBuild = createMigrationQuote(idB, new Uint8Array(32), migB, NOW);
    assert.throws(() => exportRotationSeed(a, migA, wrongBuild, POLICY, NOW), AttestationError);
    b.generateRegistrationKey();
    const regQuote = createRegistrationQuote(b, idB, M, NOW);
    assert.throws(
      () => exportRotationSeed(a, migA, regQuote, POLICY, NOW),
      (e) => e instanceof AttestationError && e.reason === "report_data_mismatch",
    );
  });
  test("import refuses an export from another key and a tampered export", () => {
    const { a, b } = twoNodes();
    generateRotationSeed(a);
    const exported = exportRotationSeed(a, migA, createMigrationQuote(idB, M, migB, NOW), POLICY, NOW);
    const psC = new Uint8Array(32).fill(0xc3);
    const quoteC = createMigrationQuote(devPlatformIdentity(psC), M, deriveMigrationSecretKey(psC, M), NOW);
    assert.throws(() => {
      importRotationSeed(b, migB, quoteC, exported, POLICY, NOW);
    }, AttestationError);
    const t = Uint8Array.from(exported);
    t[40]! ^= 1;
    const quoteA = createMigrationQuote(idA, M, migA, NOW);
    assert.throws(
      () => {
        importRotationSeed(b, migB, quoteA, t, POLICY, NOW);
      },
      (e) => isEnclaveError(e, "DecryptionError"),
    );
    assert.equal(b.hasRotationSeed, false);
  });
  test("generate needs 2..3 seeds and no pending seed", () => {
    assert.throws(
      () => {
        generateRotationSeed(Keychain.fromSeeds([SEED]));
      },
      (e) => isEnclaveError(e, "InvalidInput"),
    );
    const { a } = twoNodes();
    generateRotationSeed(a);
    assert.throws(
      () => {
        generateRotationSeed(a);
      },
      (e) => isEnclaveError(e, "InvalidInput"),
    );
  });
});

describe("hostile input never escapes as an uncoded error (seeded fuzz)", () => {
  const coded = (e: unknown): boolean => e instanceof EnclaveError || e instanceof InvalidInputError;
  const master = Keychain.fromSeeds([SEED, new Uint8Array(32).fill(2)]);
  const valid = sizeEncryptedSeeds(encryptSeedsForNode(master, fromHex(NODE_PK)));
  const anyBytes = fc.oneof(
    fc.uint8Array({ maxLength: 400 }),
    fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
      const t = Uint8Array.from(valid);
      t[i]! ^= x;
      return t;
    }),
  );
  test("initNode, authenticateNewNode, importRotationSeed and the sealed-state/policy decoders", () => {
    // Failed calls leave these untouched (checked below), so one instance serves every run.
    const joiner = Keychain.fromSeeds([], NODE_SK);
    const peer = Keychain.fromSeeds([SEED, SEED]);
    fc.assert(
      fc.property(anyBytes, (junk) => {
        const calls: (() => unknown)[] = [
          () => initNode(joiner, master.seedExchangePublicKey(), junk),
          () => authenticateNewNode(master, junk, POLICY, NOW),
          () => {
            importRotationSeed(peer, NODE_SK, junk, junk, POLICY, NOW);
          },
          () => decodeSealedState(junk),
          () => decodePolicyBinary(junk),
          () => decodePolicyJson(Buffer.from(junk).toString("latin1")),
        ];
        for (const call of calls) {
          try {
            call();
          } catch (e) {
            assert.ok(coded(e), `uncoded ${String(e)}`);
          }
        }
      }),
      { seed: 42, numRuns: 300 },
    );
    assert.equal(joiner.seedCount, 0);
    assert.equal(peer.hasRotationSeed, false);
  });
});
