// Block randomness through the door (spec secret-protocol §9): the proposer generates, another node holding
// the same seeds verifies and decrypts; the proof is checked byte for byte against the spec formula; tampering
// with any input is refused with a code.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHmac, hkdfSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  devAuthorityPublicKey,
  encodeAttestationPolicy,
  ENCLAVE_ERROR_CODES,
  EnclaveCallError,
  type BlockRef,
} from "../../src/enclave/api.js";
// eslint-disable-next-line no-restricted-imports -- test-only: unseal to learn the seed the proof is keyed with
import { decodeSealedState, unseal } from "../../src/enclave/sealing.js";
import { startTestEnclave, type TestEnclave } from "./helpers.js";

// spec §1 KDF_SALT; §2.2 derive(seed, 6) = initial_randomness_seed
const KDF_SALT = Buffer.from("000000000000000000024bead8df69990852c202db0e0097c1a12ea637d7e96d", "hex");
const NOW_NS = 1_750_000_000_000_000_000n;

let a: TestEnclave;
let b: TestEnclave;
let fresh: TestEnclave;
before(async () => {
  [a, b, fresh] = await Promise.all([startTestEnclave(), startTestEnclave(), startTestEnclave()]);
  const master = a.host.initBootstrap();
  const policy = encodeAttestationPolicy({
    authorityPublicKeys: [devAuthorityPublicKey()],
    allowedMeasurements: [a.host.getMeasurement()],
    revokedPlatformIds: [],
    maxAgeNs: 3_600_000_000_000n,
    allowedTcbStatuses: ["UpToDate"],
  });
  const pk = b.host.generateRegistrationKey();
  const auth = a.host.authenticateNewNode(b.host.getRegistrationQuote(NOW_NS), policy, NOW_NS, pk);
  b.host.initNode(master.seedExchangePublicKey, auth.encryptedSeeds);
});
after(async () => {
  await Promise.all([a.close(), b.close(), fresh.close()]);
});

const block: BlockRef = {
  height: 12_345n,
  blockHash: new Uint8Array(32).fill(0xbb),
  validatorSetHash: new Uint8Array(32).fill(0xcc),
};

function codeOf(f: () => unknown): number {
  try {
    f();
  } catch (e) {
    if (e instanceof EnclaveCallError) return e.code;
    throw e;
  }
  return assert.fail("expected an EnclaveCallError");
}

test("the proposer's random verifies on another node and decrypts to the proven value", () => {
  const { encrypted, proof } = a.host.generateBlockRandom(block);
  assert.equal(encrypted.length, 48);
  assert.equal(proof.length, 32);
  const rand = b.host.verifyBlockRandom(block, encrypted, proof);
  assert.equal(rand.length, 32);
  assert.deepEqual(a.host.verifyBlockRandom(block, encrypted, proof), rand);

  // spec §9 byte for byte: proof = HMAC-SHA256(derive(last seed, 6), u64_be(height) ‖ rand ‖ block_hash)
  const secret = new Uint8Array(readFileSync(join(a.dir, "platform-secret")));
  const sealed = new Uint8Array(readFileSync(join(a.dir, "data", "enclave-state.sealed")));
  const seeds = decodeSealedState(unseal(secret, a.host.getMeasurement(), sealed)).seeds;
  const ikm = Buffer.concat([seeds[seeds.length - 1]!, Buffer.from([0, 0, 0, 6])]);
  const proofKey = Buffer.from(hkdfSync("sha256", ikm, KDF_SALT, "seed", 32));
  const height = Buffer.alloc(8);
  height.writeBigUInt64BE(block.height);
  const expected = createHmac("sha256", proofKey)
    .update(Buffer.concat([height, rand, block.blockHash]))
    .digest();
  assert.deepEqual(Buffer.from(proof), expected);

  const second = a.host.generateBlockRandom(block);
  assert.notDeepEqual(second.encrypted, encrypted, "each block draws a fresh value");
});

test("tampering with any input is refused with a code", () => {
  const { encrypted, proof } = a.host.generateBlockRandom(block);
  const flip = (x: Uint8Array): Uint8Array => Uint8Array.from(x, (v, i) => (i === 0 ? v ^ 1 : v));
  const decrypt = ENCLAVE_ERROR_CODES.DecryptionError.num;
  const verify = ENCLAVE_ERROR_CODES.FailedTxVerification.num;
  assert.equal(
    codeOf(() => b.host.verifyBlockRandom(block, flip(encrypted), proof)),
    decrypt,
  );
  assert.equal(
    codeOf(() =>
      b.host.verifyBlockRandom(
        { ...block, validatorSetHash: flip(block.validatorSetHash) },
        encrypted,
        proof,
      ),
    ),
    decrypt,
  );
  assert.equal(
    codeOf(() => b.host.verifyBlockRandom(block, encrypted, flip(proof))),
    verify,
  );
  assert.equal(
    codeOf(() => b.host.verifyBlockRandom({ ...block, height: 12_346n }, encrypted, proof)),
    verify,
  );
  assert.equal(
    codeOf(() => b.host.verifyBlockRandom({ ...block, blockHash: flip(block.blockHash) }, encrypted, proof)),
    verify,
  );
  assert.equal(
    codeOf(() => b.host.verifyBlockRandom(block, encrypted.subarray(1), proof)),
    ENCLAVE_ERROR_CODES.InvalidInput.num,
  );
});

test("an enclave without seeds refuses to generate or verify", () => {
  assert.equal(
    codeOf(() => fresh.host.generateBlockRandom(block)),
    ENCLAVE_ERROR_CODES.InvalidInput.num,
  );
});
