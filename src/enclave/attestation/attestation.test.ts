// Attestation: software quotes end to end with one refusal per attack, the policy encodings, and the DCAP
// verifier against a real public SGX quote + collateral (testdata/README.md has its provenance).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { fromHex } from "../../util/bytes.js";
import { ed25519PublicKey } from "../crypto/ed25519.js";
import { platformIdOf } from "../sealing.js";
import { DcapAttestationVerifier, decodeDcapEvidence, encodeDcapEvidence } from "./dcapVerifier.js";
import {
  decodePolicyBinary,
  decodePolicyJson,
  encodePolicyBinary,
  encodePolicyJson,
  type AttestationPolicy,
} from "./policy.js";
import {
  buildReportData,
  certifyPlatform,
  createSoftwareQuote,
  deriveAttestationSecretKey,
  devAuthorityPublicKey,
  devPlatformIdentity,
  platformIdentity,
  QUOTE_BODY_SIZE,
  SOFTWARE_QUOTE_SIZE,
} from "./quote.js";
import { SoftwareAttestationVerifier } from "./softwareVerifier.js";
import { AttestationError, verifyAttestation, type AttestationRejectReason } from "./verifier.js";

const SEC = 1_000_000_000n;
const NOW = 1_700_000_000n * SEC;
const PS = new Uint8Array(32).fill(0x31);
const M = new Uint8Array(32).fill(0x4d);
const REG_PK = new Uint8Array(32).fill(0x77);
const software = new SoftwareAttestationVerifier();
const dcap = new DcapAttestationVerifier();

function policy(over: Partial<AttestationPolicy> = {}): AttestationPolicy {
  return {
    authorityPublicKeys: [devAuthorityPublicKey()],
    allowedMeasurements: [M],
    revokedPlatformIds: [],
    maxAgeNs: 3600n * SEC,
    allowedTcbStatuses: ["UpToDate"],
    ...over,
  };
}

function rejects(f: () => unknown, reason: AttestationRejectReason, why?: RegExp): void {
  assert.throws(
    f,
    (e) =>
      e instanceof AttestationError &&
      e.reason === reason &&
      e.code === "ValidationFailure" &&
      (why === undefined || why.test(e.message)),
  );
}

const identity = devPlatformIdentity(PS);
const quote = createSoftwareQuote(identity, M, buildReportData(REG_PK), NOW);

describe("software quotes", () => {
  test("a fresh quote verifies and reports what it signed", () => {
    assert.equal(quote.length, SOFTWARE_QUOTE_SIZE);
    const v = verifyAttestation(quote, policy(), NOW + 5n * SEC, [software, dcap]);
    assert.equal(v.kind, "software");
    assert.deepEqual(v.measurement, M);
    assert.deepEqual(v.reportData, buildReportData(REG_PK));
    assert.deepEqual(v.platformId, platformIdOf(PS));
    assert.equal(v.issuedAtNs, NOW);
  });
  test("verification is deterministic", () => {
    const a = software.verify(quote, policy(), NOW);
    assert.deepEqual(software.verify(quote, policy(), NOW), a);
  });
  test("forged quote signature (signed by a key the certificate does not name)", () => {
    const rogueSk = new Uint8Array(32).fill(0x99);
    const rogue = { ...identity, attestationSecretKey: rogueSk };
    rejects(
      () => software.verify(createSoftwareQuote(rogue, M, buildReportData(REG_PK), NOW), policy(), NOW),
      "bad_quote_signature",
    );
  });
  test("forged certificate (self-issued by an authority outside the policy)", () => {
    const rogueAuthority = new Uint8Array(32).fill(0x98);
    const cert = certifyPlatform(
      rogueAuthority,
      platformIdOf(PS),
      ed25519PublicKey(deriveAttestationSecretKey(PS)),
    );
    const q = createSoftwareQuote(platformIdentity(PS, cert), M, buildReportData(REG_PK), NOW);
    rejects(() => software.verify(q, policy(), NOW), "unknown_authority");
    assert.ok(software.verify(q, policy({ authorityPublicKeys: [ed25519PublicKey(rogueAuthority)] }), NOW));
  });
  test("certificate with a tampered signature", () => {
    const t = Uint8Array.from(quote);
    t[QUOTE_BODY_SIZE + 145 - 1]! ^= 1; // last byte of the certificate signature
    rejects(() => software.verify(t, policy(), NOW), "bad_certificate_signature");
  });
  test("tampered report_data (every byte) and tampered measurement/time", () => {
    for (let i = 38; i < 38 + 64; i++) {
      const t = Uint8Array.from(quote);
      t[i]! ^= 0x01;
      rejects(() => software.verify(t, policy(), NOW), "bad_quote_signature");
    }
    const t = Uint8Array.from(quote);
    t[QUOTE_BODY_SIZE - 1]! ^= 1; // issued_at
    rejects(() => software.verify(t, policy(), NOW), "bad_quote_signature");
  });
  test("wrong measurement", () => {
    const other = createSoftwareQuote(identity, new Uint8Array(32).fill(1), buildReportData(REG_PK), NOW);
    rejects(() => software.verify(other, policy(), NOW), "measurement_not_allowed");
  });
  test("revoked platform", () => {
    rejects(
      () => software.verify(quote, policy({ revokedPlatformIds: [platformIdOf(PS)] }), NOW),
      "platform_revoked",
    );
  });
  test("expired, and dated too far in the future", () => {
    rejects(() => software.verify(quote, policy(), NOW + 3601n * SEC), "expired");
    assert.ok(software.verify(quote, policy(), NOW + 3600n * SEC));
    rejects(() => software.verify(quote, policy(), NOW - 61n * SEC), "issued_in_future");
    assert.ok(software.verify(quote, policy(), NOW - 60n * SEC));
  });
  test("malformed input: wrong size, magic, version; unknown formats", () => {
    rejects(() => software.verify(quote.subarray(1), policy(), NOW), "malformed");
    const v = Uint8Array.from(quote);
    v[5] = 2;
    rejects(() => software.verify(v, policy(), NOW), "malformed");
    rejects(
      () => verifyAttestation(new Uint8Array(10), policy(), NOW, [software, dcap]),
      "unsupported_format",
    );
  });
  test("random bytes never verify (seeded fuzz)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.nat(SOFTWARE_QUOTE_SIZE - 1), (junk, at) => {
        const mutated = Uint8Array.from(quote);
        mutated[at] = mutated[at]! ^ (junk[0] ?? 1 | 1);
        for (const e of [junk, mutated]) {
          assert.throws(() => verifyAttestation(e, policy(), NOW, [software, dcap]), AttestationError);
        }
      }),
      { seed: 42, numRuns: 100 },
    );
  });
  test("a certificate for another platform is refused when building an identity", () => {
    const cert = identity.certificate;
    assert.throws(() => platformIdentity(new Uint8Array(32).fill(0x32), cert), AttestationError);
  });
});

