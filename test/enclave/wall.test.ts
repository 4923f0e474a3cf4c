// The wall holds: record every byte that crosses the ECALL/OCALL channel of two enclaves through a full
// bootstrap → register → initNode → rotation → restart flow, then prove that no seed, no derived private key,
// no registration/migration/attestation/sealing key and no platform secret crossed, raw, hex or base64.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { hkdfSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  devAuthorityPublicKey,
  encodeAttestationPolicy,
  EnclaveHost,
  type ChannelTap,
} from "../../src/enclave/api.js";
// The wall test must know the secrets to look for them: it unseals the enclaves' state with the platform
// secrets it owns (as the machine owner could) instead of adding any secret-export path to the enclave.
// eslint-disable-next-line no-restricted-imports -- test-only: reads sealed state to learn the secrets
import { decodeSealedState, deriveSealingKey, unseal } from "../../src/enclave/sealing.js";
// eslint-disable-next-line no-restricted-imports -- test-only: the migration key is derived, never stored
import { deriveMigrationSecretKey } from "../../src/enclave/registration.js";
// eslint-disable-next-line no-restricted-imports -- test-only: the attestation key is derived, never stored
import { deriveAttestationSecretKey } from "../../src/enclave/attestation/quote.js";
import { startTestEnclave, type TestEnclave } from "./helpers.js";

// spec secret-protocol §1 (KDF_SALT) and §2.2: derive(seed, n) = HKDF(salt, seed ‖ u32be(n), info "seed").
const KDF_SALT = Buffer.from("000000000000000000024bead8df69990852c202db0e0097c1a12ea637d7e96d", "hex");
function derive(seed: Uint8Array, n: number): Uint8Array {
  const ikm = Buffer.concat([seed, Buffer.from([0, 0, 0, n])]);
  return new Uint8Array(hkdfSync("sha256", ikm, KDF_SALT, "seed", 32));
}

const NOW_NS = 1_750_000_000_000_000_000n;
const frames: Buffer[] = [];
const tap: ChannelTap = (_direction, kind, body) => {
  frames.push(Buffer.concat([Buffer.of(kind), body]));
};

let a: TestEnclave;
let b: TestEnclave;
before(async () => {
  a = await startTestEnclave({ debugEcalls: false, channelTap: tap });
  b = await startTestEnclave({ debugEcalls: false, channelTap: tap });
});
after(async () => {
  await a.close();
  await b.close();
});

function policyFor(measurement: Uint8Array): Uint8Array {
  return encodeAttestationPolicy({
    authorityPublicKeys: [devAuthorityPublicKey()],
    allowedMeasurements: [measurement],
    revokedPlatformIds: [],
    maxAgeNs: 3_600_000_000_000n,
    allowedTcbStatuses: ["UpToDate"],
  });
}

/** Every secret an enclave holds, computed from its sealed state and platform secret. */
function secretsOf(t: TestEnclave, measurement: Uint8Array): Map<string, Uint8Array> {
  const platformSecret = new Uint8Array(readFileSync(join(t.dir, "platform-secret")));
  const sealed = new Uint8Array(readFileSync(join(t.dir, "data", "enclave-state.sealed")));
  const state = decodeSealedState(unseal(platformSecret, measurement, sealed));
  const out = new Map<string, Uint8Array>([
    ["platform secret", platformSecret],
    ["sealing key", deriveSealingKey(platformSecret, measurement)],
    ["migration secret key", deriveMigrationSecretKey(platformSecret, measurement)],
    ["attestation secret key", deriveAttestationSecretKey(platformSecret)],
  ]);
  if (state.registrationSecretKey) out.set("registration secret key", state.registrationSecretKey);
  state.seeds.forEach((seed, i) => {
    out.set(`seed ${i}`, seed);
    for (let n = 1; n <= 8; n++) out.set(`derive(seed ${i}, ${n})`, derive(seed, n));
  });
  return out;
}

function encodings(secret: Uint8Array): Buffer[] {
  const raw = Buffer.from(secret);
  return [
    raw,
    Buffer.from(raw.toString("hex")),
    Buffer.from(raw.toString("hex").toUpperCase()),
    Buffer.from(raw.toString("base64")),
  ];
}

test("no secret crosses the channel during bootstrap, registration, initNode, rotation and restart", async () => {
  // bootstrap A
  const master = a.host.initBootstrap();
  const measurement = a.host.getMeasurement();
  assert.deepEqual(b.host.getMeasurement(), measurement);
  const policy = policyFor(measurement);

  // register B with A and load its seeds
  const nodePk = b.host.generateRegistrationKey();
  const quote = b.host.getRegistrationQuote(NOW_NS);
  const auth = a.host.authenticateNewNode(quote, policy, NOW_NS, nodePk);
  assert.deepEqual(auth.nodePublicKey, nodePk);
  assert.equal(auth.encryptedSeeds.length, 96);
  const joined = b.host.initNode(master.seedExchangePublicKey, auth.encryptedSeeds);
  assert.deepEqual(joined, master);
  assert.deepEqual(b.host.getNetworkPubkeys(0), a.host.getNetworkPubkeys(0));

  // rotate: A generates, exports to B, both apply
  a.host.rotationGenerate();
  const exported = a.host.rotationExport(b.host.getMigrationQuote(NOW_NS), policy, NOW_NS);
  b.host.rotationImport(a.host.getMigrationQuote(NOW_NS), exported, policy, NOW_NS);
  const rotatedA = a.host.rotationApply();
  assert.deepEqual(b.host.rotationApply(), rotatedA);
  assert.notDeepEqual(rotatedA, master);

  // restart A from its sealed state: same seeds, same keys
  await a.host.stop();
  const again = await EnclaveHost.start({
    dataDir: join(a.dir, "data"),
    platformSecretPath: join(a.dir, "platform-secret"),
    channelTap: tap,
  });
  assert.equal(again.health().seedCount, 3);
  assert.deepEqual(again.getNetworkPubkeys(2), rotatedA);
  await again.stop();

  // what the recording must contain (the recorder works) and must not contain (the wall holds)
  const wire = Buffer.concat(frames);
  assert.ok(frames.length >= 30, `only ${frames.length} frames recorded`);
  for (const pub of [
    master.ioExchangePublicKey,
    rotatedA.seedExchangePublicKey,
    nodePk,
    auth.encryptedSeeds,
  ]) {
    assert.ok(wire.includes(Buffer.from(pub)), "a public value that must cross was not recorded");
  }
  const secrets = new Map([
    ...secretsOf(a, measurement),
    ...[...secretsOf(b, measurement)].map(([k, v]) => [`B ${k}`, v] as const),
  ]);
  assert.ok(secrets.size >= 2 * (4 + 1 + 3 * 9), `only ${secrets.size} secrets computed`);
  assert.deepEqual(leaks(wire, secrets), []);
});

function leaks(wire: Buffer, secrets: ReadonlyMap<string, Uint8Array>): string[] {
  return [...secrets]
    .filter(([, s]) => encodings(s).some((form) => wire.includes(form)))
    .map(([name]) => name);
}

test("the leak check itself catches a secret in any of its encodings", () => {
  const secret = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);
  const secrets = new Map([["s", secret]]);
  for (const form of encodings(secret)) {
    assert.deepEqual(leaks(Buffer.concat([Buffer.from("prefix"), form, Buffer.from("suffix")]), secrets), [
      "s",
    ]);
  }
  assert.deepEqual(leaks(Buffer.from(secret.subarray(1)), secrets), []);
});