describe("policy encodings", () => {
  const p = policy({
    authorityPublicKeys: [new Uint8Array(32).fill(9), devAuthorityPublicKey()],
    allowedMeasurements: [new Uint8Array(32).fill(2), M],
    revokedPlatformIds: [new Uint8Array(16).fill(3), new Uint8Array(16).fill(1)],
    allowedTcbStatuses: ["UpToDate", "SWHardeningNeeded"],
  });
  test("JSON and binary round trip to the same canonical policy; encodings are order-independent", () => {
    const json = encodePolicyJson(p);
    const bin = encodePolicyBinary(p);
    assert.deepEqual(decodePolicyJson(json), decodePolicyBinary(bin));
    const reordered = { ...p, allowedMeasurements: [...p.allowedMeasurements].reverse() };
    assert.equal(encodePolicyJson(reordered), json);
    assert.deepEqual(encodePolicyBinary(reordered), bin);
    assert.match(json, /^\{"authority_public_keys":\[/);
    assert.match(json, /"max_age_ns":"3600000000000"/);
  });
  test("strict decoding", () => {
    const bin = encodePolicyBinary(p);
    assert.throws(() => decodePolicyBinary(bin.subarray(0, bin.length - 1)), /truncated/);
    assert.throws(() => decodePolicyBinary(Uint8Array.of(...bin, 0)), /trailing/);
    const unsorted = Uint8Array.from(bin);
    const a = unsorted.slice(3, 35);
    unsorted.set(unsorted.slice(35, 67), 3);
    unsorted.set(a, 35);
    assert.throws(() => decodePolicyBinary(unsorted), /canonical/);
    const j = JSON.parse(encodePolicyJson(p)) as Record<string, unknown>;
    assert.throws(() => decodePolicyJson(JSON.stringify({ ...j, extra: 1 })), /keys must be exactly/);
    assert.throws(() => decodePolicyJson(JSON.stringify({ ...j, max_age_ns: 5 })), /max_age_ns/);
    assert.throws(() => decodePolicyJson(JSON.stringify({ ...j, allowed_tcb_statuses: ["Bogus"] })), /TCB/);
    assert.throws(
      () => decodePolicyJson(JSON.stringify({ ...j, allowed_measurements: ["AB"] })),
      /lowercase/,
    );
    assert.throws(() => encodePolicyJson({ ...p, allowedMeasurements: [M, M] }), /duplicate/);
    assert.throws(() => encodePolicyJson({ ...p, maxAgeNs: 0n }), /positive/);
  });
});

// Real SGX DCAP quote and Intel collateral; see testdata/README.md for where they came from.
const SGX_QUOTE = new Uint8Array(readFileSync(new URL("./testdata/sgx_quote.bin", import.meta.url)));
const SGX_COLLATERAL = readFileSync(new URL("./testdata/sgx_quote_collateral.json", import.meta.url), "utf8");
const SGX_MRENCLAVE = fromHex("33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb");
const SGX_STATUS = "ConfigurationAndSWHardeningNeeded";
const atIso = (iso: string): bigint => BigInt(Date.parse(iso)) * 1_000_000n;
const IN_WINDOW = atIso("2025-07-01T00:00:00Z");

function dcapPolicy(over: Partial<AttestationPolicy> = {}): AttestationPolicy {
  return policy({
    allowedMeasurements: [SGX_MRENCLAVE],
    allowedTcbStatuses: [SGX_STATUS],
    maxAgeNs: 30n * 86400n * SEC,
    ...over,
  });
}

describe("DCAP verifier (real public SGX quote)", () => {
  const evidence = encodeDcapEvidence(SGX_QUOTE, SGX_COLLATERAL);
  test("verifies: MRENCLAVE, report_data, TCB status", () => {
    const v = verifyAttestation(evidence, dcapPolicy(), IN_WINDOW, [software, dcap]);
    assert.equal(v.kind, "dcap");
    assert.deepEqual(v.measurement, SGX_MRENCLAVE);
    assert.equal(Buffer.from(v.reportData.subarray(0, 13)).toString(), "Hello, world!");
    assert.equal(v.tcbStatus, SGX_STATUS);
    assert.equal(v.issuedAtNs, atIso("2025-06-19T10:01:18Z"));
  });
  test("MRENCLAVE not in the allow-list", () => {
    rejects(
      () => dcap.verify(evidence, dcapPolicy({ allowedMeasurements: [M] }), IN_WINDOW),
      "measurement_not_allowed",
    );
  });
  test("TCB status not allowed", () => {
    rejects(
      () => dcap.verify(evidence, dcapPolicy({ allowedTcbStatuses: ["UpToDate"] }), IN_WINDOW),
      "tcb_status_not_allowed",
    );
  });
  test("tampered report_data breaks the ECDSA quote signature", () => {
    const q = Uint8Array.from(SGX_QUOTE);
    q[48 + 320]! ^= 1; // report_data[0] (spec §3.2: quote bytes 48+320)
    rejects(
      () => dcap.verify(encodeDcapEvidence(q, SGX_COLLATERAL), dcapPolicy(), IN_WINDOW),
      "dcap_verification_failed",
      /signature is invalid/i,
    );
  });
  test("tampered MRENCLAVE breaks the signature too", () => {
    const q = Uint8Array.from(SGX_QUOTE);
    q[48 + 64]! ^= 1; // mr_enclave[0]
    rejects(
      () => dcap.verify(encodeDcapEvidence(q, SGX_COLLATERAL), dcapPolicy(), IN_WINDOW),
      "dcap_verification_failed",
      /signature is invalid/i,
    );
  });
  test("collateral not yet valid / expired by Intel's dates, and older than the policy's max age", () => {
    rejects(
      () => dcap.verify(evidence, dcapPolicy(), atIso("2025-06-01T00:00:00Z")),
      "issued_in_future",
      /future/,
    );
    rejects(() => dcap.verify(evidence, dcapPolicy(), atIso("2025-08-01T00:00:00Z")), "expired", /expired/);
    rejects(() => dcap.verify(evidence, dcapPolicy({ maxAgeNs: 86400n * SEC }), IN_WINDOW), "expired");
  });
  test("tampered collateral (TCB info) is refused", () => {
    const c = JSON.parse(SGX_COLLATERAL) as Record<string, string>;
    c.tcb_info = c.tcb_info!.replace('"tcbEvaluationDataNumber":', '"tcbEvaluationDataNumber": ');
    rejects(
      () => dcap.verify(encodeDcapEvidence(SGX_QUOTE, JSON.stringify(c)), dcapPolicy(), IN_WINDOW),
      "dcap_verification_failed",
      /signature is invalid for tcb_info/i,
    );
  });
  test("malformed envelopes", () => {
    rejects(() => decodeDcapEvidence(evidence.subarray(0, 6)), "malformed");
    rejects(() => decodeDcapEvidence(encodeDcapEvidence(SGX_QUOTE, "[1]")), "malformed");
    rejects(() => decodeDcapEvidence(encodeDcapEvidence(SGX_QUOTE, '{"tcb_info":1}')), "malformed");
    const long = Uint8Array.from(evidence);
    long[4] = 0xff;
    rejects(() => decodeDcapEvidence(long), "malformed");
  });
});
